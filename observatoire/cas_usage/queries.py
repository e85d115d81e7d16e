"""Reads of the catalogue: the faceted search and the cases like mine."""

from dataclasses import dataclass, field

from django.db.models import Count, Q
from django.utils.translation import gettext as _

from observatoire.cas_usage.choices import (
    Domain,
    Scope,
    Stage,
    Status,
    Technology,
)
from observatoire.cas_usage.models import (
    Participant,
    UseCase,
)
from observatoire.cas_usage.services import thesaurus
from observatoire.core import formats, search
from observatoire.territoires.choices import Stratum

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


def search_cases(filters: Filters, synonyms: bool = True) -> SearchResult:
    """Published cases matching the query and filters, with each facet counted as if its own
    filter were off (so a visitor sees what choosing another value would give).

    Whatever the filters: the matching cases counted by their combination of scope and facet
    values (summed here for each facet, the total and the scope tabs), the strata of the
    authorities involved, and `results`, read a page at a time (ranked ids, then rows).
    Without a query, every published case matches, the latest first. The query's terms
    also find their synonyms and English equivalents (the thesaurus) unless `synonyms` is off.
    """
    matches = search.Matches(
        UseCase,
        filters.query,
        {"status": Status.PUBLISHED},
        ("-published_at", "-pk"),
        thesaurus=thesaurus() if synonyms else None,
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


@dataclass
class LikeMine:
    """Cases of authorities like the user's, and the likeness that found them."""

    level: str = ""
    label: str = ""
    cases: list[UseCase] = field(default_factory=list)


SIZE_BANDS = [(0, 3_500), (3_500, 10_000), (10_000, 100_000), (100_000, 10**9)]


def _like_mine_levels(authority) -> list[tuple[str, str, Q]]:
    """The likenesses tried in turn: same stratum, size band, type, then neighbours."""
    peer = "authority__"  # conditions on a case's participants
    levels = [
        (
            "strate",
            _("même strate : %(s)s") % {"s": authority.get_stratum_display()},
            Q(**{f"{peer}stratum": authority.stratum}),
        )
    ]
    if authority.population:
        low, high = next(b for b in SIZE_BANDS if b[0] <= authority.population < b[1])
        label = _("même taille : de %(low)s à %(high)s habitants") % {
            "low": formats.integer(low),
            "high": formats.integer(high),
        }
        if high == SIZE_BANDS[-1][1]:
            label = _("même taille : plus de %(low)s habitants") % {"low": formats.integer(low)}
        size = Q(**{f"{peer}population__gte": low, f"{peer}population__lt": high})
        levels.append(("taille", label, size))
    levels.append(
        (
            "type",
            _("même type de collectivité : %(k)s") % {"k": authority.get_kind_display()},
            Q(**{f"{peer}kind": authority.kind}),
        )
    )
    near = Q(**{f"{peer}departement": authority.departement}) if authority.departement else Q()
    if authority.region:
        near |= Q(**{f"{peer}region": authority.region})
    if near:
        levels.append(("voisins", _("collectivités voisines (même département ou région)"), near))
    return levels


def cases_like_mine(user, limit: int = 6) -> LikeMine:
    """For a user of an authority: published cases of other authorities like it — the same
    stratum, else the same size band, else the same type, else its neighbours (same
    département or région) — the nearest first; `level` says which likeness was used."""
    authority = getattr(user, "authority", None)
    if authority is None:
        return LikeMine()
    for level, label, peers in _like_mine_levels(authority):
        others = Participant.objects.filter(peers).exclude(authority=authority)
        cases = (
            UseCase.objects.published()
            .filter(pk__in=others.values("use_case"))
            .annotate(
                nearby=Count(
                    "participants",
                    filter=Q(participants__authority__departement=authority.departement),
                )
                * 2
                + Count("participants", filter=Q(participants__authority__region=authority.region))
            )
            .order_by("-nearby", "-published_at", "-pk")
        )
        found = list(cases[:limit])
        if found:
            return LikeMine(level, label, found)
    return LikeMine()
