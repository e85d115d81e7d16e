"""An EPCI describes a system once; member communes adopt it and adapt local fields."""

import pytest
from django.core.exceptions import PermissionDenied

from observatoire.registre import services
from observatoire.registre.choices import Status
from observatoire.registre.factories import DatasetFactory, EntryFactory, VendorProductFactory
from observatoire.territoires.choices import Kind
from observatoire.territoires.factories import AuthorityFactory


@pytest.fixture
def epci(db):
    return AuthorityFactory(
        kind=Kind.EPCI,
        code="200058782",
        siren="200058782",
        name="CA de Saint Quentin en Yvelines",
        epci_type="CA",
        population=233_591,
    )


@pytest.fixture
def shared(epci, authority_a, users):
    authority_a.epci = epci
    authority_a.save()
    entry = EntryFactory(
        authority=epci,
        name="Prédiction des fuites",
        theme="water",
        vendor_product=VendorProductFactory(name="LeakPredict"),
    )
    DatasetFactory(entry=entry, name="Réseau d'eau")
    services.classify_entry(entry, {"is_ai_system": True}, by=users["analyst"])
    services.submit_entry(entry, by=users["analyst"])
    return services.approve_entry(entry, by=users["analyst"])


def test_a_member_commune_adopts_the_shared_entry(shared, authority_a, users):
    """Adoption gives the commune its own draft with the EPCI's content and parts."""
    adoption = services.adopt_entry(shared, authority_a, by=users["referent_a"])
    assert adoption.authority == authority_a
    assert adoption.status == Status.DRAFT
    assert adoption.adopted_from == shared
    assert adoption.name == shared.name
    assert adoption.ai_act_level == "minimal"
    assert [d.name for d in adoption.datasets.all()] == ["Réseau d'eau"]
    assert services.adopt_entry(shared, authority_a, by=users["referent_a"]) == adoption


def test_an_outsider_cannot_adopt_for_another_authority(shared, authority_a, users):
    """Adopting for A needs to act for A."""
    with pytest.raises(PermissionDenied):
        services.adopt_entry(shared, authority_a, by=users["referent_b"])


@pytest.mark.parametrize("adopter", ["authority_b", "epci_member_elsewhere"])
def test_only_member_communes_of_the_epci_adopt(shared, authority_b, users, client_for, adopter):
    """A commune outside the EPCI (even one that belongs to another EPCI) cannot take its
    shared entry, through the page or the service; nothing is created."""
    from observatoire.registre.models import Entry

    if adopter == "epci_member_elsewhere":
        authority_b.epci = AuthorityFactory(kind=Kind.EPCI, code="242500361", siren="242500361")
        authority_b.save()
    response = client_for("referent_b").post(f"/registre/fiche/{shared.pk}/reprendre/")
    assert response.status_code == 403
    assert "Seules les communes membres" in response.content.decode()
    with pytest.raises(PermissionDenied):
        services.adopt_entry(shared, authority_b, by=users["analyst"])
    assert not Entry.objects.filter(adopted_from=shared).exists()


def test_local_overrides_survive_the_epci_updates(shared, authority_a, users):
    """Fields the commune changed stay; the others follow the EPCI's next publication."""
    adoption = services.adopt_entry(shared, authority_a, by=users["referent_a"])
    services.update_entry(
        adoption,
        {"service": "Services techniques", "goal": "Objectif local"},
        by=users["referent_a"],
    )
    adoption.refresh_from_db()
    assert adoption.overridden_fields == ["goal", "service"]
    revision = services.start_revision(shared, by=users["analyst"])
    services.update_entry(
        revision,
        {"goal": "Objectif intercommunal", "summary": "Nouveau résumé."},
        by=users["analyst"],
    )
    services.submit_entry(revision, by=users["analyst"])
    services.approve_entry(revision, by=users["analyst"])
    adoption.refresh_from_db()
    assert adoption.summary == "Nouveau résumé."
    assert adoption.goal == "Objectif local"
    assert adoption.service == "Services techniques"


def test_vendor_product_sheet_lists_the_entries_that_use_it(shared, client_for):
    """The product page is public and lists the published entries linked to it."""
    page = client_for("anonymous").get(shared.vendor_product.get_absolute_url()).content.decode()
    assert "LeakPredict" in page and "Prédiction des fuites" in page


def test_adopt_page_for_member_referent(shared, authority_a, client_for):
    """A member commune's référent adopts from the entry's page and lands on the edit form."""
    response = client_for("referent_a").post(f"/registre/fiche/{shared.pk}/reprendre/")
    assert response.status_code == 302
    assert "/modifier/" in response["Location"]
    assert authority_a.register_entries.filter(adopted_from=shared).exists()


@pytest.mark.parametrize(
    "persona", ["anonymous", "reader", "referent_a", "colleague_a", "referent_b", "analyst"]
)
def test_vendor_product_creation(client_for, persona):
    """Référents and analysts create product sheets; readers and visitors cannot."""
    from observatoire.registre.models import VendorProduct

    response = client_for(persona).post(
        "/registre/produits/nouveau/", {"name": "Optimus", "vendor_name": "Éditeur"}
    )
    allowed = persona in {"referent_a", "colleague_a", "referent_b", "analyst"}
    assert VendorProduct.objects.filter(name="Optimus").exists() == allowed
    assert response.status_code == (302 if allowed or persona == "anonymous" else 403)
