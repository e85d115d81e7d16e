"""Self-diagnostic runs of an authority, and the versions of the grid and duties files.

A run holds its own answers (the barometer questionnaire's codes and values, see
questionnaires/models.py) and never enters the barometer: its answers are not a
``questionnaires.Response``. Once scored it keeps the grid and duties versions it was
scored with, so its result page reads the same years later.
"""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from observatoire.core.models import BaseModel
from observatoire.diagnostic.choices import RulesKind, RunStatus


class RulesVersion(BaseModel):
    """One version of the scoring grid or of the legal duties file (never edited in place)."""

    kind = models.CharField(_("fichier"), max_length=12, choices=RulesKind.choices)
    number = models.PositiveSmallIntegerField(_("version"))
    text = models.TextField(_("contenu (YAML)"))
    note = models.CharField(_("note de version"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        verbose_name=_("créée par"),
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("version d'un fichier de l'autodiagnostic")
        verbose_name_plural = _("versions des fichiers de l'autodiagnostic")
        ordering = ["kind", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "number"], name="diagnostic_rules_version")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} v{self.number}"


class Run(BaseModel):
    """One diagnostic of one authority, shared by its référents."""

    authority = models.ForeignKey(
        "territoires.Authority",
        verbose_name=_("collectivité"),
        on_delete=models.PROTECT,
        related_name="diagnostics",
    )
    questionnaire = models.ForeignKey(
        "questionnaires.Questionnaire",
        verbose_name=_("questionnaire"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    source = models.ForeignKey(
        "questionnaires.Response",
        verbose_name=_("réponse au baromètre reprise"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    answers = models.JSONField(_("réponses"), default=dict, blank=True)
    prefilled = models.JSONField(
        _("réponses reprises et non modifiées"),
        default=list,
        blank=True,
        help_text=_("Codes des questions reprises de la réponse au baromètre."),
    )
    status = models.CharField(
        _("statut"), max_length=8, choices=RunStatus.choices, default=RunStatus.DRAFT
    )
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        verbose_name=_("lancé par"),
        on_delete=models.SET_NULL,
        related_name="+",
    )
    scored_at = models.DateTimeField(_("calculé le"), null=True, blank=True)
    grid = models.ForeignKey(
        RulesVersion,
        verbose_name=_("version de la grille"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="grid_runs",
    )
    duties = models.ForeignKey(
        RulesVersion,
        verbose_name=_("version des obligations"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="duty_runs",
    )
    scores = models.JSONField(_("scores"), default=dict, blank=True)
    share_token = models.CharField(
        _("lien de partage"), max_length=64, blank=True, db_index=True, editable=False
    )

    class Meta:
        verbose_name = _("autodiagnostic")
        verbose_name_plural = _("autodiagnostics")
        ordering = ["-scored_at", "-created_at"]

    def __str__(self) -> str:
        return f"{self.authority} — {self.created_at:%d/%m/%Y}" if self.created_at else "—"

    def get_absolute_url(self) -> str:
        return reverse("diagnostic:result" if self.is_scored else "diagnostic:run", args=[self.pk])

    @property
    def is_scored(self) -> bool:
        return self.status == RunStatus.SCORED


class PeerScore(models.Model):
    """The weighted mean of an axis score in one domain level of a published edition.

    Computed from the barometer's responses and weights (never from diagnostics), once
    per edition version and grid version, with the disclosure rule's flag."""

    edition = models.ForeignKey(
        "barometre.Edition", verbose_name=_("édition"), on_delete=models.CASCADE, related_name="+"
    )
    version = models.PositiveSmallIntegerField(_("version publiée"))
    grid = models.ForeignKey(
        RulesVersion,
        verbose_name=_("version de la grille"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    axis = models.CharField(_("axe"), max_length=60)
    domain = models.CharField(_("domaine"), max_length=40, blank=True)
    level = models.CharField(_("valeur du domaine"), max_length=60, blank=True)
    estimate = models.FloatField(_("estimation"))
    ci_low = models.FloatField(_("borne basse"))
    ci_high = models.FloatField(_("borne haute"))
    n = models.PositiveIntegerField(_("effectif"))
    flag = models.CharField(_("diffusion"), max_length=10)

    class Meta:
        verbose_name = _("score d'une strate")
        constraints = [
            models.UniqueConstraint(
                fields=["edition", "version", "grid", "axis", "domain", "level"],
                name="diagnostic_peer_score",
            )
        ]

    def __str__(self) -> str:
        return f"{self.axis} {self.domain}={self.level}: {self.estimate:.1f}"
