"""Vega-Lite specs of the diagnostic: axis scores against the peers, and across runs.

The same spec is embedded on the page and rendered to SVG for the PDF
(``barometre.charts.to_svg``); each chart has its data table beside it."""

from __future__ import annotations

from typing import Any

from observatoire.barometre.charts import PALETTE

SCHEMA = "https://vega.github.io/schema/vega-lite/v5.json"
CONFIG = {"font": "Marianne, Arial, sans-serif", "view": {"stroke": None}}
SCORE = {"type": "quantitative", "title": "Score (sur 100)", "scale": {"domain": [0, 100]}}


MINE, PEERS = "Votre collectivité", "Vos pairs"


def peers(rows: list[dict[str, Any]], width: int = 520) -> dict[str, Any]:
    """One pair of bars per axis: the authority, and its peers with their 95 % interval."""
    y = {
        "field": "axe",
        "type": "nominal",
        "title": None,
        "sort": None,
        "axis": {"labelLimit": 220},
    }
    color = {
        "field": "serie",
        "type": "nominal",
        "title": None,
        "scale": {"domain": [MINE, PEERS], "range": PALETTE[:2]},
        "legend": {"orient": "bottom"},
    }
    tooltip = [
        {"field": "axe", "title": "Axe"},
        {"field": "serie", "title": "Série"},
        {"field": "valeur", "title": "Score"},
        {"field": "intervalle", "title": "IC à 95 %"},
    ]
    return {
        "$schema": SCHEMA,
        "title": "Vos scores par axe et ceux de vos pairs",
        "width": width,
        "height": {"step": 18},
        "data": {"values": [r for r in rows if r["score"] is not None]},
        "config": CONFIG,
        "encoding": {"y": y, "yOffset": {"field": "serie", "sort": [MINE, PEERS]}},
        "layer": [
            {
                "mark": {"type": "bar", "opacity": 0.9},
                "encoding": {"x": {**SCORE, "field": "score"}, "color": color, "tooltip": tooltip},
            },
            {
                "mark": {"type": "rule", "color": "#161616", "strokeWidth": 2},
                "encoding": {"x": {**SCORE, "field": "ic_bas"}, "x2": {"field": "ic_haut"}},
            },
        ],
    }


def history(rows: list[dict[str, Any]], width: int = 520) -> dict[str, Any]:
    """Each axis score over the authority's runs (one line per axis)."""
    x = {
        "field": "date",
        "type": "ordinal",
        "title": "Diagnostic",
        "sort": None,
        "axis": {"labelAngle": 0},
    }
    color = {
        "field": "axe",
        "type": "nominal",
        "title": "Axe",
        "scale": {"range": [*PALETTE, "#8585f6"]},
    }
    return {
        "$schema": SCHEMA,
        "title": "Vos scores par axe, d'un diagnostic à l'autre",
        "width": width,
        "height": 220,
        "data": {"values": rows},
        "config": CONFIG,
        "layer": [
            {"mark": {"type": "line"}, "encoding": {"x": x, "y": {**SCORE, "field": "score"}, "color": color}},
            {
                "mark": {"type": "point", "filled": True, "size": 70},
                "encoding": {
                    "x": x,
                    "y": {**SCORE, "field": "score"},
                    "color": color,
                    "shape": {"field": "axe", "legend": None},
                    "tooltip": [{"field": "axe", "title": "Axe"}, {"field": "date", "title": "Date"},
                                {"field": "score", "title": "Score"}],
                },
            },
        ],
    }  # fmt: skip
