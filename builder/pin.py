"""Re-pin the SHA-256 of the source texts: `python -m builder pin`.

A changed source file is an error (SPEC section 2), so when a change is deliberate the
recorded fingerprints must follow. seeds/sources.yaml is an editors' file full of comments
that justify each piece of metadata, so it is never re-serialized: only the characters of
each `sha256` value are replaced, at the place the loader recorded, and everything else
stays byte for byte. The edited text is read back with the builder's own loader before it
replaces the file: if anything but those values would change, nothing is written.

Re-pinning can break quotes (the text they were taken from changed), so the caller then
runs the whole check and lists them.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

from builder import pipeline
from builder.load import Document, load_yaml
from builder.problems import Location, Problem, Report
from builder.textedit import line_of, line_starts, read_text, replace_checked
from builder.validate import SEEDS, Context, source_path

_BLOCK_LINE_START = re.compile(r"[ ]*(?:-[ ]+)*")
_PLAIN_END = re.compile(r"[^\r\n\x85\u2028\u2029]*?(?=[ \t]+#|[ \t]*(?:[\r\n\x85\u2028\u2029]|\Z))")
"""A one-line plain scalar in a block mapping: up to a comment or the end of the line."""
_FLOW_PLAIN_END = re.compile(r"[^\r\n\x85\u2028\u2029,\]}]*?(?=[ \t]+#|[ \t]*(?:[,\]}\r\n\x85\u2028\u2029]|\Z))")
"""The same in a flow mapping `{...}`, where `,` `]` `}` end it too."""
_DOUBLE_QUOTED = re.compile(r'"(?:[^"\\\n]|\\.)*"')
_SINGLE_QUOTED = re.compile(r"'(?:[^'\n]|'')*'")


@dataclass(frozen=True)
class Repinned:
    file: str
    """The source file, as `seeds/<name>`."""
    old: str | None
    """The value that was recorded (None when there was none)."""
    new: str
    line: int
    """Line of the value in seeds/sources.yaml, after the edit."""


@dataclass
class PinResult:
    repinned: list[Repinned] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    """Why seeds/sources.yaml could not be edited; when there are any, nothing was written."""


@dataclass
class Outcome:
    """A pin, then the check of the whole project with the new fingerprints."""

    pin: PinResult
    report: Report | None = None
    broken_quotes: list[Problem] = field(default_factory=list)
    """The check's errors located at a quote (or its occurrence) of claims.yaml."""


def pin_and_check(root: Path) -> Outcome:
    outcome = Outcome(pin(root))
    if outcome.pin.problems:
        return outcome
    _, outcome.report = pipeline.check(root)
    claims, _ = load_yaml(root / pipeline.CLAIMS, pipeline.CLAIMS)
    quote_places = {
        where
        for path, where in claims.values.items()
        if path[:1] == ("claims",) and path[-1:] in (("quote",), ("occurrence",))
    }
    outcome.broken_quotes = [p for p in outcome.report.errors if p.location in quote_places]
    return outcome


def pin(root: Path) -> PinResult:
    """Record the SHA-256 of every readable source file; write sources.yaml only if one changed."""
    result = PinResult()
    target = root / pipeline.SOURCES
    doc, problems = load_yaml(target, pipeline.SOURCES)
    if problems:
        result.problems = problems
        return result
    text, bom = read_text(target)
    starts = line_starts(text)
    entries = doc.data.get("sources") if isinstance(doc.data, dict) else None
    changes: list[tuple[tuple[int, int, str], str, str | None, str]] = []  # (edit, file, old, new)
    expected = doc.data  # what the edited file must read as: the same data, new digests
    for i, item in enumerate(entries if isinstance(entries, list) else []):
        if not isinstance(item, dict) or not isinstance(item.get("file"), str):
            continue
        # The check reports files that are missing, outside seeds/ or links; pin only skips them.
        path = source_path(Context(root), doc, i, item["file"])
        if path is None:
            continue
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        old = item.get("sha256")
        if old == digest:
            continue
        edit = (
            _replace_value(text, starts, doc, i, digest)
            if "sha256" in item
            else _insert_line(text, starts, doc, i, digest)
        )
        if isinstance(edit, Problem):
            result.problems.append(edit)
            continue
        changes.append((edit, f"{SEEDS}/{item['file']}", old if isinstance(old, str) else None, digest))
        item["sha256"] = digest
    if result.problems or not changes:
        return result
    changes.sort(key=lambda change: change[0][0])
    for (start, end, replacement), *_ in reversed(changes):  # from the end: earlier offsets stay valid
        text = text[:start] + replacement + text[end:]
    if not replace_checked(target, bom + text, pipeline.SOURCES, expected):
        result.problems.append(
            Problem(
                Location(pipeline.SOURCES),
                "could not re-pin the sha256 values in place; nothing was written",
                hint="write `sha256: <the file's sha256sum>` in each entry by hand",
            )
        )
        return result
    shift = 0
    for (start, end, replacement), file, old, new in changes:
        at = start + shift + replacement.startswith("\n")  # a line added at the very end
        result.repinned.append(Repinned(file, old, new, line_of(text, at)))
        shift += len(replacement) - (end - start)
    return result


def _offset(starts: list[int], where: Location) -> int:
    return starts[where.line - 1] + where.column - 1


def _scalar_end(text: str, start: int, flow: bool) -> int:
    """End of the one-line scalar that begins at `start` (quoted, or plain in block or flow style)."""
    plain = _FLOW_PLAIN_END if flow else _PLAIN_END
    pattern = {'"': _DOUBLE_QUOTED, "'": _SINGLE_QUOTED}.get(text[start : start + 1], plain)
    match = pattern.match(text, start)
    return match.end() if match else start


def _hex_scalar(digest: str, quote: str = "") -> str:
    """The digest as YAML text that reads back as a string (all digits would read as a number)."""
    if not quote and (digest.isdigit() or re.fullmatch(r"[0-9]+[eE][0-9]+", digest)):
        quote = '"'
    return f"{quote}{digest}{quote}"


def _replace_value(text: str, starts: list[int], doc: Document, i: int, digest: str) -> tuple[int, int, str]:
    where = doc.values[("sources", i, "sha256")]
    start = _offset(starts, where)
    end = _scalar_end(text, start, flow=text[_offset(starts, doc.values[("sources", i)])] == "{")
    quote = text[start] if text[start : start + 1] in ("'", '"') else ""
    replacement = _hex_scalar(digest, quote)
    if start == end and text[start - 1 : start] == ":":  # `sha256:` with no value
        replacement = " " + replacement
    return start, end, replacement


def _insert_line(text: str, starts: list[int], doc: Document, i: int, digest: str) -> tuple[int, int, str] | Problem:
    """A `sha256:` line right after the `file:` line, at the entry's indentation."""
    key = doc.keys[("sources", i, "file")]
    value = doc.values[("sources", i, "file")]
    line_start = starts[key.line - 1]
    before_key = text[line_start : _offset(starts, key)]
    if value.line != key.line or not _BLOCK_LINE_START.fullmatch(before_key):
        return Problem(
            key,
            "cannot add the missing sha256 to this entry automatically",
            hint=f"add it to the entry by hand: sha256: {digest}",
        )
    if key.line == len(starts):  # the last line, without a line break at its end
        return len(text), len(text), f"\n{' ' * (key.column - 1)}sha256: {_hex_scalar(digest)}"
    next_line = starts[key.line]
    newline = "\r\n" if text[next_line - 2 : next_line] == "\r\n" else "\n"
    return next_line, next_line, f"{' ' * (key.column - 1)}sha256: {_hex_scalar(digest)}{newline}"
