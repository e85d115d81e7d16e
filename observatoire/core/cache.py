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
            if (
                request.method != "GET"
                or "HTTP_AUTHORIZATION" in request.META
                or request.user.is_authenticated
                or "messages" in request.COOKIES
            ):
                return view(request, *args, **kwargs)
            address = f"{stamp()}|{request.path}?{normalised_query(request)}"
            key = "page:" + hashlib.sha256(address.encode()).hexdigest()
            kept = _kept(key)
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
                _remember(key, kept)
            return response

        return wrapper

    return decorator


# This process's most read pages, in front of the shared cache: a page's key holds its
# stamp, so a copy here is never older than the shared one (and expires with it), and a
# hit is one cache read (the stamp) instead of two.
_LOCAL: OrderedDict[str, tuple[float, tuple[bytes, str]]] = OrderedDict()
_LOCAL_SIZE = 256
_local_lock = threading.Lock()


def _kept(key: str) -> tuple[bytes, str] | None:
    with _local_lock:
        local = _LOCAL.get(key)
        if local is not None and local[0] > time.monotonic():
            _LOCAL.move_to_end(key)
            return local[1]
    kept = cache.get(key)
    if kept is not None:
        _remember(key, kept)
    return kept


def _remember(key: str, kept: tuple[bytes, str]) -> None:
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
