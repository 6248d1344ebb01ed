"""Scaffold a new claim at the end of claims.yaml: `python -m builder new`.

The entry is appended as text, never by re-serializing the file, so the editors' comments
and layout stay byte for byte. Before anything is written, the file as it would become is
checked by the builder itself (loader, schema, rules, and the quote located in its source),
so the messages are the ones `check` prints; then the text is read back and must give
exactly the intended entry, or nothing is written. The file is replaced atomically.

What only an editor can write is left out on purpose: `summary` always, and `verdict`
unless given. The schema requires both, so `check`, `build` and `mkdocs build` fail on the
entry until they are written: an unfinished fact-check cannot be published. A comment line
marks the place of each, saying what to write. (A placeholder value would be worse: any
value that reads as valid, such as "À RÉDIGER", would publish as it stands.)
"""

from __future__ import annotations

import datetime
import re
import tempfile
import unicodedata
from collections.abc import Callable
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field, fields, replace
from pathlib import Path

import yaml

from builder import pipeline, schema
from builder.load import Document, load_yaml
from builder.model import STANCES
from builder.problems import Location, Problem, Report, Severity
from builder.textedit import LINE_BREAK, line_starts, read_text, replace_checked
from builder.validate import Context, build_project, load_sources

SLUG_WORDS = 6
SLUG_MAX = 60
REQUIRED = ("claim", "source", "quote", "stance")
ASKED = ("claim", "claimant", "source", "quote", "stance", "verdict")
"""Asked for in this order when missing and stdin is a terminal; `id` and the dates have defaults."""
ROUNDS = 5
"""How many times a refused answer is asked again before giving up."""

_ELISION = re.compile(r"\b(?:[cdjlmnst]|qu|jusqu|lorsqu|puisqu)['’]", re.IGNORECASE)
# Letters that Unicode does not decompose into a base letter and an accent.
_LIGATURES = str.maketrans(
    {"œ": "oe", "Œ": "OE", "æ": "ae", "Æ": "AE", "ß": "ss", "ø": "o", "Ø": "O", "ł": "l", "Ł": "L", "đ": "d", "Đ": "D"}
)
_BIDI = re.compile("[\u202a-\u202e\u2066-\u2069]")


@dataclass
class Answers:
    """What the editor gave, by option name; None when not given."""

    claim: str | None = None
    claimant: str | None = None
    source: str | None = None
    quote: str | None = None
    stance: str | None = None
    verdict: str | None = None
    id: str | None = None
    date: str | None = None
    """The review date (`reviewed`); today when not given."""
    claim_date: str | None = None


OPTIONS = tuple(f.name for f in fields(Answers))


@dataclass(frozen=True)
class Question:
    name: str
    """The option it answers."""
    prompt: str
    choices: tuple[str, ...] = ()
    optional: bool = False
    """An empty answer leaves the field out."""


@dataclass
class Added:
    id: str
    line: int
    """Line of the new entry in claims.yaml."""
    todo: list[tuple[str, str]]
    """(field, what to write) for the fields the editor must still write."""
    warnings: list[Problem] = field(default_factory=list)


@dataclass
class Refused:
    problems: list[Problem]
    """Located at the option at fault (`--quote: error: ...`), or in claims.yaml when the file itself is the problem."""
    fields: tuple[str, ...] = ()
    """The options at fault: what an interactive session asks again."""


Ask = Callable[[Question, list[Problem]], str]
"""Asks one question (showing the problems of the previous answer) and returns the reply."""


def option(name: str) -> str:
    return "--" + name.replace("_", "-")


def slug(text: str, taken: AbstractSet[str] = frozenset()) -> str:
    """An id from a claim: no accents, lowercase, hyphens, its first words; unique among `taken`."""
    text = _ELISION.sub(" ", text).translate(_LIGATURES)
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii").lower()
    base = "-".join(re.findall(r"[a-z0-9]+", ascii_text)[:SLUG_WORDS]) or "affirmation"
    if len(base) > SLUG_MAX:
        base = base[:SLUG_MAX].rsplit("-", 1)[0] if "-" in base[:SLUG_MAX] else base[:SLUG_MAX]
    candidate, n = base, 2
    while candidate in taken:
        candidate, n = f"{base}-{n}", n + 1
    return candidate


def missing(answers: Answers) -> list[str]:
    return [name for name in REQUIRED if not (getattr(answers, name) or "").strip()]


def questions(root: Path, answers: Answers) -> list[Question]:
    """The questions for what `answers` leaves out, in the order an editor thinks of them."""
    every = _questions(_documents(root))
    return [every[name] for name in ASKED if getattr(answers, name) is None]


def _questions(docs) -> dict[str, Question]:
    sources_ids, rating_ids, _ = _ids(docs)
    return {
        "claim": Question("claim", "Claim, as it was made (one line)"),
        "claimant": Question("claimant", "Who made it (empty if the sources do not say)", optional=True),
        "source": Question("source", "Source id (seeds/sources.yaml)", tuple(sources_ids)),
        "quote": Question("quote", "Quote, copied from the source"),
        "stance": Question("stance", "What the quote does to the claim", STANCES),
        "verdict": Question("verdict", "Verdict (empty to decide later)", tuple(rating_ids), optional=True),
        "id": Question("id", "Id (lowercase letters, digits and hyphens)"),
        "date": Question("date", "Review date (YYYY-MM-DD)"),
        "claim_date": Question("claim_date", "Date of the claim (YYYY-MM-DD, empty if unknown)", optional=True),
    }


def add(root: Path, answers: Answers, ask: Ask | None = None, today: datetime.date | None = None) -> Added | Refused:
    """Append a claim built from `answers`, asking for what is missing when `ask` is given."""
    answers = replace(answers)
    if ask:
        for question in questions(root, answers):
            setattr(answers, question.name, _ask(ask, question, []))
    result = _attempt(root, answers, today or datetime.date.today())
    for _ in range(ROUNDS):
        if isinstance(result, Added) or not ask or not result.fields:
            break
        every = _questions(_documents(root))
        for name in result.fields:
            shown = [p for p in result.problems if p.location.file == option(name)]
            setattr(answers, name, _ask(ask, every[name], shown))
        result = _attempt(root, answers, today or datetime.date.today())
    return result


def _ask(ask: Ask, question: Question, problems: list[Problem]) -> str | None:
    while True:
        reply = ask(question, problems).strip()
        if reply or question.optional:
            return reply or None
        problems = []


# --- one attempt -----------------------------------------------------------------------------


def _documents(root: Path) -> tuple[Document, Document, Report]:
    report = Report()
    sources_doc, claims_doc = pipeline.load_documents(root, report)
    return sources_doc, claims_doc, report


def _ids(docs) -> tuple[list[str], list[str], set[str]]:
    """Source ids, rating ids and claim ids, as far as the files can be read."""
    sources_doc, claims_doc, _ = docs

    def ids(data, key):
        items = data.get(key) if isinstance(data, dict) else None
        return [item["id"] for item in items or [] if isinstance(item, dict) and isinstance(item.get("id"), str)]

    return ids(sources_doc.data, "sources"), ids(claims_doc.data, "ratings"), set(ids(claims_doc.data, "claims"))


def _attempt(root: Path, answers: Answers, today: datetime.date) -> Added | Refused:
    absent = missing(answers)
    if absent:
        return Refused(
            [
                Problem(
                    Location(option(name)),
                    "required, and not given",
                    hint=f'give it on the command line: {option(name)} "..."\n'
                    "(`new` asks for what is missing only when run in a terminal)",
                )
                for name in absent
            ],
            tuple(absent),
        )
    target = root / pipeline.CLAIMS
    docs = _documents(root)
    sources_doc, claims_doc, report = docs
    if claims_doc.data is None and (report.errors or not target.is_file()):
        loading = [p for p in report.errors if p.location.file == pipeline.CLAIMS]
        return Refused(
            loading
            + [
                Problem(
                    Location(pipeline.CLAIMS),
                    "cannot add a claim to a file that does not load",
                    hint="fix its problems first (python -m builder check lists them)",
                )
            ]
        )
    refused = _unusable_source(root, sources_doc, report, answers.source)
    if refused:
        return refused
    sources_ids, rating_ids, claim_ids = _ids(docs)
    entry = {"id": answers.id or slug(answers.claim, claim_ids), "claim": answers.claim}
    for name in ("claimant", "claim_date", "verdict"):
        if getattr(answers, name):
            entry[name] = getattr(answers, name)
    entry["reviewed"] = answers.date or today.isoformat()
    entry["evidence"] = [{"source": answers.source, "quote": answers.quote, "stance": answers.stance}]

    text, bom = read_text(target)
    place = _insertion(text, claims_doc)
    if isinstance(place, Problem):
        return Refused([place])
    todo = [("summary", "the conclusion in one to three sentences, in Markdown")]
    if "verdict" not in entry:
        todo.insert(0, ("verdict", "one of " + (", ".join(rating_ids) or "the ids in `ratings`")))

    # The entry as it will stand, and the same with stand-in values for what the editor must
    # still write (one line each, so both have the same line numbers): the rules run on the
    # second, since an entry that breaks the schema is not looked at any further.
    final_text, first, owners = _insert(text, place, _entry_lines(entry, place, todo, None))
    stand_in = {"summary": "-", "verdict": rating_ids[0] if rating_ids else "x"}
    checked_text, _, _ = _insert(text, place, _entry_lines(entry, place, todo, stand_in))
    problems = _check_text(root, sources_doc, bom + checked_text)
    last = first + len(owners) - 1
    mine = [p for p in problems if p.location.file == pipeline.CLAIMS and first <= p.location.line <= last]
    errors = [p for p in mine if p.severity == Severity.ERROR]
    if errors:
        at_fault = [owners[p.location.line - first] for p in errors]
        relocated = [replace(p, location=Location(option(name))) for p, name in zip(errors, at_fault, strict=True)]
        return Refused(relocated, tuple(dict.fromkeys(at_fault)))

    expected = dict(claims_doc.data or {})
    expected["claims"] = [*(expected.get("claims") or []), entry]
    if not replace_checked(target, bom + final_text, pipeline.CLAIMS, expected):
        return Refused(
            [
                Problem(
                    Location(pipeline.CLAIMS),
                    "the new entry did not read back as written; nothing was written",
                    hint="add the entry by hand, and report this as a bug of `python -m builder new`",
                )
            ]
        )
    return Added(entry["id"], first, todo, [p for p in mine if p.severity == Severity.WARNING])


def _unusable_source(root: Path, sources_doc: Document, report: Report, source_id: str) -> Refused | None:
    """A refusal when the source exists but cannot be read: the rules would then skip the quote
    in silence (its source's error says it all for `check`), but `new` must check it now."""
    ctx = Context(root)
    usable = load_sources(ctx, sources_doc)
    if source_id in usable or (ctx.unusable_sources is not None and source_id not in ctx.unusable_sources):
        return None  # usable, or unknown: the rules say which sources there are
    theirs = [
        p for p in report.errors + ctx.problems if p.location.file != pipeline.CLAIMS and p.severity == Severity.ERROR
    ]
    why = (
        "seeds/sources.yaml does not load"
        if ctx.unusable_sources is None
        else f"source '{source_id}' has errors of its own"
    )
    return Refused(
        [
            *theirs,
            Problem(
                Location(option("source")),
                f"{why}, so the quote cannot be checked against it",
                hint="fix them first (python -m builder check lists them)",
            ),
        ],
        ("source",) if ctx.unusable_sources is not None else (),
    )


# --- text ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Place:
    offset: int
    """Where the entry's text goes."""
    dash: int
    """Indentation of the list's `-`."""
    key: int
    """Indentation of an entry's keys."""
    newline: str
    add_key: bool = False
    """The file has no `claims:` yet."""
    first_entry: bool = False
    """The list is empty: the entry goes right under `claims:`, without a blank line."""


def _insertion(text: str, doc: Document) -> _Place | Problem:
    """After the last entry of the `claims:` list, with the list's own indentation."""
    newline = "\r\n" if "\r\n" in text else "\n"
    starts = line_starts(text)
    if doc.data is not None and not isinstance(doc.data, dict):
        return Problem(doc.where(()), "claims.yaml must be a mapping of fields (ratings:, claims:, ...)")
    data = doc.data or {}
    if "claims" not in data:
        return _Place(_before_trailing_comments(text, starts, len(starts)), 2, 4, newline, add_key=True)
    key = doc.keys[("claims",)]
    value = doc.values[("claims",)]
    claims = data["claims"]
    first_entry = claims is None
    if claims is None:  # `claims:` with nothing under it yet
        dash, key_indent = key.column + 1, key.column + 3
    elif isinstance(claims, list) and claims and text[starts[value.line - 1] + value.column - 1] == "-":
        dash = value.column - 1
        first = doc.values.get(("claims", 0))
        key_indent = first.column - 1 if isinstance(claims[0], dict) and first.line == value.line else dash + 2
    else:
        return Problem(
            value,
            "`new` can only append to a block list of claims (one `- id: ...` entry after another)",
            hint="write `claims:` as a block list, or add the entry by hand",
        )
    later = [where.line for path, where in doc.keys.items() if len(path) == 1 and where.line > key.line]
    end_line = min(later) - 1 if later else len(starts)
    return _Place(_before_trailing_comments(text, starts, end_line), dash, key_indent, newline, first_entry=first_entry)


def _before_trailing_comments(text: str, starts: list[int], end_line: int) -> int:
    """The start of line `end_line + 1`, moved up over the blank lines and column-0 comments
    just before it: those introduce what follows (or close the file), not the last claim."""
    line = end_line
    while line > 1:
        content = text[starts[line - 1] : starts[line] if line < len(starts) else len(text)]
        if content.strip() and not content.startswith("#"):
            break
        line -= 1
    return starts[line] if line < len(starts) else len(text)


def _scalar(value: str) -> str:
    """A double-quoted YAML scalar on one line; bidi controls escaped so the file shows them."""
    dumped = yaml.safe_dump(value, default_style='"', allow_unicode=True, width=2**31 - 1).rstrip("\n")
    assert "\n" not in dumped, dumped
    return _BIDI.sub(lambda m: f"\\u{ord(m.group()):04X}", dumped)


def _entry_lines(
    entry: dict, place: _Place, todo: list[tuple[str, str]], stand_in: dict | None
) -> list[tuple[str, str | None]]:
    """(line, option it comes from) for each line of the entry."""
    pad, dash = " " * place.key, " " * place.dash
    notes = dict(todo)

    def placeholder(name: str) -> tuple[str, str]:
        if stand_in is not None:
            return f"{pad}{name}: {_scalar(stand_in[name])}", name
        return f"{pad}# TODO {name} (required, the check fails without it): {notes[name]}", name

    lines = [
        (f"{dash}- {' ' * (place.key - place.dash - 2)}id: {_scalar(entry['id'])}", "id"),
        (f"{pad}claim: {_scalar(entry['claim'])}", "claim"),
    ]
    for name in ("claimant", "claim_date"):
        if name in entry:
            lines.append((f"{pad}{name}: {_scalar(entry[name])}", name))
    lines.append(
        (f"{pad}verdict: {_scalar(entry['verdict'])}", "verdict") if "verdict" in entry else placeholder("verdict")
    )
    lines.append(placeholder("summary"))
    lines.append((f"{pad}reviewed: {_scalar(entry['reviewed'])}", "date"))
    lines.append((f"{pad}evidence:", "source"))
    evidence = entry["evidence"][0]
    lines += [
        (f"{pad}  - source: {_scalar(evidence['source'])}", "source"),
        (f"{pad}    quote: {_scalar(evidence['quote'])}", "quote"),
        (f"{pad}    stance: {_scalar(evidence['stance'])}", "stance"),
    ]
    return lines


def _insert(text: str, place: _Place, lines: list[tuple[str, str | None]]) -> tuple[str, int, list[str | None]]:
    """The new text, the line number of the entry's first line, and the owner of each of its lines."""
    nl = place.newline
    head, tail = text[: place.offset], text[place.offset :]
    if head and not head.endswith(("\n", "\r")):
        head += nl
    block = "".join(line + nl for line, _ in lines)
    if place.add_key:
        block = "claims:" + nl + block
    if head.strip() and not head.endswith(nl + nl) and not place.first_entry:
        block = nl + block  # a blank line between claims, as editors write them
    if tail.strip() and not tail.startswith(nl):
        block += nl
    new = head + block + tail
    first = len(LINE_BREAK.findall(head + block[: block.index(lines[0][0])])) + 1
    return new, first, [owner for _, owner in lines]


# --- checking and writing --------------------------------------------------------------------


def _check_text(root: Path, sources_doc: Document, text: str) -> list[Problem]:
    """Every problem `check` would report with this text as claims.yaml."""
    with tempfile.TemporaryDirectory(prefix="builder-new-") as folder:
        path = Path(folder) / "claims.yaml"
        path.write_bytes(text.encode("utf-8"))
        doc, problems = load_yaml(path, pipeline.CLAIMS)
    if problems:
        return problems
    problems = schema.check(doc, "claims.schema.json")
    return problems + build_project(root, sources_doc, doc)[1]
