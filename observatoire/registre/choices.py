"""Enumerations of the register, with their mapping to the Dutch, Eurocities and UK standards."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Status(models.TextChoices):
    """Publication workflow of an entry."""

    DRAFT = "draft", _("brouillon")
    IN_REVIEW = "in_review", _("en relecture")
    PUBLISHED = "published", _("publiée")
    ARCHIVED = "archived", _("archivée")


class LifeCycle(models.TextChoices):
    """Where the system stands in its life; each standard has its own words for it."""

    IDEA = "idea", _("idée")
    DESIGN = "design", _("conception")
    EXPERIMENT = "experiment", _("expérimentation")
    SANDBOX = "sandbox", _("bac à sable")
    PRODUCTION = "production", _("en service")
    RETIRED = "retired", _("arrêté")


# Life cycle → Dutch v1.0 status, Eurocities v0.3.1 status, UK ATRS phase.
LIFECYCLE_NL = {
    "idea": "In ontwikkeling",
    "design": "In ontwikkeling",
    "experiment": "In ontwikkeling",
    "sandbox": "In ontwikkeling",
    "production": "In gebruik",
    "retired": "Buiten gebruik",
}
LIFECYCLE_EUROCITIES = {
    "idea": "planned",
    "design": "design",
    "experiment": "pilot",
    "sandbox": "development",
    "production": "operational",
    "retired": "retired",
}
LIFECYCLE_ATRS = {
    "idea": "Pre-deployment",
    "design": "Pre-deployment",
    "experiment": "Beta/Pilot",
    "sandbox": "Beta/Pilot",
    "production": "Production",
    "retired": "Retired",
}


class Technology(models.TextChoices):
    CHATBOT = "chatbot", _("agent conversationnel, IA générative")
    PREDICTIVE = "predictive", _("prédiction, apprentissage automatique")
    VISION = "vision", _("vision par ordinateur")
    LANGUAGE = "language", _("traitement du langage")
    SPEECH = "speech", _("reconnaissance ou synthèse vocale")
    RULES = "rules", _("règles de calcul (algorithme non apprenant)")


# Eurocities algorithm_type and type (descriptive/predictive…) per technology.
TECHNOLOGY_EUROCITIES = {
    "chatbot": ("self-learning", "descriptive"),
    "predictive": ("self-learning", "predictive"),
    "vision": ("self-learning", "diagnostic"),
    "language": ("self-learning", "descriptive"),
    "speech": ("self-learning", "descriptive"),
    "rules": ("rule-based", "prescriptive"),
}


class Theme(models.TextChoices):
    """Policy areas; each maps to a Dutch TOP theme, a Eurocities domain and a UK COFOG function."""

    ADMINISTRATION = "administration", _("administration générale, relation aux usagers")
    SOCIAL = "social", _("action sociale, prestations")
    EDUCATION = "education", _("éducation, restauration scolaire")
    ENVIRONMENT = "environment", _("environnement, énergie")
    WATER = "water", _("eau et assainissement")
    WASTE = "waste", _("déchets")
    MOBILITY = "mobility", _("mobilité, voirie")
    SECURITY = "security", _("sécurité, tranquillité publique")
    URBANISM = "urbanism", _("urbanisme, logement")
    CULTURE = "culture", _("culture, sport, tourisme")
    ECONOMY = "economy", _("économie, emploi")
    HEALTH = "health", _("santé")
    FINANCE = "finance", _("finances, fiscalité")
    HR = "hr", _("ressources humaines")


# theme → (Dutch TOP theme, Eurocities domain, UK COFOG function)
THEME_MAP = {
    "administration": (
        "Organisatie en bedrijfsvoering",
        "government",
        "General public services",
    ),
    "social": ("Sociale zekerheid", "subsidies, benefits and allowances", "Social protection"),
    "education": ("Onderwijs en wetenschap", "education and science", "Education"),
    "environment": (
        "Natuur en milieu",
        "environment, spacial planning and water",
        "Environmental protection",
    ),
    "water": (
        "Ruimte en infrastructuur",
        "environment, spacial planning and water",
        "Housing and community amenities",
    ),
    "waste": (
        "Natuur en milieu",
        "environment, spacial planning and water",
        "Environmental protection",
    ),
    "mobility": ("Verkeer", "traffic and transportation", "Economic affairs"),
    "security": ("Openbare orde en veiligheid", "public safety", "Public order and safety"),
    "urbanism": (
        "Wonen",
        "housing, living and living environment",
        "Housing and community amenities",
    ),
    "culture": (
        "Cultuur en recreatie",
        "culture, sports and leisure",
        "Recreation, culture and religion",
    ),
    "economy": ("Economie", "economy and entrepreneurship", "Economic affairs"),
    "health": ("Zorg en gezondheid", "health and health care", "Health"),
    "finance": ("Overheidsfinanciën", "finance", "General public services"),
    "hr": ("Werk", "work and career", "General public services"),
}


class RiskLevel(models.TextChoices):
    """EU AI Act level reached by the guided classification."""

    PROHIBITED = "prohibited", _("pratique interdite (article 5)")
    HIGH = "high", _("haut risque (annexe III)")
    TRANSPARENCY = "transparency", _("obligation de transparence (article 50)")
    MINIMAL = "minimal", _("risque minimal")
    NOT_AI = "not_ai", _("hors champ : pas un système d'IA")


RISK_EUROCITIES = {
    "prohibited": "unacceptable",
    "high": "high risk",
    "transparency": "limited risk",
    "minimal": "minimal risk",
    "not_ai": "minimal risk",
}


class AIActRole(models.TextChoices):
    DEPLOYER = "deployer", _("déployeur")
    PROVIDER = "provider", _("fournisseur")
    BOTH = "both", _("fournisseur et déployeur")


class LegalBasis(models.TextChoices):
    """Article 6(1) GDPR."""

    CONSENT = "consent", _("consentement (art. 6-1-a)")
    CONTRACT = "contract", _("exécution d'un contrat (art. 6-1-b)")
    LEGAL_OBLIGATION = "legal_obligation", _("obligation légale (art. 6-1-c)")
    VITAL_INTERESTS = "vital_interests", _("sauvegarde des intérêts vitaux (art. 6-1-d)")
    PUBLIC_TASK = "public_task", _("mission d'intérêt public (art. 6-1-e)")
    LEGITIMATE_INTERESTS = "legitimate_interests", _("intérêts légitimes (art. 6-1-f)")


class DpiaStatus(models.TextChoices):
    NOT_REQUIRED = "not_required", _("non requise")
    REQUIRED = "required", _("requise, à réaliser")
    DONE = "done", _("réalisée")


class Automation(models.TextChoices):
    INFORMS = "informs", _("éclaire un agent qui décide")
    PARTIAL = "partial", _("décision partiellement automatisée, validée par un agent")
    FULL = "full", _("décision entièrement automatisée")
    NONE = "none", _("aucune décision : service ou information")


class HostingKind(models.TextChoices):
    ON_PREMISE = "on_premise", _("serveurs de la collectivité")
    FRENCH_CLOUD = "french_cloud", _("hébergeur ou cloud français")
    HYPERSCALER = "hyperscaler", _("grand cloud public")
    SAAS = "saas", _("logiciel en ligne du fournisseur")


class ModelSize(models.TextChoices):
    """Size classes for the footprint estimator (energy per request in footprint.py)."""

    RULES = "rules", _("règles ou statistiques simples")
    CLASSIC_ML = "classic_ml", _("apprentissage classique (arbres, régressions)")
    SMALL_DL = "small_dl", _("petit réseau de neurones (vision, parole)")
    SMALL_LLM = "small_llm", _("petit modèle de langage (moins de 10 milliards de paramètres)")
    LARGE_LLM = "large_llm", _("grand modèle de langage (plus de 10 milliards de paramètres)")


class DatasetPhase(models.TextChoices):
    DEVELOPMENT = "development", _("développement (entraînement, validation)")
    OPERATIONAL = "operational", _("fonctionnement")


class ThirdPartyRole(models.TextChoices):
    SUPPLIER = "supplier", _("fournisseur de la solution")
    INTEGRATOR = "integrator", _("intégrateur")
    MODEL_PROVIDER = "model_provider", _("fournisseur du modèle")
    HOST = "host", _("hébergeur")
    PUBLIC_BODY = "public_body", _("autre organisme public")


class Procurement(models.TextChoices):
    OPEN = "open", _("appel d'offres ouvert")
    RESTRICTED = "restricted", _("appel d'offres restreint")
    NEGOTIATED = "negotiated", _("procédure avec négociation")
    ADAPTED = "adapted", _("procédure adaptée (MAPA)")
    FRAMEWORK = "framework", _("accord-cadre, centrale d'achat (UGAP…)")
    PILOT = "pilot", _("expérimentation, preuve de concept")
    NONE = "none", _("sans marché (développement interne, convention)")
