"""Who may see or change a questionnaire's responses, shared by pages and API."""

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from observatoire.accounts.access import require_analyst
from observatoire.questionnaires.models import Questionnaire, Response


def get_response_for(user, pk: int) -> Response:
    """A response its authority's référents and the analysts may read and, as a draft, edit."""
    response = get_object_or_404(
        Response.objects.select_related("questionnaire", "authority"), pk=pk
    )
    if response.authority is None:
        require_analyst(user)
    elif not user.can_act_for(response.authority):
        raise PermissionDenied(_("Vous n'agissez pas pour cette collectivité."))
    return response


def get_campaign_for(user, code: str) -> Questionnaire:
    """A questionnaire's campaign (sample, invitations, imports): analysts only."""
    require_analyst(user)
    return get_object_or_404(Questionnaire, code=code)
