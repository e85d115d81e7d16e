"""The barometer's tasks on the queue (core.jobs): weighting runs and PDF reports."""

from django_tasks import task


@task()
def weigh(run_id: int) -> None:
    from observatoire.barometre.services import run_weighting

    run_weighting(run_id)


@task()
def build_report(job_id: int) -> None:
    from observatoire.barometre.services.reports import run_job

    run_job(job_id)
