"""linkcheck --external against a local server only; a socket guard refuses any other address."""

from __future__ import annotations

import ipaddress
import socket
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from builder import external
from builder.external import Cache, FetchPolicy, HostGate, fetch
from builder.linkcheck import main, run

FAST = FetchPolicy(timeout=0.5, retries=1, backoff=0.05, max_retry_after=2.0, per_host=4, host_delay=0.0)


# ---------------------------------------------------------------------------------------------
# No traffic but to loopback
# ---------------------------------------------------------------------------------------------


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@pytest.fixture(autouse=True)
def loopback_only(monkeypatch):
    """Refuse name lookups and connections for anything but loopback (no DNS traffic either)."""
    real_getaddrinfo, real_connect = socket.getaddrinfo, socket.socket.connect
    attempts = []

    def getaddrinfo(host, *args, **kwargs):
        if not _is_loopback(str(host)):
            attempts.append(host)
            raise PermissionError(f"test guard: lookup of non-loopback host {host!r} refused")
        return real_getaddrinfo(host, *args, **kwargs)

    def connect(self, address):
        if self.family in (socket.AF_INET, socket.AF_INET6) and not _is_loopback(address[0]):
            attempts.append(address[0])
            raise PermissionError(f"test guard: connection to {address[0]!r} refused")
        return real_connect(self, address)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    monkeypatch.setattr(socket.socket, "connect", connect)
    for name in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    yield attempts


def test_the_guard_blocks_the_outside_world(loopback_only):
    result = fetch("https://example.org/", FAST, HostGate(1, 0))
    assert not result.ok and "test guard" in result.error
    assert loopback_only == ["example.org"]
    loopback_only.clear()


@pytest.fixture(autouse=True)
def no_outside_attempt(loopback_only):
    yield
    assert loopback_only == [], "the checker tried to reach a non-loopback address"


# ---------------------------------------------------------------------------------------------
# The local server
# ---------------------------------------------------------------------------------------------


class Handler(BaseHTTPRequestHandler):
    server: Server

    def do_HEAD(self):
        self.answer(body=False)

    def do_GET(self):
        self.answer(body=True)

    def answer(self, body: bool) -> None:
        srv = self.server
        path = self.path.split("?")[0]
        with srv.lock:
            srv.log.append((self.command, path, time.monotonic()))
            srv.hits[path] += 1
            hits = srv.hits[path]
            srv.in_flight += 1
            srv.max_in_flight = max(srv.max_in_flight, srv.in_flight)
        try:
            self.route(path, hits, body)
        finally:
            with srv.lock:
                srv.in_flight -= 1

    def route(self, path: str, hits: int, body: bool) -> None:
        if path == "/hang":  # accept, read the request, never answer
            self.server.release.wait(10)
            self.close_connection = True
            return
        if path.startswith("/slow/"):
            time.sleep(0.2)
        if path == "/moved":
            return self.reply(301, {"Location": "/ok"})
        if path == "/loop":
            return self.reply(302, {"Location": "/loop2"})
        if path == "/loop2":
            return self.reply(302, {"Location": "/loop"})
        if path == "/gone":
            return self.reply(404)
        if path == "/busy" and hits == 1:
            return self.reply(429, {"Retry-After": "1"})
        if path == "/toolong":
            return self.reply(429, {"Retry-After": "3600"})
        if path == "/nohead" and self.command == "HEAD":
            return self.reply(405)
        self.reply(200, body=b"<p>ok</p>" if body else b"")

    def reply(self, code: int, headers: dict | None = None, body: bytes = b"") -> None:
        self.send_response(code)
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if body:
            self.wfile.write(body)

    def log_message(self, *args):
        pass


class Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self):
        super().__init__(("127.0.0.1", 0), Handler)
        self.lock = threading.Lock()
        self.log: list[tuple[str, str, float]] = []
        self.hits: Counter = Counter()
        self.in_flight = self.max_in_flight = 0
        self.release = threading.Event()

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def requests(self) -> Counter:
        with self.lock:
            return Counter(f"{method} {path}" for method, path, _ in self.log)

    def reset(self) -> None:
        with self.lock:
            self.log.clear()
            self.hits.clear()
            self.max_in_flight = 0


@pytest.fixture
def server():
    srv = Server()
    thread = threading.Thread(target=srv.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield srv
    srv.release.set()
    srv.shutdown()
    srv.server_close()


@pytest.fixture
def sent(monkeypatch):
    """Every request the checker sends, to compare with what the server saw."""
    requests: Counter = Counter()
    real = external._request

    def spy(opener, url, method, policy):
        requests[f"{method} {url}"] += 1
        return real(opener, url, method, policy)

    monkeypatch.setattr(external, "_request", spy)
    return requests


def as_paths(sent: Counter, base: str) -> Counter:
    return Counter({key.replace(base, ""): n for key, n in sent.items()})


def site_linking(root: Path, base: str, paths: list[str]) -> Path:
    links = "".join(f'<a href="{base}{p}">x</a>' for p in paths)
    (root / "site" / "b").mkdir(parents=True)
    (root / "site" / "index.html").write_text(f"<html><body>{links}</body></html>", encoding="utf-8")
    # The same URL from a second page, with another fragment: still fetched once.
    (root / "site" / "b" / "index.html").write_text(f'<a href="{base}/ok#intro">x</a>', encoding="utf-8")
    return root / "site"


# ---------------------------------------------------------------------------------------------
# Tests
# ---------------------------------------------------------------------------------------------

ALL = ["/ok", "/moved", "/gone", "/busy", "/hang", "/nohead"]


def test_each_kind_of_answer(server, sent, tmp_path):
    site = site_linking(tmp_path, server.base, ALL)
    broken, notes = run(site, external=True, policy=FAST, cache_path=tmp_path / "cache.json")
    assert [b.format() for b in broken] == [
        f"index.html: {server.base}/gone: HTTP 404 Not Found",
        f"index.html: {server.base}/hang: timed out after 2 tries (0.5 s each)",
    ]
    assert notes[0] == "external: 6 URLs checked: 3 ok, 1 redirected, 2 broken (0 from cache)"
    assert server.requests() == Counter(
        {
            "HEAD /ok": 2,  # once for /ok, once at the end of /moved's redirect
            "HEAD /moved": 1,
            "HEAD /gone": 1,
            "GET /gone": 1,  # a HEAD 404 is confirmed by GET
            "HEAD /busy": 2,  # 429, then 200 after the Retry-After
            "HEAD /hang": 2,  # a timeout, one retry
            "HEAD /nohead": 1,
            "GET /nohead": 1,  # 405 to HEAD: GET
        }
    )
    assert as_paths(sent, server.base) == server.requests(), "a request went somewhere else"


def test_retry_after_is_honoured(server):
    result = fetch(f"{server.base}/busy", FAST, HostGate(4, 0))
    assert result.ok and result.attempts == 2
    (_, _, first), (_, _, second) = server.log
    assert second - first >= 0.95


def test_retry_after_beyond_the_cap_is_reported_not_waited(server):
    start = time.monotonic()
    result = fetch(f"{server.base}/toolong", FAST, HostGate(4, 0))
    assert time.monotonic() - start < 1
    assert result.error == ("HTTP 429 Too Many Requests (asks to retry after 3600 s, more than the 2 s we wait)")
    assert server.requests() == Counter({"HEAD /toolong": 1})


def test_redirect_loop(server):
    result = fetch(f"{server.base}/loop", FAST, HostGate(4, 0))
    assert result.error == "redirect loop"


def test_cache_remembers_successes_only(server, sent, tmp_path):
    cache = tmp_path / "nested" / "linkcheck.json"
    site = site_linking(tmp_path, server.base, ALL)
    run(site, external=True, policy=FAST, cache_path=cache)
    assert cache.is_file()
    server.reset()
    sent.clear()
    broken, notes = run(site, external=True, policy=FAST, cache_path=cache)
    assert notes[0] == "external: 6 URLs checked: 3 ok, 1 redirected, 2 broken (4 from cache)"
    assert len(broken) == 2
    assert set(server.requests()) == {"HEAD /gone", "GET /gone", "HEAD /hang"}
    assert as_paths(sent, server.base) == server.requests()


def test_cache_expires(tmp_path):
    cache = Cache(ttl=3600)
    cache.put(external.FetchResult("http://127.0.0.1/ok", 200, "http://127.0.0.1/ok"), now=1000.0)
    assert cache.get("http://127.0.0.1/ok", now=1000.0 + 3600).from_cache
    assert cache.get("http://127.0.0.1/ok", now=1000.0 + 3601) is None
    cache.save(tmp_path / "c.json", now=1000.0 + 3601)
    assert Cache.load(tmp_path / "c.json", ttl=3600).entries == {}, "expired entries are dropped on save"


def test_unreadable_cache_is_ignored_and_said(server, tmp_path):
    cache = tmp_path / "cache.json"
    cache.write_text("{not json", encoding="utf-8")
    site = site_linking(tmp_path, server.base, ["/ok"])
    broken, notes = run(site, external=True, policy=FAST, cache_path=cache)
    assert notes[0].startswith(f"linkcheck: ignoring unreadable cache {cache}:")
    assert broken == []


def test_per_host_politeness(server, tmp_path):
    policy = FetchPolicy(timeout=2, retries=0, per_host=2, host_delay=0.1, workers=6)
    site = site_linking(tmp_path, server.base, [f"/slow/{i}" for i in range(6)])
    broken, _ = run(site, external=True, policy=policy, cache_path=tmp_path / "c.json")
    assert broken == []
    assert server.max_in_flight <= 2
    starts = sorted(t for method, path, t in server.log if path.startswith("/slow/"))
    assert len(starts) == 6
    assert min(b - a for a, b in zip(starts, starts[1:], strict=False)) >= 0.09


def test_cli_summary_and_exit_code(server, sent, tmp_path, capsys):
    site = site_linking(tmp_path, server.base, ["/ok", "/gone"])
    code = main([str(site), "--external", "--cache", str(tmp_path / "c.json"), "--timeout", "1", "--host-delay", "0"])
    out = capsys.readouterr().out.splitlines()
    assert code == 1
    assert out == [
        f"index.html: {server.base}/gone: HTTP 404 Not Found",
        "external: 2 URLs checked: 1 ok, 0 redirected, 1 broken (0 from cache)",
        "linkcheck: 2 pages, 3 references (2 distinct external URLs): 1 broken on 1 page",
    ]
    assert as_paths(sent, server.base) == server.requests()


def test_without_external_nothing_is_fetched(server, sent, tmp_path, capsys):
    site = site_linking(tmp_path, server.base, ALL)
    assert main([str(site)]) == 0
    assert server.requests() == Counter() and sent == Counter()
