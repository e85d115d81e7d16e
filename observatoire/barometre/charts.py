"""Vega-Lite specifications: the same spec is embedded on the page (interactive, tooltips)
and rendered to SVG for the PDF by ``vl-convert`` (French number locale in both)."""

from __future__ import annotations

import json
from typing import Any

from django.utils.translation import gettext as _

FR_LOCALE = {
    "decimal": ",",
    "thousands": "\u00a0",
    "grouping": [3],
    "currency": ["", "\u00a0€"],
    "percent": "\u00a0%",
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


def _base(title: str, points: list[dict[str, Any]], width: int) -> dict[str, Any]:
    return {
        "$schema": "https://vega.github.io/schema/vega-lite/v5.json",
        "title": title,
        "width": width,
        "height": 240,
        "data": {"values": [p for p in points if p["estimation"] is not None]},
        "config": {"font": "Marianne, Arial, sans-serif", "view": {"stroke": None}},
    }


def trend(title: str, points: list[dict[str, Any]], width: int = 520) -> dict[str, Any]:
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


def by_domain(title: str, points: list[dict[str, Any]], width: int = 520) -> dict[str, Any]:
    """Estimate per domain level (bars) with its 95 % interval, for one edition."""
    y = {"field": "domaine", "type": "nominal", "title": None, "sort": None}
    x = {
        "field": "estimation",
        "type": "quantitative",
        "title": _("Part"),
        "axis": {"format": ".0%"},
        "scale": {"domain": [0, 1]},
    }
    spec = _base(title, points, width)
    spec["height"] = {"step": 26}
    spec["layer"] = [
        {"mark": {"type": "bar", "color": PALETTE[0], "opacity": 0.85}, "encoding": {"y": y, "x": x, "tooltip": TOOLTIP}},
        {"mark": {"type": "rule", "color": "#161616", "strokeWidth": 2}, "encoding": {"y": y, "x": {**x, "field": "ic_bas"}, "x2": {"field": "ic_haut"}}},
    ]  # fmt: skip
    return spec


def theme_bars(title: str, points: list[dict[str, Any]], width: int = 440) -> dict[str, Any]:
    """All the indicators of a theme, whole sample, one bar each with its 95 % interval."""
    y = {
        "field": "modalite",
        "type": "nominal",
        "title": None,
        "sort": None,
        "axis": {"labelLimit": 260},
    }
    x = {
        "field": "estimation",
        "type": "quantitative",
        "title": "Estimation",
        "axis": {"format": ".0%"},
        "scale": {"domain": [0, 1]},
    }
    spec = _base(title, points, width)
    spec["height"] = {"step": 14 if len(points) > 20 else 22}
    spec["layer"] = [
        {
            "mark": {"type": "bar", "color": PALETTE[0], "opacity": 0.85},
            "encoding": {"y": y, "x": x},
        },
        {
            "mark": {"type": "rule", "color": "#161616"},
            "encoding": {"y": y, "x": {**x, "field": "ic_bas"}, "x2": {"field": "ic_haut"}},
        },
    ]
    return spec  # fmt: skip


def to_svg(spec: dict[str, Any]) -> str:
    """Static SVG of a spec (for the PDF); deterministic for the same spec."""
    import vl_convert

    return vl_convert.vegalite_to_svg(
        json.loads(json.dumps(spec)), vl_version="5.20", format_locale=FR_LOCALE
    )
