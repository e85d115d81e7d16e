"""Who may see a diagnostic: its authority's référents and the analysts, shared by pages and
API. A shared link gives a read-only view to anyone who has it, and nothing else."""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from observatoire.diagnostic.models import Run


def get_run_for(user, pk: int) -> Run:
    """A run its authority's référents and the analysts may read (and, as a draft, edit)."""
    run = get_object_or_404(Run.objects.select_related("authority", "questionnaire"), pk=pk)
    if not user.can_act_for(run.authority):
        raise PermissionDenied(_("Ce diagnostic est réservé aux référents de sa collectivité."))
    return run


def get_shared_run(token: str) -> Run:
    """The scored run behind a share link; an unknown or revoked link is a 404."""
    run = (
        Run.objects.select_related("authority", "questionnaire")
        .filter(share_token=token)
        .exclude(share_token="")
        .first()
    )
    if run is None or not run.is_scored or len(token) < 20:
        raise Http404(_("Lien de partage inconnu ou retiré."))
    return run


def get_editable_run(user, pk: int) -> Run:
    """A run its authority's référents may answer and compute (analysts only read)."""
    run = get_run_for(user, pk)
    if not user.is_referent_of(run.authority):
        raise PermissionDenied(
            _("Seuls les référents de la collectivité répondent à son diagnostic.")
        )
    return run
