from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    ANALYST = "analyst", _("analyste de l'observatoire")
    REFERENT = "referent", _("référent d'une collectivité")
    READER = "reader", _("lecteur")


class NotificationKind(models.TextChoices):
    """The e-mails of accounts.notifications, each switchable off on the account page."""

    ENTRY_SUBMITTED = (
        "entry_submitted",
        _("Une fiche du registre de ma collectivité attend ma relecture"),
    )
    ENTRY_DECIDED = (
        "entry_decided",
        _("Une fiche que j'ai soumise est publiée ou renvoyée en brouillon"),
    )
    CASE_PROPOSED = "case_proposed", _("Un cas d'usage est proposé (analystes)")
    CASE_MODERATED = (
        "case_moderated",
        _("Mon cas d'usage est accepté, à reprendre ou refusé"),
    )
    CAMPAIGN_REMINDER = (
        "campaign_reminder",
        _("Relance d'une invitation à répondre au questionnaire du baromètre"),
    )
    REVIEW_DUE = (
        "review_due",
        _("La date de réexamen d'une fiche du registre de ma collectivité est passée"),
    )
