"""Page-level helpers shared by the browser tests (kept out of conftest so tests import them)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "tests" / "artifacts"

DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 375, "height": 812}
NARROW_PHONE = {"width": 320, "height": 640}

# The first line box of an element (a highlighted passage often spans several lines):
# is it inside the viewport, below Material's sticky header, and actually what is drawn there?
IN_VIEW_JS = """
(el) => {
  const box = el.getClientRects()[0] || el.getBoundingClientRect();
  const header = document.querySelector('.md-header');
  const headerBottom = header ? header.getBoundingClientRect().bottom : 0;
  const x = Math.min(box.left + 4, window.innerWidth - 1);
  const y = box.top + box.height / 2;
  const hit = document.elementFromPoint(x, y);
  return {
    top: box.top, bottom: box.bottom, left: box.left, right: box.right,
    headerBottom: headerBottom, innerHeight: window.innerHeight, innerWidth: window.innerWidth,
    onTop: !!hit && (el === hit || el.contains(hit) || hit.contains(el)),
    inView: box.height > 0 && box.top >= headerBottom - 1 && box.bottom <= window.innerHeight + 1
            && box.left >= 0 && box.right <= window.innerWidth + 1,
  };
}
"""

# The colour actually behind an element: its own background, or the first ancestor's that is
# not transparent.
BACKDROP_JS = """
(el) => {
  for (let node = el; node; node = node.parentElement) {
    const colour = getComputedStyle(node).backgroundColor;
    if (colour && colour !== 'rgba(0, 0, 0, 0)' && colour !== 'transparent') return colour;
  }
  return getComputedStyle(document.documentElement).backgroundColor;
}
"""

OVERFLOW_JS = """
() => {
  const root = document.scrollingElement;
  const width = root.clientWidth;
  const culprits = [];
  if (root.scrollWidth > width) {
    for (const el of document.querySelectorAll('body *')) {
      const box = el.getBoundingClientRect();
      if (box.right > width + 1 && box.width > 0) {
        culprits.push(el.tagName.toLowerCase() + (el.className && typeof el.className === 'string'
          ? '.' + el.className.trim().split(/\\s+/).join('.') : '') + ' right=' + Math.round(box.right));
        if (culprits.length >= 8) break;
      }
    }
  }
  return {scrollWidth: root.scrollWidth, clientWidth: width, culprits: culprits};
}
"""

_ASCII_SPACE = re.compile(r"[ \t\n\r\f]+")


def squeeze(text: str) -> str:
    """White space aside: runs of ASCII white space count as one space (a no-break space
    is a character of the text, and must survive)."""
    return _ASCII_SPACE.sub(" ", text).strip()


# ---------------------------------------------------------------------------------------
# Palettes. Material keeps the reader's choice in localStorage, under "<base path>.__palette";
# setting it before any script runs gives the page in that palette from its first paint.

PALETTES = {
    "light": {
        "index": 0,
        "color": {
            "media": "(prefers-color-scheme: light)",
            "scheme": "default",
            "primary": "indigo",
            "accent": "indigo",
        },
    },
    "dark": {
        "index": 1,
        "color": {"media": "(prefers-color-scheme: dark)", "scheme": "slate", "primary": "indigo", "accent": "indigo"},
    },
}
SCHEMES = {"light": "default", "dark": "slate"}


def use_palette(browsing, site, palette: str) -> None:
    key = urlsplit(site.url).path + ".__palette"
    value = json.dumps(PALETTES[palette])
    browsing.context.add_init_script(
        f"try {{ localStorage.setItem({json.dumps(key)}, {json.dumps(value)}); }} catch (e) {{}}"
    )


def scheme_of(page) -> str | None:
    return page.evaluate("document.body.getAttribute('data-md-color-scheme')")


def screenshot_path(name: str) -> Path:
    path = ARTIFACTS / "screenshots" / f"{name}.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    return path
