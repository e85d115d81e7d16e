"""Who may see or edit a use case: one helper per object, shared by the pages and the API."""

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from observatoire.cas_usage.choices import (
    Origin,
)
from observatoire.cas_usage.models import (
    UseCase,
)


def _acts_for_case(user, case: UseCase) -> bool:
    return user.can_act_for(case.lead_authority())


def get_visible_case(user, pk: int) -> UseCase:
    """Published cases for everyone; others for analysts and the authority that proposed them.

    An unpublished case is missing (404) for everyone else, as a draft of the register:
    a visitor learns nothing from its number.
    """
    case = UseCase.objects.prefetch_related("participants__authority").filter(pk=pk).first()
    if case is None or not (case.is_published or _acts_for_case(user, case)):
        raise UseCase.DoesNotExist
    return case


def get_editable_case(user, pk: int) -> UseCase:
    """The authority that carries a case keeps it up to date; analysts may edit any case."""
    case = get_visible_case(user, pk)
    if case.origin != Origin.OBSERVATOIRE and not user.is_analyst:
        raise PermissionDenied(
            _("Les cas importés d'un catalogue externe ne se modifient pas ici.")
        )
    if not _acts_for_case(user, case):
        raise PermissionDenied(_("Seule la collectivité porteuse modifie ce cas d'usage."))
    return case


def can_edit(user, case: UseCase) -> bool:
    try:
        get_editable_case(user, case.pk)
    except PermissionDenied:
        return False
    return True
