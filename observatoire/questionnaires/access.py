"""Who may see or change a questionnaire's responses, shared by pages and API."""

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404

from observatoire.accounts.access import can_act_for, require_analyst
from observatoire.questionnaires.models import Questionnaire, Response


def get_response_for(user, pk: int) -> Response:
    """A response its authority's référents and the analysts may read and, as a draft, edit."""
    response = get_object_or_404(
        Response.objects.select_related("questionnaire", "authority"), pk=pk
    )
    if response.authority is None:
        require_analyst(user)
    elif not can_act_for(user, response.authority):
        raise PermissionDenied("Vous n'agissez pas pour cette collectivité.")
    return response


def get_campaign_for(user, code: str) -> Questionnaire:
    """A questionnaire's campaign (sample, invitations, imports): analysts only."""
    require_analyst(user)
    return get_object_or_404(Questionnaire, code=code)


def require_referent(user) -> None:
    if not (user.is_authenticated and user.authority_id and not user.is_analyst):
        raise PermissionDenied("Réservé aux référents d'une collectivité.")
