"""A strict Content-Security-Policy on every page: scripts and styles from this site only,
no inline script, style or event handler; Vega without 'unsafe-eval'; only the embeddable
register page may be framed, by any site."""

import io
import re
from pathlib import Path

import pytest
from django.urls import reverse

from observatoire.cas_usage.factories import UseCaseFactory
from observatoire.conftest import login
from observatoire.registre.choices import Status
from observatoire.registre.factories import full_entry

TEMPLATES = Path(__file__).resolve().parents[2]
# Rendered by WeasyPrint into PDF files, never served as pages.
PDF_TEMPLATES = {"barometre/report.html", "diagnostic/report.html", "registre/entry_pdf.html"}


def policy(response) -> dict[str, str]:
    header = response["Content-Security-Policy"]
    return {part.split()[0]: part for part in (p.strip() for p in header.split(";")) if part}


@pytest.mark.django_db
def test_pages_and_api_send_the_strict_policy(client, authority_a):
    """Pages, the API docs and the API send script-src 'self' without 'unsafe-inline' nor
    'unsafe-eval', and refuse to be framed; the embed page alone may be framed."""
    full_entry(authority_a, status=Status.PUBLISHED)
    for url in ["/", "/registre/", "/cas-usage/", "/comptes/connexion/", "/api/v1/docs"]:
        response = client.get(url)
        directives = policy(response)
        assert directives["script-src"] == "script-src 'self'", url
        assert directives["style-src"] == "style-src 'self'", url
        assert directives["frame-ancestors"] == "frame-ancestors 'none'", url
        assert "unsafe" not in response["Content-Security-Policy"], url
    embed = client.get(reverse("registre:embed", args=[authority_a.siren]))
    assert policy(embed)["frame-ancestors"] == "frame-ancestors *"
    assert policy(embed)["script-src"] == "script-src 'self'"
    assert "X-Frame-Options" not in embed


def test_no_inline_script_style_or_event_handler_in_templates():
    """No template carries an inline <script> (only JSON data), a <style> element, a style
    attribute or an on…= handler: the policy would block them, so they live in static files."""
    problems = []
    for path in TEMPLATES.glob("**/templates/**/*.html"):
        name = str(path).split("/templates/", 1)[1]
        if name in PDF_TEMPLATES:
            continue
        text = path.read_text(encoding="utf-8")
        for tag in re.findall(r"<script\b[^>]*>", text):
            if "src=" not in tag and 'type="application/json"' not in tag:
                problems.append(f"{name}: {tag}")
        problems += [f"{name}: <style>" for _ in re.findall(r"<style\b", text)]
        problems += [f"{name}: {m}" for m in re.findall(r"\s(on[a-z]+|style)=[\"']", text)]
    assert problems == []


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_no_page_breaks_the_policy_in_chromium(page, request):
    """Chromium reports no CSP violation on the site's pages — a barometer chart drawn by
    Vega with its tooltip, the questionnaire's live form, the register, the catalogue, the
    embed page, the API docs — and the chart and the form work."""
    from observatoire.barometre import demo
    from observatoire.questionnaires.services import load_builtin
    from observatoire.territoires import services as territoires

    territoires.import_vintage(2024)
    demo.load(io.StringIO())
    users = request.getfixturevalue("users")  # after the demo: its weighting sees no extra
    authority_a = users["referent_a"].authority
    full_entry(authority_a, status=Status.PUBLISHED)
    UseCaseFactory(authority=authority_a)
    violations: list[str] = []
    page.on(
        "console",
        lambda message: (
            violations.append(f"{page.url}: {message.text}")
            if "Content Security Policy" in message.text
            else None
        ),
    )
    siren = authority_a.siren
    for url in [
        "/",
        "/barometre/barometre-2024/",
        "/registre/",
        f"/registre/collectivite/{siren}/",
        f"/registre/collectivite/{siren}/integration/",
        "/cas-usage/",
        "/territoires/?q=Plaisir",
        "/api/v1/docs",
    ]:
        page.goto(url)
        page.wait_for_load_state("networkidle")
    page.locator("#swagger-ui .opblock").first.wait_for()

    page.goto("/barometre/barometre-2024/indicateur/projet_donnee_2ans/")
    page.locator("#chart-trend[data-ready=true]").wait_for()
    page.locator("#chart-trend .mark-symbol path").first.hover(force=True)
    page.locator("#vg-tooltip-element.visible").wait_for()

    questionnaire = load_builtin(2024)
    login(page, users["referent_a"])
    page.goto("/questionnaires/")
    page.get_by_role("button", name=f"Répondre {questionnaire.title}").click()
    page.get_by_role("link", name="Intelligence artificielle").click()
    page.get_by_label("Oui, au moins une solution est en test").check()
    page.locator("#q-ia_technologies").wait_for(state="visible")
    assert violations == []
