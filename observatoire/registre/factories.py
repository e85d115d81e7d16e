import factory

from observatoire.registre.choices import Technology, Theme
from observatoire.registre.models import Dataset, Entry, ModelComponent, ThirdParty, VendorProduct
from observatoire.territoires.factories import AuthorityFactory


class VendorProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = VendorProduct

    name = factory.Sequence(lambda n: f"Produit {n}")
    vendor_name = "Éditeur SAS"


class EntryFactory(factory.django.DjangoModelFactory):
    """A draft with only the required fields."""

    class Meta:
        model = Entry

    authority = factory.SubFactory(AuthorityFactory)
    name = factory.Sequence(lambda n: f"Algorithme {n}")
    summary = "Un outil qui aide le service à traiter les demandes des habitants."
    contact_email = "algorithmes@example.fr"
    theme = Theme.ADMINISTRATION
    technology = Technology.PREDICTIVE


class DatasetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Dataset

    entry = factory.SubFactory(EntryFactory)
    name = factory.Sequence(lambda n: f"Jeu de données {n}")


class ModelComponentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ModelComponent

    entry = factory.SubFactory(EntryFactory)
    name = "Modèle"


class ThirdPartyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ThirdParty

    entry = factory.SubFactory(EntryFactory)
    name = "Prestataire SAS"
