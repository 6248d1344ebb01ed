"""Load the editors' YAML safely, keeping the line and column of every key and value.

The data is built from PyYAML's parser events (libyaml when present), not with a YAML
constructor: nothing is ever instantiated from a tag, a mapping with a key written twice is
an error instead of silently keeping the last value, and aliases are refused, so a
"billion laughs" file costs nothing. Scalars follow the YAML 1.2 core schema, as editors'
tools (yaml-language-server) do: `no` stays a string, and dates stay text (validated later),
so that an impossible date is reported with its place instead of crashing the loader.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from yaml.events import (
    AliasEvent,
    DocumentStartEvent,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
)

from builder.problems import Location, Problem

try:
    _Loader = yaml.CSafeLoader
except AttributeError:  # PyYAML built without libyaml: the same events, only slower
    _Loader = yaml.SafeLoader

MAX_FILE_BYTES = 64 * 1024 * 1024
"""Ten times the size of 10,000 claims: beyond it, a file is a mistake or an attack."""
MAX_DEPTH = 32
MAX_NODES = 2_000_000
"""Memory grows with the values read (some 170 bytes each, 370 MB at this limit), not with the
bytes: a real file at MAX_FILE_BYTES holds about 1.3 million (one per 49 bytes in the
benchmark's claims), but `[1,1,1,...]` is one per 2 bytes."""
MAX_PROBLEMS = 100
"""Beyond this, the rest of the file is not read: thousands of aliases or duplicate keys say
nothing more than a hundred, and each problem costs memory."""

Path_ = tuple  # a path into the data: keys and list indexes, as jsonschema reports them

_CORE_TAGS = {f"tag:yaml.org,2002:{t}" for t in ("str", "int", "float", "bool", "null", "seq", "map")}
_ALLOWED_TAGS = {None, "!", *_CORE_TAGS}
_INT = re.compile(r"[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+")
_FLOAT = re.compile(r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?|[-+]?\.(inf|Inf|INF)|\.(nan|NaN|NAN)")
_NUMBER_STARTS = frozenset("-+.0123456789")
"""The first characters of every value _INT and _FLOAT match."""
_KEYWORDS = {
    **dict.fromkeys(("", "~", "null", "Null", "NULL"), None),
    **dict.fromkeys(("true", "True", "TRUE"), True),
    **dict.fromkeys(("false", "False", "FALSE"), False),
}


class Places(Mapping):
    """The location of each path, made into a Location only when read.

    10,000 claims have half a million places, and a run reads few of them: a Location for each
    made up a third of the loading time. Each is kept as one int, `line << 32 | column` (counted
    from 0, as the parser does), because the garbage collector ignores ints: it scanned the
    parser's marks or tuples over and over, while loading and for the rest of the run."""

    def __init__(self, file: str):
        self.file = file
        self.packed: dict[Path_, int] = {}

    def __getitem__(self, path: Path_) -> Location:
        packed = self.packed[path]
        return Location(self.file, (packed >> 32) + 1, (packed & 0xFFFF_FFFF) + 1)

    def __contains__(self, path: object) -> bool:
        return path in self.packed

    def __iter__(self) -> Iterator[Path_]:
        return iter(self.packed)

    def __len__(self) -> int:
        return len(self.packed)


@dataclass
class Document:
    """A loaded YAML file: plain Python data, and where each piece stands in the file."""

    file: str
    data: object = None
    values: Places = field(init=False)
    """Location of the value at each path."""
    keys: Places = field(init=False)
    """Location of the key whose value is at that path (mapping entries only)."""
    invalid: set[Path_] | None = None
    """Paths of the values that break the schema, once it has been checked (schema.check)."""

    def __post_init__(self) -> None:
        self.values = Places(self.file)
        self.keys = Places(self.file)

    def where(self, path: Path_, key: bool = False) -> Location:
        """The closest known location of a path: itself, or its nearest parent."""
        table = self.keys if key else self.values
        path = tuple(path)
        while path:
            if path in table:
                return table[path]
            path = path[:-1]
        return self.values.get((), Location(self.file, 1, 1))


class _Refused(Exception):
    """A problem after which the rest of the file cannot be read."""

    def __init__(self, location: Location, message: str, hint: str = ""):
        self.problem = Problem(location, message, hint=hint)


def load_yaml(path: Path, display: str) -> tuple[Document, list[Problem]]:
    """Read and parse one YAML file; `display` is the name used in messages."""
    doc = Document(display)
    try:
        size = path.stat().st_size
    except OSError as error:
        return doc, [Problem(Location(display), f"cannot read the file: {error.strerror}")]
    if not path.is_file():
        kind = "a folder" if path.is_dir() else "not a regular file"
        return doc, [
            Problem(Location(display), f"expected a YAML file, found {kind}", hint="move it away and put the file here")
        ]
    if size > MAX_FILE_BYTES:
        return doc, [
            Problem(
                Location(display),
                f"file too large ({size:,} bytes; the limit is {MAX_FILE_BYTES:,})",
                hint="split the content or check that the file is the one you meant",
            )
        ]
    raw = path.read_bytes()
    text, problem = decode_utf8(raw, display)
    if problem:
        return doc, [problem]
    builder = _Builder(display, doc)
    try:
        loader = _Loader(text)
        try:  # yaml.parse's loop without its generator: some 4 % of the time at 10,000 claims
            doc.data = builder.document(iter(loader.get_event, None))
        finally:
            loader.dispose()
    except _Refused as refused:
        return doc, [*builder.problems, refused.problem]
    except yaml.MarkedYAMLError as error:
        return doc, [_syntax_problem(display, error)]
    except yaml.reader.ReaderError as error:  # a character YAML refuses: no mark, but a position
        return doc, [_reader_problem(display, text, error)]
    except yaml.YAMLError as error:  # no mark: still located at the file
        return doc, [Problem(Location(display), f"invalid YAML: {error}")]
    return doc, builder.problems


def decode_utf8(raw: bytes, display: str) -> tuple[str, Problem | None]:
    """Text of a file, or a problem that says where the first byte that is not UTF-8 stands."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        before = raw[: error.start]
        line = before.count(b"\n") + 1
        column = len(before[before.rfind(b"\n") + 1 :].decode("utf-8", "replace")) + 1
        return "", Problem(
            Location(display, line, column),
            f"the file is not UTF-8 (byte 0x{raw[error.start]:02x})",
            hint="save it as UTF-8 (in most editors: 'Save with encoding' > UTF-8)",
        )
    return text.removeprefix("\ufeff"), None


def _reader_problem(display: str, text: str, error: yaml.reader.ReaderError) -> Problem:
    # libyaml counts the position in bytes of the UTF-8 text; the pure-Python reader, in characters.
    if _Loader is yaml.SafeLoader:
        before = text[: error.position]
    else:
        before = text.encode("utf-8")[: error.position].decode("utf-8", "replace")
    line, column = before.count("\n") + 1, len(before) - before.rfind("\n")
    return Problem(
        Location(display, line, column),
        f"invalid YAML: character U+{error.character:04X} is not allowed",
        hint="remove it: YAML allows no control characters other than tabs and line breaks",
    )


def _syntax_problem(display: str, error: yaml.MarkedYAMLError) -> Problem:
    mark = error.problem_mark or error.context_mark
    message = " ".join(part for part in (error.context, error.problem) if part)
    hint = "check the indentation and the punctuation of this line and the one above"
    if error.problem and "mapping values are not allowed" in error.problem:
        hint = 'a value containing ": " must be quoted: key: "text: with a colon"'
    elif error.problem and "found character '\\t'" in error.problem:
        hint = "YAML does not allow tabs for indentation: use spaces"
    return Problem(Location(display, mark.line + 1, mark.column + 1), f"invalid YAML: {message}", hint=hint)


class _Builder:
    """Turns parser events into data, recording locations on the way."""

    def __init__(self, display: str, doc: Document):
        self.display = display
        self.problems: list[Problem] = []
        self.nodes = 0
        self.doc = doc
        self.values = doc.values.packed
        self.keys = doc.keys.packed

    def report(self, event, message: str, hint: str) -> None:
        self.problems.append(Problem(self.where(event), message, hint=hint))
        if len(self.problems) >= MAX_PROBLEMS:
            raise _Refused(self.where(event), f"{MAX_PROBLEMS} problems: the rest of the file is not read")

    def where(self, event) -> Location:
        return Location(self.display, event.start_mark.line + 1, event.start_mark.column + 1)

    def document(self, events) -> object:
        self.events = events
        data = None
        documents = 0
        for event in events:
            if type(event) is DocumentStartEvent:
                documents += 1
                if documents > 1:
                    raise _Refused(
                        self.where(event), "several YAML documents in one file", hint="remove the '---' line"
                    )
                data = self.node(next(events), (), 0)
        return data

    def node(self, event, path: Path_, depth: int) -> object:
        if depth > MAX_DEPTH:
            raise _Refused(self.where(event), f"nesting deeper than {MAX_DEPTH} levels")
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise _Refused(
                self.where(event),
                f"more than {MAX_NODES:,} values in one file",
                hint="split the content or check that the file is the one you meant",
            )
        self.values[path] = _packed(event.start_mark)
        kind = type(event)
        if kind is AliasEvent:
            self.report(event, f"YAML aliases (*{event.anchor}) are not allowed", "write the value out in full")
            return None
        if event.tag not in _ALLOWED_TAGS:
            # Only reported: the value is still read as plain data, never instantiated.
            shown = event.tag.replace("tag:yaml.org,2002:", "!!")
            self.report(
                event,
                f"YAML tag {shown} is not allowed",
                "remove the tag: only plain values, lists and mappings are read",
            )
        if kind is ScalarEvent:
            return _scalar(event)
        if kind is SequenceStartEvent:
            items = []
            for event in self.events:
                if type(event) is SequenceEndEvent:
                    return items
                items.append(self.node(event, (*path, len(items)), depth + 1))
        if kind is MappingStartEvent:
            return self.mapping(path, depth)
        raise _Refused(self.where(event), f"unexpected YAML construct ({kind.__name__})")

    def mapping(self, path: Path_, depth: int) -> dict:
        result: dict = {}
        events = self.events
        for event in events:
            if type(event) is MappingEndEvent:
                return result
            if type(event) is not ScalarEvent:
                raise _Refused(self.where(event), "a key must be a plain word, not a list or a mapping")
            # Keys are names: `2023: x`, `true: x` or `null: x` keep their text.
            key = event.value
            here = (*path, key)
            if key in result:
                self.report(
                    event,
                    f"duplicate key '{key}' (first at line {self.doc.keys[here].line})",
                    "YAML would silently keep only the last one: merge them or remove one",
                )
                self.node(next(events), (*here, "(duplicate)"), depth + 1)
                continue
            self.keys[here] = _packed(event.start_mark)
            result[key] = self.node(next(events), here, depth + 1)
        return result


def _packed(mark) -> int:
    """A parser mark as Places keeps it."""
    return mark.line << 32 | mark.column


def _scalar(event) -> object:
    value = event.value
    if event.style or event.tag == "tag:yaml.org,2002:str":  # quoted or block: always text
        return value
    if value[:1] not in _NUMBER_STARTS:  # most values: no need to try the regexes
        return _KEYWORDS.get(value, value)
    if _INT.fullmatch(value):
        return int(value, 0) if value[:2] in ("0o", "0x") else int(value)
    if _FLOAT.fullmatch(value) and value not in (".", "-.", "+."):
        return float(value.lower().replace(".inf", "inf").replace(".nan", "nan"))
    return value
