"""Login with ProConnect (OpenID Connect), the public agents' single sign-on.

Turned on by setting OIDC_RP_CLIENT_ID (see README). An agent is matched to an existing
account by e-mail. At the first login, an analyst's pending invitation for the agent's
e-mail and for the authority whose SIREN begins the agent's SIRET (ProConnect's `siret`
claim) links the account: the agent becomes that authority's référent, without a password.
An agent of an authority of the universe without an invitation starts as a reader; an
agent of an organisation the observatory does not know is refused, and the page says
whom to ask (docs/security.md).
"""

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _
from mozilla_django_oidc.auth import OIDCAuthenticationBackend

from observatoire.accounts import services
from observatoire.accounts.choices import Role
from observatoire.accounts.models import Invitation
from observatoire.territoires.models import Authority

REFUSAL = "proconnect_refusal"  # session key read by the refusal page


def siren_of(claims) -> str:
    return "".join(c for c in str(claims.get("siret") or "") if c.isdigit())[:9]


class ProConnectBackend(OIDCAuthenticationBackend):
    def filter_users_by_claims(self, claims):
        email = (claims.get("email") or "").strip()
        if not email:
            return self.UserModel.objects.none()
        return self.UserModel.objects.filter(email__iexact=email)

    def create_user(self, claims):
        email = claims["email"].strip()
        user = self._link_invitation(self.UserModel(username=email, email=email), claims)
        if user is not None:
            return user
        siren = siren_of(claims)
        if not Authority.objects.filter(siren=siren).exists():
            if getattr(self, "request", None) is not None:
                self.request.session[REFUSAL] = {"siret": str(claims.get("siret") or "")}
            raise PermissionDenied(_("Organisation inconnue de l'observatoire."))
        user = self.UserModel(username=email, email=email, role=Role.READER)
        self._copy_names(user, claims)
        user.set_unusable_password()
        user.save()
        return user

    def update_user(self, user, claims):
        if self._link_invitation(user, claims) is None:
            self._copy_names(user, claims)
            user.save()
        return user

    def _link_invitation(self, user, claims):
        """Accept the invitation for this e-mail and the agent's SIREN, if one waits."""
        siren = siren_of(claims)
        invitation = Invitation.find_usable_for(user.email, siren) if siren and user.email else None
        if invitation is None:
            return None
        self._copy_names(user, claims)
        return services.accept_invitation(
            invitation, first_name=user.first_name, last_name=user.last_name, password=None
        )

    @staticmethod
    def _copy_names(user, claims):
        user.first_name = (claims.get("given_name") or user.first_name)[:150]
        user.last_name = (claims.get("usual_name") or claims.get("family_name") or user.last_name)[
            :150
        ]
