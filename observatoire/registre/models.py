"""The register: one entry per AI system or algorithm of an authority, its parts and versions.

Fields cover the union of the Dutch Algoritmeregister v1.0, Eurocities v0.3.1 and UK ATRS
v3/v4, plus the French duties (CRPA, GDPR) and the EU AI Act. Published versions are frozen
as JSON snapshots (`EntryVersion`) so the history survives later edits.
"""

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from observatoire.core import search
from observatoire.core.cache import pages_changed
from observatoire.core.models import BaseModel
from observatoire.registre import footprint
from observatoire.registre.choices import (
    AIActRole,
    Automation,
    DatasetPhase,
    DpiaStatus,
    HostingKind,
    LegalBasis,
    LifeCycle,
    ModelSize,
    Procurement,
    RiskLevel,
    Status,
    Technology,
    Theme,
    ThirdPartyRole,
)

SEARCH_LABEL = "registre.Entry"
SIREN_HELP = _("Neuf chiffres.")


def validate_siren(value: str) -> None:
    if value and (len(value) != 9 or not value.isdigit()):
        raise ValidationError(_("Un SIREN compte neuf chiffres."))


class VendorProduct(BaseModel):
    """A product sold to several authorities, described once and linked from their entries."""

    name = models.CharField(_("nom du produit"), max_length=200)
    vendor_name = models.CharField(_("éditeur"), max_length=200)
    vendor_siren = models.CharField(
        _("SIREN de l'éditeur"), max_length=9, blank=True, validators=[validate_siren]
    )
    description = models.TextField(_("description"), blank=True)
    technology = models.CharField(
        _("technologie"), max_length=20, choices=Technology.choices, blank=True
    )
    model_size = models.CharField(
        _("classe de modèle"), max_length=20, choices=ModelSize.choices, blank=True
    )
    url = models.URLField(_("page du produit"), blank=True)
    documentation_url = models.URLField(_("documentation technique"), blank=True)

    class Meta:
        verbose_name = _("fiche produit")
        verbose_name_plural = _("fiches produits")
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.vendor_name})"

    def get_absolute_url(self) -> str:
        return reverse("registre:product", args=[self.pk])


class EntryQuerySet(models.QuerySet):
    def published(self):
        return self.filter(status=Status.PUBLISHED)


class Entry(BaseModel):
    """An AI system or algorithm as its authority describes it to the public."""

    public_id = models.UUIDField(
        _("identifiant public"), default=uuid.uuid4, unique=True, editable=False
    )
    authority = models.ForeignKey(
        "territoires.Authority",
        verbose_name=_("collectivité"),
        on_delete=models.PROTECT,
        related_name="register_entries",
    )
    # Identity and contact
    name = models.CharField(_("nom"), max_length=100)
    summary = models.CharField(
        _("résumé en une phrase"),
        max_length=350,
        help_text=_("En langage simple, 350 caractères au plus."),
    )
    description = models.TextField(_("description"), blank=True)
    service = models.CharField(_("service"), max_length=200, blank=True)
    team = models.CharField(_("équipe"), max_length=200, blank=True)
    owner_role = models.CharField(
        _("responsable (fonction)"),
        max_length=200,
        blank=True,
        help_text=_("Une fonction, pas un nom : par exemple « directeur général des services »."),
    )
    elected_official = models.CharField(_("élu référent"), max_length=200, blank=True)
    contact_email = models.EmailField(_("adresse de contact"))
    public_url = models.URLField(_("page publique du service"), blank=True)
    # Classification
    theme = models.CharField(_("thème principal"), max_length=20, choices=Theme.choices)
    extra_themes = models.JSONField(_("autres thèmes"), default=list, blank=True)
    technology = models.CharField(_("technologie"), max_length=20, choices=Technology.choices)
    lifecycle = models.CharField(
        _("étape"), max_length=20, choices=LifeCycle.choices, default=LifeCycle.PRODUCTION
    )
    start_date = models.DateField(_("date de début"), null=True, blank=True)
    end_date = models.DateField(_("date de fin"), null=True, blank=True)
    keywords = models.CharField(_("mots-clés"), max_length=300, blank=True)
    # Rationale and process
    goal = models.TextField(_("objectif et bénéfices attendus"), blank=True)
    previous_process = models.TextField(_("fonctionnement antérieur"), blank=True)
    alternatives = models.TextField(_("alternatives envisagées"), blank=True)
    proportionality = models.TextField(_("proportionnalité"), blank=True)
    decision_integration = models.TextField(_("place dans la décision"), blank=True)
    automation = models.CharField(
        _("degré d'automatisation"),
        max_length=10,
        choices=Automation.choices,
        default=Automation.INFORMS,
    )
    human_oversight = models.TextField(_("contrôle humain"), blank=True)
    staff_training = models.TextField(_("formation des agents"), blank=True)
    contest_procedure = models.TextField(_("comment contester"), blank=True)
    volume_per_year = models.PositiveIntegerField(
        _("décisions ou utilisations par an"), null=True, blank=True
    )
    risks = models.TextField(_("risques et mesures d'atténuation"), blank=True)
    performance = models.TextField(_("performance mesurée"), blank=True)
    monitoring = models.TextField(_("suivi et évaluation"), blank=True)
    # French law (CRPA)
    individual_decisions = models.BooleanField(
        _("fonde des décisions administratives individuelles"),
        default=False,
        help_text=_("Article L311-3-1 du CRPA : mention explicite sur chaque décision."),
    )
    crpa_contribution = models.TextField(
        _("degré et mode de contribution à la décision"),
        blank=True,
        help_text=_("Article R311-3-1-2, 1°."),
    )
    crpa_data = models.TextField(
        _("données traitées et leurs sources"), blank=True, help_text=_("Article R311-3-1-2, 2°.")
    )
    crpa_parameters = models.TextField(
        _("paramètres de traitement et leur pondération"),
        blank=True,
        help_text=_("Article R311-3-1-2, 3°."),
    )
    crpa_operations = models.TextField(
        _("opérations effectuées par le traitement"),
        blank=True,
        help_text=_("Article R311-3-1-2, 4°."),
    )
    in_rules_inventory = models.BooleanField(
        _("inscrit à l'inventaire publié des traitements (L312-1-3)"), default=False
    )
    deliberation_ref = models.CharField(_("délibération ou acte"), max_length=200, blank=True)
    deliberation_url = models.URLField(_("lien vers la délibération"), blank=True)
    legal_references = models.TextField(_("textes applicables"), blank=True)
    # GDPR
    personal_data = models.BooleanField(_("traite des données personnelles"), default=False)
    personal_data_categories = models.TextField(_("catégories de données personnelles"), blank=True)
    legal_basis = models.CharField(
        _("base légale (article 6 RGPD)"), max_length=24, choices=LegalBasis.choices, blank=True
    )
    processing_record_url = models.URLField(_("lien vers le registre des traitements"), blank=True)
    dpia_status = models.CharField(
        _("analyse d'impact (AIPD)"),
        max_length=16,
        choices=DpiaStatus.choices,
        default=DpiaStatus.NOT_REQUIRED,
        help_text=_(
            "Requise si le traitement figure sur la liste de la CNIL ou présente un risque élevé."
        ),
    )
    dpia_url = models.URLField(_("lien vers l'AIPD"), blank=True)
    dpo_opinion = models.TextField(_("avis du délégué à la protection des données"), blank=True)
    # EU AI Act
    ai_act_answers = models.JSONField(
        _("réponses au questionnaire AI Act"), default=dict, blank=True
    )
    ai_act_level = models.CharField(
        _("niveau AI Act"), max_length=16, choices=RiskLevel.choices, blank=True
    )
    ai_act_reasoning = models.JSONField(_("raisonnement"), default=list, blank=True)
    ai_act_obligations = models.JSONField(_("obligations"), default=list, blank=True)
    ai_act_role = models.CharField(
        _("rôle de la collectivité"),
        max_length=10,
        choices=AIActRole.choices,
        default=AIActRole.DEPLOYER,
    )
    deployer_checklist = models.JSONField(
        _("obligations du déployeur (art. 26)"), default=dict, blank=True
    )
    fria = models.JSONField(
        _("analyse d'impact sur les droits fondamentaux (art. 27)"), default=dict, blank=True
    )
    # Technology and hosting
    vendor_product = models.ForeignKey(
        VendorProduct,
        verbose_name=_("fiche produit"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="entries",
    )
    system_architecture = models.TextField(_("architecture du système"), blank=True)
    source_code_url = models.URLField(_("code source"), blank=True)
    hosting_kind = models.CharField(
        _("hébergement"), max_length=16, choices=HostingKind.choices, default=HostingKind.SAAS
    )
    hosting_provider = models.CharField(_("hébergeur"), max_length=200, blank=True)
    hosting_location = models.CharField(_("lieu d'hébergement"), max_length=200, blank=True)
    hosting_country = models.CharField(_("pays d'hébergement"), max_length=2, default="FR")
    secnumcloud = models.BooleanField(_("hébergeur qualifié SecNumCloud"), default=False)
    # Environmental footprint
    model_size = models.CharField(
        _("classe de modèle"),
        max_length=20,
        choices=ModelSize.choices,
        default=ModelSize.CLASSIC_ML,
    )
    requests_per_year = models.PositiveIntegerField(_("requêtes ou exécutions par an"), default=0)
    carbon_intensity = models.FloatField(
        _("intensité carbone de l'électricité (g CO2e/kWh)"),
        null=True,
        blank=True,
        help_text=_("Laisser vide pour la valeur du pays d'hébergement."),
    )
    frugality_measures = models.TextField(_("mesures de sobriété"), blank=True)
    # Sharing
    adopted_from = models.ForeignKey(
        "self",
        verbose_name=_("fiche mutualisée d'origine"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="adoptions",
    )
    overridden_fields = models.JSONField(_("champs adaptés localement"), default=list, blank=True)
    revision_of = models.OneToOneField(
        "self",
        verbose_name=_("révision de"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="pending_revision",
    )
    # Workflow
    status = models.CharField(
        _("statut"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("créée par"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("soumise par"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    published_at = models.DateTimeField(_("publiée le"), null=True, blank=True)
    review_date = models.DateField(_("date de réexamen"), null=True, blank=True)
    reminded_at = models.DateTimeField(_("rappel envoyé le"), null=True, blank=True)

    objects = EntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("fiche du registre")
        verbose_name_plural = _("fiches du registre")
        ordering = ["authority__name", "name"]
        indexes = [models.Index(fields=["status", "theme", "technology", "ai_act_level"])]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("registre:detail", args=[self.pk])

    def clean(self):
        if self.extra_themes and not set(self.extra_themes) <= set(Theme.values):
            raise ValidationError({"extra_themes": _("Thème inconnu.")})
        if self.end_date and self.start_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": _("La date de fin précède la date de début.")})

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        search.index(SEARCH_LABEL, self.pk, self.search_fields())
        pages_changed("registre")  # the index is written after the save the signal saw

    def delete(self, *args, **kwargs):
        pk = self.pk
        result = super().delete(*args, **kwargs)
        search.remove(SEARCH_LABEL, pk)
        pages_changed("registre")
        return result

    def search_fields(self) -> dict[str, str]:
        """What the French full-text search indexes (core.search), the name weighing most."""
        labels = [self.get_technology_display(), self.get_theme_display(), self.authority.name]
        body = [self.description, self.goal, self.service, self.keywords, " · ".join(labels)]
        return {
            "name": self.name,
            "summary": self.summary,
            "body": "\n".join(str(p) for p in body if p),
        }

    @property
    def is_high_risk(self) -> bool:
        return self.ai_act_level == RiskLevel.HIGH

    def dpia_criteria(self) -> list[str]:
        """The EDPB/CNIL criteria this entry meets; two or more with personal data call for a DPIA."""
        if not self.personal_data:
            return []
        answers = self.ai_act_answers or {}
        met = []
        if answers.get("profiling") or answers.get("public_benefits") or answers.get("employment"):
            met.append(str(_("évaluation ou notation de personnes")))
        if self.individual_decisions and self.automation in ("partial", "full"):
            met.append(str(_("décision automatisée avec effet juridique")))
        if self.technology == "vision" or answers.get("remote_biometric_identification"):
            met.append(str(_("surveillance systématique")))
        if (self.volume_per_year or 0) >= 10_000:
            met.append(str(_("traitement à grande échelle")))
        if answers.get("is_ai_system"):
            met.append(str(_("usage innovant (intelligence artificielle)")))
        return met

    @property
    def dpia_likely_required(self) -> bool:
        return len(self.dpia_criteria()) >= 2

    def footprint(self) -> footprint.Footprint:
        return footprint.estimate(
            self.model_size,
            self.hosting_kind,
            self.requests_per_year,
            self.hosting_country,
            self.carbon_intensity,
        )


class Dataset(BaseModel):
    entry = models.ForeignKey(
        Entry, verbose_name=_("fiche"), on_delete=models.CASCADE, related_name="datasets"
    )
    name = models.CharField(_("nom"), max_length=200)
    phase = models.CharField(
        _("usage"), max_length=12, choices=DatasetPhase.choices, default=DatasetPhase.OPERATIONAL
    )
    source = models.CharField(_("source"), max_length=300, blank=True)
    description = models.TextField(_("description"), blank=True)
    personal = models.BooleanField(_("contient des données personnelles"), default=False)
    url = models.URLField(_("lien"), blank=True)

    class Meta:
        verbose_name = _("jeu de données")
        verbose_name_plural = _("jeux de données")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name


class ModelComponent(BaseModel):
    entry = models.ForeignKey(
        Entry, verbose_name=_("fiche"), on_delete=models.CASCADE, related_name="components"
    )
    name = models.CharField(_("nom du modèle"), max_length=200)
    version = models.CharField(_("version"), max_length=50, blank=True)
    task = models.CharField(_("tâche"), max_length=300, blank=True)
    inputs = models.TextField(_("entrées"), blank=True)
    outputs = models.TextField(_("sorties"), blank=True)
    architecture = models.TextField(_("architecture"), blank=True)
    performance = models.TextField(_("performance"), blank=True)

    class Meta:
        verbose_name = _("modèle")
        verbose_name_plural = _("modèles")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name


class ThirdParty(BaseModel):
    entry = models.ForeignKey(
        Entry, verbose_name=_("fiche"), on_delete=models.CASCADE, related_name="third_parties"
    )
    name = models.CharField(_("nom"), max_length=200)
    siren = models.CharField(
        _("SIREN"), max_length=9, blank=True, validators=[validate_siren], help_text=SIREN_HELP
    )
    role = models.CharField(
        _("rôle"), max_length=16, choices=ThirdPartyRole.choices, default=ThirdPartyRole.SUPPLIER
    )
    procurement = models.CharField(
        _("procédure d'achat"), max_length=12, choices=Procurement.choices, blank=True
    )
    data_access_terms = models.TextField(_("conditions d'accès aux données"), blank=True)

    class Meta:
        verbose_name = _("tiers")
        verbose_name_plural = _("tiers")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name


class EntryVersion(BaseModel):
    """A published state of an entry, frozen as the JSON export of that moment."""

    entry = models.ForeignKey(
        Entry, verbose_name=_("fiche"), on_delete=models.CASCADE, related_name="versions"
    )
    number = models.PositiveIntegerField(_("version"))
    data = models.JSONField(_("contenu publié"))
    published_at = models.DateTimeField(_("publiée le"))
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("soumise par"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("approuvée par"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("version publiée")
        verbose_name_plural = _("versions publiées")
        ordering = ["entry", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["entry", "number"], name="entry_version_number")
        ]

    def __str__(self) -> str:
        return f"{self.entry} v{self.number}"
