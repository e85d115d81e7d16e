"""The Dutch Algoritmeregister v1.0, validated with a JSON Schema derived from its field
configuration (types, maximum lengths, required, permitted values)."""

import json
from functools import cache
from typing import Any

import jsonschema
from django.utils.translation import gettext_lazy as _

from observatoire.registre.choices import LIFECYCLE_NL, THEME_MAP, Automation, RiskLevel
from observatoire.registre.exports.common import (
    STANDARDS,
    Exporter,
    ExportError,
    dumps,
    first_published,
    url,
)


@cache
def nl_config() -> dict:
    return json.loads((STANDARDS / "nl-algoritmeregister-v1_0.json").read_text(encoding="utf-8"))


def _nl_property(spec: dict) -> dict:
    kind = spec.get("type")
    if kind == "enum":
        return {"enum": spec["permitted_values"]}
    if kind == "array" and "permitted_values" in spec:
        return {"type": "array", "items": {"enum": spec["permitted_values"]}}
    if kind == "array":
        items = spec["items"]
        return {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {k: _nl_property(v) for k, v in items.items()},
                "required": [k for k, v in items.items() if v.get("required") is True],
                "additionalProperties": False,
            },
        }
    schema: dict = {"type": "string"}
    if spec.get("max_length"):
        schema["maxLength"] = spec["max_length"]
    return schema


@cache
def nl_schema() -> dict:
    """The Dutch field configuration as a JSON Schema (types, maximum lengths, required)."""
    props = nl_config()["properties"]
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "type": "object",
        "properties": {k: _nl_property(v) for k, v in props.items()},
        "required": [k for k, v in props.items() if v.get("required") is True],
        "additionalProperties": False,
    }


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _nl_category(entry) -> str:
    if entry.ai_act_level == RiskLevel.HIGH:
        return "Hoog-risico AI-systeem"
    if entry.individual_decisions or entry.automation in (Automation.PARTIAL, Automation.FULL):
        return "Impactvolle algoritmes"
    return "Overige algoritmes"


def _lawful_grouping(entry) -> list[dict]:
    if not entry.deliberation_url:
        return []
    return [
        {
            "title": _cut(entry.deliberation_ref or "Délibération", 100),
            "link": _cut(entry.deliberation_url, 500),
        }
    ]


def _assessments(entry) -> list[dict]:
    assessments = []
    if entry.dpia_status == "done":
        item = {"title": "Data Protection Impact Assessment (DPIA)"}
        if entry.dpia_url:
            item["link"] = _cut(entry.dpia_url, 500)
        assessments.append(item)
    if entry.fria:
        assessments.append({"title": "Fundamental Rights Impact Assessment (AI Act art. 27)"})
    return assessments


def to_nl(entry) -> dict:
    props = nl_config()["properties"]

    def text(key: str, value: str) -> str:
        return _cut(value or "", props[key].get("max_length") or 10**9)

    themes = [entry.theme, *entry.extra_themes]
    datasets = list(entry.datasets.all())
    published = first_published(entry)
    record: dict[str, Any] = {
        "name": text("name", entry.name),
        "description_short": text("description_short", entry.summary),
        "organization": text("organization", entry.authority.name),
        "category": sorted({THEME_MAP[t][0] for t in themes if t in THEME_MAP}),
        "status": LIFECYCLE_NL[entry.lifecycle],
        "begin_date": entry.start_date.strftime("%Y-%m") if entry.start_date else "",
        "end_date": entry.end_date.strftime("%Y-%m") if entry.end_date else "",
        "contact_email": text("contact_email", entry.contact_email),
        "website": text("website", entry.public_url),
        "publication_category": _nl_category(entry),
        "url": text("url", url(entry.get_absolute_url())),
        "goal": text("goal", entry.goal),
        "proportionality": text("proportionality", entry.proportionality),
        "human_intervention": text("human_intervention", entry.human_oversight),
        "risks": text("risks", entry.risks),
        "lawful_basis": text(
            "lawful_basis", entry.legal_references or entry.get_legal_basis_display()
        ),
        "lawful_basis_grouping": _lawful_grouping(entry),
        "process_index_url": text("process_index_url", entry.processing_record_url),
        "impacttoetsen_grouping": _assessments(entry),
        "impacttoetsen": text("impacttoetsen", entry.dpo_opinion),
        "source_data": text(
            "source_data",
            "; ".join(f"{d.name} ({d.source})" if d.source else d.name for d in datasets),
        ),
        "source_data_grouping": [
            {"title": _cut(d.name, 500), "link": _cut(d.url, 500)} for d in datasets if d.url
        ],
        "methods_and_models": text(
            "methods_and_models", entry.system_architecture or entry.get_technology_display()
        ),
        "provider": text("provider", ", ".join(t.name for t in entry.third_parties.all())),
        "publiccode": text("publiccode", entry.source_code_url),
        # The standard only permits "nld"; the content itself is in French.
        "lang": "nld",
        "standard_version": "1.0",
        "source_id": str(entry.public_id),
        "tags": text("tags", entry.keywords),
        "publication_dt": published.isoformat() if published else "",
    }
    return record


def validate_nl(record: dict) -> None:
    try:
        jsonschema.validate(record, nl_schema())
    except jsonschema.ValidationError as exc:
        field = "/".join(str(p) for p in exc.absolute_path) or "(racine)"
        raise ExportError(f"Algoritmeregister, champ {field} : {exc.message}") from exc


def to_nl_json(entries) -> str:
    records = [to_nl(e) for e in entries]
    for record in records:
        validate_nl(record)
    return dumps(records)


NL = Exporter(
    "nl",
    _("Algoritmeregister (Pays-Bas)"),
    "application/json",
    "json",
    to_nl,
    to_nl_json,
    hreflang="nl",
)
