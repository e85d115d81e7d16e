"""The note's texts: Markdown with figure references, preview, refusal of unknown references,
re-rendering at each version and the version page's list of changed figures."""

import pytest
from django.core.exceptions import ValidationError

from observatoire.barometre import editorial, services
from observatoire.barometre.factories import make_edition
from observatoire.barometre.models import Edition, Result
from observatoire.barometre.tests.test_manage import FILE, SAMPLE, ia_answers
from observatoire.conftest import PERSONAS
from observatoire.questionnaires.models import Response

pytestmark = pytest.mark.django_db


def published_edition(users) -> Edition:
    edition = make_edition(SAMPLE, answers=ia_answers)
    services.update_indicators(edition, FILE, by=users["analyst"])
    services.weight_edition(edition)
    return edition


def figure(edition: Edition, version: int, indicator: str, domain="", level="", category=""):
    r = Result.objects.get(
        edition=edition, version=version, indicator=indicator, category=category,
        domain=domain, level=level,
    )  # fmt: skip
    return f"{round(100 * r.estimate)}\u00a0%"


def test_unknown_reference_is_refused_naming_it(users):
    """An unknown indicator, domain level or option is refused in French, naming the
    reference and the text; nothing is saved."""
    edition = published_edition(users)
    cases = [
        ("Voir {ia_inconnue}.", {}, "Faits saillants : référence inconnue « {ia_inconnue} »"),
        (
            "",
            {"ia": "{ia_deployee|strate=nulle_part}"},
            "Commentaire « Intelligence artificielle »",
        ),
        ("{strategie_cyber|modalite=jamais}", {}, "option « modalite=jamais » non reconnue"),
    ]
    for summary, commentary, message in cases:
        with pytest.raises(ValidationError) as error:
            services.update_texts(edition, summary, commentary, by=users["analyst"])
        assert message in " ".join(error.value.messages)
    edition.refresh_from_db()
    assert (edition.summary, edition.commentary) == ("", {})


def test_figures_render_in_french_with_margin_population_and_link(users, client):
    """A reference becomes the figure in French format, its margin and population on hover
    and for screen readers, linking to the indicator page opened on that population."""
    edition = published_edition(users)
    services.update_texts(
        edition,
        "La part est de {ia_deployee|strate=commune_lt_3500} chez les petites communes, "
        "{strategie_cyber|modalite=prevu} prévoient une stratégie.",
        {"ia": "## Détail\n\n{ia_deployee} au total."},
        by=users["analyst"],
    )
    services.publish_edition(edition)
    page = client.get(f"/barometre/{edition.code}/").content.decode()
    small = figure(edition, 1, "ia_deployee", "strate", "commune_lt_3500")
    assert f">{small}<span class=\"chiffre-note\"> (Communes de moins de 3 500 habitants ; marge d’erreur ±" in page  # fmt: skip
    assert f'href="/barometre/{edition.code}/indicateur/ia_deployee/?domaine=strate&amp;niveau=commune_lt_3500"' in page  # fmt: skip
    assert "Ensemble des collectivités — réponse « prévu »" in page
    assert '<h4>Détail</h4>\n<p><a class="chiffre"' in page
    assert figure(edition, 1, "ia_deployee") in page


def test_raw_html_is_escaped_and_script_links_neutralised(users):
    """An analyst's text cannot inject HTML or a javascript: link into the public page."""
    edition = published_edition(users)
    html = editorial.render("<script>alert(1)</script> [x](javascript:alert(1))", edition, 0)
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert 'href="#"' in html and "javascript:" not in html


@pytest.mark.parametrize("persona", PERSONAS)
def test_preview_shows_figures_and_saves_nothing_and_only_analysts_edit(client_for, users, persona):
    """The analyst previews the texts with the working figures (nothing saved) then saves
    them; every other persona is refused and nothing changes."""
    edition = published_edition(users)
    client = client_for(persona)
    url = f"/barometre/{edition.code}/gestion/textes/"
    data = {"summary": "**Fait** : {ia_deployee}.", "theme_ia": "Commentaire {ia_deployee}."}
    preview = client.post(url, {**data, "preview": "1"})
    if persona != "analyst":
        refused = 302 if persona == "anonymous" else 403  # anonymous: the login page
        assert preview.status_code == refused
        assert client.post(url, data).status_code == refused
        edition.refresh_from_db()
        assert edition.summary == ""
        return
    html = preview.content.decode()
    assert "Aperçu (non enregistré" in html and "<strong>Fait</strong> : <a class=\"chiffre\"" in html  # fmt: skip
    assert figure(edition, 0, "ia_deployee") in html
    edition.refresh_from_db()
    assert edition.summary == ""
    refused = client.post(url, {"summary": "{ia_deployeee}"})
    assert refused.status_code == 400 and "référence inconnue « {ia_deployeee} »" in refused.content.decode()  # fmt: skip
    assert client.post(url, data).status_code == 302
    edition.refresh_from_db()
    assert edition.summary == "**Fait** : {ia_deployee}." and edition.commentary == {"ia": "Commentaire {ia_deployee}."}  # fmt: skip


def test_a_correction_rerenders_the_text_and_its_version_page_lists_changed_figures(users, client):
    """Version 2 shows its own figures in the same text; version 1 keeps its own; the
    version page says which figures of the text changed, before and after."""
    edition = published_edition(users)
    services.update_texts(edition, "IA : {ia_deployee}. Stratégie : {strategie_cyber}.", {}, by=users["analyst"])  # fmt: skip
    services.publish_edition(edition)
    before = figure(edition, 1, "ia_deployee")
    for response in Response.objects.filter(questionnaire=edition.questionnaire)[:6]:
        response.answers = {**response.answers, "ia_usage": "deploye"}
        response.save()
    services.weight_edition(edition)
    services.publish_edition(edition, note="Réponses corrigées")
    after = figure(edition, 2, "ia_deployee")
    assert before != after
    assert "IA : <a class=\"chiffre\"" in client.get(f"/barometre/{edition.code}/").content.decode()  # fmt: skip
    assert f">{after}<" in client.get(f"/barometre/{edition.code}/").content.decode()
    assert f">{before}<" in client.get(f"/barometre/{edition.code}/?version=1").content.decode()
    page = client.get(f"/barometre/{edition.code}/version/2/").content.decode()
    assert "Réponses corrigées" in page
    assert f"<code>{{ia_deployee}}</code></th><td>Ensemble des collectivités</td><td class=\"num\">{before}</td><td class=\"num\">{after}</td>" in page  # fmt: skip
    # The weights do not depend on the answers: the strategy's figure did not change.
    assert figure(edition, 1, "strategie_cyber", category="fait") == figure(edition, 2, "strategie_cyber", category="fait")  # fmt: skip
    assert "{strategie_cyber}" not in page
