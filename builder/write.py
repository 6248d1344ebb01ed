"""Write the generated pages into content/, safely.

- A generated Markdown page starts with the builder's mark; a page without it is
  hand-written and is never overwritten or removed (a clash is an error, found before
  anything is written).
- Only files whose bytes change are written, so `mkdocs serve` rebuilds only what an edit
  changed and never loops on its own output.
- Each file is written to a temporary name beside it, then renamed over the old one: a
  build killed half way leaves every file either old or new, never truncated, and the next
  build completes the change and sweeps the temporary files.
- Generated pages whose claim or source is gone are removed.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from builder.problems import Location, Problem
from builder.render import GENERATED_MARK

_HEAD = f"---\n{GENERATED_MARK}\n".encode()
RESERVED = {"claimreview.json", "annotations.jsonld"}
"""Generated files that cannot carry the mark: their names belong to the builder."""
_TEMPORARY = ".tmp-build-"


@dataclass
class Plan:
    changed: dict[str, bytes] = field(default_factory=dict)
    unchanged: list[str] = field(default_factory=list)
    stale: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def is_generated(path: Path) -> bool:
    with open(path, "rb") as file:
        return file.read(len(_HEAD)) == _HEAD


def plan(content: Path, pages: dict[str, str], display: str = "content") -> Plan:
    """What writing `pages` into `content` would change, and what stands in the way."""
    result = Plan()
    real = content.resolve()
    for name in sorted(pages):
        data = pages[name].encode("utf-8")
        target = content / name
        if not _stays_inside(real, target, name):
            result.problems.append(
                Problem(
                    Location(f"{display}/{name}"),
                    "is in a folder that is a link; the builder will not write through it",
                    hint=f"replace the link by a real folder inside {display}/",
                )
            )
        elif target.is_symlink() or (target.exists() and not target.is_file()):
            result.problems.append(
                Problem(Location(f"{display}/{name}"), "is not a regular file; the builder will not replace it")
            )
        elif not target.exists():
            result.changed[name] = data
        elif name not in RESERVED and not is_generated(target):
            result.problems.append(
                Problem(
                    Location(f"{display}/{name}"),
                    "a hand-written page stands where a generated page goes",
                    hint="rename or move the hand-written page: the builder never overwrites one",
                )
            )
        elif target.read_bytes() == data:
            result.unchanged.append(name)
        else:
            result.changed[name] = data
    if content.is_dir():
        for path in sorted(content.rglob("*.md")):
            name = path.relative_to(content).as_posix()
            if (
                name not in pages
                and path.is_file()
                and not path.is_symlink()
                and _stays_inside(real, path, name)
                and is_generated(path)
            ):
                result.stale.append(name)
    return result


def _stays_inside(real_content: Path, path: Path, name: str) -> bool:
    """Whether the folder of content/`name` is where it seems, not reached through a link that
    could lead out of the project."""
    return path.parent.resolve() == (real_content / name).parent


def apply(content: Path, result: Plan) -> None:
    """Carry out a plan that has no problems."""
    assert not result.problems
    _sweep_temporary(content)
    staged: list[tuple[Path, Path]] = []
    created: list[Path] = []
    temporary = None
    try:
        for name, data in result.changed.items():
            target = content / name
            if not target.parent.is_dir():
                created.append(target.parent)
                target.parent.mkdir(parents=True)
            temporary = target.with_name(f".{target.name}{_TEMPORARY}{os.getpid()}")
            # No fsync: renaming a complete file over the old one already leaves every page old or
            # new when a build is killed; fsync would only add safety against a power cut, at a
            # cost of seconds for thousands of pages.
            with open(temporary, "wb") as file:
                file.write(data)
            staged.append((temporary, target))
            temporary = None
    except BaseException:
        # No page is replaced before every new one is safely written (a full disk, Ctrl-C):
        # undo the staging, so that content/ stays as it was, and let the error through.
        leftovers = [staged_file for staged_file, _ in staged]
        if temporary is not None:
            leftovers.append(temporary)
        for path in leftovers:
            path.unlink(missing_ok=True)
        for folder in reversed(created):
            _remove_empty_parents(content, folder)
        raise
    for temporary, target in staged:
        os.replace(temporary, target)
    for name in result.stale:
        (content / name).unlink()
        _remove_empty_parents(content, (content / name).parent)


def _sweep_temporary(content: Path) -> None:
    """Temporary files left by a build that was killed before renaming them."""
    if content.is_dir():
        real = content.resolve()
        for path in content.rglob(f".*{_TEMPORARY}*"):
            if _stays_inside(real, path, path.relative_to(content).as_posix()):
                path.unlink()


def _remove_empty_parents(content: Path, folder: Path) -> None:
    while folder != content and folder.is_dir() and not any(folder.iterdir()):
        folder.rmdir()
        folder = folder.parent
