"""The register's fields, declared once: which fields an entry has, grouped in the sections
of the entry form and pages. The French label of a field is its model's verbose name.

Used by the forms (fieldsets, child forms), the services (what a référent may write, what a
copy carries) and the pages (the rationale section), and by the open-data record.
"""

from typing import cast

from django.db import models
from django.utils.functional import Promise
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from observatoire.registre.models import Entry

# (code, title, fields) of each section of an entry, in the order of the form.
SECTIONS: list[tuple[str, Promise, list[str]]] = [
    (
        "identity",
        _("Identité et contact"),
        [
            "name",
            "summary",
            "description",
            "service",
            "team",
            "owner_role",
            "elected_official",
            "contact_email",
            "public_url",
        ],
    ),
    (
        "classification",
        _("Classification"),
        [
            "theme",
            "extra_themes",
            "technology",
            "lifecycle",
            "start_date",
            "end_date",
            "keywords",
            "vendor_product",
        ],
    ),
    (
        "rationale",
        _("Raison d'être et fonctionnement"),
        [
            "goal",
            "previous_process",
            "alternatives",
            "proportionality",
            "decision_integration",
            "automation",
            "human_oversight",
            "staff_training",
            "contest_procedure",
            "volume_per_year",
            "risks",
            "performance",
            "monitoring",
        ],
    ),
    (
        "crpa",
        _("Droit français (CRPA)"),
        [
            "individual_decisions",
            "crpa_contribution",
            "crpa_data",
            "crpa_parameters",
            "crpa_operations",
            "in_rules_inventory",
            "deliberation_ref",
            "deliberation_url",
            "legal_references",
        ],
    ),
    (
        "gdpr",
        _("Données personnelles (RGPD)"),
        [
            "personal_data",
            "personal_data_categories",
            "legal_basis",
            "processing_record_url",
            "dpia_status",
            "dpia_url",
            "dpo_opinion",
        ],
    ),
    (
        "technical",
        _("Technique et hébergement"),
        [
            "ai_act_role",
            "system_architecture",
            "source_code_url",
            "hosting_kind",
            "hosting_provider",
            "hosting_location",
            "hosting_country",
            "secnumcloud",
        ],
    ),
    (
        "footprint",
        _("Empreinte environnementale"),
        ["model_size", "requests_per_year", "carbon_intensity", "frugality_measures"],
    ),
    ("follow_up", _("Suivi"), ["review_date"]),
]
SECTION_FIELDS = {code: names for code, _title, names in SECTIONS}

# Fields a référent fills in the entry form; the rest is workflow, AI Act or sharing.
CONTENT_FIELDS = [name for _code, _title, names in SECTIONS for name in names]

# The fields of an entry's children (datasets, models, third parties), by relation name.
CHILD_FIELDS = {
    "datasets": ["name", "phase", "source", "description", "personal", "url"],
    "components": ["name", "version", "task", "inputs", "outputs", "architecture", "performance"],
    "third_parties": ["name", "siren", "role", "procurement", "data_access_terms"],
}


def label(name: str) -> str:
    """The French label of an entry field, capitalised, as the pages show it."""
    field = cast(models.Field, Entry._meta.get_field(name))
    return str(capfirst(field.verbose_name))
