"""UK Algorithmic Transparency Recording Standard v3.0, checked against every required
(TRUE) row of the standard's template table."""

import re
from functools import cache

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from observatoire.registre.choices import LIFECYCLE_ATRS, THEME_MAP
from observatoire.registre.exports.common import (
    DATE_RE,
    MISSING,
    STANDARDS,
    Exporter,
    check_each,
    date,
    dumps,
    first_published,
    url,
)
from observatoire.registre.exports.common import or_missing as m


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


def _models(entry, datasets: list) -> list[dict]:
    """The entry's models, or the entry itself as its one model when it declares none."""
    shared = {
        "datasets": m("; ".join(d.name for d in datasets if d.phase == "development")),
        "dataset_purposes": m("; ".join(f"{d.name} : {d.get_phase_display()}" for d in datasets)),
    }
    return [
        {
            "model_name": c.name,
            "model_version": m(c.version),
            "model_task": m(c.task),
            "model_input": m(c.inputs),
            "model_output": m(c.outputs),
            "model_architecture": m(c.architecture),
            "model_performance": m(c.performance),
            **shared,
        }
        for c in entry.components.all()
    ] or [
        {
            "model_name": entry.name,
            "model_version": MISSING,
            "model_task": m(entry.summary),
            "model_input": MISSING,
            "model_output": MISSING,
            "model_architecture": entry.get_technology_display(),
            "model_performance": m(entry.performance),
            **shared,
        }
    ]


def _third_parties(entry) -> list[dict]:
    return [
        {
            "external_supplier": t.name,
            "companies_house_number": m(t.siren),
            "external_supplier_role": t.get_role_display(),
            "procurement_procedure_type": t.get_procurement_display(),
            "data_access_terms": m(t.data_access_terms),
        }
        for t in entry.third_parties.all()
    ]


def _metadata(entry) -> dict:
    published = first_published(entry) or timezone.now()
    themes = [entry.theme, *entry.extra_themes]
    return {
        "id": entry.pk,
        "standard_version": "3.0",
        "organisation_type": entry.authority.get_kind_display(),
        "function": THEME_MAP[entry.theme][2],
        "capability": entry.get_technology_display(),
        "task": m(entry.decision_integration or entry.summary),
        "tags": m(entry.keywords or ", ".join(THEME_MAP[t][2] for t in themes)),
        "date_of_completion": published.date().isoformat(),
        "date_updated": entry.updated_at.date().isoformat(),
        "date_archived": date(entry.end_date) or MISSING,
        "title": entry.name,
        "organisation_name": entry.authority.name,
        "phase": LIFECYCLE_ATRS[entry.lifecycle],
        "region": "France",
        "one_sentence_description": entry.summary,
    }


def _impact_assessment(entry) -> str:
    dpia = f"AIPD : {entry.get_dpia_status_display()} {entry.dpia_url}".strip()
    fria = "Analyse d'impact sur les droits fondamentaux (AI Act art. 27)" if entry.fria else ""
    return m("; ".join(filter(None, [dpia, fria])))


def _tier_2(entry) -> dict:
    datasets = list(entry.datasets.all())
    third = _third_parties(entry)
    return {
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
            entry.personal_data_categories if entry.personal_data else "Aucune donnée personnelle"
        ),
        "data_completeness_and_representativeness": MISSING,
        "source_data_url": m("; ".join(d.url for d in datasets if d.url)),
        "data_collection": m("; ".join(d.source for d in datasets if d.source)),
        "data_cleaning": "",
        "data_sharing_agreements": m(
            "; ".join(t["data_access_terms"] for t in third if t["data_access_terms"] != MISSING)
        ),
        "data_access_and_storage": m(
            ", ".join(p for p in (entry.hosting_provider, entry.hosting_location) if p)
            or entry.get_hosting_kind_display()
        ),
        "impact_assessment": _impact_assessment(entry),
        "risks_and_mitigations": m(entry.risks),
        "models": _models(entry, datasets),
        "third_parties": third,
    }


def to_atrs(entry) -> dict:
    return {
        "metadata": _metadata(entry),
        "tier_1": {
            "name": entry.name,
            "description": m(entry.description or entry.summary),
            "website_url": entry.public_url or url(entry.get_absolute_url()),
            "contact_email": entry.contact_email,
        },
        "tier_2": _tier_2(entry),
    }


def _valid(field: dict, value) -> bool:
    if field["type"] == "integer":
        return isinstance(value, int)
    if field["type"] == "date":
        return isinstance(value, str) and (bool(DATE_RE.match(value)) or value == MISSING)
    return isinstance(value, str) and (bool(value.strip()) or not field["required"])


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
        errors += [
            f"{field['ref']} {name} : valeur manquante ou invalide"
            for holder in holders
            if not _valid(field, holder.get(name))
        ]
    return errors


def to_atrs_json(entries) -> str:
    records = [to_atrs(e) for e in entries]
    check_each(entries, records, atrs_errors, "ATRS")
    return dumps(records)


ATRS = Exporter(
    "atrs",
    _("ATRS (Royaume-Uni)"),
    "application/json",
    "json",
    to_atrs,
    to_atrs_json,
    hreflang="en",
)
