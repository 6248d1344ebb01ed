"""Phone widths without horizontal scrolling, and screenshots of the main pages to look at
(tests/artifacts/screenshots/, desktop and phone, light and dark)."""

from __future__ import annotations

import pytest

from .support import (
    DESKTOP,
    IN_VIEW_JS,
    NARROW_PHONE,
    OVERFLOW_JS,
    PHONE,
    SCHEMES,
    scheme_of,
    screenshot_path,
    use_palette,
)

pytestmark = pytest.mark.browser


def _paths(project):
    paths = ["", "matrix/", "methodology/", "timeline/", "verdicts/"]
    paths += [f"claims/{claim['id']}/" for claim in project.claims]
    paths += [f"sources/{source['id']}/" for source in project.sources]
    return paths


@pytest.mark.parametrize("viewport", [PHONE, NARROW_PHONE], ids=["375", "320"])
def test_no_horizontal_scrolling_on_a_phone(open_context, site, project, viewport):
    page = open_context(viewport=viewport).new_page()
    wide = []
    for path in _paths(project):
        page.goto(site.at(path))
        sizes = page.evaluate(OVERFLOW_JS)
        if sizes["scrollWidth"] > sizes["clientWidth"]:
            wide.append(f"/{path}: {sizes['scrollWidth']} > {sizes['clientWidth']}: {sizes['culprits']}")
    assert not wide, "\n".join(wide)


def _deep_passage(project):
    """The cited passage that sits furthest into its source text (by the quote's position
    in the file), so that the screenshot shows a page scrolled to it."""
    from .support import ROOT

    best = None
    files = {s["id"]: (ROOT / "seeds" / s["file"]).read_text(encoding="utf-8") for s in project.sources}
    for claim in project.claims:
        for n, evidence in enumerate(claim["evidence"], start=1):
            text = files[evidence["source"]]
            first_words = " ".join(evidence["quote"].split()[:3])
            at = text.find(first_words)
            if best is None or at > best[0]:
                best = (at, evidence["source"], f"c-{claim['id']}-{n}")
    return best[1], best[2]


@pytest.mark.parametrize("palette", ["light", "dark"])
@pytest.mark.parametrize("width", ["desktop", "phone"])
def test_screenshots(open_context, site, project, palette, width):
    browsing = open_context(viewport=DESKTOP if width == "desktop" else PHONE)
    use_palette(browsing, site, palette)
    page = browsing.new_page()
    source, anchor = _deep_passage(project)
    claim = project.claims[0]
    shots = {
        "home": "",
        "claim": f"claims/{claim['id']}/",
        "matrix": "matrix/",
        "methodology": "methodology/",
    }
    for name, path in shots.items():
        page.goto(site.at(path))
        assert scheme_of(page) == SCHEMES[palette]
        target = screenshot_path(f"{name}-{width}-{palette}")
        page.screenshot(path=str(target), full_page=True, animations="disabled")
        assert target.stat().st_size > 5_000

    # What a reader sees on arriving from a quote: the viewport, scrolled to the passage.
    page.goto(site.at(f"sources/{source}/#{anchor}"))
    page.wait_for_function(f"() => ({IN_VIEW_JS})(document.getElementById({anchor!r})).inView")
    page.screenshot(path=str(screenshot_path(f"source-{width}-{palette}-at-mark")), animations="disabled")
    page.screenshot(path=str(screenshot_path(f"source-{width}-{palette}")), full_page=True, animations="disabled")
