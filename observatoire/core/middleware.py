from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.http import HttpResponse, JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.utils.translation import gettext as _

from observatoire.core.audit import acting_as
from observatoire.core.uploads import megabytes


class AuditActorMiddleware:
    """Makes the logged-in user the actor of every change made during the request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with acting_as(request.user):
            return self.get_response(request)


class RequestLimitsMiddleware:
    """Refuses, before any view or parser reads it, a request whose body is larger than
    REQUEST_MAX_BYTES (413) or that carries a NUL character in its path, its query
    string, its form fields or an API JSON body (400): PostgreSQL refuses NUL in text, so
    it would otherwise end as a server error wherever a parameter reaches a query.
    Django's own limits on forms (size, field count) answer here too, in JSON for the API."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return refusal(request, 400, _("En-tête Content-Length invalide."))
        if length > settings.REQUEST_MAX_BYTES:
            return refusal(
                request,
                413,
                _("Requête trop volumineuse (%(size)s) : %(limit)s au plus.")
                % {"size": megabytes(length), "limit": megabytes(settings.REQUEST_MAX_BYTES)},
            )
        try:
            if has_nul(request):
                return refusal(request, 400, _("Caractère nul (U+0000) refusé dans la requête."))
        except RequestDataTooBig:
            return refusal(request, 413, _("Trop de données dans le formulaire ou le JSON."))
        except (TooManyFieldsSent, TooManyFilesSent):
            return refusal(request, 400, _("Trop de champs ou de fichiers dans la requête."))
        except MultiPartParserError:
            return refusal(request, 400, _("Formulaire multipart illisible."))
        return self.get_response(request)


FORM_TYPES = {"application/x-www-form-urlencoded", "multipart/form-data"}


def has_nul(request) -> bool:
    if "\x00" in request.path or _nul_in(request.GET):
        return True
    if request.method == "POST" and request.content_type in FORM_TYPES:
        return _nul_in(request.POST)
    is_json = request.content_type == "application/json"
    return is_json and request.path.startswith("/api/") and b"\\u0000" in request.body


def _nul_in(query) -> bool:
    return any(
        "\x00" in key or any("\x00" in value for value in values) for key, values in query.lists()
    )


def refusal(request, status: int, message: str) -> HttpResponse:
    """A French refusal: JSON for the API, plain text for pages."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": message}, status=status)
    return HttpResponse(message, status=status, content_type="text/plain; charset=utf-8")
