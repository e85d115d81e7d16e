"""No account's e-mail address or personal name on anything a visitor can fetch: every
public page, feed, export and open-data file of the demo (`observatoire demo load`),
reached by following links as an anonymous visitor, and the public API.

The only addresses allowed are the functional contacts an authority publishes on purpose
(the `contact_email` of a published register entry or use case).
"""

import io
import re
import shutil
import subprocess
import tempfile
from collections import deque
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
from django.core.management import call_command
from django.test import Client

EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
HREF = re.compile(r"""(?:href|src)=["']([^"'#]+)""")
START = [
    "/", "/registre/", "/cas-usage/", "/cas-usage/?scope=europe", "/cas-usage/flux.atom",
    "/barometre/", "/territoires/", "/registre/export/csv/", "/registre/export/json/",
    "/registre/export/eurocities/", "/registre/export/nl/", "/registre/export/atrs/",
    "/api/v1/registre/entries", "/api/v1/cas-usage/cases", "/api/v1/barometre/editions",
    "/api/v1/questionnaires/", "/api/v1/territoires/authorities?q=plaisir",
]  # fmt: skip
SKIPPED = ("/admin/", "/comptes/", "/static/", "/api/v1/docs", "/media/")
pytestmark = pytest.mark.django_db  # the test database (the demo is loaded by `demo`)

PER_SHAPE = 4  # pages of one shape (digits and codes aside) fetched at most
LIMIT = 700  # pages fetched at most


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """The demonstration data, loaded once by the README's command, removed afterwards."""
    with django_db_blocker.unblock():
        call_command("demo", "load", stdout=io.StringIO())
        yield
        call_command("flush", interactive=False, verbosity=0)


def _shape(url: str) -> str:
    """/registre/fiche/12/ and /registre/fiche/13/ share a shape; so do queries' values."""
    parts = urlsplit(url)
    path = re.sub(r"/[^/]*\d[^/]*", "/N", parts.path)
    keys = sorted(k.split("=")[0] for k in parts.query.split("&") if k)
    return path + "?" + "&".join(keys)


def _text(url: str, response) -> str:
    """What a reader of the file sees, whatever its format."""
    content = b"".join(response.streaming_content) if response.streaming else response.content
    suffix = Path(urlsplit(url).path).suffix
    kind = response.get("Content-Type", "")
    if "pdf" in kind:
        with tempfile.NamedTemporaryFile(suffix=".pdf") as pdf:
            pdf.write(content)
            pdf.flush()
            return subprocess.run(
                ["pdftotext", pdf.name, "-"], capture_output=True, text=True, check=True
            ).stdout
    if suffix == ".parquet":
        import polars

        return polars.read_parquet(io.BytesIO(content)).write_csv()
    if suffix in (".sav", ".dta"):
        import pyreadstat

        with tempfile.NamedTemporaryFile(suffix=suffix) as data:
            data.write(content)
            data.flush()
            read = pyreadstat.read_sav if suffix == ".sav" else pyreadstat.read_dta
            frame, meta = read(data.name, output_format="polars")
            return frame.write_csv() + str(meta.column_labels) + str(meta.variable_value_labels)
    return content.decode("utf-8", errors="replace")


def _crawl(client: Client) -> dict[str, str]:
    """Follow every same-site link from the public entry points, a few pages per shape."""
    seen: dict[str, str] = {}
    shapes: dict[str, int] = {}
    queue = deque(START)
    while queue and len(seen) < LIMIT:
        url = queue.popleft()
        if url in seen or url.startswith(SKIPPED):
            continue
        shape = _shape(url)
        if shapes.get(shape, 0) >= PER_SHAPE and url not in START:
            continue
        shapes[shape] = shapes.get(shape, 0) + 1
        response = client.get(url)
        if response.status_code != 200:
            seen[url] = ""
            continue
        text = _text(url, response)
        seen[url] = text
        if "html" in response.get("Content-Type", ""):
            for link in HREF.findall(text):
                absolute = urljoin(url, link.replace("&amp;", "&"))
                parts = urlsplit(absolute)
                if parts.scheme in ("", "http") and parts.netloc in ("", "testserver"):
                    queue.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return seen


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils (pdftotext) absent")
def test_public_pages_and_files_name_no_account(demo):
    """No account's address or full name anywhere public; the only addresses are the
    functional contacts that authorities publish."""
    from observatoire.accounts.models import User
    from observatoire.cas_usage.models import UseCase
    from observatoire.registre.models import Entry

    pages = _crawl(Client())
    fetched = [url for url, text in pages.items() if text]
    assert len(fetched) > 100, "le parcours n'a presque rien trouvé"
    kinds = {"/barometre/", "/registre/fiche/", "/cas-usage/", "/donnees/", "/pdf/", "flux"}
    assert all(any(kind in url for url in fetched) for kind in kinds)

    published = {
        *Entry.objects.published().values_list("contact_email", flat=True),
        *UseCase.objects.published().values_list("contact_email", flat=True),
    }
    accounts = list(User.objects.values_list("email", "first_name", "last_name"))
    assert len(accounts) >= 4
    leaks = []
    for url, text in pages.items():
        for email in set(EMAIL.findall(text)) - published:
            leaks.append(f"{url} : adresse {email}")
        for email, first, last in accounts:
            for private in (email, f"{first} {last}".strip()):
                if private and private.lower() in text.lower():
                    leaks.append(f"{url} : {private}")
    assert not leaks, "\n".join(sorted(set(leaks)))
