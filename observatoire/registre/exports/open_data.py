"""Open data: every public field of an entry as JSON (also the frozen content of each
published version), and the CSV of its main columns; both under the Etalab open licence."""

import copy
import csv
import io

from django.db import models

from observatoire.core import csvsafe
from observatoire.registre.exports.common import LICENCE, Exporter, date, dumps, url
from observatoire.registre.fields import CHILD_FIELDS, SECTION_FIELDS

# The record's first plain fields, as the form's first sections hold them (the vendor
# product is a record of its own, further down).
PLAIN_FIELDS = [
    *SECTION_FIELDS["identity"],
    *(f for f in SECTION_FIELDS["classification"] if f != "vendor_product"),
    *SECTION_FIELDS["rationale"],
]


def _value(obj, name: str):
    """A field's value as JSON: dates in ISO format ("" when empty), lists and dicts copied."""
    value = getattr(obj, name)
    if isinstance(obj._meta.get_field(name), models.DateField):
        return date(value)
    return copy.copy(value) if isinstance(value, list | dict) else value


def _group(obj, fields: dict[str, str]) -> dict:
    return {key: _value(obj, name) for key, name in fields.items()}


# The record's groups: each key and the field of the entry (or authority) it reads.
AUTHORITY = {name: name for name in ("siren", "code", "kind", "name", "stratum", "region")}
CRPA = {
    "individual_decisions": "individual_decisions",
    "contribution": "crpa_contribution",
    "data": "crpa_data",
    "parameters": "crpa_parameters",
    "operations": "crpa_operations",
    "in_rules_inventory": "in_rules_inventory",
    "deliberation_ref": "deliberation_ref",
    "deliberation_url": "deliberation_url",
    "legal_references": "legal_references",
}
GDPR = {
    "personal_data": "personal_data",
    "categories": "personal_data_categories",
    "legal_basis": "legal_basis",
    "processing_record_url": "processing_record_url",
    "dpia_status": "dpia_status",
    "dpia_url": "dpia_url",
    "dpo_opinion": "dpo_opinion",
}
AI_ACT = {
    "level": "ai_act_level",
    "role": "ai_act_role",
    "answers": "ai_act_answers",
    "reasoning": "ai_act_reasoning",
    "obligations": "ai_act_obligations",
    "deployer_checklist": "deployer_checklist",
    "fria": "fria",
}
HOSTING = {
    "kind": "hosting_kind",
    "provider": "hosting_provider",
    "location": "hosting_location",
    "country": "hosting_country",
    "secnumcloud": "secnumcloud",
}


def _vendor_product(product) -> dict | None:
    if product is None:
        return None
    return {
        "name": product.name,
        "vendor": product.vendor_name,
        "url": url(product.get_absolute_url()),
    }


def _footprint(entry) -> dict:
    return {
        "model_size": entry.model_size,
        "requests_per_year": entry.requests_per_year,
        "carbon_intensity": entry.carbon_intensity,
        **entry.footprint().as_dict(),
        "frugality_measures": entry.frugality_measures,
    }


def _children(entry, relation: str) -> list[dict]:
    fields = CHILD_FIELDS[relation]
    return [{f: getattr(child, f) for f in fields} for child in getattr(entry, relation).all()]


def entry_record(entry) -> dict:
    """Every public field of an entry, with its ids and URLs; JSON-ready."""
    return {
        "id": entry.pk,
        "public_id": str(entry.public_id),
        "url": url(entry.get_absolute_url()),
        "licence": LICENCE,
        "authority": _group(entry.authority, AUTHORITY),
        **{name: _value(entry, name) for name in PLAIN_FIELDS},
        "crpa": _group(entry, CRPA),
        "gdpr": _group(entry, GDPR),
        "ai_act": _group(entry, AI_ACT),
        "vendor_product": _vendor_product(entry.vendor_product),
        "system_architecture": entry.system_architecture,
        "source_code_url": entry.source_code_url,
        "hosting": _group(entry, HOSTING),
        "footprint": _footprint(entry),
        "datasets": _children(entry, "datasets"),
        "models": _children(entry, "components"),
        "third_parties": _children(entry, "third_parties"),
        "adopted_from": str(entry.adopted_from.public_id) if entry.adopted_from else None,
        "status": entry.status,
        "published_at": entry.published_at.isoformat() if entry.published_at else None,
        "review_date": date(entry.review_date),
    }


# Columns of the open-data CSV, each read from the record or one of its groups.
CSV_SOURCES: dict[str, tuple[str, ...]] = {
    "id": ("id",),
    "public_id": ("public_id",),
    "url": ("url",),
    "authority_siren": ("authority", "siren"),
    "authority_name": ("authority", "name"),
    "name": ("name",),
    "summary": ("summary",),
    "service": ("service",),
    "theme": ("theme",),
    "technology": ("technology",),
    "lifecycle": ("lifecycle",),
    "ai_act_level": ("ai_act", "level"),
    "individual_decisions": ("crpa", "individual_decisions"),
    "personal_data": ("gdpr", "personal_data"),
    "legal_basis": ("gdpr", "legal_basis"),
    "dpia_status": ("gdpr", "dpia_status"),
    "contact_email": ("contact_email",),
    "kwh_per_year": ("footprint", "kwh_per_year"),
    "kg_co2e_per_year": ("footprint", "kg_co2e_per_year"),
    "published_at": ("published_at",),
    "review_date": ("review_date",),
    "licence": ("licence",),
}
CSV_COLUMNS = list(CSV_SOURCES)


def _read(record: dict, path: tuple[str, ...]):
    for key in path:
        record = record[key]
    return record


def csv_row(entry) -> dict:
    record = entry_record(entry)
    return {column: _read(record, path) for column, path in CSV_SOURCES.items()}


def csv_text(rows, columns: list[str], delimiter: str = ",") -> str:
    """A CSV file of dict rows; a semicolon file quotes every cell, as spreadsheets expect."""
    out = io.StringIO()
    writer = csvsafe.DictWriter(
        out,
        fieldnames=columns,
        delimiter=delimiter,
        quoting=csv.QUOTE_ALL if delimiter == ";" else csv.QUOTE_MINIMAL,
    )
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def to_csv(entries) -> str:
    return csv_text((csv_row(e) for e in entries), CSV_COLUMNS)


def to_json(entries) -> str:
    return dumps({"licence": LICENCE, "entries": [entry_record(e) for e in entries]})


CSV = Exporter("csv", "CSV", "text/csv; charset=utf-8", "csv", csv_row, to_csv)
JSON = Exporter("json", "JSON", "application/json", "json", entry_record, to_json)
