"""Excerpts of search results: about thirty words of the shown text around the first
match, escaped, matched words in <mark>. The index keeps each object's shown text beside
one stem per word and the words' offsets (`stored_text`), so that cutting an excerpt needs
no stemming at query time, and only the rows read are cut (`Excerpt`)."""

from __future__ import annotations

import html
from collections.abc import Iterable
from typing import Any

from django.db import models

from observatoire.core.search.french import WORD, stem

EXCERPT_WORDS = 30

# Between the shown text, its word stems and their offsets in the stored text (`_text` on
# SQLite, `text` on PostgreSQL, which refuses NUL: tables indexed before used "\x00").
SEPARATOR = "\x1f"


def word_index(text: str) -> str:
    """One stem per word of `text` ("-" for a stop word), then each word's start offset,
    kept beside the text so that cutting an excerpt needs no stemming at query time."""
    found = list(WORD.finditer(text))
    stems_ = " ".join(stem(m.group()) or "-" for m in found)
    return stems_ + SEPARATOR + " ".join(str(m.start()) for m in found)


def excerpt(
    text: str, wanted: Iterable[str], words: int = EXCERPT_WORDS, index: str | None = None
) -> str:
    """About `words` words of `text` around the first match, escaped, matches in <mark>.

    `index` is `word_index(text)` when the caller stored it; otherwise it is computed.
    """
    wanted = set(wanted)
    stems_, _sep, offsets = (index if index is not None else word_index(text)).partition(SEPARATOR)
    if not stems_:
        return html.escape(text)
    word_list = stems_.split(" ")
    padded = f" {stems_} "
    hits = [padded.find(f" {w} ") for w in wanted]
    first_hit = min((h for h in hits if h >= 0), default=-1)
    first = padded.count(" ", 0, first_hit + 1) - 1 if first_hit >= 0 else 0
    start = max(0, min(first - 8, len(word_list) - words))
    spans = []
    for i, offset in enumerate(offsets.split(" ")[start : start + words], start):
        match = WORD.match(text, int(offset))
        end_ = match.end() if match else int(offset)
        spans.append((int(offset), end_, word_list[i] in wanted))
    begin = 0 if start == 0 else spans[0][0]
    end = len(text) if start + words >= len(word_list) else spans[-1][1]
    parts = ["… " if begin else ""]
    cursor = begin
    for s, e, hit in spans:
        if hit:
            parts += [html.escape(text[cursor:s]), "<mark>", html.escape(text[s:e]), "</mark>"]
            cursor = e
    parts.append(html.escape(text[cursor:end]))
    parts.append(" …" if end < len(text) else "")
    return "".join(parts).strip()


def stored_text(text: str) -> str:
    """What the index keeps of the shown text: the text, then its word_index()."""
    return text + SEPARATOR + word_index(text)


def stored_excerpt(stored: str | None, wanted: str | None) -> str:
    text, _sep, index = (stored or "").replace("\x00", SEPARATOR).partition(SEPARATOR)
    return excerpt(text, (wanted or "").split(), index=index if SEPARATOR in index else None)


class Excerpt(models.TextField):
    """The stored text becomes an excerpt once fetched, so only the rows read are cut (the
    database may select the text of many more rows while it sorts)."""

    def __init__(self, wanted: str):
        super().__init__()
        self.wanted = wanted

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> str:
        return stored_excerpt(value, self.wanted)
