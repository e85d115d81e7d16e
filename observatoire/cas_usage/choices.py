from django.db import models
from django.utils.translation import gettext_lazy as _


class Domain(models.TextChoices):
    ADMINISTRATION = "administration", _("Administration et gestion interne")
    DOCUMENTS = "documents", _("Documents et délibérations")
    CITIZENS = "citoyens", _("Relation aux usagers")
    ENVIRONMENT = "environnement", _("Environnement")
    ENERGY = "energie", _("Énergie et bâtiments")
    WATER = "eau", _("Eau")
    WASTE = "dechets", _("Déchets")
    MOBILITY = "mobilite", _("Mobilité")
    SCHOOL_CATERING = "restauration_scolaire", _("Restauration scolaire")
    SOCIAL = "action_sociale", _("Action sociale et non-recours")
    SECURITY = "securite", _("Sécurité")
    TOURISM = "tourisme", _("Tourisme")
    LAND_USE = "amenagement", _("Aménagement et occupation des sols")
    TRAINING = "formation", _("Formation et acculturation")
    GOVERNANCE = "gouvernance", _("Gouvernance des données et de l'IA")
    HEALTH = "sante", _("Santé")
    EDUCATION = "education", _("Éducation et culture")
    ECONOMY = "economie", _("Économie et emploi")
    OTHER = "autre", _("Autre")


class Technology(models.TextChoices):
    CHATBOT = "chatbot", _("Agent conversationnel")
    GENERATIVE = "ia_generative", _("IA générative")
    PREDICTIVE = "predictif", _("Modèle prédictif")
    VISION = "vision", _("Vision par ordinateur")
    NLP = "langage", _("Traitement du langage")
    SPEECH = "parole", _("Traitement de la parole")
    OPTIMISATION = "optimisation", _("Optimisation et planification")
    ANALYTICS = "analyse_donnees", _("Analyse de données")
    IOT = "capteurs", _("Capteurs et objets connectés")
    BLOCKCHAIN = "blockchain", _("Chaîne de blocs")
    DIGITAL_TWIN = "jumeau_numerique", _("Jumeau numérique")
    IMMERSIVE = "immersif", _("Réalité virtuelle ou augmentée")
    OTHER_AI = "ia_autre", _("Autre technique d'IA")
    NONE = "organisation", _("Démarche d'organisation (sans outil)")
    OTHER = "autre", _("Autre technologie")


class Stage(models.TextChoices):
    IDEA = "idee", _("Idée")
    EXPERIMENT = "experimentation", _("Expérimentation")
    DEPLOYED = "deploye", _("Déployé")
    ABANDONED = "abandonne", _("Abandonné")


class Status(models.TextChoices):
    PROPOSED = "proposed", _("proposé, en attente de modération")
    CHANGES_REQUESTED = "changes", _("modifications demandées")
    PUBLISHED = "published", _("publié")
    REJECTED = "rejected", _("refusé")


class Origin(models.TextChoices):
    OBSERVATOIRE = "observatoire", _("Observatoire")
    PSTW = "pstw", _("Public Sector Tech Watch (Commission européenne)")


class Scope(models.TextChoices):
    """How the catalogue separates cases: French local authorities first, then French
    national bodies and other organisations, then the rest of Europe."""

    FRANCE = "france", _("Collectivités françaises")
    NATIONAL = "national", _("Acteurs nationaux")
    EUROPE = "europe", _("Cas européens")


class Actor(models.TextChoices):
    """Who carries a case: a local authority, a national body, or another organisation."""

    AUTHORITY = "collectivite", _("collectivité")
    NATIONAL = "national", _("acteur national")
    OTHER = "autre", _("autre organisme")


class MatchKind(models.TextChoices):
    """What a PSTW organisation is, in the universe of authorities."""

    COMMUNE = "commune", _("commune")
    EPCI = "epci", _("EPCI")
    DEPARTEMENT = "departement", _("département")
    REGION = "region", _("région")
    NATIONAL = "national", _("acteur national")
    OTHER = "autre", _("autre organisme (recherche, entreprise…)")
    UNMATCHED = "inconnu", _("non reconnue")


class Review(models.TextChoices):
    """Where a proposed match stands: sure, waiting for an analyst, or decided by one."""

    SURE = "sure", _("sûre")
    PENDING = "a_verifier", _("à vérifier")
    ACCEPTED = "acceptee", _("acceptée")
    CHANGED = "corrigee", _("corrigée")
    REJECTED = "rejetee", _("rejetée")


class MatchDecision(models.TextChoices):
    ACCEPT = "accept", _("Accepter")
    CHANGE = "change", _("Corriger")
    REJECT = "reject", _("Rejeter")


class Role(models.TextChoices):
    LEAD = "porteur", _("porteuse du projet")
    PARTNER = "partenaire", _("partenaire")


class LinkKind(models.TextChoices):
    SOURCE = "source", _("source")
    RESOURCE = "ressource", _("ressource réutilisable")
    REGISTER = "registre", _("entrée d'un registre des systèmes d'IA")


class ResourceType(models.TextChoices):
    SPECIFICATION = "cahier_des_charges", _("cahier des charges")
    CODE = "code", _("code source")
    TENDER = "marche", _("pièces de marché public")
    CHARTER = "charte", _("charte")
    METHOD = "methode", _("guide ou méthode")
    OTHER = "autre", _("autre document")


class Decision(models.TextChoices):
    ACCEPT = "accept", _("Publier")
    CHANGES = "changes", _("Demander des modifications")
    REJECT = "reject", _("Refuser")
