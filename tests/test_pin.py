"""`python -m builder pin`: only the sha256 values of seeds/sources.yaml change, byte for byte.

The command line on a copy of the mini project (what it prints, its exit status, the quotes a
change breaks), then the text edit itself on many layouts of sources.yaml through the library.
"""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest
from bad_inputs import ANNONCE, CLAIMS, DEMENTI, MINI, SOURCES, at
from helpers import run_builder as run

from builder import pin
from builder.problems import Location, Problem

OLD_ANNONCE = "18532a2aafd2dfd61c9db77ab21fbe6a9fe5734133a05aed63c58dde3a8414e3"
OLD_DEMENTI = "581bb04f5ba81c70b354ea70172c54e9f678abdb8acc705b22b1eaab7b0bc268"


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "mini"
    shutil.copytree(MINI, root)
    return root


def append(path: Path, text: str) -> None:
    path.write_bytes(path.read_bytes() + text.encode("utf-8"))


# --- the command -----------------------------------------------------------------------------


def test_nothing_to_pin(project):
    before = (project / SOURCES).read_bytes()
    done = run(project, "pin")
    assert (done.returncode, done.stderr) == (0, "")
    assert done.stdout == (
        "every source file matches its sha256: nothing to re-pin\n"
        "ok: every quote still found verbatim (0 errors, 0 warnings)\n"
    )
    assert (project / SOURCES).read_bytes() == before


def test_a_deliberate_change_is_pinned_and_nothing_else_moves(project):
    before = (project / SOURCES).read_text(encoding="utf-8")
    append(project / ANNONCE, "Le chantier commencera en juin.\n")
    new = sha(project / ANNONCE)
    assert run(project, "check").returncode == 1

    done = run(project, "pin")
    assert (done.returncode, done.stderr) == (0, "")
    line = at(project, SOURCES, new).split(":")[1]
    assert done.stdout == (
        f"{ANNONCE}: sha256 re-pinned ({SOURCES}:{line}; was {OLD_ANNONCE[:12]}..., now {new[:12]}...)\n"
        "ok: every quote still found verbatim (0 errors, 0 warnings)\n"
    )
    assert (project / SOURCES).read_text(encoding="utf-8") == before.replace(OLD_ANNONCE, new)
    assert run(project, "check", "--strict").returncode == 0


def test_a_change_that_breaks_a_quote_is_pinned_and_the_quote_listed(project):
    text = (project / DEMENTI).read_text(encoding="utf-8")
    (project / DEMENTI).write_text(text.replace("pas encore voté", "toujours pas voté"), encoding="utf-8")
    append(project / ANNONCE, "Ajout.\n")
    new_annonce, new_dementi = sha(project / ANNONCE), sha(project / DEMENTI)

    done = run(project, "pin")
    assert done.returncode == 1
    assert done.stdout == (
        f"{ANNONCE}: sha256 re-pinned ({SOURCES}:7; was {OLD_ANNONCE[:12]}..., now {new_annonce[:12]}...)\n"
        f"{DEMENTI}: sha256 re-pinned ({SOURCES}:12; was {OLD_DEMENTI[:12]}..., now {new_dementi[:12]}...)\n"
    )
    lines = done.stderr.splitlines()
    quote = at(project, CLAIMS, "quote: ", 4, plus=7)
    assert lines[0] == f"{quote}: error: quote not found in source 'dementi' ({DEMENTI})"
    assert all(line.startswith("    ") for line in lines[1:-2])
    assert lines[-2:] == [
        "quotes no longer found after pinning: 1 (listed above); correct them in claims.yaml",
        "check after pinning failed: 1 error, 0 warnings",
    ]
    assert new_dementi in (project / SOURCES).read_text(encoding="utf-8")


def test_an_unreadable_sources_yaml_is_left_alone(project):
    path = project / SOURCES
    path.write_text(path.read_text(encoding="utf-8").replace("title: Un nouveau", "title: Un: nouveau"), "utf-8")
    append(project / ANNONCE, "Ajout.\n")
    before = path.read_bytes()
    done = run(project, "pin")
    assert (done.returncode, done.stdout) == (1, "")
    assert done.stderr == (
        f"{at(project, SOURCES, ': nouveau')}: error: invalid YAML: mapping values are not allowed in this context\n"
        '    a value containing ": " must be quoted: key: "text: with a colon"\n'
        f"pin failed, {SOURCES} unchanged\n"
    )
    assert path.read_bytes() == before


def test_a_link_out_of_seeds_is_never_read(project):
    (project / "seeds" / "dehors.txt").symlink_to(project / CLAIMS)
    path = project / SOURCES
    path.write_text(path.read_text(encoding="utf-8").replace("file: pont-annonce.txt", "file: dehors.txt"), "utf-8")
    before = path.read_bytes()
    done = run(project, "pin")
    assert done.returncode == 1
    assert done.stdout == "every source file matches its sha256: nothing to re-pin\n"
    assert f"{at(project, SOURCES, 'dehors.txt')}: error: seeds/dehors.txt is a link" in done.stderr.splitlines()
    assert path.read_bytes() == before


# --- the text edit, on many layouts ----------------------------------------------------------

A, B = "a.txt", "b.txt"
TEXT_A, TEXT_B = "Premier texte.\n", "Second texte.\n"
NEW_A, NEW_B = hashlib.sha256(TEXT_A.encode()).hexdigest(), hashlib.sha256(TEXT_B.encode()).hexdigest()
STALE = "e0" * 32

LAYOUTS = {
    "plain value, comments kept": (
        "# comment\nsources:\n  - id: a  # the first\n    file: a.txt\n    sha256: {stale}   # pinned long ago\n",
        "# comment\nsources:\n  - id: a  # the first\n    file: a.txt\n    sha256: {new_a}   # pinned long ago\n",
    ),
    "double quotes kept": (
        'sources:\n  - id: a\n    file: a.txt\n    sha256: "{stale}"\n',
        'sources:\n  - id: a\n    file: a.txt\n    sha256: "{new_a}"\n',
    ),
    "single quotes kept": (
        "sources:\n  - id: a\n    file: a.txt\n    sha256: '{stale}'\n",
        "sources:\n  - id: a\n    file: a.txt\n    sha256: '{new_a}'\n",
    ),
    "empty value": (
        "sources:\n  - id: a\n    file: a.txt\n    sha256:\n    title: A\n",
        "sources:\n  - id: a\n    file: a.txt\n    sha256: {new_a}\n    title: A\n",
    ),
    "null value": (
        "sources:\n  - id: a\n    file: a.txt\n    sha256: ~  # to do\n",
        "sources:\n  - id: a\n    file: a.txt\n    sha256: {new_a}  # to do\n",
    ),
    "not a digest": (
        "sources:\n  - id: a\n    file: a.txt\n    sha256: TODO, fill it in\n",
        "sources:\n  - id: a\n    file: a.txt\n    sha256: {new_a}\n",
    ),
    "missing: inserted after file, at the entry's indentation": (
        "sources:\n    -   id: a\n        file: a.txt  # here\n        title: A\n",
        "sources:\n    -   id: a\n        file: a.txt  # here\n        sha256: {new_a}\n        title: A\n",
    ),
    "missing, file first in the entry": (
        "sources:\n- file: a.txt\n  id: a\n",
        "sources:\n- file: a.txt\n  sha256: {new_a}\n  id: a\n",
    ),
    "missing, last line without a line break": (
        "sources:\n  - id: a\n    file: a.txt",
        "sources:\n  - id: a\n    file: a.txt\n    sha256: {new_a}",
    ),
    "flow mapping": (
        "sources:\n  - {{id: a, file: a.txt, sha256: {stale}}}\n",
        "sources:\n  - {{id: a, file: a.txt, sha256: {new_a}}}\n",
    ),
    "two entries, one up to date": (
        "sources:\n  - id: a\n    file: a.txt\n    sha256: {new_a}\n  - id: b\n    file: b.txt\n    sha256: {stale}\n",
        "sources:\n  - id: a\n    file: a.txt\n    sha256: {new_a}\n  - id: b\n    file: b.txt\n    sha256: {new_b}\n",
    ),
    "two entries, both stale, one missing": (
        "sources:\n  - id: a\n    file: a.txt\n  - id: b\n    file: b.txt\n    sha256: {stale}\n",
        "sources:\n  - id: a\n    file: a.txt\n    sha256: {new_a}\n  - id: b\n    file: b.txt\n    sha256: {new_b}\n",
    ),
    "CRLF and a byte-order mark kept": (
        "\ufeffsources:\r\n  - id: a\r\n    file: a.txt\r\n  - id: b\r\n    file: b.txt\r\n    sha256: {stale}\r\n",
        "\ufeffsources:\r\n  - id: a\r\n    file: a.txt\r\n    sha256: {new_a}\r\n  - id: b\r\n    file: b.txt\r\n"
        "    sha256: {new_b}\r\n",
    ),
    "non-ASCII before the value": (
        'sources:\n  - {{title: "Été « chaud »", id: a, file: a.txt, sha256: {stale}}}\n',
        'sources:\n  - {{title: "Été « chaud »", id: a, file: a.txt, sha256: {new_a}}}\n',
    ),
}


def seeds(tmp_path: Path, sources_yaml: str) -> Path:
    (tmp_path / "seeds").mkdir()
    (tmp_path / "seeds" / A).write_text(TEXT_A, encoding="utf-8")
    (tmp_path / "seeds" / B).write_text(TEXT_B, encoding="utf-8")
    (tmp_path / SOURCES).write_bytes(sources_yaml.encode("utf-8"))
    return tmp_path


def fill(template: str) -> str:
    return template.format(stale=STALE, new_a=NEW_A, new_b=NEW_B)


@pytest.mark.parametrize("before, after", LAYOUTS.values(), ids=LAYOUTS.keys())
def test_only_the_digests_change(before, after, tmp_path):
    root = seeds(tmp_path, fill(before))
    result = pin.pin(root)
    assert result.problems == []
    assert (root / SOURCES).read_bytes().decode("utf-8") == fill(after)
    assert [change.new for change in result.repinned] == [
        d for d in (NEW_A, NEW_B) if d in fill(after) and d not in fill(before)
    ]
    again = pin.pin(root)
    assert (again.repinned, again.problems) == ([], [])


def test_the_reported_lines_are_those_of_the_new_values(tmp_path):
    root = seeds(tmp_path, fill(LAYOUTS["two entries, both stale, one missing"][0]))
    result = pin.pin(root)
    text = (root / SOURCES).read_text(encoding="utf-8").split("\n")
    for change in result.repinned:
        assert change.new in text[change.line - 1]
    assert [(c.file, c.old) for c in result.repinned] == [("seeds/a.txt", None), ("seeds/b.txt", STALE)]


def test_a_missing_digest_in_a_flow_mapping_is_left_to_the_editor(tmp_path):
    before = "sources:\n  - {id: a, file: a.txt}\n"
    root = seeds(tmp_path, before)
    result = pin.pin(root)
    assert result.repinned == []
    assert result.problems == [
        Problem(
            Location(SOURCES, 2, 13),
            "cannot add the missing sha256 to this entry automatically",
            hint=f"add it to the entry by hand: sha256: {NEW_A}",
        )
    ]
    assert (root / SOURCES).read_text(encoding="utf-8") == before


def test_a_value_it_cannot_rewrite_in_place_leaves_the_file_alone(tmp_path):
    before = f'sources:\n  - id: a\n    file: a.txt\n    sha256: "{STALE[:30]}\n      {STALE[30:]}"\n'
    root = seeds(tmp_path, before)
    result = pin.pin(root)
    assert result.repinned == []
    assert [p.format() for p in result.problems] == [
        f"{SOURCES}: error: could not re-pin the sha256 values in place; nothing was written\n"
        "    write `sha256: <the file's sha256sum>` in each entry by hand"
    ]
    assert (root / SOURCES).read_text(encoding="utf-8") == before
    assert sorted(p.name for p in (root / "seeds").iterdir()) == [A, B, "sources.yaml"]  # no temporary file left


def test_a_digest_of_digits_only_stays_text(tmp_path, monkeypatch):
    digits = "1" * 64
    monkeypatch.setattr(pin.hashlib, "sha256", lambda data: type("H", (), {"hexdigest": lambda self: digits})())
    root = seeds(tmp_path, "sources:\n  - id: a\n    file: a.txt\n")
    result = pin.pin(root)
    assert result.problems == []
    assert (root / SOURCES).read_text(
        encoding="utf-8"
    ) == f'sources:\n  - id: a\n    file: a.txt\n    sha256: "{digits}"\n'
