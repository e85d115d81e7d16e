"""A référent proposes a case; an analyst moderates; the authority keeps it up to date."""

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse

from observatoire.cas_usage import queries, services
from observatoire.cas_usage.choices import Status
from observatoire.cas_usage.factories import UseCaseFactory
from observatoire.cas_usage.models import Adoption, UseCase
from observatoire.conftest import PERSONAS

FORM = {
    "title": "Tri des déchets assisté par caméra",
    "summary": "Des caméras repèrent les erreurs de tri dans les bacs jaunes.",
    "domain": "dechets",
    "technology": "vision",
    "stage": "experimentation",
    "results-TOTAL_FORMS": "2",
    "results-INITIAL_FORMS": "0",
    "results-0-indicator": "Erreurs de tri",
    "results-0-before": "30",
    "results-0-after": "12",
    "results-0-unit": "%",
    "results-0-source": "Bilan du service déchets, 2025",
    "links-TOTAL_FORMS": "2",
    "links-INITIAL_FORMS": "0",
    "links-0-kind": "ressource",
    "links-0-title": "Cahier des charges",
    "links-0-url": "https://example.org/cctp.pdf",
    "links-0-resource_type": "cahier_des_charges",
}


@pytest.mark.parametrize("persona", PERSONAS)
def test_propose_page_access(client_for, persona):
    """Only a référent may propose a case; anonymous visitors are sent to the login page."""
    response = client_for(persona).get(reverse("cas_usage:propose"))
    expected = {"anonymous": 302, "referent_a": 200, "colleague_a": 200, "referent_b": 200}
    assert response.status_code == expected.get(persona, 403)


def test_referent_proposes_with_results_and_resources(client_for, users, authority_a):
    """The proposal is stored for the référent's authority, waiting for moderation."""
    response = client_for("referent_a").post(reverse("cas_usage:propose"), FORM)
    case = UseCase.objects.get(title=FORM["title"])
    assert response.status_code == 302 and response["Location"] == case.get_absolute_url()
    assert case.status == Status.PROPOSED
    assert case.lead_authority() == authority_a
    assert case.participants.get().stratum == authority_a.stratum
    result = case.results.get()
    assert (result.before_text, result.after_text) == ("30\u00a0%", "12\u00a0%")
    assert case.links.get().resource_type == "cahier_des_charges"
    assert queries.search_cases(queries.Filters(query="déchets")).total == 0


def test_invalid_proposal_shows_errors_and_creates_nothing(client_for, users):
    """A missing title is reported on the form; nothing is stored."""
    response = client_for("referent_a").post(reverse("cas_usage:propose"), FORM | {"title": ""})
    assert response.status_code == 200
    assert "Ce champ est obligatoire." in response.content.decode()
    assert not UseCase.objects.exists()


@pytest.fixture
def proposed(users):
    return services.propose_case(
        {k: v for k, v in FORM.items() if "-" not in k}, by=users["referent_a"]
    )


@pytest.mark.parametrize("persona", PERSONAS)
def test_moderation_access(client_for, proposed, persona):
    """Only analysts moderate."""
    url = reverse("cas_usage:moderate", args=[proposed.pk])
    response = client_for(persona).post(url, {"decision": "accept"})
    proposed.refresh_from_db()
    assert (proposed.status == Status.PUBLISHED) == (persona == "analyst")
    if persona == "anonymous":
        assert response.status_code == 302 and "/connexion/" in response["Location"]
    elif persona not in {"analyst", "referent_a", "colleague_a"}:
        assert response.status_code in {403, 404}


def test_analyst_publishes_and_case_is_found(client_for, proposed):
    """Publishing makes the case public and searchable, and tells the référent."""
    mail.outbox.clear()
    client_for("analyst").post(
        reverse("cas_usage:moderate", args=[proposed.pk]), {"decision": "accept"}
    )
    proposed.refresh_from_db()
    assert proposed.status == Status.PUBLISHED and proposed.published_at
    assert queries.search_cases(queries.Filters(query="dechet")).results.first() == proposed
    assert mail.outbox[0].to == [proposed.submitted_by.email]
    assert client_for("anonymous").get(proposed.get_absolute_url()).status_code == 200


@pytest.mark.parametrize("decision", ["changes", "reject"])
def test_changes_and_rejection_need_a_reason(users, proposed, decision):
    """Asking for changes or rejecting without a reason is refused; with one, it is kept."""
    with pytest.raises(ValidationError):
        services.moderate_case(proposed, decision, " ", by=users["analyst"])
    services.moderate_case(proposed, decision, "Précisez la source.", by=users["analyst"])
    proposed.refresh_from_db()
    assert proposed.moderation_note == "Précisez la source."
    assert (
        proposed.status
        == {"changes": Status.CHANGES_REQUESTED, "reject": Status.REJECTED}[decision]
    )


def test_resubmitting_after_changes_goes_back_to_moderation(users, proposed):
    """After a request for changes, the référent's edit sends the case back to moderation."""
    services.moderate_case(proposed, "changes", "Ajoutez un coût.", by=users["analyst"])
    services.update_case(proposed, {"cost": "12 000 € par an"}, by=users["colleague_a"])
    proposed.refresh_from_db()
    assert (proposed.status, proposed.cost) == (Status.PROPOSED, "12 000 € par an")


@pytest.mark.parametrize("persona", PERSONAS)
def test_edit_access(client_for, proposed, persona):
    """The lead authority's référents and analysts edit a case; nobody else sees the form
    (an unpublished case is not found for them)."""
    response = client_for(persona).get(reverse("cas_usage:edit", args=[proposed.pk]))
    allowed = {"referent_a", "colleague_a", "analyst"}
    if persona == "anonymous":
        assert response.status_code == 302
    else:
        assert response.status_code == (200 if persona in allowed else 404)


@pytest.mark.parametrize("persona", PERSONAS)
def test_we_do_this_too_access(client_for, users, persona):
    """Any référent may say its authority does this too, once; others may not."""
    case = UseCaseFactory()
    response = client_for(persona).post(reverse("cas_usage:adopt", args=[case.pk]))
    client_for(persona).post(reverse("cas_usage:adopt", args=[case.pk]))
    referents = {"referent_a", "colleague_a", "referent_b"}
    assert Adoption.objects.filter(use_case=case).count() == (1 if persona in referents else 0)
    if persona not in referents | {"anonymous"}:
        assert response.status_code == 403


def test_contact_reaches_the_authority_referents(client, users, proposed):
    """A visitor's message goes to the lead authority's référents when no contact is given."""
    services.moderate_case(proposed, "accept", by=users["analyst"])
    mail.outbox.clear()
    response = client.post(
        reverse("cas_usage:contact", args=[proposed.pk]),
        {"email": "dgs@ville.example", "message": "Pouvons-nous échanger ?"},
    )
    assert response.status_code == 302
    assert sorted(mail.outbox[0].to) == sorted(
        [users["referent_a"].email, users["colleague_a"].email]
    )
    assert "dgs@ville.example" in mail.outbox[0].body


@pytest.mark.parametrize("persona", PERSONAS)
def test_unpublished_case_page_access(client_for, proposed, persona):
    """A proposed case is visible to its authority and analysts only (404 to others)."""
    response = client_for(persona).get(proposed.get_absolute_url())
    allowed = {"referent_a", "colleague_a", "analyst"}
    assert response.status_code == (200 if persona in allowed else 404)


def test_moderation_queue_lists_proposals(client_for, proposed):
    """The analyst's queue shows waiting proposals."""
    response = client_for("analyst").get(reverse("cas_usage:moderation"))
    assert proposed.title in response.content.decode()


def test_case_links_own_register_entries_only(client_for, users, authority_a, authority_b):
    """A référent links its authority's register entries; published ones show on the case."""
    from observatoire.registre.factories import EntryFactory

    own = EntryFactory(authority=authority_a, name="Optimus", status="published")
    foreign = EntryFactory(authority=authority_b, name="Système de Besançon")
    form = client_for("referent_a").get(reverse("cas_usage:propose")).content.decode()
    assert "Optimus" in form and "Système de Besançon" not in form
    client_for("referent_a").post(
        reverse("cas_usage:propose"), FORM | {"register_entries": [own.pk]}
    )
    case = UseCase.objects.get(title=FORM["title"])
    assert list(case.register_entries.all()) == [own]
    services.moderate_case(case, "accept", by=users["analyst"])
    page = client_for("anonymous").get(case.get_absolute_url()).content.decode()
    assert own.get_absolute_url() in page
    with pytest.raises(ValidationError):
        services.update_case(case, {"register_entries": [foreign]}, by=users["referent_a"])
