"""Find each quote in its source (SPEC section 4), or say what stands closest to it.

Exact first: the quote and the source, both normalized, must match verbatim. When they do
not, the closest passage is found approximately (quote anchoring in the spirit of
Hypothesis: the best-aligned stretch of the normalized source) and shown with its
differences marked, so the editor sees the typo at once. Approximate matching only ever
explains an error; it never makes a quote pass.
"""

from __future__ import annotations

import difflib
import unicodedata
from dataclasses import dataclass
from functools import cached_property

from rapidfuzz import fuzz

from builder.model import Article, Passage, Source
from builder.normalize import NormalizedText, normalize, normalize_with_origin

MIN_WORDS = 3
PROBE = 200
"""Characters of a quote that are aligned against the source to find the closest passage. The
aligner's time grows with the square of the quote's length times the source's (a 5,000-character
quote in a 1 MB source took 16 s): where the quote's beginning stands is enough to place it."""
SEARCH_BUDGET = 50_000_000
"""Source characters that closest-passage searches may scan, per source: a source of 10 MB gets
a few searches, not one per quote that is not found."""


@dataclass(frozen=True)
class NotFound:
    """A quote that does not stand in its source, with what comes nearest."""

    closest: str
    similarity: float
    line: int
    differences: str


@dataclass(frozen=True)
class Found:
    passage: Passage
    occurrences: int


class SourceIndex:
    """A source normalized once, for every quote taken from it."""

    def __init__(self, source: Source):
        self.source = source
        self.searched = 0
        """Characters scanned by closest-passage searches so far (see SEARCH_BUDGET)."""

    @cached_property
    def normalized(self) -> NormalizedText:
        return normalize_with_origin(self.source.text)

    def occurrences(self, quote: str) -> list[int]:
        """Normalized start offsets of every occurrence of an already normalized quote."""
        text, starts = self.normalized.text, []
        at = text.find(quote)
        while at != -1:
            starts.append(at)
            at = text.find(quote, at + 1)
        return starts

    def lines_of(self, quote: str) -> list[int]:
        """Line numbers (from 1) in the source file of each occurrence of a quote."""
        text = self.source.text
        starts = self.occurrences(normalize(quote).strip())
        return [text.count("\n", 0, self.normalized.to_original(at)) + 1 for at in starts]

    def locate(self, quote: str, occurrence: int | None) -> Found | NotFound | int:
        """The passage, or what is closest, or (int) how many occurrences there are when
        `occurrence` asks for one beyond them."""
        wanted = normalize(quote).strip()
        starts = self.occurrences(wanted)
        if not starts:
            return self.closest(wanted)
        index = (occurrence or 1) - 1
        if index >= len(starts):
            return len(starts)
        begin, end = self.normalized.span_in_original(starts[index], starts[index] + len(wanted))
        return Found(Passage(begin, end, self.source.text[begin:end], self.source.article_at(begin)), len(starts))

    def closest(self, wanted: str) -> NotFound:
        text = self.normalized.text
        self.searched += len(text)
        if self.searched > SEARCH_BUDGET:
            return NotFound("", 0.0, 0, "")
        alignment = fuzz.partial_ratio_alignment(wanted[:PROBE], text)
        if alignment is None:
            return NotFound("", 0.0, 0, "")
        start, stop, score = alignment.dest_start, alignment.dest_end, alignment.score
        if len(wanted) > PROBE:  # the whole quote's window and score, from where its beginning stands
            stop = min(start + len(wanted), len(text))
            score = fuzz.ratio(wanted, text[start:stop])
        # The aligned window is only as long as the quote: widen it, so that words the quote
        # left out still show (as additions) instead of pushing its last words out of the
        # window; _trim_to_quote then drops what lies beyond the quote's first and last words.
        slack = len(wanted) // 2
        begin, end = _whole_words(text, max(start - slack, 0), min(stop + slack, len(text)))
        passage = _trim_to_quote(wanted, text[begin:end])
        begin = text.find(passage, begin)
        original_begin, _ = self.normalized.span_in_original(begin, begin + len(passage))
        line = self.source.text.count("\n", 0, original_begin) + 1
        return NotFound(passage, score, line, word_diff(wanted, passage))


def _whole_words(text: str, begin: int, end: int) -> tuple[int, int]:
    """Widen [begin, end) to whole words, so the editor sees complete words."""
    while begin > 0 and not text[begin - 1].isspace():
        begin -= 1
    while end < len(text) and not text[end].isspace():
        end += 1
    return begin, end


def _trim_to_quote(quote: str, passage: str) -> str:
    """Drop the words the aligner took in at either edge that the quote does not have."""
    a, b = quote.split(" "), passage.split(" ")
    ops = difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes()
    while ops and ops[0][0] == "insert":
        ops.pop(0)
    while ops and ops[-1][0] == "insert":
        ops.pop()
    if not ops:
        return passage
    (tag, i1, i2, j1, j2), begin, end = ops[0], ops[0][3], ops[-1][4]
    # A changed word at an edge comes with the words before (or after) it that the quote
    # never reached: keep as many passage words there as the quote has.
    if tag == "replace" and len(ops) > 1:
        begin = max(j1, j2 - (i2 - i1))
    tag, i1, i2, j1, j2 = ops[-1]
    if tag == "replace" and len(ops) > 1:
        end = min(j2, j1 + (i2 - i1))
    return _trim_punctuation(quote, " ".join(b[begin:end]))


def _trim_punctuation(quote: str, passage: str) -> str:
    """Drop the punctuation that widening to whole words took in at either end and the quote
    does not have there (`voté,` for a quote ending in `voté`): it is no difference to show."""
    while len(passage) > 1 and _punctuation(passage[-1]) and not passage[-2].isspace():
        if quote.endswith(passage[-1]):
            break
        passage = passage[:-1]
    while len(passage) > 1 and _punctuation(passage[0]) and not passage[1].isspace():
        if quote.startswith(passage[0]):
            break
        passage = passage[1:]
    return passage


def _punctuation(char: str) -> bool:
    return unicodedata.category(char).startswith("P")


def word_diff(quote: str, passage: str) -> str:
    """The passage with the quote's differences marked: [-removed-] {+added+} (wdiff style).

    Read as: change the quote's [-words-] into the source's {+words+}."""
    a, b = quote.split(" "), passage.split(" ")
    out: list[str] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            out += b[j1:j2]
            continue
        if i2 > i1:
            out.append("[-" + " ".join(a[i1:i2]) + "-]")
        if j2 > j1:
            out.append("{+" + " ".join(b[j1:j2]) + "+}")
    return " ".join(out)


def spans_articles(source: Source, passage: Passage) -> tuple[Article, Article] | None:
    """The two articles a passage straddles, if it does."""
    first, last = source.article_at(passage.start), source.article_at(max(passage.end - 1, passage.start))
    if first is not last and first is not None and last is not None:
        return first, last
    return None


def too_short(quote: str) -> bool:
    return len(normalize(quote).split()) < MIN_WORDS
