"""The analyst's page: the indicator file edited or uploaded, weighting runs with progress."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from observatoire.barometre import indicator_specs, services
from observatoire.barometre.choices import EditionStatus, JobStatus
from observatoire.barometre.factories import make_edition
from observatoire.barometre.models import Result, WeightingRun
from observatoire.conftest import check_accessibility, login

pytestmark = pytest.mark.django_db

SAMPLE = {("commune_lt_3500", "11"): 6, ("commune_lt_3500", "24"): 5,
          ("commune_3500_10000", "11"): 4, ("commune_3500_10000", "24"): 4, ("cc", "11"): 3}  # fmt: skip
FILE = """questionnaire: essai
domains: [strate]
themes:
  - {code: ia, title: Intelligence artificielle}
indicators:
  - code: ia_deployee
    theme: ia
    title: IA déployée
    kind: share
    question: ia_usage
    values: [deploye]
    key: {domain: "", level: ""}
  - code: strategie_cyber
    theme: ia
    title: Stratégie de cybersécurité
    kind: done_or_planned
    question: cyber_strategie
"""


def ia_answers(authority):
    return {
        "ia_usage": "deploye" if authority.pk % 3 == 0 else "non",
        "cyber_strategie": ["oui", "non", "prevu"][authority.pk % 3],
    }


def url(edition, tail=""):
    return f"/barometre/{edition.code}/gestion/{tail}"


def test_analyst_saves_an_indicator_file_and_the_next_run_uses_it(client_for):
    """A valid file is saved (audited), downloadable, and the next computation uses it."""
    edition = make_edition(SAMPLE, answers=ia_answers)
    client = client_for("analyst")
    response = client.post(url(edition, "indicateurs/"), {"text": FILE.replace("\n", "\r\n")})
    assert response.status_code == 302
    edition.refresh_from_db()
    assert edition.indicators == FILE
    assert client.get(url(edition, "indicateurs.yaml")).content.decode() == FILE
    assert "2 indicateurs, 1 thème —" in client.get(url(edition)).content.decode()
    services.weight_edition(edition)
    assert set(Result.objects.filter(edition=edition).values_list("indicator", flat=True)) == {
        "ia_deployee",
        "strategie_cyber",
    }


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("question: ia_usage", "question: ia_usages"),
         "fichier des indicateurs, ligne 10, indicateur « ia_deployee », champ « question » : le questionnaire n'a pas de question « ia_usages »"),
        (("values: [deploye]", "values: [deployee]"),
         "ligne 11, indicateur « ia_deployee », champ « values » : « deployee » n'est pas un choix de la question « ia_usage »"),
        (("kind: done_or_planned", "kind: moyenne"),
         "fichier des indicateurs, ligne 16, indicateur « strategie_cyber », champ « kind » : « moyenne » inconnu"),
        (("    values: [deploye]\n", "    values: [deploye\n"), "YAML invalide"),
        (("question: cyber_strategie", "question: nb_agents\n    values: [oui]"),
         "ligne 16, indicateur « strategie_cyber », champ « kind » : « done_or_planned » demande une question à choix, « nb_agents » ne l'est pas"),
    ],
)  # fmt: skip
def test_a_bad_indicator_file_is_refused_and_changes_nothing(client_for, change, message):
    """The page answers 400 with a French message naming the indicator, the field and the
    field's own line."""
    edition = make_edition(SAMPLE, answers=ia_answers)
    client = client_for("analyst")
    response = client.post(url(edition, "indicateurs/"), {"text": FILE.replace(*change)})
    assert response.status_code == 400
    assert message in response.content.decode().replace("&#x27;", "'")
    edition.refresh_from_db()
    assert edition.indicators == ""


def test_uploaded_file_wins_and_must_be_utf8(client_for):
    """An uploaded .yaml replaces the text box; a Latin-1 file is refused, nothing changes."""
    edition = make_edition(SAMPLE, answers=ia_answers)
    client = client_for("analyst")
    latin1 = SimpleUploadedFile("ind.yaml", FILE.encode("latin-1"), "text/yaml")
    refused = client.post(url(edition, "indicateurs/"), {"text": "", "upload": latin1})
    assert refused.status_code == 400 and "n'est pas en UTF-8" in refused.content.decode().replace(
        "&#x27;", "'"
    )
    edition.refresh_from_db()
    assert edition.indicators == ""
    upload = SimpleUploadedFile("ind.yaml", FILE.encode("utf-8"), "text/yaml")
    assert (
        client.post(url(edition, "indicateurs/"), {"text": "x", "upload": upload}).status_code
        == 302
    )
    edition.refresh_from_db()
    assert indicator_specs.for_edition(edition).get("ia_deployee").title == "IA déployée"
    client.post(url(edition, "indicateurs/"), {"restore": "1"})
    edition.refresh_from_db()
    assert edition.indicators == ""


@pytest.mark.parametrize("persona", ["anonymous", "reader", "referent_a"])
def test_only_analysts_edit_or_read_the_indicator_file(client_for, persona):
    edition = make_edition(SAMPLE)
    client = client_for(persona)
    refused = 302 if persona == "anonymous" else 403  # anonymous: the login page
    assert client.post(url(edition, "indicateurs/"), {"text": FILE}).status_code == refused
    assert client.get(url(edition, "indicateurs.yaml")).status_code == refused
    assert client.get(url(edition, "ponderation/")).status_code == refused


def test_published_pages_keep_the_file_of_their_version(client, users):
    """Editing the file changes the working set; public pages change at the next publication."""
    edition = make_edition(SAMPLE, answers=ia_answers)
    services.update_indicators(edition, FILE, by=users["analyst"])
    services.weight_edition(edition)
    services.publish_edition(edition)
    services.update_indicators(
        edition, FILE.replace("title: IA déployée", "title: IA en service"), by=users["analyst"]
    )
    page = client.get(f"/barometre/{edition.code}/").content.decode()
    assert "IA déployée" in page and "IA en service" not in page
    services.weight_edition(edition)
    services.publish_edition(edition, note="Titre précisé")
    assert "IA en service" in client.get(f"/barometre/{edition.code}/").content.decode()
    first = client.get(f"/barometre/{edition.code}/?version=1").content.decode()
    assert "IA déployée" in first


def test_public_pages_are_cached_until_the_next_publication(
    client, client_for, users, django_assert_max_num_queries
):
    """A visitor's second read of the note is served from the cache (one query: the stamp
    of publications); a new version shows at once; analysts always read fresh pages."""
    edition = make_edition(SAMPLE, answers=ia_answers)
    services.update_indicators(edition, FILE, by=users["analyst"])
    services.weight_edition(edition)
    services.publish_edition(edition)
    first = client.get(f"/barometre/{edition.code}/").content
    with django_assert_max_num_queries(1):
        assert client.get(f"/barometre/{edition.code}/").content == first
    analyst = client_for("analyst")
    analyst.get(f"/barometre/{edition.code}/")
    with CaptureQueriesContext(connection) as queries:
        analyst.get(f"/barometre/{edition.code}/")
    assert len(queries) > 1
    services.update_indicators(
        edition, FILE.replace("title: IA déployée", "title: IA en service"), by=users["analyst"]
    )
    services.weight_edition(edition)
    assert "IA déployée" in client.get(f"/barometre/{edition.code}/").content.decode()
    services.publish_edition(edition, note="Titre précisé")
    assert "IA en service" in client.get(f"/barometre/{edition.code}/").content.decode()


def test_weighting_run_records_stages_report_and_errors(users):
    """A run ends done with its report; a plan error ends failed with the French message."""
    edition = make_edition(SAMPLE)
    stages = []
    services.weight_edition(edition, progress=stages.append)
    assert stages == list(services.RUN_STAGES)
    run = services.start_weighting(edition, by=users["analyst"], in_background=False)
    assert (run.status, run.percent) == (JobStatus.DONE, 100)
    assert run.report["n"] == 22 and run.report["converged"]
    assert run.started_by == users["analyst"]
    edition.vintage = 2031
    edition.save()
    failed = services.start_weighting(edition, in_background=False)
    assert failed.status == JobStatus.FAILED
    assert failed.error == "Le millésime 2031 de l'univers n'est pas chargé."


def test_status_polls_while_a_run_is_under_way(client_for):
    """While a run is pending or running the status asks to be polled and shows a bar."""
    edition = make_edition(SAMPLE)
    run = WeightingRun.objects.create(
        edition=edition, status=JobStatus.RUNNING, step="Calage des poids", percent=25
    )
    client = client_for("analyst")
    html = client.get(url(edition, "ponderation/")).content.decode()
    assert "hx-get" in html and 'value="25"' in html and "Calage des poids" in html
    # A second click while it runs does not start another run.
    assert services.start_weighting(edition, in_background=False) == run
    run.status = JobStatus.DONE
    run.save()
    html = client.get(url(edition, "ponderation/")).content.decode()
    assert "hx-get" not in html and "Pondérer et calculer" in html


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_analyst_runs_the_weighting_from_the_page(page, users, start_worker):
    """In Chromium: the analyst starts a run, a worker process runs it, the page follows it
    and shows the finished report."""
    start_worker()
    edition = make_edition(SAMPLE, answers=ia_answers)
    services.update_indicators(edition, FILE, by=users["analyst"])
    login(page, users["analyst"])
    page.goto(url(edition))
    page.get_by_role("button", name="Pondérer et calculer").click()
    status = page.locator("#weighting-status")
    status.get_by_text("Dernière pondération terminée").wait_for()
    assert "résultats calculés" in status.inner_text()
    page.reload()
    assert "Taille effective" in page.locator("main").inner_text()
    edition.refresh_from_db()
    assert edition.status == EditionStatus.WEIGHTED
    check_accessibility(page, "barometre-gestion")


def test_actions_say_what_they_did(client_for):
    """Publishing names the version; a status change names the new status."""
    edition = make_edition(SAMPLE)
    services.weight_edition(edition)
    client = client_for("analyst")
    page = client.post(url(edition, "publier/"), follow=True).content.decode()
    assert "Version 1 publiée." in page
    page = client.post(url(edition, "collecting/"), follow=True).content.decode()
    assert "Statut de l’édition : collecte en cours." in page
