"""A source text as HTML, with every cited passage highlighted.

Passages may overlap (two claims citing sentences that share words) or nest. HTML
elements cannot cross, so the text is cut at every passage boundary, and each piece is
wrapped in one <mark> per passage that covers it, outermost first: overlaps show as
stacked highlights and every passage stays whole. A passage's id sits on the mark of its
first piece, so /sources/<id>/#<anchor> lands on it. The text itself is never altered:
white space is kept (the page shows it with CSS white-space: pre-wrap), and the only
things added are the marks and back-links, which contribute no text of their own.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Highlight:
    start: int
    end: int
    anchor: str
    after: str = ""
    """HTML placed right after the passage (its back-links)."""


def highlight(text: str, highlights: list[Highlight], markers: list[tuple[int, str]] = ()) -> str:
    """The text as HTML; `markers` are (offset, HTML) pairs placed at an offset, such as
    the anchor where a bundled article begins."""
    spans = sorted((h for h in highlights if h.start < h.end), key=lambda h: (h.start, -h.end, h.anchor))
    cuts = sorted({0, len(text), *(h.start for h in spans), *(h.end for h in spans), *(at for at, _ in markers)})
    out: list[str] = []
    for begin, end in zip(cuts, cuts[1:], strict=False):
        out += [marker for at, marker in markers if at == begin]
        covering = [h for h in spans if h.start <= begin and end <= h.end]
        # Piece by piece: the marks and back-links between pieces hold no white space to keep,
        # and scanning them too cost three times as much.
        piece = _KEEP_WHITESPACE.sub(_reference, html.escape(text[begin:end], quote=False))
        for h in covering:
            ident = f' id="{h.anchor}"' if h.start == begin else ""
            out.append(f'<mark class="citation"{ident} data-citation="{h.anchor}">')
        out.append(piece)
        out.append("</mark>" * len(covering))
        out += [h.after for h in spans if h.end == end]
    return "".join(out)


# Python-Markdown, which reads the page around this HTML, turns tabs into spaces and empties the
# lines that hold only spaces: written as character references, both reach the reader unchanged.
_KEEP_WHITESPACE = re.compile(r"\t|(?<=[\r\n]) +(?=[\r\n])")


def _reference(match: re.Match) -> str:
    return "&#9;" if match[0] == "\t" else "&#32;" * len(match[0])
