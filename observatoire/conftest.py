"""Shared fixtures: personas (as in healthchecks' hc/test.py) and a real browser."""

import os
import shutil
from pathlib import Path

import pytest
from django.test import Client

from observatoire.accounts.choices import Role
from observatoire.accounts.factories import UserFactory
from observatoire.territoires.choices import Kind
from observatoire.territoires.factories import AuthorityFactory

# Playwright's sync API keeps an event loop in the test thread; Django must not mistake the
# tests' own ORM calls for async code.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

PERSONAS = ["anonymous", "reader", "referent_a", "colleague_a", "referent_b", "analyst"]
OUTPUT_DIR = Path(os.environ.get("TEST_OUTPUT_DIR", Path(__file__).parent.parent / "test-output"))


def pytest_collection_modifyitems(config, items):
    """``@pytest.mark.postgresql``: a test of what only PostgreSQL does (row locks), skipped
    on SQLite, which serialises writes."""
    from django.db import connection

    if connection.vendor == "sqlite":
        skip = pytest.mark.skip(reason="SQLite sérialise les écritures : test pour PostgreSQL.")
        for item in items:
            if item.get_closest_marker("postgresql"):
                item.add_marker(skip)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Under ./scripts/test, which installs every tool the tests use (R, poppler, Node, the
    shared PSTW file), a test skipped for a missing tool fails: nothing is skipped silently."""
    outcome = yield
    report = outcome.get_result()
    if (
        report.skipped
        and os.environ.get("OBSERVATOIRE_EVERY_TOOL")
        and not item.get_closest_marker("postgresql")
    ):
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else report.longrepr
        report.outcome = "failed"
        report.longrepr = f"sauté alors que ./scripts/test installe tout : {reason}"


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Personas are created for most tests; the default hasher costs ~0.5 s per user."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def fresh_rate_limits():
    """Rate limits count in the cache (local memory in tests): each test starts from zero."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def authority_a(db):
    return AuthorityFactory(code="78490", siren="217804905", name="Plaisir", population=31_811)


@pytest.fixture
def authority_b(db):
    return AuthorityFactory(
        kind=Kind.COMMUNE,
        code="25056",
        siren="212500565",
        name="Besançon",
        population=119_198,
        departement="25",
        region="27",
    )


@pytest.fixture
def users(db, authority_a, authority_b):
    """One user per persona; anonymous is None."""
    return {
        "anonymous": None,
        "reader": UserFactory(role=Role.READER),
        "referent_a": UserFactory(role=Role.REFERENT, authority=authority_a),
        "colleague_a": UserFactory(role=Role.REFERENT, authority=authority_a),
        "referent_b": UserFactory(role=Role.REFERENT, authority=authority_b),
        "analyst": UserFactory(role=Role.ANALYST),
    }


@pytest.fixture
def client_for(users):
    """client_for("referent_a") → a test client logged in as that persona."""

    def make(persona: str) -> Client:
        client = Client()
        if users[persona] is not None:
            client.force_login(users[persona])
        return client

    return make


# --- Browser: Debian's Chromium driven by Playwright -------------------------------------

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser():
    if shutil.which(CHROMIUM) is None:
        pytest.fail(f"Chromium introuvable ({CHROMIUM}) : lancez ./scripts/test qui l'installe.")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server.url, locale="fr-FR")
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def login(page, user, password=None):
    """Log a persona in through the real login form."""
    from observatoire.accounts.factories import PASSWORD

    page.goto("/comptes/connexion/")
    page.get_by_label("Nom d’utilisateur").or_(page.get_by_label("Nom d'utilisateur")).fill(
        user.username
    )
    page.get_by_label("Mot de passe").fill(password or PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(lambda url: "/connexion/" not in url)


def check_accessibility(page, name: str) -> None:
    """Run axe-core on the page, save a screenshot, fail on serious or critical violations."""
    import axe_playwright_python

    OUTPUT_DIR.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(OUTPUT_DIR / f"{name}.png"), full_page=True)
    script = Path(axe_playwright_python.__file__).with_name("axe.min.js").read_text()
    page.evaluate(script)
    result = page.evaluate("async () => await axe.run(document)")
    bad = [v for v in result["violations"] if v["impact"] in {"serious", "critical"}]
    details = [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']]}" for v in bad
    ]
    assert not bad, f"axe-core sur {name} :\n" + "\n".join(details)


# --- The task queue's worker, a real process on the test database -------------------------


@pytest.fixture(autouse=True)
def empty_cache():
    """Public pages are cached by address; a test must not see another test's page."""
    from django.core.cache import cache

    cache.clear()


def database_url() -> str:
    """The test database as a DATABASE_URL, for a process started by a test."""
    from django.db import connection

    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.fixture
def start_worker(transactional_db, settings):
    """start_worker() → a running `observatoire worker` process on the test database (with
    one-second heartbeats and a ten-second timeout, as the test process: a PDF's chart
    conversion may hold the interpreter for seconds on a busy machine), stopped after."""
    import subprocess
    import sys

    settings.JOB_HEARTBEAT_SECONDS, settings.JOB_TIMEOUT_SECONDS = 1, 10
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "DATA_DIR": str(settings.DATA_DIR),
        "JOB_HEARTBEAT_SECONDS": "1",
        "JOB_TIMEOUT_SECONDS": "10",
    }
    command = [sys.executable, "-m", "observatoire.cli", "worker", "--interval", "0.1"]
    processes = []

    def start() -> subprocess.Popen:
        args = [*command, "--no-startup-delay", "--no-reload"]
        processes.append(subprocess.Popen(args, env=env))
        return processes[-1]

    yield start
    for process in processes:
        process.kill()
        process.wait()
