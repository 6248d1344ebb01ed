"""ClaimReview, its DataFeed and the annotation export, checked against the published rules.

The rules (SPEC section 6, after Google's ClaimReview documentation and schema.org): exactly one
ClaimReview per claim; the required fields present; the rating inside the documented scale, with
the verdict's label as alternateName; urls on this site; claimReviewed short and free of the
rating; and no field with a value the editors did not write.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import yaml

from builder import linked_data, pipeline
from builder.load import load_yaml
from builder.render import render
from builder.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
SETTINGS = Settings(
    site_url="https://verif.example.org/kim-poutine/", site_name="Vérif test", organisation="Vérif test"
)
VOCABULARY = {
    "https://schema.org",
    "ClaimReview",
    "Rating",
    "Claim",
    "Organization",
    "Person",
    "CreativeWork",
    "DataFeed",
    "DataFeedItem",
    "fr",
}


@pytest.fixture(scope="module")
def project():
    found, report = pipeline.check(ROOT)
    assert found is not None, "\n".join(report.lines(github=False))
    return found


def _strings(value) -> list[str]:
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)] + [k for k in value if not k.startswith("@")]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return [value] if isinstance(value, str) else []


def _editor_strings(root: Path) -> set[str]:
    """Every text the editors wrote, in either file."""
    texts = set()
    for name in ("claims.yaml", "seeds/sources.yaml"):
        doc, problems = load_yaml(root / name, name)  # the builder's loader: dates stay text
        assert not problems
        texts.update(_strings(doc.data))
    return texts


def test_every_claim_has_a_complete_claim_review(project):
    values = sorted(r.value for r in project.ratings)
    for claim in project.claims:
        review = linked_data.claim_review(project, claim, SETTINGS)
        assert review["@context"] == "https://schema.org"
        assert review["@type"] == "ClaimReview"
        assert review["url"] == f"{SETTINGS.site_url}claims/{claim.id}/"
        assert review["datePublished"] == claim.reviewed
        assert review["author"] == {"@type": "Organization", "name": SETTINGS.organisation, "url": SETTINGS.site_url}
        rating = review["reviewRating"]
        assert rating["@type"] == "Rating"
        assert (rating["worstRating"], rating["bestRating"]) == (values[0], values[-1])
        assert rating["worstRating"] <= rating["ratingValue"] <= rating["bestRating"]
        assert rating["alternateName"] == claim.verdict.label
        assert review["itemReviewed"]["@type"] == "Claim"


def test_claim_reviewed_is_short_and_carries_no_rating(project):
    labels = [r.label.lower() for r in project.ratings]
    for claim in project.claims:
        reviewed = linked_data.claim_review(project, claim, SETTINGS)["claimReviewed"]
        assert reviewed in (claim.claim, claim.claim_short)
        assert len(reviewed) < 75, f"{claim.id}: claimReviewed has {len(reviewed)} characters"
        assert not any(f" {label} " in f" {reviewed.lower().rstrip('.')} " for label in labels), reviewed


def test_every_url_is_on_this_site(project):
    for claim in project.claims:
        review = linked_data.claim_review(project, claim, SETTINGS)
        urls = [s for s in _strings(review) if s.startswith(("http://", "https://")) and s != "https://schema.org"]
        assert urls, claim.id
        for url in urls:
            assert url.startswith(SETTINGS.site_url), url


def test_no_value_is_invented(project):
    """Every leaf value comes from the editors' files, the site settings, the rating scale or the
    schema.org vocabulary; nothing else (no guessed author, date or url)."""
    from builder.markup import plain_text

    allowed = _editor_strings(ROOT) | VOCABULARY | {SETTINGS.organisation, SETTINGS.site_url}
    allowed |= {plain_text(c.summary) for c in project.claims}
    allowed |= {f"{SETTINGS.site_url}claims/{c.id}/" for c in project.claims}
    allowed |= {f"{SETTINGS.site_url}sources/{s.id}/" for s in project.sources}
    allowed |= {a.title for s in project.sources for a in s.articles}
    keys = {
        "url",
        "claimReviewed",
        "datePublished",
        "author",
        "name",
        "reviewRating",
        "ratingValue",
        "bestRating",
        "worstRating",
        "alternateName",
        "ratingExplanation",
        "itemReviewed",
        "appearance",
        "headline",
        "publisher",
        "inLanguage",
    }
    for claim in project.claims:
        review = linked_data.claim_review(project, claim, SETTINGS)
        for text in _strings(review):
            assert text in allowed or text in keys, f"{claim.id}: {text!r} comes from nowhere"


def test_unknown_claimant_and_date_are_left_out(tmp_path):
    for name in ("claims.yaml", "mkdocs.yml"):
        shutil.copy(ROOT / name, tmp_path / name)
    shutil.copytree(ROOT / "seeds", tmp_path / "seeds")
    data = yaml.safe_load((tmp_path / "claims.yaml").read_text(encoding="utf-8"))
    target = data["claims"][0]
    target.pop("claimant", None)
    target.pop("claimant_type", None)
    target.pop("claim_date", None)
    # Our own loader keeps dates as text; safe_load made them dates: write them back as text.
    (tmp_path / "claims.yaml").write_text(
        yaml.safe_dump(json.loads(json.dumps(data, default=str)), allow_unicode=True), encoding="utf-8"
    )
    found, report = pipeline.check(tmp_path)
    assert found is not None, "\n".join(report.lines(github=False))
    claim = next(c for c in found.claims if c.id == target["id"])
    item = linked_data.claim_review(found, claim, SETTINGS)["itemReviewed"]
    assert item == {"@type": "Claim", **({"appearance": item["appearance"]} if "appearance" in item else {})}
    page = render(found, SETTINGS)[f"claims/{claim.id}.md"]
    assert "auteur inconnu" in page and "date inconnue" in page


def test_data_feed_holds_every_claim_review(project):
    reviews = [linked_data.claim_review(project, c, SETTINGS) for c in project.claims]
    feed = linked_data.data_feed(project, SETTINGS, reviews)
    assert feed["@context"] == "https://schema.org" and feed["@type"] == "DataFeed"
    assert feed["url"] == SETTINGS.site_url + "claimreview.json"
    items = feed["dataFeedElement"]
    assert len(items) == len(project.claims)
    for element, review in zip(items, reviews, strict=True):
        assert element["@type"] == "DataFeedItem"
        assert element["item"] == {k: v for k, v in review.items() if k != "@context"}
    assert feed["dateModified"] == max(c.reviewed for c in project.claims)


def test_built_files_are_valid_json_with_one_item_per_claim_and_quote(project):
    pages = render(project, SETTINGS)
    feed = json.loads(pages["claimreview.json"])
    annotations = json.loads(pages["annotations.jsonld"])
    assert len(feed["dataFeedElement"]) == len(project.claims)
    assert annotations["total"] == len(annotations["first"]["items"]) == sum(len(c.evidence) for c in project.claims)
    for claim in project.claims:
        meta = yaml.safe_load(pages[f"claims/{claim.id}.md"].split("---\n")[1])
        assert json.loads(meta["claimreview"]) == linked_data.claim_review(project, claim, SETTINGS)
