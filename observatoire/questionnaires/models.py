"""Versioned questionnaires and their responses.

Answers are stored as one JSON object per response, keyed by question code: a choice's
value (str), several values (list of str) for a multiple choice, a number, a text or an
ISO date; DONT_KNOW / REFUSED for explicit non-answers; no key at all for a question that
was skipped or not yet answered. Question codes stay stable across editions so that the
barometer can compare them.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from observatoire.core.models import BaseModel
from observatoire.questionnaires.choices import Population, QuestionType, ResponseStatus


class Questionnaire(BaseModel):
    code = models.SlugField(
        _("code"), max_length=60, unique=True, help_text=_("Par exemple « barometre-2024 ».")
    )
    title = models.CharField(_("titre"), max_length=200)
    population = models.CharField(_("population"), max_length=12, choices=Population.choices)
    year = models.PositiveSmallIntegerField(_("année"))
    version = models.PositiveSmallIntegerField(
        _("version"), default=1, help_text=_("Augmente à chaque modification publiée.")
    )
    previous = models.ForeignKey(
        "self",
        verbose_name=_("édition précédente"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="next_editions",
    )
    description = models.TextField(_("présentation"), blank=True)

    class Meta:
        verbose_name = _("questionnaire")
        verbose_name_plural = _("questionnaires")
        ordering = ["-year", "code"]

    def __str__(self) -> str:
        return self.title


class Section(BaseModel):
    questionnaire = models.ForeignKey(
        Questionnaire, on_delete=models.CASCADE, related_name="sections"
    )
    code = models.SlugField(_("code"), max_length=60)
    title = models.CharField(_("titre"), max_length=200)
    order = models.PositiveSmallIntegerField(_("ordre"))
    relevant = models.CharField(_("condition d'affichage"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("section")
        ordering = ["questionnaire", "order"]
        constraints = [
            models.UniqueConstraint(fields=["questionnaire", "code"], name="section_code")
        ]

    def __str__(self) -> str:
        return self.title


class Question(BaseModel):
    questionnaire = models.ForeignKey(
        Questionnaire, on_delete=models.CASCADE, related_name="questions"
    )
    section = models.ForeignKey(Section, on_delete=models.CASCADE, related_name="questions")
    code = models.SlugField(
        _("code"), max_length=60, help_text=_("Stable d'une édition à l'autre.")
    )
    type = models.CharField(_("type"), max_length=16, choices=QuestionType.choices)
    label = models.TextField(_("libellé"))
    hint = models.TextField(_("aide"), blank=True)
    required = models.BooleanField(_("obligatoire"), default=False)
    relevant = models.CharField(
        _("condition d'affichage"),
        max_length=500,
        blank=True,
        help_text=_("Expression XLSForm, par ex. ${ia_usage} = 'oui'."),
    )
    constraint = models.CharField(_("contrainte"), max_length=500, blank=True)
    constraint_message = models.CharField(_("message de contrainte"), max_length=300, blank=True)
    choice_list = models.CharField(_("liste de choix"), max_length=60, blank=True)
    has_other = models.BooleanField(_("avec « autre, précisez »"), default=False)
    minimum = models.DecimalField(
        _("minimum"), max_digits=14, decimal_places=4, null=True, blank=True
    )
    maximum = models.DecimalField(
        _("maximum"), max_digits=14, decimal_places=4, null=True, blank=True
    )
    allow_dont_know = models.BooleanField(_("« ne sait pas » proposé"), default=False)
    allow_refusal = models.BooleanField(_("« refus » proposé"), default=False)
    order = models.PositiveSmallIntegerField(_("ordre"))
    previous_label = models.TextField(
        _("libellé de l'édition précédente"),
        blank=True,
        help_text=_("Rempli quand le libellé a changé depuis l'édition précédente."),
    )

    class Meta:
        verbose_name = _("question")
        ordering = ["questionnaire", "order"]
        constraints = [
            models.UniqueConstraint(fields=["questionnaire", "code"], name="question_code")
        ]

    def __str__(self) -> str:
        return f"{self.code} — {self.label[:60]}"


class Choice(BaseModel):
    questionnaire = models.ForeignKey(
        Questionnaire, on_delete=models.CASCADE, related_name="choices"
    )
    list_name = models.CharField(_("liste"), max_length=60)
    value = models.CharField(_("valeur"), max_length=60)
    label = models.CharField(_("libellé"), max_length=300)
    order = models.PositiveSmallIntegerField(_("ordre"))

    class Meta:
        verbose_name = _("choix")
        verbose_name_plural = _("choix")
        ordering = ["questionnaire", "list_name", "order"]
        constraints = [
            models.UniqueConstraint(
                fields=["questionnaire", "list_name", "value"], name="choice_value"
            )
        ]

    def __str__(self) -> str:
        return f"{self.list_name}:{self.value}"


class Response(BaseModel):
    """One authority's (or one citizen's) answers to one questionnaire."""

    questionnaire = models.ForeignKey(
        Questionnaire, on_delete=models.PROTECT, related_name="responses"
    )
    questionnaire_version = models.PositiveSmallIntegerField(_("version du questionnaire"))
    authority = models.ForeignKey(
        "territoires.Authority",
        verbose_name=_("collectivité"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="responses",
    )
    respondent = models.CharField(
        _("identifiant du répondant"),
        max_length=64,
        blank=True,
        help_text=_("Pour le sondage citoyen : l'identifiant anonyme du répondant."),
    )
    status = models.CharField(
        _("statut"), max_length=10, choices=ResponseStatus.choices, default=ResponseStatus.DRAFT
    )
    answers = models.JSONField(_("réponses"), default=dict, blank=True)
    submitted_at = models.DateTimeField(_("envoyée le"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        verbose_name=_("envoyée par"),
        on_delete=models.SET_NULL,
        related_name="+",
    )
    source = models.CharField(
        _("origine"),
        max_length=30,
        blank=True,
        help_text=_("web, import LimeSurvey, import KoboToolbox, démo…"),
    )

    class Meta:
        verbose_name = _("réponse")
        constraints = [
            models.UniqueConstraint(
                fields=["questionnaire", "authority"],
                condition=models.Q(authority__isnull=False),
                name="one_response_per_authority",
            ),
            models.UniqueConstraint(
                fields=["questionnaire", "respondent"],
                condition=~models.Q(respondent=""),
                name="one_response_per_respondent",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.questionnaire.code} — {self.authority or self.respondent}"


class SampleMember(BaseModel):
    """An authority of an edition's sample: invited, reminded, and whether it answered."""

    questionnaire = models.ForeignKey(
        Questionnaire,
        verbose_name=_("questionnaire"),
        on_delete=models.CASCADE,
        related_name="sample",
    )
    authority = models.ForeignKey(
        "territoires.Authority",
        verbose_name=_("collectivité"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    email = models.EmailField(_("adresse électronique"), blank=True)
    invited_at = models.DateTimeField(_("invitée le"), null=True, blank=True)
    reminded_at = models.DateTimeField(_("dernière relance le"), null=True, blank=True)
    reminders = models.PositiveSmallIntegerField(_("nombre de relances"), default=0)

    class Meta:
        verbose_name = _("membre de l'échantillon")
        verbose_name_plural = _("échantillon")
        constraints = [
            models.UniqueConstraint(fields=["questionnaire", "authority"], name="sample_member")
        ]

    def __str__(self) -> str:
        return f"{self.questionnaire.code} — {self.authority}"
