"""The editor guide (content/contribuer.md) says what the builder really does.

- Its worked example, appended to a copy of the project, checks, builds and shows its
  quotes on its page; the passages it shows stand in the sources, byte for byte; the
  outputs it shows are the ones the commands print.
- Its tables of verdicts, sources and `new` options are the project's own.
- Every message in its error tables is what the builder prints for that mistake: each
  mistake below is made in a copy of the project, what it prints must be documented, and
  every documented message must be printed by one of them.
"""

from __future__ import annotations

import contextlib
import hashlib
import html
import io
import os
import re
import shlex
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml
from helpers import copy_project
from selectolax.lexbor import LexborHTMLParser as HTMLParser

from builder import cli, scaffold
from builder.load import load_yaml
from builder.normalize import normalize

ROOT = Path(__file__).resolve().parent.parent
GUIDE = ROOT / "content" / "contribuer.md"
MKDOCS = str(Path(sys.executable).with_name("mkdocs"))
ENV = {**os.environ, "GITHUB_ACTIONS": "", "NO_MKDOCS_2_WARNING": "1"}


# --- reading the guide -----------------------------------------------------------------------


def guide() -> str:
    return GUIDE.read_text(encoding="utf-8")


def section(title: str) -> str:
    """The guide from the heading `title` to the next heading of the same level or above."""
    text = guide()
    start = text.index(title)
    level = len(title) - len(title.lstrip("#"))
    following = re.compile(rf"^#{{1,{level}}} ", re.M)
    end = following.search(text, start + len(title))
    return text[start : end.start() if end else len(text)]


def fenced_after(marker: str) -> list[str]:
    """The fenced code blocks that directly follow the comment `<!-- marker -->`."""
    return re.findall(rf"^<!-- {re.escape(marker)} -->\n```[a-z]*\n(.*?)\n```$", guide(), re.M | re.S)


def the_block(marker: str) -> str:
    blocks = fenced_after(marker)
    assert len(blocks) == 1, f"the guide should have one block marked <!-- {marker} -->"
    return blocks[0]


def first_cells(text: str) -> list[str]:
    """The code span that opens each table row (`` `a` `` or ``` `` `a` `` ```)."""
    return [cell for _, cell in re.findall(r"^\|\s*(`+) ?(.+?) ?\1\s*\|", text, re.M)]


def table_rows(text: str) -> list[list[str]]:
    rows = []
    for line in text.splitlines():
        if line.startswith("|") and not re.fullmatch(r"\|[-|\s]+\|", line):
            rows.append([cell.strip() for cell in line.strip("|").split("|")])
    return rows[1:]  # without the header


def documented() -> dict[str, re.Pattern]:
    """Each message of the guide's error tables, as a pattern (`…` stands for what varies)."""
    templates = first_cells(section("## Les messages d'erreur"))
    assert len(templates) > 40, "the error tables should list the builder's messages"
    return {t: re.compile(".+?".join(re.escape(part) for part in t.split("…"))) for t in templates}


def example() -> str:
    return the_block("exemple-testé")


# --- a copy of the project -------------------------------------------------------------------


def append(path: Path, text: str) -> None:
    current = path.read_text(encoding="utf-8")
    path.write_text(current + ("" if current.endswith("\n") else "\n") + "\n" + text + "\n", encoding="utf-8")


def edit_last(path: Path, old: str, new: str) -> None:
    """Replace the last occurrence of `old`: the worked example is the last claim."""
    text = path.read_text(encoding="utf-8")
    at = text.rindex(old)
    path.write_text(text[:at] + new + text[at + len(old) :], encoding="utf-8")


def run(project: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "builder", *args], cwd=project, env=ENV, capture_output=True, text=True, timeout=120
    )


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return copy_project(tmp_path)


# --- the worked example ----------------------------------------------------------------------


def test_the_example_passages_stand_in_the_sources_byte_for_byte():
    found = re.findall(r"^<!-- passage: (\S+) -->\n> (.+)$", guide(), re.M)
    assert len(found) >= 3
    for name, passage in found:
        text = (ROOT / "seeds" / name).read_text(encoding="utf-8")
        assert passage in text, f"not in seeds/{name}: {passage}"


def test_the_example_quotes_are_the_passages_the_guide_shows():
    shown = " ".join(normalize(p) for p in re.findall(r"^<!-- passage: \S+ -->\n> (.+)$", guide(), re.M))
    (claim,) = yaml.safe_load(example())
    for evidence in claim["evidence"]:
        assert normalize(evidence["quote"]) in shown


@pytest.mark.slow
def test_the_worked_example_checks_builds_and_shows_its_quotes(project: Path):
    (claim,) = yaml.safe_load(example())
    append(project / "claims.yaml", example())

    checked = run(project, "check")
    assert checked.returncode == 0, checked.stderr
    assert checked.stderr == ""
    shown = re.search(r"^```text\n(ok: .*)\n```$", section("### 3. Contrôler"), re.M)[1]
    assert re.fullmatch(re.sub(r"\d+", r"\\d+", re.escape(shown)), checked.stdout.strip()), checked.stdout
    assert checked.stdout.strip().endswith("(0 errors, 0 warnings)")

    built = run(project, "build")
    assert built.returncode == 0, built.stderr
    assert f"claims/{claim['id']}.md" in (
        p.relative_to(project / "content").as_posix() for p in (project / "content").rglob("*.md")
    )

    site = project / "site"
    done = subprocess.run(
        [MKDOCS, "build", "--strict", "-d", str(site)],
        cwd=project,
        env=ENV,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    page = HTMLParser((site / "claims" / claim["id"] / "index.html").read_text(encoding="utf-8"))
    assert page.css_first(f".verdict--{claim['verdict']}") is not None
    quotes = [normalize(node.text()) for node in page.css("blockquote.evidence .evidence__quote")]
    assert len(quotes) == len(claim["evidence"])
    for evidence in claim["evidence"]:
        assert any(normalize(evidence["quote"]) in shown for shown in quotes), evidence["quote"]
    # The guide itself is built, under --strict, and in the navigation.
    home = HTMLParser((site / "index.html").read_text(encoding="utf-8"))
    assert any(a.attributes.get("href", "").rstrip("/").endswith("contribuer") for a in home.css("nav a"))
    assert (site / "contribuer" / "index.html").is_file()
    linked = run(project, "linkcheck", str(site))
    assert linked.returncode == 0, linked.stdout + linked.stderr


def dates_fr(updates: str) -> list[str]:
    months = "janvier février mars avril mai juin juillet août septembre octobre novembre décembre".split()
    found = re.findall(r"date: (\d{4})-(\d{2})-(\d{2})", updates)
    return [f"{int(d)} {months[int(m) - 1]} {y}" for y, m, d in found]


def test_the_corrections_log_of_the_guide_shows_on_the_page(project: Path):
    updates = the_block("mise-a-jour-testée")
    notes = [u["note"] for u in yaml.safe_load(updates)["updates"]]
    assert len(notes) >= 2
    entry = example().replace("\n    evidence:\n", "\n" + updates + "\n    evidence:\n", 1)
    assert entry != example()
    append(project / "claims.yaml", entry)
    built = run(project, "build")
    assert built.returncode == 0 and built.stderr == "", built.stderr
    (claim,) = yaml.safe_load(example())
    page = (project / "content" / "claims" / f"{claim['id']}.md").read_text(encoding="utf-8")
    history = page.split("## Historique des corrections", 1)[1]
    shown = [html.unescape(re.sub(r"<[^>]+>", "", item)) for item in re.findall(r"<li>(.*?)</li>", history)]
    # In the order written (newest first), each note rendered from its Markdown.
    expected = [f"{date} : {note.replace('*', '')}" for date, note in zip(dates_fr(updates), notes, strict=True)]
    assert shown == expected
    assert f"mise à jour le {dates_fr(updates)[0]}" in page


def test_a_mistyped_quote_prints_what_the_guide_shows(project: Path):
    (wrong,) = the_block("erreur-testée").splitlines()
    lines = example().splitlines()
    first = next(i for i, line in enumerate(lines) if line.startswith("        quote: "))
    lines[first] = wrong
    append(project / "claims.yaml", "\n".join(lines))

    done = run(project, "check")
    assert done.returncode == 1

    def steady(text: str) -> list[str]:
        # The line in claims.yaml depends on the file; the similarity on the aligner's scoring.
        text = re.sub(r"^claims\.yaml:\d+:", "claims.yaml:N:", text, flags=re.M)
        return re.sub(r"\d+% similar", "N% similar", text).splitlines()

    assert steady(done.stderr) == steady(the_block("sortie-testée"))


# --- tables that mirror the project ----------------------------------------------------------


def test_the_verdict_table_is_the_scale_in_claims_yaml():
    doc, problems = load_yaml(ROOT / "claims.yaml", "claims.yaml")
    assert not problems
    scale = [(f"`{r['id']}`", r["label"]) for r in doc.data["ratings"]]
    assert [tuple(row[:2]) for row in table_rows(section("## L'échelle des verdicts"))] == scale


def test_the_source_table_is_sources_yaml():
    doc, problems = load_yaml(ROOT / "seeds" / "sources.yaml", "seeds/sources.yaml")
    assert not problems
    declared = [(f"`{s['id']}`", f"`{s['file']}`") for s in doc.data["sources"]]
    assert [tuple(row[:2]) for row in table_rows(section("### Les sources disponibles"))] == declared


def options(command: str) -> set[str]:
    done = subprocess.run(
        [sys.executable, "-m", "builder", command, "--help"], capture_output=True, text=True, cwd=ROOT
    )
    assert done.returncode == 0, done.stderr
    return set(re.findall(r"(?<![\w-])--[a-z][a-z-]*", done.stdout)) - {"--help"}


def test_the_new_options_are_the_command_options():
    # Options every command takes (such as --root) are not `new`'s to describe.
    actual = options("new") - (options("check") & options("build"))
    rows = table_rows(section("## Créer une entrée avec `new`"))
    assert {row[0].strip("`") for row in rows} == actual
    required = {row[0].strip("`") for row in rows if row[2] == "obligatoire"}
    assert required == {scaffold.option(name) for name in scaffold.REQUIRED}


def test_the_new_command_of_the_guide_adds_the_entry_it_describes(project: Path):
    command = shlex.split(the_block("commande-testée"))
    assert command[:3] == [".venv/bin/python", "-m", "builder"]
    done = subprocess.run(
        [sys.executable, *command[1:]], cwd=project, env=ENV, capture_output=True, text=True, stdin=subprocess.DEVNULL
    )
    assert done.returncode == 0, done.stderr
    shown = the_block("sortie-new-testée")
    numbered = re.sub(r"claims\.yaml:\d+", "claims.yaml:N", done.stdout.strip())
    assert numbered == re.sub(r"claims\.yaml:\d+", "claims.yaml:N", shown)
    # Until the summary (and the verdict) are written, the check fails on the entry, as the guide says.
    checked = run(project, "check")
    assert checked.returncode == 1
    assert "missing required field 'summary'" in checked.stderr
    assert "missing required field 'verdict'" in checked.stderr
    assert "# TODO summary" in (project / "claims.yaml").read_text(encoding="utf-8")


def test_the_preview_address_is_the_one_make_serve_opens():
    assert "http://127.0.0.1:8000/" in section("## Prévisualiser le site")
    assert "dev_addr" not in (ROOT / "mkdocs.yml").read_text(encoding="utf-8")  # MkDocs' default: 127.0.0.1:8000
    serve = re.search(r"^serve:.*\n\t(.+)$", (ROOT / "Makefile").read_text(encoding="utf-8"), re.M)
    assert serve and "mkdocs serve --livereload" in serve[1]


# --- every message of the error tables, made for real ----------------------------------------

ESSAI = (
    "Premier titre\nLe ministre a parlé hier soir. Le ministre a parlé hier soir.\n"
    "Second titre\nLe ministre a répondu ce matin.\n"
)
"""A small source of two articles, with a sentence that stands twice."""

Step = Callable[[Path], object]


def edit(old: str, new: str, file: str = "claims.yaml") -> Step:
    """Replace the last occurrence of `old` (in claims.yaml, the worked example's)."""
    return lambda project: edit_last(project / file, old, new)


def add(text: str, file: str = "claims.yaml") -> Step:
    return lambda project: append(project / file, text)


def write_bytes(name: str, data: bytes) -> Step:
    return lambda project: (project / name).write_bytes(data)


def remove(name: str) -> Step:
    return lambda project: (project / name).unlink()


def sparse(name: str, size: int) -> Step:
    def step(project: Path) -> None:
        with open(project / name, "wb") as file:
            file.truncate(size)

    return step


def essai(articles: tuple[str, str] = ("Premier titre", "Second titre"), text: str = ESSAI) -> Step:
    """The source `essai` (seeds/900_essai.txt), its articles starting at the given lines."""

    def step(project: Path) -> None:
        (project / "seeds" / "900_essai.txt").write_text(text, encoding="utf-8")
        digest = hashlib.sha256(text.encode()).hexdigest()
        append(
            project / "seeds" / "sources.yaml",
            f"  - id: essai\n    file: 900_essai.txt\n    sha256: {digest}\n    articles:\n"
            f"      - {{title: Premier, first_line: {articles[0]}}}\n"
            f"      - {{title: Second, first_line: {articles[1]}}}",
        )

    return step


def source(name: str, data: bytes | None = None, sha: str | None = None) -> Step:
    """A source entry for seeds/<name>, with `data` written there unless None."""

    def step(project: Path) -> None:
        if data is not None:
            (project / "seeds" / name).write_bytes(data)
        digest = sha or hashlib.sha256(data or b"").hexdigest()
        append(project / "seeds" / "sources.yaml", f"  - id: s{name[:3]}\n    file: {name}\n    sha256: {digest}")

    return step


def citing(quote: str, extra: str = "") -> Step:
    """A claim resting on one quote from `essai`."""
    return add(
        "  - id: essai-citation\n    claim: Le ministre a parlé.\n    verdict: vrai\n    summary: Résumé.\n"
        f'    reviewed: 2023-09-18\n    evidence:\n      - source: essai\n        quote: "{quote}"\n'
        f"        stance: supports\n{extra}"
    )


def flow_claims(project: Path) -> None:
    text = (project / "claims.yaml").read_text(encoding="utf-8")
    (project / "claims.yaml").write_text(text[: text.index("\nclaims:")] + "\nclaims: []\n", encoding="utf-8")


def prepend_rating(project: Path) -> None:
    text = (project / "claims.yaml").read_text(encoding="utf-8")
    rating = "ratings:\n  - {id: zero, label: Zéro, value: 50, description: x}\n"
    (project / "claims.yaml").write_text(text.replace("ratings:\n", rating, 1), encoding="utf-8")


def page_of_example(project: Path) -> Path:
    page = project / "content" / "claims" / f"{yaml.safe_load(example())[0]['id']}.md"
    page.parent.mkdir(parents=True, exist_ok=True)
    return page


@dataclass(frozen=True)
class Mistake:
    name: str
    expect: str
    """A piece of the message the mistake must print."""
    steps: tuple[Step, ...]
    command: tuple[str, ...]


def mistake(name: str, expect: str, *steps: Step, command: tuple[str, ...] = ("check",)) -> Mistake:
    return Mistake(name, expect, steps, command)


NEW = ("new", "--claim", "Le ministre a parlé.", "--source", "essai", "--stance", "supports", "--quote")
LINK_000 = lambda project: (project / "seeds" / "903_lien.txt").symlink_to(ROOT / "seeds" / "000_6b7f4d072096dd16.txt")  # noqa: E731
LAST_QUOTE = yaml.safe_load(example())[0]["evidence"][-1]["quote"]
HEX = "a" * 64  # a digest of the right form (all digits would read as a number)

MISTAKES = [
    # reading the file
    mistake("yaml-syntax", "invalid YAML", add("  - id: [unclosed")),
    mistake(
        "duplicate-key",
        "duplicate key 'verdict'",
        edit("verdict: plutot-vrai", "verdict: plutot-vrai\n    verdict: vrai"),
    ),
    mistake(
        "not-utf8",
        "not UTF-8",
        lambda p: (p / "claims.yaml").write_bytes((p / "claims.yaml").read_bytes() + b"\n# caf\xe9\n"),
    ),
    mistake("several-documents", "several YAML documents", add("---\nclaims: []")),
    mistake(
        "alias",
        "YAML aliases (*nom)",
        edit("claimant: Gouvernement russe", "claimant: &nom Gouvernement russe\n    claim_short: *nom"),
    ),
    mistake(
        "tag",
        "YAML tag !!python/object",
        edit("claimant: Gouvernement", "claimant: !!python/object:os.system Gouvernement"),
    ),
    mistake("complex-key", "a key must be a plain word", add("? [a, b]\n: c")),
    mistake("nesting", "nesting deeper than", add("deep: " + "[" * 40 + "]" * 40)),
    mistake("too-large", "file too large", sparse("claims.yaml", 64 * 1024 * 1024 + 1)),
    mistake("unreadable", "cannot read the file", remove("claims.yaml")),
    # the form of the fields
    mistake("missing-field", "missing required field 'reviewed'", edit("    reviewed: 2023-09-18\n", "")),
    mistake("unknown-field", "unknown field 'analyse'", edit("analysis: >-", "analyse: >-")),
    mistake("enum", "is not allowed for 'stance'", edit("stance: supports", "stance: confirme")),
    mistake(
        "type", "'claimant' must be text, not a whole number", edit("claimant: Gouvernement russe", "claimant: 1984")
    ),
    mistake("impossible-date", "impossible date '2023-02-30'", edit("reviewed: 2023-09-18", "reviewed: 2023-02-30")),
    mistake("date-format", "invalid 'reviewed'", edit("reviewed: 2023-09-18", "reviewed: 18/09/2023")),
    mistake("empty", "'claimant' is empty", edit("claimant: Gouvernement russe", 'claimant: ""')),
    mistake(
        "too-long",
        "'claim_short' must be at most 75",
        edit("    verdict: plutot", f'    claim_short: "{"x" * 80}"\n    verdict: plutot'),
    ),
    mistake(
        "too-small",
        "'occurrence' must be at least 1",
        edit("stance: supports", "stance: supports\n        occurrence: 0"),
    ),
    mistake(
        "no-evidence",
        "'evidence' needs at least 1",
        add("  - {id: sans-preuve, claim: x, verdict: vrai, summary: x, reviewed: 2023-09-18, evidence: []}"),
    ),
    mistake(
        "same-twice",
        "lists the same value twice",
        edit("topics: [armement, diplomatie]", "topics: [armement, armement]"),
    ),
    # ids, verdicts, topics, dates, links
    mistake(
        "duplicate-id", "duplicate claim id 'visite-usine-gagarine'", lambda p: append(p / "claims.yaml", example())
    ),
    mistake("unknown-verdict", "unknown verdict 'plutot-vraie'", edit("verdict: plutot-vrai", "verdict: plutot-vraie")),
    mistake(
        "unknown-topic",
        "unknown topic 'diplomatique'",
        edit("topics: [armement, diplomatie]", "topics: [armement, diplomatique]"),
    ),
    mistake(
        "unknown-source", "unknown source 'recueil-4-articles'", edit("source: recueil-quatre", "source: recueil-4")
    ),
    mistake(
        "reviewed-too-early",
        "is before the claim was made",
        edit("    claimant_type:", "    claim_date: 2023-09-20\n    claimant_type:"),
    ),
    mistake(
        "long-claim",
        "has no claim_short",
        edit('Youri Gagarine."', "Youri Gagarine, qu'avait déjà visitée son père Kim Jong Il.\""),
    ),
    mistake(
        "updates-order",
        "not listed newest first",
        edit(
            "    evidence:",
            "    updates:\n      - {date: 2023-09-19, note: a}\n      - {date: 2023-09-20, note: b}\n    evidence:",
        ),
    ),
    mistake("rating-values", "rating values must increase", prepend_rating),
    mistake("relative-link", "has no http(s) address", edit("      Deux sources", "      [Deux sources](page.html)")),
    mistake(
        "script-link",
        "link scheme 'javascript:'",
        edit("      Deux sources", "      [Deux sources](javascript:alert(1))"),
    ),
    mistake(
        "image", "images are not allowed", edit("      Deux sources", "      ![Deux sources](https://exemple.fr/a.png)")
    ),
    # quotes
    mistake(
        "quote-not-found",
        "quote not found in source 'aucun-accord-kremlin'",
        edit("s'est notamment rendu", "s'est rendu"),
    ),
    mistake(
        "quote-too-short",
        "quote too short",
        edit(f'quote: "{LAST_QUOTE}"', 'quote: "Kim Jong"'),
    ),
    mistake("quote-twice", "quote found 2 times in 'essai'", essai(), citing("Le ministre a parlé hier soir")),
    mistake(
        "occurrence-too-far",
        "occurrence 3 asked",
        essai(),
        citing("Le ministre a parlé hier soir", "        occurrence: 3"),
    ),
    mistake(
        "two-articles",
        "quote runs across two articles of 'essai'",
        essai(),
        citing("hier soir. Second titre Le ministre"),
    ),
    # sources
    mistake("source-changed", "has changed since it was archived", essai(), add("Ajout.", "seeds/900_essai.txt")),
    mistake("source-missing", "file not found: seeds/901_absent.txt", source("901_absent.txt", sha=HEX)),
    mistake("source-empty", "seeds/902_vide.txt is empty", source("902_vide.txt", b"")),
    mistake("source-link", "seeds/903_lien.txt is a link", LINK_000, source("903_lien.txt", sha=HEX)),
    mistake(
        "source-too-large",
        "is larger than",
        sparse("seeds/904_gros.txt", 10 * 1024 * 1024 + 1),
        source("904_gros.txt", sha=HEX),
    ),
    mistake(
        "source-not-utf8", "the file is not UTF-8 (byte 0xe9)", source("905_latin1.txt", "café\n".encode("latin-1"))
    ),
    mistake("article-line", "this line is not in the file", essai(("Premier titre", "Troisième titre"))),
    mistake("article-order", "articles must be listed in the order", essai(("Second titre", "Premier titre"))),
    # pages
    mistake(
        "hand-written-page",
        "a hand-written page stands where",
        lambda p: page_of_example(p).write_text("# À la main\n"),
        command=("build",),
    ),
    mistake("folder-page", "is not a regular file", lambda p: page_of_example(p).mkdir(), command=("build",)),
    mistake(
        "mkdocs-build", "fix them (see above)", edit("verdict: plutot-vrai", "verdict: inexact"), command=("mkdocs",)
    ),
    # new and pin
    mistake("new-missing-options", "required, and not given", command=("new", "--claim", "Le ministre a parlé.")),
    mistake(
        "new-broken-file",
        "cannot add a claim to a file that does not load",
        essai(),
        add("  - id: [unclosed"),
        command=(*NEW, "Le ministre a répondu ce matin"),
    ),
    mistake(
        "new-source-errors",
        "so the quote cannot be checked against it",
        essai(),
        remove("seeds/900_essai.txt"),
        command=(*NEW, "Le ministre a répondu ce matin"),
    ),
    mistake(
        "new-not-a-mapping",
        "claims.yaml must be a mapping of fields",
        essai(),
        write_bytes("claims.yaml", b"- a\n- b\n"),
        command=(*NEW, "Le ministre a répondu ce matin"),
    ),
    mistake(
        "new-flow-list",
        "can only append to a block list of claims",
        essai(),
        flow_claims,
        command=(*NEW, "Le ministre a répondu ce matin"),
    ),
    mistake(
        "new-quote-not-found",
        "quote not found in source 'essai'",
        essai(),
        command=(*NEW, "Le ministre a répondu hier"),
    ),
    mistake(
        "pin-flow-entry",
        "cannot add the missing sha256",
        add("  - {id: essai-flux, file: 000_6b7f4d072096dd16.txt}", "seeds/sources.yaml"),
        command=("pin",),
    ),
    mistake(
        "pin-breaks-a-quote",
        "quotes no longer found after pinning",
        essai(),
        citing("Le ministre a répondu ce matin"),
        write_bytes("seeds/900_essai.txt", ESSAI.replace("répondu ce matin", "répondu").encode()),
        command=("pin",),
    ),
]


def _mkdocs_said(stderr: str) -> list[str]:
    said = []
    for line in stderr.splitlines():
        logged = re.match(r"(?:ERROR|WARNING)\s+-\s+(.*)$", line)
        if logged:
            said.append(logged[1])
        elif line.startswith("Aborted"):
            said.append(line)
    return said


def said(output: str) -> list[str]:
    """What the builder said: each problem's message, and each other unindented line."""
    messages = []
    for line in output.splitlines():
        if not line.strip() or line.startswith((" ", "::")):  # hints, GitHub annotations
            continue
        problem = re.match(r"\S+: (?:error|warning): (.*)$", line)
        messages.append(problem[1] if problem else line)
    return messages


def make(mistake: Mistake, project: Path) -> list[str]:
    append(project / "claims.yaml", example())
    for step in mistake.steps:
        step(project)
    if mistake.command == ("mkdocs",):
        done = subprocess.run(
            [MKDOCS, "build", "--strict", "-d", str(project / "site")],
            cwd=project,
            env=ENV,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            timeout=300,
        )
        assert done.returncode != 0
        return said("\n".join(_mkdocs_said(done.stdout)))
    out, err = io.StringIO(), io.StringIO()
    with (
        contextlib.redirect_stdout(out),
        contextlib.redirect_stderr(err),
        pytest.MonkeyPatch.context() as patch,
    ):
        patch.setattr(sys, "stdin", io.StringIO(""))  # `new` must not ask: not a terminal
        patch.setenv("GITHUB_ACTIONS", "")
        code = cli.main(["--root", str(project), *mistake.command])
    assert code != 0 or "warning" in err.getvalue(), f"{mistake.name} made no problem:\n{out.getvalue()}"
    return said(err.getvalue())


@pytest.fixture(scope="module")
def printed(tmp_path_factory) -> dict[str, list[str]]:
    results = {}
    for mistake in MISTAKES:
        results[mistake.name] = make(mistake, copy_project(tmp_path_factory.mktemp(mistake.name)))
    return results


@pytest.mark.slow
@pytest.mark.parametrize("mistake", MISTAKES, ids=lambda m: m.name)
def test_each_mistake_prints_only_documented_messages(mistake: Mistake, printed):
    messages = printed[mistake.name]
    assert any(mistake.expect in message for message in messages), messages
    patterns = documented()
    undocumented = [m for m in messages if not any(p.fullmatch(m) for p in patterns.values())]
    assert not undocumented, f"printed, but not in the guide's tables: {undocumented}"


@pytest.mark.slow
def test_every_documented_message_is_printed_by_some_mistake(printed):
    every = [message for messages in printed.values() for message in messages]
    never = [template for template, pattern in documented().items() if not any(pattern.fullmatch(m) for m in every)]
    assert not never, f"in the guide, but no mistake here prints them: {never}"


def test_the_documented_patterns_tell_messages_apart():
    # A pattern so loose that it matches another row's message would document nothing.
    patterns = documented()
    for template, pattern in patterns.items():
        others = [t for t, p in patterns.items() if t != template and pattern.fullmatch(t)]
        assert not others, f"{template!r} also matches {others}"
