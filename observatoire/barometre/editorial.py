"""The note's text: Markdown written by an analyst, with references to published figures.

A reference is ``{indicator}`` (its main answer, whole population), with options after
``|``: a domain level (``{culture_bonne_correcte|taille=plus_3500}``), an answer of a
multi-answer indicator (``{usages_donnee|modalite=transparence}``) and ``evolution`` (the
change since the previous edition, in points).  The text is stored as written and rendered
against the results of the version shown, so a correction re-renders it with its own
figures.  Raw HTML is escaped and links keep only http(s), mailto and relative targets.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import markdown  # type: ignore[import-untyped]
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe

from observatoire.barometre import queries
from observatoire.barometre.indicator_specs import IndicatorSet
from observatoire.barometre.models import Edition, Result
from observatoire.core import formats

REFERENCE = re.compile(r"\{([a-z][a-z0-9_]*)((?:\|[^{}|\n]*)*)\}")
TOKEN = "ZZCHIFFRE{}ZZ"
SAFE_LINK = re.compile(r"^(https?:|mailto:|/|#|[^:]*$)", re.IGNORECASE)
MAX_TEXT = 20_000  # characters per text: a summary or a theme's commentary


@dataclass(frozen=True)
class Reference:
    """One figure named in the text: an indicator's answer in one domain level."""

    text: str
    indicator: str
    category: str
    domain: str = ""
    level: str = ""
    evolution: bool = False

    @property
    def key(self) -> tuple[str, str, str, str]:
        return (self.indicator, self.category, self.domain, self.level)


def references(text: str, iset: IndicatorSet, where: str = "") -> list[Reference]:
    """Every reference of ``text``; an unknown one raises a French ``ValidationError``."""
    if len(text) > MAX_TEXT:
        raise ValidationError(
            f"{where}texte trop long ({len(text)} caractères, {MAX_TEXT} au plus)."
        )
    out = []
    for match in REFERENCE.finditer(text):
        out.append(_reference(match, iset, where))
    return out


def _reference(match: re.Match[str], iset: IndicatorSet, where: str) -> Reference:
    written = match.group(0)
    try:
        indicator = iset.get(match.group(1))
    except KeyError:
        raise ValidationError(
            f"{where}référence inconnue « {written} » : aucun indicateur « {match.group(1)} » "
            "dans cette édition."
        ) from None
    category, domain, level, evolution = queries.main_category(indicator), "", "", False
    for option in filter(None, match.group(2).split("|")):
        name, _eq, value = (part.strip() for part in option.partition("="))
        if name == "evolution" and not value:
            evolution = True
        elif name == "modalite" and value in indicator.categories:
            category = value
        elif name in iset.domains and value in queries.LEVEL_LABELS.get(name, {value: ""}):
            domain, level = name, value
        else:
            raise ValidationError(
                f"{where}référence inconnue « {written} » : option « {option} » non reconnue "
                f"(modalités : {', '.join(c or '—' for c in indicator.categories)} ; domaines : "
                f"{', '.join(iset.domains)} ; ou « evolution »)."
            )
    return Reference(written, indicator.code, category, domain, level, evolution)


def check_texts(summary: str, commentary: dict[str, str], iset: IndicatorSet) -> None:
    """Raise a ``ValidationError`` naming the text and the first unknown reference."""
    references(summary, iset, "Faits saillants : ")
    for code, text in commentary.items():
        if code not in iset.themes:
            raise ValidationError(f"Thème inconnu « {code} ».")
        references(text, iset, f"Commentaire « {iset.themes[code]['title']} » : ")


def cells(edition: Edition, version: int) -> dict[tuple[str, str, str, str], Result]:
    """The results of a version (0: the working copy, for the analyst's preview)."""
    rows = Result.objects.filter(edition=edition, version=version)
    return {(r.indicator, r.category, r.domain, r.level): r for r in rows}


def figure_text(ref: Reference, found: dict[tuple, Result]) -> str:
    """The figure as read: "53 %" (or "+7 points" for an evolution), "—" if absent."""
    cell = queries.Cell(found.get(ref.key))
    if not cell.shown:
        return cell.value
    if ref.evolution:
        return cell.change.split(" (")[0] if cell.change else "—"
    return cell.value


def population_label(edition: Edition, ref: Reference, iset: IndicatorSet) -> str:
    """Who the figure is about, and which answer it counts for a multi-answer question."""
    indicator = iset.get(ref.indicator)
    who = queries.population_label(edition, ref.domain, ref.level)
    if indicator.among_label:
        who = f"{who}, {indicator.among_label}"
    if indicator.kind in ("ranking", "done_or_planned"):
        who = f"{who} — réponse « {indicator.category_label(ref.category)} »"
    return who


def _figure_html(edition: Edition, ref: Reference, found: dict, iset: IndicatorSet) -> str:
    result = found.get(ref.key)
    cell = queries.Cell(result)
    who = population_label(edition, ref, iset)
    if ref.evolution:
        detail = f"évolution depuis l’édition précédente, {cell.change or 'non disponible'}"
    else:
        detail = f"marge d’erreur {cell.margin}" if cell.margin else "non diffusé"
    if result is not None and cell.shown:
        detail += f", n = {formats.integer(result.n)}"
    note = f"{who} ; {detail}"
    short = f"{who} : {detail}" if ref.domain or ref.evolution else detail
    query = urlencode({"domaine": ref.domain, "niveau": ref.level}) if ref.domain else ""
    url = reverse("barometre:indicator", args=[edition.code, ref.indicator])
    return (
        f'<a class="chiffre" href="{html.escape(url + ("?" + query if query else ""))}" '
        f'title="{html.escape(note)}">'
        f"{html.escape(figure_text(ref, found))}"
        f'<span class="chiffre-note"> ({html.escape(note)})</span></a>'
        f'<span class="chiffre-pdf">{html.escape(short)}</span>'
    )


class _SafeLinks(markdown.treeprocessors.Treeprocessor):
    def run(self, root: Any) -> None:
        for element in root.iter():
            for attribute in ("href", "src"):
                value = element.get(attribute)
                if value is not None and not SAFE_LINK.match(value.strip()):
                    element.set(attribute, "#")


class _SafeLinksExtension(markdown.extensions.Extension):
    def extendMarkdown(self, md: markdown.Markdown) -> None:
        md.treeprocessors.register(_SafeLinks(md), "safe_links", 0)


def render(
    text: str, edition: Edition, version: int, iset: IndicatorSet | None = None
) -> SafeString:
    """The text as HTML with its figures from ``version``'s results (headings start at h3)."""
    if not text.strip():
        return mark_safe("")
    iset = iset or queries.indicators_of(edition, version or None)
    found = cells(edition, version)
    figures: list[str] = []

    def token(match: re.Match[str]) -> str:
        figures.append(_figure_html(edition, _reference(match, iset, ""), found, iset))
        return TOKEN.format(len(figures) - 1)

    source = REFERENCE.sub(token, text.replace("&", "&amp;").replace("<", "&lt;"))
    body = markdown.markdown(source, extensions=[_SafeLinksExtension()], output_format="html")
    body = re.sub(
        r"<(/?)h([1-4])>", lambda m: f"<{m.group(1)}h{min(6, int(m.group(2)) + 2)}>", body
    )
    for i, figure in enumerate(figures):
        body = body.replace(TOKEN.format(i), figure)
    return mark_safe(body)


def texts_of(edition: Edition, version: int) -> dict[str, Any]:
    """The texts of a published version (as published), or the edition's working texts
    (version 0, or a version published before texts were kept)."""
    published = edition.versions.filter(number=version).values_list("texts", flat=True).first()
    if published:
        return published
    return {"summary": edition.summary, "commentary": edition.commentary or {}}


def rendered_texts(edition: Edition, version: int) -> dict[str, Any]:
    """Summary and per-theme commentaries rendered against the version's figures."""
    iset = queries.indicators_of(edition, version or None)
    texts = texts_of(edition, version)
    try:
        return {
            "summary": render(texts.get("summary", ""), edition, version, iset),
            "commentary": {
                code: render(text, edition, version, iset)
                for code, text in (texts.get("commentary") or {}).items()
                if code in iset.themes
            },
        }
    except ValidationError:  # a text written for another indicator file: shown unrendered
        return {
            "summary": mark_safe(f"<p>{html.escape(texts.get('summary', ''))}</p>"),
            "commentary": {},
        }


def changed_figures(edition: Edition, number: int) -> list[dict[str, str]]:
    """The figures of version ``number``'s text whose value differs from version ``number - 1``."""
    if number < 2:
        return []
    texts = texts_of(edition, number)
    iset = queries.indicators_of(edition, number)
    all_text = "\n".join([texts.get("summary", ""), *(texts.get("commentary") or {}).values()])
    try:
        refs = list({r.text: r for r in references(all_text, iset)}.values())
    except ValidationError:
        return []
    now, before = cells(edition, number), cells(edition, number - 1)
    out = []
    for ref in refs:
        new, old = figure_text(ref, now), figure_text(ref, before)
        if new != old:
            out.append({"reference": ref.text, "before": old, "after": new,
                        "population": population_label(edition, ref, iset)})  # fmt: skip
    return out


def preview(
    edition: Edition, summary: str, commentary: dict[str, str], iset: IndicatorSet
) -> dict[str, Any]:
    """Unsaved texts rendered with the working results (what the next publication shows)."""
    return {
        "summary": render(summary, edition, 0, iset),
        "commentary": [
            (iset.themes[code]["title"], render(text, edition, 0, iset))
            for code, text in commentary.items()
            if text.strip()
        ],
    }


def changed_results(edition: Edition, number: int) -> int:
    """How many published cells (estimate or disclosure) differ from the previous version."""
    if number < 2:
        return 0
    now, before = cells(edition, number), cells(edition, number - 1)
    keys = set(now) | set(before)
    return sum(
        1
        for k in keys
        if k not in now
        or k not in before
        or (round(now[k].estimate, 4), now[k].flag)
        != (round(before[k].estimate, 4), before[k].flag)
    )
