"""A référent's edit of a published case goes back through moderation, page or API; the
published text stays online until an analyst accepts the edit."""

import json

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from observatoire.accounts.models import ApiToken
from observatoire.cas_usage import queries, services
from observatoire.cas_usage.choices import Status
from observatoire.cas_usage.models import UseCase
from observatoire.cas_usage.tests.test_contribution import FORM


@pytest.fixture
def published(users):
    """A case proposed by Plaisir's référent with one result, then published."""
    case = services.propose_case(
        {k: v for k, v in FORM.items() if "-" not in k},
        results=[{"indicator": "Erreurs de tri", "before": 30, "after": 12, "unit": "%",
                  "source": "Bilan 2025"}],
        by=users["referent_a"],
    )  # fmt: skip
    return services.moderate_case(case, "accept", by=users["analyst"])


def _edit_page(client, case, **changes):
    data = FORM | {"results-0-after": "9"} | changes
    return client.post(reverse("cas_usage:edit", args=[case.pk]), data)


def test_page_edit_waits_and_the_public_keeps_the_published_text(client_for, published):
    """The référent's edit is kept aside; visitors, the search and the API see the old text."""
    mail.outbox.clear()
    response = _edit_page(client_for("colleague_a"), published, title="Titre corrigé")
    assert response.status_code == 302
    case = UseCase.objects.get(pk=published.pk)
    assert (case.status, case.title) == (Status.PUBLISHED, FORM["title"])
    assert case.results.get().after_text == "12\u00a0%"
    assert case.pending_edit["fields"]["title"] == "Titre corrigé"
    page = client_for("anonymous").get(case.get_absolute_url()).content.decode()
    assert FORM["title"] in page and "Titre corrigé" not in page
    api = Client().get(f"/api/v1/cas-usage/cases/{case.pk}").json()
    assert api["title"] == FORM["title"]
    assert queries.search_cases(queries.Filters(query="corrigé")).total == 0
    assert "Cas d'usage à modérer" in mail.outbox[0].subject


def test_analyst_sees_the_edit_in_the_queue_and_accepts_it(client_for, published):
    """The queue lists the edit; the case page shows what changes; accepting puts it online."""
    _edit_page(client_for("referent_a"), published, title="Titre corrigé")
    analyst = client_for("analyst")
    assert FORM["title"] in analyst.get(reverse("cas_usage:moderation")).content.decode()
    page = analyst.get(published.get_absolute_url()).content.decode()
    assert "Modification proposée du cas publié" in page and "Titre corrigé" in page
    analyst.post(reverse("cas_usage:moderate", args=[published.pk]), {"decision": "accept"})
    case = UseCase.objects.get(pk=published.pk)
    assert (case.status, case.title, case.pending_edit) == (Status.PUBLISHED, "Titre corrigé", None)
    assert case.results.get().after_text == "9\u00a0%"
    assert queries.search_cases(queries.Filters(query="corrigé")).total == 1


def test_refused_edit_is_dropped_and_changes_requested_keep_it(users, client_for, published):
    """A request for changes keeps the edit for its author (the form starts from it); a
    refusal drops it. The published case stays as it was in both cases."""
    _edit_page(client_for("referent_a"), published, title="Titre corrigé")
    case = services.moderate_case(
        UseCase.objects.get(pk=published.pk), "changes", "Précisez.", by=users["analyst"]
    )
    assert case.pending_edit and case.status == Status.PUBLISHED
    form = client_for("referent_a").get(reverse("cas_usage:edit", args=[case.pk]))
    assert 'value="Titre corrigé"' in form.content.decode()
    case = services.moderate_case(case, "reject", "Hors sujet.", by=users["analyst"])
    case.refresh_from_db()
    assert (case.pending_edit, case.title, case.status) == (None, FORM["title"], Status.PUBLISHED)


def test_api_put_waits_for_moderation(users, published):
    """PUT by a référent answers 202 with the published content; nothing changes online."""
    _token, raw = ApiToken.issue(users["referent_a"], "script")
    payload = {k: FORM[k] for k in ("summary", "domain", "technology", "stage")}
    response = Client().put(
        f"/api/v1/cas-usage/cases/{published.pk}",
        json.dumps(payload | {"title": "Par l'API", "results": [], "links": []}),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {raw}",
    )
    assert response.status_code == 202
    assert response.json()["title"] == FORM["title"]
    case = UseCase.objects.get(pk=published.pk)
    assert case.title == FORM["title"] and case.results.count() == 1
    assert case.pending_edit["fields"]["title"] == "Par l'API"
    assert case.pending_edit["results"] == []


def test_analyst_edits_at_once(users, published):
    """An analyst, who moderates, changes a published case directly."""
    services.update_case(published, {"title": "Corrigé par l'analyste"}, by=users["analyst"])
    published.refresh_from_db()
    assert (published.title, published.pending_edit) == ("Corrigé par l'analyste", None)
