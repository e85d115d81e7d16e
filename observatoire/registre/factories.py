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


def full_entry(authority, **extra) -> Entry:
    """An entry with every field filled, its parts, a vendor product and a classification."""
    import datetime

    from observatoire.registre import aiact

    answers = {
        "is_ai_system": True,
        "public_benefits": True,
        "profiling": True,
        "interacts_with_people": True,
    }
    result = aiact.classify(answers)
    values = {
        "authority": authority,
        "name": "Score d'éligibilité aux aides sociales facultatives",
        "summary": "Un score aide les agents du CCAS à repérer les foyers qui peuvent prétendre à une aide.",
        "description": "Le modèle calcule un score à partir des données du dossier.",
        "service": "CCAS",
        "team": "Pôle solidarités",
        "owner_role": "Directrice du CCAS",
        "elected_official": "Adjointe aux solidarités",
        "contact_email": "ccas@example.fr",
        "public_url": "https://www.example.fr/ccas",
        "theme": "social",
        "extra_themes": ["administration"],
        "technology": "predictive",
        "lifecycle": "experiment",
        "start_date": datetime.date(2024, 3, 1),
        "end_date": datetime.date(2026, 3, 1),
        "keywords": "aides, CCAS, éligibilité",
        "goal": "Réduire le non-recours aux aides.",
        "previous_process": "Examen manuel de chaque dossier.",
        "alternatives": "Barème simple sans score.",
        "proportionality": "Le score ne fait que prioriser l'examen.",
        "decision_integration": "Un agent décide après examen du dossier.",
        "automation": "informs",
        "human_oversight": "Chaque proposition est vérifiée par un agent.",
        "staff_training": "Formation de deux jours.",
        "contest_procedure": "Recours gracieux auprès du CCAS.",
        "volume_per_year": 1200,
        "risks": "Biais envers certains foyers ; audit annuel.",
        "performance": "Précision de 87 %.",
        "monitoring": "Revue trimestrielle des écarts.",
        "individual_decisions": True,
        "crpa_contribution": "Le score classe les dossiers ; l'agent décide.",
        "crpa_data": "Revenus, composition du foyer (dossier CCAS).",
        "crpa_parameters": "Revenus 60 %, composition du foyer 40 %.",
        "crpa_operations": "Normalisation, pondération, seuil.",
        "in_rules_inventory": True,
        "deliberation_ref": "Délibération n° 2024-12 du conseil d'administration du CCAS",
        "deliberation_url": "https://www.example.fr/deliberations/2024-12",
        "legal_references": "Code de l'action sociale et des familles, article L123-5",
        "personal_data": True,
        "personal_data_categories": "revenus, composition du foyer",
        "legal_basis": "public_task",
        "processing_record_url": "https://www.example.fr/rgpd/registre",
        "dpia_status": "done",
        "dpia_url": "https://www.example.fr/rgpd/aipd-score",
        "dpo_opinion": "Avis favorable avec réserves.",
        "ai_act_answers": aiact.clean_answers(answers),
        "ai_act_level": result.level,
        "ai_act_reasoning": [str(r) for r in result.reasoning],
        "ai_act_obligations": [str(o) for o in result.obligations],
        "ai_act_role": "deployer",
        "deployer_checklist": {code: True for code, _label in aiact.DEPLOYER_CHECKLIST},
        "fria": {code: "Décrit." for code, _label in aiact.FRIA_SECTIONS},
        "vendor_product": VendorProductFactory(
            url="https://editeur.example/score", documentation_url="https://editeur.example/doc"
        ),
        "system_architecture": "Gradient boosting sur 12 variables.",
        "source_code_url": "https://git.example.fr/ccas/score",
        "hosting_kind": "french_cloud",
        "hosting_provider": "Hébergeur SAS",
        "hosting_location": "Roubaix",
        "hosting_country": "FR",
        "secnumcloud": True,
        "model_size": "classic_ml",
        "requests_per_year": 1200,
        "carbon_intensity": None,
        "frugality_measures": "Calcul mensuel par lot.",
        "review_date": datetime.date(2027, 1, 1),
    }
    values.update(extra)
    entry = Entry.objects.create(**values)
    DatasetFactory(
        entry=entry,
        name="Dossiers CCAS 2019-2023",
        phase="development",
        source="CCAS",
        description="Historique anonymisé",
        personal=True,
        url="https://data.example.fr/ccas",
    )
    DatasetFactory(
        entry=entry,
        name="Dossier du demandeur",
        phase="operational",
        source="Demandeur",
        personal=True,
    )
    ModelComponentFactory(
        entry=entry,
        name="Score",
        version="1.2",
        task="Classer les dossiers",
        inputs="12 variables",
        outputs="Score de 0 à 100",
        architecture="Gradient boosting",
        performance="AUC 0,87",
    )
    ThirdPartyFactory(
        entry=entry,
        name="Éditeur SAS",
        siren="123456789",
        role="supplier",
        procurement="adapted",
        data_access_terms="Accès en lecture pendant la maintenance.",
    )
    return entry
