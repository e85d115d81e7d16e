"""Vega-Lite specifications: the same spec is embedded on the page (interactive, tooltips)
and rendered to SVG for the PDF by ``vl-convert`` (French number locale in both)."""

from __future__ import annotations

import json
from typing import Any

from django.utils.translation import gettext as _

from observatoire.core import formats

# d3-format's locale for the charts: the same spaces as core.formats.
FR_LOCALE = {
    "decimal": ",",
    "thousands": formats.THOUSANDS,
    "grouping": [3],
    "currency": ["", f"{formats.NBSP}€"],
    "percent": f"{formats.NBSP}%",
}
TOOLTIP = [
    {"field": "modalite", "title": "Modalité"},
    {"field": "domaine", "title": "Domaine"},
    {"field": "edition", "title": "Édition"},
    {"field": "valeur", "title": "Valeur"},
    {"field": "intervalle", "title": "IC à 95 %"},
    {"field": "effectif", "title": "Répondants (n)"},
    {"field": "diffusion", "title": "Diffusion"},
]
PALETTE = ["#000091", "#c9191e", "#18753c", "#716043", "#a558a0", "#0063cb"]


def _base(title: str, points: list[dict[str, Any]], width: int | None) -> dict[str, Any]:
    """Without ``width`` the chart fills its container (pages); the PDF gives a width."""
    spec: dict[str, Any] = {
        "$schema": "https://vega.github.io/schema/vega-lite/v5.json",
        "title": {
            "text": _lines(title, 38 if width is None else 80),
            "lineHeight": 16,
            "anchor": "start",
            "frame": "bounds",  # from the chart's left edge, labels included: never cut
        },
        "width": width or "container",
        "height": 240,
        "data": {"values": [p for p in points if p["estimation"] is not None]},
        "config": {"font": "Marianne, Arial, sans-serif", "view": {"stroke": None}},
    }
    if width is None:
        spec["autosize"] = {"type": "fit-x", "contains": "padding", "resize": True}
    return spec


def _lines(text: str, size: int) -> list[str]:
    """``text`` cut into lines of at most ``size`` characters on spaces (Vega draws a list
    of strings as lines: a long title or label stays whole on a narrow chart)."""
    lines: list[str] = []
    for word in text.split():
        if lines and len(lines[-1]) + 1 + len(word) <= size:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines or [""]


def trend(title: str, points: list[dict[str, Any]], width: int | None = None) -> dict[str, Any]:
    """Estimate over editions (one line per category) with its 95 % interval."""
    y = {
        "field": "estimation",
        "type": "quantitative",
        "title": _("Part"),
        "axis": {"format": ".0%"},
        "scale": {"domain": [0, 1]},
    }
    color = {
        "field": "modalite",
        "type": "nominal",
        "title": _("Modalité"),
        "scale": {"range": PALETTE},
        # Under the plot, one line each: long labels never push the chart past its container.
        "legend": {"orient": "bottom", "direction": "vertical", "labelLimit": 0},
    }
    x = {"field": "edition", "type": "ordinal", "title": _("Édition"), "axis": {"labelAngle": 0}}
    spec = _base(title, points, width)
    spec["layer"] = [
        {
            "mark": {"type": "rule", "strokeWidth": 2, "opacity": 0.5},
            "encoding": {"x": x, "y": {**y, "field": "ic_bas"}, "y2": {"field": "ic_haut"}, "color": color},
        },
        {"mark": {"type": "line"}, "encoding": {"x": x, "y": y, "color": color}},
        {
            "mark": {"type": "point", "filled": True, "size": 90},
            "encoding": {"x": x, "y": y, "color": color, "shape": {"field": "modalite", "legend": None}, "tooltip": TOOLTIP},
        },
    ]  # fmt: skip
    return spec


def by_domain(title: str, points: list[dict[str, Any]], width: int | None = None) -> dict[str, Any]:
    """Estimate per domain level (bars) with its 95 % interval, for one edition."""
    y, lines = _label_axis(points, 24, source="domaine")
    x = _share_axis(_("Part"))
    spec = _base(title, points, width)
    spec["height"] = {"step": max(26, 12 * lines + 6)}
    spec["layer"] = [
        {"mark": {"type": "bar", "color": PALETTE[0], "opacity": 0.85}, "encoding": {"y": y, "x": x, "tooltip": TOOLTIP}},
        {"mark": {"type": "rule", "color": "#161616", "strokeWidth": 2}, "encoding": {"y": y, "x": {**x, "field": "ic_bas"}, "x2": {"field": "ic_haut"}}},
    ]  # fmt: skip
    return spec


def theme_bars(
    title: str, points: list[dict[str, Any]], width: int | None = None, label_size: int = 24
) -> dict[str, Any]:
    """All the indicators of a theme, whole sample, one bar each with its 95 % interval.

    Labels are cut into lines of ``label_size`` characters (whole words), never truncated."""
    y, lines = _label_axis(points, label_size)
    x = _share_axis("Estimation")
    spec = _base(title, points, width)
    spec["height"] = {"step": max(22, 12 * lines + 6)}
    spec["layer"] = [
        {
            "mark": {"type": "bar", "color": PALETTE[0], "opacity": 0.85},
            "encoding": {"y": y, "x": x, "tooltip": TOOLTIP},
        },
        {
            "mark": {"type": "rule", "color": "#161616"},
            "encoding": {"y": y, "x": {**x, "field": "ic_bas"}, "x2": {"field": "ic_haut"}},
        },
    ]
    return spec  # fmt: skip


def _label_axis(
    points: list[dict[str, Any]], size: int, source: str = "modalite"
) -> tuple[dict[str, Any], int]:
    """The y encoding of bar labels (``source``) drawn on lines of ``size`` characters
    (field ``libelle`` added to each point), and the largest number of lines."""
    for p in points:
        p["libelle"] = "\n".join(_lines(p[source], size))
    y = {
        "field": "libelle",
        "type": "nominal",
        "title": None,
        "sort": None,
        "axis": {"labelLimit": 0, "labelExpr": "split(datum.label, '\\n')", "labelLineHeight": 12},
    }
    return y, max((p["libelle"].count("\n") + 1 for p in points), default=1)


def _share_axis(title: str) -> dict[str, Any]:
    return {
        "field": "estimation",
        "type": "quantitative",
        "title": title,
        "axis": {"format": ".0%"},
        "scale": {"domain": [0, 1]},
    }


# The PDF templates' font. vl-convert places each label by measuring it in the chart's
# font, and WeasyPrint draws the SVG's text in the font it names: were they two fonts (the
# pages' « Marianne, Arial » is measured in vl-convert's Liberation Sans and drawn in
# DejaVu Sans), the wider labels would run past the chart's left edge and be cut.
PDF_FONT = "DejaVu Sans"


def to_svg(spec: dict[str, Any]) -> str:
    """Static SVG of a spec (for the PDF), in the PDF's font; deterministic for the same spec."""
    import vl_convert

    spec = json.loads(json.dumps(spec))
    spec["config"] = {**spec.get("config", {}), "font": PDF_FONT}
    return vl_convert.vegalite_to_svg(spec, vl_version="5.20", format_locale=FR_LOCALE)


def grouped_bars(title: str, points: list[dict[str, Any]], label_size: int = 24) -> dict[str, Any]:
    """Several series per indicator (``domaine``: whole population, a stratum, another
    edition), side by side, with their 95 % intervals; fills its container."""
    y, _lines_count = _label_axis(points, label_size)
    x = _share_axis(_("Part"))
    offset = {"field": "domaine", "type": "nominal", "sort": None}
    color = {
        "field": "domaine",
        "type": "nominal",
        "title": None,
        "sort": None,
        "scale": {"range": PALETTE},
        "legend": {"orient": "top", "direction": "vertical", "labelLimit": 0},
    }
    spec = _base(title, points, None)
    spec["height"] = {"step": 14}
    spec["layer"] = grouped_bar_layers(y, offset, x, color, TOOLTIP)
    return spec  # fmt: skip


def grouped_bar_layers(y: dict, offset: dict, x: dict, color: dict, tooltip: list) -> list:
    """Bars grouped within each label (yOffset), each with its 95 % interval as a rule."""
    interval = {
        "y": y,
        "yOffset": offset,
        "x": {**x, "field": "ic_bas"},
        "x2": {"field": "ic_haut"},
    }
    return [
        {
            "mark": {"type": "bar", "opacity": 0.85},
            "encoding": {"y": y, "yOffset": offset, "x": x, "color": color, "tooltip": tooltip},
        },
        {"mark": {"type": "rule", "color": "#161616"}, "encoding": interval},
    ]
