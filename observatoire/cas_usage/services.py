"""Writes and searches of the use-case catalogue: propose, moderate, import, index, find."""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from observatoire.accounts.access import can_act_for
from observatoire.accounts.choices import Role as UserRole
from observatoire.cas_usage import pstw
from observatoire.cas_usage.choices import (
    Decision,
    Domain,
    LinkKind,
    Origin,
    Role,
    Scope,
    Stage,
    Status,
    Technology,
)
from observatoire.cas_usage.models import (
    Adoption,
    Link,
    Participant,
    Result,
    UseCase,
    scope_of,
)
from observatoire.core import search
from observatoire.core.audit import acting_as, record_event
from observatoire.territoires.choices import Stratum

LABEL = "cas_usage.UseCase"
PAGE_SIZE = 20

# --- Access (one helper per object, shared by pages and API) -----------------------------


def _acts_for_case(user, case: UseCase) -> bool:
    if getattr(user, "is_analyst", False):
        return True
    lead = case.lead_authority()
    return bool(user.is_authenticated and lead is not None and can_act_for(user, lead))


def get_visible_case(user, pk: int) -> UseCase:
    """Published cases for everyone; others for analysts and the authority that proposed them."""
    case = UseCase.objects.prefetch_related("participants__authority").filter(pk=pk).first()
    if case is None:
        raise UseCase.DoesNotExist
    if not case.is_published and not _acts_for_case(user, case):
        raise PermissionDenied(_("Ce cas d'usage n'est pas publié."))
    return case


def get_editable_case(user, pk: int) -> UseCase:
    """The authority that carries a case keeps it up to date; analysts may edit any case."""
    case = get_visible_case(user, pk)
    if case.origin != Origin.OBSERVATOIRE and not getattr(user, "is_analyst", False):
        raise PermissionDenied(
            _("Les cas importés d'un catalogue externe ne se modifient pas ici.")
        )
    if not _acts_for_case(user, case):
        raise PermissionDenied(_("Seule la collectivité porteuse modifie ce cas d'usage."))
    return case


def is_referent(user) -> bool:
    return bool(user.is_authenticated and user.role == UserRole.REFERENT and user.authority_id)


def require_referent(user) -> None:
    if not is_referent(user):
        raise PermissionDenied(_("Réservé aux référents d'une collectivité."))


def can_edit(user, case: UseCase) -> bool:
    try:
        get_editable_case(user, case.pk)
    except PermissionDenied:
        return False
    return True


# --- Index -------------------------------------------------------------------------------


def index_fields(case: UseCase) -> dict[str, str]:
    """What the search sees: title, summary, then everything else worth finding."""
    names = [p.name for p in case.participants.all()]
    results = [r.indicator for r in case.results.all()]
    body = [
        case.description,
        case.lessons,
        case.stage_reason,
        case.get_domain_display(),
        case.get_technology_display(),
        case.supplier,
        case.organisation,
        case.country,
        *names,
        *results,
    ]
    return {"title": case.title, "summary": case.summary, "body": "\n".join(b for b in body if b)}


def index_case(case: UseCase) -> None:
    search.index(LABEL, case.pk, index_fields(case))


def reindex_all(progress: Callable[[int], None] | None = None) -> int:
    cases = UseCase.objects.prefetch_related("participants", "results")
    return search.reindex(cases, index_fields, progress)


# --- Contribution and moderation ---------------------------------------------------------

CASE_FIELDS = [
    "title",
    "summary",
    "description",
    "domain",
    "technology",
    "stage",
    "stage_reason",
    "start_year",
    "end_year",
    "cost",
    "funding",
    "supplier",
    "lessons",
    "contact_name",
    "contact_email",
]


def _replace_children(case: UseCase, results: Iterable[dict], links: Iterable[dict]) -> None:
    case.results.all().delete()
    case.links.all().delete()
    for data in results:
        Result.objects.create(use_case=case, **data)
    for data in links:
        Link.objects.create(use_case=case, **data)


@transaction.atomic
def propose_case(data: dict, *, results=(), links=(), by) -> UseCase:
    """A référent proposes a case for its authority; it waits for an analyst's moderation."""
    require_referent(by)
    with acting_as(by):
        case = UseCase.objects.create(
            **{k: v for k, v in data.items() if k in CASE_FIELDS},
            status=Status.PROPOSED,
            submitted_by=by,
        )
        Participant.objects.create(use_case=case, authority=by.authority, role=Role.LEAD)
        _replace_children(case, results, links)
        _link_entries(case, data.get("register_entries"))
        index_case(case)
    _notify_analysts(case)
    return case


@transaction.atomic
def update_case(case: UseCase, data: dict, *, results=None, links=None, by) -> UseCase:
    """The authority keeps its case up to date; a case sent back for changes is resubmitted."""
    with acting_as(by):
        for name in CASE_FIELDS:
            if name in data:
                setattr(case, name, data[name])
        if case.status == Status.CHANGES_REQUESTED:
            case.status = Status.PROPOSED
        case.save()
        _link_entries(case, data.get("register_entries"))
        if results is not None or links is not None:
            _replace_children(
                case,
                results if results is not None else list(case.results.values(*RESULT_FIELDS)),
                links if links is not None else list(case.links.values(*LINK_FIELDS)),
            )
        index_case(case)
    return case


def _link_entries(case: UseCase, entries) -> None:
    """Link register entries of the case's own authority (others are refused)."""
    if entries is None:
        return
    lead = case.lead_authority()
    if any(entry.authority_id != getattr(lead, "pk", None) for entry in entries):
        raise ValidationError(
            {"register_entries": _("Seules les entrées du registre de la collectivité porteuse.")}
        )
    case.register_entries.set(entries)


RESULT_FIELDS = ["indicator", "before", "after", "unit", "note", "source"]
LINK_FIELDS = ["kind", "title", "url", "resource_type"]


@transaction.atomic
def moderate_case(case: UseCase, decision: str, reason: str = "", *, by) -> UseCase:
    """An analyst publishes a proposed case, sends it back for changes, or rejects it."""
    if not getattr(by, "is_analyst", False):
        raise PermissionDenied(_("Réservé aux analystes de l'observatoire."))
    if decision not in Decision.values:
        raise ValidationError({"decision": _("Décision inconnue.")})
    if decision != Decision.ACCEPT and not reason.strip():
        raise ValidationError({"reason": _("Indiquez la raison : elle sera envoyée au référent.")})
    with acting_as(by):
        case.status = {
            Decision.ACCEPT: Status.PUBLISHED,
            Decision.CHANGES: Status.CHANGES_REQUESTED,
            Decision.REJECT: Status.REJECTED,
        }[Decision(decision)]
        case.moderation_note = reason.strip()
        if case.status == Status.PUBLISHED and case.published_at is None:
            case.published_at = timezone.now()
        case.save()
    if case.submitted_by and case.submitted_by.email:
        send_mail(
            _("Votre cas d'usage « %(title)s » : %(status)s")
            % {"title": case.title, "status": case.get_status_display()},
            f"{case.moderation_note}\n\n{settings.SITE_URL}{case.get_absolute_url()}",
            None,
            [case.submitted_by.email],
        )
    return case


def _notify_analysts(case: UseCase) -> None:
    from observatoire.accounts.models import User

    emails = list(
        User.objects.filter(role=UserRole.ANALYST, is_active=True).values_list("email", flat=True)
    )
    if emails:
        send_mail(
            _("Cas d'usage à modérer : %(title)s") % {"title": case.title},
            f"{settings.SITE_URL}{case.get_absolute_url()}",
            None,
            emails,
        )


@transaction.atomic
def declare_adoption(case: UseCase, *, by) -> Adoption:
    """ "We do this too": the référent's authority says it runs a similar project."""
    require_referent(by)
    if not case.is_published:
        raise PermissionDenied(_("Ce cas d'usage n'est pas publié."))
    with acting_as(by):
        adoption, _created = Adoption.objects.get_or_create(
            use_case=case, authority=by.authority, defaults={"declared_by": by}
        )
    return adoption


def contact_authority(case: UseCase, *, sender_email: str, message: str, by) -> int:
    """Forward a visitor's message to the case's contact or the lead authority's référents."""
    from observatoire.accounts.models import User

    if not case.is_published:
        raise PermissionDenied(_("Ce cas d'usage n'est pas publié."))
    recipients = [case.contact_email] if case.contact_email else []
    lead = case.lead_authority()
    if not recipients and lead is not None:
        recipients = list(
            User.objects.filter(authority=lead, role=UserRole.REFERENT, is_active=True)
            .values_list("email", flat=True)
            .order_by("email")
        )
    if not recipients:
        raise ValidationError(_("Aucun contact n'est connu pour ce cas d'usage."))
    send_mail(
        _("Message à propos de votre cas d'usage « %(title)s »") % {"title": case.title},
        f"{message}\n\n— {sender_email}\n{settings.SITE_URL}{case.get_absolute_url()}",
        None,
        recipients,
        fail_silently=False,
    )
    with acting_as(by):
        record_event(
            "cas_usage.usecase", str(case.pk), f"Message transmis à {len(recipients)} contact(s)"
        )
    return len(recipients)


# --- PSTW import -------------------------------------------------------------------------


@dataclass
class ImportSummary:
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[pstw.RowError] = field(default_factory=list)
    warnings: list[pstw.RowError] = field(default_factory=list)

    def __str__(self) -> str:
        return _(
            "%(rows)s lignes lues : %(created)s cas créés, %(updated)s mis à jour, "
            "%(unchanged)s inchangés, %(errors)s ligne(s) écartée(s) pour erreur."
        ) % {
            "rows": self.rows,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "errors": len({e.line for e in self.errors}),
        }


def import_pstw(path: Path, progress: Callable[[int], None] | None = None) -> ImportSummary:
    """Import (or refresh) the PSTW catalogue; malformed rows are reported and skipped.

    Idempotent: cases are matched on their PSTW identifier and rewritten only when their
    mapped content changed. Each case keeps the attribution required by CC BY 4.0.
    """
    parsed = pstw.read_rows(path)
    summary = ImportSummary(rows=len(parsed.cases) + len({e.line for e in parsed.errors}))
    summary.errors, summary.warnings = list(parsed.errors), list(parsed.warnings)
    existing = {
        external_id: (pk, digest)
        for external_id, pk, digest in UseCase.objects.filter(origin=Origin.PSTW).values_list(
            "external_id", "pk", "content_hash"
        )
    }
    now = timezone.now()
    new: list[UseCase] = []
    changed: list[UseCase] = []
    valid: list[dict] = []
    for line, fields in parsed.cases:
        if progress:
            progress(1)
        known = existing.get(fields["external_id"])
        if known and known[1] == fields["content_hash"]:
            summary.unchanged += 1
            continue
        case = UseCase(
            pk=known[0] if known else None,
            origin=Origin.PSTW,
            status=Status.PUBLISHED,
            scope=scope_of(fields["country"]),
            **fields,
        )
        try:
            case.clean_fields(exclude=["published_at", "submitted_by"])
        except ValidationError as exc:
            summary.errors += [
                pstw.RowError(line, pstw.COLUMNS.get(name, name), " ".join(messages))
                for name, messages in exc.message_dict.items()
            ]
            continue
        valid.append(fields)
        (changed if known else new).append(case)
    with transaction.atomic():
        for case in new:
            case.published_at = now
            case.created_at = case.updated_at = now
        UseCase.objects.bulk_create(new, batch_size=500)
        for case in changed:
            case.updated_at = now
        if changed:
            fields_to_update = [*valid[0].keys(), "scope", "updated_at"]
            UseCase.objects.bulk_update(changed, fields_to_update, batch_size=500)
        touched = [c.external_id for c in new + changed]
        for case in UseCase.objects.filter(origin=Origin.PSTW, external_id__in=touched):
            search.index(LABEL, case.pk, index_fields(case))
        summary.created, summary.updated = len(new), len(changed)
        record_event("cas_usage.usecase", "pstw", f"Import PSTW : {summary}")
    if new or changed:
        search.analyze(UseCase)
    return summary


# --- Search ------------------------------------------------------------------------------

FACETS = ["domain", "technology", "stage", "stratum", "country"]
FACET_LABELS = {
    "domain": dict(Domain.choices),
    "technology": dict(Technology.choices),
    "stage": dict(Stage.choices),
    "stratum": dict(Stratum.choices),
}


@dataclass
class Filters:
    query: str = ""
    scope: str = Scope.FRANCE
    domain: str = ""
    technology: str = ""
    stage: str = ""
    stratum: str = ""
    country: str = ""

    @classmethod
    def from_params(cls, params) -> "Filters":
        scope = params.get("scope", Scope.FRANCE)
        values = {name: params.get(name, "").strip()[:100] for name in FACETS}
        return cls(
            query=params.get("q", "").strip()[:200],
            scope=scope if scope in Scope.values else Scope.FRANCE,
            **values,
        )


def _label(name: str, value: str) -> str:
    return str(FACET_LABELS.get(name, {}).get(value, value))


def _sorted(counts: dict[str, int], name: str) -> list[tuple[str, str, int]]:
    rows = [(value, _label(name, value), n) for value, n in counts.items() if value and n]
    return sorted(rows, key=lambda row: (-row[2], row[1]))


COMBO = ["scope", "domain", "technology", "stage", "country"]


@dataclass
class SearchResult:
    filters: Filters
    results: search.Paged
    total: int
    facets: dict[str, list[tuple[str, str, int]]]
    scopes: dict[str, int]


def search_cases(filters: Filters) -> SearchResult:
    """Published cases matching the query and filters, with each facet counted as if its own
    filter were off (so a visitor sees what choosing another value would give).

    Whatever the filters: the matching cases counted by their combination of scope and facet
    values (summed here for each facet, the total and the scope tabs), the strata of the
    authorities involved, and `results`, read a page at a time (ranked ids, then rows).
    Without a query, every published case matches, the latest first.
    """
    matches = search.Matches(
        UseCase, filters.query, {"status": Status.PUBLISHED}, ("-published_at", "-pk")
    )
    within = None
    if filters.stratum:
        within = Participant.objects.filter(stratum=filters.stratum).values("use_case")
    combos = matches.count_by(COMBO, within=within)
    scopes = dict.fromkeys(Scope.values, 0)
    names = COMBO[1:]  # the facets counted from the combinations (all but the strata)
    wanted = [getattr(filters, name) for name in names]
    counts: list[dict[str, int]] = [{} for _name in names]
    total = 0
    for scope, *values, n in combos:
        scopes[scope] += n
        if scope != filters.scope:
            continue
        failed = [i for i, value in enumerate(values) if wanted[i] not in ("", value)]
        if not failed:
            total += n
        elif len(failed) > 1:
            continue
        for i, value in enumerate(values):  # each facet as if its own filter were off
            if not failed or failed[0] == i:
                counts[i][value] = counts[i].get(value, 0) + n
    facets = dict(zip(names, counts, strict=True))
    if filters.stratum:  # the tabs count the query's matches, whatever the filters
        scopes = dict.fromkeys(Scope.values, 0) | dict(matches.count_by(["scope"]))
    chosen = {"scope": filters.scope} | {
        name: value for name, value in zip(names, wanted, strict=True) if value
    }
    strata = (
        matches.objects(chosen)
        .order_by()
        .filter(participants__stratum__gt="")
        .values_list("participants__stratum")
        .annotate(n=Count("pk", distinct=True))
    )
    facets["stratum"] = dict(strata)
    counted = {name: _sorted(facets[name], name) for name in FACETS}
    results = matches.ranked(chosen, within, count=total)
    return SearchResult(filters, results, total, counted, scopes)


def similar_cases(case: UseCase, limit: int = 4) -> list[UseCase]:
    """Published cases of the same domain or technology, the closest first."""
    candidates = (
        UseCase.objects.published()
        .exclude(pk=case.pk)
        .filter(Q(domain=case.domain) | Q(technology=case.technology))
        .annotate(
            score=Count("pk", filter=Q(domain=case.domain)) * 4
            + Count("pk", filter=Q(technology=case.technology)) * 2
            + Count("pk", filter=Q(scope=case.scope))
        )
        .order_by("-score", "-published_at", "-pk")
    )
    return list(candidates[:limit])


def cases_like_mine(user, limit: int = 6) -> list[UseCase]:
    """For a référent: published cases of authorities of the same stratum, nearest first."""
    authority = getattr(user, "authority", None)
    if authority is None:
        return []
    peers = Participant.objects.filter(authority__stratum=authority.stratum).exclude(
        authority=authority
    )
    cases = (
        UseCase.objects.published()
        .filter(pk__in=peers.values("use_case"))
        .annotate(
            nearby=Count(
                "participants",
                filter=Q(participants__authority__departement=authority.departement),
            )
            * 2
            + Count("participants", filter=Q(participants__authority__region=authority.region))
        )
        .order_by("-nearby", "-published_at")
    )
    return list(cases[:limit])


# --- Cases cited by the source documents -------------------------------------------------

CITED_FILE = Path(__file__).parent / "data" / "cas-cites.yaml"


def _cited_children(entry: dict, sources: dict) -> tuple[list[dict], list[dict], list[dict]]:
    from observatoire.territoires.models import Authority

    participants = []
    for item in entry.get("authorities", []):
        authority = None
        if "code" in item:
            authority = Authority.objects.filter(kind=item["kind"], code=item["code"]).first()
        name = item.get("name") or (str(authority) if authority else item.get("code", ""))
        participants.append({"authority": authority, "name": name, "role": Role.LEAD})
    results = [
        {
            "indicator": r["indicator"],
            "before": r.get("before"),
            "after": r.get("after"),
            "unit": r.get("unit", ""),
            "note": r.get("note", ""),
            "source": sources[r["source"]]["title"][:300],
        }
        for r in entry.get("results", [])
    ]
    links = [
        {
            "kind": LinkKind.SOURCE,
            "title": sources[key]["title"][:300],
            "url": sources[key].get("url", ""),
        }
        for key in entry.get("sources", [])
    ]
    links += [
        {
            "kind": LinkKind.RESOURCE,
            "title": r["title"],
            "url": r.get("url", ""),
            "resource_type": r.get("type", "autre"),
        }
        for r in entry.get("resources", [])
    ]
    return participants, results, links


@transaction.atomic
def load_cited_cases(path: Path = CITED_FILE) -> tuple[int, int]:
    """Create or refresh the cases the source documents cite; returns (created, updated).

    Each entry is keyed by `key`; an entry whose text did not change is left alone.
    """
    import hashlib
    import json

    import yaml

    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    created = updated = 0
    for entry in data["cases"]:
        external_id = f"cite:{entry['key']}"
        digest = hashlib.sha256(json.dumps(entry, sort_keys=True).encode()).hexdigest()
        case = UseCase.objects.filter(origin=Origin.OBSERVATOIRE, external_id=external_id).first()
        if case is not None and case.content_hash == digest:
            continue
        fields = {k: entry.get(k, "") for k in CASE_FIELDS if k not in {"start_year", "end_year"}}
        fields.update(start_year=entry.get("start_year"), end_year=entry.get("end_year"))
        if case is None:
            case = UseCase(origin=Origin.OBSERVATOIRE, external_id=external_id)
            created += 1
        else:
            updated += 1
        for name, value in fields.items():
            setattr(case, name, value)
        case.status = Status.PUBLISHED
        case.published_at = case.published_at or timezone.now()
        case.content_hash = digest
        case.save()
        participants, results, links = _cited_children(entry, data["sources"])
        case.participants.all().delete()
        for item in participants:
            Participant.objects.create(use_case=case, **item)
        _replace_children(case, results, links)
        index_case(case)
    return created, updated
