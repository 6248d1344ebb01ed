"""The real site, built with MkDocs, against the DOM contract (SPEC section 5, contract "Built
site"). Marked `slow`; the site is built once per session by tests/test_roundtrip.py's
`build_real_site` (a temporary copy of the project, `mkdocs build --strict`, SITE_URL fixed).

What the pages must carry is read from claims.yaml and seeds/sources.yaml with PyYAML, not
from the builder: a page per claim and per source at its stable URL, one verdict badge, and
exactly one ClaimReview in the head of each claim page (and none anywhere else).
"""

from __future__ import annotations

import json

import pytest
from test_roundtrip import SITE_URL, build_real_site, claims_of, load_yaml, page, page_file, sources_of

pytestmark = pytest.mark.slow


@pytest.fixture(scope="session")
def real_site(tmp_path_factory):
    return build_real_site(tmp_path_factory.getbasetemp())  # cached: the same build as test_roundtrip's


def ratings_of(root) -> dict[str, dict]:
    return {r["id"]: r for r in load_yaml(root / "claims.yaml")["ratings"]}


def claim_reviews(tree) -> list[tuple[str, dict]]:
    """Every JSON-LD object with @type ClaimReview on a page, with where it stands."""
    found = []
    for script in tree.css('script[type="application/ld+json"]'):
        data = json.loads(script.text())
        items = data if isinstance(data, list) else [data]
        found += [(script.parent.tag, item) for item in items if item.get("@type") == "ClaimReview"]
    return found


def test_every_claim_and_source_has_its_page(real_site):
    claims, sources = claims_of(real_site.root), sources_of(real_site.root)
    assert len(claims) >= 3 and len(sources) == 5
    for claim in claims:
        assert (real_site.site / "claims" / claim["id"] / "index.html").is_file(), claim["id"]
    for sid in sources:
        assert (real_site.site / "sources" / sid / "index.html").is_file(), sid
    # and no page for a claim or source that does not exist
    assert {p.name for p in (real_site.site / "claims").iterdir() if p.is_dir()} == {c["id"] for c in claims}
    assert {p.name for p in (real_site.site / "sources").iterdir() if p.is_dir()} == set(sources)


def test_each_claim_page_has_exactly_one_claimreview_in_its_head(real_site):
    ratings = ratings_of(real_site.root)
    scale = sorted(r["value"] for r in ratings.values())
    for claim in claims_of(real_site.root):
        reviews = claim_reviews(page(page_file(real_site.site, f"claims/{claim['id']}/")))
        assert len(reviews) == 1, f"{claim['id']}: {len(reviews)} ClaimReview"
        ((where, review),) = reviews
        assert where == "head"
        assert review["@context"] == "https://schema.org"
        assert review["url"] == f"{SITE_URL}claims/{claim['id']}/"
        assert review["claimReviewed"] == claim.get("claim_short", claim["claim"])
        assert review["datePublished"] == str(claim["reviewed"])
        rating = ratings[claim["verdict"]]
        assert review["reviewRating"]["ratingValue"] == rating["value"]
        assert review["reviewRating"]["alternateName"] == rating["label"]
        assert (review["reviewRating"]["worstRating"], review["reviewRating"]["bestRating"]) == (scale[0], scale[-1])
        assert review["itemReviewed"]["@type"] == "Claim"
        if "claimant" not in claim:
            assert "author" not in review["itemReviewed"]
        if "claim_date" not in claim:
            assert "datePublished" not in review["itemReviewed"]


def test_no_other_page_carries_a_claimreview(real_site):
    claim_pages = {page_file(real_site.site, f"claims/{c['id']}/") for c in claims_of(real_site.root)}
    others = [p for p in real_site.site.rglob("*.html") if p not in claim_pages]
    assert len(others) > len(claim_pages)
    for path in others:
        assert claim_reviews(page(path)) == [], path.relative_to(real_site.site)


def test_claim_pages_show_their_verdict_badge(real_site):
    ratings = ratings_of(real_site.root)
    for claim in claims_of(real_site.root):
        tree = page(page_file(real_site.site, f"claims/{claim['id']}/"))
        badges = tree.css(f".verdict-panel span.verdict.verdict--{claim['verdict']}")
        assert len(badges) == 1, claim["id"]
        assert badges[0].text().strip() == ratings[claim["verdict"]]["label"]
        assert tree.css_first("article h1").text().rstrip("¶").strip() == " ".join(claim["claim"].split())


def test_home_lists_every_claim_newest_first(real_site):
    """One card per claim with its verdict badge; the latest fact-checks first and, among
    those reviewed the same day, the latest claims first, claims of unknown date last."""
    claims = claims_of(real_site.root)
    tree = page(real_site.site / "index.html")
    (listing,) = tree.css(".claim-list")
    cards = listing.css(".claim-card")
    assert len(cards) == len(claims)
    links = [c.css_first("a").attributes["href"] for c in cards]
    assert sorted(links) == sorted(f"claims/{c['id']}/" for c in claims)
    by_id = {c["id"]: c for c in claims}
    shown = [by_id[link.split("/")[1]] for link in links]
    dates = [(str(c["reviewed"]), str(c.get("claim_date", ""))) for c in shown]
    assert dates == sorted(dates, reverse=True)
    for card, claim in zip(cards, shown, strict=True):
        assert card.attributes["data-verdict"] == claim["verdict"]
        assert len(card.css(f"span.verdict.verdict--{claim['verdict']}")) == 1
