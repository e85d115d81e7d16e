"""Eurocities v0.3.1: one semicolon-separated CSV row per entry, checked against the
schema's required attributes, enums and URL, e-mail, date and UUID types."""

import re
from functools import cache

import yaml
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from observatoire.registre.choices import (
    LIFECYCLE_EUROCITIES,
    RISK_EUROCITIES,
    TECHNOLOGY_EUROCITIES,
    THEME_MAP,
)
from observatoire.registre.exports.common import (
    DATE_RE,
    STANDARDS,
    Exporter,
    check_each,
    first_published,
)
from observatoire.registre.exports.common import or_missing as m
from observatoire.registre.exports.open_data import csv_text


@cache
def eurocities_schema() -> dict:
    return yaml.safe_load((STANDARDS / "eurocities-schema-v0_3_1.yaml").read_text(encoding="utf-8"))


def eurocities_columns() -> list[str]:
    return [p["attribute"] for p in eurocities_schema()["properties"]]


def to_eurocities(entry) -> dict:
    algorithm_type, kind = TECHNOLOGY_EUROCITIES[entry.technology]
    datasets = list(entry.datasets.all())
    development = [d.name for d in datasets if d.phase == "development"]
    operational = [d for d in datasets if d.phase == "operational"]
    published = first_published(entry) or timezone.now()
    vendor = entry.vendor_product
    return {
        "name": entry.name,
        "description_short": entry.summary,
        "organization": entry.authority.name,
        "department": m(entry.service),
        "contact_email": entry.contact_email,
        "contact_phone": "",
        "contact_name": entry.owner_role,
        "area": entry.authority.name,
        "domain": THEME_MAP[entry.theme][1],
        "website": entry.public_url,
        "status": LIFECYCLE_EUROCITIES[entry.lifecycle],
        "remark": "",
        "decision_making_process": m(entry.decision_integration),
        "goal": m(entry.goal),
        "impact": m(entry.crpa_contribution or entry.get_automation_display()),
        "risks": m(entry.risks),
        "risk_category": RISK_EUROCITIES.get(entry.ai_act_level, "minimal risk"),
        "proportionality": m(entry.proportionality),
        "lawful_basis": m(entry.legal_references or entry.get_legal_basis_display()),
        "documentation": entry.deliberation_url,
        "training_data": m("; ".join(development)),
        "source_data": m("; ".join(d.name for d in operational)),
        "data_bias": "",
        "connected_data_sources": m("; ".join(d.source for d in datasets if d.source)),
        "DPIA_description": entry.get_dpia_status_display(),
        "DPIA_url": entry.dpia_url,
        "algorithm_type": algorithm_type,
        "description": m(entry.description),
        "methods_and_models": entry.system_architecture,
        "performance": entry.performance,
        "alternatives_considered": entry.alternatives,
        "product_information": vendor.documentation_url if vendor else "",
        "codebase_url": entry.source_code_url,
        "product_page": vendor.url if vendor else "",
        "AIA_description": "; ".join(entry.ai_act_reasoning),
        "AIA_url": "",
        "monitoring": m(entry.monitoring),
        "type": kind,
        "human_intervention": m(entry.human_oversight),
        "objection_procedure": m(entry.contest_procedure),
        "rollback": "",
        "standard_version": "0.3.1",
        "uuid": str(entry.public_id),
        "lang": "fr",
        "publication_date": published.date().isoformat(),
        "last_change_date": entry.updated_at.date().isoformat(),
        "revision_date": (
            entry.review_date or published.date().replace(year=published.year + 1)
        ).isoformat(),
        "revision_note": "",
        "keywords": entry.keywords,
    }


URL_RE = re.compile(r"^https?://\S+$")
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
UUID_RE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
# The message of a value that does not match its attribute's type.
PATTERNS = {
    "url": (URL_RE, "adresse web invalide"),
    "email": (EMAIL_RE, "adresse électronique invalide"),
    "date": (DATE_RE, "date attendue au format AAAA-MM-JJ"),
    "uuid": (UUID_RE, "UUID invalide"),
}


def eurocities_errors(row: dict) -> list[str]:
    """Each problem of one row against the Eurocities schema, by attribute."""
    errors = []
    for prop in eurocities_schema()["properties"]:
        name, kind = prop["attribute"], prop.get("type", "string")
        value = (row.get(name) or "").strip()
        if not value:
            if prop.get("required"):
                errors.append(f"{name} : obligatoire")
            continue
        if kind == "enum" and value not in prop["enum"]["en"]:
            errors.append(f"{name} : « {value} » n'est pas une valeur permise")
        elif kind == "const" and value != prop["const"]:
            errors.append(f"{name} : doit valoir {prop['const']}")
        elif kind in PATTERNS and not PATTERNS[kind][0].match(value):
            errors.append(f"{name} : {PATTERNS[kind][1]}")
    return errors


def to_eurocities_csv(entries) -> str:
    """The template's semicolon CSV; refuses an entry whose row breaks the schema."""
    rows = [to_eurocities(e) for e in entries]
    check_each(entries, rows, eurocities_errors, "Eurocities")
    return csv_text(rows, eurocities_columns(), delimiter=";")


EUROCITIES = Exporter(
    "eurocities",
    _("Eurocities v0.3.1"),
    "text/csv; charset=utf-8",
    "csv",
    to_eurocities,
    to_eurocities_csv,
)
