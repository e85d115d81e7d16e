"""Rate limits, counted in Django's cache (CACHES): the API's writes, and the forms that send
mail to someone else (password reset, contact). Logins are limited by django-axes.

The counting is django-ninja's (a sliding window per key); the client's address is read
in one place, `client_ip`, for these limits and for axes alike.
"""

import functools
import hashlib
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from ninja.throttling import BaseThrottle, SimpleRateThrottle


def client_ip(request: HttpRequest) -> str:
    """The client's address: REMOTE_ADDR, or X-Forwarded-For behind REVERSE_PROXY_COUNT
    trusted proxies (settings.NINJA_NUM_PROXIES)."""
    return BaseThrottle().get_ident(request) or ""


class RateLimit(SimpleRateThrottle):
    """At most `rate` ("5/h") requests within one scope for one key (an address, an e-mail)."""

    def __init__(self, scope: str, rate: str, key: str):
        self.scope, self.ident = scope, key
        super().__init__(rate)

    def get_cache_key(self, request: HttpRequest) -> str:
        return self.cache_format % {"scope": self.scope, "ident": _digest(self.ident)}


def _digest(key: str) -> str:
    """Cache keys carry no address or e-mail in clear."""
    return hashlib.sha256(key.lower().encode()).hexdigest()[:32]


def rate_limited(scope: str, *fields: str) -> Callable:
    """Limit a form's POSTs per client address and per value of each named field (the
    e-mail a reset is sent to, the sender of a message); past the rate, a French page (429).
    The rate is settings.RATE_LIMITS[scope]."""

    def decorator(view: Callable) -> Callable:
        @functools.wraps(view)
        def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if request.method == "POST":
                rate = settings.RATE_LIMITS[scope]
                keys = [f"ip:{client_ip(request)}"]
                keys += [f"{f}:{request.POST[f]}" for f in fields if request.POST.get(f)]
                # Each key counts the request, refused or not.
                counted = [RateLimit(scope, rate, key).allow_request(request) for key in keys]
                if not all(counted):
                    return render(request, "core/throttled.html", status=429)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


class ApiWriteThrottle(SimpleRateThrottle):
    """The API's writes (POST, PUT, PATCH, DELETE) per user, or per address without one;
    reads are not limited here."""

    scope = "api_write"

    def __init__(self) -> None:
        super().__init__(settings.RATE_LIMITS[self.scope])

    def allow_request(self, request: HttpRequest) -> bool:
        self.num_requests, self.duration = self.parse_rate(settings.RATE_LIMITS[self.scope])
        return super().allow_request(request)

    def get_cache_key(self, request: HttpRequest) -> str | None:
        if request.method in ("GET", "HEAD", "OPTIONS"):
            return None
        user = getattr(request, "user", None)
        ident = (
            f"user:{user.pk}" if user is not None and user.is_authenticated else client_ip(request)
        )
        return self.cache_format % {"scope": self.scope, "ident": _digest(ident)}
