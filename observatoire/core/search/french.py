"""French text as both search engines see it: words unaccented, lower-cased and stemmed
(Snowball French), stop words dropped, web-search queries parsed into clauses, and those
clauses widened to their synonyms by a thesaurus.

    stems("Cantines scolaires") → ["cantin", "scolair"]
    Query("vidéoprotection -drone", thesaurus) → its clauses, widened, its own words apart

A clause is (operator, alternatives): operator "+", "-" or "or" (which has no
alternative), each alternative (text, stems). A thesaurus holds groups of equivalent terms,
looked up by their words' stems: only required words are widened, never exclusions; a run
of consecutive required words may form one term ("robot conversationnel"). The backends
build their FTS5 and tsquery expressions from the widened clauses and rank the objects
that match the user's own words above those found through a synonym.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Callable, Iterable
from typing import Any

import snowballstemmer

Alternative = tuple[str, tuple[str, ...]]
Clause = tuple[str, list[Alternative]]

LONGEST = 6  # words in the longest term looked for

WORD = re.compile(r"\w+", re.UNICODE)
# Snowball's French stop words (PostgreSQL's french.stop), unaccented: they carry no meaning.
STOP_WORDS = frozenset(
    """au aux avec ce ces dans de des du elle en et eux il ils je la le les leur lui ma mais
    me meme mes moi mon ne nos notre nous on ou par pas pour qu que qui sa se ses son sur ta
    te tes toi ton tu un une vos votre vous c d j l a m n s t y ete etee etees etes etant
    etante etants etantes suis es est sommes etes sont serai seras sera serons serez seront
    serais serait serions seriez seraient etais etait etions etiez etaient fus fut fumes
    futes furent sois soit soyons soyez soient fusse fusses fut fussions fussiez fussent
    ayant ayante ayantes ayants eu eue eues eus ai as avons avez ont aurai auras aura aurons
    aurez auront aurais aurait aurions auriez auraient avais avait avions aviez avaient eut
    eumes eutes eurent aie aies ait ayons ayez aient eusse eusses eussions eussiez eussent""".split()  # noqa: SIM905
)


def unaccent(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


@functools.cache
def _stemmer() -> Any:
    return snowballstemmer.stemmer("french")


@functools.lru_cache(maxsize=100_000)
def stem(word: str) -> str:
    """One word as it is indexed: lower case, no accents, French Snowball stem ("" if stop)."""
    plain = unaccent(word)
    if plain in STOP_WORDS:
        return ""
    return str(_stemmer().stemWord(plain))


def stems(text: str) -> list[str]:
    """The indexed form of a text: its meaningful words' stems, in order."""
    return [s for s in (stem(m.group()) for m in WORD.finditer(text)) if s]


def parse(query: str) -> list[Clause]:
    """Parse web-search syntax into clauses (operator, [(text, stems)]): operator "+", "-"
    or "or" (which has no alternative)."""
    parsed: list[Clause] = []
    for match in re.finditer(r'(-?)"([^"]*)"?|(\S+)', query):
        if match.group(3) is not None:
            word = match.group(3)
            if word.lower() == "or":
                parsed.append(("or", []))
                continue
            negated = word.startswith("-") and len(word) > 1
            text = word[1:] if negated else word
        else:
            negated = match.group(1) == "-"
            text = match.group(2)
        words = tuple(stems(text))
        if words:
            parsed.append(("-" if negated else "+", [(text, words)]))
    return parsed


def _specific(term: str, words: list[str]) -> bool:
    """Whether the indexed form of `term` still says what it says: not emptied nor cut to one
    word by stop words ("generative AI" is indexed as "generat": French drops "ai"), nor
    stemmed to a stub ("GenAI" → "gen"). Short acronyms (LLM, SIG) are kept as they are."""
    written = re.findall(r"\w+", term)
    if not words or (len(written) > 1 and len(words) == 1):
        return False
    return not (len(written) == 1 and len(words[0]) < 4 and len(written[0]) > 4)


class Thesaurus:
    """Groups of equivalent terms, looked up by their words' stems."""

    def __init__(self, groups: Iterable[Iterable[str]], stems: Callable[[str], list[str]]):
        self.groups: list[list[Alternative]] = []
        self.sources: list[int] = []  # the position in `groups` of each group kept
        self.by_stems: dict[tuple[str, ...], list[int]] = {}
        for source, terms in enumerate(groups):
            alternatives = [
                (t, tuple(stems(t))) for t in dict.fromkeys(terms) if _specific(t, stems(t))
            ]
            if len(alternatives) < 2:
                continue
            for _text, key in alternatives:
                self.by_stems.setdefault(key, []).append(len(self.groups))
            self.groups.append(alternatives)
            self.sources.append(source)

    def __len__(self) -> int:
        return len(self.groups)

    def alternatives(self, key: tuple[str, ...]) -> list[Alternative]:
        """The terms equivalent to the words `key` (stems), itself excluded."""
        found: dict[tuple[str, ...], str] = {}
        for group in self.by_stems.get(key, []):
            for text, stems in self.groups[group]:
                if stems != key:
                    found.setdefault(stems, text)
        return [(text, stems) for stems, text in found.items()]

    def groups_in(self, words: list[str]) -> dict[int, int]:
        """The groups whose terms occur in `words` (a text's stems), with how many times."""
        found: dict[int, int] = {}
        for start in range(len(words)):
            for length in range(1, LONGEST + 1):
                key = tuple(words[start : start + length])
                if len(key) < length:
                    break
                for group in self.by_stems.get(key, []):
                    found[group] = found.get(group, 0) + 1
        return found

    def expand(self, clauses: list[Clause]) -> list[Clause]:
        """`clauses` with each run of required words that is a term widened to its group."""
        expanded: list[Clause] = []
        i = 0
        while i < len(clauses):
            if clauses[i][0] != "+":
                expanded.append(clauses[i])
                i += 1
                continue
            run = self._longest_run(clauses, i)
            words = clauses[i : i + run]
            key = tuple(s for _op, alts in words for s in alts[0][1])
            synonyms = self.alternatives(key)
            if not synonyms:
                expanded.append(clauses[i])
                i += 1
                continue
            text = " ".join(alts[0][0] for _op, alts in words)
            expanded.append(("+", [(text, key), *synonyms]))
            i += run
        return expanded

    def _longest_run(self, clauses: list[Clause], start: int) -> int:
        """How many required clauses from `start` form the longest known term (at least 1)."""
        best = 1
        key: tuple[str, ...] = ()
        for length in range(1, LONGEST + 1):
            clause = clauses[start + length - 1] if start + length - 1 < len(clauses) else None
            if clause is None or clause[0] != "+" or len(clause[1]) != 1:
                break
            key = (*key, *clause[1][0][1])
            if key in self.by_stems:
                best = length
        return best


class Query:
    """A query parsed, and widened by `thesaurus` when given: its clauses (widened, without
    the alternatives another one already finds), the user's own clauses (`parsed`), every
    alternative (`widened`), whether synonyms were added (`expanded`). Backends keep
    what they derive from it (an FTS5 expression, a tsquery, its breadth) in `cache`."""

    def __init__(self, text: str, thesaurus: Thesaurus | None = None):
        self.text = text
        self.parsed = parse(text)
        widened = thesaurus.expand(self.parsed) if thesaurus is not None else self.parsed
        self.expanded = widened != self.parsed
        self.widened = widened  # every alternative: what a relevance rank may weigh
        self.clauses = [(op, _essential(alternatives)) for op, alternatives in widened]
        self.highlighted = [s for op, alts in widened if op == "+" for _t, ws in alts for s in ws]
        self.cache: dict[Any, Any] = {}

    def __bool__(self) -> bool:
        """Whether it asks for something: a required word, not only exclusions."""
        return any(op == "+" for op, _alternatives in self.clauses)

    def stems(self) -> list[str]:
        """The stems the query looks for (exclusions aside): those excerpts highlight."""
        return self.highlighted


def _essential(alternatives: list[Alternative]) -> list[Alternative]:
    """The alternatives that a text can match without matching another: a phrase holding
    another alternative's words in a row ("modèle prédictif" beside "prédictif") finds
    nothing more, and costs both engines a read of the words' positions in every document."""
    kept: list[Alternative] = []
    for text, words in alternatives:
        inner = f" {' '.join(words)} "
        if not any(
            other != words and f" {' '.join(other)} " in inner for _t, other in alternatives
        ):
            kept.append((text, words))
    return kept
