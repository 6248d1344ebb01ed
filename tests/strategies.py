"""Inputs for the hostile-input tests (test_hostile, test_fuzz, test_atomic).

Two kinds: copies of the real project (claims.yaml, seeds/, the MkDocs configuration and the
hand-written pages) that a test may break as it likes, with helpers to run the builder and
MkDocs on them; and hypothesis strategies that write claims files, valid ones made of the real
seeds' sentences and hostile text, and broken ones (keys deleted, renamed or written twice,
wrong types, tags, aliases, bytes that are not UTF-8, cut-off files), and source texts in
arbitrary Unicode.
"""

from __future__ import annotations

import copy
import hashlib
import os
import re
import subprocess
import sys
from pathlib import Path

import markdown
import yaml
from helpers import copy_project
from hypothesis import strategies as st
from mkdocs.utils.yaml import yaml_load
from selectolax.lexbor import LexborHTMLParser

from builder import markup

PROJECT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
CLAIMS, SOURCES = "claims.yaml", "seeds/sources.yaml"

LOCATED = re.compile(
    r"(?P<file>[^\s:][^:\n]*):(?P<line>[1-9]\d*):(?P<column>[1-9]\d*): (?P<severity>error|warning): \S"
)
"""The first line of every problem the builder prints about a place in a file."""
FILE_LEVEL = re.compile(r"(?P<file>[^\s:][^:\n]*): (?P<severity>error|warning): \S")
"""A problem about a whole file (too large, cannot be read, several documents): no line to give."""


# --- projects ---------------------------------------------------------------------------


def make_project(root: Path) -> Path:
    """A copy of the project in `root` (tests/helpers.py), with seeds/ writable: tests rewrite sources."""
    copy_project(root)
    for path in (root / "seeds").iterdir():
        path.chmod(0o644)  # the archived seeds are read-only
    return root


def mkdocs_config(root: Path) -> dict:
    with open(root / "mkdocs.yml", encoding="utf-8") as file:
        return yaml_load(file)


def load(root: Path, name: str = CLAIMS) -> dict:
    return yaml.safe_load((root / name).read_text(encoding="utf-8"))


class _Dumper(yaml.SafeDumper):
    def ignore_aliases(self, data) -> bool:
        return True  # a value used twice is written twice: aliases are refused


def dump(data: dict) -> str:
    return yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=1_000_000)


def save(root: Path, data: dict, name: str = CLAIMS) -> None:
    (root / name).write_text(dump(data), encoding="utf-8")


def repin(root: Path) -> None:
    """Record the current SHA-256 of every source file, as `builder pin` would."""
    data = load(root, SOURCES)
    for entry in data["sources"]:
        entry["sha256"] = hashlib.sha256((root / "seeds" / entry["file"]).read_bytes()).hexdigest()
    save(root, data, SOURCES)


def environment(**extra: str) -> dict[str, str]:
    """The environment for a builder or MkDocs run: nothing from the caller's that changes output."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("SITE_URL", "REPO_URL", "SOURCE_DATE_EPOCH", "GITHUB_ACTIONS", "PYTHONHASHSEED")
    }
    env["NO_MKDOCS_2_WARNING"] = "1"
    env.update(extra)
    return env


def run_cli(root: Path, *args: str, timeout: float = 300, **env: str) -> subprocess.CompletedProcess:
    # Run from outside the project, as the command is documented: `--root` names it.
    return subprocess.run(
        [sys.executable, "-m", "builder", "--root", str(root), *args],
        cwd=root.parent,
        capture_output=True,
        text=True,
        timeout=timeout,
        env=environment(**env),
    )


def run_mkdocs(root: Path, site: Path, timeout: float = 600, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(BIN / "mkdocs"), "build", "--strict", "--site-dir", str(site)],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=timeout,
        env=environment(**env),
    )


def tree(root: Path) -> dict[str, bytes]:
    """Every file under root (links included, as links), by relative path, with its bytes."""
    if not root.exists():
        return {}
    out = {}
    for path in sorted(root.rglob("*")):
        name = path.relative_to(root).as_posix()
        if path.is_symlink():
            out[name] = b"-> " + os.readlink(path).encode()
        elif path.is_file():
            out[name] = path.read_bytes()
    return out


def tree_with_times(root: Path) -> dict[str, tuple[bytes, int]]:
    """As tree(), with each file's modification time: "untouched" means not even rewritten."""
    return {name: (data, (root / name).lstat().st_mtime_ns) for name, data in tree(root).items()}


def problem_lines(text: str) -> list[str]:
    """The first line of each problem in a report (hints are the indented lines under it)."""
    return [line for line in text.splitlines() if line and not line.startswith(" ")]


# --- pages as HTML ------------------------------------------------------------------------


def page_renderer(root: Path = PROJECT) -> markdown.Markdown:
    """Python-Markdown configured as MkDocs configures it for this site."""
    names, configs = ["toc", "tables", "fenced_code"], {}  # MkDocs always adds these three
    for item in mkdocs_config(root).get("markdown_extensions") or []:
        name, config = (item, {}) if isinstance(item, str) else next(iter(item.items()))
        if name not in names:
            names.append(name)
        configs[name] = config or {}
    return markdown.Markdown(extensions=names, extension_configs=configs)


def page_html(renderer: markdown.Markdown, page: str) -> LexborHTMLParser:
    """A generated Markdown page (front matter removed) as MkDocs would turn it into HTML."""
    if page.startswith("---\n"):
        page = page.split("\n---\n", 1)[1]
    renderer.reset()
    return LexborHTMLParser(f"<html><body>{renderer.convert(page)}</body></html>")


def shape(tree_: LexborHTMLParser) -> set:
    """The kinds of element, and of attribute on each kind, that a page holds."""
    found = set()
    for node in tree_.root.traverse(include_text=False):
        found.add(node.tag)
        found.update((node.tag, name) for name in node.attributes)
    return found


def words(text: str) -> str:
    return " ".join(text.split())


MARKDOWN_CONTAINERS = "div.summary, div.analysis, div.evidence__note, div.rating-description, ol.updates"
"""Where the editors' Markdown fields land, rendered by the builder."""
MARKDOWN_TAGS = markup._TAGS | {"div", "ol", "li", "time"}  # ol.updates holds each note after a <time>
MARKDOWN_ATTRIBUTES = {("a", "href"), ("a", "title"), ("a", "rel"), ("time", "datetime")}


def outside_markdown(page: LexborHTMLParser) -> set:
    """The shape of a page without the Markdown fields (which may ask for emphasis and links)."""
    for node in page.css(MARKDOWN_CONTAINERS):
        node.decompose()
    return shape(page)


def markdown_overreach(page: LexborHTMLParser) -> list[str]:
    """What the Markdown fields of a page hold beyond their allowlist."""
    found = []
    for container in page.css(MARKDOWN_CONTAINERS):
        for node in container.traverse(include_text=False):
            if node.tag not in MARKDOWN_TAGS:
                found.append(f"<{node.tag}> in {container.html[:200]}")
            if node.mem_id == container.mem_id:
                continue  # the builder's own container, with its class
            for name, value in node.attributes.items():
                if (node.tag, name) not in MARKDOWN_ATTRIBUTES:
                    found.append(f"{node.tag}[{name}] in {container.html[:200]}")
                elif name == "href" and markup.url_scheme(value or "") not in markup.ALLOWED_SCHEMES:
                    found.append(f"a[href={value!r}] in {container.html[:200]}")
    return found


def dangerous_attributes(page: LexborHTMLParser) -> list[str]:
    """Event handlers, and addresses with a scheme that runs code, anywhere in a page."""
    found = []
    for node in page.root.traverse(include_text=False):
        for name, value in node.attributes.items():
            if name.lower().startswith("on"):
                found.append(f"{node.tag}[{name}]")
            elif name in ("href", "src", "action", "formaction") and value:
                if markup.url_scheme(value) in ("javascript", "data", "vbscript"):
                    found.append(f"{node.tag}[{name}={value!r}]")
    return found


# --- text ---------------------------------------------------------------------------------


def _sentences() -> list[str]:
    found = []
    for path in sorted((PROJECT / "seeds").glob("*.txt")):
        for sentence in re.split(r"(?<=[.!?»])\s+", path.read_text(encoding="utf-8")):
            if 20 <= len(sentence) <= 300:
                found.append(" ".join(sentence.split()))
    return found


SENTENCES = _sentences()

HOSTILE = [
    "</script>",
    "<!--",
    "-->",
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "'><svg onload=alert(1)>",
    "</title><script>alert(1)</script>",
    "</textarea>",
    "<style>*{}</style>",
    "]]>",
    "<![CDATA[x]]>",
    "<?php ?>",
    '"',
    "'",
    "&",
    "&amp;",
    "&lt;b&gt;",
    "&#x3C;script&#x3E;",
    "&#0;",
    '{: onclick="alert(1)" }',
    "{ #ident .cls onmouseover=alert(1) }",
    "{:",
    "}",
    "| a | b |",
    "|---|",
    "\\",
    "\\[",
    "`code`",
    "``",
    "*em*",
    "**strong**",
    "_u_",
    "__",
    "~~",
    "==",
    "[lien](javascript:alert(1))",
    "[lien](https://example.org/)",
    "<https://example.org>",
    "![img](https://example.org/x.png)",
    "[^1]",
    "[ref]: https://example.org",
    "# titre",
    "## ",
    "---",
    "***",
    "> ",
    "- ",
    "1. ",
    "    ",
    "\t",
    '<div markdown="1">',
    "</div>",
    "<p>",
    "</p>",
    "{{ config }}",
    "{% raw %}",
    "${x}",
    "%s",
    "%(x)s",
    "!!python/object:os.system",
    "*alias",
    "&anchor",
    "\u202e",
    "\u2066",
    "\u2069",
    "\u200b",
    "\u200e",
    "\ufeff",
    "\u0085",
    "\u2028",
    "\u2029",
    "\u00a0",
    "\u202f",
    "\u3000",
    "\x00",
    "\x02wzxhzdk:0\x03",
    "\x02klzzwxh:60\x03",
    "\x1b[31m",
    "\x7f",
    "\r\n",
    "\n",
    "«\u00a0",
    "\u00a0»",
    "’",
    "“",
    "”",
    "é",
    "e\u0301",
    "ﬁ",
    "𝒳",
    "🙂",
    "\U000e0041",
    "\U0010ffff",
    "\ufffd",
    "javascript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "vbscript:x",
    "jav&#x09;ascript:",
]


REFUSED_IN_MARKDOWN = {"[lien](javascript:alert(1))", "![img](https://example.org/x.png)"}
"""Fragments that make a Markdown field an error (a javascript: link, an image)."""


def hostile_text(max_fragments: int = 6, refused: bool = True) -> st.SearchStrategy[str]:
    """Text made of the seeds' sentences, injection fragments and arbitrary Unicode."""
    fragments = HOSTILE if refused else [f for f in HOSTILE if f not in REFUSED_IN_MARKDOWN]
    fragment = st.one_of(
        st.sampled_from(fragments),
        st.sampled_from(SENTENCES),
        st.text(max_size=12),
        st.text(st.characters(codec="utf-8"), max_size=12),
    )
    return st.lists(fragment, min_size=1, max_size=max_fragments).map("".join)


# U+0085, U+2028 and U+2029 too: YAML reads them as line breaks, so a one-line value cannot hold them.
_NOT_IN_A_LINE = re.compile("[\x00-\x1f\x7f\x85\u2028\u2029\u202a-\u202e\u2066-\u2069]")
_NOT_IN_MARKDOWN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u202a-\u202e\u2066-\u2069]")


def line_text() -> st.SearchStrategy[str]:
    """What the schema accepts for a one-line text field, as hostile as it can be."""
    return hostile_text().map(lambda s: _NOT_IN_A_LINE.sub("", s)[:1000]).filter(lambda s: s.strip())


def markdown_text(refused: bool = True) -> st.SearchStrategy[str]:
    """What the schema accepts for a Markdown field, as hostile as it can be (`refused`: with
    fragments that the builder refuses in a Markdown field)."""
    return hostile_text(10, refused).map(lambda s: _NOT_IN_MARKDOWN.sub("", s)[:20000]).filter(lambda s: s.strip())


# --- claims files -------------------------------------------------------------------------

REAL_CLAIMS = yaml.safe_load((PROJECT / CLAIMS).read_text(encoding="utf-8"))
REAL_SOURCES = yaml.safe_load((PROJECT / SOURCES).read_text(encoding="utf-8"))
LINE_FIELDS = {"claim", "claimant"}
MARKDOWN_FIELDS = {"summary", "analysis"}


@st.composite
def claims_with_hostile_lines(draw) -> tuple[dict, dict]:
    """The real claims and sources with every one-line text replaced: claims, names, labels, titles.

    Ids, quotes and Markdown fields stay as they are, so the pages have the real project's
    structure and a build of the real project is the baseline for them."""
    claims, sources = copy.deepcopy(REAL_CLAIMS), copy.deepcopy(REAL_SOURCES)
    for rating in claims["ratings"]:
        rating["label"] = draw(line_text())
    for topic in claims.get("topics", []):
        topic["label"] = draw(line_text())
    for claim in claims["claims"]:
        claim["claim"] = draw(line_text())
        short = draw(st.one_of(st.none(), line_text().map(lambda s: s[:75]).filter(lambda s: s.strip())))
        claim.pop("claim_short", None)
        if short is not None:
            claim["claim_short"] = short
        if "claimant" in claim or draw(st.booleans()):
            claim["claimant"] = draw(line_text())
    for source in sources["sources"]:
        for key in ("title", "publisher", "author"):
            if key in source:
                source[key] = draw(line_text())
        for article in source.get("articles", []):
            article["title"] = draw(line_text())
    return claims, sources


@st.composite
def claims_with_hostile_markdown(draw) -> dict:
    """The real claims with every Markdown field replaced: rating descriptions, summaries,
    analyses, notes of evidence and of updates."""
    claims = copy.deepcopy(REAL_CLAIMS)
    text = markdown_text(refused=draw(st.integers(0, 3)) == 0)  # mostly files that can build
    for rating in claims["ratings"]:
        rating["description"] = draw(text)
    for claim in claims["claims"]:
        claim["summary"] = draw(text)
        if "analysis" in claim:
            claim["analysis"] = draw(text)
        for evidence in claim["evidence"]:
            if "note" in evidence:
                evidence["note"] = draw(text)
        claim["updates"] = [{"date": "2023-09-20", "note": draw(text)}]
    return claims


# Broken files: the real data with mutations, then text-level damage to the YAML itself.

_KEYS = [
    "id",
    "claim",
    "claim_short",
    "claimant",
    "claimant_type",
    "claim_date",
    "verdict",
    "summary",
    "analysis",
    "topics",
    "reviewed",
    "updates",
    "evidence",
    "source",
    "quote",
    "stance",
    "occurrence",
    "note",
    "ratings",
    "claims",
    "label",
    "value",
    "description",
    "date",
    "file",
    "sha256",
    "url",
    "title",
    "articles",
    "first_line",
    "language",
    "publisher",
    "author",
    "published",
]
_VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(),
    st.text(max_size=30),
    hostile_text(),
    st.lists(st.integers(), max_size=3),
    st.dictionaries(st.sampled_from(_KEYS), st.integers(), max_size=2),
    st.sampled_from(
        [
            "2023-02-30",
            "2023-13-01",
            "15/09/2023",
            "0000-00-00",
            "9999-12-31",
            "2023-09-15\n",
            "Aide-Satellites",
            "aide\u202esatellites",
            "aide\x00",
            "aide--satellites",
            "aide satellites",
            "../../etc/passwd",
            "/etc/passwd",
            "..",
            "seeds",
            "index",
            "nul",
            "x" * 300,
            'https://example.org/"onmouseover=alert(1)',
            "javascript:alert(1)",
            "faux",
            "vrai",
            "supports",
            "contradicts",
            "context",
            "tribune",
            "aucun-accord-kremlin",
        ]
    ),
    st.text(min_size=1000, max_size=1000).map(lambda s: s * 30),  # 30,000 characters: over every limit
)


def _containers(data: object, path: tuple = ()) -> list[tuple]:
    """Paths of every mapping and list in the data."""
    found = []
    if isinstance(data, dict):
        found.append(path)
        for key, value in data.items():
            found += _containers(value, (*path, key))
    elif isinstance(data, list):
        found.append(path)
        for i, value in enumerate(data):
            found += _containers(value, (*path, i))
    return found


def _at(data: object, path: tuple) -> object:
    for key in path:
        data = data[key]
    return data


@st.composite
def mutate(draw, data: dict) -> dict:
    """The data with a few keys deleted, renamed or given a value of another kind or content."""
    data = copy.deepcopy(data)
    for _ in range(draw(st.integers(1, 4))):
        target = _at(data, draw(st.sampled_from(_containers(data))))
        if isinstance(target, dict) and target:
            key = draw(st.sampled_from(sorted(target, key=str)))
            action = draw(st.sampled_from(["delete", "rename", "value", "add"]))
            if action == "delete":
                del target[key]
            elif action == "rename":
                target[draw(st.sampled_from([key.upper(), key + "s", key[:-1], "x-" + key, *_KEYS]))] = target.pop(key)
            elif action == "value":
                target[key] = draw(_VALUES)
            else:
                target[draw(st.sampled_from(_KEYS))] = draw(_VALUES)
        elif isinstance(target, list) and target:
            i = draw(st.integers(0, len(target) - 1))
            action = draw(st.sampled_from(["delete", "duplicate", "value", "empty"]))
            if action == "delete":
                del target[i]
            elif action == "duplicate":
                target.insert(i, copy.deepcopy(target[i]))
            elif action == "value":
                target[i] = draw(_VALUES)
            else:
                target.clear()
    return data


_DAMAGE = [
    "none",
    "tag",
    "alias",
    "duplicate-line",
    "tab",
    "truncate",
    "bytes",
    "bom",
    "crlf",
    "document",
    "flow",
    "deep",
]


@st.composite
def damage(draw, text: str) -> bytes:
    """YAML text with damage that only exists as text: tags, aliases, a key written twice..."""
    kind = draw(st.sampled_from(_DAMAGE))
    lines = text.split("\n")
    where = draw(st.integers(0, max(len(lines) - 1, 0)))
    line = lines[where]
    value_at = line.find(": ")
    if kind == "tag" and value_at > 0:
        tag = draw(
            st.sampled_from(
                [
                    "!!python/object/apply:os.system",
                    "!!python/name:os.system",
                    "!!binary",
                    "!!set",
                    "!!omap",
                    "!!timestamp",
                    "!custom",
                    "!ENV",
                    "!!str",
                    "!<tag:x,2000:y>",
                ]
            )
        )
        lines[where] = f"{line[: value_at + 2]}{tag} {line[value_at + 2 :]}"
    elif kind == "alias" and value_at > 0:
        lines[where] = f"{line[: value_at + 2]}&a {line[value_at + 2 :]}"
        lines.insert(where + 1, line[: value_at + 2] + "*a" if draw(st.booleans()) else f"{line[:value_at]}: *a")
    elif kind == "duplicate-line":
        lines.insert(where, line)
    elif kind == "tab":
        lines[where] = "\t" + line
    elif kind == "truncate":
        return text.encode("utf-8")[: draw(st.integers(0, len(text.encode("utf-8"))))]
    elif kind == "bytes":
        raw = text.encode("utf-8")
        at = draw(st.integers(0, len(raw)))
        return raw[:at] + draw(st.sampled_from([b"\xff", b"\xc3", b"\xed\xa0\x80", b"\x00", b"\xe9t\xe9"])) + raw[at:]
    elif kind == "bom":
        return b"\xef\xbb\xbf" + text.encode("utf-8")
    elif kind == "crlf":
        return text.replace("\n", "\r\n").encode("utf-8")
    elif kind == "document":
        lines += ["---", "claims: []"]
    elif kind == "flow":
        lines.insert(
            where,
            draw(
                st.sampled_from(
                    [
                        "{",
                        "[",
                        "key: [1, 2",
                        "? complex",
                        "- - - x",
                        "<<: *a",
                        "%YAML 1.1",
                        "x: 'unclosed",
                        'x: "\\q"',
                        ": nokey",
                    ]
                )
            ),
        )
    elif kind == "deep":
        lines.append("deep: " + "[" * 40 + "]" * 40)
    return "\n".join(lines).encode("utf-8")


@st.composite
def broken_claims_file(draw) -> bytes:
    data = draw(mutate(REAL_CLAIMS)) if draw(st.integers(0, 9)) else REAL_CLAIMS
    return draw(damage(dump(data)))


@st.composite
def broken_sources_file(draw) -> bytes:
    data = draw(mutate(REAL_SOURCES)) if draw(st.integers(0, 9)) else REAL_SOURCES
    return draw(damage(dump(data)))


# --- source texts -------------------------------------------------------------------------

_SOURCE_CHARACTERS = st.one_of(
    st.characters(codec="utf-8"),
    st.sampled_from(list("\t\r\n\u00a0\u202f\u2028\u2029\u0085\x0b\x0c \x00\x02\x03<>&\"'`*_[]()#|{}\\«»’“”")),
)


@st.composite
def source_and_quote(draw) -> tuple[str, str]:
    """A source text in arbitrary Unicode (with some real sentences), and a quote of 3 words or more from it."""
    pieces = draw(
        st.lists(
            st.one_of(st.sampled_from(SENTENCES), st.sampled_from(HOSTILE), st.text(_SOURCE_CHARACTERS, max_size=40)),
            min_size=1,
            max_size=12,
        )
    )
    quote = draw(st.sampled_from(SENTENCES)) + " " + draw(hostile_text(3).filter(lambda s: "\x00" not in s))
    position = draw(st.integers(0, len(pieces)))
    text = " ".join([*pieces[:position], quote, *pieces[position:]])
    return text, quote
