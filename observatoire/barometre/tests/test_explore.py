"""The explorer of the 2024 demo edition: tables, disclosure, CSV, API, analysts' models."""

import csv
import io
from urllib.parse import urlencode

import numpy as np
import pytest
from scipy.linalg import null_space

from observatoire.barometre import explore
from observatoire.barometre.models import Edition, SavedModel
from observatoire.conftest import PERSONAS

pytestmark = pytest.mark.django_db
URL = "/barometre/barometre-2024/explorer/"
CHARTER = "q:gouv_documents:charte"
AI = "i:ia_usage"
SMALL = {"lignes": "d:strate", "colonnes": "q:ia_usage", "pct": "ensemble"}


@pytest.fixture
def edition(demo_module):
    return Edition.objects.get(code="barometre-2024")


def rows_of(content: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(content.decode())))


def test_charter_by_ai_gives_the_weighted_table_and_the_test_in_words(client, edition):
    """Crossing « charte de la donnée » with « IA déployée ou testée » shows the weighted
    table with margins of error, the Rao–Scott test in words, a chart with its data table,
    the CSV link and the shareable URL."""
    html = client.get(URL, {"lignes": CHARTER, "colonnes": AI}).content.decode()
    result = explore.explore(edition, explore.Query(CHARTER, AI))
    assert result.conclusion in html
    assert result.conclusion.startswith(("lien significatif (p", "pas de lien établi (p"))
    assert "Rao–Scott" in html and "spec-explore" in html and "± " in html
    assert "tableau.csv?lignes=q%3Agouv_documents%3Acharte" in html
    assert "http://testserver/barometre/barometre-2024/explorer/?lignes=" in html
    # Row percentages sum to 100 % in every row; the whole is every respondent of both.
    for line in result.grid[:-1]:
        shown = [c.estimate for c in line[:-1]]
        assert sum(shown) == pytest.approx(1.0)
    assert result.n == 289


def test_csv_has_the_numbers_of_the_page_and_no_bare_suppressed_number(client, edition):
    """The CSV holds one row per published number; a suppressed cell keeps its row with
    empty numbers and its flag."""
    response = client.get(URL + "tableau.csv", SMALL)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = rows_of(response.content)
    result = explore.explore(edition, explore.Query.from_params(SMALL))
    assert len(rows) == (len(result.row_labels) + 1) * (len(result.column_labels) + 1)
    suppressed = [r for r in rows if r["diffusion"] == "suppress"]
    assert suppressed, "the small strata must hide some cells"
    assert all(r["estimation"] == "" and r["effectif"] == "" for r in suppressed)
    shown = [r for r in rows if r["diffusion"] != "suppress"]
    assert all(r["estimation"] != "" for r in shown)


def test_suppressed_cells_cannot_be_recovered_from_the_published_margins(client, users, edition):
    """For every suppressed cell of the public table (shares of the whole, with margins),
    another complete table agrees with every published number and with additivity but
    differs in that cell: the publication does not determine it."""
    public = rows_of(client.get(URL + "tableau.csv", SMALL).content)
    client.force_login(users["analyst"])
    truth = rows_of(client.get(URL + "tableau.csv", SMALL).content)
    lines = list(dict.fromkeys(r["ligne"] for r in truth))
    cols = list(dict.fromkeys(r["colonne"] for r in truth))
    shape = (len(lines), len(cols))
    for field in ("estimation", "effectif"):
        true = np.array([float(r[field]) for r in truth]).reshape(shape)
        hidden = np.array([r[field] == "" for r in public]).reshape(shape)
        assert hidden.any()
        # additivity of the true table, margins last
        np.testing.assert_allclose(true[:-1, :-1].sum(axis=1), true[:-1, -1], atol=1e-5)
        np.testing.assert_allclose(true[:-1, :-1].sum(axis=0), true[-1, :-1], atol=1e-5)
        for i, j in np.argwhere(hidden):
            other = true + witness(hidden, (i, j))
            assert other[i, j] != pytest.approx(true[i, j])
            assert np.allclose(other[~hidden], true[~hidden])  # every published number
            np.testing.assert_allclose(other[:-1, :-1].sum(axis=1), other[:-1, -1], atol=1e-5)
            np.testing.assert_allclose(other[:-1, :-1].sum(axis=0), other[-1, :-1], atol=1e-5)


def witness(hidden: np.ndarray, cell: tuple[int, int]) -> np.ndarray:
    """A change of the hidden cells that keeps every row and column sum (margins last)
    and moves ``cell``, written out from the sums themselves."""
    rows, cols = hidden.shape
    index = {tuple(int(v) for v in rc): k for k, rc in enumerate(np.argwhere(hidden))}
    lines = [[(r, c) for c in range(cols)] for r in range(rows)]
    lines += [[(r, c) for r in range(rows)] for c in range(cols)]
    equations = []
    for line in lines:  # inner cells of the line minus its margin (its last cell)
        eq = np.zeros(len(index))
        for k, place in enumerate(line):
            if place in index:
                eq[index[place]] = -1.0 if k == len(line) - 1 else 1.0
        equations.append(eq)
    free = null_space(np.array(equations))
    direction = free[:, np.argmax(np.abs(free[index[cell]]))]
    out = np.zeros(hidden.shape)
    for (r, c), k in index.items():
        out[r, c] = direction[k]
    return out


def test_public_cannot_break_down_below_the_published_domains(client, client_for, edition):
    """The région is an analysts' breakdown: the public gets a French error, the analyst the
    table with the breakdown and the values the public does not see, both marked."""
    response = client.get(URL, {"lignes": "d:region", "colonnes": AI})
    assert response.status_code == 400
    assert "variable inconnue « d:region »" in response.content.decode()
    assert "d:region" not in client.get(URL).content.decode()
    analyst = client_for("analyst")
    html = analyst.get(URL, {"lignes": "d:region", "colonnes": AI}).content.decode()
    assert "Vue analyste" in html and "non diffusé au public" in html
    assert "réservées aux analystes" in html


def test_shareable_url_gives_the_same_table(client, edition):
    """The URL of an exploration (with a filter and a view) gives the same table again."""
    query = explore.Query(
        "i:culture_bonne_correcte",
        AI,
        "d:taille=Collectivités de 3 500 habitants et plus",
        "colonne",
    )
    first = client.get(URL, query.params())
    assert first.status_code == 200
    again = client.get(URL + "?" + urlencode(query.params()))

    def table(response) -> str:
        html = response.content.decode()
        return html[html.index('<table id="explorer-table">') : html.index("</table>")]

    assert table(again) == table(first)
    assert "Parmi" in first.content.decode()


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"lignes": CHARTER, "colonnes": CHARTER}, "deux variables différentes"),
        ({"lignes": "q:nope", "colonnes": AI}, "variable inconnue"),
        ({"lignes": CHARTER, "colonnes": AI, "pct": "x"}, "« pct »"),
        ({"lignes": CHARTER, "colonnes": AI, "filtre": "d:taille=Mars"}, "modalité inconnue"),
    ],
)
def test_bad_queries_get_a_french_error(client, edition, params, message):
    """A bad query is a 400 with a French message naming the field."""
    response = client.get(URL, params)
    assert response.status_code == 400
    assert message in response.content.decode()


def test_api_gives_the_same_numbers_as_the_csv(client, client_for, edition):
    """/api/v1/barometre/editions/<code>/explorer: the same cells, flags and test; the
    analysts' endpoint needs an analyst."""
    api = "/api/v1/barometre/editions/barometre-2024/explorer"
    body = client.get(api, SMALL).json()
    rows = rows_of(client.get(URL + "tableau.csv", SMALL).content)
    assert [c["diffusion"] for c in body["cellules"]] == [r["diffusion"] for r in rows]
    assert [c["estimation"] for c in body["cellules"]] == [
        float(r["estimation"]) if r["estimation"] else None for r in rows
    ]
    assert body["test"]["conclusion"].startswith(("lien", "pas de lien"))
    variables = client.get(api + "/variables").json()
    assert CHARTER in [v["cle"] for v in variables]
    assert "d:region" not in [v["cle"] for v in variables]
    assert client.get(api + "/analyste", SMALL).status_code == 401
    assert client_for("reader").get(api + "/analyste", SMALL).status_code == 403
    full = client_for("analyst").get(api + "/analyste", SMALL).json()
    assert all(c["estimation"] is not None for c in full["cellules"])


@pytest.mark.parametrize("persona", PERSONAS)
def test_only_analysts_run_and_save_models(client_for, edition, persona):
    """Running a model and saving it are for analysts; nobody else changes anything."""
    client = client_for(persona)
    params = {"y": AI, "x": ["d:taille", CHARTER]}
    response = client.get(URL + "modele/", params)
    saved = client.post(URL + "modele/enregistrer/", {**params, "title": "IA et charte"})
    if persona == "analyst":
        assert response.status_code == 200
        assert "Rapports de cotes" in response.content.decode()
        assert saved.status_code == 302 and SavedModel.objects.count() == 1
    else:
        assert response.status_code in (302, 403)
        assert saved.status_code in (302, 403)
        assert SavedModel.objects.count() == 0


def test_saved_model_is_quoted_with_its_odds_ratios(client, client_for, edition):
    """An analyst's logistic model shows odds ratios with intervals in French; once saved,
    its page is public when it uses public variables only, analysts-only otherwise (a
    région model of the demo is refused: some régions have too few respondents)."""
    analyst = client_for("analyst")
    result = explore.run_model(edition, AI, ["d:taille", CHARTER])
    rows = result.rows()
    assert {r["variable"] for r in rows} >= {"Taille"}
    assert all(r["ic_bas"] < r["valeur"] < r["ic_haut"] for r in rows)
    analyst.post(
        URL + "modele/enregistrer/",
        {"y": AI, "x": ["d:taille", CHARTER], "title": "IA, taille et charte"},
    )
    saved = SavedModel.objects.get()
    assert saved.is_public
    assert [r["valeur"] for r in saved.result["rows"]] == pytest.approx([r["valeur"] for r in rows])
    page = client.get(f"{URL}modeles/{saved.pk}/").content.decode()
    assert "IA, taille et charte" in page and "Rapports de cotes" in page and "réf." in page
    private = SavedModel.objects.create(
        edition=edition,
        title="Par région",
        outcome=AI,
        explanatory=["d:region"],
        result=saved.result,
    )
    assert not private.is_public
    refused = client.get(f"{URL}modeles/{private.pk}/")  # an anonymous visitor: the login page
    assert refused.status_code == 302 and "/comptes/connexion/" in refused["Location"]
    assert analyst.get(f"{URL}modeles/{private.pk}/").status_code == 200


def test_model_refuses_thin_categories(edition):
    """A factor with a category under the disclosure threshold is refused, in French."""
    with pytest.raises(explore.ExploreError, match="répondants"):
        explore.run_model(edition, AI, ["d:strate"])


def test_citizens_poll_is_explored_by_its_published_groups_only(client, client_for, demo_module):
    """The citizens' poll crosses its questions by sex and age; its région question is an
    analysts' variable there too."""
    url = "/barometre/sondage-citoyens-2024/explorer/"
    response = client.get(url, {"lignes": "d:age", "colonnes": "i:confiance_ia"})
    assert response.status_code == 200
    assert "Test d’indépendance" in response.content.decode()
    assert client.get(url, {"lignes": "q:region", "colonnes": "i:confiance_ia"}).status_code == 400
    analyst = client_for("analyst")
    assert analyst.get(url, {"lignes": "q:region", "colonnes": "i:confiance_ia"}).status_code == 200


def test_a_response_sent_after_the_weighting_waits_for_the_next_run(edition):
    """The explorer and the microdata show the weighted sample, as the note does: a response
    submitted since (here, straight into the closed edition) is not in them, and no row of
    the microdata is left without a weight."""
    from observatoire.barometre import opendata
    from observatoire.questionnaires.choices import ResponseStatus
    from observatoire.questionnaires.models import Response
    from observatoire.territoires.models import Authority

    weighted = Response.objects.filter(questionnaire=edition.questionnaire).first()
    newcomer = Authority.objects.exclude(responses__questionnaire=edition.questionnaire).first()
    Response.objects.create(
        questionnaire=edition.questionnaire,
        questionnaire_version=edition.questionnaire.version,
        authority=newcomer,
        status=ResponseStatus.SUBMITTED,
        answers=weighted.answers,
    )
    explore._CACHE.clear()
    opendata._LAST_SAMPLE.clear()
    assert explore.explore(edition, explore.Query(CHARTER, AI)).n == 289
    frame, _labels, _values = opendata.microdata(edition)
    assert frame.height == edition.weights.count() == 289
    assert frame["poids"].null_count() == 0
