"""An authority against its peers: the latest published edition, its stratum first.

Where the stratum's figure is suppressed by the disclosure rule (or absent), the nearest
published level is used — the size band, then the whole — and the page says which.
Axis scores of the peers are weighted means computed from the barometer's own responses
and weights (``PeerScore``), once per edition version and grid version.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from threadpoolctl import threadpool_limits

from observatoire import stats
from observatoire.barometre import queries
from observatoire.barometre.access import public_editions
from observatoire.barometre.choices import Flag
from observatoire.barometre.models import Edition, Result
from observatoire.core import formats
from observatoire.diagnostic import scoring
from observatoire.diagnostic.models import PeerScore, RulesVersion
from observatoire.questionnaires.choices import Population
from observatoire.territoires.choices import Stratum


def latest_edition() -> Edition | None:
    """The latest public edition of the authorities' barometer (an embargo hides it)."""
    editions = public_editions().filter(questionnaire__population=Population.AUTHORITIES)
    return editions.order_by("-year").first()


def levels_of(authority) -> list[tuple[str, str]]:
    """(domain, level) from the nearest to the farthest: stratum, size band, whole (the
    size band of communes under 3,500 inhabitants is their stratum: skipped)."""
    if authority.stratum == Stratum.COMMUNE_LT_3500:
        return [("strate", authority.stratum), ("", "")]
    return [("strate", authority.stratum), ("taille", "plus_3500"), ("", "")]


def group_name(domain: str, level: str) -> str:
    """« communes de 3 500 à 10 000 habitants », « collectivités » for the whole."""
    if not domain:
        return "collectivités"
    label = queries.level_label(domain, level)
    return label[:1].lower() + label[1:]


@dataclass
class Peer:
    """The figure used for comparison and, if it is not the stratum's, why."""

    domain: str
    level: str
    estimate: float
    ci_low: float
    ci_high: float
    flag: str
    fallback: str = ""

    @property
    def group(self) -> str:
        return group_name(self.domain, self.level)

    @property
    def margin(self) -> float:
        return (self.ci_high - self.ci_low) / 2

    @property
    def caution(self) -> bool:
        return self.flag == Flag.CAUTION


def _nearest(cells: dict[tuple[str, str], Any], authority) -> Peer | None:
    """The first published cell among stratum, size band and whole, saying which."""
    levels = levels_of(authority)
    skipped: list[tuple[str, str]] = []
    for domain, level in levels:
        cell = cells.get((domain, level))
        if cell is not None and cell.flag != Flag.SUPPRESS:
            fallback = ""
            if skipped:
                fallback = (
                    f"Le chiffre des {group_name(*levels[0])} n'est pas diffusé (effectif trop "
                    f"faible) : comparaison avec les {group_name(domain, level)}."
                )
            return Peer(
                domain, level, cell.estimate, cell.ci_low, cell.ci_high, cell.flag, fallback
            )
        skipped.append((domain, level))
    return None


# --- Key indicators ------------------------------------------------------------------------


@dataclass
class IndicatorComparison:
    axis: str
    title: str
    mine: bool | None  # in the indicator's group, not in it, or no answer
    peer: Peer | None
    sentence: str


def _member(indicator, answers: dict[str, Any]) -> bool | None:
    column = indicator.columns([answers])[queries.main_category(indicator)]
    value = float(column[0])
    return None if math.isnan(value) else value == 1.0


def sentence(mine: bool | None, peer: Peer | None, phrase: str) -> str:
    """« Votre collectivité fait partie des 31 % (± 9 points) de communes … qui … »."""
    if peer is None:
        return f"Aucun chiffre publié pour les collectivités qui {phrase}."
    share = formats.percent(peer.estimate)
    margin = formats.points(peer.margin, digits=0)
    figure = f"{share} (± {margin}) de {peer.group}"
    if mine is None:
        return f"{figure[:1].upper()}{figure[1:]} {phrase} ; votre réponse ne permet pas de vous situer."
    verb = "fait partie" if mine else "ne fait pas partie"
    caution = " (chiffre à interpréter avec prudence)" if peer.caution else ""
    return f"Votre collectivité {verb} des {figure} qui {phrase}{caution}."


def key_indicators(
    grid: scoring.Grid, answers: dict[str, Any], authority, edition
) -> list[IndicatorComparison]:
    if edition is None:
        return []
    iset = queries.indicators_of(edition)
    codes = {i.code for a in grid.axes for i in a.indicators}
    results = Result.objects.filter(
        edition=edition, version=edition.published_version, indicator__in=codes
    )
    cells: dict[tuple[str, str, str, str], Result] = {
        (r.indicator, r.category, r.domain, r.level): r for r in results
    }
    out = []
    for axis in grid.axes:
        for key in axis.indicators:
            try:
                indicator = iset.get(key.code)
            except KeyError:
                continue
            main = queries.main_category(indicator)
            mine_cells = {
                (d, lv): cells.get((indicator.code, main, d, lv)) for d, lv in levels_of(authority)
            }
            peer = _nearest({k: v for k, v in mine_cells.items() if v is not None}, authority)
            mine = _member(indicator, answers)
            out.append(
                IndicatorComparison(
                    axis.code, indicator.title, mine, peer, sentence(mine, peer, key.phrase)
                )
            )
    return out


# --- Axis scores of the peers --------------------------------------------------------------


@threadpool_limits.wrap(limits=1, user_api="blas")
def _compute_peer_scores(edition: Edition, grid_version: RulesVersion) -> list[PeerScore]:
    from observatoire.barometre.weighting import load_sample, plan_of, weight

    grid = scoring.grid_of(grid_version.text)
    sample = load_sample(edition, weighted=True)
    weighted = weight(edition, sample)
    names = [a.code for a in grid.axes]
    matrix = scoring.score_matrix(grid, sample.answers)
    by = {d: sample.columns[d] for d in ("strate", "taille")}
    est = stats.estimate(
        weighted.design, stats.IndicatorMatrix(names, matrix), kind="mean", by=by, na_rm=True
    )
    flags = stats.DisclosureRule(**plan_of(edition)["disclosure"]).apply(est)
    rows = []
    for i, flag in enumerate(flags):
        value, low, high = (float(x[i]) for x in (est.estimate, est.ci_low, est.ci_high))
        if not all(map(math.isfinite, (value, low, high))):
            value, low, high, flag = 0.0, 0.0, 0.0, Flag.SUPPRESS
        rows.append(
            PeerScore(
                edition=edition,
                version=edition.published_version,
                grid=grid_version,
                axis=est.variable[i],
                domain=est.domain[i],
                level=est.domain_level[i],
                estimate=value,
                ci_low=low,
                ci_high=high,
                n=int(est.n[i]),
                flag=flag,
            )
        )
    return rows


def peer_scores(edition: Edition, grid_version: RulesVersion) -> list[PeerScore]:
    """The peers' axis scores for this edition version and grid, computed the first time."""
    existing = PeerScore.objects.filter(
        edition=edition, version=edition.published_version, grid=grid_version
    )
    if not existing.exists():
        rows = _compute_peer_scores(edition, grid_version)
        with transaction.atomic():
            PeerScore.objects.bulk_create(rows, ignore_conflicts=True)
    return list(existing.all())


@dataclass
class AxisComparison:
    code: str
    title: str
    mine: int
    peer: Peer | None


def compare_axes(
    scores: scoring.Scores, grid_version: RulesVersion, authority, edition
) -> list[AxisComparison]:
    """Each axis score against the peers' weighted mean (nearest published level)."""
    by_axis: dict[str, dict[tuple[str, str], PeerScore]] = {}
    if edition is not None:
        for row in peer_scores(edition, grid_version):
            by_axis.setdefault(row.axis, {})[(row.domain, row.level)] = row
    return [
        AxisComparison(
            a.axis.code, a.axis.title, a.score, _nearest(by_axis.get(a.axis.code, {}), authority)
        )
        for a in scores.axes
    ]
