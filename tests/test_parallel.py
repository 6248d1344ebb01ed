"""Pages rendered and staged by several processes: the same bytes as one process, and the same
guarantees when something goes wrong in one of them (nothing changed, nothing left behind).

A large site is shared between processes by default (write.PARALLEL_FROM pages); these tests ask
for several processes explicitly, on a corpus small enough to build in a second. Each runs the
builder in a fresh process: the builder never forks from a process that runs other threads, and
the test process runs some (Playwright's, for the browser tests).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import pytest
from refresh_golden import CASES
from strategies import PROJECT, environment, load, problem_lines, run_cli, save, tree, tree_with_times

from bench.corpus import make_corpus
from builder import markup, parallel, pipeline, validate

TEMPORARY = ".tmp-build-"


def run_python(code: str, *args: str) -> subprocess.CompletedProcess:
    """`code` in a fresh interpreter (one thread), with the project importable; sys.argv[1:] = args."""
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code), *args],
        cwd=PROJECT,
        capture_output=True,
        text=True,
        timeout=300,
        env=environment(PYTHONPATH=str(PROJECT)),
    )


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


def test_each_share_runs_in_a_process_of_its_own_and_gets_the_items_dealt_in_turn():
    done = run_python(
        """
        import json, os
        from builder import markup, parallel, pipeline, validate
        shares = parallel.map_shares(lambda share: (os.getpid(), list(share)), list(range(11)), 3)
        print(json.dumps({"parent": os.getpid(), "shares": shares}))
        """
    )
    assert done.returncode == 0, done.stderr
    answer = json.loads(done.stdout)
    pids = [pid for pid, _ in answer["shares"]]
    assert len(set(pids)) == 3 and answer["parent"] not in pids
    items = list(range(11))
    assert [share for _, share in answer["shares"]] == [items[0::3], items[1::3], items[2::3]]


def test_shares_in_the_background_run_while_the_block_does_and_an_error_stops_them(tmp_path):
    done = run_python(
        """
        import json, os, sys, time
        from pathlib import Path
        from builder import markup, parallel, pipeline, validate
        here = Path(sys.argv[1])
        def share(items):
            (here / f"{items[0]}.started").touch()
            if items[0] == "slow":
                time.sleep(60)
            return os.getpid()
        with parallel.in_background(share, ["a", "b"], 2) as results:
            deadline = time.monotonic() + 30
            while len(list(here.glob("*.started"))) < 2 and time.monotonic() < deadline:
                time.sleep(0.01)
            started = sorted(path.name for path in here.glob("*.started"))  # before results() is asked
            pids = results()
        begun = time.monotonic()
        try:
            with parallel.in_background(share, ["slow", "quick"], 2):
                raise KeyError("the block failed")
        except KeyError:
            pass
        print(json.dumps({"parent": os.getpid(), "pids": pids, "started": started,
                          "stopped_after": time.monotonic() - begun}))
        """,
        str(tmp_path),
    )
    assert done.returncode == 0, done.stderr
    answer = json.loads(done.stdout)
    assert answer["started"] == ["a.started", "b.started"]
    assert len(set(answer["pids"])) == 2 and answer["parent"] not in answer["pids"]
    assert answer["stopped_after"] < 30  # the slow share was stopped, not waited for


def test_every_markdown_field_is_converted_while_the_quotes_are_located(monkeypatch):
    """validate._markdown_texts reads the Markdown fields from the data before validation; a field
    it misses would only be converted afterwards, by convert_all (the basic case has every kind)."""
    monkeypatch.setattr(markup._renderer, "converted", {})
    late = []

    def convert_all(texts, processes=None):
        late.extend(text for text in texts if text not in markup._renderer.converted)
        real_convert_all(texts, processes)

    real_convert_all = markup.convert_all
    monkeypatch.setattr(validate, "convert_all", convert_all)
    project, report = pipeline.check(CASES / "basic", processes=1)
    assert project is not None, [problem.format() for problem in report.errors]
    kinds = {
        "description": [rating.description for rating in project.ratings],
        "summary": [claim.summary for claim in project.claims],
        "analysis": [claim.analysis for claim in project.claims if claim.analysis],
        "evidence note": [e.note for claim in project.claims for e in claim.evidence if e.note],
        "update note": [update.note for claim in project.claims for update in claim.updates],
    }
    assert all(kinds.values()), kinds  # the case holds each kind of field
    assert late == []


def test_one_process_runs_the_function_here():
    assert parallel.map_shares(lambda share: (os.getpid(), list(share)), [1, 2, 3], 1) == [(os.getpid(), [1, 2, 3])]


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


@pytest.mark.parametrize("jobs", [2, 3])
def test_several_processes_write_the_same_bytes_as_one(project, tmp_path, jobs):
    alone = tmp_path / "alone"
    shutil.copytree(project, alone, symlinks=True)
    one = run_cli(alone, "build", "--jobs", "1")
    shared = run_cli(project, "build", "--jobs", str(jobs))
    assert one.returncode == 0 and shared.returncode == 0, one.stderr + shared.stderr
    assert shared.stdout == one.stdout and int(one.stdout.split()[1]) > 150  # "built: N written, ..."
    assert tree(project / "content") == tree(alone / "content")
    again = run_cli(project, "build", "--jobs", str(jobs))
    assert again.stdout.startswith("built: 0 written")


def test_a_problem_found_in_one_process_changes_nothing(project):
    assert run_cli(project, "build", "--jobs", "1").returncode == 0
    claims = load(project)
    claims["claims"][0]["summary"] += " Modifié."
    for rating in claims["ratings"]:
        rating["label"] += " (révisé)"  # most pages change: every process stages some
    save(project, claims)
    squat = f"claims/{claims['claims'][-1]['id']}.md"
    (project / "content" / squat).write_text("# Ma version de la page\n", encoding="utf-8")
    before = tree_with_times(project / "content")
    done = run_cli(project, "build", "--jobs", "2")
    assert done.returncode == 1
    assert problem_lines(done.stderr) == [
        f"content/{squat}: error: a hand-written page stands where a generated page goes",
        "build failed, nothing written: 1 error, 0 warnings",
    ]
    assert tree_with_times(project / "content") == before


def test_a_full_disk_in_the_processes_changes_nothing_and_leaves_no_temporary_file(project):
    assert run_cli(project, "build", "--jobs", "1").returncode == 0
    claims = load(project)
    for rating in claims["ratings"]:
        rating["label"] += " (révisé)"
    save(project, claims)
    before = tree_with_times(project / "content")
    # Each process counts its own files (the patch is copied into the children by the fork): the
    # disk fills up in the middle of each one's staging.
    done = run_python(
        """
        import errno, os, sys
        from pathlib import Path
        from builder import pipeline, write

        calls = []

        def open_then_fill_the_disk(path, mode="r", *args, **kwargs):
            file = open(path, mode, *args, **kwargs)
            if "w" in mode:
                calls.append(path)
                if len(calls) == 20:
                    file.close()
                    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
            return file

        write.open = open_then_fill_the_disk
        try:
            pipeline.build(Path(sys.argv[1]), processes=2)
        except OSError as error:
            print("raised:", error.strerror)
        """,
        str(project),
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "raised: No space left on device"
    assert tree_with_times(project / "content") == before
    assert not [name for name in tree(project / "content") if TEMPORARY in name]
