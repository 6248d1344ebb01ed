"""Nothing is lost: failed, refused and interrupted builds, hand-written pages, and reproducible output.

- A build that fails, at any point, leaves content/ and site/ as they were, byte for byte and
  file dates included.
- The builder never deletes or overwrites a hand-written page; one standing where a generated
  page goes is an error, and then nothing at all is written.
- A build killed half way (SIGKILL, at several moments of its writing) leaves every file of
  content/ complete, the old version or the new; the next build completes and sweeps the
  temporary files.
- The same input gives the same bytes, in content/ and in site/: in another folder, with
  another hash seed, with the files created in another order.
"""

from __future__ import annotations

import errno
import gzip
import os
import shutil
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
from strategies import (
    CLAIMS,
    PROJECT,
    environment,
    load,
    make_project,
    problem_lines,
    run_cli,
    run_mkdocs,
    save,
    tree,
    tree_with_times,
)

from bench.corpus import make_corpus
from builder import write
from builder.pipeline import build

TEMPORARY = ".tmp-build-"
HAND_WRITTEN = {
    "claims/notes-de-la-redaction.md": "# Notes de la rédaction\n\nÉcrites à la main.\n",
    "guide-interne.md": "# Guide interne\n\nÀ ne pas effacer.\n",
    "topics/lisez-moi.md": "---\ntitle: Lisez-moi\n---\n\nUne page à nous.\n",
}


@pytest.fixture
def project(tmp_path) -> Path:
    root = make_project(tmp_path / "project")
    done = run_cli(root, "build")
    assert done.returncode == 0, done.stderr
    return root


def break_claims(root: Path) -> None:
    (root / CLAIMS).write_text((root / CLAIMS).read_text(encoding="utf-8") + "\n  - id: [\n", encoding="utf-8")


def lose_a_quote(root: Path) -> None:
    claims = load(root)
    claims["claims"][0]["evidence"][0]["quote"] = "des mots qui ne sont dans aucune source"
    save(root, claims)


def alter_a_source(root: Path) -> None:
    source = root / "seeds" / "002_123a7095783d3a53.txt"
    source.write_bytes(source.read_bytes().replace(b"Kim", b"Kym", 1))


def squat_a_generated_page(root: Path) -> None:
    (root / "content" / "claims" / "aide-satellites.md").write_text("# Ma page\n", encoding="utf-8")


def change_everything_and_break(root: Path) -> None:
    """Many pages would change, one is hand-written where a generated page goes: nothing may be written."""
    claims = load(root)
    for rating in claims["ratings"]:
        rating["label"] += " (révisé)"
    save(root, claims)
    (root / "content" / "topics" / "armement.md").write_text("# Armement, à la main\n", encoding="utf-8")


FAILURES = {
    "invalid YAML": (break_claims, "claims.yaml:"),
    "quote not found": (lose_a_quote, "quote not found in source"),
    "source changed": (alter_a_source, "has changed since it was archived"),
    "hand-written page in the way": (squat_a_generated_page, "a hand-written page stands where a generated page goes"),
    "many changes, one page in the way": (
        change_everything_and_break,
        "content/topics/armement.md: error: a hand-written",
    ),
}


@pytest.mark.parametrize("failure", FAILURES)
def test_a_failed_build_leaves_content_as_it_was(project, failure):
    breaks, message = FAILURES[failure]
    breaks(project)
    before = tree_with_times(project / "content")
    time.sleep(0.01)  # a rewrite with the same bytes would show in the file dates
    done = run_cli(project, "build")
    assert done.returncode == 1 and message in done.stderr, done.stderr
    assert problem_lines(done.stderr)[-1].startswith("build failed, nothing written:")
    assert tree_with_times(project / "content") == before


@pytest.mark.slow
@pytest.mark.parametrize("failure", ["invalid YAML", "hand-written page in the way"])
def test_a_failed_mkdocs_build_leaves_content_and_site_as_they_were(project, failure):
    done = run_mkdocs(project, project / "site")
    assert done.returncode == 0, done.stderr[-2000:]
    FAILURES[failure][0](project)
    before = tree_with_times(project / "content"), tree_with_times(project / "site")
    done = run_mkdocs(project, project / "site")
    assert done.returncode == 1 and "claims.yaml or seeds/ has 1 error(s)" in done.stderr, done.stderr
    assert (tree_with_times(project / "content"), tree_with_times(project / "site")) == before


@pytest.mark.slow
def test_make_site_keeps_the_old_site_when_mkdocs_itself_fails(project):
    """A failure only MkDocs sees (a broken link in a hand-written page, under --strict): `make site`
    builds into a new folder and swaps it in, so site/ stays as it was."""
    make = [
        "make", "--no-print-directory", "-C", str(project), "-f", str(PROJECT / "Makefile"),
        f"VENV={Path(sys.executable).parent.parent}", "-o", f"{Path(sys.executable).parent.parent}/.installed", "site",
    ]  # fmt: skip
    done = subprocess.run(make, capture_output=True, text=True, env=environment(), timeout=600)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    assert (project / "site" / "claims" / "aide-satellites" / "index.html").is_file()
    about = project / "content" / "about.md"
    about.write_text(about.read_text(encoding="utf-8") + "\n[une page disparue](disparue.md)\n", encoding="utf-8")
    before = tree_with_times(project / "site")
    done = subprocess.run(make, capture_output=True, text=True, env=environment(), timeout=600)
    assert done.returncode != 0 and "disparue.md" in done.stderr, done.stdout[-2000:] + done.stderr[-2000:]
    assert tree_with_times(project / "site") == before


def test_a_write_that_fails_half_way_leaves_content_as_it_was(project, monkeypatch):
    """The disk fills up while the new pages are being written: no page has been replaced yet,
    and the temporary files are removed on the way out."""
    claims = load(project)
    for rating in claims["ratings"]:
        rating["label"] += " (révisé)"
    save(project, claims)
    before = tree_with_times(project / "content")
    calls = []
    real_open = open

    def open_then_fill_the_disk(path, mode="r", *args, **kwargs):
        file = real_open(path, mode, *args, **kwargs)
        if "w" in mode:
            calls.append(path)
            if len(calls) == 5:  # the fifth new page: its temporary file exists, then the disk is full
                file.close()
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return file

    monkeypatch.setattr(write, "open", open_then_fill_the_disk, raising=False)
    with pytest.raises(OSError, match="No space left"):
        build(project)
    assert tree_with_times(project / "content") == before


# --- hand-written pages ------------------------------------------------------------------------


def test_hand_written_pages_survive_every_build(project):
    for name, text in HAND_WRITTEN.items():
        (project / "content" / name).write_text(text, encoding="utf-8")
    claims = load(project)
    gone = claims["claims"].pop(0)["id"]  # its generated page is removed; the hand-written ones stay
    for topic in claims["topics"]:
        topic["label"] += " !"
    save(project, claims)
    before = {name: (project / "content" / name).read_bytes() for name in HAND_WRITTEN}
    done = run_cli(project, "build")
    assert done.returncode == 0, done.stderr
    assert {name: (project / "content" / name).read_bytes() for name in HAND_WRITTEN} == before
    assert not (project / "content" / "claims" / f"{gone}.md").exists()
    assert (project / "content" / "about.md").exists()


def test_a_hand_written_page_where_a_generated_one_goes_is_reported_and_nothing_is_written(project):
    squat = project / "content" / "claims" / "aide-satellites.md"
    squat.write_text("# Ma version de la page\n", encoding="utf-8")
    claims = load(project)
    claims["claims"][0]["summary"] += " Modifié."
    save(project, claims)
    before = tree_with_times(project / "content")
    done = run_cli(project, "build")
    assert done.returncode == 1
    assert problem_lines(done.stderr) == [
        "content/claims/aide-satellites.md: error: a hand-written page stands where a generated page goes",
        "build failed, nothing written: 1 error, 0 warnings",
    ]
    assert tree_with_times(project / "content") == before


# --- interrupted builds -------------------------------------------------------------------------

KILL_DELAYS = (0.0, 0.001, 0.003, 0.006, 0.01, 0.02, 0.06, 0.5)
"""Seconds after the first temporary file appears: while staging, while renaming, after."""


@pytest.fixture(scope="module")
def interrupted(tmp_path_factory) -> dict:
    """A corpus built once (old), then edited so that most pages change and some go (new)."""
    root = tmp_path_factory.mktemp("corpus") / "project"
    make_corpus(root, 300, seed=6)
    done = run_cli(root, "build")
    assert done.returncode == 0, done.stderr
    old = tree(root / "content")
    shutil.copytree(root / "content", root.parent / "old-content", symlinks=True)
    claims = load(root)
    for rating in claims["ratings"]:
        rating["label"] += " (révisé)"
    del claims["claims"][::10]
    save(root, claims)
    done = run_cli(root, "build")
    assert done.returncode == 0, done.stderr
    new = tree(root / "content")
    assert len(set(old) - set(new)) >= 30 and sum(old.get(n) not in (None, d) for n, d in new.items()) > 250
    return {"root": root, "old": old, "new": new, "old_copy": root.parent / "old-content"}


def kill_while_writing(root: Path, delay: float, jobs: int) -> bool:
    """Start a build, SIGKILL it `delay` s after its first temporary file; whether it was still running.

    With several jobs, only the process that renames is killed: the processes staging pages for
    it see that they are orphaned and stop, removing what they staged."""
    claims = root / "content" / "claims"
    build_ = subprocess.Popen(
        [sys.executable, "-m", "builder", "--root", str(root), "build", "--jobs", str(jobs)],
        cwd=root.parent,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=environment(),
        start_new_session=True,  # its process group holds the build's processes, and only them
    )
    try:
        deadline = time.monotonic() + 120
        while build_.poll() is None and not any(TEMPORARY in name for name in os.listdir(claims)):
            assert time.monotonic() < deadline
            time.sleep(0.001)
        time.sleep(delay)
        running = build_.poll() is None
        build_.send_signal(signal.SIGKILL)
        return running
    finally:
        build_.wait()
        # The orphaned processes are still removing what they staged: wait for them to finish.
        deadline = time.monotonic() + 60
        while _alive_in_group(build_.pid):
            assert time.monotonic() < deadline, "the build's orphaned processes did not stop"
            time.sleep(0.01)


def _alive_in_group(group: int) -> bool:
    """Whether a process of this process group is still running (zombies do not count)."""
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (FileNotFoundError, ProcessLookupError, IndexError):
            continue
        if int(fields[2]) == group and fields[0] != "Z":  # fields after the name: state, ppid, pgrp
            return True
    return False


@pytest.mark.slow
@pytest.mark.parametrize("jobs", [1, 2])
def test_a_build_killed_while_writing_leaves_every_file_whole(interrupted, jobs):
    root, old, new = interrupted["root"], interrupted["old"], interrupted["new"]
    landed = mixed = 0
    for delay in KILL_DELAYS:
        shutil.rmtree(root / "content")
        shutil.copytree(interrupted["old_copy"], root / "content", symlinks=True)
        landed += kill_while_writing(root, delay, jobs)
        after = tree(root / "content")
        temporary = [name for name in after if TEMPORARY in name]
        if jobs > 1:  # the processes that staged pages, orphaned, removed them
            assert not temporary, f"orphaned processes left {temporary[:3]} ({delay} s)"
        whole = {name: data for name, data in after.items() if name not in temporary}
        for name, data in whole.items():
            assert data in (old.get(name), new.get(name)), f"{name} is neither the old nor the new version ({delay} s)"
        assert set(old) & set(new) <= set(whole), f"a page that both builds have went missing ({delay} s)"
        mixed += bool(temporary) or whole not in (old, new)
        done = run_cli(root, "build")
        assert done.returncode == 0, done.stderr
        assert tree(root / "content") == new, f"the build after the kill at {delay} s did not complete the change"
    assert landed >= 2, "no kill landed while the build was writing: the test proves nothing"
    if jobs == 1:  # with one process, a kill while staging leaves its temporary files for the next build
        assert mixed >= 2, "no kill left a build half done: the test proves nothing"


# --- reproducible output --------------------------------------------------------------------------


def recreate_in_reverse(folder: Path) -> None:
    """The same files, created in the opposite order (directory listings follow creation order)."""
    files = sorted((p for p in folder.rglob("*") if p.is_file() and not p.is_symlink()), reverse=True)
    saved = [(p, p.read_bytes(), p.stat().st_mode) for p in files]
    for path, _, _ in saved:
        path.unlink()
    for path, data, mode in saved:
        path.write_bytes(data)
        path.chmod(mode)


def test_the_builder_writes_the_same_bytes_whatever_the_folder_hash_seed_and_file_order(tmp_path):
    trees = []
    for n, seed in enumerate(("1", "4242")):
        root = make_project(tmp_path / f"copy-{n}" / ("nested/" * n) / "project")
        if n:
            recreate_in_reverse(root / "seeds")
            recreate_in_reverse(root / "content")
        done = run_cli(root, "build", PYTHONHASHSEED=seed)
        assert done.returncode == 0, done.stderr
        trees.append(tree(root / "content"))
    assert trees[0] == trees[1]


DAY = int(datetime(2024, 3, 1, 15, 30, tzinfo=UTC).timestamp())


@pytest.fixture(scope="module")
def sites(tmp_path_factory) -> list[Path]:
    """Three full builds: two alike in all that should not matter, a third on another day."""
    built = []
    for n, (seed, epoch) in enumerate((("1", DAY), ("4242", DAY), ("1", DAY + 40 * 86400))):
        root = make_project(tmp_path_factory.mktemp(f"site-{n}") / ("deeper/" * n) / "project")
        if n == 1:
            recreate_in_reverse(root / "seeds")
            recreate_in_reverse(root / "content")
        done = run_mkdocs(root, root / "site", PYTHONHASHSEED=seed, SOURCE_DATE_EPOCH=str(epoch))
        assert done.returncode == 0, done.stderr[-2000:]
        built.append(root)
    return built


@pytest.mark.slow
def test_the_site_is_the_same_bytes_whatever_the_folder_hash_seed_and_file_order(sites):
    first, second, _ = sites
    assert tree(first / "content") == tree(second / "content")
    one, two = tree(first / "site"), tree(second / "site")
    assert sorted(one) == sorted(two)
    assert [name for name in one if one[name] != two[name]] == []


@pytest.mark.slow
def test_only_the_sitemap_carries_the_build_date(sites):
    """MkDocs dates every page of sitemap.xml (<lastmod>) with the day of the build, and gzip
    records that day in sitemap.xml.gz's header: two builds on different days differ there, and
    only there. SOURCE_DATE_EPOCH (the reproducible-builds convention MkDocs follows) fixes the
    day; without it, builds made the same UTC day are identical."""
    first, _, later = sites
    one, two = tree(first / "site"), tree(later / "site")
    assert sorted(name for name in one if one[name] != two[name]) == ["sitemap.xml", "sitemap.xml.gz"]
    day_one, day_two = (datetime.fromtimestamp(t, UTC).date().isoformat() for t in (DAY, DAY + 40 * 86400))
    assert one["sitemap.xml"].replace(day_one.encode(), day_two.encode()) == two["sitemap.xml"]
    assert one["sitemap.xml"].count(f"<lastmod>{day_one}</lastmod>".encode()) == one["sitemap.xml"].count(b"<url>")
    for site, day in ((first, day_one), (later, day_two)):
        data = (site / "site" / "sitemap.xml.gz").read_bytes()
        assert gzip.decompress(data) == (site / "site" / "sitemap.xml").read_bytes()
        stamp = int.from_bytes(data[4:8], "little")  # gzip header: MTIME
        assert datetime.fromtimestamp(stamp, UTC).isoformat() == f"{day}T00:00:00+00:00"
