"""What a scored run shows (page, shared link and PDF): scores with the answers that earned
or lost points, the peers, the roadmap, and the progress across runs. Reads only."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from observatoire.core import formats
from observatoire.diagnostic import charts, peers, roadmap, scoring
from observatoire.diagnostic.charts import MINE, PEERS
from observatoire.diagnostic.choices import RunStatus
from observatoire.diagnostic.models import Run
from observatoire.questionnaires.forms import display_answer
from observatoire.questionnaires.services.collection import LoadedQuestionnaire


def _detail(axis_score: scoring.AxisScore, form: LoadedQuestionnaire) -> list[dict[str, Any]]:
    questions = form.by_code()
    rows = []
    for item in axis_score.items:
        question = questions.get(item.item.question)
        answer = (
            display_answer(form, question, {item.item.question: item.answer}) if question else ""
        )
        if not item.maximum:
            verdict = "ne compte pas"
        elif item.earned >= item.maximum:
            verdict = "points obtenus"
        elif item.earned:
            verdict = "points en partie perdus"
        else:
            verdict = "points perdus"
        rows.append(
            {
                "label": question.label if question else item.item.question,
                "answer": answer or "sans réponse",
                "earned": formats.decimal(item.earned, 0) if item.earned == int(item.earned) else formats.decimal(item.earned),
                "maximum": formats.decimal(item.maximum, 0),
                "verdict": verdict,
                "full": bool(item.maximum) and item.earned >= item.maximum,
            }
        )  # fmt: skip
    return rows


def _peer_rows(comparisons: list[peers.AxisComparison]) -> list[dict[str, Any]]:
    rows = []
    for c in comparisons:
        rows.append({"axe": c.title, "serie": MINE, "score": c.mine, "ic_bas": c.mine,
                     "ic_haut": c.mine, "valeur": str(c.mine), "intervalle": "—"})  # fmt: skip
        if c.peer is not None:
            p = c.peer
            rows.append({"axe": c.title, "serie": PEERS, "score": round(p.estimate, 1),
                         "ic_bas": round(p.ci_low, 1), "ic_haut": round(p.ci_high, 1),
                         "valeur": formats.decimal(p.estimate, 0),
                         "intervalle": f"{formats.decimal(p.ci_low, 0)} – {formats.decimal(p.ci_high, 0)}"})  # fmt: skip
    return rows


def history(run: Run) -> tuple[list[dict[str, Any]], list[Run]]:
    """Axis scores of the authority's scored runs up to this one, oldest first."""
    runs = list(
        Run.objects.filter(
            authority=run.authority, status=RunStatus.SCORED, scored_at__lte=run.scored_at
        )
        .select_related("grid")
        .order_by("scored_at")
    )
    rows = []
    for r in runs:
        titles = {a.code: a.title for a in scoring.grid_of(r.grid.text).axes} if r.grid else {}
        for code, value in r.scores.get("axes", {}).items():
            rows.append(
                {
                    "date": f"{timezone.localtime(r.scored_at):%d/%m/%Y}",
                    "axe": titles.get(code, code),
                    "score": value,
                }
            )
    return rows, runs


def result_context(run: Run) -> dict[str, Any]:
    assert run.grid is not None and run.duties is not None, "a scored run has its versions"
    grid = scoring.grid_of(run.grid.text)
    duties = scoring.duties_of(run.duties.text)
    form = LoadedQuestionnaire.load(run.questionnaire)
    scores = scoring.score(grid, run.answers)
    edition = peers.latest_edition()
    comparisons = peers.compare_axes(scores, run.grid, run.authority, edition)
    peer_rows = _peer_rows(comparisons)
    history_rows, runs = history(run)
    situation = roadmap.situation_of(run)
    return {
        "run": run,
        "authority": run.authority,
        "scores": scores,
        "axes": [(a, _detail(a, form)) for a in scores.axes],
        "levels": grid.levels,
        "edition": edition,
        "comparisons": comparisons,
        "fallbacks": sorted({c.peer.fallback for c in comparisons if c.peer and c.peer.fallback}),
        "peer_group": next(
            (c.peer.group for c in comparisons if c.peer and not c.peer.fallback), ""
        ),
        "indicators": peers.key_indicators(grid, run.answers, run.authority, edition),
        "peers_spec": charts.peers(peer_rows),
        "history_spec": charts.history(history_rows) if len(runs) > 1 else None,
        "history_runs": runs,
        "history_rows": history_rows,
        "steps": roadmap.build(grid, duties, scores, run),
        "duties": roadmap.legal_duties(duties, situation),
    }
