"""Cached public pages (core.cache): a visitor's second read costs no query, a change shows
at once, and nothing personal is ever kept or shared."""

import time
from datetime import timedelta

import pytest
from django.db import connection
from django.http import HttpResponse
from django.template import engines
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from observatoire.accounts.models import AnonymousVisitor
from observatoire.barometre import services
from observatoire.barometre.factories import make_edition
from observatoire.barometre.tests.test_manage import FILE, SAMPLE, ia_answers
from observatoire.cas_usage import services as cas_usage
from observatoire.cas_usage.factories import UseCaseFactory
from observatoire.core.cache import cached_page, topics_stamp
from observatoire.registre import services as registre
from observatoire.registre.factories import EntryFactory
from observatoire.territoires.factories import AuthorityFactory

pytestmark = pytest.mark.django_db


def served_from_cache(client, url, **params) -> str:
    """The page, read twice: the second read must make no query."""
    first = client.get(url, params).content.decode()
    with CaptureQueriesContext(connection) as queries:
        again = client.get(url, params).content.decode()
    assert not queries.captured_queries, [q["sql"] for q in queries.captured_queries]
    assert again == first
    return again


def test_register_search_shows_a_published_entry_right_after(client, users, authority_a):
    entry = EntryFactory(
        authority=authority_a, name="Agent conversationnel Optimus", ai_act_level="minimal"
    )
    assert "Optimus" not in served_from_cache(client, "/registre/", q="conversationnel")
    registre.submit_entry(entry, by=users["referent_a"])
    registre.approve_entry(entry, by=users["analyst"])
    assert "Optimus" in served_from_cache(client, "/registre/", q="conversationnel")
    # The same search with its parameters in another order is the same page.
    client.get("/registre/?theme=&q=conversationnel")
    with CaptureQueriesContext(connection) as queries:
        client.get("/registre/?q=conversationnel&theme=")
    assert not queries.captured_queries


def test_api_entry_shows_an_edit_right_after(client, authority_a):
    entry = EntryFactory(authority=authority_a, status="published", ai_act_level="minimal")
    url = f"/api/v1/registre/entries/{entry.pk}"
    assert entry.name in served_from_cache(client, url)
    entry.name = "Tri des courriers entrants"
    entry.save()
    assert "Tri des courriers entrants" in served_from_cache(client, url)
    entry.delete()
    assert client.get(url).status_code == 404


def test_catalogue_search_shows_an_edit_right_after(client, users, authority_a):
    case = UseCaseFactory(title="Cantine zéro gaspillage", authority=authority_a)
    assert "Cantine zéro gaspillage" in served_from_cache(client, "/cas-usage/", q="cantine")
    cas_usage.update_case(case, {"title": "Cantine sans plastique"}, by=users["analyst"])
    page = served_from_cache(client, "/cas-usage/", q="cantine")
    assert "Cantine sans plastique" in page and "zéro gaspillage" not in page


def test_home_counts_follow_the_authorities(client):
    AuthorityFactory(kind="commune")
    assert "couvre 1 communes" in served_from_cache(client, "/")
    AuthorityFactory(kind="commune")
    assert "couvre 2 communes" in served_from_cache(client, "/")


def test_signed_in_users_and_api_tokens_never_share_a_page(client, client_for):
    """A logged-in user's page is neither kept nor served from a visitor's; a request with
    an Authorization header (an API token) is always answered fresh."""
    UseCaseFactory(title="Cantine zéro gaspillage")
    visitor = served_from_cache(client, "/cas-usage/", q="cantine")
    analyst = client_for("analyst")
    for _ in range(2):
        with CaptureQueriesContext(connection) as queries:
            page = analyst.get("/cas-usage/", {"q": "cantine"}).content.decode()
        assert queries.captured_queries and page != visitor
        assert "Thésaurus" in page  # the analysts' links
    assert "Thésaurus" not in served_from_cache(client, "/cas-usage/", q="cantine")
    entry = EntryFactory(status="published", ai_act_level="minimal")
    url = f"/api/v1/registre/entries/{entry.pk}"
    served_from_cache(client, url)
    with CaptureQueriesContext(connection) as queries:
        client.get(url, HTTP_AUTHORIZATION="Bearer jeton-inconnu")
    assert queries.captured_queries


def test_a_page_that_sets_a_cookie_or_carries_a_form_token_is_not_kept():
    """A CSRF form token (its cookie must be sent) or any cookie: the view runs every time."""
    calls = []
    template = engines["django"].from_string("<form>{% csrf_token %}</form>")

    @cached_page(topics_stamp("essai"))
    def with_form(request):
        calls.append(1)
        return HttpResponse(template.render({}, request))

    @cached_page(topics_stamp("essai"))
    def with_cookie(request):
        calls.append(1)
        response = HttpResponse("bonjour")
        response.set_cookie("choix", "1")
        return response

    @cached_page(topics_stamp("essai"))
    def plain(request):
        calls.append(1)
        return HttpResponse("bonjour")

    factory = RequestFactory()
    for view, runs in [(with_form, 2), (with_cookie, 2), (plain, 1)]:
        calls.clear()
        for _ in range(2):
            request = factory.get(f"/{view.__name__}/")
            request.user = AnonymousVisitor()  # as the middleware makes it
            view(request)
        assert len(calls) == runs, view.__name__


def test_barometer_pages_follow_publications_and_embargo_ends(client, users):
    """The list and the API show an edition when it is published, and again when its embargo
    ends, with no save in between (the pages change by themselves at that time)."""
    edition = make_edition(SAMPLE, answers=ia_answers)
    services.update_indicators(edition, FILE, by=users["analyst"])
    services.weight_edition(edition)
    assert edition.code not in served_from_cache(client, "/api/v1/barometre/editions")
    ends = timezone.now() + timedelta(seconds=2)
    services.publish_edition(edition, by=users["analyst"], embargo_until=ends)
    assert f"/barometre/{edition.code}/" not in served_from_cache(client, "/barometre/")
    assert edition.code not in served_from_cache(client, "/api/v1/barometre/editions")
    time.sleep(max(0, (ends - timezone.now()).total_seconds()) + 0.1)
    assert f"/barometre/{edition.code}/" in served_from_cache(client, "/barometre/")
    assert edition.code in served_from_cache(client, "/api/v1/barometre/editions")


def test_a_visitors_hit_skips_the_session_and_keeps_every_header(client, authority_a):
    """The second read is served by CachedPageMiddleware before sessions, authentication
    and CSP run, with the headers the first read had (CSP, framing, type, length, Vary)."""
    EntryFactory(authority=authority_a, status="published", ai_act_level="minimal")
    first = client.get("/registre/", {"q": "eau"})
    again = client.get("/registre/", {"q": "eau"})
    assert hasattr(first.wsgi_request, "session")
    assert not hasattr(again.wsgi_request, "session") and not hasattr(again.wsgi_request, "user")
    assert sorted(again.items()) == sorted(first.items())
    assert again["Content-Security-Policy"] and again["X-Frame-Options"] == "DENY"
    assert again.content == first.content
    # A visitor who has a session (a signed-in user's cookie) goes down the whole chain.
    client.cookies["sessionid"] = "inconnue"
    assert hasattr(client.get("/registre/", {"q": "eau"}).wsgi_request, "session")
