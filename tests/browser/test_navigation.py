"""A reader's path through the site: home, a claim, the highlighted passage in its source;
the filters with and without JavaScript; the source text shown whole and unaltered."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from .support import BACKDROP_JS, IN_VIEW_JS, NARROW_PHONE, PHONE, ROOT, squeeze

pytestmark = pytest.mark.browser


def _claim_id(href: str) -> str:
    parts = [p for p in urlsplit(href).path.split("/") if p]
    assert len(parts) >= 2 and parts[-2] == "claims", href
    return parts[-1]


def _assert_verdict_at_once(page, claim: dict, project) -> None:
    """The verdict is written out in the first screenful, without scrolling."""
    label = {r["id"]: r["label"] for r in project.ratings}[claim["verdict"]]
    badge = page.locator(f".verdict-panel .verdict.verdict--{claim['verdict']}")
    expect(badge).to_have_text(label)
    box = badge.evaluate(IN_VIEW_JS)
    assert box["inView"] and box["onTop"], f"verdict badge not in the first screenful: {box}"


def test_home_claim_source_passage(page, site, project):
    page.goto(site.url)
    cards = page.locator(".claim-list .claim-card")
    expect(cards).to_have_count(len(project.claims))

    link = cards.first.locator(".claim-card__title a")
    claim_id = _claim_id(link.evaluate("a => a.href"))
    claim = next(c for c in project.claims if c["id"] == claim_id)
    link.click()
    page.wait_for_url(site.at(f"claims/{claim_id}/"))
    _assert_verdict_at_once(page, claim, project)

    # The last quote of the page: its passage is the least likely to sit at the top of the
    # source, so arriving on it means the page really scrolled there.
    evidence = page.locator("blockquote.evidence a.evidence-link")
    expect(evidence).to_have_count(len(claim["evidence"]))
    target = evidence.last
    href = target.evaluate("a => a.href")
    anchor = urlsplit(href).fragment
    assert anchor.startswith(f"c-{claim_id}-"), href
    target.click()
    page.wait_for_url(href)

    mark = page.locator(f"mark#{anchor}")
    expect(mark).to_have_count(1)
    page.wait_for_function(f"() => ({IN_VIEW_JS})(document.getElementById({anchor!r})).inView")
    box = mark.evaluate(IN_VIEW_JS)
    assert box["inView"] and box["onTop"], f"highlighted passage not in view: {box}"

    marked = mark.evaluate("el => getComputedStyle(el).backgroundColor")
    plain = page.locator(".source-text").evaluate(BACKDROP_JS)
    assert marked not in ("rgba(0, 0, 0, 0)", "transparent", plain), (marked, plain)
    # The passage the reader came for stands out from the other highlighted ones.
    others = page.evaluate(
        """(anchor) => [...document.querySelectorAll('mark.citation')]
             .filter(m => m.dataset.citation !== anchor
                          && !m.querySelector(`mark[data-citation="${anchor}"]`)
                          && !m.closest(`mark[data-citation="${anchor}"]`))
             .map(m => getComputedStyle(m).backgroundColor)""",
        anchor,
    )
    assert marked not in others


@pytest.mark.parametrize("viewport", [PHONE, NARROW_PHONE], ids=["375", "320"])
def test_claim_verdict_at_once_on_a_phone(open_context, site, project, viewport):
    page = open_context(viewport=viewport).new_page()
    for claim in project.claims:
        page.goto(site.at(f"claims/{claim['id']}/"))
        _assert_verdict_at_once(page, claim, project)


def _filter_case(project, kind):
    """A verdict (or topic) that some claims have and others do not, and those claims' ids."""
    if kind == "verdict":
        groups = {r["id"]: {c["id"] for c in project.claims_with_verdict(r["id"])} for r in project.ratings}
    else:
        groups = {}
        for claim in project.claims:
            for topic in claim.get("topics", []):
                groups.setdefault(topic, set()).add(claim["id"])
    for value, ids in sorted(groups.items(), key=lambda item: -len(item[1])):
        if 0 < len(ids) < len(project.claims):
            return value, ids
    pytest.fail(f"no {kind} splits the claims: the filter cannot be tested on this data")


@pytest.mark.parametrize("kind", ["verdict", "topic"])
def test_filter_in_place_with_javascript(page, site, project, kind):
    value, expected = _filter_case(project, kind)
    page.goto(site.url)
    button = page.locator(f'a.filter[data-filter="{kind}"][data-value="{value}"]')
    expect(button).to_have_attribute("aria-pressed", "false")
    button.click()
    expect(button).to_have_attribute("aria-pressed", "true")
    assert page.url == site.url, "the filter must work in place"
    cards = page.locator(".claim-list .claim-card")
    shown = set()
    for i in range(cards.count()):
        card = cards.nth(i)
        claim_id = _claim_id(card.locator(".claim-card__title a").evaluate("a => a.href"))
        if card.is_visible():
            shown.add(claim_id)
    assert shown == expected
    assert page.locator('a.filter[aria-pressed="true"]').count() == 1
    expect(page.locator('.filters [role="status"]')).to_contain_text(str(len(expected)))

    button.click()  # again: everything back
    expect(button).to_have_attribute("aria-pressed", "false")
    expect(page.locator(".claim-list .claim-card:visible")).to_have_count(len(project.claims))


@pytest.mark.parametrize("kind", ["verdict", "topic"])
def test_filter_is_a_link_without_javascript(open_context, site, project, kind):
    value, expected = _filter_case(project, kind)
    page = open_context(java_script_enabled=False).new_page()
    page.goto(site.url)
    button = page.locator(f'a.filter[data-filter="{kind}"][data-value="{value}"]')
    assert button.get_attribute("aria-pressed") is None
    button.click()
    folder = "verdicts" if kind == "verdict" else "topics"
    page.wait_for_url(site.at(f"{folder}/{value}/"))
    links = page.locator(".claim-list .claim-card .claim-card__title a")
    listed = {_claim_id(links.nth(i).evaluate("a => a.href")) for i in range(links.count())}
    assert listed == expected


def test_source_text_is_the_source_file(page, site, project):
    mismatches = []
    for source in project.sources:
        page.goto(site.at(f"sources/{source['id']}/"))
        shown = page.locator(".source-text").evaluate("el => el.textContent")
        original = (ROOT / "seeds" / source["file"]).read_text(encoding="utf-8")
        if squeeze(shown) != squeeze(original):
            a, b = squeeze(shown), squeeze(original)
            at = next((i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), min(len(a), len(b)))
            mismatches.append(
                f"{source['id']}: differs at {at}: page {a[at - 40 : at + 40]!r} vs file {b[at - 40 : at + 40]!r}"
            )
        # Back-links are drawn by CSS: they add no text, yet each shows its label and has an
        # accessible name.
        unshown = page.evaluate("""() => [...document.querySelectorAll('.source-text a.cited-by')]
            .filter(a => !a.getAttribute('aria-label')
                         || !getComputedStyle(a, '::after').content.includes(a.dataset.label || '\\u0000'))
            .map(a => a.outerHTML.slice(0, 120))""")
        if unshown:
            mismatches.append(f"{source['id']}: back-links without a visible label or a name: {unshown}")
    assert not mismatches, "\n".join(mismatches)
