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
- A large site's pages are rendered and staged by several processes; the renames, after every
  page is staged without a problem, happen in this one.
"""

from __future__ import annotations

import os
import posixpath
import stat
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

from builder import parallel
from builder.problems import Location, Problem
from builder.render import GENERATED_MARK, Page

_HEAD = f"---\n{GENERATED_MARK}\n".encode()
RESERVED = {"claimreview.json", "annotations.jsonld"}
"""Generated files that cannot carry the mark: their names belong to the builder."""
_TEMPORARY = ".tmp-build-"
PARALLEL_FROM = 500
"""Pages from which rendering and staging are shared between processes (measured at 1,124 pages on
two processors: 0.46 s with two processes, 0.67 s with one); a small site is not worth a fork."""


@dataclass
class Outcome:
    """What writing the pages changed, or the problems that stopped it before anything changed."""

    changed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    stale: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    staged: dict[str, Path] = field(default_factory=dict)
    """Temporary file holding each changed page's new bytes, until it is renamed into place."""


def is_generated(path: Path) -> bool:
    with open(path, "rb") as file:
        return file.read(len(_HEAD)) == _HEAD


def write(content: Path, pages: dict[str, Page], display: str = "content", processes: int | None = None) -> Outcome:
    """Render every page and put the changed ones in place, or change nothing at all.

    Pages are rendered, compared with the files they replace and staged beside them, by
    several processes for a large site; only when every page is staged and no problem found are
    the staged files renamed over the old ones, here, and the stale pages removed."""
    if processes is None:
        processes = parallel.available() if len(pages) >= PARALLEL_FROM else 1
    inside = _Confinement(content)
    _sweep_temporary(content, inside)
    outcome = Outcome(stale=_stale(content, pages, inside))
    for name in sorted(pages):
        if not inside(name):
            outcome.problems.append(
                Problem(
                    Location(f"{display}/{name}"),
                    "is in a folder that is a link; the builder will not write through it",
                    hint=f"replace the link by a real folder inside {display}/",
                )
            )
    if outcome.problems:
        return outcome
    created = _make_folders(content, pages)
    try:
        shares = parallel.map_shares(partial(_stage, content, display), sorted(pages.items()), processes)
    except BaseException:
        _sweep_temporary(content, inside)  # every process's staging, including a share's that was stopped
        _remove_folders(content, created)
        raise
    for share in shares:
        outcome.staged.update(share.staged)
        outcome.unchanged += share.unchanged
        outcome.problems += share.problems
    outcome.unchanged.sort()
    outcome.problems.sort(key=lambda problem: problem.location.file)
    if outcome.problems:
        for temporary in outcome.staged.values():
            temporary.unlink()
        _remove_folders(content, created)
        return outcome
    for name in sorted(outcome.staged):
        os.replace(outcome.staged[name], content / name)
    outcome.changed = sorted(outcome.staged)
    for name in outcome.stale:
        (content / name).unlink()
        _remove_empty_parents(content, (content / name).parent)
    return outcome


def _stage(content: Path, display: str, pages: list[tuple[str, Page]]) -> Outcome:
    """Render `pages`, compare each with the file it would replace, and write the changed ones to
    temporary files beside their targets. On any failure (a full disk), the temporary files
    written so far are removed before the error goes on."""
    outcome = Outcome()
    temporary = None
    try:
        for name, page in pages:
            if parallel.orphaned():  # the build was killed: leave nothing behind
                raise SystemExit(1)
            data = page().encode("utf-8")
            target = content / name
            try:
                mode = os.lstat(target).st_mode
            except FileNotFoundError:
                mode = None
            if mode is not None and not stat.S_ISREG(mode):  # a link (even a broken one) or a folder
                outcome.problems.append(
                    Problem(Location(f"{display}/{name}"), "is not a regular file; the builder will not replace it")
                )
                continue
            old = target.read_bytes() if mode is not None else None
            if old is not None and name not in RESERVED and not old.startswith(_HEAD):
                outcome.problems.append(
                    Problem(
                        Location(f"{display}/{name}"),
                        "a hand-written page stands where a generated page goes",
                        hint="rename or move the hand-written page: the builder never overwrites one",
                    )
                )
                continue
            if old == data:
                outcome.unchanged.append(name)
                continue
            temporary = target.with_name(f".{target.name}{_TEMPORARY}{os.getpid()}")
            # No fsync: renaming a complete file over the old one already leaves every page old or
            # new when a build is killed; fsync would only add safety against a power cut, at a
            # cost of seconds for thousands of pages.
            with open(temporary, "wb") as file:
                file.write(data)
            outcome.staged[name] = temporary
            temporary = None
    except BaseException:
        for path in [*outcome.staged.values(), *([temporary] if temporary else [])]:
            path.unlink(missing_ok=True)
        raise
    return outcome


def _stale(content: Path, pages: dict[str, Page], inside: _Confinement) -> list[str]:
    """Generated pages that are no longer generated (their claim or source is gone)."""
    if not content.is_dir():
        return []
    stale = []
    for path in sorted(content.rglob("*.md")):
        name = path.relative_to(content).as_posix()
        if name not in pages and path.is_file() and not path.is_symlink() and inside(name) and is_generated(path):
            stale.append(name)
    return stale


class _Confinement:
    """Whether the folder of content/`name` is where it seems, not reached through a link that
    could lead out of the project; resolved once per folder, as thousands of pages share a few."""

    def __init__(self, content: Path):
        self.content = content
        self.real = content.resolve()
        self.folders: dict[str, bool] = {}

    def __call__(self, name: str) -> bool:
        folder = posixpath.dirname(name)
        if folder not in self.folders:
            self.folders[folder] = (self.content / folder).resolve() == self.real / folder
        return self.folders[folder]


def _make_folders(content: Path, pages: dict[str, Page]) -> list[Path]:
    """Create the folders the pages go in; the ones created."""
    created = []
    for folder in sorted({(content / name).parent for name in pages}):
        if not folder.is_dir():
            folder.mkdir(parents=True)
            created.append(folder)
    return created


def _remove_folders(content: Path, created: list[Path]) -> None:
    for folder in reversed(created):
        _remove_empty_parents(content, folder)


def _sweep_temporary(content: Path, inside: _Confinement) -> None:
    """Temporary files left by a build that was killed before renaming them."""
    if content.is_dir():
        for path in content.rglob(f".*{_TEMPORARY}*"):
            if inside(path.relative_to(content).as_posix()):
                path.unlink()


def _remove_empty_parents(content: Path, folder: Path) -> None:
    while folder != content and folder.is_dir() and not any(folder.iterdir()):
        folder.rmdir()
        folder = folder.parent
