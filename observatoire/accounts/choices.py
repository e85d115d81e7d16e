from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    ANALYST = "analyst", _("analyste de l'observatoire")
    REFERENT = "referent", _("référent d'une collectivité")
    READER = "reader", _("lecteur")
