"""The REST API (/api/v1/): one NinjaAPI composed of each app's router (nothing imports
this module but the project's urls.py).

Every refusal is a 4xx with a JSON body in French (`detail`, and `errors` when there are
several): the handlers below replace ninja's English defaults, and turn the services'
PermissionDenied and ValidationError into 403 and 422 wherever an endpoint lets them
through. Pagination and offsets are bounded, so no number reaches the database as an
overflow.
"""

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import (
    AuthenticationError,
    AuthorizationError,
    HttpError,
    Throttled,
    ValidationError,
)

from observatoire.api_docs import add_french_summaries
from observatoire.barometre.api import router as barometre
from observatoire.cas_usage.api import router as cas_usage
from observatoire.core.throttle import ApiWriteThrottle
from observatoire.core.uploads import UploadRejected
from observatoire.diagnostic.api import router as diagnostic
from observatoire.questionnaires.api import router as questionnaires
from observatoire.registre.api import router as registre
from observatoire.territoires.api import router as territoires

api = NinjaAPI(
    title="Observatoire API",
    version="1",
    description="API de l'Observatoire data, IA et cybersécurité des territoires.",
    urls_namespace="api",
    throttle=[ApiWriteThrottle()],
)

api.add_router("/territoires/", territoires)
api.add_router("/questionnaires/", questionnaires)
api.add_router("/barometre/", barometre)
api.add_router("/registre/", registre)
api.add_router("/cas-usage/", cas_usage)
api.add_router("/diagnostic/", diagnostic)
add_french_summaries(api)


# Pydantic's error types, in French; `{…}` are filled from the error's context.
FRENCH_ERRORS = {
    "missing": "champ obligatoire manquant",
    "int_parsing": "nombre entier attendu",
    "int_type": "nombre entier attendu",
    "int_from_float": "nombre entier attendu",
    "float_parsing": "nombre attendu",
    "float_type": "nombre attendu",
    "decimal_parsing": "nombre attendu",
    "decimal_type": "nombre attendu",
    "finite_number": "nombre fini attendu",
    "greater_than_equal": "doit être supérieur ou égal à {ge}",
    "greater_than": "doit être supérieur à {gt}",
    "less_than_equal": "doit être inférieur ou égal à {le}",
    "less_than": "doit être inférieur à {lt}",
    "bool_parsing": "booléen attendu (true ou false)",
    "bool_type": "booléen attendu (true ou false)",
    "string_type": "texte attendu",
    "string_too_long": "{max_length} caractères au plus",
    "string_too_short": "{min_length} caractères au moins",
    "enum": "valeur non autorisée ({expected})",
    "literal_error": "valeur non autorisée ({expected})",
    "json_invalid": "JSON invalide",
    "model_attributes_type": "objet JSON attendu",
    "dict_type": "objet JSON attendu",
    "list_type": "liste attendue",
    "date_parsing": "date AAAA-MM-JJ attendue",
    "date_from_datetime_parsing": "date AAAA-MM-JJ attendue",
    "date_type": "date AAAA-MM-JJ attendue",
    "datetime_parsing": "date et heure ISO 8601 attendues",
    "extra_forbidden": "champ inconnu",
}


def french_error(error: dict) -> str:
    """`{"loc": ["query", "offset"], "type": "greater_than_equal", …}` →
    « offset : doit être supérieur ou égal à 0 »."""
    where = ".".join(str(part) for part in error.get("loc", [])[1:] if part != "payload")
    message = FRENCH_ERRORS.get(error.get("type", ""), "valeur invalide")
    try:
        message = message.format(**error.get("ctx", {}))
    except (KeyError, IndexError):
        message = "valeur invalide"
    return f"{where} : {message}" if where else message


def _refusal(request: HttpRequest, status: int, detail: str, errors=None) -> HttpResponse:
    body: dict = {"detail": detail}
    if errors:
        body["errors"] = errors
    return api.create_response(request, body, status=status)


@api.exception_handler(ValidationError)
def invalid_request(request, exc):
    errors = [french_error(error) for error in exc.errors]
    return _refusal(request, 422, "Requête invalide : " + " ; ".join(errors) + ".", errors)


# ninja's own English messages; ours are French already.
NINJA_MESSAGES = {
    "Cannot parse request body": "Corps de requête illisible : JSON invalide.",
    "CSRF check Failed": "Vérification CSRF échouée : rechargez la page.",
}


@api.exception_handler(HttpError)
def http_error(request, exc):
    message = str(exc)
    for english, french in NINJA_MESSAGES.items():
        if message.startswith(english):
            message = french
    return _refusal(request, exc.status_code, message)


@api.exception_handler(DjangoValidationError)
def invalid_data(request, exc):
    return _refusal(request, 422, " ".join(exc.messages), exc.messages)


@api.exception_handler(Http404)
def not_found(request, exc):
    return _refusal(request, 404, "Ressource introuvable.")


@api.exception_handler(AuthenticationError)
def unauthenticated(request, exc):
    return _refusal(
        request,
        401,
        "Authentification requise : un jeton (Authorization: Bearer …) ou une session.",
    )


@api.exception_handler(AuthorizationError)
@api.exception_handler(PermissionDenied)
def forbidden(request, exc):
    message = str(exc) if isinstance(exc, PermissionDenied) else ""
    return _refusal(request, 403, message or "Accès refusé.")


@api.exception_handler(UploadRejected)
def upload_rejected(request, exc):
    return _refusal(request, 413, str(exc), exc.errors)


@api.exception_handler(Throttled)
def throttled(request: HttpRequest, exc: Throttled):
    """Too many writes: 429 in French, with the wait when known (Retry-After)."""
    response = api.create_response(
        request, {"detail": "Trop de requêtes d'écriture : réessayez plus tard."}, status=429
    )
    if exc.wait:
        response["Retry-After"] = str(int(exc.wait))
    return response
