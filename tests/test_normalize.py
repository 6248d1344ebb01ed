"""The quote normalizer (SPEC section 4): examples, then properties over any Unicode text.

Properties, for any text t (any code point but lone surrogates, weighted towards the
characters the normalization is about: every white-space character Python knows, no-break
spaces, typographic quotes, combining marks, decomposed letters, Hangul jamo):

1. `normalize_with_origin(t).text == normalize(t)`: the map a source is matched through
   holds the very text a quote is normalized to.
2. `normalize` is idempotent.
3. Span mapping. Let N = normalize_with_origin(t). A *boundary* of N is a position k
   (0 <= k <= len(N.text)) where a new piece of the original begins: k = 0, k = len(N.text),
   or N.to_original(k - 1) < N.to_original(k). In NFC text (nearly every source) every
   position is a boundary (property 4). In other text, the characters NFC builds from several
   original ones ("e" + U+0301 -> "é", jamo -> a Hangul syllable) map as a whole to where
   they start, so the positions inside such a piece are not boundaries: the original cannot
   be cut there, and no quote does (a quote starts and ends on whole characters).
   For boundaries s <= e, with (a, b) = N.span_in_original(s, e):
   - 0 <= a <= b <= len(t), and to_original is monotonic;
   - `normalize(t[a:b]) == N.text[s:e]`, exactly, with no strip: a normalized space stands
     for the whole original run of white space, so a normalized substring that begins or
     ends with a space maps to a slice that begins or ends with that whole run;
   - when N.text[s:e] neither begins nor ends with a space (which is what locate looks for:
     it strips the normalized quote), t[a:b] has no white space at either edge either, so
     the page shows the passage without stray blanks.
4. In NFC text, every position of N is a boundary: any normalized substring maps back.
"""

from __future__ import annotations

import sys
import unicodedata

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from builder.normalize import normalize, normalize_with_origin

WHITE_SPACE = tuple(chr(c) for c in range(sys.maxunicode + 1) if chr(c).isspace())
TYPOGRAPHIC = tuple("’‘‛ʼ“”„'\"«»")
COMBINING = tuple("\u0300\u0301\u0302\u0308\u0327\u0323\u031b\u0345\u0f71\u0f72\u0f73\u0f75\u093c\u05b0\u3099")
# Letters with a canonical decomposition, and pieces that NFC composes although their
# combining class is 0 (Hangul jamo L/V/T, Indic two-part vowel signs).
COMPOSABLE = tuple("eaoucnAEIÅΩKéç\u212b\u2126\u1100\u1161\u11a8\u0b47\u0b3e\u0b56\u09c7\u09be")
SPECIAL = WHITE_SPACE + TYPOGRAPHIC + COMBINING + COMPOSABLE

characters = st.one_of(
    st.characters(exclude_categories=("Cs",)),
    st.sampled_from(SPECIAL),
    st.sampled_from(SPECIAL),
)
# Multi-character pieces that single characters drawn at random almost never line up: a
# white-space character carrying a mark, decomposed letters (which take a text out of NFC,
# onto the normalizer's slow path), jamo that NFC composes into one syllable.
PIECES = (
    "e\u0301",
    "\u00a0\u0301",
    " \u0327",
    "\n\u0308",
    "\u1100\u1161",
    "\u1100\u1161\u11a8",
    "\u0b47\u0b3e",
    "\u0b47\u0b56",
    "a\u0323\u0302",
    "a\u0302\u0323",
    "\u0f73\u0301",
    "’\u0301",
)
texts = st.lists(st.one_of(characters, st.sampled_from(PIECES)), max_size=40).map("".join)


def boundaries(normalized) -> list[int]:
    n = len(normalized.text)
    return [k for k in range(n + 1) if k in (0, n) or normalized.to_original(k - 1) < normalized.to_original(k)]


# --- examples: what the SPEC says, one rule at a time --------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("l’accord", "l'accord"),
        ("l‘accord l‛accord lʼaccord", "l'accord l'accord l'accord"),
        ("“Aucun accord” „signé“", '"Aucun accord" "signé"'),
        ("«\u00a0Aucun accord\u00a0»", "« Aucun accord »"),  # guillemets stay, NBSP is a space
        ("un\u202faccord", "un accord"),  # narrow no-break space
        ("un \n\t\u2003 accord", "un accord"),  # one run, one space
        ("un\r\naccord", "un accord"),
        ("  au bord  ", " au bord "),  # runs at the edges become one space, not nothing
        ("Corée", "Corée"),  # NFD -> NFC
        ("Aucun Accord", "Aucun Accord"),  # no case folding
        ("Kim Jong-un", "Kim Jong-un"),  # dashes are not quotes
    ],
)
def test_normalization_rules(text, expected):
    assert normalize(text) == expected
    assert normalize_with_origin(text).text == expected


def test_the_page_keeps_the_source_typography():
    source = "Il a dit\u00a0: «\u00a0l’accord\u00a0»\nest signé."
    normalized = normalize_with_origin(source)
    quote = normalize("dit : « l'accord » est")
    start = normalized.text.find(quote)
    begin, end = normalized.span_in_original(start, start + len(quote))
    assert source[begin:end] == "dit\u00a0: «\u00a0l’accord\u00a0»\nest"


def test_decomposed_source_maps_back_to_whole_characters():
    source = unicodedata.normalize("NFD", "la Corée  du Nord, l’été")
    normalized = normalize_with_origin(source)
    assert normalized.text == "la Corée du Nord, l'été"
    start = normalized.text.find("Corée du")
    begin, end = normalized.span_in_original(start, start + len("Corée du"))
    assert source[begin:end] == unicodedata.normalize("NFD", "Corée  du")


# --- properties ------------------------------------------------------------------------------


@given(texts)
@example("a\u00a0\u0301e\u0301")  # a no-break space carrying a mark, in a text not in NFC
@example("x  \u0301e\u0301")  # a run of spaces, the last one carrying a mark
@example("\u1100\u1161e\u0301")  # Hangul L + V compose though neither is a combining mark
def test_map_holds_the_normalized_text(text):
    assert normalize_with_origin(text).text == normalize(text)


@given(texts)
def test_normalize_is_idempotent(text):
    once = normalize(text)
    assert normalize(once) == once


@settings(suppress_health_check=[HealthCheck.too_slow])
@given(texts, st.data())
@example("a\u00a0\u0301e\u0301 b", None)
@example("\u0b47\u0b3e\u0301 x", None)
@example("a  b\u00a0c \n\t d\u202f\u00a0e f", None)  # several long runs in an NFC text (the fast path)
def test_span_maps_back_to_an_original_slice(text, data):
    normalized = normalize_with_origin(text)
    cuts = boundaries(normalized)
    origins = [normalized.to_original(k) for k in range(len(normalized.text) + 1)]
    assert origins == sorted(origins), "to_original must be monotonic"
    assert origins[0] == 0 and origins[-1] == len(text)
    if data is None:  # an @example: check every pair of boundaries
        pairs = [(s, e) for s in cuts for e in cuts if s <= e]
    else:
        s = data.draw(st.sampled_from(cuts), label="start")
        e = data.draw(st.sampled_from([k for k in cuts if k >= s]), label="end")
        pairs = [(s, e)]
    for s, e in pairs:
        a, b = normalized.span_in_original(s, e)
        assert 0 <= a <= b <= len(text)
        piece = normalized.text[s:e]
        assert normalize(text[a:b]) == piece, (s, e, a, b)
        if piece and not piece.startswith(" ") and not piece.endswith(" "):
            assert not text[a].isspace() and not text[b - 1].isspace(), (s, e, a, b)


@given(texts)
def test_every_character_of_a_nfc_text_is_a_boundary(text):
    """In NFC text (nearly every source) any normalized substring maps back: no position is lost."""
    text = unicodedata.normalize("NFC", text)
    normalized = normalize_with_origin(text)
    assert boundaries(normalized) == list(range(len(normalized.text) + 1))
