"""Each stratum against the whole universe: the gap and its test, computed from the demo's
microdata with the design, stored, published, exported and shown on the pages."""

import csv
import io
import re

import pytest

from observatoire.barometre import opendata
from observatoire.barometre.choices import Flag
from observatoire.barometre.models import Edition, Result

pytestmark = pytest.mark.django_db
NBSP = "\u00a0"


@pytest.fixture
def edition(demo_module):
    return Edition.objects.get(code="barometre-2024")


def published(code: str, indicator: str, category: str, domain: str, level: str) -> Result:
    edition = Edition.objects.get(code=code)
    return Result.objects.get(
        edition=edition,
        version=edition.published_version,
        indicator=indicator,
        category=category,
        domain=domain,
        level=level,
    )


def test_a_large_stratum_gap_is_significant_and_a_near_zero_one_is_not(demo_module):
    """Data tools in 2023: communes 17 % against 57 % overall (the BRIEF's figures), a gap
    of about −40 points, significant; in 2024 communes under 3 500 inhabitants are at the
    whole's level (62 %), a gap under one point, not significant."""
    communes = published("barometre-2023", "outils_donnee", "", "type", "commune")
    whole = published("barometre-2023", "outils_donnee", "", "", "")
    assert communes.gap == pytest.approx(communes.estimate - whole.estimate, abs=1e-12)
    assert communes.gap == pytest.approx(-0.40, abs=0.01)
    assert communes.gap_p < 0.001 and communes.gap_significant
    small = published("barometre-2024", "outils_donnee", "", "strate", "commune_lt_3500")
    assert abs(small.gap) < 0.01
    assert small.gap_p > 0.5 and not small.gap_significant
    assert small.gap_se > 0


def test_complementary_size_bands_get_the_same_test(demo_module):
    """The two size bands are unions of calibrated strata: for an indicator asked of every
    respondent their sizes are known, so their gaps to the whole are one contrast seen from
    both sides, with equal p-values. Adding the variances of domain and whole (as if they
    were independent) would make them differ."""
    edition = Edition.objects.get(code="barometre-2024")
    results = Result.objects.filter(edition=edition, version=edition.published_version)
    respondents = edition.weights.count()
    asked_of_all = {(r.indicator, r.category) for r in results.filter(domain="", n=respondents)}
    bands: dict[tuple[str, str], dict[str, Result]] = {}
    for r in results.filter(domain="taille", gap__isnull=False):
        bands.setdefault((r.indicator, r.category), {})[r.level] = r
    pairs = [b for key, b in bands.items() if len(b) == 2 and key in asked_of_all]
    assert len(pairs) > 20
    for pair in pairs:
        small, large = pair["moins_3500"], pair["plus_3500"]
        assert small.gap_p == pytest.approx(large.gap_p, rel=1e-6, abs=1e-12)
        assert small.gap * large.gap <= 0


def test_the_whole_and_suppressed_cells_have_no_gap(edition):
    """The whole has no gap to itself; a suppressed cell has none either (it would give
    the hidden figure away), in the database and in the open data."""
    results = Result.objects.filter(edition=edition, version=edition.published_version)
    assert not results.filter(domain="", gap__isnull=False).exists()
    assert results.filter(flag=Flag.SUPPRESS).exists()
    assert not results.filter(flag=Flag.SUPPRESS, gap__isnull=False).exists()
    hidden_wholes = {
        (r.indicator, r.category) for r in results.filter(domain="", flag=Flag.SUPPRESS)
    }
    for r in results.exclude(domain="").exclude(flag=Flag.SUPPRESS):
        assert (r.gap is None) == ((r.indicator, r.category) in hidden_wholes), r
    rows = list(csv.DictReader(io.StringIO(opendata.results_csv(edition))))
    for row in rows:
        hidden = (row["indicateur"], row["modalite"]) in hidden_wholes
        if row["domaine"] == "" or row["diffusion"] == "non_diffuse" or hidden:
            assert row["ecart_ensemble"] == "" and row["ecart_ensemble_p"] == "", row
        else:
            assert row["ecart_ensemble"] != "" and 0 <= float(row["ecart_ensemble_p"]) <= 1
    stored = results.get(indicator="outils_donnee", category="", domain="type", level="commune")
    row = next(
        r for r in rows if (r["indicateur"], r["domaine"], r["niveau"]) == ("outils_donnee", "type", "commune")
    )  # fmt: skip
    assert float(row["ecart_ensemble"]) == round(stored.gap, 4)


def table_rows(html: str) -> dict[str, list[str]]:
    """Text of the cells of each body row of the comparison table, keyed by indicator title
    (no-break spaces and entities as they are in the page)."""
    body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    out = {}
    for row in body.split("<tr>")[1:]:
        title = re.search(r"<a [^>]*>([^<]+)</a>", row).group(1)
        cells = re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
        out[title] = [re.sub(r"[ \t\n]+", " ", re.sub(r"<[^>]+>", "", c)).strip() for c in cells]
    return out


def test_comparison_page_says_whether_the_stratum_differs(client, edition):
    """With a stratum chosen, each indicator shows the stratum's value with its margin, the
    whole's, the gap in points and, in words, whether it is significant; a suppressed
    stratum cell shows "non diffusé" and no gap."""
    html = client.get(
        "/barometre/barometre-2024/comparer/?niveau=commune_10000_100000&avec=barometre-2023"
    ).content.decode()
    assert "Écart à l’ensemble" in html
    rows = table_rows(html)
    overall, mine, gap, _previous, _change = rows["Projets d&#x27;IA par domaine"]
    assert overall.startswith(f"29{NBSP}%") and mine.startswith(f"59{NBSP}%")
    assert "marge d’erreur ± " in mine
    assert gap == f"+30{NBSP}points — écart significatif (p&nbsp;&lt;&nbsp;0,05)"
    seen = {"significatif": 0, "non significatif": 0, "non diffusé": 0}
    for title, (_overall, mine, gap, _previous, _change) in rows.items():
        if mine.startswith("non diffusé"):
            seen["non diffusé"] += 1
            assert gap == "—", title
        elif gap.endswith("écart non significatif"):
            seen["non significatif"] += 1
        else:
            assert gap.endswith("écart significatif (p&nbsp;&lt;&nbsp;0,05)"), (title, gap)
            seen["significatif"] += 1
        assert re.match(r"^[+−]?\d+\xa0points? — |^—$", gap), (title, gap)
    assert seen["significatif"] >= 1 and seen["non significatif"] >= 5 and seen["non diffusé"] >= 1


def test_comparison_page_without_a_stratum_has_no_gap_column(client, edition):
    """Before a stratum is chosen the page compares editions only and invites to choose."""
    html = client.get("/barometre/barometre-2024/comparer/").content.decode()
    assert "choisissez une strate" in html
    assert "Écart à l’ensemble" not in html


def test_comparison_page_preselects_a_referents_stratum(client, edition):
    """A référent sees its own stratum chosen and a link to its diagnostic; it can still
    choose no stratum."""
    from observatoire.accounts.choices import Role
    from observatoire.accounts.factories import UserFactory
    from observatoire.territoires.models import Authority

    authority = Authority.objects.filter(stratum="commune_3500_10000").first()
    client.force_login(UserFactory(role=Role.REFERENT, authority=authority))
    response = client.get("/barometre/barometre-2024/comparer/")
    assert response.context["level"] == "commune_3500_10000"
    assert "Écart à l’ensemble" in response.content.decode()
    assert "lancer son autodiagnostic" in response.content.decode()
    assert client.get("/barometre/barometre-2024/comparer/?niveau=").context["level"] == ""


def test_indicator_page_marks_each_domain_gap(client, edition):
    """The indicator's table by domain gives each level's gap to the whole and its verdict."""
    html = client.get(
        "/barometre/barometre-2024/indicateur/ia_domaines/?domaine=strate"
    ).content.decode()
    row = re.search(
        r'<tr data-level="commune_10000_100000" data-category="administration">(.*?)</tr>',
        html,
        re.S,
    ).group(1)
    assert f"+30{NBSP}points (significatif)" in row
    assert "(non significatif)" in html
