"""Demo registers: the cases the source documents cite, plus clearly labelled fictional ones.

Authorities are looked up by INSEE code or SIREN (the 2024 and 2026 universes are both
loaded). Entries go through the real workflow (create, classify, submit, approve) so that
their versions and history exist; a second version of Plaisir's chatbot shows the
differences page. Idempotent: an entry that exists (same authority and name) is skipped.
"""

from typing import Any

from observatoire.accounts.models import User
from observatoire.registre import services
from observatoire.registre.models import Entry, VendorProduct
from observatoire.territoires.models import Authority

DEMO = "Exemple de démonstration : "


def _authority(kind: str, code: str) -> Authority | None:
    return Authority.objects.filter(kind=kind, code=code).order_by("-vintage").first()


ENTRIES: list[dict[str, Any]] = [
    {
        "authority": ("commune", "78490"),
        "data": {
            "name": "Optimus, l'agent conversationnel de la mairie",
            "summary": "Un agent conversationnel répond aux questions courantes des habitants sur le site de la ville et oriente les demandes vers le bon service.",
            "description": "Opérationnel depuis 2022, avant la vague de l'IA générative, le bot apporte des réponses de premier niveau. Selon la commune, il a fait chuter le taux de perte des demandes des habitants de 65 % à 8 %.",
            "service": "Direction de la relation aux usagers",
            "owner_role": "Directeur général des services",
            "contact_email": "relation.usagers@plaisir.demo.fr",
            "theme": "administration",
            "technology": "chatbot",
            "lifecycle": "production",
            "keywords": "chatbot, agent conversationnel, relation usagers",
            "goal": "Répondre à toute heure aux questions simples et ne perdre aucune demande.",
            "previous_process": "Formulaires et courriels traités à la main, dont une partie se perdait.",
            "decision_integration": "Aucune décision : information et orientation vers un agent.",
            "automation": "none",
            "human_oversight": "Les conversations non résolues sont transmises à un agent.",
            "contest_procedure": "Contacter l'accueil de la mairie.",
            "volume_per_year": 40000,
            "hosting_kind": "saas",
            "model_size": "classic_ml",
            "requests_per_year": 40000,
            "frugality_measures": "Réponses préparées ; pas de modèle génératif.",
        },
        "answers": {"is_ai_system": True, "interacts_with_people": True},
        "by": ("referent@plaisir.demo.fr", "dsi@plaisir.demo.fr"),
        "revision": {
            "requests_per_year": 52000,
            "volume_per_year": 52000,
            "staff_training": "Les agents de l'accueil relisent chaque mois les questions sans réponse.",
        },
    },
    {
        "authority": ("epci", "244400404"),
        "data": {
            "name": "Prévision des effectifs des cantines scolaires",
            "summary": "Un modèle prévoit le nombre de repas à préparer dans chaque cantine pour réduire le gaspillage alimentaire.",
            "description": "La précision des prévisions atteint en moyenne 98 % dix semaines à l'avance ; sur un an, plusieurs milliers de repas sont économisés (rapport du Sénat, mars 2025).",
            "service": "Restauration scolaire",
            "contact_email": "restauration@nantesmetropole.demo.fr",
            "theme": "education",
            "extra_themes": ["environment"],
            "technology": "predictive",
            "lifecycle": "production",
            "keywords": "cantine, restauration scolaire, gaspillage alimentaire, prévision",
            "goal": "Réduire le gaspillage alimentaire et ajuster les commandes.",
            "decision_integration": "Les gestionnaires ajustent les commandes à partir de la prévision.",
            "automation": "informs",
            "hosting_kind": "on_premise",
            "model_size": "classic_ml",
            "requests_per_year": 36500,
        },
        "answers": {"is_ai_system": True},
    },
    {
        "authority": ("epci", "200058782"),
        "data": {
            "name": "Prédiction des fuites sur le réseau d'eau potable",
            "summary": DEMO
            + "un modèle classe les tronçons du réseau selon leur risque de fuite pour cibler les inspections et les travaux.",
            "description": "Inspiré des usages cités par le Sénat (mars 2025). Le modèle ne pilote pas le réseau : il priorise les inspections.",
            "service": "Direction de l'eau et de l'assainissement",
            "contact_email": "eau@sqy.demo.fr",
            "theme": "water",
            "technology": "predictive",
            "lifecycle": "production",
            "keywords": "eau, fuites, réseau, canalisations",
            "goal": "Réduire les pertes en eau et mieux programmer le renouvellement des canalisations.",
            "automation": "informs",
            "hosting_kind": "saas",
            "model_size": "classic_ml",
            "requests_per_year": 52,
        },
        "answers": {"is_ai_system": True},
        "product": ("Prédiction des fuites", "Éditeur de démonstration"),
        "adopted_by": ("commune", "78490"),
    },
    {
        "authority": ("commune", "25056"),
        "data": {
            "name": "Score d'éligibilité aux aides sociales facultatives",
            "summary": DEMO
            + "un score aide les agents du CCAS à repérer les foyers qui peuvent prétendre à une aide facultative.",
            "service": "CCAS",
            "contact_email": "ccas@besancon.demo.fr",
            "theme": "social",
            "technology": "predictive",
            "lifecycle": "experiment",
            "keywords": "aides sociales, éligibilité, CCAS, score",
            "individual_decisions": True,
            "crpa_contribution": "Le score classe les dossiers ; un agent instruit et décide.",
            "crpa_parameters": "Revenus du foyer (60 %), composition du foyer (40 %).",
            "crpa_operations": "Normalisation des revenus par unité de consommation, pondération, seuil.",
            "personal_data": True,
            "personal_data_categories": "revenus, composition du foyer",
            "legal_basis": "public_task",
            "dpia_status": "required",
            "automation": "informs",
            "hosting_kind": "french_cloud",
            "model_size": "classic_ml",
            "requests_per_year": 1500,
        },
        "answers": {"is_ai_system": True, "public_benefits": True, "profiling": True},
    },
    {
        "authority": ("commune", "75056"),
        "data": {
            "name": "Vidéosurveillance algorithmique pendant les Jeux olympiques 2024",
            "summary": "Des algorithmes analysent en temps réel les images de caméras pour signaler des situations prédéfinies aux opérateurs, sans reconnaissance faciale.",
            "description": "Expérimentation prévue par la loi du 19 mai 2023 relative aux Jeux olympiques et paralympiques : détection d'événements (objets abandonnés, mouvements de foule), sans identification biométrique.",
            "service": "Sécurité et prévention",
            "contact_email": "securite@paris.demo.fr",
            "theme": "security",
            "technology": "vision",
            "lifecycle": "retired",
            "keywords": "vidéosurveillance algorithmique, VSA, JO 2024, caméras",
            "automation": "informs",
            "human_oversight": "Chaque signalement est apprécié par un opérateur qui décide des suites.",
            "legal_references": "Loi n° 2023-380 du 19 mai 2023, article 10",
            "personal_data": True,
            "legal_basis": "public_task",
            "dpia_status": "done",
            "hosting_kind": "on_premise",
            "model_size": "small_dl",
            "requests_per_year": 5_000_000,
        },
        "answers": {"is_ai_system": True},
    },
]


def _users(by):
    analyst = User.objects.filter(email="analyste@demo.observatoire.fr").first()
    if by is None:
        return analyst, analyst
    return tuple(User.objects.filter(email=e).first() or analyst for e in by)


def load(stdout) -> None:
    created = 0
    for spec in ENTRIES:
        authority = _authority(*spec["authority"])
        if (
            authority is None
            or Entry.objects.filter(authority=authority, name=spec["data"]["name"]).exists()
        ):
            continue
        author, reviewer = _users(spec.get("by"))
        if author is None:
            continue
        data = dict(spec["data"])
        if "product" in spec:
            name, vendor = spec["product"]
            data["vendor_product"], _new = VendorProduct.objects.get_or_create(
                name=name,
                vendor_name=vendor,
                defaults={"technology": "predictive", "model_size": "classic_ml"},
            )
        entry = services.create_entry(authority, data, by=author)
        services.classify_entry(entry, spec["answers"], by=author)
        services.submit_entry(entry, by=author)
        entry = services.approve_entry(entry, by=reviewer)
        if "revision" in spec:
            revision = services.start_revision(entry, by=author)
            services.update_entry(revision, spec["revision"], by=author)
            services.submit_entry(revision, by=author)
            services.approve_entry(revision, by=reviewer)
        if "adopted_by" in spec and (member := _authority(*spec["adopted_by"])):
            analyst = _users(None)[0]
            adoption = services.adopt_entry(entry, member, by=analyst)
            services.update_entry(
                adoption,
                {"contact_email": "eau@plaisir.demo.fr", "service": "Services techniques"},
                by=analyst,
            )
        created += 1
    if created:
        stdout.write(f"Registre : {created} fiches de démonstration publiées.")
