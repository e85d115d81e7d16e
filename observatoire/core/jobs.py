"""Work that outlives its request, through the task queue (django-tasks, Django 6's API).

A job is a row (a subclass of core.models.Job) that its page follows, and a task of the
queue that a worker process (`observatoire worker`) runs. While a job runs, a thread of
the worker beats its `heartbeat_at`; a worker that dies (killed, machine restarted) stops
the beat, and after JOB_TIMEOUT_SECONDS `recover` marks its job failed with a French
message, so the page offers to run it again. A second request for the same work while a
job is queued or running joins that job (`start_or_join`).
"""

from __future__ import annotations

import logging
import os
import socket
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any, TypeVar

from django.conf import settings
from django.db import connection, models, transaction
from django.utils import timezone

from observatoire.core.models import Job, JobStatus, WorkerHeartbeat

logger = logging.getLogger(__name__)

ACTIVE = (JobStatus.PENDING, JobStatus.RUNNING)
INTERRUPTED = (
    "Le traitement a été interrompu : le processus qui l'exécutait s'est arrêté "
    "(redémarrage ou panne). Relancez-le."
)
J = TypeVar("J", bound=Job)


def start_or_join(
    owner: models.Model,
    jobs: models.QuerySet[J],
    make: Callable[[], J],
    task: Any,
    *,
    here: bool = False,
) -> J:
    """The job of `jobs` queued or running, else a new one from `make()` put on the queue
    (or, `here`, run at once in this process: the command line).

    Under a lock on `owner`'s row (PostgreSQL: SELECT … FOR UPDATE; SQLite: its immediate
    transactions write one at a time), so two analysts starting the same work at once get
    one job. The task is queued in the same transaction as the job: both or neither."""
    recover(jobs.model)
    if here:
        job = jobs.filter(status__in=ACTIVE).first()
        if job is None:
            job = make()
            task.call(job.pk)
            job.refresh_from_db()
        return job
    with transaction.atomic():
        list(type(owner)._default_manager.select_for_update().filter(pk=owner.pk).values("pk"))
        job = jobs.filter(status__in=ACTIVE).first()
        if job is not None:
            return job
        job = make()
        result = task.enqueue(job.pk)
        type(job)._default_manager.filter(pk=job.pk).update(task_id=str(result.id))
        job.task_id = str(result.id)
    return job


def recover(model: type[Job]) -> int:
    """Mark failed the running jobs of `model` whose worker stopped beating; returns how many.

    Their task in the queue is marked failed too (the database backend leaves it running)."""
    cutoff = timezone.now() - timedelta(seconds=settings.JOB_TIMEOUT_SECONDS)
    stale = model._default_manager.filter(status=JobStatus.RUNNING, heartbeat_at__lt=cutoff)
    if not stale.exists():  # the usual case: a read, no write lock
        return 0
    task_ids = [t for t in stale.values_list("task_id", flat=True) if t]
    count = stale.update(status=JobStatus.FAILED, error=INTERRUPTED, finished_at=timezone.now())
    if task_ids:
        from django_tasks_db.models import DBTaskResult

        DBTaskResult.objects.filter(id__in=task_ids, status="RUNNING").update(
            status="FAILED",
            finished_at=timezone.now(),
            exception_class_path="",
            traceback=INTERRUPTED,
        )
    if count:
        logger.warning(
            "%s: %d job(s) lost their worker and were marked failed", model.__name__, count
        )
    return count


@contextmanager
def running(job: Job) -> Iterator[None]:
    """Mark `job` running and beat its heartbeat from a thread until the block ends."""
    model = type(job)._default_manager
    job.status, job.heartbeat_at = JobStatus.RUNNING, timezone.now()
    model.filter(pk=job.pk).update(status=job.status, heartbeat_at=job.heartbeat_at)
    with beating(lambda: model.filter(pk=job.pk).update(heartbeat_at=timezone.now())):
        yield


@contextmanager
def beating(beat: Callable[[], Any]) -> Iterator[None]:
    """Call `beat` every JOB_HEARTBEAT_SECONDS from a daemon thread while the block runs."""
    stop = threading.Event()

    def loop() -> None:
        try:
            while not stop.wait(settings.JOB_HEARTBEAT_SECONDS):
                try:
                    beat()
                except Exception:  # a busy database: the next beat will do
                    logger.warning("Heartbeat failed", exc_info=True)
        finally:
            connection.close()

    thread = threading.Thread(target=loop, daemon=True, name="heartbeat")
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()


def worker_beat(worker_id: str) -> None:
    """One beat of a worker process: its own row, then recovery of jobs lost by others."""
    now = timezone.now()
    WorkerHeartbeat.objects.update_or_create(
        worker_id=worker_id,
        defaults={"host": socket.gethostname(), "pid": os.getpid(), "seen_at": now},
    )
    WorkerHeartbeat.objects.filter(seen_at__lt=now - timedelta(days=1)).delete()  # gone for good
    for model in job_models():
        recover(model)


def job_models() -> list[type[Job]]:
    from django.apps import apps

    return [m for m in apps.get_models() if issubclass(m, Job)]


def last_worker_beat() -> Any:
    """When a worker last gave a sign of life (None: never)."""
    return WorkerHeartbeat.objects.aggregate(last=models.Max("seen_at"))["last"]


def worker_alive() -> bool:
    last = last_worker_beat()
    return last is not None and timezone.now() - last < timedelta(
        seconds=settings.JOB_TIMEOUT_SECONDS
    )
