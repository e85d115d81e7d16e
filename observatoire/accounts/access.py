"""Who may do what, decided in one place and shared by pages and API. The roles themselves
are asked of the user (``user.is_analyst``, ``user.is_referent``, ``user.can_act_for(a)``);
these helpers turn a "no" into a PermissionDenied with its French message. ``user`` may be
None for a system action (a command), which has no role."""

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _


def require_analyst(user) -> None:
    if user is None or not user.is_analyst:
        raise PermissionDenied(_("Réservé aux analystes de l'observatoire."))


def require_referent(user) -> None:
    if user is None or not user.is_referent:
        raise PermissionDenied(_("Réservé aux référents d'une collectivité."))


def require_act_for(user, authority) -> None:
    if user is None or not user.can_act_for(authority):
        raise PermissionDenied(_("Vous n'agissez pas pour cette collectivité."))


def require_acts_for_an_authority(user) -> None:
    if user is None or not user.acts_for_an_authority:
        raise PermissionDenied(_("Réservé aux référents des collectivités et aux analystes."))
