"""Taking a diagnostic: blank or pre-filled from the latest barometer response (marked),
saved like the barometer's form, scored with the grid in force, kept with its version,
shared by the authority's référents, and never a barometer response."""

import pytest
from django.core.exceptions import PermissionDenied

from observatoire.diagnostic import services
from observatoire.diagnostic.choices import RulesKind, RunStatus
from observatoire.diagnostic.factories import SMALL_COMMUNE
from observatoire.diagnostic.models import Run
from observatoire.diagnostic.scoring import shipped_text
from observatoire.questionnaires.choices import ResponseStatus
from observatoire.questionnaires.models import Response
from observatoire.questionnaires.services.collection import SubmitError


@pytest.fixture
def response_2024(questionnaire, authority_a):
    return Response.objects.create(
        questionnaire=questionnaire,
        questionnaire_version=1,
        authority=authority_a,
        status=ResponseStatus.SUBMITTED,
        answers=SMALL_COMMUNE | {"gouv_commentaire": "Un comité à venir."},
    )


def test_prefilled_run_marks_answers_and_unmarks_a_changed_one(response_2024, users, client_for):
    """Pre-filled answers are marked on the form; changing one removes its mark only."""
    referent = users["referent_a"]
    run = services.start_run(referent.authority, by=referent, prefill=True)
    assert run.source == response_2024
    assert run.answers["culture_donnee"] == "insuffisante"
    assert "culture_donnee" in run.prefilled and "gouv_commentaire" in run.prefilled
    page = client_for("referent_a").get(f"/diagnostic/{run.pk}/motivations/")
    assert (
        page.content.decode().count('class="prefilled"')
        == sum(1 for q in page.context["items"] if q["question"].code in run.prefilled)
        > 0
    )
    response = client_for("colleague_a").post(
        f"/diagnostic/{run.pk}/enregistrer/", {"_only": "culture_donnee", "culture_donnee": "bonne"}
    )
    assert response.status_code == 200 and "Enregistré" in response.content.decode()
    run.refresh_from_db()
    assert run.answers["culture_donnee"] == "bonne"
    assert "culture_donnee" not in run.prefilled and "portage_politique" in run.prefilled


def test_blank_run_and_validation_like_the_barometer(response_2024, users, client_for):
    """A blank run starts empty; computing it lists the missing required answers; a bad
    value is refused with the barometer's message."""
    referent = users["referent_a"]
    run = services.start_run(referent.authority, by=referent, prefill=False)
    assert run.answers == {} and run.source is None
    with pytest.raises(SubmitError) as error:
        services.score_run(run, by=referent)
    assert error.value.errors["culture_donnee"] == "Réponse obligatoire."
    run, errors = services.save_run_answers(run, {"nb_agents": "-3"}, by=referent)
    assert "nb_agents" in errors and "nb_agents" not in run.answers


def test_scored_run_keeps_its_grid_version(response_2024, users):
    """A run scored with grid v1 keeps v1 and its scores after an analyst publishes v2; the
    next run is scored with v2. A scored run cannot be edited."""
    referent = users["referent_a"]
    first = services.score_run(
        services.start_run(referent.authority, by=referent, prefill=True), by=referent
    )
    assert first.status == RunStatus.SCORED and first.grid.number == 1
    assert first.scores["overall"] == 20 and first.scores["level_label"] == "débutant"
    edited = shipped_text(RulesKind.GRID).replace(
        "label: débutant, min: 0", "label: premiers pas, min: 0"
    )
    services.update_rules(RulesKind.GRID, edited, by=users["analyst"])
    second = services.score_run(
        services.start_run(referent.authority, by=referent, prefill=True), by=referent
    )
    first.refresh_from_db()
    assert (first.grid.number, first.scores["level_label"]) == (1, "débutant")
    assert (second.grid.number, second.scores["level_label"]) == (2, "premiers pas")
    with pytest.raises(PermissionDenied):
        services.save_run_answers(first, {"culture_donnee": "bonne"}, by=referent)


def test_a_diagnostic_is_never_a_barometer_response(response_2024, users):
    """Runs keep their own answers: the barometer's responses are untouched."""
    referent = users["referent_a"]
    before = list(Response.objects.values_list("pk", "answers"))
    run = services.start_run(referent.authority, by=referent, prefill=True)
    services.save_run_answers(run, {"culture_donnee": "bonne"}, by=referent)
    services.score_run(run, by=referent)
    assert list(Response.objects.values_list("pk", "answers")) == before


def test_share_link_reads_only_and_can_be_withdrawn(response_2024, users, client_for):
    """The référent creates a read-only link anyone can open; withdrawn, it is a 404."""
    referent = users["referent_a"]
    run = services.score_run(
        services.start_run(referent.authority, by=referent, prefill=True), by=referent
    )
    client_for("referent_a").post(f"/diagnostic/{run.pk}/partage/")
    run.refresh_from_db()
    assert len(run.share_token) >= 20
    anonymous = client_for("anonymous")
    page = anonymous.get(f"/diagnostic/partage/{run.share_token}/")
    assert page.status_code == 200 and "lecture seule" in page.content.decode()
    assert '/partage/" method' not in page.content.decode()
    assert (
        anonymous.get(f"/diagnostic/partage/{run.share_token}/pdf/")["Content-Type"]
        == "application/pdf"
    )
    token = run.share_token
    client_for("colleague_a").post(f"/diagnostic/{run.pk}/partage/", {"withdraw": "1"})
    assert anonymous.get(f"/diagnostic/partage/{token}/").status_code == 404
    assert Run.objects.get(pk=run.pk).share_token == ""
