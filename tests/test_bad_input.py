"""Every bad input of SPEC section 8 through the real command line, on a copy of a small project.

For each one: the exact lines an editor sees (`file:line:col: error: message` and the hint),
exit status 1, no traceback, and a failed `build` leaves content/ byte for byte as it was.
Also: HTML in text fields is shown as text, a failed `mkdocs build` keeps site/ and content/,
GitHub annotations, and warnings that fail only with --strict.
"""

from __future__ import annotations

import json
import os
import re
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from bad_inputs import CASES, CLAIMS, MINI, at, edit
from selectolax.lexbor import LexborHTMLParser

HOOK = Path(__file__).resolve().parent.parent / "builder" / "mkdocs_hook.py"
MEMORY_LIMIT = 1024**3
"""Address space allowed to one command: a file that made the builder load it all would hit it."""
TIME_LIMIT = 30.0


def _limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


def _environment(github: bool = False) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "GITHUB_ACTIONS"}
    env["NO_MKDOCS_2_WARNING"] = "1"
    if github:
        env["GITHUB_ACTIONS"] = "true"
    return env


def run(root: Path, *args: str, github: bool = False) -> subprocess.CompletedProcess:
    """`python -m builder --root ROOT ARGS...`, in bounded time and memory."""
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "builder", "--root", str(root), *args],
        capture_output=True,
        text=True,
        env=_environment(github),
        timeout=120,
        preexec_fn=_limit_memory,
    )
    assert time.monotonic() - started < TIME_LIMIT, f"{args} took {time.monotonic() - started:.1f} s"
    assert "Traceback" not in done.stderr, done.stderr
    return done


def mkdocs_build(root: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "-f", str(root / "mkdocs.yml")],
        cwd=root,
        capture_output=True,
        text=True,
        env=_environment(),
        timeout=300,
    )


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file and folder under `folder`, with its bytes (a link: its target)."""
    tree = {}
    for path in sorted(folder.rglob("*")):
        name = path.relative_to(folder).as_posix()
        if path.is_symlink():
            tree[name] = b"link: " + os.readlink(path).encode()
        elif path.is_dir():
            tree[name] = b"folder"
        else:
            tree[name] = path.read_bytes()
    return tree


def summary(expected: str, warnings: int = 0) -> str:
    errors = sum(1 for line in expected.splitlines() if ": error: " in line and not line.startswith(" "))
    return f"{errors} error{'s' * (errors != 1)}, {warnings} warning{'s' * (warnings != 1)}"


@pytest.fixture(scope="session")
def built_mini(tmp_path_factory) -> Path:
    """The mini project after a successful build: content/ holds generated pages to protect."""
    root = tmp_path_factory.mktemp("built") / "mini"
    shutil.copytree(MINI, root)
    done = run(root, "build")
    assert (done.returncode, done.stderr) == (0, ""), done.stderr
    assert (root / "content" / "claims" / "pont-en-trois-ans.md").is_file()
    return root


@pytest.fixture
def project(built_mini: Path, tmp_path: Path) -> Path:
    root = tmp_path / "mini"
    shutil.copytree(built_mini, root, symlinks=True)
    return root


def test_the_fixture_is_valid(project):
    done = run(project, "check", "--strict")
    assert (done.returncode, done.stderr) == (0, "")
    assert done.stdout == "ok: 2 claims, 2 sources, 4 quotes found verbatim (0 errors, 0 warnings)\n"


@pytest.mark.parametrize("case", CASES, ids=str)
def test_bad_input_is_reported_where_it_is(case, project):
    content = snapshot(project / "content")
    case.breaks(project)
    expected = case.expected(project)

    check = run(project, "check")
    assert (check.returncode, check.stdout) == (1, "")
    assert check.stderr == f"{expected}\ncheck failed: {summary(expected)}\n"

    build = run(project, "build")
    assert (build.returncode, build.stdout) == (1, "")
    assert build.stderr == f"{expected}\nbuild failed, nothing written: {summary(expected)}\n"
    assert snapshot(project / "content") == content


# --- warnings --------------------------------------------------------------------------------

LONG_CLAIM = "Le pont coûtera 40 millions d'euros, selon le ministre, qui l'a dit mardi devant la presse."
WARNINGS = [
    pytest.param(
        lambda r: edit(r, CLAIMS, 'quote: "Le budget n’est pas encore voté"', 'quote: "le coût reste inconnu"'),
        lambda r: (
            f"{at(r, CLAIMS, 'quote: ', 4, plus=7)}: warning: quote found 2 times in 'dementi' (lines 2, 3); "
            "the first is used\n    add `occurrence: N` to say which one you mean (1 = the first)"
        ),
        id="quote-found-twice",
    ),
    pytest.param(
        lambda r: edit(r, CLAIMS, "Le pont coûtera 40 millions d'euros.", LONG_CLAIM),
        lambda r: (
            f"{at(r, CLAIMS, 'claim: ', 2, plus=7)}: warning: claim is longer than 75 characters and has no "
            "claim_short\n    add `claim_short:` (under 75 characters) for search engines' fact-check listings"
        ),
        id="long-claim-without-claim-short",
    ),
]


@pytest.mark.parametrize("breaks, expected", WARNINGS)
def test_warnings_fail_only_when_strict(breaks, expected, project):
    breaks(project)
    warning = expected(project)
    check = run(project, "check")
    assert (check.returncode, check.stderr) == (0, warning + "\n")
    assert check.stdout == "ok: 2 claims, 2 sources, 4 quotes found verbatim (0 errors, 1 warning)\n"

    strict = run(project, "check", "--strict")
    assert (strict.returncode, strict.stdout) == (1, "")
    assert strict.stderr == f"{warning}\ncheck failed: 0 errors, 1 warning\n"

    content = snapshot(project / "content")
    strict_build = run(project, "build", "--strict")
    assert (strict_build.returncode, strict_build.stderr) == (
        1,
        f"{warning}\nbuild failed, nothing written: 0 errors, 1 warning\n",
    )
    assert snapshot(project / "content") == content

    build = run(project, "build")
    assert (build.returncode, build.stderr) == (0, warning + "\n")
    assert build.stdout.startswith("built: ")


def test_the_hints_of_the_warnings_work(project):
    edit(
        project,
        CLAIMS,
        'quote: "Le budget n’est pas encore voté"',
        'quote: "le coût reste inconnu"\n        occurrence: 2',
    )
    edit(
        project,
        CLAIMS,
        "Le pont coûtera 40 millions d'euros.",
        f'{LONG_CLAIM}"\n    claim_short: "Le pont coûtera 40 millions',
    )
    done = run(project, "check", "--strict")
    assert (done.returncode, done.stderr) == (0, "")


# --- GitHub annotations ----------------------------------------------------------------------

BY_ID = {case.id: case for case in CASES}


def annotation(problem: str) -> str:
    """The workflow command GitHub reads, for one problem printed in GNU form (hint lines indented)."""
    head, *hints = problem.split("\n")
    place, severity, message = re.fullmatch(r"(.+?): (error|warning): (.*)", head).groups()
    file, *position = place.split(":")
    where = f"file={file}" + (f",line={position[0]},col={position[1]}" if position else "")
    body = "\n".join([message, *(hint.removeprefix("    ") for hint in hints)])
    return f"::{severity} {where}::" + body.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def test_annotation_helper_follows_githubs_format():
    assert annotation("a.yaml:3:5: error: 100% wrong\n    fix it\n      here") == (
        "::error file=a.yaml,line=3,col=5::100%25 wrong%0Afix it%0A  here"
    )


@pytest.mark.parametrize("case_id", ["verdict-not-in-scale", "quote-not-found", "source-not-utf8", "huge-claims"])
def test_github_annotations(case_id, project):
    case = BY_ID[case_id]
    case.breaks(project)
    expected = case.expected(project)
    done = run(project, "check", github=True)
    assert done.returncode == 1
    assert done.stderr == f"{expected}\n{annotation(expected)}\ncheck failed: {summary(expected)}\n"


def test_github_annotation_of_a_warning(project):
    edit(project, CLAIMS, "Le pont coûtera 40 millions d'euros.", LONG_CLAIM)
    done = run(project, "check", github=True)
    line, column = at(project, CLAIMS, "claim: ", 2, plus=7).split(":")[1:]
    assert done.returncode == 0
    assert done.stderr.splitlines()[-1] == (
        f"::warning file=claims.yaml,line={line},col={column}::claim is longer than 75 characters and has no "
        "claim_short%0Aadd `claim_short:` (under 75 characters) for search engines' fact-check listings"
    )


def test_no_annotations_outside_github(project):
    BY_ID["verdict-not-in-scale"].breaks(project)
    assert "::error" not in run(project, "check").stderr


# --- what the site shows, and what MkDocs keeps ----------------------------------------------


def _with_hook(root: Path) -> None:
    with open(root / "mkdocs.yml", "a", encoding="utf-8") as file:
        file.write(f"hooks:\n  - {json.dumps(str(HOOK))}\n")


@pytest.mark.slow
def test_html_in_text_fields_is_shown_as_text(project):
    claim = '<script>alert("claim")</script> Un pont <b>vite</b> & bien.'
    claimant = "<img src=x onerror=alert(1)>"
    edit(project, CLAIMS, '"Un nouveau pont sur la Loire sera construit en trois ans."', json.dumps(claim))
    edit(project, CLAIMS, "claimant: Le ministre", f'claimant: "{claimant}"')
    edit(project, CLAIMS, "Le pont est *annoncé*", "Le pont est <script>alert('summary')</script> *annoncé*")
    assert run(project, "check", "--strict").returncode == 0
    _with_hook(project)
    done = mkdocs_build(project)
    assert done.returncode == 0, done.stderr

    page = LexborHTMLParser((project / "site" / "claims" / "pont-en-trois-ans" / "index.html").read_text("utf-8"))
    assert page.css_first("article h1").text(deep=True).rstrip("¶") == claim
    assert claimant in page.css_first(".claim-meta").text()
    summary_text = page.css_first(".summary").text()
    assert "<script>alert('summary')</script>" in summary_text
    # Nothing the editors typed became an element: the only scripts naming `alert` are JSON-LD data.
    for script in page.css("script"):
        if "alert" in (script.text() or ""):
            assert script.attributes.get("type") == "application/ld+json"
            assert json.loads(script.text())["claimReviewed"] == claim
    assert not page.css("img[onerror]")
    assert not page.css("article h1 b, .summary script")
    assert page.css_first("title").text().startswith(claim)


@pytest.mark.slow
def test_mkdocs_build_on_broken_input_fails_and_keeps_site_and_content(project):
    _with_hook(project)
    first = mkdocs_build(project)
    assert first.returncode == 0, first.stderr
    content, site = snapshot(project / "content"), snapshot(project / "site")
    assert "claims/pont-en-trois-ans/index.html" in site

    BY_ID["verdict-not-in-scale"].breaks(project)
    done = mkdocs_build(project)
    output = done.stdout + done.stderr
    assert done.returncode != 0
    assert "Traceback" not in output
    lines = output.splitlines()
    located = f"{at(project, CLAIMS, 'vrais')}: error: unknown verdict 'vrais'"
    at_line = next(i for i, line in enumerate(lines) if line.endswith(located))
    assert lines[at_line + 1] == "    did you mean 'vrai'? allowed verdicts: faux, trompeur, vrai"
    assert snapshot(project / "content") == content
    assert snapshot(project / "site") == site
