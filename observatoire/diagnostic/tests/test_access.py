"""Who may see and change a diagnostic, over every persona, pages and API alike; refused
attempts change nothing."""

import pytest
from django.test import Client

from observatoire.accounts.models import ApiToken
from observatoire.diagnostic import services
from observatoire.diagnostic.factories import SMALL_COMMUNE, RunFactory
from observatoire.diagnostic.models import Run

READERS = {"referent_a": 200, "colleague_a": 200, "analyst": 200, "referent_b": 403, "reader": 403}


@pytest.fixture
def scored(questionnaire, users, authority_a):
    run = RunFactory(
        authority=authority_a, questionnaire=questionnaire, answers=dict(SMALL_COMMUNE)
    )
    return services.score_run(run, by=users["referent_a"])


@pytest.fixture
def draft(questionnaire, authority_a):
    return RunFactory(
        authority=authority_a, questionnaire=questionnaire, answers={"culture_donnee": "faible"}
    )


@pytest.mark.parametrize("persona", [*READERS, "anonymous"])
def test_pages_of_a_run(scored, draft, client_for, persona):
    """Result, PDF, form and review: the authority's référents and the analysts only."""
    client = client_for(persona)
    for url in (f"/diagnostic/{scored.pk}/resultat/", f"/diagnostic/{scored.pk}/resultat.pdf",
                f"/diagnostic/{draft.pk}/motivations/", f"/diagnostic/{draft.pk}/relecture/"):  # fmt: skip
        status = client.get(url).status_code
        assert status == (302 if persona == "anonymous" else READERS[persona]), url


@pytest.mark.parametrize("persona", ["referent_b", "reader", "anonymous", "analyst"])
def test_writes_refused(scored, draft, client_for, persona):
    """Saving, computing and sharing another authority's run, starting one without being a
    référent: refused (analysts read but do not write); nothing changes."""
    before = list(Run.objects.order_by("pk").values())
    client = client_for(persona)
    responses = [
        client.post(f"/diagnostic/{draft.pk}/enregistrer/", {"_only": "culture_donnee", "culture_donnee": "bonne"}),
        client.post(f"/diagnostic/{scored.pk}/partage/"),
    ]  # fmt: skip
    if persona != "referent_b":  # who starts its own authority's runs
        responses.append(client.post("/diagnostic/nouveau/", {"prefill": "1"}))
    if persona != "analyst":
        responses.append(client.post(f"/diagnostic/{draft.pk}/relecture/"))
    for response in responses:
        assert (
            response.status_code in (302, 403)
            if persona == "anonymous"
            else response.status_code == 403
        )
    assert list(Run.objects.order_by("pk").values()) == before


@pytest.mark.parametrize("persona", ["referent_a", "referent_b", "reader", "analyst"])
def test_grid_page_is_for_analysts(questionnaire, client_for, persona):
    """Only analysts see and edit the grid."""
    status = client_for(persona).get("/diagnostic/grille/").status_code
    assert status == (200 if persona == "analyst" else 403)


def test_api_gives_an_authority_its_own_runs_only(scored, users):
    """A référent's token lists its authority's runs and reads them; another authority's
    token gets none and is refused the run."""
    _t, token_a = ApiToken.issue(users["colleague_a"], "script")
    _t, token_b = ApiToken.issue(users["referent_b"], "script")
    client = Client()
    mine = client.get("/api/v1/diagnostic/runs", headers={"Authorization": f"Bearer {token_a}"})
    assert [r["id"] for r in mine.json()] == [scored.pk]
    assert mine.json()[0]["scores"]["overall"] == 20 and mine.json()[0]["grid_version"] == 1
    theirs = client.get("/api/v1/diagnostic/runs", headers={"Authorization": f"Bearer {token_b}"})
    assert theirs.json() == []
    refused = client.get(
        f"/api/v1/diagnostic/runs/{scored.pk}", headers={"Authorization": f"Bearer {token_b}"}
    )
    assert refused.status_code == 403
    assert client.get("/api/v1/diagnostic/runs").status_code == 401


def test_landing_after_login(users, client_for):
    """One dispatch: a référent lands on its authority's page, an analyst on its dashboard,
    others on the home page."""
    assert client_for("referent_a").get("/accueil/").url == "/ma-collectivite/"
    assert client_for("analyst").get("/accueil/").url == "/tableau-de-bord/"
    for persona in ("reader", "anonymous"):
        assert client_for(persona).get("/accueil/").url == "/"
    assert client_for("reader").get("/ma-collectivite/").status_code == 403


def test_diagnostic_page_tells_each_persona_its_way_in(users, client_for, settings):
    """The diagnostic's page is no dead end: a référent gets the start form, a visitor the
    login link, a signed-in reader (no authority) how to become a référent and whom to ask."""
    settings.CONTACT_EMAIL = "equipe@observatoire.example.fr"
    referent = client_for("referent_a").get("/diagnostic/").content.decode()
    assert "Lancer un diagnostic" in referent
    anonymous = client_for("anonymous").get("/diagnostic/").content.decode()
    assert "Connectez-vous comme référent" in anonymous
    reader = client_for("reader").get("/diagnostic/").content.decode()
    assert "aucune collectivité" in reader
    assert 'href="mailto:equipe@observatoire.example.fr"' in reader
    assert "aucune collectivité" not in client_for("analyst").get("/diagnostic/").content.decode()
