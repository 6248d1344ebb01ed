"""Fetch external URLs for `linkcheck --external`: each distinct URL once, politely.

HEAD first, then GET when the answer is doubtful; timeouts; retries with exponential backoff
for 429, 5xx and timeouts (honouring Retry-After up to a cap); at most a few requests in flight
per host, with a pause between them; and a JSON cache of successes with an expiry.
"""

from __future__ import annotations

import email.utils
import json
import os
import socket
import threading
import time
import urllib.error
import urllib.request
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.client import HTTPException
from pathlib import Path
from urllib.parse import urljoin, urlsplit


@dataclass(frozen=True)
class FetchPolicy:
    timeout: float = 10.0
    """Seconds to wait for a connection or an answer, per request."""
    retries: int = 2
    """Further attempts after a 429, a 5xx or a timeout."""
    backoff: float = 1.0
    """First retry delay in seconds; doubles at each attempt."""
    max_retry_after: float = 30.0
    """A Retry-After longer than this is not waited for: the URL is reported instead."""
    per_host: int = 2
    """At most this many requests in flight to one host."""
    host_delay: float = 0.5
    """At least this many seconds between the starts of two requests to one host."""
    workers: int = 8
    max_redirects: int = 10
    user_agent: str = "factcheck-linkcheck/1.0 (+https://github.com/; static site link checker)"


@dataclass(frozen=True)
class FetchResult:
    url: str
    status: int | None = None
    final_url: str = ""
    error: str = ""
    """Why it failed, for a network failure or an error status."""
    attempts: int = 0
    from_cache: bool = False

    @property
    def ok(self) -> bool:
        return not self.error

    @property
    def redirected(self) -> bool:
        return bool(self.final_url) and self.final_url != self.url


# A HEAD answer like these may only mean the server mishandles HEAD (405 and 501 by the book;
# 403/404 from some CDNs and app routers), so GET gets the last word.
_HEAD_DOUBTFUL = frozenset({400, 403, 404, 405, 406, 501})


class HostGate:
    """Politeness per host: a bounded number of requests in flight, and spaced starts."""

    def __init__(self, per_host: int, min_interval: float) -> None:
        self._per_host, self._interval = per_host, min_interval
        self._lock = threading.Lock()
        self._slots: dict[str, threading.Semaphore] = {}
        self._next_start: dict[str, float] = defaultdict(float)

    @contextmanager
    def slot(self, host: str) -> Iterator[None]:
        with self._lock:
            semaphore = self._slots.setdefault(host, threading.Semaphore(self._per_host))
        with semaphore:
            with self._lock:
                now = time.monotonic()
                start = max(now, self._next_start[host])
                self._next_start[host] = start + self._interval
            if start > now:
                time.sleep(start - now)
            yield


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """Redirects are followed by hand, so each hop goes through the host gate and keeps HEAD."""

    def redirect_request(self, *args, **kwargs):
        return None


def _build_opener() -> urllib.request.OpenerDirector:
    return urllib.request.build_opener(_NoRedirect)


@dataclass(frozen=True)
class _Answer:
    status: int | None
    location: str = ""
    retry_after: float | None = None
    error: str = ""
    retryable: bool = False


def _request(opener, url: str, method: str, policy: FetchPolicy) -> _Answer:
    request = urllib.request.Request(url, method=method, headers={"User-Agent": policy.user_agent})
    try:
        with opener.open(request, timeout=policy.timeout) as response:
            return _Answer(response.status)
    except urllib.error.HTTPError as exc:
        exc.close()
        return _answer_for_status(exc.code, exc.reason, exc.headers)
    except urllib.error.URLError as exc:
        return _answer_for_network_error(exc.reason)
    except (OSError, HTTPException) as exc:  # timeouts and resets while reading the answer
        return _answer_for_network_error(exc)


def _answer_for_status(code: int, reason: str, headers) -> _Answer:
    if 300 <= code < 400:
        return _Answer(code, location=headers.get("Location", ""))
    retry_after = _retry_after_seconds(headers.get("Retry-After"))
    return _Answer(
        code, retry_after=retry_after, error=f"HTTP {code} {reason}".strip(), retryable=code == 429 or code >= 500
    )


def _answer_for_network_error(reason) -> _Answer:
    if isinstance(reason, (TimeoutError, socket.timeout)):
        return _Answer(None, error="timed out", retryable=True)
    if isinstance(reason, (ConnectionResetError, HTTPException)):
        return _Answer(None, error=f"connection dropped ({reason.__class__.__name__})", retryable=True)
    if isinstance(reason, socket.gaierror):
        return _Answer(None, error=f"host not found ({reason.strerror})")
    if isinstance(reason, ConnectionRefusedError):
        return _Answer(None, error="connection refused")
    return _Answer(None, error=str(reason))


def _retry_after_seconds(value: str | None) -> float | None:
    if not value:
        return None
    if value.strip().isdigit():
        return float(value.strip())
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def fetch(url: str, policy: FetchPolicy, gate: HostGate, opener=None, sleep=time.sleep) -> FetchResult:
    """Check one URL: HEAD (GET when HEAD is doubtful), redirects followed, retries with backoff."""
    opener = opener or _build_opener()
    attempts = 0
    answer = _Answer(None)
    current = url
    for attempt in range(policy.retries + 1):
        attempts += 1
        answer, current = _follow(opener, url, policy, gate)
        if not answer.retryable or attempt == policy.retries:
            break
        delay = policy.backoff * 2**attempt
        if answer.retry_after is not None:
            if answer.retry_after > policy.max_retry_after:
                return FetchResult(
                    url,
                    answer.status,
                    current,
                    attempts=attempts,
                    error=f"{answer.error} (asks to retry after {answer.retry_after:.0f} s,"
                    f" more than the {policy.max_retry_after:.0f} s we wait)",
                )
            delay = max(delay, answer.retry_after)
        sleep(delay)
    if answer.error:
        tries = f" after {attempts} tries" if attempts > 1 else ""
        timeout = f" ({policy.timeout:g} s each)" if answer.error == "timed out" else ""
        return FetchResult(url, answer.status, current, answer.error + tries + timeout, attempts)
    return FetchResult(url, answer.status, current, attempts=attempts)


def _follow(opener, url: str, policy: FetchPolicy, gate: HostGate) -> tuple[_Answer, str]:
    current, seen = url, {url}
    for _ in range(policy.max_redirects + 1):
        host = urlsplit(current).netloc.lower()
        with gate.slot(host):
            answer = _request(opener, current, "HEAD", policy)
        if answer.status in _HEAD_DOUBTFUL:
            with gate.slot(host):
                answer = _request(opener, current, "GET", policy)
        if not answer.location:
            return answer, current
        current = urljoin(current, answer.location)
        if current in seen:
            return _Answer(answer.status, error="redirect loop"), current
        seen.add(current)
        if urlsplit(current).scheme not in ("http", "https"):
            return _Answer(answer.status, error=f"redirects to a non-web URL {current}"), current
    return _Answer(None, error=f"more than {policy.max_redirects} redirects"), current


# --------------------------------------------------------------------------------------------
# The cache: successes are remembered for a while, failures never (a fixed link must turn green
# at the next run, and a broken one is what we want to look at again).
# --------------------------------------------------------------------------------------------

DEFAULT_CACHE = Path(".cache/linkcheck.json")
_CACHE_VERSION = 1


@dataclass
class Cache:
    entries: dict[str, dict] = field(default_factory=dict)
    ttl: float = 7 * 24 * 3600.0
    problem: str = ""
    """Why an existing cache file could not be read (it is then ignored and rewritten)."""

    @classmethod
    def load(cls, path: Path, ttl: float) -> Cache:
        if not path.is_file():
            return cls(ttl=ttl)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            if data.get("version") != _CACHE_VERSION or not isinstance(data.get("entries"), dict):
                raise ValueError("unknown format")
        except (OSError, ValueError, AttributeError) as exc:
            return cls(ttl=ttl, problem=f"ignoring unreadable cache {path}: {exc}")
        return cls(data["entries"], ttl)

    def get(self, url: str, now: float) -> FetchResult | None:
        entry = self.entries.get(url)
        if not entry or now - entry.get("checked", 0) > self.ttl:
            return None
        return FetchResult(url, entry.get("status"), entry.get("final_url", ""), attempts=0, from_cache=True)

    def put(self, result: FetchResult, now: float) -> None:
        if result.ok:
            self.entries[result.url] = {"checked": now, "status": result.status, "final_url": result.final_url}

    def save(self, path: Path, now: float) -> None:
        fresh = {u: e for u, e in self.entries.items() if now - e.get("checked", 0) <= self.ttl}
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_text(
            json.dumps({"version": _CACHE_VERSION, "entries": fresh}, indent=1, sort_keys=True), encoding="utf-8"
        )
        os.replace(tmp, path)


def check_external(
    urls: Iterable[str], policy: FetchPolicy, cache: Cache, now: float | None = None
) -> dict[str, FetchResult]:
    """Fetch each distinct URL once (the cache first), politely; returns one result per URL."""
    now = time.time() if now is None else now
    results: dict[str, FetchResult] = {}
    todo = []
    for url in sorted(set(urls)):
        cached = cache.get(url, now)
        if cached:
            results[url] = cached
        else:
            todo.append(url)
    gate, opener = HostGate(policy.per_host, policy.host_delay), _build_opener()
    with ThreadPoolExecutor(max_workers=max(1, policy.workers)) as pool:
        for result in pool.map(lambda u: fetch(u, policy, gate, opener), todo):
            results[result.url] = result
            cache.put(result, now)
    return results


def external_summary(results: dict[str, FetchResult]) -> str:
    counts = Counter()
    for r in results.values():
        counts["broken" if not r.ok else "redirected" if r.redirected else "ok"] += 1
        counts["cache"] += r.from_cache
    return (
        f"external: {len(results)} URLs checked: {counts['ok']} ok, {counts['redirected']} redirected,"
        f" {counts['broken']} broken ({counts['cache']} from cache)"
    )
