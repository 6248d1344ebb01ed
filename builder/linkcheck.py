"""Check the links of a built site: every internal URL and #anchor resolves, external URLs are sane.

Stages, each a function over plain records: `scan_site` parses every page once (ids + URLs it
references) -> `check_site` resolves each reference as a browser would and returns `Broken`
records -> with `--external`, `check_external` fetches each distinct external URL once (cache,
retries, per-host politeness) -> `main` prints, sorted, and is the only place that exits.

MkDocs / Material internals are understood, not blanket-ignored:
- the theme's `<script id="__config">` names the search worker (relative to the page) and the
  `base` from which the search form loads `search/search_index.json` and `navigation.instant`
  loads `sitemap.xml`: these are checked as references of the page;
- `404.html` is rendered with root-absolute URLs built from `site_url` (it is served at any
  depth); `<link rel="canonical">` and `sitemap.xml` use full `site_url` URLs. So `site_url` is
  read from the home page's canonical link (or the sitemap), and URLs under it are internal;
- `sitemap.xml` is checked like a page whose `<loc>`s are links;
- `<link rel="preconnect" | "dns-prefetch">` name an origin to warm up (Material's Google Fonts
  preconnect): syntax-checked, never fetched, because an origin's root may well be a 404;
- `data-md-*` attributes are state for the theme's script, not URLs: we read URL attributes only.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import time
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, unquote, unquote_to_bytes, urljoin, urlsplit, urlunsplit

from selectolax.lexbor import LexborHTMLParser

from builder.external import DEFAULT_CACHE, Cache, FetchPolicy, check_external, external_summary
from builder.textfragment import DELIMITER, encode_part, fragment_problems

# --------------------------------------------------------------------------------------------
# Records
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, order=True)
class Broken:
    """One broken reference, as printed: `page: link: why`."""

    page: str
    """Path of the page relative to the site directory."""
    link: str
    """The URL exactly as the page writes it (so it can be found with grep)."""
    why: str

    def format(self) -> str:
        return f"{self.page}: {self.link}: {self.why}"


@dataclass(frozen=True)
class Reference:
    """A URL that a page makes the browser (or the theme's script) load or navigate to."""

    url: str
    source: str
    """Where it was written, e.g. `a[href]`; `__config[search]` for theme internals."""


@dataclass(frozen=True)
class Page:
    path: str
    """Relative to the site directory, '/'-separated."""
    anchors: frozenset[str]
    """Every id, plus the names of `<a name>` (both are fragment targets for browsers)."""
    references: tuple[Reference, ...]
    base: str = ""
    """The `<base href>` value, if any."""
    canonical: str = ""


@dataclass(frozen=True)
class SiteURL:
    """Where the site is published; URLs under it are internal."""

    origin: str
    """scheme://host[:port], lower-cased."""
    path: str
    """Always ends with '/'."""

    def page_url(self, rel_path: str) -> str:
        return self.origin + self.path + encode_path(rel_path)


# A made-up origin for sites without site_url: '.invalid' can never be a real host (RFC 2606).
_NO_SITE_URL = SiteURL("http://site.invalid", "/")


@dataclass
class Site:
    root: Path
    files: frozenset[str]
    dirs: frozenset[str]
    pages: dict[str, Page]
    site_url: SiteURL


@dataclass(frozen=True)
class External:
    """An external reference, kept for fetching with --external."""

    page: str
    link: str
    url: str
    """Absolute, without fragment: what is fetched (one fetch per distinct value)."""


@dataclass
class Outcome:
    """What checking the site found."""

    broken: list[Broken] = field(default_factory=list)
    pages: int = 0
    references: int = 0
    external: list[External] = field(default_factory=list)


# --------------------------------------------------------------------------------------------
# Scanning: parse each page once
# --------------------------------------------------------------------------------------------

# Elements and the attributes through which they load or link to one URL.
_URL_ATTRIBUTES: dict[str, tuple[str, ...]] = {
    "a": ("href",),
    "area": ("href",),
    "link": ("href",),
    "img": ("src",),
    "script": ("src",),
    "iframe": ("src",),
    "frame": ("src",),
    "embed": ("src",),
    "source": ("src",),
    "track": ("src",),
    "audio": ("src",),
    "video": ("src", "poster"),
    "input": ("src",),
    "object": ("data",),
    "form": ("action",),
    # A quotation's source: not navigated by browsers, but on a fact-check site it is the
    # reference that matters most.
    "blockquote": ("cite",),
    "q": ("cite",),
}
_SRCSET_TAGS = ("img", "source")
_URL_SELECTOR = ", ".join(
    [f"{tag}[{attr}]" for tag, attrs in _URL_ATTRIBUTES.items() for attr in attrs]
    + [f"{tag}[srcset]" for tag in _SRCSET_TAGS]
)
# Origins to warm up, not documents: there is nothing to fetch at them.
_ORIGIN_ONLY_RELS = frozenset({"preconnect", "dns-prefetch"})


def scan_site(root: Path, site_url: str | None = None) -> Site:
    """Index every file and parse every page of the site under `root`."""
    files, dirs = _list_files(root)
    pages = {}
    for rel in sorted(f for f in files if f.endswith((".html", ".htm"))):
        pages[rel] = parse_page(rel, (root / rel).read_bytes())
    url = _site_url_from(site_url) if site_url else detect_site_url(root, pages)
    return Site(root, files, dirs, pages, url)


def _list_files(root: Path) -> tuple[frozenset[str], frozenset[str]]:
    files, dirs = [], [""]
    for folder, subdirs, names in os.walk(root):
        rel = Path(folder).relative_to(root).as_posix()
        prefix = "" if rel == "." else rel + "/"
        dirs += [prefix + d for d in subdirs]
        files += [prefix + n for n in names]
    return frozenset(files), frozenset(dirs)


def parse_page(rel: str, html: bytes | str) -> Page:
    """Ids and references of one page (with a real HTML5 parser: what a browser would see)."""
    if isinstance(html, bytes):
        html = html.decode("utf-8", "replace")
    tree = LexborHTMLParser(html)
    anchors = {n.attributes.get("id") or "" for n in tree.css("[id]")}
    anchors |= {n.attributes.get("name") or "" for n in tree.css("a[name]")}
    anchors.discard("")
    references = list(_attribute_references(tree))
    references += _material_references(tree)
    base = tree.css_first("base[href]")
    canonical = tree.css_first('link[rel="canonical"][href]')
    return Page(
        rel,
        frozenset(anchors),
        tuple(references),
        base=(base.attributes.get("href") or "").strip() if base else "",
        canonical=(canonical.attributes.get("href") or "").strip() if canonical else "",
    )


def _attribute_references(tree: LexborHTMLParser) -> Iterator[Reference]:
    for node in tree.css(_URL_SELECTOR):
        tag, attrs = node.tag, node.attributes
        for attr in _URL_ATTRIBUTES.get(tag, ()):
            value = attrs.get(attr)
            if value is None:
                continue
            if tag == "link" and _ORIGIN_ONLY_RELS & set((attrs.get("rel") or "").lower().split()):
                yield Reference(value, "link[rel=preconnect]")
            else:
                yield Reference(value, f"{tag}[{attr}]")
        if tag in _SRCSET_TAGS and attrs.get("srcset"):
            yield from (Reference(url, f"{tag}[srcset]") for url in srcset_urls(attrs["srcset"] or ""))


def srcset_urls(srcset: str) -> list[str]:
    """The URLs of a `srcset` value (HTML's 'parse a srcset attribute', descriptors dropped)."""
    urls, pos, n = [], 0, len(srcset)
    while pos < n:
        while pos < n and (srcset[pos].isspace() or srcset[pos] == ","):
            pos += 1
        start = pos
        while pos < n and not srcset[pos].isspace():
            pos += 1
        url = srcset[start:pos]
        if url.endswith(","):
            url = url.rstrip(",")
        else:  # skip the descriptors, up to the comma that ends this candidate
            while pos < n and srcset[pos] != ",":
                pos += 1
        if url:
            urls.append(url)
    return urls


def _material_references(tree: LexborHTMLParser) -> list[Reference]:
    """URLs that Material's script loads, read from the page's `__config` (see module doc)."""
    node = tree.css_first("script#__config")
    if node is None:
        return []
    try:
        config = json.loads(node.text())
    except ValueError:
        return [Reference("", "__config: not valid JSON")]
    refs = []
    if isinstance(config.get("search"), str):
        refs.append(Reference(config["search"], "__config[search]"))
    base = config.get("base")
    if isinstance(base, str):
        base = base.rstrip("/") + "/"
        if tree.css_first('form[name="search"]') is not None:
            refs.append(Reference(base + "search/search_index.json", "__config[base] search index"))
        if "navigation.instant" in (config.get("features") or []):
            refs.append(Reference(base + "sitemap.xml", "__config[base] navigation.instant sitemap"))
    return refs


_CSS_URL = re.compile(r"""url\(\s*(?:"([^"]*)"|'([^']*)'|([^)'"\s]*))\s*\)|@import\s+(?:"([^"]*)"|'([^']*)')""")
_CSS_COMMENT = re.compile(r"/\*.*?\*/", re.S)


def css_urls(css: str) -> list[str]:
    """URLs a stylesheet loads (url() and @import), relative to the stylesheet itself."""
    found = (next(g for g in m.groups() if g is not None) for m in _CSS_URL.finditer(_CSS_COMMENT.sub("", css)))
    return [url for url in found if url and not url.startswith(("data:", "#"))]


def detect_site_url(root: Path, pages: dict[str, Page]) -> SiteURL:
    """site_url as MkDocs used it: the home page's canonical URL, else the sitemap's root."""
    home = pages.get("index.html")
    if home and home.canonical:
        return _site_url_from(home.canonical)
    locs = sitemap_locations(root / "sitemap.xml")
    absolute = [loc for loc in locs if urlsplit(loc).scheme in ("http", "https")]
    if absolute:
        return _site_url_from(min(absolute, key=len))
    return _NO_SITE_URL


def _site_url_from(url: str) -> SiteURL:
    parts = urlsplit(url)
    path = parts.path if parts.path.endswith("/") else parts.path.rsplit("/", 1)[0] + "/"
    return SiteURL(f"{parts.scheme}://{parts.netloc}".lower(), path)


def sitemap_locations(path: Path) -> list[str]:
    if not path.is_file():
        return []
    try:
        tree = ET.parse(path)
    except ET.ParseError:
        return []
    return [(el.text or "").strip() for el in tree.iter() if el.tag.rsplit("}", 1)[-1] == "loc"]


def encode_path(rel_path: str) -> str:
    """A site path as a URL path: non-ASCII and reserved bytes escaped, '/' kept."""
    return quote(rel_path, safe="/")


# --------------------------------------------------------------------------------------------
# Checking: resolve every reference as a browser would
# --------------------------------------------------------------------------------------------

_ASCII_WS = " \t\n\r\f"
_TAB_NEWLINE = re.compile(r"[\t\n\r]")
_BAD_ESCAPE = re.compile(r"%(?![0-9A-Fa-f]{2})")
_HOST_LABEL = re.compile(r"^(?!-)[A-Za-z0-9-]{1,63}(?<!-)$")
# Schemes whose URLs carry no location to check (data: holds its content; tel: a number).
_UNCHECKED_SCHEMES = frozenset({"data", "tel", "sms", "blob", "about"})


def check_site(site: Site) -> Outcome:
    outcome = Outcome(pages=len(site.pages))
    for page in site.pages.values():
        _check_page(site, page, page.references, outcome)
    for css in sorted(f for f in site.files if f.endswith(".css")):
        refs = tuple(Reference(url, "css url()") for url in css_urls((site.root / css).read_text("utf-8", "replace")))
        _check_page(site, Page(css, frozenset(), refs), refs, outcome)
    sitemap = site.root / "sitemap.xml"
    if sitemap.is_file():
        locs = tuple(Reference(loc, "sitemap <loc>") for loc in sitemap_locations(sitemap))
        _check_page(site, Page("sitemap.xml", frozenset(), locs), locs, outcome)
    outcome.broken = sorted(set(outcome.broken))
    return outcome


def _check_page(site: Site, page: Page, references: Iterable[Reference], outcome: Outcome) -> None:
    page_url = site.site_url.page_url(page.path)
    base = urljoin(page_url, _clean(page.base)) if page.base else page_url
    for ref in references:
        outcome.references += 1
        for why in _check_reference(site, page, base, ref, outcome):
            if ref.source.startswith("__config["):  # say who wants it: it is in no attribute
                why += f" (wanted by Material's script: {ref.source})"
            outcome.broken.append(Broken(page.path, ref.url, why))


def _clean(url: str) -> str:
    """What the URL parser does first: strip leading/trailing spaces, drop tabs and newlines."""
    return _TAB_NEWLINE.sub("", url.strip(_ASCII_WS))


def _check_reference(site: Site, page: Page, base: str, ref: Reference, outcome: Outcome) -> list[str]:
    if ref.source.startswith("__config:"):
        return [ref.source.removeprefix("__config: ")]
    raw = _clean(ref.url)
    try:
        absolute = urljoin(base, raw)
        parts = urlsplit(absolute)
    except ValueError as exc:  # e.g. an unclosed IPv6 bracket
        return [f"malformed URL ({exc})"]
    scheme = parts.scheme.lower()
    if scheme in ("http", "https"):
        if f"{scheme}://{parts.netloc}".lower() == site.site_url.origin:
            return _check_internal(site, parts)
        problems = http_url_problems(absolute)
        if not problems and ref.source != "link[rel=preconnect]":
            outcome.external.append(External(page.path, ref.url, urlunsplit(parts._replace(fragment=""))))
        return problems
    if scheme == "mailto":
        return mailto_problems(parts.path)
    if scheme == "javascript":
        return ["javascript: URL (script in a link; the builder never writes one)"]
    if scheme in _UNCHECKED_SCHEMES:
        return []
    return [f"unsupported scheme '{scheme}:'"] if scheme != "file" else ["file: URL (points into the author's disk)"]


def _check_internal(site: Site, parts) -> list[str]:
    path = parts.path or "/"
    if not (path + "/").startswith(site.site_url.path):
        return [f"outside the site (which is published under {site.site_url.path})"]
    rel = path[len(site.site_url.path) :]
    if _BAD_ESCAPE.search(rel):
        return ["bad percent-escape in path"]
    try:
        rel = unquote_to_bytes(rel).decode("utf-8")
    except UnicodeDecodeError:
        return ["path does not percent-decode to UTF-8"]
    target = _resolve_file(site, rel)
    if target is None:
        return [f"no such file: {rel or '/'}" + (" (no index.html)" if rel.rstrip("/") in site.dirs else "")]
    if parts.fragment and target in site.pages:
        return _fragment_problems(parts.fragment, site.pages[target])
    return []


def _resolve_file(site: Site, rel: str) -> str | None:
    """The file a static server (GitHub Pages, `mkdocs serve`) answers for a site path."""
    if rel == "" or rel.endswith("/"):
        rel += "index.html"
    elif rel in site.dirs:  # served as a redirect to the directory URL
        rel += "/index.html"
    if ".." in rel.split("/"):
        return None
    return rel if rel in site.files else None


def _fragment_problems(fragment: str, target: Page) -> list[str]:
    """Does `#fragment` point at something in `target`? HTML's 'indicated part of the document'."""
    problems = []
    if DELIMITER in fragment:
        problems += fragment_problems(fragment)
        fragment = fragment.split(DELIMITER, 1)[0]
    if not fragment:
        return problems
    # The URL parser escapes spaces, quotes and non-ASCII; browsers then try the escaped form,
    # the percent-decoded form, and 'top'.
    escaped = "".join(encode_part(c) if ord(c) > 0x7E or c in ' "<>`' else c for c in fragment)
    decoded = unquote(escaped, errors="replace")
    if escaped in target.anchors or decoded in target.anchors or decoded.lower() == "top":
        return problems
    return problems + [f"no element with id '{decoded}' in {target.path}"]


def http_url_problems(url: str) -> list[str]:
    """Syntax of an absolute http(s) URL: host, port, escapes, text fragment."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        return [f"malformed URL ({exc})"]
    problems = []
    host = parts.hostname or ""
    if not host:
        problems.append("no host (a missing '/' after the scheme?)")
    elif not _valid_host(host):
        problems.append(f"invalid host '{host}'")
    if port == 0:
        problems.append("port 0")
    if _BAD_ESCAPE.search(parts.path + parts.query):
        problems.append("bad percent-escape ('%' not followed by two hex digits)")
    if parts.fragment:
        problems += fragment_problems(parts.fragment)
    return problems


def _valid_host(host: str) -> bool:
    if host.startswith("[") or ":" in host:  # IPv6 literal: urlsplit already validated it
        return True
    try:
        ascii_host = host.encode("idna").decode("ascii") if not host.isascii() else host
    except UnicodeError:
        return False
    labels = ascii_host.rstrip(".").split(".")
    # A single label ('http://exemple/') is a typo on a public site, never a real address.
    return len(labels) > 1 and all(_HOST_LABEL.match(label) for label in labels)


def mailto_problems(path: str) -> list[str]:
    addresses = [a for a in unquote(path).split(",") if a.strip()]
    if not addresses:
        return ["mailto: without an address"]
    problems = []
    for address in addresses:
        local, at, domain = address.strip().rpartition("@")
        if not at or not local or not _valid_host(domain):
            problems.append(f"malformed e-mail address '{address.strip()}'")
    return problems


# --------------------------------------------------------------------------------------------
# Command line
# --------------------------------------------------------------------------------------------


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m builder linkcheck",
        description="Check internal links, anchors and external URLs of a built site.",
    )
    p.add_argument("site_dir", type=Path, help="the built site (mkdocs build's output)")
    p.add_argument("--external", action="store_true", help="also fetch every external http(s) URL")
    p.add_argument("--cache", type=Path, default=DEFAULT_CACHE, help=f"JSON cache file (default {DEFAULT_CACHE})")
    p.add_argument(
        "--cache-ttl",
        type=float,
        default=168.0,
        metavar="HOURS",
        help="how long a successful check is trusted (default 168)",
    )
    p.add_argument(
        "--timeout",
        type=float,
        default=FetchPolicy.timeout,
        metavar="S",
        help=f"seconds per request (default {FetchPolicy.timeout:g})",
    )
    p.add_argument("--retries", type=int, default=FetchPolicy.retries)
    p.add_argument(
        "--per-host",
        type=int,
        default=FetchPolicy.per_host,
        metavar="N",
        help="requests in flight per host (default %(default)s)",
    )
    p.add_argument(
        "--host-delay",
        type=float,
        default=FetchPolicy.host_delay,
        metavar="S",
        help="seconds between requests to one host (default %(default)s)",
    )
    p.add_argument("--site-url", help="where the site is published (default: read from the home page)")
    return p


def run(
    site_dir: Path,
    *,
    external: bool = False,
    policy: FetchPolicy | None = None,
    cache_path: Path = DEFAULT_CACHE,
    cache_ttl: float = 168 * 3600.0,
    site_url: str | None = None,
) -> tuple[list[Broken], list[str]]:
    """Check a site; returns the broken references and the summary lines. Prints nothing."""
    site = scan_site(site_dir, site_url)
    outcome = check_site(site)
    broken = list(outcome.broken)
    notes = []
    distinct = {e.url for e in outcome.external}
    if external:
        cache = Cache.load(cache_path, cache_ttl)
        if cache.problem:
            notes.append(f"linkcheck: {cache.problem}")
        results = check_external(distinct, policy or FetchPolicy(), cache)
        cache.save(cache_path, time.time())
        for ref in outcome.external:
            result = results[ref.url]
            if not result.ok:
                broken.append(Broken(ref.page, ref.link, result.error))
        notes.append(external_summary(results))
    broken = sorted(set(broken))
    pages = len({b.page for b in broken})
    notes.append(
        f"linkcheck: {outcome.pages} pages, {outcome.references} references "
        f"({len(distinct)} distinct external URLs): "
        + (f"{len(broken)} broken on {pages} page{'s' * (pages != 1)}" if broken else "all good")
    )
    return broken, notes


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if not args.site_dir.is_dir():
        print(f"linkcheck: error: {args.site_dir} is not a directory (build the site first)", file=sys.stderr)
        return 2
    policy = FetchPolicy(timeout=args.timeout, retries=args.retries, per_host=args.per_host, host_delay=args.host_delay)
    broken, notes = run(
        args.site_dir,
        external=args.external,
        policy=policy,
        cache_path=args.cache,
        cache_ttl=args.cache_ttl * 3600.0,
        site_url=args.site_url,
    )
    for item in broken:
        print(item.format())
    if os.environ.get("GITHUB_ACTIONS") == "true":
        for item in broken:  # workflow commands: shown on the run's summary page
            print(f"::error title=broken link::{item.format()}".replace("\n", "%0A"))
    for note in notes:
        print(note)
    return 1 if broken else 0


if __name__ == "__main__":
    sys.exit(main())
