"""From an edition's responses and its weighting plan to a calibrated survey design.

The plan (``Edition.plan``, JSON) says:

* ``unit``: ``collectivites`` (each authority counts once: margins are numbers of
  authorities), ``habitants`` (each authority counts for its inhabitants: margins are
  populations, figures read "share of the population whose authority…") or ``personnes``
  (citizens' poll);
* ``margins``: the raking margins, among ``strate`` and ``region`` for authorities (totals
  taken from ``territoires.UniverseCount`` of the edition's vintage), or a mapping
  ``variable -> {category: share}`` for the citizens' poll with ``population_total``;
* ``collapse``: thin strata merged into a neighbour (``{"cu": "metropole"}``), and
  ``min_cell``: a stratum or région with fewer respondents is merged automatically
  (strata into their neighbour in ``NEIGHBOURS``, régions into "autres régions");
* ``disclosure``: the thresholds of :class:`observatoire.stats.DisclosureRule`.

The design is stratified by (collapsed) stratum with its finite population correction
(the number of authorities of the universe), design weights ``N_h / n_h`` (times the
authority's population in ``habitants``), then raked to the margins by the stats engine, so
that the standard errors account for the calibration.  Statistics are never computed here.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from django.db.models import Sum, TextField
from django.db.models.functions import Cast

from observatoire import stats
from observatoire.barometre.choices import Unit
from observatoire.questionnaires.choices import ResponseStatus
from observatoire.questionnaires.models import Response
from observatoire.territoires.choices import Kind, Stratum
from observatoire.territoires.models import Authority, UniverseCount

OTHER_REGIONS = "autres"
# Where a thin stratum goes when it has too few respondents to be weighted on its own.
NEIGHBOURS = {
    Stratum.CU: Stratum.METROPOLE,
    Stratum.METROPOLE: Stratum.CA,
    Stratum.CA: Stratum.CC,
    Stratum.COMMUNE_GT_100000: Stratum.COMMUNE_10000_100000,
    Stratum.COMMUNE_10000_100000: Stratum.COMMUNE_3500_10000,
    Stratum.COMMUNE_3500_10000: Stratum.COMMUNE_LT_3500,
    Stratum.REGION: Stratum.DEPARTEMENT,
    Stratum.DEPARTEMENT: Stratum.CC,
    Stratum.OTHER: Stratum.CC,
}
DEFAULT_PLAN: dict[str, Any] = {
    "unit": Unit.AUTHORITIES.value,
    "margins": ["strate", "region"],
    "collapse": {},
    "min_cell": 5,
    "disclosure": {"min_n": 10, "caution_n": 30, "max_cv": 0.6, "caution_cv": 0.3},
}


class PlanError(Exception):
    """A weighting plan that cannot be applied; the message (French) is for the analyst."""


@dataclass
class Sample:
    """The respondents of an edition as columns (one entry per response)."""

    response_ids: list[int]
    columns: dict[str, np.ndarray] = field(default_factory=dict)
    answers: list[dict[str, Any]] = field(default_factory=list)

    @property
    def n(self) -> int:
        return len(self.response_ids)


@dataclass
class Weighted:
    design: stats.Design
    cells: np.ndarray
    report: dict[str, Any]
    #: The same weights through ``stats.rake`` (iterative proportional fitting), whose
    #: steps the replicate weights replay: 20 times faster than calibrating each of them.
    replayed: stats.Design | None = None


def plan_of(edition) -> dict[str, Any]:
    """The edition's plan completed with the defaults."""
    plan = dict(DEFAULT_PLAN)
    plan.update(edition.plan or {})
    return plan


def load_sample(edition, *, weighted: bool = False) -> Sample:
    """Submitted responses of the edition with the domain columns used by indicators.

    ``weighted``: only those of the last weighting run (what is published: the explorer,
    the microdata and the peers' scores), not one submitted since, which only a new
    weighting run takes in."""
    responses = Response.objects.filter(
        questionnaire=edition.questionnaire, status=ResponseStatus.SUBMITTED
    )
    if weighted:
        responses = responses.filter(weights__edition=edition)
    rows = list(
        responses.order_by("pk")
        .values_list(
            "pk", Cast("answers", TextField()), "authority_id", "authority__kind",
            "authority__code", "authority__stratum", "authority__region",
            "authority__population",
        )
    )  # fmt: skip
    if not rows:
        raise PlanError("Aucune réponse envoyée : rien à pondérer.")
    # One JSON document for all the answers: the decoder shares the question codes (keys)
    # across responses, which parses 20,000 responses in about half the time of one
    # json.loads per response.
    answers = json.loads("[" + ",".join(r[1] for r in rows) + "]")
    sample = Sample([r[0] for r in rows], answers=answers)
    if plan_of(edition)["unit"] == Unit.PERSONS:
        for name in ("sexe", "age", "region", "occupation"):
            sample.columns[name] = np.array([str(a.get(name, "")) for a in answers])
        return sample
    missing = [r[0] for r in rows if r[2] is None]
    if missing:
        raise PlanError(f"La réponse n° {missing[0]} n'est rattachée à aucune collectivité.")
    strata = [r[5] for r in rows]
    sample.columns["strate"] = np.array(strata)
    sample.columns["type"] = np.array([r[3] for r in rows])
    sample.columns["taille"] = np.array(
        ["moins_3500" if s == Stratum.COMMUNE_LT_3500 else "plus_3500" for s in strata]
    )
    sample.columns["region"] = np.array([r[6] or OTHER_REGIONS for r in rows])
    sample.columns["habitants"] = np.array(
        authority_populations([(r[3], r[4], r[7]) for r in rows]), dtype=np.float64
    )
    return sample


def authority_populations(authorities: list[tuple[str, str, int | None]]) -> list[float]:
    """Inhabitants of each (kind, code, population); départements and régions sum their
    communes."""
    communes = Authority.objects.filter(kind=Kind.COMMUNE, is_active=True)
    by_dep = dict(
        communes.values("departement").annotate(p=Sum("population")).values_list("departement", "p")
    )
    by_reg = dict(
        communes.values("region").annotate(p=Sum("population")).values_list("region", "p")
    )
    out = []
    for kind, code, population in authorities:
        if kind == Kind.DEPARTEMENT:
            out.append(float(by_dep.get(code) or 1))
        elif kind == Kind.REGION:
            out.append(float(by_reg.get(code) or 1))
        else:
            out.append(float(population or 1))
    return out


def _universe(vintage: int, unit: str) -> dict[tuple[str, str], tuple[int, float]]:
    """(stratum, région) -> (number of authorities, total of the unit) for a vintage."""
    rows = list(UniverseCount.objects.filter(vintage=vintage))
    if not rows:
        raise PlanError(f"Le millésime {vintage} de l'univers n'est pas chargé.")
    commune_pop: Counter[str] = Counter()
    for row in rows:
        if row.stratum.startswith("commune"):
            commune_pop[row.region] += row.population
    out: dict[tuple[str, str], tuple[int, float]] = {}
    total: float
    for row in rows:
        region = row.region or OTHER_REGIONS
        if unit == Unit.INHABITANTS:
            if row.stratum in (Stratum.DEPARTEMENT, Stratum.REGION):
                # One région (or its départements together) covers all its communes' inhabitants.
                total = float(commune_pop[row.region])
            else:
                total = float(row.population)
        else:
            total = float(row.count)
        count, prev = out.get((row.stratum, region), (0, 0.0))
        out[(row.stratum, region)] = (count + row.count, prev + total)
    return out


def collapse_strata(strata: np.ndarray, plan: dict[str, Any]) -> dict[str, str]:
    """Map each stratum to its weighting cell: the analyst's choices, then thin strata."""
    mapping = {s: str(plan["collapse"].get(s, s)) for s in Stratum.values}
    min_cell = int(plan["min_cell"])
    for _ in range(len(Stratum.values)):
        counts = Counter(mapping[s] for s in strata.tolist())
        thin = [c for c in dict.fromkeys(mapping.values()) if 0 < counts[c] < min_cell]
        if not thin:
            break
        target = str(NEIGHBOURS.get(Stratum(thin[0]), Stratum.CC))
        target = mapping.get(target, target)
        for key, value in mapping.items():
            if value == thin[0]:
                mapping[key] = target
    return mapping


def weight(edition, sample: Sample | None = None) -> Weighted:
    """Calibrated design of an edition (deterministic: re-running gives the same weights)."""
    sample = sample or load_sample(edition)
    plan = plan_of(edition)
    if plan["unit"] == Unit.PERSONS:
        return _weight_persons(sample, plan)
    unit = plan["unit"]
    universe = _universe(edition.vintage, unit)
    mapping = collapse_strata(sample.columns["strate"], plan)
    cells = np.array([mapping[s] for s in sample.columns["strate"].tolist()])
    counts_by_cell: Counter[str] = Counter()
    totals_by_cell: defaultdict[str, float] = defaultdict(float)
    totals_by_region: defaultdict[str, float] = defaultdict(float)
    for (stratum, region), (count, total) in universe.items():
        cell = mapping.get(stratum, stratum)
        counts_by_cell[cell] += count
        totals_by_cell[cell] += total
        totals_by_region[region] += total
    sampled = set(cells.tolist())
    lost = [c for c, n in counts_by_cell.items() if c not in sampled and n > 0]
    if lost:
        raise PlanError(
            f"Strate « {Stratum(lost[0]).label} » : aucune réponse ; regroupez-la avec une "
            "autre strate dans le plan de pondération."
        )
    n_by_cell = Counter(cells.tolist())
    base = np.array([counts_by_cell[c] / n_by_cell[c] for c in cells.tolist()])
    if unit == Unit.INHABITANTS:
        habitants = sample.columns["habitants"]
        sums: defaultdict[str, float] = defaultdict(float)
        for c, h in zip(cells.tolist(), habitants.tolist(), strict=True):
            sums[c] += h
        # Population-proportional within each cell: the ratio estimator of the cell total.
        base = np.array(
            [
                totals_by_cell[c] * h / sums[c]
                for c, h in zip(cells.tolist(), habitants.tolist(), strict=True)
            ]
        )
    design = stats.Design(
        base,
        strata=cells,
        fpc={c: float(counts_by_cell[c]) for c in sampled},
        lonely_psu="adjust",
    )
    margins = [stats.Margin("strate", cells, {c: totals_by_cell[c] for c in sampled})]
    if "region" in plan["margins"]:
        regions, region_totals = _collapse_regions(
            sample.columns["region"], totals_by_region, int(plan["min_cell"])
        )
        margins.append(stats.Margin("region", regions, region_totals))
    try:
        if len(margins) > 1:
            design, replayed = rake(design, margins)
        else:
            design = stats.post_stratify(design, cells, margins[0].population, name="strate")
            replayed = design
    except stats.StatsError as exc:
        raise PlanError(str(exc)) from exc
    return Weighted(design, cells, _report(design, margins, unit, mapping), replayed)


def rake(design: stats.Design, margins: list[stats.Margin]) -> tuple[stats.Design, stats.Design]:
    """Raking ratio weights, as ``(for the estimates, for the replicates)``.

    The estimates' design goes through ``calibrate(calfun="raking")``: the weights of
    ``rake`` (to 1e-8) with the variance of the exact calibration residuals.  ``rake``'s
    variance is R's: ten back-fitting sweeps, which stop short when the margins are
    associated (strata and régions) and then overstate the margins (x 1.3 to 1.5 on the
    demo, where the replicate weights gave 0.56 to 0.80 of them; see docs/barometre.md).
    The replicates replay ``rake`` (iterative proportional fitting), much faster than
    Newton's method on each of them, to the same weights."""
    by_name = {m.name: (m.values, m.population) for m in margins}
    exact = stats.calibrate(design, margins=by_name, calfun="raking", tol=1e-10, max_iter=100)
    return exact, stats.rake(design, margins, tol=1e-9, max_iter=5000)


def _collapse_regions(
    regions: np.ndarray, totals: dict[str, float], min_cell: int
) -> tuple[np.ndarray, dict[str, float]]:
    counts = Counter(regions.tolist())
    keep = {r for r, n in counts.items() if n >= min_cell and totals.get(r, 0) > 0}
    labels = np.array([r if r in keep else OTHER_REGIONS for r in regions.tolist()])
    out: defaultdict[str, float] = defaultdict(float)
    for region, total in totals.items():
        out[region if region in keep else OTHER_REGIONS] += total
    if int((labels == OTHER_REGIONS).sum()) < min_cell and OTHER_REGIONS in out:
        # Too few respondents outside the kept régions: fold them into the largest one.
        largest = max(keep, key=lambda r: counts[r])
        labels = np.where(labels == OTHER_REGIONS, largest, labels)
        out[largest] += out.pop(OTHER_REGIONS)
    return labels, dict(out)


def _weight_persons(sample: Sample, plan: dict[str, Any]) -> Weighted:
    total = float(plan.get("population_total", sample.n))
    margins = []
    for name, shares in plan["margins"].items():
        margins.append(
            stats.Margin(name, sample.columns[name], {k: v * total for k, v in shares.items()})
        )
    design = stats.Design(np.full(sample.n, total / sample.n))
    try:
        design, replayed = rake(design, margins)
    except stats.StatsError as exc:
        raise PlanError(str(exc)) from exc
    report = _report(design, margins, "personnes", {})
    return Weighted(design, np.full(sample.n, "ensemble"), report, replayed)


def _report(design: stats.Design, margins, unit: str, mapping: dict[str, str]) -> dict[str, Any]:
    report: dict[str, Any] = dict(stats.weights_report(design).as_dict())
    w = np.asarray(design.weights)
    gaps = []
    for m in margins:
        values = np.asarray(m.values)
        for key, target in m.population.items():
            got = float(w[values == key].sum())
            gaps.append(abs(got - target) / max(target, 1.0))
    report.update(
        {
            "unit": unit,
            "converged": bool(max(gaps, default=0.0) < 1e-6),
            "max_margin_gap": float(max(gaps, default=0.0)),
            "margins": [m.name for m in margins],
            "cells": {k: v for k, v in mapping.items() if k != v},
        }
    )
    return report


REPLICATES = 200
REPLICATE_SEED = 20_240


def replicate_weights(weighted: Weighted, replicates: int = REPLICATES) -> tuple[np.ndarray, Any]:
    """``replicates`` bootstrap replicate weights (Rao–Wu within the weighting cells, with
    their finite population correction), each re-weighted by the same calibration as the
    full sample: what the open data publishes so that anyone gets the margins of error
    without the régions and populations the weighting used.  Returns (n × R weights, the
    engine's ``ReplicateWeights`` giving ``scale`` and ``rscales``)."""
    design = weighted.replayed or weighted.design
    rep = stats.replicate_weights(design, "bootstrap", replicates=replicates, seed=REPLICATE_SEED)
    base = np.asarray(design.base_weights)
    columns = []
    for r in range(rep.factors.shape[1]):
        try:
            columns.append(np.asarray(design.replay(base * rep.factors[:, r]).weights))
        except stats.StatsError as exc:
            raise PlanError(
                f"Poids répliqué n° {r + 1} : le calage ne converge pas ({exc})."
            ) from exc
    return np.column_stack(columns), rep
