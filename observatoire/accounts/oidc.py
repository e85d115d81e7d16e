"""Login with ProConnect (OpenID Connect), the public agents' single sign-on.

Turned on by setting OIDC_RP_CLIENT_ID (see README). A ProConnect user is matched to an
existing account by e-mail; a new one starts as a reader, and becomes a référent through
an analyst's invitation, as with passwords.
"""

from mozilla_django_oidc.auth import OIDCAuthenticationBackend

from observatoire.accounts.choices import Role


class ProConnectBackend(OIDCAuthenticationBackend):
    def filter_users_by_claims(self, claims):
        email = (claims.get("email") or "").strip()
        if not email:
            return self.UserModel.objects.none()
        return self.UserModel.objects.filter(email__iexact=email)

    def create_user(self, claims):
        email = claims["email"].strip()
        user = self.UserModel(username=email, email=email, role=Role.READER)
        self._copy_names(user, claims)
        user.set_unusable_password()
        user.save()
        return user

    def update_user(self, user, claims):
        self._copy_names(user, claims)
        user.save()
        return user

    @staticmethod
    def _copy_names(user, claims):
        user.first_name = claims.get("given_name", user.first_name)[:150]
        user.last_name = claims.get("usual_name", claims.get("family_name", user.last_name))[:150]
