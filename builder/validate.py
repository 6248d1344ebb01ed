"""Validate the loaded files and build the model from them, collecting every problem.

The schema says what each field looks like; the rules here say how the pieces fit
together: ids unique, verdicts on the scale, sources archived and unchanged, and every
quote standing verbatim in its source. Each rule is a small function; the caller only
gathers what they report. Entries that break the schema are left out of the later rules,
so one mistake is reported once, where it is.
"""

from __future__ import annotations

import difflib
import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from builder import schema
from builder.load import Document, decode_utf8
from builder.locate import NotFound, SourceIndex, spans_articles, too_short
from builder.markup import complexity_problem, convert_all, converting, link_problems
from builder.model import Article, Claim, Evidence, Project, Rating, Source, Topic, Update
from builder.problems import Location, Problem, Severity

SEEDS = "seeds"
MAX_SOURCE_BYTES = 10 * 1024 * 1024
CLAIMREVIEW_MAX = 75
"""Google's advice for ClaimReview's claimReviewed."""


@dataclass
class Context:
    """What the rules share while they run."""

    root: Path
    problems: list[Problem] = field(default_factory=list)
    unusable_sources: set[str] | None = field(default_factory=set)
    """Sources declared but left out for an error of their own (None: sources.yaml did not load),
    so that the quotes citing them are not reported as citing an unknown source as well."""
    markdown: list[tuple[Document, tuple, str]] = field(default_factory=list)
    """Markdown fields met on the way (document, path, text): their links are checked at the end,
    once every field is converted (_check_markdown)."""

    def error(self, where: Location, message: str, hint: str = "") -> None:
        self.problems.append(Problem(where, message, hint=hint))

    def warn(self, where: Location, message: str, hint: str = "") -> None:
        self.problems.append(Problem(where, message, Severity.WARNING, hint))


def build_project(
    root: Path, sources_doc: Document, claims_doc: Document, processes: int | None = None
) -> tuple[Project | None, list[Problem]]:
    ctx = Context(root)
    with converting(_markdown_texts(claims_doc), processes):
        sources = load_sources(ctx, sources_doc)
        ratings = _ratings(ctx, claims_doc)
        topics = _topics(ctx, claims_doc)
        claims = _claims(ctx, claims_doc, sources, ratings, topics)
    _check_markdown(ctx, processes)
    if any(p.severity == Severity.ERROR for p in ctx.problems):
        return None, ctx.problems
    project = Project(tuple(ratings.values()), tuple(topics.values()), tuple(sources.values()), tuple(claims))
    return project, ctx.problems


def _markdown_texts(doc: Document) -> list[str]:
    """The Markdown fields of claims.yaml, read from its data before it is validated, so that
    their conversion runs while the quotes are located (all but those Markdown would take too long
    on, which _check_markdown reports). The fields are the ones the rules below note with
    _markdown_field; one that is missed here is only converted later (a test checks)."""

    def entries(value: object) -> list[dict]:
        return [entry for entry in value if isinstance(entry, dict)] if isinstance(value, list) else []

    data = doc.data if isinstance(doc.data, dict) else {}
    texts = [rating.get("description") for rating in entries(data.get("ratings"))]
    for claim in entries(data.get("claims")):
        texts += [claim.get("summary"), claim.get("analysis")]
        texts += [entry.get("note") for entry in entries(claim.get("evidence"))]
        texts += [update.get("note") for update in entries(claim.get("updates"))]
    return [text for text in texts if isinstance(text, str) and text and not complexity_problem(text)]


def _valid_items(doc: Document, schema_name: str, key: str) -> list[tuple[int, dict]]:
    """The entries of a top-level list that the schema accepts, with their index."""
    if not isinstance(doc.data, dict):
        return []
    bad = {path[:2] for path in schema.error_paths(doc, schema_name)}
    items = doc.data.get(key)
    if not isinstance(items, list):
        return []
    return [(i, item) for i, item in enumerate(items) if isinstance(item, dict) and (key, i) not in bad]


def _unique(
    ctx: Context, doc: Document, entries: list[tuple[int, dict]], key: str, kind: str
) -> list[tuple[int, dict]]:
    """Entries whose id is not taken by an earlier one; later duplicates are reported."""
    first: dict[str, int] = {}
    kept = []
    for i, item in entries:
        ident = item["id"]
        # verdicts/index.md and topics/index.md are the lists; MkDocs serves any index.md at its folder.
        if ident == "index":
            ctx.error(
                doc.where((key, i, "id")),
                f"'index' cannot be a {kind} id: it names the list pages",
                hint="choose another id",
            )
            continue
        if ident in first:
            earlier = doc.where((key, first[ident], "id"))
            ctx.error(
                doc.where((key, i, "id")),
                f"duplicate {kind} id '{ident}' (first at line {earlier.line})",
                hint="ids must be unique: rename one of them",
            )
            continue
        first[ident] = i
        kept.append((i, item))
    return kept


def _suggest(name: str, known: list[str], what: str) -> str:
    close = difflib.get_close_matches(name, known, n=1, cutoff=0.6)
    listing = ", ".join(known) if len(known) <= 12 else ", ".join(known[:12]) + ", ..."
    return (f"did you mean '{close[0]}'? " if close else "") + f"{what}: {listing}"


# --- sources -------------------------------------------------------------------------


def load_sources(ctx: Context, doc: Document) -> dict[str, Source]:
    entries = _unique(ctx, doc, _valid_items(doc, "sources.schema.json", "sources"), "sources", "source")
    sources = {}
    for i, item in entries:
        source = _source(ctx, doc, i, item)
        if source:
            sources[source.id] = source
    declared = doc.data.get("sources") if isinstance(doc.data, dict) else None
    ctx.unusable_sources = (
        None
        if not isinstance(declared, list)
        else {item["id"] for item in declared if isinstance(item, dict) and isinstance(item.get("id"), str)}
        - set(sources)
    )
    return sources


def _source(ctx: Context, doc: Document, i: int, item: dict) -> Source | None:
    path = source_path(ctx, doc, i, item["file"])
    if path is None:
        return None
    display = f"{SEEDS}/{item['file']}"
    raw = path.read_bytes()
    digest = hashlib.sha256(raw).hexdigest()
    if digest != item["sha256"]:
        ctx.error(
            doc.where(("sources", i, "sha256")),
            f"{display} has changed since it was archived (its SHA-256 is now {digest[:12]}...)",
            hint=f"a source text must stay as received: restore it (git checkout {display});\n"
            "if the change is deliberate, run `python -m builder pin`, which also lists the quotes it breaks",
        )
    text, problem = decode_utf8(raw, display)
    if problem:
        ctx.problems.append(problem)
        return None
    if not text.strip():
        ctx.error(doc.where(("sources", i, "file")), f"{display} is empty", hint="archive the article's text in it")
        return None
    articles = _articles(ctx, doc, i, item.get("articles", []), text)
    return Source(
        id=item["id"],
        file=item["file"],
        text=text,
        title=item.get("title"),
        publisher=item.get("publisher"),
        author=item.get("author"),
        published=item.get("published"),
        url=item.get("url"),
        language=item.get("language", "fr"),
        sha256=item["sha256"],
        articles=articles,
    )


def source_path(ctx: Context, doc: Document, i: int, name: str) -> Path | None:
    """The file inside seeds/, refusing anything that leads out of it."""
    where = doc.where(("sources", i, "file"))
    seeds = ctx.root.resolve() / SEEDS  # not seeds/ resolved: seeds/ itself may be a link out of the project
    path = ctx.root / SEEDS / name
    if Path(name).is_absolute() or ".." in Path(name).parts or "/" in name or "\\" in name:
        ctx.error(
            where,
            f"'{name}' is not a file name inside {SEEDS}/",
            hint="write only the file's name, e.g. 000_6b7f4d072096dd16.txt",
        )
        return None
    if path.is_symlink() or not path.resolve().is_relative_to(seeds):
        ctx.error(
            where,
            f"{SEEDS}/{name} is a link",
            hint=f"copy the text itself into {SEEDS}/: links could lead outside the project",
        )
        return None
    if not path.is_file():
        present = sorted(p.name for p in (ctx.root / SEEDS).glob("*.txt"))
        ctx.error(where, f"file not found: {SEEDS}/{name}", hint=_suggest(name, present, f"files in {SEEDS}/"))
        return None
    if path.stat().st_size > MAX_SOURCE_BYTES:
        ctx.error(where, f"{SEEDS}/{name} is larger than {MAX_SOURCE_BYTES:,} bytes", hint="archive the article alone")
        return None
    return path


def _articles(ctx: Context, doc: Document, i: int, entries: list[dict], text: str) -> tuple[Article, ...]:
    """Where each bundled article starts: the offset of its first line."""
    line_starts: dict[str, int] = {}
    offset = 0
    for line in text.split("\n"):
        line_starts.setdefault(line.strip(), offset)
        offset += len(line) + 1
    articles = []
    for k, entry in enumerate(entries):
        start = line_starts.get(entry["first_line"].strip())
        if start is None:
            ctx.error(
                doc.where(("sources", i, "articles", k, "first_line")),
                "this line is not in the file",
                hint="copy the article's first line exactly as it stands in the text",
            )
            continue
        if articles and start <= articles[-1].start:
            ctx.error(
                doc.where(("sources", i, "articles", k, "first_line")),
                "articles must be listed in the order they appear in the file",
            )
            continue
        articles.append(Article(entry["title"], start, entry.get("author"), entry.get("published")))
    return tuple(articles)


# --- ratings and topics ------------------------------------------------------------


def _ratings(ctx: Context, doc: Document) -> dict[str, Rating]:
    entries = _unique(ctx, doc, _valid_items(doc, "claims.schema.json", "ratings"), "ratings", "rating")
    ratings: dict[str, Rating] = {}
    previous = None
    for i, item in entries:
        if previous is not None and item["value"] <= previous:
            ctx.error(
                doc.where(("ratings", i, "value")),
                f"rating values must increase from worst to best ({item['value']} after {previous})",
                hint="list the ratings from the least true to the truest, with growing values",
            )
        previous = item["value"]
        _markdown_field(ctx, doc, ("ratings", i, "description"), item["description"])
        ratings[item["id"]] = Rating(item["id"], item["label"], item["value"], item["description"])
    return ratings


def _topics(ctx: Context, doc: Document) -> dict[str, Topic]:
    entries = _unique(ctx, doc, _valid_items(doc, "claims.schema.json", "topics"), "topics", "topic")
    return {item["id"]: Topic(item["id"], item["label"]) for _, item in entries}


def _markdown_field(ctx: Context, doc: Document, path: tuple, text: str | None) -> None:
    """Note a Markdown field, for _check_markdown."""
    if text:
        ctx.markdown.append((doc, path, text))


def _check_markdown(ctx: Context, processes: int | None) -> None:
    """The links of every Markdown field. Reading them means converting the fields, which the
    pages need too: all are converted at once, shared between processes for a large site."""
    readable = []
    for doc, path, text in ctx.markdown:
        too_complex = complexity_problem(text)
        if too_complex:  # checked first: Markdown would recurse too deep or take minutes on it
            ctx.error(
                doc.where(path), too_complex, hint="simplify it: lists and quotes less deeply nested, no '[' left open"
            )
        else:
            readable.append((doc, path, text))
    convert_all([text for _, _, text in readable], processes)
    for doc, path, text in readable:
        for message in link_problems(text):
            ctx.error(doc.where(path), message, hint="links must be full addresses starting with https://")


# --- claims --------------------------------------------------------------------------


def _claims(ctx, doc, sources, ratings, topics) -> list[Claim]:
    entries = _unique(ctx, doc, _valid_items(doc, "claims.schema.json", "claims"), "claims", "claim")
    indexes = {sid: SourceIndex(source) for sid, source in sources.items()}
    claims = []
    for i, item in entries:
        claim = _claim(ctx, doc, i, item, indexes, ratings, topics)
        if claim:
            claims.append(claim)
    return claims


def _claim(ctx, doc, i, item, indexes, ratings, topics) -> Claim | None:
    at = ("claims", i)
    ok = True
    verdict = ratings.get(item["verdict"])
    if verdict is None:
        ok = False
        if ratings:  # with no valid scale, the scale's own error says it all
            ctx.error(
                doc.where((*at, "verdict")),
                f"unknown verdict '{item['verdict']}'",
                hint=_suggest(item["verdict"], list(ratings), "allowed verdicts"),
            )
    claim_topics = []
    for k, topic in enumerate(item.get("topics", [])):
        if topic not in topics:
            ok = False
            ctx.error(
                doc.where((*at, "topics", k)),
                f"unknown topic '{topic}'",
                hint=_suggest(topic, list(topics), "topics (add new ones to `topics:` at the top)"),
            )
        else:
            claim_topics.append(topics[topic])
    if len(item["claim"]) > CLAIMREVIEW_MAX and "claim_short" not in item:
        ctx.warn(
            doc.where((*at, "claim")),
            f"claim is longer than {CLAIMREVIEW_MAX} characters and has no claim_short",
            hint=f"add `claim_short:` (under {CLAIMREVIEW_MAX} characters) for search engines' fact-check listings",
        )
    if item.get("claim_date") and item["reviewed"] < item["claim_date"]:
        ok = False
        ctx.error(
            doc.where((*at, "reviewed")),
            f"reviewed ({item['reviewed']}) is before the claim was made ({item['claim_date']})",
            hint="a claim can only be reviewed after it was made: check both dates",
        )
    updates = item.get("updates", [])
    dates = [u["date"] for u in updates]
    if dates != sorted(dates, reverse=True):
        ctx.warn(
            doc.where((*at, "updates")),
            "updates are not listed newest first",
            hint="put the most recent update at the top",
        )
    for field_path in (("summary",), ("analysis",)):
        _markdown_field(ctx, doc, (*at, *field_path), item.get(field_path[0]))
    for k, update in enumerate(updates):
        _markdown_field(ctx, doc, (*at, "updates", k, "note"), update["note"])
    evidence = []
    for k, entry in enumerate(item["evidence"]):
        found = _evidence(ctx, doc, (*at, "evidence", k), item["id"], k + 1, entry, indexes)
        if found is None:
            ok = False
        else:
            evidence.append(found)
    if not ok:
        return None
    return Claim(
        id=item["id"],
        claim=item["claim"],
        verdict=verdict,
        summary=item["summary"],
        reviewed=item["reviewed"],
        evidence=tuple(evidence),
        claim_short=item.get("claim_short"),
        claimant=item.get("claimant"),
        claimant_type=item.get("claimant_type"),
        claim_date=item.get("claim_date"),
        analysis=item.get("analysis"),
        topics=tuple(claim_topics),
        updates=tuple(Update(u["date"], u["note"]) for u in updates),
    )


def _evidence(ctx, doc, at, claim_id, number, entry, indexes) -> Evidence | None:
    _markdown_field(ctx, doc, (*at, "note"), entry.get("note"))
    index = indexes.get(entry["source"])
    if index is None and (ctx.unusable_sources is None or entry["source"] in ctx.unusable_sources):
        return None  # the source's own error says why
    if index is None:
        ctx.error(
            doc.where((*at, "source")),
            f"unknown source '{entry['source']}'",
            hint=_suggest(entry["source"], sorted(indexes), "sources in seeds/sources.yaml"),
        )
        return None
    where = doc.where((*at, "quote"))
    quote, source = entry["quote"], index.source
    if too_short(quote):
        ctx.error(
            where,
            "quote too short: a quote needs at least 3 words",
            hint="quote enough of the sentence for a reader to recognise it",
        )
        return None
    result = index.locate(quote, entry.get("occurrence"))
    if isinstance(result, NotFound):
        ctx.error(
            where, f"quote not found in source '{source.id}' ({SEEDS}/{source.file})", hint=_not_found_hint(result)
        )
        return None
    if isinstance(result, int):
        ctx.error(
            doc.where((*at, "occurrence")),
            f"occurrence {entry['occurrence']} asked, but the quote stands {result} time(s) in '{source.id}'",
            hint=f"use a number from 1 to {result}",
        )
        return None
    passage = result.passage
    if result.occurrences > 1 and "occurrence" not in entry:
        lines = ", ".join(str(line) for line in index.lines_of(quote))
        ctx.warn(
            where,
            f"quote found {result.occurrences} times in '{source.id}' (lines {lines}); the first is used",
            hint="add `occurrence: N` to say which one you mean (1 = the first)",
        )
    straddled = spans_articles(source, passage)
    if straddled:
        ctx.error(
            where,
            f"quote runs across two articles of '{source.id}': '{straddled[0].title}' and '{straddled[1].title}'",
            hint="quote from one article only",
        )
        return None
    return Evidence(
        claim_id, number, source, quote, entry["stance"], passage, entry.get("occurrence"), entry.get("note")
    )


def _not_found_hint(result: NotFound) -> str:
    if not result.closest:
        return "copy the passage from the source text exactly"
    return (
        f"closest passage (line {result.line}, {result.similarity:.0f}% similar):\n"
        f"  {result.closest}\n"
        f"differences, [-your words-] {{+the source's+}}:\n"
        f"  {result.differences}\n"
        "copy the passage from the source exactly (apostrophes, spaces and quotation marks may differ)"
    )
