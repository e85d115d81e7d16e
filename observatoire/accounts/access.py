"""Who may do what, decided in one place and shared by pages and API."""

from django.core.exceptions import PermissionDenied


def require_analyst(user) -> None:
    if not getattr(user, "is_analyst", False):
        raise PermissionDenied("Réservé aux analystes de l'observatoire.")


def can_act_for(user, authority) -> bool:
    """A référent acts for its own authority; analysts act for every authority."""
    return getattr(user, "is_analyst", False) or (
        user.is_authenticated and user.is_referent_of(authority)
    )


def require_act_for(user, authority) -> None:
    if not can_act_for(user, authority):
        raise PermissionDenied("Vous n'agissez pas pour cette collectivité.")


def acts_for_an_authority(user) -> bool:
    """Référents and analysts: who the pages that manage an authority's data are for
    (a reader is never shown them)."""
    return getattr(user, "is_analyst", False) or bool(
        getattr(user, "role", None) == "referent" and user.authority_id
    )


def require_acts_for_an_authority(user) -> None:
    if not acts_for_an_authority(user):
        raise PermissionDenied("Réservé aux référents des collectivités et aux analystes.")
