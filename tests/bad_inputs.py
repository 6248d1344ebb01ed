"""The bad inputs of SPEC section 8, as one table for the CLI tests and the schema tests.

Each case breaks one thing in a copy of tests/fixtures/mini (a valid project: 2 sources, 2
claims) and states the exact lines `check` must print. Positions in those lines are found in
the broken file from the text they must point at, so every expected line is exact, and still
right if the fixture is edited.
"""

from __future__ import annotations

import hashlib
import re
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from builder.load import Document, load_yaml

MINI = Path(__file__).resolve().parent / "fixtures" / "mini"
CLAIMS = "claims.yaml"
SOURCES = "seeds/sources.yaml"
ANNONCE = "seeds/pont-annonce.txt"
DEMENTI = "seeds/pont-dementi.txt"

SLUG_HINT = (
    "an id uses only lowercase letters a-z, digits and single hyphens (no accents, spaces or capitals), "
    "e.g. aide-satellites"
)
FILE_HINT = "a file name inside seeds/, without folders, e.g. 000_6b7f4d072096dd16.txt"
UTF8_HINT = "save it as UTF-8 (in most editors: 'Save with encoding' > UTF-8)"
LINK_HINT = "links must be full addresses starting with https://"


def broken_documents(case: Case, folder: Path) -> list[tuple[str, Document]]:
    """A copy of the mini fixture in `folder`, broken as `case` says; each of its two YAML files
    that still loads, with its document."""
    root = folder / "mini"
    shutil.copytree(MINI, root)
    case.breaks(root)
    loaded = [(name, *load_yaml(root / name, name)) for name in (CLAIMS, SOURCES)]
    return [(name, doc) for name, doc, problems in loaded if not problems]


def edit(root: Path, name: str, old: str, new: str) -> None:
    """Replace the one occurrence of `old` in a file of the project."""
    path = root / name
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{old!r} stands {text.count(old)} times in {name}"
    path.write_text(text.replace(old, new), encoding="utf-8")


def at(root: Path, name: str, needle: str, nth: int = 1, plus: int = 0) -> str:
    """`name:line:column` of the first character of the nth `needle` in the file (plus `plus`
    characters), as editors count."""
    text = (root / name).read_text(encoding="utf-8")
    offset = -1
    for _ in range(nth):
        offset = text.find(needle, offset + 1)
        assert offset != -1, f"{needle!r} is not in {name} {nth} times"
    line = text.count("\n", 0, offset) + 1
    column = offset - (text.rfind("\n", 0, offset) + 1) + 1 + plus
    return f"{name}:{line}:{column}"


def line(root: Path, name: str, needle: str) -> int:
    return int(at(root, name, needle).split(":")[1])


def sha256(root: Path, name: str) -> str:
    return hashlib.sha256((root / name).read_bytes()).hexdigest()


def repin(root: Path, name: str) -> None:
    """Record a source file's new SHA-256 by hand, so that only the other problem remains."""
    entry = {ANNONCE: "    sha256: 18532a2a", DEMENTI: "    sha256: 581bb04f"}[name]
    text = (root / SOURCES).read_text(encoding="utf-8")
    old = re.search(re.escape(entry) + "[0-9a-f]*", text).group()
    edit(root, SOURCES, old, f"    sha256: {sha256(root, name)}")


@dataclass(frozen=True)
class Case:
    id: str
    breaks: Callable[[Path], None]
    expected: Callable[[Path], str]
    """The problem lines `check` prints for the broken project (before its summary line)."""
    schema: str | None = None
    """The file whose JSON Schema alone rejects the broken input (None: the loader or the rules do)."""

    def __str__(self) -> str:
        return self.id


def _write_bytes(name: str, data: Callable[[Path], bytes]) -> Callable[[Path], None]:
    def write(root: Path) -> None:
        (root / name).write_bytes(data(root))

    return write


def _alias_bomb(root: Path) -> None:
    laughs = ", ".join(["lol"] * 9)
    bomb = f"lol1: &a [{laughs}]\nlol2: &b [{', '.join(['*a'] * 9)}]\nlol3: &c [{', '.join(['*b'] * 9)}]\n"
    with open(root / CLAIMS, "a", encoding="utf-8") as file:
        file.write(bomb)


def _alias_lines(root: Path) -> str:
    text = (root / CLAIMS).read_text(encoding="utf-8")
    lines = []
    for match in re.finditer(r"\*([ab])(?=[,\]])", text):
        line = text.count("\n", 0, match.start()) + 1
        column = match.start() - (text.rfind("\n", 0, match.start()) + 1) + 1
        lines.append(f"{CLAIMS}:{line}:{column}: error: YAML aliases (*{match.group(1)}) are not allowed")
        lines.append("    write the value out in full")
    return "\n".join(lines)


def _symlink_out(root: Path) -> None:
    (root / "seeds" / "dehors.txt").symlink_to(root / CLAIMS)
    edit(root, SOURCES, "file: pont-annonce.txt", "file: dehors.txt")


def _not_utf8_source(root: Path) -> None:
    path = root / DEMENTI
    path.write_bytes(path.read_text(encoding="utf-8").encode("latin-1", "replace"))
    repin(root, DEMENTI)


def _empty_source(root: Path) -> None:
    (root / DEMENTI).write_bytes(b"")
    repin(root, DEMENTI)


def _huge_source(root: Path) -> None:
    (root / DEMENTI).write_bytes(b"Le pont. " * (10 * 1024 * 1024 // 9 + 1))
    repin(root, DEMENTI)


CASES = [
    Case(
        "yaml-syntax",
        lambda r: edit(r, CLAIMS, "claimant: Le ministre", "claimant: Le ministre: selon lui"),
        lambda r: (
            f"{at(r, CLAIMS, ': selon')}: error: invalid YAML: mapping values are not allowed in this context\n"
            '    a value containing ": " must be quoted: key: "text: with a colon"'
        ),
    ),
    Case(
        "duplicate-key",
        lambda r: edit(r, CLAIMS, "    verdict: faux\n", "    verdict: faux\n    verdict: vrai\n"),
        lambda r: (
            f"{at(r, CLAIMS, 'verdict: vrai')}: error: duplicate key 'verdict' "
            f"(first at line {line(r, CLAIMS, 'verdict: faux')})\n"
            "    YAML would silently keep only the last one: merge them or remove one"
        ),
    ),
    Case(
        "duplicate-id",
        lambda r: edit(r, CLAIMS, "id: cout-du-pont", "id: pont-en-trois-ans"),
        lambda r: (
            f"{at(r, CLAIMS, 'pont-en-trois-ans', 2)}: error: duplicate claim id 'pont-en-trois-ans' "
            f"(first at line {line(r, CLAIMS, 'pont-en-trois-ans')})\n"
            "    ids must be unique: rename one of them"
        ),
    ),
    Case(
        "unknown-field",
        lambda r: edit(r, CLAIMS, "claimant: Le", "claimnt: Le"),
        lambda r: f"{at(r, CLAIMS, 'claimnt')}: error: unknown field 'claimnt'\n    did you mean 'claimant'?",
        schema=CLAIMS,
    ),
    Case(
        "missing-field",
        lambda r: edit(r, CLAIMS, "    reviewed: 2024-03-11\n", ""),
        lambda r: (
            f"{at(r, CLAIMS, 'id: cout-du-pont')}: error: missing required field 'reviewed'\n"
            "    add `reviewed:` to this entry (When this fact-check was published or last reviewed.)"
        ),
        schema=CLAIMS,
    ),
    Case(
        "missing-field-sources",
        lambda r: edit(
            r, SOURCES, "    sha256: 581bb04f5ba81c70b354ea70172c54e9f678abdb8acc705b22b1eaab7b0bc268\n", ""
        ),
        lambda r: (
            f"{at(r, SOURCES, 'id: dementi')}: error: missing required field 'sha256'\n"
            "    add `sha256:` to this entry (Fingerprint of the archived file: a changed file is an error. "
            "`python -m builder pin` fills it in.)"
        ),
        schema=SOURCES,
    ),
    Case(
        "wrong-type",
        lambda r: edit(r, CLAIMS, 'claim: "Le pont coûtera 40 millions d\'euros."', "claim: 2024"),
        lambda r: (
            f"{at(r, CLAIMS, 'claim: 2024', plus=7)}: error: 'claim' must be text, not a whole number\n"
            '    put the value in double quotes, e.g. "no" or "1984", so YAML reads it as text\n'
            "    plain text on one line, without control or bidirectional-override characters, at most 1000 characters"
        ),
        schema=CLAIMS,
    ),
    Case(
        "impossible-date",
        lambda r: edit(r, CLAIMS, "reviewed: 2024-03-11", "reviewed: 2023-02-30"),
        lambda r: (
            f"{at(r, CLAIMS, '2023-02-30')}: error: impossible date '2023-02-30' for 'reviewed'\n"
            "    check the day and the month (YYYY-MM-DD)"
        ),
        schema=CLAIMS,
    ),
    Case(
        "verdict-not-in-scale",
        lambda r: edit(r, CLAIMS, "verdict: faux", "verdict: vrais"),
        lambda r: (
            f"{at(r, CLAIMS, 'vrais')}: error: unknown verdict 'vrais'\n"
            "    did you mean 'vrai'? allowed verdicts: faux, trompeur, vrai"
        ),
    ),
    Case(
        "unknown-source",
        lambda r: edit(
            r, CLAIMS, '- source: dementi\n        quote: "Le budget', '- source: dementis\n        quote: "Le budget'
        ),
        lambda r: (
            f"{at(r, CLAIMS, 'dementis')}: error: unknown source 'dementis'\n"
            "    did you mean 'dementi'? sources in seeds/sources.yaml: annonce, dementi"
        ),
    ),
    Case(
        "quote-not-found",
        lambda r: edit(r, CLAIMS, "Le budget n’est pas encore voté", "Le budget n'est pas encor voté"),
        lambda r: (
            f"{at(r, CLAIMS, 'quote: ', 4, plus=7)}: error: quote not found in source 'dementi' ({DEMENTI})\n"
            "    closest passage (line 2, 97% similar):\n"
            "      Le budget n'est pas encore voté\n"
            "    differences, [-your words-] {+the source's+}:\n"
            "      Le budget n'est pas [-encor-] {+encore+} voté\n"
            "    copy the passage from the source exactly (apostrophes, spaces and quotation marks may differ)"
        ),
    ),
    Case(
        "path-absolute",
        lambda r: edit(r, SOURCES, "file: pont-annonce.txt", "file: /etc/passwd"),
        lambda r: f"{at(r, SOURCES, '/etc/passwd')}: error: invalid 'file': '/etc/passwd'\n    {FILE_HINT}",
        schema=SOURCES,
    ),
    Case(
        "path-dotdot",
        lambda r: edit(r, SOURCES, "file: pont-annonce.txt", "file: ../claims.yaml"),
        lambda r: f"{at(r, SOURCES, '../claims.yaml')}: error: invalid 'file': '../claims.yaml'\n    {FILE_HINT}",
        schema=SOURCES,
    ),
    Case(
        "path-symlink-out",
        _symlink_out,
        lambda r: (
            f"{at(r, SOURCES, 'dehors.txt')}: error: seeds/dehors.txt is a link\n"
            "    copy the text itself into seeds/: links could lead outside the project"
        ),
    ),
    Case(
        "source-missing",
        lambda r: edit(r, SOURCES, "file: pont-annonce.txt", "file: pont-annonc.txt"),
        lambda r: (
            f"{at(r, SOURCES, 'pont-annonc.txt')}: error: file not found: seeds/pont-annonc.txt\n"
            "    did you mean 'pont-annonce.txt'? files in seeds/: pont-annonce.txt, pont-dementi.txt"
        ),
    ),
    Case(
        "source-changed",
        lambda r: (r / ANNONCE).write_text((r / ANNONCE).read_text(encoding="utf-8") + "Ajout.\n", encoding="utf-8"),
        lambda r: (
            f"{at(r, SOURCES, '18532a2a')}: error: {ANNONCE} has changed since it was archived "
            f"(its SHA-256 is now {sha256(r, ANNONCE)[:12]}...)\n"
            f"    a source text must stay as received: restore it (git checkout {ANNONCE});\n"
            "    if the change is deliberate, run `python -m builder pin`, which also lists the quotes it breaks"
        ),
    ),
    Case(
        "claims-not-utf8",
        _write_bytes(
            CLAIMS, lambda r: (r / CLAIMS).read_bytes().replace(b"claimant: Le ministre", b"claimant: Le \xe9lu")
        ),
        lambda r: (
            f"{at(MINI, CLAIMS, 'claimant: Le ministre', plus=13)}: error: the file is not UTF-8 (byte 0xe9)\n"
            f"    {UTF8_HINT}"
        ),
    ),
    Case(
        "source-not-utf8",
        _not_utf8_source,
        lambda r: f"{at(MINI, DEMENTI, 'é')}: error: the file is not UTF-8 (byte 0xe9)\n    {UTF8_HINT}",
    ),
    Case(
        "source-empty",
        _empty_source,
        lambda r: (
            f"{at(r, SOURCES, 'pont-dementi.txt')}: error: {DEMENTI} is empty\n    archive the article's text in it"
        ),
    ),
    Case(
        "python-tag",
        lambda r: edit(r, CLAIMS, "claimant: Le ministre", 'claimant: !!python/object/apply:os.system ["echo pwned"]'),
        lambda r: (
            f"{at(r, CLAIMS, '!!python')}: error: YAML tag !!python/object/apply:os.system is not allowed\n"
            "    remove the tag: only plain values, lists and mappings are read"
        ),
    ),
    Case(
        "python-object-tag",
        lambda r: edit(r, CLAIMS, "topics: [travaux]", "topics: !!python/object:builder.model.Topic {id: x, label: y}"),
        lambda r: (
            f"{at(r, CLAIMS, '!!python')}: error: YAML tag !!python/object:builder.model.Topic is not allowed\n"
            "    remove the tag: only plain values, lists and mappings are read"
        ),
    ),
    Case("alias-bomb", _alias_bomb, _alias_lines),
    Case(
        "javascript-link",
        lambda r: edit(r, CLAIMS, "(https://example.org/calendrier)", "(javascript:alert(1))"),
        lambda r: (
            f"{at(r, CLAIMS, 'note: ', plus=6)}: error: link scheme 'javascript:' is not allowed "
            f"(javascript:alert(1))\n    {LINK_HINT}"
        ),
    ),
    Case(
        "data-link",
        lambda r: edit(r, CLAIMS, "Le pont est *annoncé*", "Le pont est [annoncé](data:text/html;base64,PHNjcmlwdD4=)"),
        lambda r: (
            f"{at(r, CLAIMS, '>-')}: error: link scheme 'data:' is not allowed "
            f"(data:text/html;base64,PHNjcmlwdD4=)\n    {LINK_HINT}"
        ),
    ),
    Case(
        "bidi-in-id",
        lambda r: edit(r, CLAIMS, "id: cout-du-pont", 'id: "cout\\u202Edu-pont"'),
        lambda r: f"{at(r, CLAIMS, '  - id: ', 2, plus=8)}: error: invalid 'id': 'cout\\u202edu-pont'\n    {SLUG_HINT}",
        schema=CLAIMS,
    ),
    Case(
        "control-in-id",
        lambda r: edit(r, CLAIMS, "id: cout-du-pont", 'id: "cout-du-pont\\a"'),
        lambda r: f"{at(r, CLAIMS, '  - id: ', 2, plus=8)}: error: invalid 'id': 'cout-du-pont\\x07'\n    {SLUG_HINT}",
        schema=CLAIMS,
    ),
    Case(
        "huge-claims",
        _write_bytes(CLAIMS, lambda r: (r / CLAIMS).read_bytes() + b"#" * (64 * 1024 * 1024)),
        lambda r: (
            f"{CLAIMS}: error: file too large ({(r / CLAIMS).stat().st_size:,} bytes; the limit is 67,108,864)\n"
            "    split the content or check that the file is the one you meant"
        ),
    ),
    Case(
        "huge-source",
        _huge_source,
        lambda r: (
            f"{at(r, SOURCES, 'pont-dementi.txt')}: error: {DEMENTI} is larger than 10,485,760 bytes\n"
            "    archive the article alone"
        ),
    ),
    Case(
        "deep-nesting",
        lambda r: (r / CLAIMS).write_text(
            (r / CLAIMS).read_text(encoding="utf-8") + "deep: " + "[" * 1000 + "]" * 1000 + "\n", encoding="utf-8"
        ),
        # The root mapping is level 0 and the n-th `[` level n: the 33rd `[` is one too deep.
        lambda r: f"{at(r, CLAIMS, 'deep: ', plus=6 + 32)}: error: nesting deeper than 32 levels",
    ),
    Case(
        "sources-yaml-syntax",
        lambda r: edit(r, SOURCES, "title: Un nouveau", "title: Un: nouveau"),
        lambda r: (
            f"{at(r, SOURCES, ': nouveau')}: error: invalid YAML: mapping values are not allowed in this context\n"
            '    a value containing ": " must be quoted: key: "text: with a colon"'
        ),
    ),
]
