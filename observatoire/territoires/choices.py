from django.db import models
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    COMMUNE = "commune", _("commune")
    EPCI = "epci", _("EPCI")
    DEPARTEMENT = "departement", _("département")
    REGION = "region", _("région")
    OTHER = "other", _("autre organisme public")


class EpciType(models.TextChoices):
    CC = "CC", _("communauté de communes")
    CA = "CA", _("communauté d'agglomération")
    CU = "CU", _("communauté urbaine")
    METRO = "METRO", _("métropole")
    MET69 = "MET69", _("Métropole de Lyon")


class Stratum(models.TextChoices):
    """The barometer's strata: type of authority × population band."""

    COMMUNE_LT_3500 = "commune_lt_3500", _("Communes de moins de 3 500 habitants")
    COMMUNE_3500_10000 = "commune_3500_10000", _("Communes de 3 500 à 10 000 habitants")
    COMMUNE_10000_100000 = "commune_10000_100000", _("Communes de 10 000 à 100 000 habitants")
    COMMUNE_GT_100000 = "commune_gt_100000", _("Communes de plus de 100 000 habitants")
    CC = "cc", _("Communautés de communes")
    CA = "ca", _("Communautés d'agglomération")
    CU = "cu", _("Communautés urbaines")
    METROPOLE = "metropole", _("Métropoles")
    DEPARTEMENT = "departement", _("Départements")
    REGION = "region", _("Régions")
    OTHER = "other", _("Autres organismes publics")
