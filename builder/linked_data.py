"""Fact-checks as data: schema.org ClaimReview (and a DataFeed of them), and the evidence
as W3C Web Annotations.

Only what the editors wrote goes in: an unknown claimant or date is left out, never
filled with a guess (SPEC section 6).
"""

from __future__ import annotations

from builder.markup import plain_text
from builder.model import Claim, Evidence, Project
from builder.settings import Settings

STANCE_BODY = {
    "supports": "Ce passage confirme l'affirmation",
    "contradicts": "Ce passage contredit l'affirmation",
    "context": "Ce passage donne du contexte à l'affirmation",
}
CONTEXT_LENGTH = 32
"""Characters of prefix and suffix in a TextQuoteSelector: enough to tell occurrences apart."""


def claim_url(settings: Settings, claim: Claim) -> str:
    return settings.url(f"claims/{claim.id}/")


def source_url(settings: Settings, source_id: str) -> str:
    return settings.url(f"sources/{source_id}/")


def claim_review(project: Project, claim: Claim, settings: Settings) -> dict:
    item_reviewed: dict = {"@type": "Claim"}
    if claim.claimant:
        author = {"name": claim.claimant}
        if claim.claimant_type:
            author = {"@type": claim.claimant_type.capitalize(), **author}
        item_reviewed["author"] = author
    if claim.claim_date:
        item_reviewed["datePublished"] = claim.claim_date
    appearances = [_appearance(settings, e) for e in _first_per_source(claim.evidence) if e.stance == "supports"]
    if appearances:
        item_reviewed["appearance"] = appearances
    return {
        "@context": "https://schema.org",
        "@type": "ClaimReview",
        "url": claim_url(settings, claim),
        "claimReviewed": claim.headline,
        "datePublished": claim.reviewed,
        "author": {"@type": "Organization", "name": settings.organisation, "url": settings.site_url},
        "reviewRating": {
            "@type": "Rating",
            "ratingValue": claim.verdict.value,
            "bestRating": project.scale[1],
            "worstRating": project.scale[0],
            "alternateName": claim.verdict.label,
            "ratingExplanation": plain_text(claim.summary),
        },
        "itemReviewed": item_reviewed,
        "inLanguage": "fr",
    }


def _first_per_source(evidence: tuple[Evidence, ...]) -> list[Evidence]:
    seen, out = set(), []
    for item in evidence:
        if item.source.id not in seen:
            seen.add(item.source.id)
            out.append(item)
    return out


def _appearance(settings: Settings, evidence: Evidence) -> dict:
    """Where the claim appears: the source article, as far as its metadata is known."""
    source, article = evidence.source, evidence.passage.article
    work: dict = {"@type": "CreativeWork", "url": source.url or source_url(settings, source.id)}
    headline = article.title if article else source.title
    published = (article.published if article else None) or source.published
    author = (article.author if article else None) or source.author
    if headline:
        work["headline"] = headline
    if published:
        work["datePublished"] = published
    if author:
        work["author"] = {"name": author}
    if source.publisher:
        work["publisher"] = {"@type": "Organization", "name": source.publisher}
    return work


def data_feed(project: Project, settings: Settings, reviews: list[dict]) -> dict:
    modified = max((c.reviewed for c in project.claims), default=None)
    feed = {
        "@context": "https://schema.org",
        "@type": "DataFeed",
        "name": f"{settings.site_name} : vérifications (ClaimReview)",
        "url": settings.url("claimreview.json"),
        "inLanguage": "fr",
        "dataFeedElement": [
            {"@type": "DataFeedItem", "dateModified": r["datePublished"], "item": _without_context(r)} for r in reviews
        ],
    }
    if modified:
        feed["dateModified"] = modified
    return feed


def _without_context(review: dict) -> dict:
    """A ClaimReview inside the feed, which carries the @context once for all."""
    return {key: value for key, value in review.items() if key != "@context"}


def annotations(project: Project, settings: Settings) -> dict:
    items = [_annotation(settings, claim, evidence) for claim in project.claims for evidence in claim.evidence]
    collection_id = settings.url("annotations.jsonld")
    return {
        "@context": "http://www.w3.org/ns/anno.jsonld",
        "id": collection_id,
        "type": "AnnotationCollection",
        "label": f"{settings.site_name} : passages cités",
        "total": len(items),
        "first": {"id": collection_id + "#page-1", "type": "AnnotationPage", "startIndex": 0, "items": items},
    }


def _annotation(settings: Settings, claim: Claim, evidence: Evidence) -> dict:
    text, passage = evidence.source.text, evidence.passage
    return {
        "id": settings.url(f"annotations.jsonld#{evidence.anchor}"),
        "type": "Annotation",
        "motivation": "assessing",
        "body": [
            {
                "type": "TextualBody",
                "purpose": "assessing",
                "value": f"{STANCE_BODY[evidence.stance]} « {claim.headline} » (verdict : {claim.verdict.label}).",
                "format": "text/plain",
                "language": "fr",
            },
            # The model forbids `purpose` on an external resource: a SpecificResource carries it.
            {"type": "SpecificResource", "source": claim_url(settings, claim), "purpose": "linking"},
        ],
        "target": {
            "type": "SpecificResource",
            "source": source_url(settings, evidence.source.id),
            "selector": [
                {
                    "type": "TextQuoteSelector",
                    "exact": passage.text,
                    "prefix": text[max(0, passage.start - CONTEXT_LENGTH) : passage.start],
                    "suffix": text[passage.end : passage.end + CONTEXT_LENGTH],
                },
                {"type": "TextPositionSelector", "start": passage.start, "end": passage.end},
            ],
        },
    }
