"""Query-time synonyms: a query's words widened to the equivalent terms of a thesaurus.

    thesaurus = Thesaurus([["vidéoprotection", "vidéosurveillance", "CCTV"], ...])
    thesaurus.expand(clauses) → the same clauses, where a run of words is a term of a group
    replaced by the alternatives of that group (the user's words first).

A clause is (operator, alternatives): operator "+", "-" or "or" (as search parses queries),
each alternative (text, stems). Only required words are widened, never exclusions; a run
of consecutive required words may form one term ("robot conversationnel"). The search
builds its FTS5 and tsquery expressions from the widened clauses and ranks the objects
that match the user's own words above those found through a synonym.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

Alternative = tuple[str, tuple[str, ...]]
Clause = tuple[str, list[Alternative]]

LONGEST = 6  # words in the longest term looked for


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
