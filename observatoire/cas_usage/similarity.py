"""« Cas similaires »: cases that do the same thing, in French or in English.

A case is described by the thesaurus groups its text holds (title, summary, description,
measured results: "cantine", "gaspillage alimentaire", "school meals"… are one group each
whatever the language), weighted by how rare each group is in the catalogue; its problem
is the themes of the groups in its title and summary. Candidates come from the search
engine (the case's rarest groups, widened by the thesaurus), its domain and technology; each is
scored by

    0.55 × shared groups (their weight, over the case's) + 0.15 × shared problem themes
    + 0.2 × same domain + 0.1 × same technology (+ 0.02 on the same side: France / Europe)

bench/similarity.py measures it (precision at 5) on the judged cases of
observatoire/cas_usage/tests/data/similar-cases.yaml.
"""

import math

from django.db.models import Count, Max, Q

from observatoire.cas_usage import services
from observatoire.cas_usage.models import UseCase
from observatoire.core import search
from observatoire.core.search.french import Thesaurus

CANDIDATES = 150  # from the search engine, plus a third as many of each: same domain, technology
QUERY_GROUPS = 8  # the case's rarest groups that look for candidates
WEIGHTS = {"text": 0.55, "problem": 0.15, "domain": 0.2, "technology": 0.1, "scope": 0.02}

_frequencies: dict[tuple, dict[int, int]] = {}


def case_text(case: UseCase) -> tuple[str, str]:
    """The case's head (title, summary) and the rest of what it says it does."""
    results = " ".join(r.indicator for r in case.results.all())
    return f"{case.title}\n{case.summary}", f"{case.description}\n{case.lessons}\n{results}"


def describe(case: UseCase, thesaurus: Thesaurus) -> tuple[set[int], set[int]]:
    """The thesaurus groups of the whole text, and those of the head alone."""
    head, rest = case_text(case)
    in_head = set(thesaurus.groups_in(search.stems(head)))
    return in_head | set(thesaurus.groups_in(search.stems(rest))), in_head


def _query(thesaurus: Thesaurus, groups) -> str:
    """A search for any of `groups` (each by its first term; the thesaurus adds the rest)."""
    return " or ".join(f'"{thesaurus.groups[g][0][0]}"' for g in groups)


def _frequency(thesaurus: Thesaurus, groups: set[int]) -> dict[int, int]:
    """How many published cases hold each group, counted by the search engine and kept
    until the catalogue or the thesaurus changes."""
    published = UseCase.objects.published()
    state = published.aggregate(n=Count("pk"), at=Max("updated_at"))
    stamp = (state["n"], state["at"], id(thesaurus))
    if stamp not in _frequencies:
        _frequencies.clear()
        _frequencies[stamp] = {}
    known = _frequencies[stamp]
    for group in groups - known.keys():
        known[group] = search.search(published, _query(thesaurus, [group]), thesaurus).count()
    return known


def similar_cases(case: UseCase, limit: int = 4) -> list[UseCase]:
    """Published cases that do what `case` does, the closest first."""
    thesaurus, themes = services._thesaurus_and_themes()
    groups, head = describe(case, thesaurus)
    total = UseCase.objects.published().count() or 1
    frequency = _frequency(thesaurus, groups)
    weight = {g: math.log((total + 1) / (frequency.get(g, 0) + 1)) + 0.1 for g in groups}
    others = UseCase.objects.published().exclude(pk=case.pk)
    ids: list[int] = []
    if groups:
        rarest = sorted(groups, key=lambda g: -weight[g])[:QUERY_GROUPS]
        found = search.search(others, _query(thesaurus, rarest), thesaurus)
        ids = list(found.values_list("pk", flat=True)[:CANDIDATES])
    for same in (Q(domain=case.domain), Q(technology=case.technology)):
        latest = others.filter(same).order_by("-published_at", "-pk")
        ids += list(latest.values_list("pk", flat=True)[: CANDIDATES // 3])
    candidates = others.filter(pk__in=set(ids)).prefetch_related("results")
    problem = {themes[g] for g in head if themes[g]}
    mean = sum(weight.values()) / len(weight) if weight else 1.0
    norm = sum(weight.values()) or 1.0
    scored = []
    for other in candidates:
        their_groups, their_head = describe(other, thesaurus)
        shared = sum(weight[g] for g in groups & their_groups)
        theirs = shared + mean * len(their_groups - groups)
        text = shared / math.sqrt(norm * theirs) if theirs else 0.0
        their_problem = {themes[g] for g in their_head if themes[g]}
        union = problem | their_problem
        score = (
            WEIGHTS["text"] * text
            + WEIGHTS["problem"] * (len(problem & their_problem) / len(union) if union else 0)
            + WEIGHTS["domain"] * (other.domain == case.domain)
            + WEIGHTS["technology"] * (other.technology == case.technology)
            + WEIGHTS["scope"] * (other.scope == case.scope)
        )
        scored.append(
            (
                -score,
                -(other.published_at.timestamp() if other.published_at else 0),
                other.pk,
                other,
            )
        )
    scored.sort(key=lambda row: row[:3])
    return [row[3] for row in scored[:limit]]
