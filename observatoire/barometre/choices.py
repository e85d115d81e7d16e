from django.db import models
from django.utils.translation import gettext_lazy as _

# The task queue's statuses (core.jobs), importable from here as before.
from observatoire.core.models import JobStatus as JobStatus


class EditionStatus(models.TextChoices):
    """Life cycle of an edition: draft → collecting → closed → weighted → published."""

    DRAFT = "draft", _("brouillon")
    COLLECTING = "collecting", _("collecte en cours")
    CLOSED = "closed", _("collecte close")
    WEIGHTED = "weighted", _("pondérée")
    PUBLISHED = "published", _("publiée")


class Unit(models.TextChoices):
    """What one weighted unit stands for in the estimates."""

    AUTHORITIES = "collectivites", _("collectivités (chacune compte pour une)")
    INHABITANTS = "habitants", _("habitants (chaque collectivité compte pour sa population)")
    PERSONS = "personnes", _("personnes (sondage citoyen)")


class Flag(models.TextChoices):
    """Outcome of the disclosure rule for one cell."""

    OK = "ok", _("publiable")
    CAUTION = "caution", _("à interpréter avec prudence")
    SUPPRESS = "suppress", _("non diffusé (effectif trop faible)")
