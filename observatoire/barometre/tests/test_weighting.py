"""Weighting runs: margins met, thin strata collapsed, clear errors, life cycle, corrections."""

import numpy as np
import pytest
from django.core.exceptions import ValidationError

from observatoire.barometre import services, weighting
from observatoire.barometre.choices import EditionStatus
from observatoire.barometre.factories import make_edition
from observatoire.barometre.models import Result
from observatoire.questionnaires.models import Response

pytestmark = pytest.mark.django_db


def test_weights_reproduce_stratum_and_region_counts():
    """After raking, weights add up to the universe's counts per stratum and per région."""
    edition = make_edition(
        {("commune_lt_3500", "11"): 6, ("commune_lt_3500", "24"): 5,
         ("commune_3500_10000", "11"): 4, ("commune_3500_10000", "24"): 4, ("cc", "11"): 3}
    )  # fmt: skip
    weighted = weighting.weight(edition)
    w = np.asarray(weighted.design.weights)
    sample = weighting.load_sample(edition)
    for stratum, total in [("commune_lt_3500", 500), ("commune_3500_10000", 70), ("cc", 8)]:
        assert w[sample.columns["strate"] == stratum].sum() == pytest.approx(total)
    assert w[sample.columns["region"] == "24"].sum() == pytest.approx(230)
    assert weighted.report["converged"] is True
    assert weighted.report["effective_n"] <= 22


def test_thin_stratum_is_collapsed_into_its_neighbour():
    """A stratum with fewer respondents than min_cell is merged, and the report says so."""
    edition = make_edition(
        {("commune_lt_3500", "11"): 6, ("commune_3500_10000", "11"): 2, ("cc", "11"): 4},
        margins=["strate"],
    )
    weighted = weighting.weight(edition)
    assert weighted.report["cells"] == {"commune_3500_10000": "commune_lt_3500"}
    assert np.asarray(weighted.design.weights).sum() == pytest.approx(578)


def test_stratum_without_respondent_is_a_clear_error():
    """An empty stratum cannot be weighted: the error names it and the remedy."""
    edition = make_edition({("commune_lt_3500", "11"): 6, ("commune_3500_10000", "11"): 4})
    with pytest.raises(ValidationError, match=r"Communautés de communes.*regroupez"):
        services.weight_edition(edition)


def test_weighting_requires_a_closed_collection():
    """An edition still collecting answers cannot be weighted."""
    edition = make_edition({("commune_lt_3500", "11"): 6}, status=EditionStatus.COLLECTING)
    with pytest.raises(ValidationError, match="Fermez la collecte"):
        services.weight_edition(edition)


def test_correction_keeps_the_previous_version():
    """Publishing again needs a note and creates version 2; version 1 stays unchanged."""
    edition = make_edition(
        {("commune_lt_3500", "11"): 6, ("commune_lt_3500", "24"): 5,
         ("commune_3500_10000", "11"): 4, ("commune_3500_10000", "24"): 4, ("cc", "11"): 3},
    )  # fmt: skip
    services.weight_edition(edition)
    services.publish_edition(edition)
    first = list(
        Result.objects.filter(edition=edition, version=1).values_list("estimate", flat=True)
    )
    Response.objects.filter(questionnaire=edition.questionnaire).update(
        answers={"gouv_regles": "oui"}
    )
    services.move_edition(edition, EditionStatus.COLLECTING, by=None)
    services.move_edition(edition, EditionStatus.CLOSED, by=None)
    services.weight_edition(edition)
    with pytest.raises(ValidationError, match="note de version"):
        services.publish_edition(edition)
    services.publish_edition(edition, note="Réponses corrigées")
    edition.refresh_from_db()
    assert edition.published_version == 2
    again = list(
        Result.objects.filter(edition=edition, version=1).values_list("estimate", flat=True)
    )
    assert again == first
    regles = Result.objects.get(
        edition=edition, version=2, indicator="gouv_regles", category="fait", domain=""
    )
    assert regles.estimate == pytest.approx(1.0)


def test_analyst_sets_the_plan_through_the_page(client_for):
    """The analyst chooses the unit, the margins and a collapsed stratum; a bad line is
    refused with a message naming it and nothing changes."""
    edition = make_edition({("commune_lt_3500", "11"): 6})
    client = client_for("analyst")
    url = f"/barometre/{edition.code}/gestion/"
    bad = client.post(url, {"unit": "habitants", "margins": ["strate"], "collapse": "cu → nulle", "min_cell": 4})  # fmt: skip
    assert "Ligne 1" in bad.content.decode()
    edition.refresh_from_db()
    assert edition.plan["unit"] == "collectivites"
    client.post(url, {"unit": "habitants", "margins": ["strate"], "collapse": "cu → metropole", "min_cell": 4})  # fmt: skip
    edition.refresh_from_db()
    assert edition.plan["unit"] == "habitants" and edition.plan["collapse"] == {"cu": "metropole"}
    assert client_for("referent_a").post(url, {"unit": "collectivites"}).status_code == 403
