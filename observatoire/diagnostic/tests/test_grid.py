"""The shipped grid and legal duties on constructed answer sets: axis scores, level and
roadmap, with the duties that apply to each size of authority."""

import pytest

from observatoire.cas_usage.choices import Domain
from observatoire.cas_usage.factories import UseCaseFactory
from observatoire.diagnostic import roadmap, scoring
from observatoire.diagnostic.choices import RulesKind
from observatoire.diagnostic.factories import BEST, SMALL_COMMUNE, WORST
from observatoire.diagnostic.models import Run
from observatoire.registre.choices import RiskLevel
from observatoire.registre.factories import EntryFactory
from observatoire.territoires.choices import EpciType, Kind
from observatoire.territoires.factories import AuthorityFactory

GRID = scoring.parse_grid(scoring.shipped_text(RulesKind.GRID))
DUTIES = scoring.parse_duties(scoring.shipped_text(RulesKind.DUTIES))
AXES = ["culture", "organisation", "outils", "gouvernance", "numerique_responsable", "ia", "cybersecurite"]  # fmt: skip
ALL_ACTIONS = {a.code for a in GRID.actions}


def _roadmap(authority, answers):
    run = Run(authority=authority, answers=answers)
    steps = roadmap.build(GRID, DUTIES, scoring.score(GRID, answers), run)
    return {i.code: (s.code, i) for s in steps for i in s.items if i.code}, steps


def _duties(authority, answers):
    return {d.code: state for d, state in roadmap.legal_duties(DUTIES, roadmap.situation_of(Run(authority=authority, answers=answers)))}  # fmt: skip


def test_shipped_files_pass_their_own_checks(questionnaire):
    """The shipped grid and duties name only questions, values and indicators that exist."""
    from observatoire.barometre.indicator_specs import for_population

    grid = scoring.check_grid(
        scoring.shipped_text(RulesKind.GRID), questionnaire, for_population("authorities")
    )
    assert [a.code for a in grid.axes] == AXES
    assert len(scoring.check_duties(scoring.shipped_text(RulesKind.DUTIES), questionnaire)) == 8


def test_all_best_answers_score_100_everywhere_and_need_nothing(db):
    """Every best answer: 100 on every axis, level 4 « avancé », no action or duty left."""
    scores = scoring.score(GRID, BEST)
    assert {a.axis.code: a.score for a in scores.axes} == dict.fromkeys(AXES, 100)
    assert (scores.overall, scores.level.level, scores.level.label) == (100, 4, "avancé")
    authority = AuthorityFactory(population=12_000)
    items, _ = _roadmap(authority, BEST)
    assert not items
    assert set(_duties(authority, BEST).values()) == {"met"}


def test_all_worst_answers_score_0_and_get_every_action(db):
    """Every no-point answer: 0 on every axis, level 1 « débutant », every action proposed
    (the responsible-digital strategy too: « non » is not « non concernée »)."""
    scores = scoring.score(GRID, WORST)
    assert {a.axis.code: a.score for a in scores.axes} == dict.fromkeys(AXES, 0)
    assert (scores.overall, scores.level.level, scores.level.label) == (0, 1, "débutant")
    items, _ = _roadmap(AuthorityFactory(population=900), WORST)
    assert set(items) >= ALL_ACTIONS


def test_typical_small_commune(db):
    """A commune of 1 200 inhabitants and 8 agents: scores computed by hand from the grid,
    only the GDPR duties apply (already met), and the REEN strategy is not proposed."""
    scores = scoring.score(GRID, SMALL_COMMUNE)
    # culture 5/16, organisation 2/10, outils 1/10 (the tools list is skipped: 0/3),
    # gouvernance 4/17, numérique responsable 2/9 (REEN « non concernée » left out),
    # IA 0/9 (AIPD and user information skipped: left out), cybersécurité 5/14.
    expected = {"culture": 31, "organisation": 20, "outils": 10, "gouvernance": 24,
                "numerique_responsable": 22, "ia": 0, "cybersecurite": 36}  # fmt: skip
    assert {a.axis.code: a.score for a in scores.axes} == expected
    assert (scores.overall, scores.level.label) == (20, "débutant")
    authority = AuthorityFactory(population=1_200)
    assert _duties(authority, SMALL_COMMUNE) == {"rgpd_dpo": "met", "rgpd_registre": "met"}
    items, steps = _roadmap(authority, SMALL_COMMUNE)
    assert set(items) & ALL_ACTIONS == ALL_ACTIONS - {"strategie_reen"}
    assert [s.code for s in steps][:3] == ["diagnostiquer", "acculturer", "experimenter"]
    acculturate = next(s for s in steps if s.code == "acculturer")
    # Weakest axis first: IA (0), then organisation (20), then culture (31).
    assert [i.code for i in acculturate.items] == ["doctrine_ia_generative", "formation_agents", "formation_elus"]  # fmt: skip
    register = items["registre_ia"][1]
    assert register.url == f"/registre/gerer/nouvelle/?authority={authority.siren}"


def test_roadmap_proposes_other_authorities_cases_not_its_own(db):
    """On a weak axis the roadmap proposes cases to reuse from other authorities; the
    authority's own case of that domain (Plaisir's chatbot, in the demo) is not one."""
    authority = AuthorityFactory(population=30_000)
    own = UseCaseFactory(authority=authority, domain=Domain.ADMINISTRATION, title="Le nôtre")
    other = UseCaseFactory(
        authority=AuthorityFactory(population=40_000), domain=Domain.ADMINISTRATION
    )
    _items, steps = _roadmap(authority, WORST)
    proposed = [i.url for s in steps for i in s.items if i.kind == "case"]
    assert other.get_absolute_url() in proposed
    assert own.get_absolute_url() not in proposed


def test_roadmap_marks_a_case_in_english(db, client_for, users, authority_a):
    """A European case's title and summary, in English, carry lang="en" on the result
    page (a screen reader then reads them in English), the French words around them not."""
    from observatoire.diagnostic.factories import RunFactory
    from observatoire.diagnostic.services import score_run

    UseCaseFactory(
        authority=AuthorityFactory(population=40_000),
        domain=Domain.ADMINISTRATION,
        title="Smart permits",
        summary="A chatbot answers permit questions.",
        language="en",
    )
    run = score_run(RunFactory(authority=authority_a, answers=dict(WORST)), by=users["referent_a"])
    page = client_for("referent_a").get(f"/diagnostic/{run.pk}/resultat/").content.decode()
    assert '<strong lang="en">Smart permits</strong>' in page
    assert '<span lang="en">A chatbot answers permit questions.</span>' in page
    assert "Cas d'usage (" in page.replace("&#x27;", "'")


def test_register_action_is_done_once_the_register_is_published(db):
    """« Ouvrir son registre » is proposed to an authority without a published entry (a
    draft does not count), not to one whose register is public, whatever its answer."""
    from observatoire.registre.choices import Status

    authority = AuthorityFactory(population=30_000)
    answers = WORST | {"registre_ia": "non"}
    EntryFactory(authority=authority)
    items, _ = _roadmap(authority, answers)
    assert "registre_ia" in items
    EntryFactory(authority=authority, status=Status.PUBLISHED)
    items, _ = _roadmap(authority, answers)
    assert "registre_ia" not in items


def test_epci_with_a_high_risk_system(db):
    """An agglomeration of 80 000 inhabitants and 600 agents whose register holds a high-risk
    system: the AI Act deployer's duties (to check), the algorithm mention and the REEN
    strategy (to do), the others met."""
    epci = AuthorityFactory(
        kind=Kind.EPCI, epci_type=EpciType.CA, code="200000001", population=80_000
    )
    EntryFactory(authority=epci, ai_act_level=RiskLevel.HIGH, individual_decisions=True)
    answers = BEST | {
        "strategie_reen": "en_cours",
        "ia_information_usagers": "non",
        "nb_agents": 600,
    }
    scores = scoring.score(GRID, answers)
    axis = {a.axis.code: a.score for a in scores.axes}
    assert axis["numerique_responsable"] == 83 and axis["ia"] == 91  # 10/12 and 10/11
    assert (scores.overall, scores.level.level) == (96, 4)
    assert _duties(epci, answers) == {
        "crpa_l312_1_3": "met", "crpa_l311_3_1": "todo", "reen_strategie": "todo",
        "rgpd_dpo": "met", "rgpd_registre": "met", "open_data": "met",
        "ai_act_deployeur": "check", "ai_act_maitrise": "met",
    }  # fmt: skip
    items, _ = _roadmap(epci, answers)
    assert {c: s for c, (s, _i) in items.items()} == {
        "crpa_l311_3_1": "gouverner", "reen_strategie": "gouverner",
        "ai_act_deployeur": "deployer", "strategie_reen": "gouverner",
    }  # fmt: skip
    duty = items["ai_act_deployeur"][1]
    assert duty.to_check and "2024/1689" in duty.article and duty.source.startswith("https://")


@pytest.mark.parametrize(
    ("population", "agents", "expected"),
    [
        (1_200, 8, set()),
        (1_200, None, {"crpa_l312_1_3"}),  # headcount unknown: to check, not ruled out
        (20_000, 300, {"crpa_l312_1_3", "open_data"}),
        (60_000, 900, {"crpa_l312_1_3", "open_data", "reen_strategie"}),
    ],
)
def test_legal_duties_by_size(db, population, agents, expected):
    """Which size-dependent duties apply to a commune (GDPR duties apply to all)."""
    answers = WORST | {"nb_agents": agents} if agents is not None else {k: v for k, v in WORST.items() if k != "nb_agents"}  # fmt: skip
    duties = _duties(AuthorityFactory(population=population), answers)
    assert set(duties) - {"rgpd_dpo", "rgpd_registre"} == expected


def test_many_answer_sets_at_once_score_as_one_by_one():
    """The peers' vectorised scores equal the one-by-one scores (before rounding)."""
    sets = [BEST, WORST, SMALL_COMMUNE, {}, {"strategie_reen": "non_concerne", "ia_aipd": "_nsp"}]
    matrix = scoring.score_matrix(GRID, sets)
    for row, answers in zip(matrix, sets, strict=True):
        for value, axis in zip(row, scoring.score(GRID, answers).axes, strict=True):
            assert round(value) == axis.score, (axis.axis.code, answers)
