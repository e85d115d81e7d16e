"""The demo registers load through the real workflow, and loading twice changes nothing."""

from io import StringIO

import pytest

from observatoire.accounts.choices import Role
from observatoire.accounts.factories import UserFactory
from observatoire.registre import demo
from observatoire.registre.models import Entry, EntryVersion
from observatoire.territoires.choices import Kind
from observatoire.territoires.factories import AuthorityFactory


@pytest.fixture
def universe(db):
    sqy = AuthorityFactory(
        kind=Kind.EPCI,
        code="200058782",
        siren="200058782",
        name="CA de Saint Quentin en Yvelines",
        epci_type="CA",
        population=233_591,
    )
    plaisir = AuthorityFactory(
        code="78490", siren="217804905", name="Plaisir", population=31_811, epci=sqy
    )
    AuthorityFactory(
        kind=Kind.EPCI,
        code="244400404",
        siren="244400404",
        name="Nantes Métropole",
        epci_type="METRO",
        population=683_981,
    )
    AuthorityFactory(code="25056", siren="212500565", name="Besançon", population=119_198)
    AuthorityFactory(code="75056", siren="217500016", name="Paris", population=2_103_778)
    UserFactory(email="analyste@demo.observatoire.fr", username="analyste", role=Role.ANALYST)
    UserFactory(
        email="referent@plaisir.demo.fr", username="referent", role=Role.REFERENT, authority=plaisir
    )
    UserFactory(email="dsi@plaisir.demo.fr", username="dsi", role=Role.REFERENT, authority=plaisir)


def test_demo_is_idempotent_and_shows_each_level(universe):
    """Five published entries cover transparency, minimal and high risk; a second load adds nothing."""
    demo.load(StringIO())
    demo.load(StringIO())
    published = Entry.objects.published()
    assert published.count() == 5
    assert set(published.values_list("ai_act_level", flat=True)) == {
        "transparency",
        "minimal",
        "high",
    }
    chatbot = published.get(authority__code="78490")
    assert chatbot.ai_act_level == "transparency"
    assert list(chatbot.versions.values_list("number", flat=True)) == [2, 1]
    assert chatbot.versions.get(number=1).approved_by.email == "dsi@plaisir.demo.fr"
    adoption = Entry.objects.get(adopted_from__isnull=False)
    assert adoption.authority.code == "78490" and adoption.overridden_fields == [
        "contact_email",
        "service",
    ]
    assert EntryVersion.objects.count() == 6
