"""Writes on the register: verb-named, atomic, audited, with the acting user as `by`."""

import csv
import datetime
import io
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from observatoire.accounts import notifications
from observatoire.accounts.access import require_act_for
from observatoire.core import search
from observatoire.core.audit import acting_as, record_event
from observatoire.core.cache import pages_changed
from observatoire.registre import aiact
from observatoire.registre.choices import (
    LIFECYCLE_EUROCITIES,
    RISK_EUROCITIES,
    THEME_MAP,
    Status,
    Technology,
)
from observatoire.registre.exports.eurocities import eurocities_errors
from observatoire.registre.exports.open_data import entry_record
from observatoire.registre.fields import CHILD_FIELDS, CONTENT_FIELDS
from observatoire.registre.models import (
    Dataset,
    Entry,
    EntryVersion,
    ModelComponent,
    ThirdParty,
    VendorProduct,
)

# Carried over when an entry is copied (adoption, revision), besides CONTENT_FIELDS.
COPIED_FIELDS = [
    *CONTENT_FIELDS,
    "ai_act_answers",
    "ai_act_level",
    "ai_act_reasoning",
    "ai_act_obligations",
    "deployer_checklist",
    "fria",
]
# Fields that stay local when a commune adopts a shared entry, whatever the EPCI changes.
LOCAL_FIELDS = {
    "contact_email",
    "service",
    "team",
    "owner_role",
    "elected_official",
    "public_url",
    "deliberation_ref",
    "deliberation_url",
    "review_date",
}
CHILDREN: dict[str, tuple[Any, list[str]]] = {
    relation: (model, CHILD_FIELDS[relation])
    for relation, model in (
        ("datasets", Dataset),
        ("components", ModelComponent),
        ("third_parties", ThirdParty),
    )
}


def _set_children(entry: Entry, children: dict | None) -> None:
    """Replace the datasets, models and third parties given (name → list of dicts)."""
    for relation, rows in (children or {}).items():
        model, fields = CHILDREN[relation]
        getattr(entry, relation).all().delete()
        for row in rows:
            model._default_manager.create(
                entry=entry, **{k: v for k, v in row.items() if k in fields}
            )


def children_of(entry: Entry) -> dict:
    return {
        relation: [{f: getattr(obj, f) for f in fields} for obj in getattr(entry, relation).all()]
        for relation, (_model, fields) in CHILDREN.items()
    }


@transaction.atomic
def create_entry(authority, data: dict, *, by, children: dict | None = None) -> Entry:
    require_act_for(by, authority)
    with acting_as(by):
        entry = Entry(authority=authority, created_by=by, status=Status.DRAFT)
        for key, value in data.items():
            if key in CONTENT_FIELDS:
                setattr(entry, key, value)
        entry.save()
        _set_children(entry, children)
    return entry


@transaction.atomic
def update_entry(entry: Entry, data: dict, *, by, children: dict | None = None) -> Entry:
    """Edit a draft (an entry in review goes back to draft); published ones need a revision."""
    require_act_for(by, entry.authority)
    if entry.status in (Status.PUBLISHED, Status.ARCHIVED):
        raise PermissionDenied(_("Une fiche publiée se modifie par une révision."))
    with acting_as(by):
        for key, value in data.items():
            if key in CONTENT_FIELDS:
                setattr(entry, key, value)
        if entry.adopted_from_id:
            parent = entry.adopted_from
            entry.overridden_fields = sorted(
                f for f in CONTENT_FIELDS if getattr(entry, f) != getattr(parent, f)
            )
        entry.status = Status.DRAFT
        entry.save()
        _set_children(entry, children)
    return entry


@transaction.atomic
def classify_entry(entry: Entry, answers: dict, *, by) -> aiact.Classification:
    """Store the AI Act answers with the level and the reasoning they lead to."""
    require_act_for(by, entry.authority)
    result = aiact.classify(answers)
    with acting_as(by):
        entry.ai_act_answers = aiact.clean_answers(answers)
        entry.ai_act_level = result.level
        entry.ai_act_reasoning = [str(r) for r in result.reasoning]
        entry.ai_act_obligations = [str(o) for o in result.obligations]
        if entry.status == Status.IN_REVIEW:
            entry.status = Status.DRAFT
        entry.save()
    return result


@transaction.atomic
def save_compliance(entry: Entry, checklist: dict, fria: dict, *, by) -> Entry:
    """The article 26 checklist and the article 27 outline of a high-risk entry."""
    require_act_for(by, entry.authority)
    with acting_as(by):
        entry.deployer_checklist = {
            code: bool(checklist.get(code)) for code, _l in aiact.DEPLOYER_CHECKLIST
        }
        entry.fria = {code: str(fria.get(code, "")).strip() for code, _l in aiact.FRIA_SECTIONS}
        entry.save()
    return entry


@transaction.atomic
def submit_entry(entry: Entry, *, by) -> Entry:
    require_act_for(by, entry.authority)
    if entry.status != Status.DRAFT:
        raise ValidationError("Seul un brouillon peut être soumis à relecture.")
    if not entry.ai_act_level:
        raise ValidationError("Classez d'abord le système au regard de l'AI Act.")
    with acting_as(by):
        entry.status = Status.IN_REVIEW
        entry.submitted_by = by
        entry.save()
        record_event("registre.entry", str(entry.pk), f"Soumise à relecture : {entry}")
    notifications.entry_submitted(entry, by=by)
    return entry


@transaction.atomic
def return_to_draft(entry: Entry, *, by, reason: str = "") -> Entry:
    require_act_for(by, entry.authority)
    with acting_as(by):
        entry.status = Status.DRAFT
        entry.save()
        record_event(
            "registre.entry", str(entry.pk), f"Renvoyée en brouillon : {entry}. {reason}".strip()
        )
    notifications.entry_decided(entry, entry.submitted_by, published=False, by=by, reason=reason)
    return entry


def _publish(entry: Entry, *, submitted_by, by) -> EntryVersion:
    entry.status = Status.PUBLISHED
    entry.published_at = timezone.now()
    if entry.review_date is None:
        entry.review_date = (entry.published_at + datetime.timedelta(days=365)).date()
    entry.reminded_at = None
    entry.save()
    number = (entry.versions.order_by("-number").values_list("number", flat=True).first() or 0) + 1
    return EntryVersion.objects.create(
        entry=entry,
        number=number,
        data=entry_record(entry),
        published_at=entry.published_at,
        submitted_by=submitted_by,
        approved_by=by,
    )


@transaction.atomic
def approve_entry(entry: Entry, *, by) -> Entry:
    """Publish an entry in review; a revision replaces the published entry it revises."""
    if entry.status != Status.IN_REVIEW:
        raise ValidationError("Cette fiche n'est pas en relecture.")
    if not by.is_analyst and entry.submitted_by_id == by.pk:
        raise PermissionDenied(_("La relecture revient à un autre référent ou à un analyste."))
    require_act_for(by, entry.authority)
    with acting_as(by):
        target = entry.revision_of or entry
        if entry.revision_of_id:
            for field in [*COPIED_FIELDS, "overridden_fields"]:
                setattr(target, field, getattr(entry, field))
            _set_children(target, children_of(entry))
            submitted_by = entry.submitted_by
            entry.delete()
        else:
            submitted_by = entry.submitted_by
        _publish(target, submitted_by=submitted_by, by=by)
        _propagate_to_adoptions(target)
        record_event("registre.entry", str(target.pk), f"Publiée : {target}")
    notifications.entry_decided(target, submitted_by, published=True, by=by)
    return target


def _propagate_to_adoptions(parent: Entry) -> None:
    """Adopting communes' drafts follow the shared entry, except the fields they adapted."""
    for adoption in parent.adoptions.filter(status=Status.DRAFT):
        _pull_from_parent(adoption, parent)
        adoption.save()


def _pull_from_parent(entry: Entry, parent: Entry) -> None:
    keep = LOCAL_FIELDS | set(entry.overridden_fields)
    for field in COPIED_FIELDS:
        if field not in keep:
            setattr(entry, field, getattr(parent, field))


@transaction.atomic
def archive_entry(entry: Entry, *, by) -> Entry:
    require_act_for(by, entry.authority)
    with acting_as(by):
        entry.status = Status.ARCHIVED
        entry.save()
        record_event("registre.entry", str(entry.pk), f"Archivée : {entry}")
    return entry


def _copy(entry: Entry, authority, *, by, **extra) -> Entry:
    copy = Entry(authority=authority, created_by=by, status=Status.DRAFT, **extra)
    for field in COPIED_FIELDS:
        setattr(copy, field, getattr(entry, field))
    copy.overridden_fields = list(entry.overridden_fields)
    return copy


@transaction.atomic
def start_revision(entry: Entry, *, by) -> Entry:
    """A draft copy of a published entry; the public keeps seeing the published one meanwhile."""
    require_act_for(by, entry.authority)
    if entry.status != Status.PUBLISHED:
        raise ValidationError("Seule une fiche publiée se révise.")
    existing = Entry.objects.filter(revision_of=entry).first()
    if existing:
        return existing
    with acting_as(by):
        revision = _copy(
            entry,
            entry.authority,
            by=by,
            revision_of=entry,
            adopted_from=entry.adopted_from,
            vendor_product=entry.vendor_product,
        )
        if entry.adopted_from is not None:
            _pull_from_parent(revision, entry.adopted_from)
        revision.save()
        _set_children(revision, children_of(entry))
    return revision


@transaction.atomic
def adopt_entry(parent: Entry, authority, *, by) -> Entry:
    """A member commune takes an EPCI's published entry as its own draft, to adapt locally.

    Only the members of the EPCI whose entry it is (docs/registre.md, "Sharing"): another
    authority describes its own system, or reuses a vendor's product sheet.
    """
    require_act_for(by, authority)
    if parent.status != Status.PUBLISHED:
        raise ValidationError("Seule une fiche publiée peut être reprise.")
    if authority.pk == parent.authority_id:
        raise ValidationError("Cette fiche appartient déjà à votre collectivité.")
    if authority.epci_id != parent.authority_id:
        raise PermissionDenied(
            _("Seules les communes membres de %(epci)s peuvent reprendre ses fiches mutualisées.")
            % {"epci": parent.authority.name}
        )
    existing = Entry.objects.filter(adopted_from=parent, authority=authority).first()
    if existing:
        return existing
    with acting_as(by):
        entry = _copy(
            parent, authority, by=by, adopted_from=parent, vendor_product=parent.vendor_product
        )
        entry.overridden_fields = []
        entry.save()
        _set_children(entry, children_of(parent))
    return entry


@transaction.atomic
def create_vendor_product(data: dict, *, by) -> VendorProduct:
    """A product sheet any référent or analyst may start; entries then link to it."""
    if not (by.is_analyst or by.is_referent):
        raise PermissionDenied(_("Réservé aux référents et aux analystes."))
    with acting_as(by):
        return VendorProduct.objects.create(**data)


def send_review_reminders(today: datetime.date | None = None) -> int:
    """E-mail the authority's référents and contact about each published entry past its
    review date, once (`accounts.notifications.review_due`: who switched it off gets nothing)."""
    today = today or timezone.localdate()
    due = Entry.objects.published().filter(review_date__lte=today, reminded_at__isnull=True)
    sent = 0
    for entry in due.select_related("authority"):
        notifications.review_due(entry)
        Entry.objects.filter(pk=entry.pk).update(reminded_at=timezone.now())
        sent += 1
    return sent


# --- Import from the Eurocities CSV template ----------------------------------------------


class ImportRejected(Exception):
    """A file that cannot be imported; `errors` name the line and the field, in French."""

    def __init__(self, errors: list[str]):
        super().__init__("\n".join(errors))
        self.errors = errors


def _reverse(mapping: dict) -> dict:
    result: dict = {}
    for key, value in mapping.items():
        result.setdefault(value, key)
    return result


DOMAIN_TO_THEME = {values[1]: theme for theme, values in reversed(list(THEME_MAP.items()))}
STATUS_TO_LIFECYCLE = _reverse(LIFECYCLE_EUROCITIES)
RISK_TO_LEVEL = _reverse(RISK_EUROCITIES)
ALGORITHM_TYPE_TO_TECHNOLOGY = {
    "self-learning": Technology.PREDICTIVE,
    "hybrid": Technology.PREDICTIVE,
    "rule-based": Technology.RULES,
}


MAX_IMPORT_ENTRIES = 1000  # one draft each, with its audit and search index rows


@dataclass
class ImportResult:
    created: list[Entry]


def _row_data(row: dict, line: int) -> tuple[dict, list[str]]:
    errors = [f"ligne {line} : {message}" for message in eurocities_errors(row)]
    get = lambda key: (row.get(key) or "").strip()  # noqa: E731
    if get("domain") and get("domain") not in DOMAIN_TO_THEME:
        errors.append(f"ligne {line} : domain : aucun thème correspondant à « {get('domain')} »")
    data = {
        "name": get("name"),
        "summary": get("description_short"),
        "description": get("description"),
        "service": get("department"),
        "contact_email": get("contact_email"),
        "owner_role": get("contact_name"),
        "public_url": get("website"),
        "theme": DOMAIN_TO_THEME.get(get("domain"), ""),
        "technology": ALGORITHM_TYPE_TO_TECHNOLOGY.get(
            get("algorithm_type"), Technology.PREDICTIVE
        ),
        "lifecycle": STATUS_TO_LIFECYCLE.get(get("status"), "production"),
        "decision_integration": get("decision_making_process"),
        "goal": get("goal"),
        "risks": get("risks"),
        "proportionality": get("proportionality"),
        "legal_references": get("lawful_basis"),
        "deliberation_url": get("documentation"),
        "dpia_url": get("DPIA_url"),
        "system_architecture": get("methods_and_models"),
        "performance": get("performance"),
        "alternatives": get("alternatives_considered"),
        "source_code_url": get("codebase_url"),
        "monitoring": get("monitoring"),
        "human_oversight": get("human_intervention"),
        "contest_procedure": get("objection_procedure"),
        "keywords": get("keywords")[:300],
    }
    for key, limit in (("name", 100), ("summary", 350)):
        if len(data[key]) > limit:
            column = "name" if key == "name" else "description_short"
            errors.append(f"ligne {line} : {column} : {len(data[key])} caractères, {limit} au plus")
    return data, errors


def _eurocities_rows(text: str):
    """(line, row) for each line of the file, bounded in count; French errors by line."""
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") >= first_line.count(",") else ","
    reader = csv.DictReader(io.StringIO(text), delimiter=delimiter)
    try:
        missing = [
            c
            for c in ("name", "description_short", "contact_email", "domain")
            if c not in (reader.fieldnames or [])
        ]
        if missing:
            raise ImportRejected([f"ligne 1 : colonnes absentes : {', '.join(missing)}"])
        for line, row in enumerate(reader, start=2):
            if line > MAX_IMPORT_ENTRIES + 1:
                raise ImportRejected(
                    [f"ligne {line} : {MAX_IMPORT_ENTRIES} fiches au plus par fichier"]
                )
            yield line, row
    except csv.Error as exc:  # a field over csv's limit, a broken quote
        line = reader.line_num + 1  # the line being read
        raise ImportRejected([f"ligne {line} : CSV illisible ({exc})"]) from exc


@transaction.atomic
def import_eurocities(text: str, authority, *, by) -> ImportResult:
    """Create one draft per row of a Eurocities v0.3.1 CSV; any error rejects the whole file."""
    require_act_for(by, authority)
    text = text.lstrip("\ufeff")
    if "\x00" in text:  # PostgreSQL cannot store it
        line = text[: text.index("\x00")].count("\n") + 1
        raise ImportRejected([f"ligne {line} : caractère nul (U+0000) refusé"])
    errors: list[str] = []
    rows = []
    for line, row in _eurocities_rows(text):
        data, row_errors = _row_data(row, line)
        errors += row_errors
        rows.append((line, data, (row.get("risk_category") or "").strip()))
    if not rows:
        errors.append("ligne 2 : le fichier ne contient aucune fiche")
    if errors:
        raise ImportRejected(errors)
    created = []
    for line, data, risk in rows:
        try:
            entry = create_entry(authority, data, by=by)
        except ValidationError as exc:
            details = "; ".join(f"{k} : {' '.join(v)}" for k, v in exc.message_dict.items())
            raise ImportRejected([f"ligne {line} : {details}"]) from exc
        if risk in RISK_TO_LEVEL:
            Entry.objects.filter(pk=entry.pk).update(
                ai_act_reasoning=[
                    f"Niveau déclaré dans le fichier importé : {risk}. Refaites la classification guidée."
                ]
            )
        created.append(entry)
    record_event(
        "registre.entry",
        authority.siren or authority.code,
        f"Import Eurocities : {len(created)} fiches pour {authority}",
    )
    return ImportResult(created)


def reindex_all(progress=None) -> int:
    """Rebuild the register's search index (every entry, as Entry.save indexes it)."""
    entries = Entry.objects.select_related("authority")
    count = search.reindex(entries, Entry.search_fields, progress)
    pages_changed("registre")
    return count
