"""Demo: Plaisir answers the 2024 barometer, and runs two diagnostics (spring 2025, then
autumn 2026 after adopting governance rules and an AI ethics charter) so that progress
over time shows. Idempotent."""

import datetime

from django.db import transaction
from django.utils import timezone

from observatoire.accounts.models import User
from observatoire.diagnostic import services
from observatoire.diagnostic.models import Run
from observatoire.questionnaires.choices import Population, ResponseStatus
from observatoire.questionnaires.models import Questionnaire, Response
from observatoire.questionnaires.services.collection import LoadedQuestionnaire
from observatoire.territoires.models import Authority

REFERENT = "referent@plaisir.demo.fr"
# What Plaisir changed between its two diagnostics.
PROGRESS = {
    "gouv_regles": "oui",
    "gouv_documents": ["guides", "charte"],
    "comite_donnee": "oui",
    "charte_ethique_ia": "oui",
    "ia_doctrine_usage": "oui",
    "formation_elus": "oui",
    "cyber_plan_continuite": "prevu",
}
DATES = [datetime.datetime(2025, 3, 14, 10), datetime.datetime(2026, 10, 2, 15)]


def load(stdout) -> None:
    plaisir = Authority.objects.filter(kind="commune", code="78490").first()
    referent = User.objects.filter(email=REFERENT).first()
    if plaisir is None or referent is None:
        return
    with transaction.atomic():
        response = _response_2024(plaisir, referent)
        if response is None or Run.objects.filter(authority=plaisir).exists():
            return
        first = services.start_run(plaisir, by=referent, prefill=True)
        second = services.start_run(plaisir, by=referent, prefill=True)
        services.save_run_answers(second, PROGRESS, by=referent)
        for run, date in zip((first, second), DATES, strict=True):
            services.score_run(run, by=referent)
            at = timezone.make_aware(date)
            Run.objects.filter(pk=run.pk).update(created_at=at, scored_at=at)
    stdout.write("Autodiagnostic : 2 diagnostics de Plaisir chargés.")


def _response_2024(plaisir, referent) -> Response | None:
    """Plaisir's 2024 barometer response, carried over from its 2023 one the first time."""
    from observatoire.barometre.demo import edition_code

    code = edition_code(2024, Population.AUTHORITIES)
    questionnaire = Questionnaire.objects.filter(code=code).first()
    if questionnaire is None:
        return None
    existing = Response.objects.filter(questionnaire=questionnaire, authority=plaisir).first()
    if existing is not None:
        return existing
    previous = services.latest_response(plaisir)
    answers = services.carried_over(
        LoadedQuestionnaire.load(questionnaire), previous.answers if previous else {}
    )
    return Response.objects.create(
        questionnaire=questionnaire,
        questionnaire_version=questionnaire.version,
        authority=plaisir,
        status=ResponseStatus.SUBMITTED,
        submitted_at=timezone.now(),
        submitted_by=referent,
        source="démo",
        answers=answers,
    )
