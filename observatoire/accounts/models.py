"""Accounts: one user model with a role and, for référents, the authority they act for."""

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import AbstractUser, AnonymousUser
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from observatoire.accounts.choices import Role
from observatoire.core.models import BaseModel


class User(AbstractUser):
    email = models.EmailField(_("adresse électronique"), unique=True)
    role = models.CharField(_("rôle"), max_length=10, choices=Role.choices, default=Role.READER)
    authority = models.ForeignKey(
        "territoires.Authority",
        verbose_name=_("collectivité"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="referents",
        help_text=_("Pour un référent : la collectivité pour laquelle il agit."),
    )

    class Meta:
        verbose_name = _("utilisateur")
        verbose_name_plural = _("utilisateurs")
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(role="referent") | models.Q(authority__isnull=False),
                name="referent_has_authority",
            )
        ]

    @property
    def is_analyst(self) -> bool:
        return self.is_authenticated and (self.role == Role.ANALYST or self.is_superuser)

    @property
    def public_role(self) -> str:
        """Who acted, as the public sees it: a role and an authority, never a name or an
        address (the public history of an entry shows this)."""
        if self.is_analyst:
            return gettext("un analyste de l'observatoire")
        if self.is_referent and self.authority is not None:
            return gettext("un référent de %(authority)s") % {"authority": self.authority.name}
        return gettext("un utilisateur de l'observatoire")

    def save(self, *args, **kwargs):
        """A new password revokes the user's API tokens: whoever knew the old one may have
        made a token with it."""
        password_changed = self._password is not None and self.pk is not None
        super().save(*args, **kwargs)
        if password_changed:
            ApiToken.objects.filter(user=self, revoked_at__isnull=True).update(
                revoked_at=timezone.now()
            )

    # The vocabulary of roles, the same on AnonymousVisitor: pages, API, services and
    # templates ask these, never the role or the authority directly.
    @property
    def is_referent(self) -> bool:
        """A référent acting for its authority (a reader attached to one is not)."""
        return self.is_authenticated and self.role == Role.REFERENT and bool(self.authority_id)

    def is_referent_of(self, authority) -> bool:
        return self.is_referent and authority is not None and self.authority_id == authority.pk

    def can_act_for(self, authority) -> bool:
        """Analysts act for every authority; a référent for its own."""
        return self.is_analyst or self.is_referent_of(authority)

    @property
    def acts_for_an_authority(self) -> bool:
        """Analysts and référents: whom the pages managing an authority's data are for (a
        reader is never shown them)."""
        return self.is_analyst or self.is_referent


class AnonymousVisitor(AnonymousUser):
    """A visitor who has not logged in speaks the same vocabulary of roles, and has none."""

    role = ""
    authority = None
    authority_id = None
    is_analyst = False
    is_referent = False
    acts_for_an_authority = False

    def is_referent_of(self, authority) -> bool:
        return False

    def can_act_for(self, authority) -> bool:
        return False


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class Invitation(BaseModel):
    """A single-use link an analyst e-mails to a future référent (only its hash is stored)."""

    email = models.EmailField(_("adresse électronique"))
    authority = models.ForeignKey(
        "territoires.Authority", verbose_name=_("collectivité"), on_delete=models.CASCADE
    )
    token_hash = models.CharField(
        verbose_name=_("empreinte du jeton"), max_length=64, unique=True, editable=False
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("envoyée par"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    expires_at = models.DateTimeField(_("expire le"))
    accepted_at = models.DateTimeField(_("acceptée le"), null=True, blank=True)

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")

    def __str__(self) -> str:
        return f"{self.email} → {self.authority}"

    @classmethod
    def issue(cls, email, authority, invited_by, days: int = 14) -> tuple["Invitation", str]:
        token = secrets.token_urlsafe(32)
        invitation = cls.objects.create(
            email=email,
            authority=authority,
            token_hash=_hash(token),
            invited_by=invited_by,
            expires_at=timezone.now() + timedelta(days=days),
        )
        return invitation, token

    @classmethod
    def usable(cls):
        return cls.objects.filter(accepted_at__isnull=True, expires_at__gt=timezone.now())

    @classmethod
    def find_usable(cls, token: str) -> "Invitation | None":
        return cls.usable().filter(token_hash=_hash(token)).first()

    @classmethod
    def find_usable_for(cls, email: str, siren: str) -> "Invitation | None":
        """The invitation of this e-mail to the authority of this SIREN (ProConnect)."""
        invitations = cls.usable().filter(email__iexact=email, authority__siren=siren)
        return invitations.select_related("authority").order_by("-created_at").first()


class ApiToken(BaseModel):
    """A bearer token for the API; only its hash is stored.

    It stops working when its owner revokes it (account page, or an administrator), when
    its optional expiry passes, and when the owner's password changes (User.save).
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("utilisateur"), on_delete=models.CASCADE
    )
    name = models.CharField(_("nom"), max_length=100)
    token_hash = models.CharField(
        verbose_name=_("empreinte du jeton"), max_length=64, unique=True, editable=False
    )
    last_used_at = models.DateTimeField(_("dernière utilisation"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expire le"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("révoqué le"), null=True, blank=True)

    audited = False

    class Meta:
        verbose_name = _("jeton d'API")
        verbose_name_plural = _("jetons d'API")

    def __str__(self) -> str:
        return f"{self.name} ({self.user})"

    @property
    def is_usable(self) -> bool:
        return self.revoked_at is None and (
            self.expires_at is None or self.expires_at > timezone.now()
        )

    @classmethod
    def issue(cls, user, name: str, expires_at=None) -> tuple["ApiToken", str]:
        token = secrets.token_urlsafe(32)
        api_token = cls.objects.create(
            user=user, name=name, token_hash=_hash(token), expires_at=expires_at
        )
        return api_token, token

    @classmethod
    def usable(cls):
        now = timezone.now()
        return cls.objects.filter(
            models.Q(expires_at__isnull=True) | models.Q(expires_at__gt=now),
            revoked_at__isnull=True,
        )

    @classmethod
    def user_for(cls, token: str):
        api_token = cls.usable().select_related("user").filter(token_hash=_hash(token)).first()
        if api_token is None or not api_token.user.is_active:
            return None
        cls.objects.filter(pk=api_token.pk).update(last_used_at=timezone.now())
        return api_token.user


class NotificationOptOut(models.Model):
    """A kind of e-mail the user switched off on its account page (all are on by default;
    the kinds are `accounts.choices.NotificationKind`)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("utilisateur"),
        on_delete=models.CASCADE,
        related_name="notification_opt_outs",
    )
    kind = models.CharField(_("notification"), max_length=30)

    class Meta:
        verbose_name = _("notification désactivée")
        verbose_name_plural = _("notifications désactivées")
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="one_opt_out_per_kind")
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.kind}"
