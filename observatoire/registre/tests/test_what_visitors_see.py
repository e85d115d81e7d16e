"""What a visitor learns about the people behind a published entry: their role and
authority, never their name or address; and nothing of a revision in progress."""

import pytest

from observatoire.accounts.choices import Role
from observatoire.accounts.factories import UserFactory
from observatoire.registre import services
from observatoire.registre.factories import EntryFactory
from observatoire.territoires.factories import AuthorityFactory

CLASSIFIED = {"ai_act_level": "minimal", "ai_act_answers": {"is_ai_system": True}}


@pytest.fixture
def published(authority_a, users):
    entry = EntryFactory(authority=authority_a, name="Chatbot public Optimus", **CLASSIFIED)
    services.submit_entry(entry, by=users["referent_a"])
    return services.approve_entry(entry, by=users["colleague_a"])


@pytest.mark.parametrize("nameless", [False, True])
def test_history_shows_role_and_authority_not_the_approver(client, users, published, nameless):
    """The public history says « un référent de Plaisir », never the approver's personal
    name nor, for an account without a name, its e-mail address."""
    approver = users["colleague_a"]
    if nameless:
        approver.first_name = approver.last_name = ""
        approver.save()
    page = client.get(f"/registre/fiche/{published.pk}/historique/").content.decode()
    assert "Approuvée par un référent de Plaisir" in page
    for private in (approver.email, approver.last_name or "Martin", approver.username):
        assert private not in page


def test_an_analyst_approval_reads_as_the_observatory(client, authority_a, users):
    """An analyst's approval shows as the observatory's, with no name."""
    entry = EntryFactory(authority=authority_a, **CLASSIFIED)
    services.submit_entry(entry, by=users["referent_a"])
    services.approve_entry(entry, by=users["analyst"])
    page = client.get(f"/registre/fiche/{entry.pk}/historique/").content.decode()
    assert "Approuvée par un analyste de l&#x27;observatoire" in page
    assert users["analyst"].last_name not in page


@pytest.mark.parametrize("persona", ["anonymous", "reader", "referent_b", "referent_a", "analyst"])
def test_revision_in_progress_is_linked_for_the_authority_only(
    client_for, users, published, persona
):
    """A published entry's page points to its revision in progress only for those who may
    open it (the authority's référents and analysts)."""
    revision = services.start_revision(published, by=users["referent_a"])
    page = client_for(persona).get(published.get_absolute_url()).content.decode()
    linked = f"/registre/fiche/{revision.pk}/" in page
    assert linked == (persona in {"referent_a", "analyst"})
    assert ("Une révision de cette fiche est en cours" in page) == linked


def test_public_role_of_each_kind_of_account(db):
    """A référent reads as « un référent de <authority> », others without any identity."""
    besancon = AuthorityFactory(name="Besançon")
    assert UserFactory(role=Role.REFERENT, authority=besancon).public_role == (
        "un référent de Besançon"
    )
    assert UserFactory(role=Role.READER).public_role == "un utilisateur de l'observatoire"
