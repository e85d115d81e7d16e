"""Open data: every public field of an entry as JSON (also the frozen content of each
published version), and the CSV of its main columns; both under the Etalab open licence."""

import csv
import io

from django.db import models

from observatoire.core import csvsafe
from observatoire.registre.exports.common import LICENCE, Exporter, date, dumps, url
from observatoire.registre.fields import CHILD_FIELDS, SECTION_FIELDS
from observatoire.registre.models import Entry

# The record's first plain fields, as the form's first sections hold them (the vendor
# product is a record of its own, further down).
PLAIN_FIELDS = [
    *SECTION_FIELDS["identity"],
    *(f for f in SECTION_FIELDS["classification"] if f != "vendor_product"),
    *SECTION_FIELDS["rationale"],
]


def _plain(entry, name: str):
    """A field's value as JSON: dates in ISO format ("" when empty), lists copied."""
    value = getattr(entry, name)
    if isinstance(Entry._meta.get_field(name), models.DateField):
        return date(value)
    return list(value) if isinstance(value, list) else value


def _authority(authority) -> dict:
    return {
        "siren": authority.siren,
        "code": authority.code,
        "kind": authority.kind,
        "name": authority.name,
        "stratum": authority.stratum,
        "region": authority.region,
    }


def _crpa(entry) -> dict:
    return {
        "individual_decisions": entry.individual_decisions,
        "contribution": entry.crpa_contribution,
        "data": entry.crpa_data,
        "parameters": entry.crpa_parameters,
        "operations": entry.crpa_operations,
        "in_rules_inventory": entry.in_rules_inventory,
        "deliberation_ref": entry.deliberation_ref,
        "deliberation_url": entry.deliberation_url,
        "legal_references": entry.legal_references,
    }


def _gdpr(entry) -> dict:
    return {
        "personal_data": entry.personal_data,
        "categories": entry.personal_data_categories,
        "legal_basis": entry.legal_basis,
        "processing_record_url": entry.processing_record_url,
        "dpia_status": entry.dpia_status,
        "dpia_url": entry.dpia_url,
        "dpo_opinion": entry.dpo_opinion,
    }


def _ai_act(entry) -> dict:
    return {
        "level": entry.ai_act_level,
        "role": entry.ai_act_role,
        "answers": dict(entry.ai_act_answers),
        "reasoning": list(entry.ai_act_reasoning),
        "obligations": list(entry.ai_act_obligations),
        "deployer_checklist": dict(entry.deployer_checklist),
        "fria": dict(entry.fria),
    }


def _vendor_product(product) -> dict | None:
    if product is None:
        return None
    return {
        "name": product.name,
        "vendor": product.vendor_name,
        "url": url(product.get_absolute_url()),
    }


def _hosting(entry) -> dict:
    return {
        "kind": entry.hosting_kind,
        "provider": entry.hosting_provider,
        "location": entry.hosting_location,
        "country": entry.hosting_country,
        "secnumcloud": entry.secnumcloud,
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
        "authority": _authority(entry.authority),
        **{name: _plain(entry, name) for name in PLAIN_FIELDS},
        "crpa": _crpa(entry),
        "gdpr": _gdpr(entry),
        "ai_act": _ai_act(entry),
        "vendor_product": _vendor_product(entry.vendor_product),
        "system_architecture": entry.system_architecture,
        "source_code_url": entry.source_code_url,
        "hosting": _hosting(entry),
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
