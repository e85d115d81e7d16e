"""Writes of the use-case catalogue: propose, moderate, import, index."""

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import Count, Max, Q, prefetch_related_objects
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from observatoire.accounts import notifications
from observatoire.accounts.access import require_analyst, require_referent
from observatoire.accounts.choices import Role as UserRole
from observatoire.cas_usage import matching, pstw
from observatoire.cas_usage.choices import (
    Actor,
    Decision,
    Domain,
    LinkKind,
    MatchDecision,
    MatchKind,
    Origin,
    Review,
    Role,
    Status,
)
from observatoire.cas_usage.models import (
    FRANCE,
    Adoption,
    Link,
    OrganisationMatch,
    Participant,
    Result,
    ThesaurusEntry,
    UseCase,
    scope_of,
)
from observatoire.core import search
from observatoire.core.audit import acting_as, record_event
from observatoire.core.cache import pages_changed
from observatoire.core.readable import readable
from observatoire.core.search.french import Thesaurus
from observatoire.territoires.models import Authority

LABEL = "cas_usage.UseCase"
PAGE_SIZE = 20

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
    pages_changed("cas_usage")  # the index is written after the save the signal saw


def index_cases(cases: Iterable[UseCase]) -> int:
    """Index many cases at once (a bulk import): their participants and results read in two
    queries, the index written a batch at a time (search.index_many)."""
    cases = list(cases)
    prefetch_related_objects(cases, "participants", "results")
    return search.index_many(LABEL, ((case.pk, index_fields(case)) for case in cases))


def reindex_all(progress: Callable[[int], None] | None = None) -> int:
    cases = UseCase.objects.prefetch_related("participants", "results")
    count = search.reindex(cases, index_fields, progress)
    pages_changed("cas_usage")
    return count


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
    notifications.case_proposed(case)
    return case


@transaction.atomic
def update_case(case: UseCase, data: dict, *, results=None, links=None, by) -> UseCase:
    """The authority keeps its case up to date; a case sent back for changes is resubmitted.

    A référent's edit of a published case goes back through moderation: it is kept aside
    (`pending_edit`) and the public keeps reading the published text until an analyst
    accepts it. Analysts, who moderate, change a case at once.
    """
    if case.is_published and not by.is_analyst:
        return _hold_edit(case, data, results, links, by=by)
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


def _hold_edit(case: UseCase, data: dict, results, links, *, by) -> UseCase:
    """Keep a référent's edit of a published case aside and tell the analysts."""
    case.refresh_from_db()  # a bound ModelForm has already written the edit on the instance
    entries = data.get("register_entries")
    _check_entries(case, entries)
    base = pending_version(case)
    edit = {
        "fields": base["fields"] | {name: data[name] for name in CASE_FIELDS if name in data},
        "results": [_plain(r, RESULT_FIELDS) for r in results] if results is not None
        else base["results"],
        "links": [_plain(link, LINK_FIELDS) for link in links] if links is not None
        else base["links"],
        "register_entries": [e.pk for e in entries] if entries is not None
        else base["register_entries"],
        "by": by.pk,
    }  # fmt: skip
    with acting_as(by):
        # Plain JSON (decimals and dates as text) for the field and the audit log alike.
        case.pending_edit = json.loads(json.dumps(edit, cls=DjangoJSONEncoder))
        case.moderation_note = ""
        case.save()
    notifications.case_proposed(case)
    return case


def _plain(row: dict, names: list[str]) -> dict:
    return {name: row.get(name, "") for name in names}


def published_version(case: UseCase) -> dict:
    """The published content, in the shape of `pending_edit`."""
    return {
        "fields": {name: getattr(case, name) for name in CASE_FIELDS},
        "results": list(case.results.values(*RESULT_FIELDS)),
        "links": list(case.links.values(*LINK_FIELDS)),
        "register_entries": list(case.register_entries.values_list("pk", flat=True)),
    }


def pending_version(case: UseCase) -> dict:
    """The edit waiting for moderation, or else the published content."""
    return case.pending_edit or published_version(case)


def pending_changes(case: UseCase) -> list[dict]:
    """What the waiting edit changes, field by field, for the analyst who moderates it."""
    if not case.pending_edit:
        return []
    published, edit = published_version(case), case.pending_edit
    labels = {f.name: f.verbose_name for f in UseCase._meta.concrete_fields}
    changes = [
        {
            "label": labels[name],
            "before": readable(UseCase, name, before),
            "after": readable(UseCase, name, after),
        }
        for name, before in published["fields"].items()
        if _text(before) != _text(after := edit["fields"].get(name, before))
    ]
    for key, label in (("results", _("Résultats mesurés")), ("links", _("Liens"))):
        if _rows(published[key]) != _rows(edit[key]):
            changes.append({"label": label, "before": len(published[key]), "after": len(edit[key])})
    return changes


def _text(value) -> str:
    """One form for a value read from the database or from the edit's JSON (12.50 = "12.5")."""
    if value is None or value == "":
        return ""
    try:
        return str(Decimal(str(value)).normalize())
    except InvalidOperation:
        return str(value)


def _rows(rows: list[dict]) -> list[dict]:
    return [{name: _text(value) for name, value in row.items()} for row in rows]


def _apply_edit(case: UseCase) -> None:
    """Copy the accepted edit onto the published case."""
    edit: dict = case.pending_edit or {}
    for name, value in edit["fields"].items():
        setattr(case, name, value)
    case.pending_edit = None
    case.save()
    _replace_children(case, edit["results"], edit["links"])
    from observatoire.registre.models import Entry

    _link_entries(case, list(Entry.objects.filter(pk__in=edit["register_entries"])))
    index_case(case)


def _check_entries(case: UseCase, entries) -> None:
    """Register entries of the case's own authority only."""
    lead = case.lead_authority()
    if entries and any(entry.authority_id != getattr(lead, "pk", None) for entry in entries):
        raise ValidationError(
            {"register_entries": _("Seules les entrées du registre de la collectivité porteuse.")}
        )


def _link_entries(case: UseCase, entries) -> None:
    """Link register entries of the case's own authority (others are refused)."""
    if entries is None:
        return
    _check_entries(case, entries)
    case.register_entries.set(entries)


RESULT_FIELDS = ["indicator", "before", "after", "unit", "note", "source"]
LINK_FIELDS = ["kind", "title", "url", "resource_type"]


@transaction.atomic
def moderate_case(case: UseCase, decision: str, reason: str = "", *, by) -> UseCase:
    """An analyst publishes a proposed case, sends it back for changes, or rejects it.

    For a published case with an edit waiting, the decision is about the edit: accepting
    copies it onto the case, a request for changes keeps it for its author, a refusal drops it.
    """
    require_analyst(by)
    if decision not in Decision.values:
        raise ValidationError({"decision": _("Décision inconnue.")})
    if decision != Decision.ACCEPT and not reason.strip():
        raise ValidationError({"reason": _("Indiquez la raison : elle sera envoyée au référent.")})
    author = case.submitted_by
    with acting_as(by):
        case.moderation_note = reason.strip()
        if case.pending_edit:
            author = _user(case.pending_edit.get("by")) or author
            if decision == Decision.ACCEPT:
                _apply_edit(case)
            elif decision == Decision.REJECT:
                case.pending_edit = None
            outcome = {
                Decision.ACCEPT: _("modification publiée"),
                Decision.CHANGES: _("modification à reprendre"),
                Decision.REJECT: _("modification refusée"),
            }[Decision(decision)]
        else:
            case.status = {
                Decision.ACCEPT: Status.PUBLISHED,
                Decision.CHANGES: Status.CHANGES_REQUESTED,
                Decision.REJECT: Status.REJECTED,
            }[Decision(decision)]
            if case.status == Status.PUBLISHED and case.published_at is None:
                case.published_at = timezone.now()
            outcome = case.get_status_display()
        case.save()
    notifications.case_moderated(case, author, outcome)
    return case


def _user(pk):
    from observatoire.accounts.models import User

    return User.objects.filter(pk=pk).first() if pk else None


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
            "cas_usage.usecase",
            str(case.pk),
            ngettext(
                "Message transmis à %(n)s contact",
                "Message transmis à %(n)s contacts",
                len(recipients),
            )
            % {"n": len(recipients)},
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
    matched: dict[str, int] = field(default_factory=dict)

    def __str__(self) -> str:
        return _(
            "%(rows)s lignes lues : %(created)s cas créés, %(updated)s mis à jour, "
            "%(unchanged)s inchangés, %(errors)s ligne(s) écartée(s) pour erreur. "
            "Organisations françaises : %(authorities)s collectivités, %(national)s acteurs "
            "nationaux, %(pending)s correspondances à vérifier."
        ) % {
            "authorities": self.matched.get(Actor.AUTHORITY, 0),
            "national": self.matched.get(Actor.NATIONAL, 0),
            "pending": self.matched.get(Review.PENDING, 0),
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
    organisations: dict[str, tuple[str, str, str]] = {}
    for line, fields in parsed.cases:
        if progress:
            progress(1)
        nuts = fields.pop("nuts")
        if fields["country"] == FRANCE and fields["organisation"]:
            key = matching.organisation_key(fields["organisation"])
            organisations.setdefault(
                key, (fields["organisation"], fields["organisation_category"], nuts)
            )
        known = existing.get(fields["external_id"])
        if known and known[1] == fields["content_hash"]:
            summary.unchanged += 1
            continue
        actor = Actor.OTHER if fields["country"] == FRANCE else Actor.AUTHORITY  # see below
        case = UseCase(
            pk=known[0] if known else None,
            origin=Origin.PSTW,
            status=Status.PUBLISHED,
            actor=actor,
            scope=scope_of(fields["country"], actor),
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
            fields_to_update = [*valid[0].keys(), "actor", "scope", "updated_at"]
            UseCase.objects.bulk_update(changed, fields_to_update, batch_size=500)
        touched = [c.external_id for c in new + changed]
        index_cases(UseCase.objects.filter(origin=Origin.PSTW, external_id__in=touched))
        summary.matched = match_organisations(organisations)
        summary.created, summary.updated = len(new), len(changed)
        record_event("cas_usage.usecase", "pstw", f"Import PSTW : {summary}")
    if new or changed:
        search.analyze(UseCase)
        pages_changed("cas_usage")  # bulk writes: no signal
    return summary


# --- Who did it: PSTW organisations and the universe of authorities ----------------------


def match_organisations(organisations: dict[str, tuple[str, str, str]]) -> dict[str, int]:
    """Propose what each French PSTW organisation is (`organisations`: key → name, category,
    NUTS), keeping every analyst's decision, then give each case its actor; returns how many
    organisations are authorities, national actors, others, and how many wait for review."""
    counts: dict[str, int] = {}
    for key, (name, category, nuts) in organisations.items():
        match = OrganisationMatch.objects.filter(key=key).first()
        if match is None or not match.is_decided:
            proposal = matching.propose(name, category, nuts)
            match = match or OrganisationMatch(key=key)
            match.name, match.category, match.nuts = name[:300], category, nuts
            match.kind, match.authority, match.reason = (
                proposal.kind,
                proposal.authority,
                proposal.reason[:300],
            )
            match.review = Review.SURE if proposal.sure else Review.PENDING
            match.save()
        apply_match(match)
        counts[match.actor] = counts.get(match.actor, 0) + 1
        if match.review == Review.PENDING:
            counts[Review.PENDING] = counts.get(Review.PENDING, 0) + 1
    return counts


def apply_match(match: OrganisationMatch) -> int:
    """Make the French PSTW cases of `match`'s organisation cases of its authority (a lead
    participant, so they count in its stratum and in "like mine"), or of a national actor,
    or of another organisation; returns how many cases changed."""
    cases = UseCase.objects.filter(origin=Origin.PSTW, country=FRANCE).exclude(organisation="")
    changed = 0
    for case in cases.prefetch_related("participants"):
        if matching.organisation_key(case.organisation) != match.key:
            continue
        authority = match.authority if match.actor == Actor.AUTHORITY else None
        current = [p.authority_id for p in case.participants.all()]
        wanted = [authority.pk] if authority else []
        if (
            case.organisation_match_id == match.pk
            and case.actor == match.actor
            and current == wanted
        ):
            continue
        case.participants.all().delete()
        if authority is not None:
            Participant.objects.create(use_case=case, authority=authority, role=Role.LEAD)
        case.organisation_match, case.actor = match, match.actor
        case.save()
        index_case(case)
        changed += 1
    return changed


def review_list(everything: bool = False):
    """The matches an analyst should look at: the uncertain ones (or all), most cases first."""
    matches = OrganisationMatch.objects.select_related("authority", "decided_by")
    if not everything:
        matches = matches.filter(review=Review.PENDING)
    return matches.annotate(n_cases=Count("cases")).order_by("review", "-n_cases", "name")


def find_authority(code: str) -> Authority:
    """An authority by its code: INSEE (commune, département, région) or SIREN (EPCI),
    prefixed by its type when the code is ambiguous ("region:11", "departement:11")."""
    kind, _sep, code = code.strip().rpartition(":")
    found = Authority.objects.filter(Q(code=code) | Q(siren=code), is_active=True)
    if kind:
        found = found.filter(kind=kind)
    authorities = list(found[:2])
    if len(authorities) != 1:
        message = _(
            "Aucune collectivité n'a le code « %(code)s », ou plusieurs l'ont : "
            "précisez le type (« region:11 », « departement:11 »)."
        )
        raise ValidationError({"code": message % {"code": code}})
    return authorities[0]


@transaction.atomic
def decide_match(
    match: OrganisationMatch, decision: str, *, code: str = "", national: bool = False, by
) -> OrganisationMatch:
    """An analyst accepts a proposed match, corrects it (another authority by its code, or a
    national actor) or rejects it; the decision holds across re-imports."""
    require_analyst(by)
    if decision not in MatchDecision.values:
        raise ValidationError({"decision": _("Décision inconnue.")})
    with acting_as(by):
        if decision == MatchDecision.ACCEPT:
            if match.authority is None and match.kind != MatchKind.NATIONAL:
                raise ValidationError(
                    {"decision": _("Rien à accepter : corrigez la correspondance ou rejetez-la.")}
                )
            match.review = Review.ACCEPTED
        elif decision == MatchDecision.CHANGE:
            if national:
                match.kind, match.authority = MatchKind.NATIONAL, None
            else:
                match.authority = find_authority(code)
                match.kind = matching.KIND_OF.get(match.authority.kind, MatchKind.OTHER)
            match.review = Review.CHANGED
        else:
            match.review = Review.REJECTED
            match.kind, match.authority = MatchKind.OTHER, None
        match.decided_by = by
        match.save()
        apply_match(match)
    return match


# --- Thesaurus ---------------------------------------------------------------------------

THESAURUS_FILE = Path(__file__).parent / "data" / "thesaurus.yaml"
THEMES = {"general": "", "securite_informatique": Domain.SECURITY}  # file names → domains
_thesaurus: tuple[tuple, Thesaurus, list[str]] | None = None


def thesaurus() -> Thesaurus:
    """The analysts' thesaurus as searches use it, rebuilt when an entry changed."""
    return _thesaurus_and_themes()[0]


def _thesaurus_and_themes() -> tuple[Thesaurus, list[str]]:
    """The thesaurus and the theme (a domain) of each of its groups."""
    global _thesaurus
    entries = ThesaurusEntry.objects.filter(is_active=True)
    state = entries.aggregate(n=Count("pk"), at=Max("updated_at"), last=Max("pk"))
    stamp = (state["n"], state["at"], state["last"])
    if _thesaurus is None or _thesaurus[0] != stamp:
        rows = list(entries.order_by("pk"))
        built = Thesaurus((entry.terms() for entry in rows), search.stems)
        themes = [rows[i].theme for i in built.sources]
        _thesaurus = (stamp, built, themes)
    return _thesaurus[1], _thesaurus[2]


def read_thesaurus_file(path: Path = THESAURUS_FILE) -> list[dict]:
    """The groups of the shipped file as entry fields; a bad line stops with its number."""
    import yaml

    entries, keys = [], set()
    text = path.read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    lines = {line.strip()[2:]: n for n, line in enumerate(text.splitlines(), 1)}
    for name, groups in (data or {}).get("themes", {}).items():
        theme = THEMES.get(name, name)
        if theme not in Domain.values and theme != "":
            raise ValidationError(_("Thésaurus : thème inconnu « %(t)s ».") % {"t": name})
        for group in groups:
            french, _sep, english = str(group).partition("=")
            terms = [t.strip() for t in french.split(",") if t.strip()]
            line = lines.get(str(group), 0)
            if not terms:
                raise ValidationError(
                    _("Thésaurus, ligne %(n)s : aucun terme français.") % {"n": line}
                )
            key = slugify(terms[0])[:100]
            if key in keys:
                raise ValidationError(
                    _("Thésaurus, ligne %(n)s : le groupe « %(t)s » est déjà défini.")
                    % {"n": line, "t": terms[0]}
                )
            keys.add(key)
            english_terms = [t.strip() for t in english.split(",") if t.strip()]
            entries.append(
                {
                    "key": key,
                    "theme": theme,
                    "french": "\n".join(terms),
                    "english": "\n".join(english_terms),
                }
            )
    return entries


@transaction.atomic
def load_thesaurus(path: Path = THESAURUS_FILE) -> tuple[int, int]:
    """Add the shipped groups and refresh those no analyst edited; returns (created, updated)."""
    existing = {entry.key: entry for entry in ThesaurusEntry.objects.all()}
    new, updated = [], 0
    for fields in read_thesaurus_file(path):
        entry = existing.get(fields["key"])
        if entry is None:
            new.append(ThesaurusEntry(**fields))
        elif entry.edited_by_id is None and any(getattr(entry, k) != v for k, v in fields.items()):
            for name, value in fields.items():
                setattr(entry, name, value)
            entry.save()
            updated += 1
    ThesaurusEntry.objects.bulk_create(new)  # a data file: one statement, not 300
    pages_changed("cas_usage")  # a search expands its words with the thesaurus
    return len(new), updated


@transaction.atomic
def save_thesaurus_entry(entry: ThesaurusEntry | None, data: dict, *, by) -> ThesaurusEntry:
    """An analyst adds or edits a group of equivalent terms; the shipped file then leaves it."""
    require_analyst(by)
    if entry is None:
        base = slugify(data["french"].strip().splitlines()[0])[:90] or "groupe"
        taken = set(
            ThesaurusEntry.objects.filter(key__startswith=base).values_list("key", flat=True)
        )
        key = next(k for k in [base, *(f"{base}-{n}" for n in range(2, 999))] if k not in taken)
        entry = ThesaurusEntry(key=key)
    with acting_as(by):
        for name in ("theme", "french", "english", "is_active"):
            if name in data:
                setattr(entry, name, data[name])
        entry.edited_by = by
        entry.save()
    return entry


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
