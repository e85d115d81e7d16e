"""Whole public pages kept in Django's cache (Redis in production: CACHE_URL).

A page is stored under its address and a stamp of the data it shows, so a change makes
every page that shows it new at once, without purging anything. The stamp is either read
from the database (the barometer: its latest published version, which also changes when an
embargo ends) or the generations of *topics* (`topics_stamp`): a random token per topic
kept in the cache and replaced whenever a model the topic follows is saved or deleted
(`follow`) or after a bulk change the signals do not see (`pages_changed`). Only anonymous
GETs without an API token that set no cookie are kept: a page with a form token, a
message or a user's own data is never shared.
"""

import hashlib
import threading
import time
import uuid
from collections import OrderedDict
from collections.abc import Callable, Iterable
from datetime import datetime
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import Model
from django.db.models.signals import post_delete, post_save
from django.http import HttpRequest, HttpResponse
from django.utils import timezone


def cached_page(stamp: Callable[[], Any]) -> Callable:
    """Decorate a public view: its anonymous GET pages are kept until `stamp()` changes."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not _may_share(request) or request.user.is_authenticated:
                return view(request, *args, **kwargs)
            _learn(request.path, stamp)
            key = page_key(stamp, request)
            kept = _kept(key)
            if kept is not None:
                return _served(kept)
            response = view(request, *args, **kwargs)
            if getattr(request, "_page_cache_middleware", False):
                request._page_key = key  # type: ignore[attr-defined]  # kept by the middleware
            else:
                _keep(key, request, response)
            return response

        return wrapper

    return decorator


class CachedPageMiddleware:
    """Serves a kept page before sessions, locale, CSRF, authentication, messages and CSP
    are set up, and keeps a new one with the headers they added.

    A hit is a visitor's GET with no session, message or API token (so no user's page)
    for an address whose view this process has seen decorated with `cached_page` (a path
    names one view): one cache read for the stamp, the page from this process's copy.
    Everything else goes down the chain unchanged. Place it after WhiteNoise: the security
    middleware above it still adds HSTS and the redirect to HTTPS.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        stamp = _STAMPS.get(request.path)
        if (
            stamp is not None
            and _may_share(request)
            and settings.SESSION_COOKIE_NAME not in request.COOKIES
        ):
            kept = _kept(page_key(stamp, request))
            if kept is not None:
                return _served(kept)
        request._page_cache_middleware = True  # type: ignore[attr-defined]
        response = self.get_response(request)
        key = getattr(request, "_page_key", None)
        if key is not None:
            _keep(key, request, response)
        return response


def _may_share(request: HttpRequest) -> bool:
    """A GET whose page may be anyone's: no API token, no message waiting in a cookie."""
    return (
        request.method == "GET"
        and "HTTP_AUTHORIZATION" not in request.META
        and "messages" not in request.COOKIES
    )


def page_key(stamp: Callable[[], Any], request: HttpRequest) -> str:
    address = f"{stamp()}|{request.path}?{normalised_query(request)}"
    return "page:v2:" + hashlib.sha256(address.encode()).hexdigest()  # v2: with headers


# A kept page: its body and its headers (Content-Type, Content-Length, CSP, Vary…).
Kept = tuple[bytes, list[tuple[str, str]]]


def _keep(key: str, request: HttpRequest, response: HttpResponse) -> None:
    """Keep a page that is anyone's: a 200 that sets no cookie (a form token, a session)."""
    if (
        response.status_code == 200
        and not response.streaming
        and not response.cookies
        and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
    ):
        kept = (response.content, list(response.items()))
        cache.set(key, kept, settings.CACHE_PAGES_SECONDS)
        _remember(key, kept)


def _served(kept: Kept) -> HttpResponse:
    content, headers = kept
    return HttpResponse(content, headers=dict(headers))


# path → the stamp of the cached view it names, learned by `cached_page` in this process
# (the URLs are fixed, so a path always names the same view); bounded.
_STAMPS: dict[str, Callable[[], Any]] = {}
_STAMPS_SIZE = 20_000


def _learn(path: str, stamp: Callable[[], Any]) -> None:
    if path not in _STAMPS:
        if len(_STAMPS) >= _STAMPS_SIZE:
            _STAMPS.clear()
        _STAMPS[path] = stamp


# This process's most read pages, in front of the shared cache: a page's key holds its
# stamp, so a copy here is never older than the shared one (and expires with it), and a
# hit is one cache read (the stamp) instead of two.
_LOCAL: OrderedDict[str, tuple[float, Kept]] = OrderedDict()
_LOCAL_SIZE = 256
_local_lock = threading.Lock()


def _kept(key: str) -> Kept | None:
    with _local_lock:
        local = _LOCAL.get(key)
        if local is not None and local[0] > time.monotonic():
            _LOCAL.move_to_end(key)
            return local[1]
    kept = cache.get(key)
    if kept is not None:
        _remember(key, kept)
    return kept


def _remember(key: str, kept: Kept) -> None:
    with _local_lock:
        _LOCAL[key] = (time.monotonic() + settings.CACHE_PAGES_SECONDS, kept)
        _LOCAL.move_to_end(key)
        while len(_LOCAL) > _LOCAL_SIZE:
            _LOCAL.popitem(last=False)


def normalised_query(request: HttpRequest) -> str:
    """The query string with its parameters in name order: `?q=eau&page=2` and
    `?page=2&q=eau` are one page (a parameter's repeated values keep their order)."""
    return urlencode(sorted(request.GET.lists(), key=lambda item: item[0]), doseq=True)


# --- Topics: generations replaced on change ---------------------------------------------


def _generation_key(topic: str) -> str:
    return f"generation:{topic}"


def topics_stamp(*topics: str) -> Callable[[], tuple]:
    """A stamp for `cached_page`: the current generation of each topic (one cache read) and
    how many of its moments have passed."""
    keys = [_generation_key(topic) for topic in topics]

    def stamp() -> tuple:
        found = cache.get_many(keys)
        if len(found) < len(keys):  # first read, or evicted: a new generation, never an old one
            for topic, key in zip(topics, keys, strict=True):
                if key not in found:
                    moments = _MOMENTS[topic]() if topic in _MOMENTS else []
                    cache.add(key, (uuid.uuid4().hex, moments), None)
            found = cache.get_many(keys)
        now = timezone.now()
        return tuple(
            (token, sum(1 for moment in moments if moment <= now))
            for token, moments in (found[key] for key in keys)
        )

    return stamp


def pages_changed(*topics: str) -> None:
    """The pages of these topics are renewed: now (this transaction's own reads) and again
    at commit (a page read by another request meanwhile showed the data before it)."""
    keys = [_generation_key(topic) for topic in topics]
    cache.delete_many(keys)
    transaction.on_commit(lambda: cache.delete_many(keys))


# topic → the times at which its pages change by themselves (an embargo's end), read once
# per generation.
_MOMENTS: dict[str, Callable[[], list[datetime]]] = {}


def follow(
    topic: str,
    models: Iterable[type[Model]],
    moments: Callable[[], list[datetime]] | None = None,
) -> None:
    """Every save or delete of these models renews the topic's pages (call from `ready`);
    so does each of its `moments` when it comes."""
    if moments is not None:
        _MOMENTS[topic] = moments

    def changed(sender: type[Model], **kwargs: Any) -> None:
        if not kwargs.get("raw"):  # loaddata: a restore renews everything itself
            pages_changed(topic)

    for model in models:
        uid = f"pages:{topic}:{model._meta.label}"
        post_save.connect(changed, sender=model, weak=False, dispatch_uid=uid)
        post_delete.connect(changed, sender=model, weak=False, dispatch_uid=uid)
