"""The one documented normalization for matching quotes (SPEC section 4).

Unicode NFC; every run of white space (no-break spaces included) is one space; typographic
apostrophes and double quotes equal their plain forms. Nothing else: no case folding, and
French guillemets « » stay as they are, because they are part of what a source says.

A source is normalized once, keeping a map back to the original text, so that a match found
in the normalized text maps back in linear time and the page can show the source's own
typography. The map is run-length: the offset between the two texts only changes where a
run of several white-space characters became one space, so it holds one entry per such run.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from bisect import bisect_right
from dataclasses import dataclass

_PLAIN = (("’", "'"), ("‘", "'"), ("‛", "'"), ("ʼ", "'"), ("“", '"'), ("”", '"'), ("„", '"'))
_SPACE_RUN = re.compile(r"\s+")
_LONG_SPACE_RUN = re.compile(r"\s\s+")


def _plain_quotes(text: str) -> str:
    # One character for one, so offsets are unchanged. str.replace rather than str.translate,
    # which looks each character up in a dict: a hundred times slower on a page of French text.
    for typographic, plain in _PLAIN:
        if typographic in text:
            text = text.replace(typographic, plain)
    return text


@functools.lru_cache(maxsize=1024)  # a quote is normalized to be found, then to count its words
def normalize(text: str) -> str:
    """The normalized form of a quote (or of any text)."""
    return _SPACE_RUN.sub(" ", _plain_quotes(unicodedata.normalize("NFC", text)))


@dataclass(frozen=True)
class NormalizedText:
    """A text in normalized form, with the way back to the original."""

    text: str
    starts: tuple[int, ...]
    """Normalized offsets where a segment begins; within a segment the two texts advance together."""
    origins: tuple[int, ...]
    """Original offset of each segment's first character."""

    def to_original(self, position: int) -> int:
        k = bisect_right(self.starts, position) - 1
        return self.origins[k] + position - self.starts[k]

    def span_in_original(self, start: int, end: int) -> tuple[int, int]:
        """Original [start, end) of the normalized [start, end), end excluded.

        The end maps to where the next normalized character came from: just after the
        quote's last character (and its combining marks), before any white space."""
        return self.to_original(start), self.to_original(end)


def normalize_with_origin(original: str) -> NormalizedText:
    """Normalize a whole source, keeping the map back to it."""
    if not unicodedata.is_normalized("NFC", original):
        return _normalize_decomposed(original)
    # Only a run of several white-space characters shifts the offsets; single ones (most spaces
    # between words) are replaced in place, so the loop below sees the few long runs only.
    starts, origins = [0], [0]
    removed = 0  # characters dropped so far, all but one of each long run
    for run in _LONG_SPACE_RUN.finditer(original):
        begin, end = run.span()
        starts.append(begin - removed + 1)
        origins.append(end)
        removed += end - begin - 1
    return NormalizedText(_plain_quotes(_SPACE_RUN.sub(" ", original)), tuple(starts), tuple(origins))


def _normalize_decomposed(original: str) -> NormalizedText:
    """The rare text not in NFC: compose it unit by unit, cutting only where NFC cannot join
    the two sides, so that the units' NFC forms put end to end are the text's NFC form.

    A unit ends before a white-space character and after one (white space composes with
    nothing, so a mark that follows it stands on its own), and before a starter that does not
    compose with the unit so far. Splitting at combining marks alone is not enough: a no-break
    space carrying a mark would escape the white-space rule, and Hangul jamo or two-part
    vowel signs, whose combining class is 0, compose all the same. A unit that NFC leaves as
    it is maps character by character; one that NFC changes maps as a whole to its start."""
    chars: list[str] = []
    origin: list[int] = []  # for each output character, where it (or its unit) starts
    in_space = False
    for i, j in _units(original):
        unit = original[i:j]
        composed = unicodedata.normalize("NFC", unit)
        positions = range(i, j) if composed == unit else [i] * len(composed)
        for char, at in zip(_plain_quotes(composed), positions, strict=True):
            if char.isspace():
                if in_space:
                    continue
                char, in_space = " ", True
            else:
                in_space = False
            chars.append(char)
            origin.append(at)
    origin.append(len(original))
    starts = [c for c in range(len(origin)) if c == 0 or origin[c] != origin[c - 1] + 1]
    return NormalizedText("".join(chars), tuple(starts), tuple(origin[c] for c in starts))


def _units(original: str):
    """[start, end) of each unit of `original` that NFC can compose on its own."""
    begin, n = 0, len(original)
    for k in range(1, n + 1):
        if k == n:
            yield begin, n
            break
        char, previous = original[k], original[k - 1]
        if char.isspace() or previous.isspace():
            cut = True
        elif unicodedata.combining(char) or unicodedata.combining(unicodedata.normalize("NFD", char)[0]):
            cut = False
        else:
            unit = original[begin:k]
            cut = unicodedata.normalize("NFC", unit + char) == unicodedata.normalize(
                "NFC", unit
            ) + unicodedata.normalize("NFC", char)
        if cut:
            yield begin, k
            begin = k
