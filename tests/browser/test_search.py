"""Material's search (lunr, French, in a web worker) finds a claim by a word of it."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def _distinctive_word(project) -> tuple[str, str]:
    """A long word of one claim that no other claim uses: (claim id, word)."""

    def words(text):
        return {w.lower() for w in re.findall(r"[^\W\d_]{7,}", text)}

    for claim in project.claims:
        others = set().union(*(words(c["claim"]) for c in project.claims if c is not claim))
        own = sorted(words(claim["claim"]) - others, key=lambda w: (-len(w), w))
        if own:
            return claim["id"], own[0]
    pytest.fail("no claim has a word of its own to search for")


def test_search_finds_a_claim(page, site, project):
    claim_id, word = _distinctive_word(project)
    page.goto(site.url)
    page.locator("input.md-search__input").click()  # in the header at desktop width
    field = page.locator("input.md-search__input")
    expect(field).to_be_focused()
    field.press_sequentially(word, delay=20)
    hit = page.locator(f".md-search-result__item a.md-search-result__link[href*='/claims/{claim_id}/']")
    expect(hit.first).to_be_visible(timeout=15_000)
    hit.first.click()
    page.wait_for_url(re.compile(re.escape(site.at(f"claims/{claim_id}/"))))
