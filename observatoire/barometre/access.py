"""Who may see or manage an edition and a saved model: one helper per object, shared by the
pages, the API and the open data (PermissionDenied or 404 otherwise)."""

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from observatoire.accounts.access import require_analyst
from observatoire.barometre.models import Edition, SavedModel


def public_editions(user=None):
    """Editions a visitor sees (published, embargo passed); analysts also see embargoed ones."""
    editions = Edition.objects.select_related("questionnaire")
    if user is not None and user.is_analyst:
        return editions.published()
    return editions.public()


def get_public_edition(code: str, user=None) -> Edition:
    """A published edition for the public pages, the API and the open data (404 otherwise).

    Under embargo it exists only for analysts, who see the pages as a preview."""
    return get_object_or_404(public_editions(user), code=code)


def get_managed_edition(user, code: str) -> Edition:
    """An edition the user may manage: analysts only."""
    require_analyst(user)
    return get_object_or_404(Edition, code=code)


def require_published(edition: Edition) -> None:
    if not edition.is_published:
        raise PermissionDenied(_("Édition non publiée."))


def get_saved_model(user, code: str, pk: int) -> SavedModel:
    """A saved model: analysts see all; others only public models of published editions."""
    saved = get_object_or_404(
        SavedModel.objects.select_related("edition"), pk=pk, edition__code=code
    )
    if user.is_analyst:
        return saved
    if not (saved.is_public and saved.edition.is_published):
        raise PermissionDenied(_("Modèle réservé aux analystes."))
    return saved
