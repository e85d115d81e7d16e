"""One vocabulary of roles, one way to require login, every refusal in French through gettext."""

import ast
from pathlib import Path

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from observatoire.accounts.choices import Role
from observatoire.accounts.factories import UserFactory
from observatoire.accounts.models import AnonymousVisitor
from observatoire.conftest import PERSONAS
from observatoire.questionnaires.factories import small_questionnaire
from observatoire.questionnaires.models import Response

PACKAGE = Path(__file__).resolve().parents[2]


@pytest.fixture
def reader_with_authority(db, authority_a):
    """A reader attached to an authority (an agent who logged in, not a référent)."""
    return UserFactory(role=Role.READER, authority=authority_a)


@pytest.mark.parametrize("persona", PERSONAS)
def test_each_persona_answers_the_same_questions(users, authority_a, authority_b, persona):
    """is_analyst, is_referent and can_act_for, asked of every persona and of a visitor."""
    user = users[persona] or AnonymousVisitor()
    analyst = persona == "analyst"
    assert user.is_analyst is analyst
    assert user.is_referent is (persona in ("referent_a", "colleague_a", "referent_b"))
    assert user.can_act_for(authority_a) is (analyst or persona in ("referent_a", "colleague_a"))
    assert user.can_act_for(authority_b) is (analyst or persona == "referent_b")


def test_a_reader_with_an_authority_acts_for_none(reader_with_authority, authority_a):
    """Being attached to an authority is not being its référent."""
    assert not reader_with_authority.is_referent
    assert not reader_with_authority.can_act_for(authority_a)


def test_a_reader_with_an_authority_cannot_start_a_response(reader_with_authority, db):
    """It once could, and then could not see the response it had started."""
    small_questionnaire()
    client = Client()
    client.force_login(reader_with_authority)
    started = client.post(reverse("questionnaires:start", args=["essai-2024"]))
    assert started.status_code == 403
    assert not Response.objects.exists()
    assert client.post(reverse("diagnostic:start")).status_code == 403


def test_pages_see_a_visitor_with_the_same_vocabulary(db):
    """The middleware replaces Django's AnonymousUser by an AnonymousVisitor."""
    request = Client().get("/").wsgi_request
    assert isinstance(request.user, AnonymousUser) and isinstance(request.user, AnonymousVisitor)
    assert not request.user.is_analyst


def _is_staff(view) -> bool:
    return getattr(view, "__module__", "").endswith(".views_staff")


def _staff_urls(resolver: URLResolver, namespace: str = ""):
    """Every URL name whose view is in a views_staff.py module, and its view's arguments."""
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _staff_urls(entry, inner)
        elif isinstance(entry, URLPattern) and entry.name and _is_staff(entry.callback):
            yield f"{namespace}{entry.name}", tuple(entry.pattern.regex.groupindex)


SAMPLE_ARGS = {"code": "essai-2024", "pk": 1, "kind": "grille", "number": 1, "action": "ouvrir"}


def test_every_staff_page_sends_a_visitor_to_the_login_page(db):
    """Anonymous → the login page (and back), never a bare 403, on every back-office page and
    on the journal."""
    urls = sorted(set(_staff_urls(get_resolver())))
    assert len(urls) > 20
    paths = [reverse("core:audit")]
    for name, params in urls:
        paths.append(reverse(name, kwargs={p: SAMPLE_ARGS[p] for p in params}))
    client = Client()
    for path in paths:
        for method in (client.get, client.post):
            response = method(path)
            assert response.status_code in (302, 404, 405), (path, response.status_code)
            if response.status_code == 302:
                assert response["Location"].startswith(reverse("accounts:login")), path


def test_every_refusal_message_goes_through_gettext():
    """PermissionDenied and Http404 are raised with no message, with _(…), or with the
    message of an exception raised elsewhere (str(error))."""
    bare = []
    for path in PACKAGE.rglob("*.py"):
        if "tests" in path.parts or "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)):
                continue
            if node.func.id in ("PermissionDenied", "Http404") and node.args:
                message = node.args[0]
                if isinstance(message, ast.BinOp):  # _("… %(x)s") % {…}
                    message = message.left
                translated = (
                    isinstance(message, ast.Call)
                    and isinstance(message.func, ast.Name)
                    and message.func.id in ("_", "gettext", "gettext_lazy", "str")
                )
                if isinstance(message, (ast.Constant, ast.JoinedStr)):
                    translated = False
                elif not isinstance(message, ast.Call):
                    translated = True  # a message made elsewhere (str(exc)…)
                if not translated:
                    bare.append(f"{path.relative_to(PACKAGE)}:{node.lineno}")
    assert not bare
