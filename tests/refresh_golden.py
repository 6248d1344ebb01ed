"""Rebuild the expected output of the golden cases (tests/cases/<name>/expected/).

Run it after a deliberate change to what the builder generates, then read the change before
committing it:

    .venv/bin/python tests/refresh_golden.py            # every case
    .venv/bin/python tests/refresh_golden.py tricky     # some cases
    git diff --stat tests/cases && git diff tests/cases

It refuses to write a case whose build reports any problem (error or warning): a golden case
is a clean project. tests/test_golden.py imports `build_case` and `expected_files` from here,
so the test and the refresh build exactly alike.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

TESTS = Path(__file__).resolve().parent
PROJECT = TESTS.parent
CASES = TESTS / "cases"
INPUTS = ("claims.yaml", "mkdocs.yml", "seeds")
"""What a case holds besides expected/: exactly what the builder reads."""

if str(PROJECT) not in sys.path:  # run as a script from anywhere
    sys.path.insert(0, str(PROJECT))

from builder import pipeline  # noqa: E402


def case_names() -> list[str]:
    return sorted(p.name for p in CASES.iterdir() if (p / "claims.yaml").is_file())


def copy_inputs(case: Path, root: Path) -> Path:
    """The case's inputs, copied to `root` (the builder writes root/content/)."""
    root.mkdir(parents=True, exist_ok=True)
    for name in INPUTS:
        source = case / name
        if source.is_dir():
            shutil.copytree(source, root / name)
        else:
            shutil.copy2(source, root / name)
    return root


def generated_files(content: Path) -> dict[str, bytes]:
    return {p.relative_to(content).as_posix(): p.read_bytes() for p in sorted(content.rglob("*")) if p.is_file()}


def build_case(case: Path, root: Path) -> tuple[pipeline.BuildResult, dict[str, bytes]]:
    """Build a copy of the case in `root`; the result and every file written to content/."""
    copy_inputs(case, root)
    result = pipeline.build(root)
    content = root / "content"
    return result, generated_files(content) if content.is_dir() else {}


def expected_files(case: Path) -> dict[str, bytes]:
    expected = case / "expected"
    return generated_files(expected) if expected.is_dir() else {}


def refresh(name: str) -> bool:
    case = CASES / name
    with tempfile.TemporaryDirectory() as tmp:
        result, files = build_case(case, Path(tmp) / name)
    if result.report.problems:
        print(f"{name}: not refreshed, the build reports problems:", file=sys.stderr)
        for line in result.report.lines(github=False):
            print("  " + line.replace("\n", "\n  "), file=sys.stderr)
        return False
    before = expected_files(case)
    changed = sorted(n for n in files if before.get(n) != files[n])
    removed = sorted(set(before) - set(files))
    expected = case / "expected"
    shutil.rmtree(expected, ignore_errors=True)
    for relative, data in files.items():
        target = expected / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    print(f"{name}: {len(files)} files, {len(changed)} changed or new, {len(removed)} removed")
    for relative in changed:
        print(f"  {'new' if relative not in before else 'changed'}: {relative}")
    for relative in removed:
        print(f"  removed: {relative}")
    return True


def main(argv: list[str]) -> int:
    names = argv or case_names()
    unknown = [n for n in names if n not in case_names()]
    if unknown:
        print(f"unknown case(s): {', '.join(unknown)}; cases: {', '.join(case_names())}", file=sys.stderr)
        return 2
    ok = [refresh(name) for name in names]
    return 0 if all(ok) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
