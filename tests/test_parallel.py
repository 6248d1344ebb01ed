"""Pages rendered and staged by several processes: the same bytes as one process, and the same
guarantees when something goes wrong in one of them (nothing changed, nothing left behind).

A large site is shared between processes by default (write.PARALLEL_FROM pages); these tests ask
for several processes explicitly, on a corpus small enough to build in a second.
"""

from __future__ import annotations

import errno
import os
import shutil
import threading
from pathlib import Path

import pytest
from strategies import load, save, tree, tree_with_times

from bench.corpus import make_corpus
from builder import parallel, write
from builder.pipeline import build

TEMPORARY = ".tmp-build-"


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("parallel") / "corpus"
    make_corpus(root, 120, seed=3)
    return root


@pytest.fixture
def project(corpus, tmp_path) -> Path:
    root = tmp_path / "project"
    shutil.copytree(corpus, root, symlinks=True)
    return root


def test_shares_deal_the_items_out_in_turn_and_keep_each_share_whole():
    items = list(range(11))
    shares = parallel.map_shares(list, items, 3)
    assert shares == [items[0::3], items[1::3], items[2::3]]
    assert parallel.map_shares(list, items, 1) == [items]


def test_a_share_runs_in_another_process():
    pids = parallel.map_shares(lambda share: os.getpid(), [1, 2], 2)
    assert len(set(pids)) == 2 and os.getpid() not in pids


def test_a_process_that_runs_other_threads_does_not_fork():
    """mkdocs serve runs its server in threads: a forked child could inherit a lock one of them
    held, and wait for it forever. There the shares run one after the other, here."""
    stop = threading.Event()
    server = threading.Thread(target=stop.wait)
    server.start()
    try:
        pids = parallel.map_shares(lambda share: os.getpid(), [1, 2], 2)
    finally:
        stop.set()
        server.join()
    assert pids == [os.getpid()]


@pytest.mark.parametrize("processes", [2, 3])
def test_several_processes_write_the_same_bytes_as_one(project, tmp_path, processes):
    alone = tmp_path / "alone"
    shutil.copytree(project, alone, symlinks=True)
    one = build(alone, processes=1)
    shared = build(project, processes=processes)
    assert not one.report.errors and not shared.report.errors
    assert shared.written == one.written and len(one.written) > 150
    assert tree(project / "content") == tree(alone / "content")
    again = build(project, processes=processes)
    assert again.written == [] and again.unchanged == one.written


def test_a_problem_found_in_one_process_changes_nothing(project):
    assert not build(project, processes=1).report.errors
    claims = load(project)
    claims["claims"][0]["summary"] += " Modifié."
    for rating in claims["ratings"]:
        rating["label"] += " (révisé)"  # most pages change: every process stages some
    save(project, claims)
    squat = project / "content" / "claims" / f"{claims['claims'][-1]['id']}.md"
    squat.write_text("# Ma version de la page\n", encoding="utf-8")
    before = tree_with_times(project / "content")
    result = build(project, processes=2)
    assert [problem.message for problem in result.report.errors] == [
        "a hand-written page stands where a generated page goes"
    ]
    assert result.written == []
    assert tree_with_times(project / "content") == before


def test_a_full_disk_in_one_process_changes_nothing_and_leaves_no_temporary_file(project, monkeypatch):
    assert not build(project, processes=1).report.errors
    claims = load(project)
    for rating in claims["ratings"]:
        rating["label"] += " (révisé)"
    save(project, claims)
    before = tree_with_times(project / "content")
    real_open = open
    calls = []

    def open_then_fill_the_disk(path, mode="r", *args, **kwargs):
        file = real_open(path, mode, *args, **kwargs)
        # Each process counts its own files (the patch is copied into the children by the fork):
        # the disk fills up in the middle of each one's staging.
        if "w" in mode:
            calls.append(path)
            if len(calls) == 20:
                file.close()
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return file

    monkeypatch.setattr(write, "open", open_then_fill_the_disk, raising=False)
    with pytest.raises(OSError, match="No space left"):
        build(project, processes=2)
    assert tree_with_times(project / "content") == before
    assert not [name for name in tree(project / "content") if TEMPORARY in name]
