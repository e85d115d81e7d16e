"""The roadmap: the actions an authority lacks, in the order of the five SNDGCT steps.

Within a step, legal duties come first, then the actions of its weakest axes first. Use
cases from the catalogue (authorities of the same stratum first, then the same size
band, then anything) and register entries of similar authorities are proposed on its
two weakest axes.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Q
from django.urls import reverse

from observatoire.cas_usage.models import UseCase
from observatoire.diagnostic import scoring
from observatoire.diagnostic.choices import Effort, Step
from observatoire.registre.choices import Status as EntryStatus
from observatoire.registre.models import Entry
from observatoire.territoires.choices import Stratum

WEAKEST_AXES = 2
PER_AXIS = 3


@dataclass
class Item:
    title: str
    why: str = ""
    reuse: str = ""
    effort: str = ""
    kind: str = "action"  # action, duty, case, entry
    code: str = ""
    axis: str = ""
    article: str = ""
    source: str = ""
    url: str = ""
    url_label: str = ""
    to_check: bool = False
    summary: str = ""  # a case's or an entry's own words, after `why`
    lang: str = ""  # the title's and summary's language when not French (lang="…")

    @property
    def effort_label(self) -> str:
        return str(Effort(self.effort).label) if self.effort else ""


@dataclass
class RoadmapStep:
    code: str
    label: str
    items: list[Item] = field(default_factory=list)


def situation_of(run) -> scoring.Situation:
    entries = Entry.objects.filter(authority=run.authority).exclude(status=EntryStatus.ARCHIVED)
    return scoring.Situation(
        answers=run.answers,
        kind=run.authority.kind,
        population=run.authority.population,
        register=list(entries.values("ai_act_level", "individual_decisions")),
    )


def _register_link(authority) -> str:
    return reverse("registre:create") + f"?authority={authority.siren}"


def _action_item(action: scoring.Action, authority, kind: str, to_check: bool = False) -> Item:
    item = Item(
        title=action.title,
        why=action.why,
        reuse=action.reuse,
        effort=action.effort,
        kind=kind,
        code=action.code,
        axis=action.axis,
        article=action.article,
        source=action.source,
        to_check=to_check,
    )
    if action.link == "registre":
        item.url, item.url_label = _register_link(authority), "Ouvrir mon registre des IA"
    return item


def legal_duties(
    duties: tuple[scoring.Action, ...], situation: scoring.Situation
) -> list[tuple[scoring.Action, str]]:
    """Each duty that applies, with its state: « met », « todo » or « check » (no answer
    can tell whether it is met)."""
    out = []
    for duty in duties:
        if duty.when and not scoring.any_holds(duty.when, situation):
            continue
        if not duty.met:
            out.append((duty, "check"))
        else:
            out.append((duty, "met" if scoring.any_holds(duty.met, situation) else "todo"))
    return out


def similar_cases(authority, domains: tuple[str, ...], exclude: set[int]) -> list[UseCase]:
    """Published cases of other authorities in these domains: same stratum first, then same
    size band, then any (an authority's own cases are nothing new to it)."""
    if not domains:
        return []
    base = (
        UseCase.objects.published()
        .filter(domain__in=domains)
        .exclude(pk__in=exclude)
        .exclude(participants__authority=authority)
    )
    small = authority.stratum == Stratum.COMMUNE_LT_3500
    band = Q(participants__stratum=Stratum.COMMUNE_LT_3500)
    tiers = [
        base.filter(participants__stratum=authority.stratum),
        base.filter(band if small else ~band & ~Q(participants__stratum="")),
        base,
    ]
    found: list[UseCase] = []
    for tier in tiers:
        for case in tier.distinct().order_by("-published_at", "-pk")[:PER_AXIS]:
            if case not in found and len(found) < PER_AXIS:
                found.append(case)
    return found


def adoptable_entries(authority, themes: tuple[str, ...], exclude: set[int]) -> list[Entry]:
    """Published register entries of other authorities of the same stratum, then any."""
    if not themes:
        return []
    base = (
        Entry.objects.published()
        .filter(theme__in=themes, revision_of__isnull=True)
        .exclude(authority=authority)
        .exclude(pk__in=exclude)
        .select_related("authority")
    )
    same = list(base.filter(authority__stratum=authority.stratum)[:PER_AXIS])
    rest = [e for e in base.order_by("-published_at")[: PER_AXIS * 2] if e not in same]
    return (same + rest)[:PER_AXIS]


def build(grid: scoring.Grid, duties, scores: scoring.Scores, run) -> list[RoadmapStep]:
    situation = situation_of(run)
    authority = run.authority
    rank = {a.axis.code: i for i, a in enumerate(sorted(scores.axes, key=lambda a: a.score))}
    steps = {s.value: RoadmapStep(s.value, str(s.label)) for s in Step}
    for duty, state in legal_duties(duties, situation):
        if state != "met":
            steps[duty.step].items.append(_action_item(duty, authority, "duty", state == "check"))
    # « Open your AI register » is done once the register has a published entry, whatever
    # the answer said: the roadmap must not send an authority to start what it publishes.
    has_register = Entry.objects.published().filter(authority=authority).exists()
    actions = sorted(
        (
            a
            for a in grid.actions
            if scoring.any_holds(a.when, situation) and not (a.link == "registre" and has_register)
        ),
        key=lambda a: rank.get(a.axis, len(rank)),
    )
    for action in actions:
        steps[action.step].items.append(_action_item(action, authority, "action"))
    weakest = [a.axis for a in sorted(scores.axes, key=lambda a: a.score)[:WEAKEST_AXES]]
    seen_cases: set[int] = set()
    seen_entries: set[int] = set()
    for axis in weakest:
        for case in similar_cases(authority, axis.case_domains, seen_cases):
            seen_cases.add(case.pk)
            steps[Step.EXPERIMENT].items.append(
                Item(
                    title=case.title,
                    why=f"Cas d'usage ({axis.title.lower()}) :",
                    summary=case.summary,
                    lang=case.foreign_language,
                    kind="case",
                    axis=axis.code,
                    url=case.get_absolute_url(),
                    url_label="Voir le cas d'usage",
                )
            )
        for entry in adoptable_entries(authority, axis.register_themes, seen_entries):
            seen_entries.add(entry.pk)
            steps[Step.DEPLOY].items.append(
                Item(
                    title=f"{entry.name} ({entry.authority})",
                    why=f"Fiche du registre à reprendre : {entry.summary}",
                    kind="entry",
                    axis=axis.code,
                    url=entry.get_absolute_url(),
                    url_label="Voir la fiche et la reprendre",
                )
            )
    return [s for s in steps.values() if s.items]
