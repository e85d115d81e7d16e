"""`observatoire worker`: the task queue's worker (django-tasks-db's db_worker) with a heartbeat.

Besides running the queued jobs, a thread records the worker's sign of life for /sante/
every JOB_HEARTBEAT_SECONDS and marks failed the jobs of workers that died.
"""

import logging

from django.db import DatabaseError
from django_tasks_db.management.commands.db_worker import Command as DbWorkerCommand

from observatoire.core import jobs

logger = logging.getLogger(__name__)


class Command(DbWorkerCommand):
    help = "Exécute les travaux en file d'attente (pondérations, rapports PDF)."

    def handle(self, *args, **options):
        worker_id = options["worker_id"]
        try:
            jobs.worker_beat(worker_id)
        except DatabaseError:  # a long write elsewhere (SQLite): the next beat will do
            logger.warning("Premier signe de vie du worker reporté", exc_info=True)
        with jobs.beating(lambda: jobs.worker_beat(worker_id)):
            super().handle(*args, **options)
