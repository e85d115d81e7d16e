"""The demo reproduces every figure of the BRIEF's table through the weighted pipeline."""

import io

import pytest

from observatoire.barometre import demo, estimation
from observatoire.barometre.models import Edition
from observatoire.barometre.tests.brief_figures import BRIEF, BRIEF_AT_MOST, BRIEF_CHANGES
from observatoire.questionnaires.models import Response
from observatoire.territoires.choices import Stratum

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_loaded(demo_module):
    return None


def _cells(code):
    """Fresh run of the pipeline: weighting plan, stats engine, indicator file."""
    edition = Edition.objects.get(code=code)
    previous = edition.previous_edition()
    prev_cells = {}
    if previous is not None:
        for row in estimation.compute(previous).rows:
            prev_cells[(row["indicator"], row["category"], row["domain"], row["level"])] = (
                row["estimate"],
                row["se"],
            )
    rows = estimation.compute(edition, prev_cells).rows
    return {(r["indicator"], r["category"], r["domain"], r["level"]): r for r in rows}


def test_every_brief_figure_within_one_point(demo_loaded):
    """Each figure of the BRIEF's table, recomputed from the demo microdata by the real
    weighting and estimators, is within one percentage point of the published value."""
    cache: dict[str, dict] = {}
    misses = []
    for code, indicator, category, domain, level, value in BRIEF + BRIEF_CHANGES:
        cells = cache.setdefault(code, _cells(code))
        row = cells[(indicator, category, domain, level)]
        got = (
            row["change"]
            if (code, indicator) in {(c[0], c[1]) for c in BRIEF_CHANGES}
            and (code, indicator, category, domain, level, value) in BRIEF_CHANGES
            else row["estimate"]
        )
        if abs(got - value) > 0.01:
            misses.append(f"{code} {indicator} {category} {level}: {got:.3f} ≠ {value:.2f}")
    for code, indicator, category, domain, level, value in BRIEF_AT_MOST:
        got = cache.setdefault(code, _cells(code))[(indicator, category, domain, level)]["estimate"]
        if got > value + 0.01:
            misses.append(f"{code} {indicator} {category}: {got:.3f} > {value:.2f}")
    assert not misses, "\n".join(misses)


def test_demo_sample_shape(demo_loaded):
    """2024 has 289 responses, 43 % from communes under 3 500 inhabitants; the poll has
    1,000 people; every edition is published and flagged as demonstration data."""
    edition = Edition.objects.get(code="barometre-2024")
    responses = Response.objects.filter(questionnaire=edition.questionnaire)
    small = responses.filter(authority__stratum=Stratum.COMMUNE_LT_3500).count()
    assert responses.count() == 289
    assert round(100 * small / 289) == 43
    poll = Edition.objects.get(code="sondage-citoyens-2024")
    assert Response.objects.filter(questionnaire=poll.questionnaire).count() == 1000
    assert all(e.is_demo and e.is_published for e in Edition.objects.all())
    assert Edition.objects.count() == 4


def test_demo_load_is_idempotent(demo_loaded):
    """Loading the demo again changes nothing (it runs at every start of the demo)."""
    before = list(Response.objects.order_by("pk").values_list("pk", "answers"))
    demo.load(io.StringIO())
    assert list(Response.objects.order_by("pk").values_list("pk", "answers")) == before


def test_demo_responses_are_complete_and_valid(demo_loaded):
    """Every demo response passes the checks a référent's sending goes through: all
    required questions answered, skip logic and constraints respected."""
    from observatoire.questionnaires.services.collection import LoadedQuestionnaire, check_response

    for edition in Edition.objects.select_related("questionnaire"):
        form = LoadedQuestionnaire.load(edition.questionnaire)
        for response in Response.objects.filter(questionnaire=edition.questionnaire):
            assert check_response(form, response.answers) == {}, (edition.code, response.pk)


def test_demo_campaign_shows_response_rates(demo_loaded):
    """The analyst's dashboard has a sample to count: every respondent was invited, along
    with authorities of the same strata that did not answer."""
    from observatoire.questionnaires.services.campaigns import response_rates

    edition = Edition.objects.get(code="barometre-2024")
    rates = response_rates(edition.questionnaire)
    assert sum(r.submitted for r in rates) == 289
    assert sum(r.sample for r in rates) > 289
    assert all(0 < r.rate <= 1 for r in rates)
