"""What the search index, the navigation and the plugins cost MkDocs, at two corpus sizes.

    .venv/bin/python -m bench.mkdocs_costs [--sizes 1000 5000] [--variants ...] [--timeout 1800]

For each size, a synthetic corpus (bench.corpus) is generated and the builder writes its pages
once; then MkDocs builds the same content once per variant of mkdocs.yml. A variant is a small
config file that INHERITs the project's mkdocs.yml and overrides a few keys, so every variant
starts from the settings the site really has. The builder hook is left out of every variant
(the content is already built): the figures are MkDocs' own work. A timing hook records when
each stage of the build ends, so the table also shows where the time goes.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path

from bench.corpus import PROJECT, make_corpus
from bench.run import MKDOCS, load, measured, run_builder, seconds, versions

TIMING_HOOK = r'''
"""Benchmark hook: when each stage of the MkDocs build ends (written by bench/mkdocs_costs.py)."""
import json, os, time
from mkdocs.plugins import event_priority

_marks = {}


def _mark(name):
    # CPU time as well as the clock: other jobs on a shared machine stretch the clock only.
    _marks.setdefault(name, (time.perf_counter(), time.process_time()))


@event_priority(100)
def on_config(config):
    _mark("config")


@event_priority(-100)
def on_files(files, config):
    _mark("files")


@event_priority(-100)
def on_nav(nav, config, files):
    _mark("nav")


_started = {}
_pages = {}


def _listed(page, variable):
    return any(page.file.src_uri.startswith(prefix) for prefix in os.environ.get(variable, "").split())


@event_priority(100)
def on_page_markdown(markdown, page, config, files):
    _started[page.file.src_uri] = time.process_time()
    # Stands for `search: {exclude: true}` in the front matter of these pages.
    if _listed(page, "BENCH_SEARCH_EXCLUDE"):
        page.meta["search"] = {"exclude": True}
    # What these pages cost, by replacing them with almost nothing.
    if _listed(page, "BENCH_STUB"):
        return "# Page allégée\n\nContenu retiré pour la mesure.\n"


@event_priority(-100)
def on_page_content(html, page, config, files):
    # The Markdown conversion of one page, in CPU seconds.
    _pages[page.file.src_uri] = time.process_time() - _started[page.file.src_uri]


@event_priority(100)
def on_env(env, config, files):
    _mark("markdown")


@event_priority(100)
def on_post_build(config):
    _mark("pages")


def on_shutdown():
    _mark("post_build")
    slowest = sorted(_pages.items(), key=lambda item: -item[1])[:4]
    with open(os.environ["BENCH_TIMING_FILE"], "w") as out:
        json.dump({"marks": _marks, "slowest": slowest}, out)
'''

# Stages in the order the marks are taken, with what each one covers.
STAGES = [
    ("config", "start-up, imports, config"),
    ("files", "collect files"),
    ("nav", "navigation"),
    ("markdown", "read + Markdown"),
    ("pages", "render + write pages, search indexing"),
    ("post_build", "post_build: search_index.json"),
]


def _plugin_name(entry: object) -> str:
    return next(iter(entry)) if isinstance(entry, dict) else str(entry)


def variants(base: dict) -> dict[str, tuple[str, dict, dict]]:
    """name -> (description, keys overriding mkdocs.yml, extra environment)."""
    plugins = base.get("plugins") or []
    if isinstance(plugins, dict):
        plugins = [{name: options} for name, options in plugins.items()]
    features = (base.get("theme") or {}).get("features") or []
    all_in_nav = {"nav": None, "not_in_nav": ""}
    return {
        "as-configured": ("mkdocs.yml as it is", {}, {}),
        "no-search": ("search plugin removed", {"plugins": [p for p in plugins if _plugin_name(p) != "search"]}, {}),
        "search-no-sources": ("source pages left out of the search index", {}, {"BENCH_SEARCH_EXCLUDE": "sources/"}),
        "search-no-matrix": ("matrix page left out of the search index", {}, {"BENCH_SEARCH_EXCLUDE": "matrix.md"}),
        "matrix-stub": (
            "matrix page replaced by a one-line page (what a smaller matrix could save)",
            {},
            {"BENCH_STUB": "matrix.md"},
        ),
        "all-in-nav": ("every page in the navigation (no nav:, no not_in_nav)", all_in_nav, {}),
        "all-in-nav-pruned": (
            "every page in the navigation, with navigation.prune",
            {**all_in_nav, "theme": {"features": [*features, "navigation.prune"]}},
            {},
        ),
    }


def _config_text(overrides: dict, hook: Path) -> str:
    # JSON is YAML: the overrides are written without a YAML dumper; INHERIT merges them in.
    lines = ["INHERIT: mkdocs.yml", f"hooks: {json.dumps([str(hook)])}", "strict: false"]
    lines += [f"{key}: {json.dumps(value, ensure_ascii=False)}" for key, value in overrides.items()]
    return "\n".join(lines) + "\n"


def _size(path: Path) -> int:
    return path.stat().st_size if path.exists() else 0


def measure(root: Path, work: Path, name: str, overrides: dict, env: dict, timeout: float) -> dict:
    hook = work / "bench_timing_hook.py"
    hook.write_text(TIMING_HOOK, encoding="utf-8")
    config = root / f"mkdocs.bench-{name}.yml"
    config.write_text(_config_text(overrides, hook), encoding="utf-8")
    site = work / f"site-{root.name}-{name}"
    timing = work / f"timing-{root.name}-{name}.json"
    started = time.time()
    run = measured(
        [MKDOCS, "build", "-f", str(config), "-d", str(site)],
        cwd=root,
        timeout=timeout,
        env={**env, "BENCH_TIMING_FILE": str(timing)},
    )
    row: dict = {"wall": run.wall, "cpu": run.cpu, "peak_mib": run.peak_mib, "ok": run.returncode == 0}
    if run.returncode:
        row["error"] = "timed out" if time.time() - started >= timeout else run.stderr.strip().splitlines()[-1:]
        return row
    row["warnings"] = run.stderr.count("WARNING")
    recorded = json.loads(timing.read_text())
    marks = {key: cpu for key, (_clock, cpu) in recorded["marks"].items()}
    row["slowest"] = [(page, cpu, _size(root / "content" / page)) for page, cpu in recorded["slowest"]]
    previous = 0.0  # the process's CPU time starts at zero: the first stage is start-up
    for key, _label in STAGES:
        if key in marks:
            row[key], previous = marks[key] - previous, marks[key]
    pages = list(site.rglob("*.html"))
    claim_pages = list((site / "claims").rglob("index.html"))
    row["html_pages"] = len(pages)
    row["site_mib"] = sum(p.stat().st_size for p in site.rglob("*") if p.is_file()) / 2**20
    row["search_index_mib"] = _size(site / "search" / "search_index.json") / 2**20
    row["claim_page_kib"] = sum(p.stat().st_size for p in claim_pages) / max(1, len(claim_pages)) / 1024
    shutil.rmtree(site)
    return row


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 5000], help="numbers of claims")
    parser.add_argument("--variants", nargs="+", help="only these variants (default: all)")
    parser.add_argument("--timeout", type=float, default=1800, help="seconds before a build is given up")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--keep", type=Path, help="work in this folder and keep it")
    args = parser.parse_args(argv)

    from mkdocs.utils.yaml import yaml_load

    with open(PROJECT / "mkdocs.yml", encoding="utf-8") as file:
        base = yaml_load(file)
    chosen = {k: v for k, v in variants(base).items() if not args.variants or k in args.variants}
    load_start = load()
    work = args.keep or Path(tempfile.mkdtemp(prefix="factcheck-mkdocs-costs-"))
    results: dict[tuple[int, str], dict] = {}
    try:
        for size in args.sizes:
            root = work / f"n{size}"
            make_corpus(root, size, args.seed)
            run_builder(root)
            for name, (_description, overrides, env) in chosen.items():
                results[size, name] = measure(root, work, name, overrides, env, args.timeout)
                print(f"  done: N = {size}, {name}: {seconds(results[size, name]['wall'])}", file=sys.stderr)
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)

    print(
        f"MkDocs costs, {time.strftime('%Y-%m-%d %H:%M')}, {versions()}; load average at start {load_start}, "
        f"at end {load()}. Builder hook off; one build each; stages in CPU seconds of the mkdocs process."
    )
    print()
    print(
        "| claims | HTML pages | variant | wall | CPU | peak RSS | "
        + " | ".join(label for _, label in STAGES)
        + " | search_index.json | site | claim page |"
    )
    print("|---:|---:|---|" + "---:|" * (3 + len(STAGES) + 3))
    for (size, name), row in results.items():
        if not row["ok"]:
            print(f"| {size:,} | | {name} | {seconds(row['wall'])} | | | failed: {row['error']} |")
            continue
        stages = " | ".join(seconds(row[key]) if row.get(key) is not None else "" for key, _ in STAGES)
        print(
            f"| {size:,} | {row['html_pages']:,} | {name} | {seconds(row['wall'])} | {seconds(row['cpu'])} | "
            f"{row['peak_mib']:.0f} MiB | {stages} | {row['search_index_mib']:.1f} MiB | "
            f"{row['site_mib']:.0f} MiB | {row['claim_page_kib']:.0f} KiB |"
        )
    print()
    for name, (description, _overrides, _env) in chosen.items():
        print(f"- {name}: {description}")
    for (size, name), row in results.items():
        if name == next(iter(chosen)) and row["ok"]:
            pages = ", ".join(f"{page} {seconds(cpu)} ({size_ / 2**20:.1f} MiB)" for page, cpu, size_ in row["slowest"])
            print(f"- N = {size:,}, {name}: slowest pages to convert from Markdown: {pages}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
