from django.db import models
from django.utils.translation import gettext_lazy as _


class Population(models.TextChoices):
    AUTHORITIES = "authorities", _("collectivités")
    CITIZENS = "citizens", _("citoyens")


class QuestionType(models.TextChoices):
    """XLSForm types, plus the barometer's own ("oui / non / prévu dans les 12 mois")."""

    SELECT_ONE = "select_one", _("choix unique")
    SELECT_MULTIPLE = "select_multiple", _("choix multiple")
    LIKERT = "likert", _("échelle de Likert")
    INTEGER = "integer", _("nombre entier")
    DECIMAL = "decimal", _("nombre décimal")
    TEXT = "text", _("texte")
    DATE = "date", _("date")
    YES_NO_PLANNED = "yes_no_planned", _("oui / non / prévu dans les 12 mois")
    NOTE = "note", _("note")


class ResponseStatus(models.TextChoices):
    DRAFT = "draft", _("brouillon")
    SUBMITTED = "submitted", _("envoyée")


# Stored answer values that are not a choice: kept distinct from a skipped question
# (a skipped or unanswered question simply has no key in Response.answers).
DONT_KNOW = "_nsp"
REFUSED = "_refus"
SPECIAL_ANSWERS = {DONT_KNOW: _("Ne sait pas"), REFUSED: _("Refus de répondre")}
