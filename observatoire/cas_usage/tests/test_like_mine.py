"""« Des collectivités comme la vôtre »: same stratum, else same size band, else same type,
else neighbours — and the page says which likeness it used."""

import pytest

from observatoire.cas_usage import queries
from observatoire.cas_usage.factories import UseCaseFactory
from observatoire.territoires.choices import Kind
from observatoire.territoires.factories import AuthorityFactory


@pytest.fixture
def plaisir_user(users):
    return users["referent_a"]  # Plaisir, 31,811 inhabitants, Yvelines (78), Île-de-France


def test_same_stratum_first_nearest_first(plaisir_user, authority_a):
    """Cases of communes of the same stratum, the référent's own département first; never
    its own cases nor other strata's while the stratum has some."""
    near = AuthorityFactory(name="Voisine", population=25_000, departement="78", region="11")
    far = AuthorityFactory(name="Lointaine", population=40_000, departement="13", region="93")
    village = AuthorityFactory(name="Village", population=800, departement="78")
    far_case = UseCaseFactory(title="Loin", authority=far)
    near_case = UseCaseFactory(title="Près", authority=near)
    UseCaseFactory(title="Village", authority=village)
    UseCaseFactory(title="Le nôtre", authority=authority_a)
    found = queries.cases_like_mine(plaisir_user)
    assert (found.level, found.cases) == ("strate", [near_case, far_case])
    assert "Communes de 10 000 à 100 000 habitants" in found.label


def test_same_size_band_when_the_stratum_has_none(plaisir_user):
    """No commune of its stratum has a case: an EPCI of the same size band does."""
    epci = AuthorityFactory(kind=Kind.EPCI, name="CC du Val", population=45_000, epci_type="CC")
    AuthorityFactory(name="Village", population=800, departement="78")
    case = UseCaseFactory(title="Intercommunal", authority=epci)
    found = queries.cases_like_mine(plaisir_user)
    assert (found.level, found.cases) == ("taille", [case])
    assert found.label == "même taille : de 10\u202f000 à 100\u202f000 habitants"


def test_same_type_then_neighbours(plaisir_user):
    """Then communes of any size; then, with no commune at all, the neighbours."""
    village = AuthorityFactory(name="Village", population=800, departement="13", region="93")
    case = UseCaseFactory(title="Petite commune", authority=village)
    found = queries.cases_like_mine(plaisir_user)
    assert (found.level, found.cases) == ("type", [case])
    case.delete()
    departement = AuthorityFactory(
        kind=Kind.DEPARTEMENT, code="78", name="Yvelines", population=None, region="11"
    )
    yvelines = UseCaseFactory(title="Département voisin", authority=departement)
    found = queries.cases_like_mine(plaisir_user)
    assert (found.level, found.cases) == ("voisins", [yvelines])


def test_nothing_like_it_and_no_authority(users):
    """An empty catalogue gives nothing; a user without authority gets no suggestion."""
    assert queries.cases_like_mine(users["referent_a"]).cases == []
    assert queries.cases_like_mine(users["reader"]).level == ""


def test_page_says_which_likeness(client_for, authority_a):
    """The catalogue page shows peers' cases with the likeness used."""
    peer = AuthorityFactory(name="Voisine", population=20_000)
    UseCaseFactory(title="Cantines de la voisine", summary="Repas.", authority=peer)
    page = client_for("referent_a").get("/cas-usage/").content.decode()
    assert "Des collectivités comme la vôtre" in page
    assert "même strate : Communes de 10 000 à 100 000 habitants" in page
