"""Who may read and change register entries, through every page and endpoint that writes.

Authority A is Plaisir (référent_a, colleague_a); référent_b acts for Besançon. Drafts of A are
invisible (404) to B, readers and visitors; nobody but A's référents and analysts changes them.
"""

import json

import pytest

from observatoire.accounts.models import ApiToken
from observatoire.conftest import PERSONAS
from observatoire.registre import services
from observatoire.registre.choices import Status
from observatoire.registre.factories import EntryFactory
from observatoire.registre.models import Entry

ACTORS_OF_A = {"referent_a", "colleague_a", "analyst"}
CLASSIFIED = {"ai_act_level": "minimal", "ai_act_answers": {"is_ai_system": True}}


@pytest.fixture
def draft(authority_a, users):
    return EntryFactory(
        authority=authority_a,
        name="Brouillon secret de Plaisir",
        created_by=users["referent_a"],
        **CLASSIFIED,
    )


@pytest.fixture
def published(authority_a, users):
    entry = EntryFactory(authority=authority_a, name="Chatbot public Optimus", **CLASSIFIED)
    services.submit_entry(entry, by=users["referent_a"])
    return services.approve_entry(entry, by=users["colleague_a"])


READ_PAGES = ["detail", "history", "pdf", "entry_export/json", "entry_export/nl"]


def _read_url(name, pk):
    if "/" in name:
        name, fmt = name.split("/")
        return f"/registre/fiche/{pk}/export/{fmt}/"
    return {
        "detail": f"/registre/fiche/{pk}/",
        "history": f"/registre/fiche/{pk}/historique/",
        "pdf": f"/registre/fiche/{pk}/pdf/",
    }[name]


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("page", READ_PAGES)
def test_drafts_are_readable_only_by_the_authority_and_analysts(client_for, draft, persona, page):
    """A draft's pages answer 200 to A's référents and analysts, 404 to everyone else."""
    response = client_for(persona).get(_read_url(page, draft.pk))
    assert response.status_code == (200 if persona in ACTORS_OF_A else 404)


@pytest.mark.parametrize("persona", PERSONAS)
def test_published_entries_are_public(client_for, published, persona):
    """Everyone reads a published entry and its history."""
    assert client_for(persona).get(f"/registre/fiche/{published.pk}/").status_code == 200
    assert client_for(persona).get(f"/registre/fiche/{published.pk}/historique/").status_code == 200


@pytest.mark.parametrize("persona", PERSONAS)
def test_lists_feeds_and_exports_show_only_published_entries_to_outsiders(
    client_for, draft, published, persona
):
    """The national register, A's page, its feed, the exports and the API hide A's drafts from others."""
    client = client_for(persona)
    pages = [
        client.get("/registre/").content.decode(),
        client.get("/registre/collectivite/217804905/integration/").content.decode(),
        client.get("/registre/collectivite/217804905/flux.json").content.decode(),
        client.get("/registre/export/csv/").content.decode(),
        client.get("/registre/export/json/").content.decode(),
    ]
    for content in pages:
        assert "Chatbot public Optimus" in content
        assert "Brouillon secret" not in content
    # The authority's page and the API list add its drafts for the référents who keep them.
    for url in ("/registre/collectivite/217804905/", "/api/v1/registre/entries"):
        content = client.get(url).content.decode()
        assert "Chatbot public Optimus" in content
        assert ("Brouillon secret" in content) == (persona in ACTORS_OF_A)
    api = client.get(f"/api/v1/registre/entries/{draft.pk}")
    assert api.status_code == (200 if persona in ACTORS_OF_A else 404)


def _post_actions(draft, published):
    """(name, url, data, check that the entry changed) for every page that writes."""
    form = {
        "name": "Renommé",
        "summary": "Nouveau résumé.",
        "contact_email": "x@example.fr",
        "theme": "administration",
        "technology": "chatbot",
        "lifecycle": "production",
        "automation": "informs",
        "dpia_status": "not_required",
        "ai_act_role": "deployer",
        "hosting_kind": "saas",
        "hosting_country": "FR",
        "model_size": "rules",
        "requests_per_year": "10",
    }
    for prefix in ("datasets", "components", "third_parties"):
        form |= {f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"}
    return [
        (
            "edit",
            f"/registre/fiche/{draft.pk}/modifier/",
            form,
            lambda: Entry.objects.get(pk=draft.pk).name == "Renommé",
        ),
        (
            "ai_act",
            f"/registre/fiche/{draft.pk}/ai-act/",
            {"is_ai_system": "on", "social_scoring": "on"},
            lambda: Entry.objects.get(pk=draft.pk).ai_act_level == "prohibited",
        ),
        (
            "compliance",
            f"/registre/fiche/{draft.pk}/conformite/",
            {"check_logs": "on"},
            lambda: Entry.objects.get(pk=draft.pk).deployer_checklist.get("logs") is True,
        ),
        (
            "submit",
            f"/registre/fiche/{draft.pk}/soumettre/",
            {},
            lambda: Entry.objects.get(pk=draft.pk).status == Status.IN_REVIEW,
        ),
        (
            "archive",
            f"/registre/fiche/{published.pk}/archiver/",
            {},
            lambda: Entry.objects.get(pk=published.pk).status == Status.ARCHIVED,
        ),
        (
            "revise",
            f"/registre/fiche/{published.pk}/reviser/",
            {},
            lambda: Entry.objects.filter(revision_of=published).exists(),
        ),
    ]


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("action", ["edit", "ai_act", "compliance", "submit", "archive", "revise"])
def test_only_the_authority_and_analysts_change_its_entries(
    client_for, draft, published, persona, action
):
    """Each writing page changes A's entry for A's référents and analysts only."""
    _name, url, data, changed = next(a for a in _post_actions(draft, published) if a[0] == action)
    response = client_for(persona).post(url, data)
    if persona in ACTORS_OF_A:
        assert response.status_code == 302, response.content.decode()[:2000]
        assert changed()
    else:
        assert response.status_code in (302, 403, 404)
        if persona == "anonymous":
            assert "/comptes/connexion/" in response["Location"]
        assert not changed()


@pytest.mark.parametrize("persona", PERSONAS)
def test_approval_by_another_referent_of_the_authority_or_an_analyst(
    client_for, users, draft, persona
):
    """The author cannot approve its own submission; B, readers and visitors cannot either."""
    services.submit_entry(draft, by=users["referent_a"])
    client_for(persona).post(f"/registre/fiche/{draft.pk}/approuver/")
    published = Entry.objects.get(pk=draft.pk).status == Status.PUBLISHED
    assert published == (persona in {"colleague_a", "analyst"})


@pytest.mark.parametrize("persona", PERSONAS)
def test_creating_an_entry_for_a_needs_to_act_for_a(client_for, authority_a, persona):
    """The creation page creates for the user's own authority; an outsider cannot aim at A."""
    client = client_for(persona)
    response = client.get("/registre/gerer/nouvelle/?authority=217804905")
    expected = {"anonymous": 302, "reader": 403, "referent_b": 200}.get(persona, 200)
    assert response.status_code == expected
    if persona == "referent_b":
        assert "Besançon" in response.content.decode()


@pytest.mark.parametrize("persona", PERSONAS)
def test_api_writes_need_to_act_for_the_authority(users, authority_a, draft, persona):
    """Bearer-token writes on A's entries succeed for A's référents and analysts only."""
    from django.test import Client

    client = Client()
    headers = {}
    if users[persona] is not None:
        _token, secret = ApiToken.issue(users[persona], "test")
        headers = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
    allowed = persona in ACTORS_OF_A
    create = client.post(
        "/api/v1/registre/entries",
        json.dumps(
            {
                "authority_siren": "217804905",
                "name": "Via l'API",
                "summary": "Résumé.",
                "contact_email": "api@example.fr",
                "theme": "water",
                "technology": "predictive",
            }
        ),
        content_type="application/json",
        **headers,
    )
    assert create.status_code == (201 if allowed else (401 if persona == "anonymous" else 403))
    patch = client.patch(
        f"/api/v1/registre/entries/{draft.pk}",
        json.dumps({"name": "Changé"}),
        content_type="application/json",
        **headers,
    )
    assert (patch.status_code == 200) == allowed
    classify = client.post(
        f"/api/v1/registre/entries/{draft.pk}/ai-act",
        json.dumps({"answers": {"is_ai_system": True, "employment": True}}),
        content_type="application/json",
        **headers,
    )
    assert (classify.status_code == 200) == allowed
    draft.refresh_from_db()
    assert (draft.name == "Changé") == allowed
    assert (draft.ai_act_level == "high") == allowed


@pytest.mark.parametrize("persona", ["analyst", "reader"])
def test_creating_without_an_authority_says_where_to_start(client_for, persona):
    """An analyst or a reader (no authority of their own) opening « Nouvelle fiche » directly is
    told, in plain French, to start from an authority's register page."""
    response = client_for(persona).get("/registre/gerer/nouvelle/")
    assert response.status_code == 403
    assert "ouvrez son registre, puis « Nouvelle fiche »" in response.content.decode()
