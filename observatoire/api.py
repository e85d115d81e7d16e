"""The REST API (/api/v1/): one NinjaAPI, one router per app."""

from django.http import HttpRequest
from ninja import NinjaAPI
from ninja.errors import Throttled
from ninja.security import HttpBearer, django_auth

from observatoire.accounts.models import ApiToken
from observatoire.core.throttle import ApiWriteThrottle


class TokenAuth(HttpBearer):
    """`Authorization: Bearer <token>`; the token's user becomes request.user."""

    def authenticate(self, request: HttpRequest, token: str):
        user = ApiToken.user_for(token)
        if user is not None:
            request.user = user
        return user


# Bearer tokens for scripts; the browser's session (CSRF-checked by ninja) for pages.
token_auth = [TokenAuth(), django_auth]

api = NinjaAPI(
    title="Observatoire API",
    version="1",
    description="API de l'Observatoire data, IA et cybersécurité des territoires.",
    urls_namespace="api",
    throttle=[ApiWriteThrottle()],
)


@api.exception_handler(Throttled)
def throttled(request: HttpRequest, exc: Throttled):
    """Too many writes: 429 in French, with the wait when known (Retry-After)."""
    response = api.create_response(
        request, {"detail": "Trop de requêtes d'écriture : réessayez plus tard."}, status=429
    )
    if exc.wait:
        response["Retry-After"] = str(int(exc.wait))
    return response


def register_routers() -> None:
    from observatoire.barometre.api import router as barometre
    from observatoire.cas_usage.api import router as cas_usage
    from observatoire.diagnostic.api import router as diagnostic
    from observatoire.questionnaires.api import router as questionnaires
    from observatoire.registre.api import router as registre
    from observatoire.territoires.api import router as territoires

    api.add_router("/territoires/", territoires)
    api.add_router("/questionnaires/", questionnaires)
    api.add_router("/barometre/", barometre)
    api.add_router("/registre/", registre)
    api.add_router("/cas-usage/", cas_usage)
    api.add_router("/diagnostic/", diagnostic)


register_routers()
