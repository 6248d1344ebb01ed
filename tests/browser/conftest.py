"""Browser tests: the built site, served locally, driven by Debian's Chromium through Playwright.

One site build and one browser per session (the suite must stay fast on 2 cores); each test
gets fresh browser contexts, which are cheap and share nothing (storage, cache, palette).
Every request a page makes is recorded, so the tests can say that readers are not tracked.
"""

from __future__ import annotations

import functools
import http.server
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml

from .support import DESKTOP, ROOT

CHROMIUM = Path("/usr/bin/chromium")
REPO_URL = "https://github.com/example-org/factcheck-site"
AXE = ROOT / ".cache" / "axe-core" / "axe.min.js"

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    # Any host name but the local server fails at once instead of waiting on a network
    # that is not there; the requests are still recorded and reported by the tests.
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
]


# ---------------------------------------------------------------------------------------
# The project's data, read straight from the YAML files: expectations come from the input,
# not from the builder under test.


@dataclass(frozen=True)
class Project:
    claims: list[dict]
    ratings: list[dict]
    sources: list[dict]

    def claims_with_verdict(self, rating_id: str) -> list[dict]:
        return [c for c in self.claims if c["verdict"] == rating_id]


@pytest.fixture(scope="session")
def project() -> Project:
    claims = yaml.safe_load((ROOT / "claims.yaml").read_text(encoding="utf-8"))
    sources = yaml.safe_load((ROOT / "seeds" / "sources.yaml").read_text(encoding="utf-8"))
    return Project(claims=claims["claims"], ratings=claims["ratings"], sources=sources["sources"])


# ---------------------------------------------------------------------------------------
# The site: built once, served on a random free port of 127.0.0.1.


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@dataclass
class Site:
    root: Path
    url: str
    """Base URL, with its trailing slash."""

    @property
    def origin(self) -> str:
        parts = urlsplit(self.url)
        return f"{parts.scheme}://{parts.netloc}"

    def at(self, path: str) -> str:
        return self.url + path.lstrip("/")


@pytest.fixture(scope="session")
def site(tmp_path_factory) -> Iterator[Site]:
    out = tmp_path_factory.mktemp("site")
    handler = functools.partial(_QuietHandler, directory=str(out))
    # Bound before the build: the port must be known for SITE_URL, so that the canonical
    # and other absolute URLs of the pages point at this server.
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    url = f"http://127.0.0.1:{server.server_address[1]}/"
    # REPO_URL as the deploy workflow sets it (a GitHub repository): the published pages
    # carry the repository link, and whatever Material does with it must stay on this site.
    env = dict(os.environ, SITE_URL=url, REPO_URL=REPO_URL, NO_MKDOCS_2_WARNING="1")
    build = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(out)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
    )
    if build.returncode != 0:
        server.server_close()
        pytest.fail(f"mkdocs build --strict failed ({build.returncode}):\n{build.stdout}\n{build.stderr}")
    thread = threading.Thread(target=server.serve_forever, name="site-server", daemon=True)
    thread.start()
    try:
        yield Site(root=out, url=url)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


# ---------------------------------------------------------------------------------------
# The browser, and contexts that record what the pages do.


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: `make test` installs it (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            args=CHROMIUM_ARGS,
            headless=True,
        )
        try:
            yield browser
        finally:
            browser.close()


@dataclass
class Recorder:
    """What the pages of one context did: requests, failures, console errors."""

    origin: str
    requests: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    bad_status: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)

    def attach(self, context) -> None:
        context.on("request", lambda request: self.requests.append(request.url))
        context.on("requestfailed", lambda request: self.failed.append(f"{request.url}: {request.failure}"))
        context.on("response", self._response)
        context.on("page", self._page)

    def _response(self, response) -> None:
        if response.status >= 400:
            self.bad_status.append(f"{response.url}: HTTP {response.status}")

    def _page(self, page) -> None:
        page.on(
            "console",
            lambda message: (
                self.console_errors.append(f"{page.url}: {message.text} ({message.location})")
                if message.type == "error"
                else None
            ),
        )
        page.on("pageerror", lambda error: self.page_errors.append(f"{page.url}: {error}"))

    def foreign_requests(self) -> list[str]:
        """Requests to anywhere but the local server (data: and blob: URLs stay in the page)."""
        return [
            url
            for url in self.requests
            if not url.startswith(self.origin + "/") and urlsplit(url).scheme not in ("data", "blob")
        ]

    def problems(self) -> list[str]:
        return (
            [f"request to another host: {u}" for u in self.foreign_requests()]
            + [f"failed request: {f}" for f in self.failed]
            + [f"error status: {b}" for b in self.bad_status]
            + [f"console error: {c}" for c in self.console_errors]
            + [f"page error: {e}" for e in self.page_errors]
        )


@dataclass
class Browsing:
    context: object
    recorder: Recorder

    def new_page(self):
        return self.context.new_page()


@pytest.fixture
def open_context(browser, site):
    """Factory: open_context(viewport=..., color_scheme=..., java_script_enabled=...) -> Browsing.

    Contexts are closed after the test."""
    opened = []

    def make(viewport=DESKTOP, **options) -> Browsing:
        context = browser.new_context(viewport=viewport, locale="fr-FR", **options)
        context.set_default_timeout(10_000)
        recorder = Recorder(origin=site.origin)
        recorder.attach(context)
        opened.append(context)
        return Browsing(context, recorder)

    yield make
    for context in opened:
        context.close()


@pytest.fixture
def page(open_context):
    """A desktop page in a fresh context; its recorder is page.recorder."""
    browsing = open_context()
    page = browsing.new_page()
    page.recorder = browsing.recorder
    return page


@pytest.fixture(scope="session")
def axe_source() -> str:
    if not AXE.exists():
        pytest.fail(
            f"{AXE.relative_to(ROOT)} is missing: run `make test`, or "
            f"`python tests/fetch_axe.py {AXE.relative_to(ROOT)}`"
        )
    return AXE.read_text(encoding="utf-8")
