"""Editions of the barometer, their weights, their results and their published versions.

An edition's results are computed into ``Result`` rows with ``version = 0`` (the working
copy the analyst sees); publishing copies them into ``version = N`` (N = 1, 2… for each
publication or correction), so that a corrected edition keeps every previous version.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from observatoire.barometre.choices import EditionStatus, Flag
from observatoire.core.models import BaseModel, Job

WORKING = 0


class EditionQuerySet(models.QuerySet):
    """The published filter, said once."""

    def published(self) -> "EditionQuerySet":
        """Editions with a published version, embargoed or not (analysts preview these)."""
        return self.filter(published_version__gt=0)

    def public(self) -> "EditionQuerySet":
        """What a visitor sees: published, and out of its embargo if it had one."""
        return self.published().filter(
            models.Q(embargo_until__isnull=True) | models.Q(embargo_until__lte=timezone.now())
        )


class Edition(BaseModel):
    code = models.SlugField(_("code"), max_length=60, unique=True)
    title = models.CharField(_("titre"), max_length=200)
    year = models.PositiveSmallIntegerField(_("année"))
    questionnaire = models.OneToOneField(
        "questionnaires.Questionnaire",
        verbose_name=_("questionnaire"),
        on_delete=models.PROTECT,
        related_name="edition",
    )
    vintage = models.PositiveSmallIntegerField(
        _("millésime de l'univers"),
        help_text=_("Millésime du référentiel des collectivités utilisé pour les marges."),
    )
    status = models.CharField(
        _("statut"), max_length=12, choices=EditionStatus.choices, default=EditionStatus.DRAFT
    )
    plan = models.JSONField(
        _("plan de pondération"),
        default=dict,
        blank=True,
        help_text=_("Unité, marges, regroupements de strates, règle de diffusion."),
    )
    weighting_report = models.JSONField(_("rapport de pondération"), default=dict, blank=True)
    weighted_at = models.DateTimeField(_("pondérée le"), null=True, blank=True)
    computed_at = models.DateTimeField(_("calculée le"), null=True, blank=True)
    published_version = models.PositiveSmallIntegerField(_("version publiée"), default=0)
    is_demo = models.BooleanField(_("données de démonstration"), default=False)
    summary = models.TextField(
        _("faits saillants"),
        blank=True,
        help_text=_(
            "Markdown ; les chiffres s'écrivent {indicateur}, {indicateur|taille=plus_3500}…"
        ),
    )
    commentary = models.JSONField(
        _("commentaires par thème"),
        default=dict,
        blank=True,
        help_text=_("Code du thème -> texte Markdown, avec les mêmes références aux chiffres."),
    )
    embargo_until = models.DateTimeField(
        _("embargo jusqu'au"),
        null=True,
        blank=True,
        help_text=_("Avant cette date, seuls les analystes voient l'édition publiée (aperçu)."),
    )
    indicators = models.TextField(
        _("fichier des indicateurs"),
        blank=True,
        help_text=_("YAML modifié par un analyste ; vide : le fichier livré pour sa population."),
    )

    objects = EditionQuerySet.as_manager()

    class Meta:
        verbose_name = _("édition")
        verbose_name_plural = _("éditions")
        ordering = ["-year", "code"]

    def __str__(self) -> str:
        return self.title

    @property
    def population(self) -> str:
        return self.questionnaire.population

    @property
    def is_published(self) -> bool:
        return self.published_version > 0

    @property
    def is_embargoed(self) -> bool:
        """Published but not yet public: only analysts see it, as a preview."""
        return self.embargo_until is not None and self.embargo_until > timezone.now()

    @property
    def is_public(self) -> bool:
        return self.is_published and not self.is_embargoed

    def previous_edition(self) -> "Edition | None":
        """The latest earlier edition of the same population, for comparisons."""
        return (
            Edition.objects.filter(year__lt=self.year, questionnaire__population=self.population)
            .order_by("-year")
            .first()
        )


class ResponseWeight(models.Model):
    """The final weight of one response in one weighting run (bulk-written, not audited)."""

    edition = models.ForeignKey(
        Edition, verbose_name=_("édition"), on_delete=models.CASCADE, related_name="weights"
    )
    response = models.ForeignKey(
        "questionnaires.Response",
        verbose_name=_("réponse"),
        on_delete=models.CASCADE,
        related_name="weights",
    )
    cell = models.CharField(_("strate de pondération"), max_length=60)
    weight = models.FloatField(_("poids"))
    replicates = models.BinaryField(
        _("poids répliqués"),
        null=True,
        blank=True,
        help_text=_("Poids bootstrap recalés, en float64 (publiés dans les microdonnées)."),
    )

    class Meta:
        verbose_name = _("poids d'une réponse")
        constraints = [
            models.UniqueConstraint(fields=["edition", "response"], name="one_weight_per_response")
        ]

    def __str__(self) -> str:
        return f"{self.response_id}: {self.weight:g}"


class Result(models.Model):
    """One published number: an indicator's category in one domain of one edition version."""

    edition = models.ForeignKey(
        Edition, verbose_name=_("édition"), on_delete=models.CASCADE, related_name="results"
    )
    version = models.PositiveSmallIntegerField(_("version"), default=WORKING)
    indicator = models.CharField(_("indicateur"), max_length=80)
    category = models.CharField(_("modalité"), max_length=80, blank=True)
    domain = models.CharField(_("domaine"), max_length=40, blank=True)
    level = models.CharField(_("valeur du domaine"), max_length=60, blank=True)
    estimate = models.FloatField(_("estimation"))
    se = models.FloatField(_("erreur type"))
    ci_low = models.FloatField(_("borne basse"))
    ci_high = models.FloatField(_("borne haute"))
    n = models.PositiveIntegerField(_("effectif"))
    population = models.FloatField(_("population représentée"))
    flag = models.CharField(_("diffusion"), max_length=10, choices=Flag.choices)
    change = models.FloatField(_("évolution"), null=True, blank=True)
    change_se = models.FloatField(_("erreur type de l'évolution"), null=True, blank=True)
    change_p = models.FloatField(_("p-valeur de l'évolution"), null=True, blank=True)
    gap = models.FloatField(
        _("écart à l'ensemble"),
        null=True,
        blank=True,
        help_text=_("Estimation du domaine moins celle de l'ensemble (vide pour l'ensemble)."),
    )
    gap_se = models.FloatField(_("erreur type de l'écart à l'ensemble"), null=True, blank=True)
    gap_p = models.FloatField(_("p-valeur de l'écart à l'ensemble"), null=True, blank=True)

    class Meta:
        verbose_name = _("résultat")
        indexes = [models.Index(fields=["edition", "version", "indicator"])]

    def __str__(self) -> str:
        return f"{self.indicator} {self.category} {self.domain}={self.level}: {self.estimate:.3f}"

    @property
    def is_shown(self) -> bool:
        return self.flag != Flag.SUPPRESS

    @property
    def margin(self) -> float:
        """Half-width of the confidence interval (the "marge d'erreur")."""
        return (self.ci_high - self.ci_low) / 2

    @property
    def significant(self) -> bool:
        return self.change_p is not None and self.change_p < 0.05

    @property
    def gap_significant(self) -> bool:
        """The domain differs from the whole universe at the 5 % level."""
        return self.gap_p is not None and self.gap_p < 0.05


class PublishedVersion(BaseModel):
    """One publication (or correction) of an edition; its results stay available."""

    edition = models.ForeignKey(
        Edition, verbose_name=_("édition"), on_delete=models.CASCADE, related_name="versions"
    )
    number = models.PositiveSmallIntegerField(_("numéro"))
    note = models.TextField(_("note de version"), blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        verbose_name=_("publiée par"),
        on_delete=models.SET_NULL,
        related_name="+",
    )
    fingerprint = models.CharField(_("empreinte des résultats"), max_length=64)
    indicators = models.TextField(_("fichier des indicateurs publié"), blank=True)
    texts = models.JSONField(
        _("textes publiés"),
        default=dict,
        blank=True,
        help_text=_("Faits saillants et commentaires tels que publiés dans cette version."),
    )

    class Meta:
        verbose_name = _("version publiée")
        ordering = ["edition", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["edition", "number"], name="edition_version_number")
        ]

    def __str__(self) -> str:
        return f"{self.edition} — v{self.number}"


class WeightingRun(Job):
    """One run of the weighting and computation, by the task queue, with its progress."""

    edition = models.ForeignKey(
        Edition, verbose_name=_("édition"), on_delete=models.CASCADE, related_name="runs"
    )
    step = models.CharField(_("étape"), max_length=80, blank=True)
    percent = models.PositiveSmallIntegerField(_("avancement (%)"), default=0)
    report = models.JSONField(_("rapport de pondération"), default=dict, blank=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        verbose_name=_("lancée par"),
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("pondération")
        verbose_name_plural = _("pondérations")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.edition} — {self.get_status_display()}"


class ReportJob(Job):
    """Generation of an edition version's PDF report by the task queue (one per version)."""

    edition = models.ForeignKey(
        Edition, verbose_name=_("édition"), on_delete=models.CASCADE, related_name="report_jobs"
    )
    version = models.PositiveSmallIntegerField(_("version"))
    path = models.CharField(_("fichier"), max_length=300, blank=True)
    sha256 = models.CharField(_("empreinte"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("génération du rapport")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.edition} v{self.version} — {self.get_status_display()}"


class SavedModel(BaseModel):
    """A model an analyst ran from the explorer and saved, to quote it in the note.

    ``result`` keeps every number shown (odds ratios or coefficients, intervals, tests), so
    that the quoted figures never change with a later weighting run."""

    edition = models.ForeignKey(
        Edition, verbose_name=_("édition"), on_delete=models.CASCADE, related_name="saved_models"
    )
    title = models.CharField(_("titre"), max_length=200)
    outcome = models.CharField(_("variable expliquée"), max_length=120)
    explanatory = models.JSONField(_("variables explicatives"), default=list)
    result = models.JSONField(_("résultats"), default=dict)
    is_public = models.BooleanField(
        _("public"),
        default=False,
        help_text=_("Lisible par tous : le modèle n'utilise que des variables publiques."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        verbose_name=_("créé par"),
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("modèle enregistré")
        verbose_name_plural = _("modèles enregistrés")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.title
