"""Reading published results for the pages, the PDF and the open data (no writes here)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.utils.text import capfirst

from observatoire.barometre.choices import Flag
from observatoire.barometre.indicator_specs import Indicator, IndicatorSet, for_edition, for_version
from observatoire.barometre.models import Edition, Result
from observatoire.core import formats
from observatoire.territoires.choices import Kind, Stratum

DOMAIN_TITLES = {
    "": "Ensemble",
    "strate": "Strate",
    "type": "Type de collectivité",
    "taille": "Taille",
    "sexe": "Sexe",
    "age": "Âge",
}
LEVEL_LABELS: dict[str, dict[str, str]] = {
    "": {"": "Ensemble"},
    "strate": {s.value: str(s.label) for s in Stratum},
    "type": {k.value: str(capfirst(k.label)) for k in Kind},
    "taille": {"moins_3500": "Communes de moins de 3 500 habitants", "plus_3500": "Collectivités de 3 500 habitants et plus"},
    "sexe": {"femme": "Femmes", "homme": "Hommes"},
    "age": {"18_24": "18-24 ans", "25_34": "25-34 ans", "35_49": "35-49 ans", "50_64": "50-64 ans", "65_plus": "65 ans et plus"},
}  # fmt: skip


def level_label(domain: str, level: str) -> str:
    return LEVEL_LABELS.get(domain, {}).get(level, level)


def population_label(edition: Edition, domain: str, level: str) -> str:
    """Who a figure is about: "Ensemble des collectivités", "Communes de moins de…"."""
    if domain:
        return level_label(domain, level)
    if edition.population == "citizens":
        return "Ensemble des Français de 18 ans et plus"
    return "Ensemble des collectivités"


def indicators_of(edition: Edition, version: int | None = None) -> IndicatorSet:
    """The indicators of a published version (the latest by default) as they were published."""
    if not edition.is_published:
        return for_edition(edition)
    return for_version(edition, version or edition.published_version)


def published(edition: Edition, version: int | None = None) -> QuerySet[Result]:
    """The results of a published version (the latest by default)."""
    return Result.objects.filter(edition=edition, version=version or edition.published_version)


def main_category(indicator: Indicator) -> str:
    if indicator.kind == "done_or_planned":
        return "fait"
    if indicator.kind == "ranking":
        return indicator.values[0]
    return ""


@dataclass
class Cell:
    """A result as shown: never a bare number when the disclosure rule flags it."""

    result: Result | None
    label: str = ""
    query: str = ""  # opens the indicator page on the cell's population
    answer: str = ""  # the answer counted, for a multi-answer indicator

    @property
    def shown(self) -> bool:
        return self.result is not None and self.result.flag != Flag.SUPPRESS

    @property
    def caution(self) -> bool:
        return self.result is not None and self.result.flag == Flag.CAUTION

    @property
    def value(self) -> str:
        if self.result is None:
            return "—"
        if self.result.flag == Flag.SUPPRESS:
            return "non diffusé"
        return formats.percent(self.result.estimate)

    @property
    def margin(self) -> str:
        if not self.shown or self.result is None:
            return ""
        return "± " + formats.points(self.result.margin)

    @property
    def interval(self) -> str:
        if not self.shown or self.result is None:
            return ""
        return f"{formats.percent(self.result.ci_low)} – {formats.percent(self.result.ci_high)}"

    @property
    def change(self) -> str:
        r = self.result
        if not self.shown or r is None or r.change is None:
            return ""
        sign = "significative" if r.significant else "non significative"
        return f"{formats.points(r.change, digits=0, signed=True)} ({sign})"

    @property
    def gap(self) -> str:
        """The domain's gap to the whole in points ("+12 points"); empty when not shown."""
        r = self.result
        if not self.shown or r is None or r.gap is None:
            return ""
        return formats.points(r.gap, digits=0, signed=True)

    @property
    def gap_significant(self) -> bool:
        """The domain differs from the whole at the 5 % level (test on the same design)."""
        return bool(self.gap) and self.result is not None and self.result.gap_significant

    @property
    def gap_text(self) -> str:
        """Gap and verdict in words, "+12 points (significatif)": never by colour alone."""
        if not self.gap:
            return ""
        return f"{self.gap} ({'significatif' if self.gap_significant else 'non significatif'})"


def key_figures(edition: Edition, version: int | None = None) -> list[tuple[Indicator, Cell]]:
    """The headline figures, each labelled with its population (and the answer it counts)
    and carrying the query that opens its indicator page on that population."""
    rows = {(r.indicator, r.category, r.domain, r.level): r for r in published(edition, version)}
    out = []
    for indicator in indicators_of(edition, version).indicators:
        if indicator.key is None:
            continue
        domain, level = indicator.key["domain"], indicator.key["level"]
        category = main_category(indicator)
        cell = Cell(
            rows.get((indicator.code, category, domain, level)),
            population_label(edition, domain, level),
        )
        cell.query = f"?domaine={domain}&niveau={level}" if domain else ""
        if indicator.kind in ("ranking", "done_or_planned"):
            cell.answer = indicator.category_label(category)
        out.append((indicator, cell))
    return out


def headline(edition: Edition, indicator: Indicator, domain: str, level: str) -> Cell:
    """The indicator's main figure on one population (the one a key figure links to)."""
    r = (
        published(edition)
        .filter(
            indicator=indicator.code, category=main_category(indicator), domain=domain, level=level
        )
        .first()
    )
    cell = Cell(r, population_label(edition, domain, level))
    if indicator.kind in ("ranking", "done_or_planned"):
        cell.answer = indicator.category_label(main_category(indicator))
    return cell


def theme_rows(edition: Edition, theme: str, version: int | None = None) -> list[dict[str, Any]]:
    """Overall cells of every indicator of a theme, one row per category."""
    iset = indicators_of(edition, version)
    rows = {(r.indicator, r.category): r for r in published(edition, version).filter(domain="")}
    out = []
    for indicator in iset.indicators:
        if indicator.theme != theme:
            continue
        for category in indicator.categories:
            out.append(
                {
                    "indicator": indicator,
                    "category": indicator.category_label(category),
                    "cell": Cell(rows.get((indicator.code, category))),
                }
            )
    return out


def domain_cells(
    edition: Edition, indicator: Indicator, domain: str, version: int | None = None
) -> list[dict[str, Any]]:
    """Cells of an indicator for every level of a domain (and the whole sample first)."""
    results = published(edition, version).filter(indicator=indicator.code)
    out = []
    for r in results.filter(domain="").order_by("category"):
        out.append({"level": "", "label": "Ensemble", "category": r.category, "cell": Cell(r)})
    order = list(LEVEL_LABELS.get(domain, {}))
    levels = sorted(
        results.filter(domain=domain),
        key=lambda r: (order.index(r.level) if r.level in order else 99, r.level, r.category),
    )
    for r in levels:
        out.append(
            {
                "level": r.level,
                "label": level_label(domain, r.level),
                "category": r.category,
                "cell": Cell(r),
            }
        )
    return out


def editions_of(edition: Edition) -> list[Edition]:
    return list(
        Edition.objects.published()
        .filter(questionnaire__population=edition.population)
        .order_by("year")
    )


def series(edition: Edition, indicator: Indicator, domain: str, level: str) -> list[dict[str, Any]]:
    """The indicator over the published editions, for the chart and its data table."""
    points = []
    for ed in editions_of(edition):
        for r in published(ed).filter(indicator=indicator.code, domain=domain, level=level):
            points.append(point(r, indicator, ed.year, level_label(domain, level)))
    return points


def point(r: Result, indicator: Indicator, year: int, label: str) -> dict[str, Any]:
    """One chart point with its French tooltip texts; a suppressed cell has no value."""
    shown = r.flag != Flag.SUPPRESS
    cell = Cell(r)
    return {
        "edition": str(year),
        "modalite": indicator.category_label(r.category) or indicator.title,
        "domaine": label,
        "estimation": round(r.estimate, 4) if shown else None,
        "ic_bas": round(r.ci_low, 4) if shown else None,
        "ic_haut": round(r.ci_high, 4) if shown else None,
        "valeur": cell.value,
        "intervalle": cell.interval or "—",
        "effectif": formats.integer(r.n),
        "diffusion": str(Flag(r.flag).label),
    }


def indicator_charts(
    edition: Edition, indicator: Indicator, domain: str, level: str
) -> dict[str, Any]:
    """Trend (whole sample, and the chosen level) and by-domain chart, with their tables."""
    from observatoire.barometre import charts

    trend_points = series(edition, indicator, "", "")
    if level:
        trend_points += series(edition, indicator, domain, level)
    if indicator.kind == "ranking" and not level:
        title = f"{indicator.title} — évolution"
    else:
        trend_points = [p for p in trend_points if p["modalite"] in _main_labels(indicator)]
        title = f"{indicator.title} — évolution"
    main = main_category(indicator)
    bars = [
        point(row["cell"].result, indicator, edition.year, row["label"])
        for row in domain_cells(edition, indicator, domain)
        if row["category"] == main and row["cell"].result is not None
    ]
    levels = [
        (r.level, level_label(domain, r.level))
        for r in published(edition).filter(indicator=indicator.code, domain=domain, category=main)
    ]
    return {
        "trend_spec": charts.trend(title, trend_points),
        "domain_spec": charts.by_domain(
            f"{indicator.title} — {DOMAIN_TITLES.get(domain, domain).lower()}, {edition.year}", bars
        ),
        "trend_points": trend_points,
        "domain_rows": domain_cells(edition, indicator, domain),
        "levels": sorted(levels, key=lambda lv: lv[1]),
        "level_label": level_label(domain, level) if level else "",
    }


def _main_labels(indicator: Indicator) -> set[str]:
    category = main_category(indicator)
    labels = {indicator.category_label(category) or indicator.title}
    if indicator.kind == "done_or_planned":
        labels.add(indicator.category_label("prevu"))
    return labels


def comparison(edition: Edition, level: str, other_code: str | None) -> dict[str, Any]:
    """My stratum against the whole sample (with the gap and its significance, tested at
    compute time on the microdata), and this edition against another one."""
    from observatoire.stats.compare import difference

    iset = indicators_of(edition)
    others = [e for e in editions_of(edition) if e.pk != edition.pk]
    other = next((e for e in others if e.code == other_code), None) or next(
        (e for e in reversed(others) if e.year < edition.year), None
    )
    current = {(r.indicator, r.category, r.domain, r.level): r for r in published(edition)}
    before = (
        {(r.indicator, r.category, r.domain, r.level): r for r in published(other)} if other else {}
    )
    strata_domain = iset.domains[0]
    rows = []
    for indicator in iset.indicators:
        cat = main_category(indicator)
        overall = current.get((indicator.code, cat, "", ""))
        mine = current.get((indicator.code, cat, strata_domain, level)) if level else None
        prev = before.get((indicator.code, cat, "", ""))
        change = None
        if (
            overall is not None
            and prev is not None
            and Flag.SUPPRESS not in (overall.flag, prev.flag)
        ):
            d, _se, _lo, _hi, p = difference(
                [prev.estimate], [prev.se], [overall.estimate], [overall.se]
            )
            change = f"{formats.points(float(d[0]), digits=0, signed=True)} ({'significative' if p[0] < 0.05 else 'non significative'})"
        rows.append(
            {"indicator": indicator, "overall": Cell(overall), "mine": Cell(mine), "previous": Cell(prev), "change": change or "—",
             "answer": indicator.category_label(cat) if indicator.kind in ("ranking", "done_or_planned") else ""}
        )  # fmt: skip
    levels = sorted(
        {(r.level, level_label(strata_domain, r.level)) for r in current.values() if r.domain == strata_domain},
        key=lambda lv: lv[1],
    )  # fmt: skip
    return {
        "rows": rows,
        "level": level,
        "level_label": level_label(strata_domain, level) if level else "",
        "levels": levels,
        "other": other,
        "others": others,
        "domain_title": DOMAIN_TITLES.get(strata_domain, strata_domain),
    }


def method(edition: Edition) -> dict[str, Any]:
    """Universe, sample and responses per stratum, weighting, margins of error, disclosure."""
    from django.db.models import Count, Sum

    from observatoire.barometre.weighting import plan_of
    from observatoire.territoires.models import UniverseCount

    plan = plan_of(edition)
    weights = edition.weights.all()
    strata = []
    if edition.population == "authorities":
        universe = dict(
            UniverseCount.objects.filter(vintage=edition.vintage)
            .values("stratum")
            .annotate(n=Sum("count"))
            .values_list("stratum", "n")
        )
        responses = dict(
            weights.values("response__authority__stratum")
            .annotate(n=Count("id"))
            .values_list("response__authority__stratum", "n")
        )
        for stratum in Stratum:
            n_universe = universe.get(stratum.value, 0)
            n_resp = responses.get(stratum.value, 0)
            if n_universe or n_resp:
                strata.append(
                    {
                        "label": stratum.label,
                        "universe": n_universe,
                        "responses": n_resp,
                        "rate": n_resp / n_universe if n_universe else None,
                    }
                )
    overall = [r for r in published(edition).filter(domain="") if r.flag != Flag.SUPPRESS]
    margins = sorted(r.margin for r in overall)
    return {
        "plan": plan,
        "strata": strata,
        "n_responses": weights.count(),
        "report": edition.weighting_report,
        "vintage_note": edition.vintage != edition.year,
        "margin_median": margins[len(margins) // 2] if margins else None,
        "margin_max": margins[-1] if margins else None,
        "cells": [(level_label("strate", k), level_label("strate", v)) for k, v in (edition.weighting_report.get("cells") or {}).items()],
        "replicates": edition.weighting_report.get("replicates"),
        "margin_names": ", ".join(DOMAIN_TITLES.get(str(m), str(m)).lower() for m in plan["margins"]) if isinstance(plan["margins"], dict) else "",
    }  # fmt: skip


def theme_points(edition: Edition, theme: str, version: int | None = None) -> list[dict[str, Any]]:
    """One bar per row of the theme's table (a multi-answer indicator: one per answer,
    labelled "indicator : answer"), whole population; suppressed cells have no bar."""
    points = []
    for row in theme_rows(edition, theme, version):
        r = row["cell"].result
        if r is None:
            continue
        p = point(r, row["indicator"], edition.year, population_label(edition, "", ""))
        title = row["indicator"].title
        p["modalite"] = f"{title} : {row['category']}" if row["category"] else title
        points.append(p)
    return points


def theme_chart(edition: Edition, theme: str, version: int | None = None, width: int | None = None):
    """The theme's bar chart spec and its points (the data table of the chart)."""
    from observatoire.barometre import charts

    iset = indicators_of(edition, version)
    points = theme_points(edition, theme, version)
    title = f"{iset.themes[theme]['title']} — {edition.year}"
    label_size = 24 if width is None else 44
    return charts.theme_bars(title, points, width=width, label_size=label_size), points


def comparison_points(edition: Edition, context: dict[str, Any]) -> list[dict[str, Any]]:
    """The comparison table as chart points: whole population, the chosen level, the other
    edition, for each indicator's main answer (suppressed cells have no bar)."""
    series = [("overall", f"{population_label(edition, '', '')} {edition.year}")]
    if context["level"]:
        series.append(("mine", f"{context['level_label']} {edition.year}"))
    if context["other"] is not None:
        series.append(("previous", f"{population_label(edition, '', '')} {context['other'].year}"))
    points = []
    for row in context["rows"]:
        for key, label in series:
            cell = row[key]
            if cell.result is None:
                continue
            p = point(cell.result, row["indicator"], edition.year, label)
            p["modalite"] = row["indicator"].title + (
                f" : {row['answer']}" if row["answer"] else ""
            )
            points.append(p)
    return points
