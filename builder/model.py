"""The records of a fact-check site: ratings, topics, sources, claims and their evidence."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

STANCES = ("supports", "contradicts", "context")


@dataclass(frozen=True)
class Rating:
    id: str
    label: str
    value: int
    """Higher is truer (ClaimReview's convention)."""
    description: str


@dataclass(frozen=True)
class Topic:
    id: str
    label: str


@dataclass(frozen=True)
class Article:
    """One article of a source file that bundles several."""

    title: str
    start: int
    """Offset in the source text of its first line."""
    author: str | None = None
    published: str | None = None


@dataclass(frozen=True)
class Source:
    id: str
    file: str
    text: str
    """The file's content, exactly as archived."""
    title: str | None = None
    publisher: str | None = None
    author: str | None = None
    published: str | None = None
    url: str | None = None
    language: str = "fr"
    sha256: str = ""
    articles: tuple[Article, ...] = ()

    @cached_property  # shown beside every quote of the source: split the text once
    def display_title(self) -> str:
        """The title, or for an untitled text its opening words: what the text itself says,
        never a made-up headline."""
        if self.title:
            return self.title
        if self.articles:
            return f"Recueil de {len(self.articles)} articles, le premier : {self.articles[0].title}"
        words = self.text.split()
        opening = " ".join(words[:8]) + ("…" if len(words) > 8 else "")
        return f"Sans titre : « {opening} »"

    def article_at(self, offset: int) -> Article | None:
        found = None
        for article in self.articles:
            if article.start <= offset:
                found = article
        return found


@dataclass(frozen=True)
class Passage:
    """Where a quote stands in its source: original offsets, end excluded."""

    start: int
    end: int
    text: str
    """The source's own text for the quote, with its typography."""
    article: Article | None = None


@dataclass(frozen=True)
class Evidence:
    claim_id: str
    number: int
    """1-based position in the claim's evidence list: part of stable anchors."""
    source: Source
    quote: str
    stance: str
    passage: Passage
    occurrence: int | None = None
    note: str | None = None

    @property
    def anchor(self) -> str:
        """Id of the highlighted passage on the source page."""
        return f"c-{self.claim_id}-{self.number}"

    @property
    def claim_anchor(self) -> str:
        """Id of this piece of evidence on the claim page."""
        return f"preuve-{self.number}"


@dataclass(frozen=True)
class Update:
    date: str
    note: str


@dataclass(frozen=True)
class Claim:
    id: str
    claim: str
    verdict: Rating
    summary: str
    reviewed: str
    evidence: tuple[Evidence, ...]
    claim_short: str | None = None
    claimant: str | None = None
    claimant_type: str | None = None
    claim_date: str | None = None
    analysis: str | None = None
    topics: tuple[Topic, ...] = ()
    updates: tuple[Update, ...] = ()

    @property
    def headline(self) -> str:
        """The claim as short as the editors wrote it: for titles and ClaimReview."""
        return self.claim_short or self.claim

    @property
    def newest_first(self) -> tuple:
        """Sort key, descending: the latest fact-checks first; among those reviewed the same
        day, the latest claims first, then the claims of unknown date."""
        return (self.reviewed, self.claim_date or "", self.id)


@dataclass(frozen=True)
class Project:
    """Everything the pages are made from, validated and with every quote located."""

    ratings: tuple[Rating, ...]
    topics: tuple[Topic, ...]
    sources: tuple[Source, ...]
    claims: tuple[Claim, ...]

    @cached_property
    def scale(self) -> tuple[int, int]:
        """The worst and the best rating values (each page and each ClaimReview states them)."""
        values = [rating.value for rating in self.ratings]
        return min(values), max(values)
