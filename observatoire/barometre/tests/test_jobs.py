"""Jobs on the task queue: a worker killed mid-run, recovery, retry from the page, and two
analysts starting the same run at once."""

import hashlib
import io
import threading
import time
from pathlib import Path

import pytest
from django.db import connection
from django_tasks_db.models import DBTaskResult

from observatoire.barometre import demo, services
from observatoire.barometre.choices import JobStatus
from observatoire.barometre.factories import make_edition
from observatoire.barometre.models import Edition, ReportJob, WeightingRun
from observatoire.barometre.services import reports
from observatoire.core import jobs
from observatoire.territoires import services as territoires

pytestmark = pytest.mark.django_db(transaction=True)
SAMPLE = {("commune_lt_3500", "11"): 6, ("commune_lt_3500", "24"): 5,
          ("commune_3500_10000", "11"): 4, ("commune_3500_10000", "24"): 4, ("cc", "11"): 3}  # fmt: skip


def wait_for(condition, seconds=120.0):
    """Poll `condition` every 20 ms until it is true; fail after `seconds`."""
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "délai dépassé"
        time.sleep(0.02)


def test_report_job_of_a_killed_worker_is_recovered_and_retried(start_worker, client, settings):
    """The worker process is killed while it builds the PDF: after the timeout the page says
    the job failed in French and offers to run it again; a new worker then finishes it."""
    territoires.import_vintage(2024)
    demo.load(io.StringIO())
    edition = Edition.objects.get(code="barometre-2024")
    worker = start_worker()
    job = reports.request_report(edition, edition.published_version)
    first_task = job.task_id
    wait_for(lambda: ReportJob.objects.get(pk=job.pk).status == JobStatus.RUNNING)
    worker.kill()
    worker.wait()
    job.refresh_from_db()
    assert job.status == JobStatus.RUNNING and not job.path
    # Meanwhile the same request joins the job under way.
    assert reports.request_report(edition, edition.published_version).pk == job.pk
    time.sleep(settings.JOB_TIMEOUT_SECONDS + 0.5)  # no heartbeat since the kill

    page = client.get(f"/barometre/{edition.code}/rapport/statut/").content.decode()
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and job.error == jobs.INTERRUPTED
    assert "La génération du rapport a échoué" in page and "Relancer" in page
    assert "processus qui l&#x27;exécutait s&#x27;est arrêté" in page
    assert DBTaskResult.objects.get(id=first_task).status == "FAILED"

    client.post(f"/barometre/{edition.code}/rapport/")
    job.refresh_from_db()
    assert job.status == JobStatus.PENDING and job.task_id != first_task
    start_worker()
    wait_for(lambda: not ReportJob.objects.get(pk=job.pk).is_active)
    job.refresh_from_db()
    assert job.status == JobStatus.DONE, job.error
    assert hashlib.sha256(Path(job.path).read_bytes()).hexdigest() == job.sha256
    assert ReportJob.objects.filter(edition=edition).count() == 1


def test_two_analysts_starting_the_same_run_get_one_job(users):
    """Two requests at the same instant, on two connections: one run, one queued task."""
    edition = make_edition(SAMPLE)
    barrier = threading.Barrier(2)
    runs = {}

    def start(persona):
        try:
            barrier.wait()
            runs[persona] = services.start_weighting(edition, by=users[persona])
        finally:
            connection.close()

    threads = [threading.Thread(target=start, args=(p,)) for p in ("analyst", "reader")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert runs["analyst"].pk == runs["reader"].pk
    assert WeightingRun.objects.count() == 1
    assert DBTaskResult.objects.filter(id=runs["analyst"].task_id).count() == 1
    assert DBTaskResult.objects.count() == 1


def test_weighting_run_goes_through_the_worker(start_worker, users):
    """Queued, then run by a real worker process: done with its report, its heartbeat set."""
    edition = make_edition(SAMPLE)
    run = services.start_weighting(edition, by=users["analyst"])
    assert run.status == JobStatus.PENDING and not jobs.worker_alive()
    start_worker()
    wait_for(lambda: not WeightingRun.objects.get(pk=run.pk).is_active)
    run.refresh_from_db()
    assert run.status == JobStatus.DONE and run.report["n"] == 22 and run.heartbeat_at
    assert jobs.worker_alive()
