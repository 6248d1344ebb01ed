"""linkcheck on small hand-made sites (one rule each), a 1,000-page synthetic site, and a real build."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from helpers import copy_project

from builder import linkcheck
from builder.linkcheck import main, srcset_urls
from builder.textfragment import text_fragment

PROJECT = Path(__file__).resolve().parent.parent


def page(body: str = "", head: str = "") -> str:
    return f"<!doctype html><html><head><meta charset=utf-8>{head}</head><body>{body}</body></html>"


def make_site(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def run(root: Path, *args: str, capsys) -> tuple[int, list[str]]:
    code = main([str(root), *args])
    return code, capsys.readouterr().out.splitlines()


def broken_lines(lines: list[str]) -> list[str]:
    return [line for line in lines if not line.startswith(("linkcheck:", "external:", "::"))]


@pytest.fixture(autouse=True)
def _not_on_github(monkeypatch):
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)


# ---------------------------------------------------------------------------------------------
# Internal links
# ---------------------------------------------------------------------------------------------


def test_good_site_passes(tmp_path, capsys):
    site = make_site(
        tmp_path,
        {
            "index.html": page(
                '<h1 id="accueil">A</h1><a href="claims/a/">a</a> <a href="claims/a/#verdict">v</a>'
                ' <img src="img/logo.png" alt=""> <a href="#accueil">top</a>'
            ),
            "claims/a/index.html": page(
                '<p id="verdict">x</p><a href="../../">home</a> <a href="../../sources/s/#c-a-1">quote</a>'
            ),
            "sources/s/index.html": page('<mark id="c-a-1" class="citation">q</mark>'),
            "img/logo.png": "",
        },
    )
    code, out = run(site, capsys=capsys)
    assert out == ["linkcheck: 3 pages, 6 references (0 distinct external URLs): all good"]
    assert code == 0


def test_broken_page_link(tmp_path, capsys):
    site = make_site(tmp_path, {"index.html": page('<a href="claims/nope/">x</a>')})
    code, out = run(site, capsys=capsys)
    assert out == [
        "index.html: claims/nope/: no such file: claims/nope/",
        "linkcheck: 1 pages, 1 references (0 distinct external URLs): 1 broken on 1 page",
    ]
    assert code == 1


def test_missing_anchor_names_the_target_page(tmp_path, capsys):
    site = make_site(
        tmp_path,
        {
            "claims/a/index.html": page('<a href="../../sources/s/#c-a-2">q</a>'),
            "sources/s/index.html": page('<mark id="c-a-1">q</mark>'),
        },
    )
    code, out = run(site, capsys=capsys)
    assert broken_lines(out) == [
        "claims/a/index.html: ../../sources/s/#c-a-2: no element with id 'c-a-2' in sources/s/index.html"
    ]
    assert code == 1


def test_missing_image_in_src_and_srcset(tmp_path, capsys):
    site = make_site(
        tmp_path,
        {
            "index.html": page(
                '<img src="a.png" srcset="a.png 1x, b.png 2x"><picture>'
                '<source srcset="c.webp"><img src="a.png"></picture>'
            ),
            "a.png": "",
        },
    )
    code, out = run(site, capsys=capsys)
    assert broken_lines(out) == ["index.html: b.png: no such file: b.png", "index.html: c.webp: no such file: c.webp"]
    assert code == 1


@pytest.mark.parametrize(
    "tag",
    [
        '<script src="x.js"></script>',
        '<link rel="stylesheet" href="x.css">',
        '<iframe src="x.html"></iframe>',
        '<video poster="x.jpg"></video>',
    ],
)
def test_every_loading_element_is_checked(tmp_path, capsys, tag):
    site = make_site(tmp_path, {"index.html": page(tag)})
    code, out = run(site, capsys=capsys)
    assert len(broken_lines(out)) == 1 and "no such file: x." in out[0]
    assert code == 1


def test_directory_urls(tmp_path, capsys):
    site = make_site(
        tmp_path,
        {
            "index.html": page(
                '<a href="a/">slash</a> <a href="a">no slash (server redirects)</a>'
                ' <a href="a/index.html">file</a> <a href="./">self</a> <a href="">empty</a>'
                ' <a href="empty/">dir without index</a>'
            ),
            "a/index.html": page(),
            "empty/x.txt": "",
        },
    )
    code, out = run(site, capsys=capsys)
    assert broken_lines(out) == ["index.html: empty/: no such file: empty/ (no index.html)"]


def test_percent_encoding_in_paths_and_fragments(tmp_path, capsys):
    site = make_site(
        tmp_path,
        {
            "index.html": page(
                '<a href="l%C3%A9t%C3%A9/">enc</a> <a href="lété/">raw</a>'
                ' <img src="a%20b.png"> <a href="x/#r%C3%A9sum%C3%A9">id enc</a>'
                ' <a href="x/#résumé">id raw</a> <a href="x/#d%C3%A9j%C3%A0">missing</a>'
                ' <a href="a%2.png">bad escape</a>'
            ),
            "lété/index.html": page(),
            "a b.png": "",
            "x/index.html": page('<h2 id="résumé">R</h2>'),
        },
    )
    code, out = run(site, capsys=capsys)
    assert broken_lines(out) == [
        "index.html: a%2.png: bad percent-escape in path",
        "index.html: x/#d%C3%A9j%C3%A0: no element with id 'déjà' in x/index.html",
    ]


def test_query_strings_are_ignored(tmp_path, capsys):
    site = make_site(
        tmp_path,
        {
            "index.html": page('<a href="a/?q=1#t">q</a> <a href="?lang=fr">self</a>'),
            "a/index.html": page('<p id="t">'),
        },
    )
    assert run(site, capsys=capsys)[0] == 0


def test_top_empty_fragment_and_legacy_names(tmp_path, capsys):
    site = make_site(
        tmp_path,
        {
            "index.html": page(
                '<a name="old">x</a><a href="#">e</a><a href="#top">t</a><a href="#TOP">T</a>'
                '<a href="#old">n</a><a href="#gone">g</a>'
            )
        },
    )
    code, out = run(site, capsys=capsys)
    assert broken_lines(out) == ["index.html: #gone: no element with id 'gone' in index.html"]


def test_base_element_is_honoured(tmp_path, capsys):
    site = make_site(
        tmp_path,
        {
            "docs/index.html": page(
                '<a href="page/">p</a> <a href="#in-base">frag resolves against base</a>',
                head='<base href="../other/">',
            ),
            "other/page/index.html": page(),
            "other/index.html": page('<p id="in-base">'),
        },
    )
    assert run(site, capsys=capsys)[0] == 0


def test_links_leaving_the_site_are_broken(tmp_path, capsys):
    site = make_site(
        tmp_path,
        {
            "index.html": page(
                '<a href="https://example.org/repo/a/">abs ok</a> <a href="/repo/a/">root ok</a>'
                ' <a href="/elsewhere/">root outside</a> <a href="../../x/">up and out</a>',
                head='<link rel="canonical" href="https://example.org/repo/">',
            ),
            "a/index.html": page(),
        },
    )
    code, out = run(site, capsys=capsys)
    assert broken_lines(out) == [
        "index.html: ../../x/: outside the site (which is published under /repo/)",
        "index.html: /elsewhere/: outside the site (which is published under /repo/)",
    ]


# ---------------------------------------------------------------------------------------------
# External URLs (syntax only, no network)
# ---------------------------------------------------------------------------------------------


def test_external_syntax(tmp_path, capsys):
    good_fragment = "https://example.org/art#" + text_fragment("l'été, chaud", prefix="en-tête")
    site = make_site(
        tmp_path,
        {
            "index.html": page(
                f'<a href="{good_fragment}">ok</a> <a href="https://example.org/a#:~:text=a,b,c,d,e">tf</a>'
                ' <a href="https:/example.org/x">one slash</a> <a href="http://exa_mple.org/">host</a>'
                ' <a href="https://example/">no dot</a> <a href="https://[::1/">ipv6</a>'
                ' <a href="mailto:redaction@example.org">m</a> <a href="mailto:redaction">bad m</a>'
                ' <a href="javascript:alert(1)">js</a> <a href="tel:+33100000000">tel</a>'
                ' <a href="https://example.org/a%zz">escape</a>'
            )
        },
    )
    code, out = run(site, capsys=capsys)
    assert broken_lines(out) == [
        "index.html: http://exa_mple.org/: invalid host 'exa_mple.org'",
        "index.html: https://[::1/: malformed URL (Invalid IPv6 URL)",
        "index.html: https://example.org/a#:~:text=a,b,c,d,e: text directive has 5 comma-separated parts"
        " (at most 4: prefix-,start,end,-suffix); an unencoded ',' in a text? write %2C",
        "index.html: https://example.org/a%zz: bad percent-escape ('%' not followed by two hex digits)",
        "index.html: https://example/: invalid host 'example'",
        "index.html: https:/example.org/x: no host (a missing '/' after the scheme?)",
        "index.html: javascript:alert(1): javascript: URL (script in a link; the builder never writes one)",
        "index.html: mailto:redaction: malformed e-mail address 'redaction'",
    ]
    assert out[-1].endswith("(1 distinct external URLs): 8 broken on 1 page")


def test_malformed_text_fragment_on_an_internal_link(tmp_path, capsys):
    site = make_site(tmp_path, {"index.html": page('<p id="x"></p><a href="#x:~:text=a-b">t</a>')})
    code, out = run(site, capsys=capsys)
    assert broken_lines(out) == ["index.html: #x:~:text=a-b: unencoded '-' in start 'a-b': write %2D"]


def test_github_annotations(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    site = make_site(tmp_path, {"index.html": page('<a href="nope/">x</a>')})
    code, out = run(site, capsys=capsys)
    assert "::error title=broken link::index.html: nope/: no such file: nope/" in out


def test_missing_site_dir_is_a_usage_error(tmp_path, capsys):
    assert main([str(tmp_path / "site")]) == 2
    assert "is not a directory" in capsys.readouterr().err


# ---------------------------------------------------------------------------------------------
# MkDocs / Material internals
# ---------------------------------------------------------------------------------------------

CONFIG = (
    '<script id="__config" type="application/json">{{"base": "{base}", "features": {features},'
    ' "search": "{worker}"}}</script>'
)


def material_page(base: str, worker: str, features: str = "[]", body: str = "") -> str:
    return page(
        '<form class="md-search__form" name="search"></form>'
        + body
        + CONFIG.format(base=base, worker=worker, features=features),
        head='<link rel="preconnect" href="https://fonts.gstatic.com" crossorigin>',
    )


def test_material_internals_are_understood(tmp_path, capsys):
    worker = "assets/javascripts/workers/search.js"
    site = make_site(
        tmp_path,
        {
            "index.html": material_page(".", worker, '["navigation.instant"]'),
            "claims/a/index.html": material_page("../..", "../../" + worker, '["navigation.instant"]'),
            # MkDocs renders 404.html with root-absolute URLs from site_url: it is served at any depth.
            "404.html": material_page("/", "/" + worker, body='<a href="/claims/a/">a</a>'),
            worker: "",
            "search/search_index.json": "{}",
            "sitemap.xml": '<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
            "<url><loc>/</loc></url><url><loc>/claims/a/</loc></url></urlset>",
        },
    )
    code, out = run(site, capsys=capsys)
    assert broken_lines(out) == []
    assert "(0 distinct external URLs)" in out[-1], "preconnect origins are never fetched"
    (site / "search/search_index.json").unlink()
    (site / worker).unlink()
    (site / "sitemap.xml").write_text(
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>/claims/b/</loc></url></urlset>'
    )
    code, out = run(site, capsys=capsys)
    assert broken_lines(out) == [
        "404.html: /assets/javascripts/workers/search.js: no such file: assets/javascripts/workers/search.js"
        " (wanted by Material's script: __config[search])",
        "404.html: /search/search_index.json: no such file: search/search_index.json"
        " (wanted by Material's script: __config[base] search index)",
        "claims/a/index.html: ../../assets/javascripts/workers/search.js: no such file:"
        " assets/javascripts/workers/search.js (wanted by Material's script: __config[search])",
        "claims/a/index.html: ../../search/search_index.json: no such file: search/search_index.json"
        " (wanted by Material's script: __config[base] search index)",
        "index.html: ./search/search_index.json: no such file: search/search_index.json"
        " (wanted by Material's script: __config[base] search index)",
        "index.html: assets/javascripts/workers/search.js: no such file: assets/javascripts/workers/search.js"
        " (wanted by Material's script: __config[search])",
        "sitemap.xml: /claims/b/: no such file: claims/b/",
    ]


def test_site_url_is_read_from_the_home_page_canonical(tmp_path, capsys):
    site = make_site(
        tmp_path,
        {
            "index.html": page(head='<link rel="canonical" href="https://user.github.io/factcheck/">'),
            "404.html": page('<a href="/factcheck/">home</a> <a href="/factcheck/nope/">x</a>'),
            "sitemap.xml": '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
            "<url><loc>https://user.github.io/factcheck/</loc></url></urlset>",
        },
    )
    code, out = run(site, capsys=capsys)
    assert broken_lines(out) == ["404.html: /factcheck/nope/: no such file: nope/"]


def test_stylesheets_are_checked_relative_to_themselves(tmp_path, capsys):
    site = make_site(
        tmp_path,
        {
            "index.html": page(head='<link rel="stylesheet" href="assets/site.css">'),
            "assets/site.css": '@import "base.css"; /* url(commented-out.png) */ .a{background:url("img/ok.png")}'
            " .b{background:url(img/absent.png)} .c{background:url(data:image/png;base64,AA)}",
            "assets/base.css": "",
            "assets/img/ok.png": "",
        },
    )
    code, out = run(site, capsys=capsys)
    assert broken_lines(out) == ["assets/site.css: img/absent.png: no such file: assets/img/absent.png"]


def test_srcset_parsing():
    assert srcset_urls("a.png") == ["a.png"]
    assert srcset_urls(" a.png 1x,b.png 2x , c,d.png 480w") == ["a.png", "b.png", "c,d.png"]
    assert srcset_urls("a.png,b.png") == ["a.png,b.png"]
    assert srcset_urls("a.png, b.png") == ["a.png", "b.png"]


# ---------------------------------------------------------------------------------------------
# Speed: a synthetic site shaped like ours (claims linking to marks in sources)
# ---------------------------------------------------------------------------------------------


def synthetic_site(root: Path, claims: int = 900, sources: int = 100) -> Path:
    chrome = '<link rel="stylesheet" href="{up}assets/main.css"><script src="{up}assets/bundle.js"></script>' + "".join(
        f'<a class="md-nav__link" href="{{up}}verdicts/v{i}/">v{i}</a>' for i in range(6)
    )
    files = {"assets/main.css": "", "assets/bundle.js": ""}
    files.update({f"verdicts/v{i}/index.html": page(chrome.format(up="../../")) for i in range(6)})
    for s in range(sources):
        marks = "".join(
            f'<p>{"texte " * 40}<mark id="c-claim-{c}-{n}" class="citation">q</mark>'
            f'<a class="cited-by" href="../../claims/claim-{c}/">↩</a></p>'
            for c in range(s, claims, sources)
            for n in (1, 2, 3)
        )
        files[f"sources/s{s}/index.html"] = page(chrome.format(up="../../") + marks)
    for c in range(claims):
        quotes = "".join(
            f'<blockquote class="evidence"><a class="evidence-link" '
            f'href="../../sources/s{c % sources}/#c-claim-{c}-{n}">q</a></blockquote>'
            for n in (1, 2, 3)
        )
        ext = f'<a href="https://example.org/a{c % 40}#{text_fragment("mot-clé")}">src</a>'
        files[f"claims/claim-{c}/index.html"] = page(chrome.format(up="../../") + quotes + ext)
    files["index.html"] = page(
        chrome.format(up="") + "".join(f'<a href="claims/claim-{c}/">c</a>' for c in range(claims))
    )
    return make_site(root, files)


def test_a_thousand_pages_in_a_couple_of_seconds(tmp_path, capsys):
    site = synthetic_site(tmp_path)
    start = time.perf_counter()
    code, out = run(site, capsys=capsys)
    elapsed = time.perf_counter() - start
    assert code == 0, out[:5]
    assert out[-1].startswith("linkcheck: 1007 pages")
    print(f"\nlinkcheck: 1007 synthetic pages in {elapsed:.2f} s")
    # The target is 1-2 s; the bound leaves room for a loaded CI machine.
    assert elapsed < 6


# ---------------------------------------------------------------------------------------------
# The real site, built from the project, then broken on purpose
# ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def real_site(tmp_path_factory) -> Path:
    root = copy_project(tmp_path_factory.mktemp("project"))
    for command in (
        [sys.executable, "-m", "builder", "build"],
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-q", "-d", str(root / "site")],
    ):
        done = subprocess.run(command, cwd=root, capture_output=True, text=True)
        assert done.returncode == 0, f"{command}:\n{done.stdout}\n{done.stderr}"
    return root / "site"


@pytest.mark.slow
def test_real_site_passes_then_fails_on_each_breakage(real_site, tmp_path, capsys):
    code, out = run(real_site, capsys=capsys)
    assert code == 0, "\n".join(out[:20])

    site = Path(shutil.copytree(real_site, tmp_path / "broken"))
    # 1. a highlighted passage that a claim links to loses its id
    claim_page, mark_id, source_page = first_evidence_link(site)
    html = source_page.read_text(encoding="utf-8")
    assert f'id="{mark_id}"' in html
    source_page.write_text(html.replace(f'id="{mark_id}"', "", 1), encoding="utf-8")
    # 2. a link to a page that does not exist; 3. a malformed text fragment
    home = site / "index.html"
    html = home.read_text(encoding="utf-8")
    bad_fragment = "https://example.org/article#:~:text=prefix,start,end,-suffix"
    home.write_text(
        html.replace("</body>", f'<a href="claims/n-existe-pas/">x</a><a href="{bad_fragment}">y</a></body>', 1),
        encoding="utf-8",
    )

    code, out = run(site, capsys=capsys)
    assert code == 1
    claim_rel = claim_page.relative_to(site).as_posix()
    source_rel = source_page.relative_to(site).as_posix()
    lines = broken_lines(out)
    assert any(
        line.startswith(f"{claim_rel}: ") and f"#{mark_id}: no element with id '{mark_id}' in {source_rel}" in line
        for line in lines
    ), lines
    assert "index.html: claims/n-existe-pas/: no such file: claims/n-existe-pas/" in lines
    assert any(line.startswith(f"index.html: {bad_fragment}: text directive has 3 texts") for line in lines)
    # Nothing else: other lines can only be further pages linking to the same passage (the matrix,
    # the source page's own back-links).
    others = [line for line in lines if not line.startswith("index.html: ")]
    assert all(f"#{mark_id}: no element with id '{mark_id}' in {source_rel}" in line for line in others), lines
    assert len(lines) - len(others) == 2, lines


def first_evidence_link(site: Path) -> tuple[Path, str, Path]:
    """A claim page, the anchor its first `a.evidence-link` points to, and that source page (DOM contract)."""
    for claim_page in sorted((site / "claims").glob("*/index.html")):
        parsed = linkcheck.LexborHTMLParser(claim_page.read_text(encoding="utf-8"))
        link = parsed.css_first("a.evidence-link")
        if link is None:
            continue
        href = link.attributes["href"]
        match = re.fullmatch(r"\.\./\.\./sources/([^/]+)/#(c-.+)", href)
        assert match, f"evidence link {href!r} does not follow the DOM contract"
        return claim_page, match.group(2), site / "sources" / match.group(1) / "index.html"
    raise AssertionError("no claim page has an a.evidence-link")
