"""Whole public pages kept in Django's cache (Redis in production: CACHE_URL).

A page is stored under its address and a stamp of the data it shows (for the barometer:
its latest published version), so a publication makes every page new at once, without
purging anything. Only anonymous GETs that set no cookie are kept: a page with a form
token or a message is never shared.
"""

import hashlib
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse


def cached_page(stamp: Callable[[], Any]) -> Callable:
    """Decorate a public view: its anonymous GET pages are kept until `stamp()` changes."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if (
                request.method != "GET"
                or request.user.is_authenticated
                or "messages" in request.COOKIES
            ):
                return view(request, *args, **kwargs)
            address = f"{stamp()}|{request.get_full_path()}"
            key = "page:" + hashlib.sha256(address.encode()).hexdigest()
            kept = cache.get(key)
            if kept is not None:
                content, content_type = kept
                return HttpResponse(content, content_type=content_type)
            response = view(request, *args, **kwargs)
            if (
                response.status_code == 200
                and not response.streaming
                and not response.cookies
                and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
            ):
                kept = (response.content, response["Content-Type"])
                cache.set(key, kept, settings.CACHE_PAGES_SECONDS)
            return response

        return wrapper

    return decorator
