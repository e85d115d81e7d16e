"""Account actions: inviting a référent, accepting an invitation, API tokens."""

from collections.abc import Iterable
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied  # noqa: F401 (re-exported for callers)
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from observatoire.accounts import notifications
from observatoire.accounts.access import require_analyst
from observatoire.accounts.choices import Role
from observatoire.accounts.models import ApiToken, Invitation, NotificationOptOut, User
from observatoire.core.audit import acting_as, record_event


@transaction.atomic
def invite_referent(email: str, authority, by: User) -> Invitation:
    """E-mail a single-use link that lets `email` become a référent of `authority`."""
    require_analyst(by)
    with acting_as(by):
        invitation, token = Invitation.issue(email=email, authority=authority, invited_by=by)
    link = settings.SITE_URL + reverse("accounts:accept", args=[token])
    send_mail(
        subject=f"Invitation : référent de {authority.name} sur l'Observatoire",
        message=(
            f"Bonjour,\n\n{by.get_full_name() or by.email} vous invite à devenir référent "
            f"data et IA de {authority.name} sur l'Observatoire.\n\n"
            f"Pour créer votre compte, ouvrez ce lien (valable 14 jours, une seule fois) :\n"
            f"{link}\n"
        ),
        from_email=None,
        recipient_list=[email],
    )
    return invitation


@transaction.atomic
def accept_invitation(
    invitation: Invitation, *, first_name: str, last_name: str, password: str | None
):
    """Create (or promote) the référent's account and use up the invitation. Without a
    password (ProConnect) a new account gets none and an existing one keeps its own."""
    user = User.objects.filter(email__iexact=invitation.email).first()
    if user is None:
        user = User(username=invitation.email, email=invitation.email)
        if password is None:
            user.set_unusable_password()
    user.first_name, user.last_name = first_name, last_name
    user.role, user.authority = Role.REFERENT, invitation.authority
    if password is not None:
        user.set_password(password)
    with acting_as(invitation.invited_by):
        user.save()
        invitation.accepted_at = timezone.now()
        invitation.save()
    return user


def create_api_token(name: str, days: int | None = None, *, by: User) -> tuple[ApiToken, str]:
    """A new token for `by`, valid `days` days (or until revoked); the secret is shown once."""
    expires_at = timezone.now() + timedelta(days=days) if days else None
    return ApiToken.issue(by, name, expires_at=expires_at)


def get_own_token(user, pk: int) -> ApiToken:
    """A token of the user's own; anyone else's is missing (404), as if it did not exist."""
    token = ApiToken.objects.filter(pk=pk, user_id=user.pk).first()
    if token is None:
        raise ApiToken.DoesNotExist
    return token


def revoke_api_token(token: ApiToken, *, by) -> ApiToken:
    """Stop a token at once; it stays listed, revoked, with its last use."""
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at", "updated_at"])
    return token


def unlock_login(attempt, *, by) -> None:
    """An analyst lifts a login lockout: the account's and the address's failures go."""
    from axes.utils import reset

    require_analyst(by)
    reset(username=attempt.username)
    reset(ip=attempt.ip_address)
    with acting_as(by):
        record_event("axes.accessattempt", str(attempt.pk), "Connexion débloquée")


@transaction.atomic
def set_notification_preferences(user, wanted: Iterable[str]) -> None:
    """Keep on the kinds in `wanted` among those that concern the user; switch the rest off."""
    off = {kind.value for kind in notifications.kinds_for(user)} - set(wanted)
    NotificationOptOut.objects.filter(user=user).exclude(kind__in=off).delete()
    for kind in off:
        NotificationOptOut.objects.get_or_create(user=user, kind=kind)
