from django.db import models
from django.utils.translation import gettext_lazy as _


class RunStatus(models.TextChoices):
    DRAFT = "draft", _("en cours")
    SCORED = "scored", _("calculé")


class RulesKind(models.TextChoices):
    """The two data files an analyst edits: the scoring grid and the legal duties."""

    GRID = "grille", _("grille de notation")
    DUTIES = "obligations", _("obligations légales")


class Step(models.TextChoices):
    """The five steps of the SNDGCT method, in order."""

    DIAGNOSE = "diagnostiquer", _("1. Diagnostiquer")
    ACCULTURATE = "acculturer", _("2. Acculturer")
    EXPERIMENT = "experimenter", _("3. Expérimenter à petite échelle")
    GOVERN = "gouverner", _("4. Formaliser la gouvernance")
    DEPLOY = "deployer", _("5. Déployer")


class Effort(models.TextChoices):
    LOW = "faible", _("facile")
    MEDIUM = "moyen", _("effort moyen")
    HIGH = "important", _("effort important")
