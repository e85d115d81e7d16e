"""Exports of register entries: open data (CSV, JSON), Dutch Algoritmeregister v1.0, Eurocities
v0.3.1, UK ATRS v3, AI Act Annex VIII section C, and the French CRPA texts.

Each standard's specification file is shipped in `standards/` and read here, so the
validators check the exports against the specification itself, not against our reading of
it. A required field of a standard that the entry leaves empty is exported as
"Non renseigné" rather than invented.
"""

import csv
import io
import json
import re
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import yaml
from django.conf import settings
from django.utils import timezone

from observatoire.core import csvsafe
from observatoire.registre import aiact
from observatoire.registre.choices import (
    LIFECYCLE_ATRS,
    LIFECYCLE_EUROCITIES,
    LIFECYCLE_NL,
    RISK_EUROCITIES,
    TECHNOLOGY_EUROCITIES,
    THEME_MAP,
    Automation,
    RiskLevel,
)

STANDARDS = Path(__file__).resolve().parent / "standards"
MISSING = "Non renseigné"
LICENCE = "Licence Ouverte / Open Licence 2.0 (Etalab)"
FORMATS = ["csv", "json", "nl", "eurocities", "atrs"]


class ExportError(Exception):
    """An export that does not conform to its standard; the message names entry and field."""


def _url(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def _or_missing(text: Any) -> str:
    return str(text).strip() if text not in (None, "") and str(text).strip() else MISSING


def _date(value) -> str:
    return value.isoformat() if value else ""


def _first_published(entry):
    """When the entry was first published (uses prefetched versions when there are some)."""
    dates = [v.published_at for v in entry.versions.all()]
    return min(dates) if dates else entry.published_at


# --- Open data record (also the frozen content of each published version) --------------


def entry_record(entry) -> dict:
    """Every public field of an entry, with its ids and URLs; JSON-ready."""
    level = entry.ai_act_level
    fp = entry.footprint().as_dict()
    return {
        "id": entry.pk,
        "public_id": str(entry.public_id),
        "url": _url(entry.get_absolute_url()),
        "licence": LICENCE,
        "authority": {
            "siren": entry.authority.siren,
            "code": entry.authority.code,
            "kind": entry.authority.kind,
            "name": entry.authority.name,
            "stratum": entry.authority.stratum,
            "region": entry.authority.region,
        },
        "name": entry.name,
        "summary": entry.summary,
        "description": entry.description,
        "service": entry.service,
        "team": entry.team,
        "owner_role": entry.owner_role,
        "elected_official": entry.elected_official,
        "contact_email": entry.contact_email,
        "public_url": entry.public_url,
        "theme": entry.theme,
        "extra_themes": list(entry.extra_themes),
        "technology": entry.technology,
        "lifecycle": entry.lifecycle,
        "start_date": _date(entry.start_date),
        "end_date": _date(entry.end_date),
        "keywords": entry.keywords,
        "goal": entry.goal,
        "previous_process": entry.previous_process,
        "alternatives": entry.alternatives,
        "proportionality": entry.proportionality,
        "decision_integration": entry.decision_integration,
        "automation": entry.automation,
        "human_oversight": entry.human_oversight,
        "staff_training": entry.staff_training,
        "contest_procedure": entry.contest_procedure,
        "volume_per_year": entry.volume_per_year,
        "risks": entry.risks,
        "performance": entry.performance,
        "monitoring": entry.monitoring,
        "crpa": {
            "individual_decisions": entry.individual_decisions,
            "contribution": entry.crpa_contribution,
            "data": entry.crpa_data,
            "parameters": entry.crpa_parameters,
            "operations": entry.crpa_operations,
            "in_rules_inventory": entry.in_rules_inventory,
            "deliberation_ref": entry.deliberation_ref,
            "deliberation_url": entry.deliberation_url,
            "legal_references": entry.legal_references,
        },
        "gdpr": {
            "personal_data": entry.personal_data,
            "categories": entry.personal_data_categories,
            "legal_basis": entry.legal_basis,
            "processing_record_url": entry.processing_record_url,
            "dpia_status": entry.dpia_status,
            "dpia_url": entry.dpia_url,
            "dpo_opinion": entry.dpo_opinion,
        },
        "ai_act": {
            "level": level,
            "role": entry.ai_act_role,
            "answers": dict(entry.ai_act_answers),
            "reasoning": list(entry.ai_act_reasoning),
            "obligations": list(entry.ai_act_obligations),
            "deployer_checklist": dict(entry.deployer_checklist),
            "fria": dict(entry.fria),
        },
        "vendor_product": (
            {
                "name": entry.vendor_product.name,
                "vendor": entry.vendor_product.vendor_name,
                "url": _url(entry.vendor_product.get_absolute_url()),
            }
            if entry.vendor_product
            else None
        ),
        "system_architecture": entry.system_architecture,
        "source_code_url": entry.source_code_url,
        "hosting": {
            "kind": entry.hosting_kind,
            "provider": entry.hosting_provider,
            "location": entry.hosting_location,
            "country": entry.hosting_country,
            "secnumcloud": entry.secnumcloud,
        },
        "footprint": {
            "model_size": entry.model_size,
            "requests_per_year": entry.requests_per_year,
            "carbon_intensity": entry.carbon_intensity,
            **fp,
            "frugality_measures": entry.frugality_measures,
        },
        "datasets": [
            {
                "name": d.name,
                "phase": d.phase,
                "source": d.source,
                "description": d.description,
                "personal": d.personal,
                "url": d.url,
            }
            for d in entry.datasets.all()
        ],
        "models": [
            {
                "name": m.name,
                "version": m.version,
                "task": m.task,
                "inputs": m.inputs,
                "outputs": m.outputs,
                "architecture": m.architecture,
                "performance": m.performance,
            }
            for m in entry.components.all()
        ],
        "third_parties": [
            {
                "name": t.name,
                "siren": t.siren,
                "role": t.role,
                "procurement": t.procurement,
                "data_access_terms": t.data_access_terms,
            }
            for t in entry.third_parties.all()
        ],
        "adopted_from": str(entry.adopted_from.public_id) if entry.adopted_from else None,
        "status": entry.status,
        "published_at": entry.published_at.isoformat() if entry.published_at else None,
        "review_date": _date(entry.review_date),
    }


CSV_COLUMNS = [
    "id",
    "public_id",
    "url",
    "authority_siren",
    "authority_name",
    "name",
    "summary",
    "service",
    "theme",
    "technology",
    "lifecycle",
    "ai_act_level",
    "individual_decisions",
    "personal_data",
    "legal_basis",
    "dpia_status",
    "contact_email",
    "kwh_per_year",
    "kg_co2e_per_year",
    "published_at",
    "review_date",
    "licence",
]


def csv_row(entry) -> dict:
    record = entry_record(entry)
    return {
        **{
            k: record[k]
            for k in (
                "id",
                "public_id",
                "url",
                "name",
                "summary",
                "service",
                "theme",
                "technology",
                "lifecycle",
                "contact_email",
                "published_at",
                "review_date",
                "licence",
            )
        },
        "authority_siren": record["authority"]["siren"],
        "authority_name": record["authority"]["name"],
        "ai_act_level": record["ai_act"]["level"],
        "individual_decisions": record["crpa"]["individual_decisions"],
        "personal_data": record["gdpr"]["personal_data"],
        "legal_basis": record["gdpr"]["legal_basis"],
        "dpia_status": record["gdpr"]["dpia_status"],
        "kwh_per_year": record["footprint"]["kwh_per_year"],
        "kg_co2e_per_year": record["footprint"]["kg_co2e_per_year"],
    }


def to_csv(entries, columns: list[str] | None = None, rows=csv_row, delimiter=",") -> str:
    out = io.StringIO()
    writer = csvsafe.DictWriter(
        out,
        fieldnames=columns or CSV_COLUMNS,
        delimiter=delimiter,
        quoting=csv.QUOTE_ALL if delimiter == ";" else csv.QUOTE_MINIMAL,
    )
    writer.writeheader()
    for entry in entries:
        writer.writerow(rows(entry))
    return out.getvalue()


# --- Dutch Algoritmeregister v1.0 --------------------------------------------------------


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


def to_nl(entry) -> dict:
    props = nl_config()["properties"]

    def text(key: str, value: str) -> str:
        return _cut(value or "", props[key].get("max_length") or 10**9)

    themes = [entry.theme, *entry.extra_themes]
    categories = sorted({THEME_MAP[t][0] for t in themes if t in THEME_MAP})
    lawful = []
    if entry.deliberation_url:
        lawful.append(
            {
                "title": _cut(entry.deliberation_ref or "Délibération", 100),
                "link": _cut(entry.deliberation_url, 500),
            }
        )
    assessments = []
    if entry.dpia_status == "done":
        item = {"title": "Data Protection Impact Assessment (DPIA)"}
        if entry.dpia_url:
            item["link"] = _cut(entry.dpia_url, 500)
        assessments.append(item)
    if entry.fria:
        assessments.append({"title": "Fundamental Rights Impact Assessment (AI Act art. 27)"})
    sources = [
        {"title": _cut(d.name, 500), "link": _cut(d.url, 500)}
        for d in entry.datasets.all()
        if d.url
    ]
    provider = ", ".join(t.name for t in entry.third_parties.all())
    published = _first_published(entry)
    record: dict[str, Any] = {
        "name": text("name", entry.name),
        "description_short": text("description_short", entry.summary),
        "organization": text("organization", entry.authority.name),
        "category": categories,
        "status": LIFECYCLE_NL[entry.lifecycle],
        "begin_date": entry.start_date.strftime("%Y-%m") if entry.start_date else "",
        "end_date": entry.end_date.strftime("%Y-%m") if entry.end_date else "",
        "contact_email": text("contact_email", entry.contact_email),
        "website": text("website", entry.public_url),
        "publication_category": _nl_category(entry),
        "url": text("url", _url(entry.get_absolute_url())),
        "goal": text("goal", entry.goal),
        "proportionality": text("proportionality", entry.proportionality),
        "human_intervention": text("human_intervention", entry.human_oversight),
        "risks": text("risks", entry.risks),
        "lawful_basis": text(
            "lawful_basis", entry.legal_references or entry.get_legal_basis_display()
        ),
        "lawful_basis_grouping": lawful,
        "process_index_url": text("process_index_url", entry.processing_record_url),
        "impacttoetsen_grouping": assessments,
        "impacttoetsen": text("impacttoetsen", entry.dpo_opinion),
        "source_data": text(
            "source_data",
            "; ".join(
                f"{d.name} ({d.source})" if d.source else d.name for d in entry.datasets.all()
            ),
        ),
        "source_data_grouping": sources,
        "methods_and_models": text(
            "methods_and_models", entry.system_architecture or entry.get_technology_display()
        ),
        "provider": text("provider", provider),
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


# --- Eurocities v0.3.1 -------------------------------------------------------------------


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
    published = _first_published(entry) or timezone.now()
    vendor = entry.vendor_product
    return {
        "name": entry.name,
        "description_short": entry.summary,
        "organization": entry.authority.name,
        "department": _or_missing(entry.service),
        "contact_email": entry.contact_email,
        "contact_phone": "",
        "contact_name": entry.owner_role,
        "area": entry.authority.name,
        "domain": THEME_MAP[entry.theme][1],
        "website": entry.public_url,
        "status": LIFECYCLE_EUROCITIES[entry.lifecycle],
        "remark": "",
        "decision_making_process": _or_missing(entry.decision_integration),
        "goal": _or_missing(entry.goal),
        "impact": _or_missing(entry.crpa_contribution or entry.get_automation_display()),
        "risks": _or_missing(entry.risks),
        "risk_category": RISK_EUROCITIES.get(entry.ai_act_level, "minimal risk"),
        "proportionality": _or_missing(entry.proportionality),
        "lawful_basis": _or_missing(entry.legal_references or entry.get_legal_basis_display()),
        "documentation": entry.deliberation_url,
        "training_data": _or_missing("; ".join(development)),
        "source_data": _or_missing("; ".join(d.name for d in operational)),
        "data_bias": "",
        "connected_data_sources": _or_missing("; ".join(d.source for d in datasets if d.source)),
        "DPIA_description": entry.get_dpia_status_display(),
        "DPIA_url": entry.dpia_url,
        "algorithm_type": algorithm_type,
        "description": _or_missing(entry.description),
        "methods_and_models": entry.system_architecture,
        "performance": entry.performance,
        "alternatives_considered": entry.alternatives,
        "product_information": vendor.documentation_url if vendor else "",
        "codebase_url": entry.source_code_url,
        "product_page": vendor.url if vendor else "",
        "AIA_description": "; ".join(entry.ai_act_reasoning),
        "AIA_url": "",
        "monitoring": _or_missing(entry.monitoring),
        "type": kind,
        "human_intervention": _or_missing(entry.human_oversight),
        "objection_procedure": _or_missing(entry.contest_procedure),
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
DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
UUID_RE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


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
        elif kind == "url" and not URL_RE.match(value):
            errors.append(f"{name} : adresse web invalide")
        elif kind == "email" and not EMAIL_RE.match(value):
            errors.append(f"{name} : adresse électronique invalide")
        elif kind == "date" and not DATE_RE.match(value):
            errors.append(f"{name} : date attendue au format AAAA-MM-JJ")
        elif kind == "uuid" and not UUID_RE.match(value):
            errors.append(f"{name} : UUID invalide")
    return errors


def to_eurocities_csv(entries) -> str:
    return to_csv(entries, eurocities_columns(), to_eurocities, delimiter=";")


# --- UK ATRS v3.0 ------------------------------------------------------------------------


@cache
def atrs_fields() -> list[dict]:
    """Rows of the ATRS v3.0 template table: reference, attribute, type, required."""
    rows = []
    for line in (
        (STANDARDS / "uk-atrs-v3.0-template_table.md").read_text(encoding="utf-8").splitlines()
    ):
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 8 and re.match(r"^\d+(\.\d+)+$", cells[0]):
            rows.append(
                {
                    "ref": cells[0],
                    "attribute": cells[1].replace("<br>", "").strip(),
                    "type": cells[5],
                    "required": cells[7] == "TRUE",
                }
            )
    return rows


def _atrs_group(ref: str) -> str:
    if ref.startswith("0."):
        return "metadata"
    if ref.startswith("1."):
        return "tier_1"
    if ref.startswith("2.4.2.") or ref == "2.4.1.4":
        return "models"
    if ref.startswith("2.1.4."):
        return "third_parties"
    return "tier_2"


def to_atrs(entry) -> dict:
    m = _or_missing
    datasets = list(entry.datasets.all())
    published = _first_published(entry) or timezone.now()
    components = list(entry.components.all())
    models = [
        {
            "model_name": c.name,
            "model_version": m(c.version),
            "model_task": m(c.task),
            "model_input": m(c.inputs),
            "model_output": m(c.outputs),
            "model_architecture": m(c.architecture),
            "model_performance": m(c.performance),
            "datasets": m("; ".join(d.name for d in datasets if d.phase == "development")),
            "dataset_purposes": m(
                "; ".join(f"{d.name} : {d.get_phase_display()}" for d in datasets)
            ),
        }
        for c in components
    ] or [
        {
            "model_name": entry.name,
            "model_version": MISSING,
            "model_task": m(entry.summary),
            "model_input": MISSING,
            "model_output": MISSING,
            "model_architecture": entry.get_technology_display(),
            "model_performance": m(entry.performance),
            "datasets": m("; ".join(d.name for d in datasets if d.phase == "development")),
            "dataset_purposes": m(
                "; ".join(f"{d.name} : {d.get_phase_display()}" for d in datasets)
            ),
        }
    ]
    third = [
        {
            "external_supplier": t.name,
            "companies_house_number": m(t.siren),
            "external_supplier_role": t.get_role_display(),
            "procurement_procedure_type": t.get_procurement_display(),
            "data_access_terms": m(t.data_access_terms),
        }
        for t in entry.third_parties.all()
    ]
    themes = [entry.theme, *entry.extra_themes]
    return {
        "metadata": {
            "id": entry.pk,
            "standard_version": "3.0",
            "organisation_type": entry.authority.get_kind_display(),
            "function": THEME_MAP[entry.theme][2],
            "capability": entry.get_technology_display(),
            "task": m(entry.decision_integration or entry.summary),
            "tags": m(entry.keywords or ", ".join(THEME_MAP[t][2] for t in themes)),
            "date_of_completion": published.date().isoformat(),
            "date_updated": entry.updated_at.date().isoformat(),
            "date_archived": _date(entry.end_date) or MISSING,
            "title": entry.name,
            "organisation_name": entry.authority.name,
            "phase": LIFECYCLE_ATRS[entry.lifecycle],
            "region": "France",
            "one_sentence_description": entry.summary,
        },
        "tier_1": {
            "name": entry.name,
            "description": m(entry.description or entry.summary),
            "website_url": entry.public_url or _url(entry.get_absolute_url()),
            "contact_email": entry.contact_email,
        },
        "tier_2": {
            "organisation_or_department": entry.authority.name,
            "team": m(entry.team or entry.service),
            "senior_responsible_owner": m(entry.owner_role),
            "external_supplier_involvement": "Yes" if third else "No",
            "detailed_description": m(entry.description),
            "scope": m(entry.proportionality or entry.summary),
            "benefit": m(entry.goal),
            "previous_process": m(entry.previous_process),
            "alternatives_considered": m(entry.alternatives),
            "process_integration": m(entry.decision_integration),
            "provided_information": m(entry.crpa_contribution or entry.get_automation_display()),
            "frequency_and_scale_of_usage": m(entry.volume_per_year),
            "human_decisions_and_review": m(entry.human_oversight),
            "required_training": m(entry.staff_training),
            "appeals_and_review": m(entry.contest_procedure),
            "system_architecture": m(entry.system_architecture),
            "phase": LIFECYCLE_ATRS[entry.lifecycle],
            "maintenance": m(entry.monitoring),
            "source_data_name": m("; ".join(d.name for d in datasets)),
            "data_modality": m(entry.get_technology_display()),
            "data_description": m("; ".join(d.description for d in datasets if d.description)),
            "data_quantities": m(entry.volume_per_year),
            "sensitive_attributes": m(
                entry.personal_data_categories
                if entry.personal_data
                else "Aucune donnée personnelle"
            ),
            "data_completeness_and_representativeness": MISSING,
            "source_data_url": m("; ".join(d.url for d in datasets if d.url)),
            "data_collection": m("; ".join(d.source for d in datasets if d.source)),
            "data_cleaning": "",
            "data_sharing_agreements": m(
                "; ".join(
                    t["data_access_terms"] for t in third if t["data_access_terms"] != MISSING
                )
            ),
            "data_access_and_storage": m(
                ", ".join(p for p in (entry.hosting_provider, entry.hosting_location) if p)
                or entry.get_hosting_kind_display()
            ),
            "impact_assessment": m(
                "; ".join(
                    filter(
                        None,
                        [
                            f"AIPD : {entry.get_dpia_status_display()} {entry.dpia_url}".strip(),
                            "Analyse d'impact sur les droits fondamentaux (AI Act art. 27)"
                            if entry.fria
                            else "",
                        ],
                    )
                )
            ),
            "risks_and_mitigations": m(entry.risks),
            "models": models,
            "third_parties": third,
        },
    }


def atrs_errors(record: dict) -> list[str]:
    """Each required ATRS v3.0 field that is missing or of the wrong type."""
    errors = []
    for field in atrs_fields():
        group, name = _atrs_group(field["ref"]), field["attribute"]
        if group == "models":
            holders = record["tier_2"]["models"] if name != "models" else []
            if name == "models" and not record["tier_2"]["models"]:
                errors.append(f"{field['ref']} models : au moins un modèle")
        elif group == "third_parties":
            holders = record["tier_2"]["third_parties"]
        else:
            holders = [record[group]]
        for holder in holders:
            value = holder.get(name)
            if field["type"] == "integer":
                ok = isinstance(value, int)
            elif field["type"] == "date":
                ok = isinstance(value, str) and (bool(DATE_RE.match(value)) or value == MISSING)
            else:
                ok = isinstance(value, str) and (bool(value.strip()) or not field["required"])
            if not ok:
                errors.append(f"{field['ref']} {name} : valeur manquante ou invalide")
    return errors


# --- AI Act Annex VIII, section C (deployers that are public authorities, art. 49(3)) -----


def annex_viii_c(entry) -> dict:
    vendor = entry.vendor_product
    return {
        "1_deployer": {
            "name": entry.authority.name,
            "siren": entry.authority.siren,
            "address": "",
            "contact_email": entry.contact_email,
        },
        "2_submitted_by": entry.owner_role or MISSING,
        "3_eu_database_url_of_provider_registration": vendor.documentation_url if vendor else "",
        "3_system": {
            "name": entry.name,
            "provider": ", ".join(t.name for t in entry.third_parties.all())
            or (vendor.vendor_name if vendor else MISSING),
        },
        "4_fria_summary": {
            str(label): entry.fria.get(code, "") for code, label in aiact.FRIA_SECTIONS
        },
        "5_dpia_summary": f"{entry.get_dpia_status_display()} {entry.dpia_url}".strip(),
        "annex_iii_areas": [
            str(aiact.ANNEX_III[c]) for c in aiact.classify(entry.ai_act_answers).annex_iii
        ],
    }


# --- French law: CRPA ---------------------------------------------------------------------


def crpa_mention(entry) -> str:
    """The explicit mention article L311-3-1 requires on each individual decision."""
    return (
        f"Cette décision a été prise sur le fondement d'un traitement algorithmique "
        f"(« {entry.name} », {entry.authority.name}). Conformément à l'article L311-3-1 du code "
        f"des relations entre le public et l'administration, vous pouvez demander la "
        f"communication des règles qui définissent ce traitement et des principales "
        f"caractéristiques de sa mise en œuvre en écrivant à {entry.contact_email}."
    )


def crpa_explanation(entry) -> list[tuple[str, str]]:
    """The four items article R311-3-1-2 entitles a person to, filled from the entry."""
    datasets = "; ".join(
        f"{d.name} ({d.source})" if d.source else d.name for d in entry.datasets.all()
    )
    return [
        (
            "1° Le degré et le mode de contribution du traitement algorithmique à la prise de décision",
            _or_missing(
                entry.crpa_contribution
                or f"{entry.get_automation_display()}. {entry.decision_integration}".strip()
            ),
        ),
        ("2° Les données traitées et leurs sources", _or_missing(entry.crpa_data or datasets)),
        (
            "3° Les paramètres de traitement et, le cas échéant, leur pondération, appliqués à la situation de l'intéressé",
            _or_missing(entry.crpa_parameters),
        ),
        ("4° Les opérations effectuées par le traitement", _or_missing(entry.crpa_operations)),
    ]


def export(entries, fmt: str) -> tuple[str, str]:
    """(content, media type) of a list of entries in one of FORMATS; validates the standards."""
    if fmt == "csv":
        return to_csv(entries), "text/csv; charset=utf-8"
    if fmt == "eurocities":
        for entry in entries:
            errors = eurocities_errors(to_eurocities(entry))
            if errors:
                raise ExportError(f"Eurocities, fiche {entry.pk} : " + "; ".join(errors))
        return to_eurocities_csv(entries), "text/csv; charset=utf-8"
    if fmt == "nl":
        records = [to_nl(e) for e in entries]
        for record in records:
            validate_nl(record)
        return json.dumps(records, ensure_ascii=False, indent=2), "application/json"
    if fmt == "atrs":
        records = [to_atrs(e) for e in entries]
        for entry, record in zip(entries, records, strict=True):
            errors = atrs_errors(record)
            if errors:
                raise ExportError(f"ATRS, fiche {entry.pk} : " + "; ".join(errors))
        return json.dumps(records, ensure_ascii=False, indent=2), "application/json"
    if fmt == "json":
        data = {"licence": LICENCE, "entries": [entry_record(e) for e in entries]}
        return json.dumps(data, ensure_ascii=False, indent=2), "application/json"
    raise ExportError(f"Format inconnu : {fmt} (attendu : {', '.join(FORMATS)})")
