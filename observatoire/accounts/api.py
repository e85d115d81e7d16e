"""How the API knows its caller: a bearer token or the browser's session."""

from django.http import HttpRequest
from ninja.security import HttpBearer, django_auth

from observatoire.accounts.models import ApiToken


class TokenAuth(HttpBearer):
    """`Authorization: Bearer <token>`; the token's user becomes request.user."""

    def authenticate(self, request: HttpRequest, token: str):
        user = ApiToken.user_for(token)
        if user is not None:
            request.user = user
        return user


# Bearer tokens for scripts; the browser's session (CSRF-checked by ninja) for pages.
token_auth = [TokenAuth(), django_auth]
