"""Who may see and change register entries; shared by pages, exports and the API."""

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404
from django.utils.translation import gettext as _

from observatoire.registre.choices import Status
from observatoire.registre.models import Entry


def visible_entries(user):
    """Published entries for everyone; a référent also sees its own authority's; analysts all."""
    entries = Entry.objects.select_related("authority", "vendor_product")
    if user.is_analyst:
        return entries
    mine = (
        Q(authority_id=user.authority_id)
        if user.is_authenticated and user.is_referent
        else Q(pk__in=[])
    )
    return entries.filter(Q(status=Status.PUBLISHED) | mine)


def get_visible_entry(user, pk) -> Entry:
    """An entry the user may read; others get a 404, so drafts do not reveal they exist."""
    entry = visible_entries(user).filter(pk=pk).first()
    if entry is None:
        raise Http404(_("Fiche introuvable."))
    return entry


def get_editable_entry(user, pk) -> Entry:
    """An entry the user may change: référents of its authority and analysts."""
    entry = get_visible_entry(user, pk)
    if not user.can_act_for(entry.authority):
        raise PermissionDenied(
            _("Seuls les référents de la collectivité peuvent modifier cette fiche.")
        )
    return entry


def get_reviewable_entry(user, pk) -> Entry:
    """An entry in review the user may approve: another référent of the authority, or an analyst."""
    entry = get_editable_entry(user, pk)
    if entry.status != Status.IN_REVIEW:
        raise PermissionDenied(_("Cette fiche n'est pas en relecture."))
    if not user.is_analyst and entry.submitted_by_id == user.pk:
        raise PermissionDenied(
            _("La relecture revient à un autre référent de la collectivité ou à un analyste.")
        )
    return entry
