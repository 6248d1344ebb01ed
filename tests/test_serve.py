"""The live preview (`make serve`: `mkdocs serve --livereload`), driven for real.

A server runs on a copy of the project. An edit to claims.yaml shows on the claim's page
within seconds; a broken edit is printed with its place while the server keeps answering
with the last good pages; the fix brings the page back; and the builder's own writes into
content/ never start a rebuild loop.
"""

from __future__ import annotations

import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from helpers import copy_project

from builder.load import load_yaml

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent
MKDOCS = str(Path(sys.executable).with_name("mkdocs"))
BUILDING = "Building documentation"
SETTLED = 4.0
"""Seconds without a new build after which the server counts as idle (the watcher polls every 0.5 s)."""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(condition: Callable[[], object], timeout: float, what: str, every: float = 0.1):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = condition()
        if result:
            return result
        time.sleep(every)
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")


@dataclass
class Server:
    project: Path
    url: str
    log_path: Path
    process: subprocess.Popen

    @property
    def claims(self) -> Path:
        return self.project / "claims.yaml"

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def builds(self) -> int:
        return self.log().count(BUILDING)

    def get(self, path: str) -> tuple[int, str]:
        """Status and body; a server that holds the request counts as not answering."""
        assert self.process.poll() is None, f"the server stopped:\n{self.log()}"
        try:
            with urllib.request.urlopen(self.url + path, timeout=10) as response:
                return response.status, response.read().decode("utf-8")
        except urllib.error.HTTPError as error:
            return error.code, ""
        except (TimeoutError, urllib.error.URLError) as error:
            raise AssertionError(f"{path}: no answer ({error})\n{self.log()}") from error

    def settle(self) -> int:
        """Wait until no build has started for SETTLED seconds; the number of builds."""
        count, since = self.builds(), time.monotonic()
        deadline = since + 30
        while time.monotonic() - since < SETTLED:
            assert time.monotonic() < deadline, f"the server keeps rebuilding:\n{self.log()}"
            time.sleep(0.25)
            if self.builds() != count:
                count, since = self.builds(), time.monotonic()
        return count


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    project = copy_project(tmp_path / "project")
    port = free_port()
    log_path = tmp_path / "serve.log"
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    with open(log_path, "w", encoding="utf-8") as log:
        process = subprocess.Popen(
            [MKDOCS, "serve", "--livereload", "-a", f"127.0.0.1:{port}"],
            cwd=project,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,  # its own process group, killed whole below
        )
    running = Server(project, f"http://127.0.0.1:{port}/", log_path, process)
    try:
        wait_for(lambda: "Serving on" in running.log() or process.poll() is not None, 120, "the server to start")
        assert process.poll() is None, running.log()
        yield running
    finally:
        for sig, grace in ((signal.SIGTERM, 10), (signal.SIGKILL, 10)):
            try:
                os.killpg(process.pid, sig)
                process.wait(timeout=grace)
                break
            except ProcessLookupError:
                break
            except subprocess.TimeoutExpired:
                continue


def first_claim(claims: Path) -> tuple[str, dict]:
    doc, problems = load_yaml(claims, "claims.yaml")
    assert not problems
    return doc.data["claims"][0]["id"], doc


def insert_in_summary(claims: Path, doc, word: str) -> None:
    """Put `word` at the start of the first claim's summary (a `>-` block)."""
    key = doc.keys[("claims", 0, "summary")]
    lines = claims.read_text(encoding="utf-8").split("\n")
    assert lines[key.line - 1].strip() == "summary: >-", lines[key.line - 1]
    body = lines[key.line]
    indent = len(body) - len(body.lstrip(" "))
    lines[key.line] = body[:indent] + word + " " + body[indent:]
    claims.write_text("\n".join(lines), encoding="utf-8")


def test_an_edit_shows_within_seconds_and_the_rebuilds_stop(server: Server, record_property):
    claim_id, doc = first_claim(server.claims)
    page = f"claims/{claim_id}/"
    status, before = server.get(page)
    assert status == 200
    assert "livereload" in before, "the page should carry the live-reload script (--livereload)"
    idle = server.settle()

    word = "Relecture" + secrets.token_hex(4)
    insert_in_summary(server.claims, doc, word)
    edited = time.monotonic()
    wait_for(lambda: word in server.get(page)[1], 30, "the edit to show on the page")
    seconds = time.monotonic() - edited
    record_property("edit_to_page_seconds", round(seconds, 2))
    print(f"\nedit to page: {seconds:.2f} s")
    assert seconds < 5, f"the edit took {seconds:.1f} s to show"

    after = server.settle()
    # One build for the edit, at most one quiet one for the pages the builder wrote; then none.
    assert idle < after <= idle + 2, server.log()
    time.sleep(SETTLED)
    assert server.builds() == after, f"rebuilds went on after the edit settled:\n{server.log()}"
    assert "builder: " in server.log().split(BUILDING)[idle + 1]  # the edit's build wrote its pages
    assert "Traceback" not in server.log()


def test_a_broken_edit_is_located_and_the_last_good_pages_stay(server: Server):
    claim_id, doc = first_claim(server.claims)
    page = f"claims/{claim_id}/"
    verdict = doc.data["claims"][0]["verdict"]
    _, good = server.get(page)
    assert f"verdict--{verdict}" in good
    idle = server.settle()

    where = doc.values[("claims", 0, "verdict")]
    original = server.claims.read_text(encoding="utf-8")
    lines = original.split("\n")
    line = lines[where.line - 1]
    assert line[where.column - 1 :].startswith(verdict)
    lines[where.line - 1] = line[: where.column - 1] + "inexact" + line[where.column - 1 + len(verdict) :]
    server.claims.write_text("\n".join(lines), encoding="utf-8")

    located = f"claims.yaml:{where.line}:{where.column}: error: unknown verdict 'inexact'"
    wait_for(lambda: located in server.log(), 30, "the located error in the server's log")
    wait_for(lambda: "still serving the last good pages" in server.log(), 10, "the server to say it keeps the pages")
    broken = server.settle()
    assert broken > idle
    status, shown = server.get(page)
    assert status == 200 and f"verdict--{verdict}" in shown, "the last good page should still be served"
    log = server.log()
    for failure in ("Traceback", "Aborted", "An error happened during the rebuild"):
        assert failure not in log, log

    # What the guide shows for this mistake is what the server prints (up to the place).
    guide = (ROOT / "content" / "contribuer.md").read_text(encoding="utf-8")
    shown_in_guide = re.search(r"<!-- journal-serve-testé -->\n```text\n(.*?)\n```", guide, re.S)[1]
    for expected in shown_in_guide.splitlines():
        expected = re.sub(r"claims\.yaml:\d+:\d+:", f"claims.yaml:{where.line}:{where.column}:", expected)
        assert expected in log.splitlines(), f"the guide shows {expected!r}; the server printed:\n{log}"

    # The fix, with a new word in the summary to see the page really rebuilt from it.
    word = "Corrige" + secrets.token_hex(4)
    server.claims.write_text(original, encoding="utf-8")
    insert_in_summary(server.claims, doc, word)
    wait_for(lambda: word in server.get(page)[1], 30, "the fixed page")
    status, fixed = server.get(page)
    assert status == 200 and f"verdict--{verdict}" in fixed
    after = server.settle()
    time.sleep(SETTLED)
    assert server.builds() == after <= broken + 2, server.log()
    assert server.log().count("still serving the last good pages") == 1
