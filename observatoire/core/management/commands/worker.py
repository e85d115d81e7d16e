"""`observatoire worker`: the task queue's worker (django-tasks-db's db_worker) with a heartbeat.

Besides running the queued jobs, a thread records the worker's sign of life for /sante/
every JOB_HEARTBEAT_SECONDS and marks failed the jobs of workers that died.
"""

from django_tasks_db.management.commands.db_worker import Command as DbWorkerCommand

from observatoire.core import jobs


class Command(DbWorkerCommand):
    help = "Exécute les travaux en file d'attente (pondérations, rapports PDF)."

    def handle(self, *args, **options):
        worker_id = options["worker_id"]
        jobs.worker_beat(worker_id)
        with jobs.beating(lambda: jobs.worker_beat(worker_id)):
            super().handle(*args, **options)
