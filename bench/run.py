"""The benchmark (SPEC section 9): builder and MkDocs build times on a synthetic corpus, one table.

    .venv/bin/python -m bench.run [--sizes 1000 10000] [--runs 5] [--mkdocs-size 1000]

Each builder run is a fresh `python` process that imports the builder and calls
builder.pipeline.build() on a fresh copy of the corpus, with no generated page yet: a cold build,
as CI and a fresh clone see it, with no import, template or file-system cache left warm by an
earlier run in the same process. A copy, not the corpus with an earlier build's pages deleted:
creating 11,000 files where 11,000 were just deleted costs ext4 about a second more of kernel
time (measured at 10,000 claims: 6.6-6.7 s in a new folder, 7.7-8.0 s after deleting the pages),
a cost no checkout pays. The process is timed from outside (wall clock, and CPU time
and peak memory from the kernel's rusage for that one child, via os.wait4) and from inside
(build() alone, which leaves out interpreter start-up and imports). The machine is shared, so
the table shows the load average and the CPU time, which load disturbs less than the wall clock.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import yaml

from bench.corpus import PROJECT, claims_schema_line, dump_yaml, make_corpus

PYTHON = sys.executable
MKDOCS = str(Path(sys.executable).with_name("mkdocs"))
ENV = {**os.environ, "PYTHONPATH": str(PROJECT), "NO_MKDOCS_2_WARNING": "1", "PYTHONDONTWRITEBYTECODE": "1"}

CHILD = """
import json, sys, time
from pathlib import Path
start = time.perf_counter()
from builder.pipeline import build
imported = time.perf_counter()
result = build(Path(sys.argv[1]))
done = time.perf_counter()
print(json.dumps({
    "import": imported - start, "build": done - imported,
    "written": result.written, "unchanged": len(result.unchanged), "removed": result.removed,
    "errors": [p.format() for p in result.report.errors][:5],
}))
"""


# Issue 7's targets, by the start of the row they apply to.
TARGETS = {
    "builder, cold build: process wall": "< 5 s at 10,000 claims (2 cores)",
    "builder scaling": "at most about x10",
    "builder / MkDocs": "< 5 %",
    "builder: files rewritten": "only the pages the edit changed",
}


@dataclass
class Measured:
    wall: float
    cpu: float
    """User plus system time of the child, from rusage."""
    peak_mib: float
    returncode: int
    stdout: str
    stderr: str


def measured(cmd: list[str], cwd: Path, timeout: float | None = None, env: dict | None = None) -> Measured:
    """Run cmd and measure it alone: os.wait4 gives this child's rusage, not all children's."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=cwd, env={**ENV, **(env or {})}, stdout=out, stderr=err)
        timer = threading.Timer(timeout, proc.kill) if timeout else None
        if timer:
            timer.start()
        _pid, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        if timer:
            timer.cancel()
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        return Measured(
            wall,
            usage.ru_utime + usage.ru_stime,
            usage.ru_maxrss / 1024,
            proc.returncode,
            out.read().decode(errors="replace"),
            err.read().decode(errors="replace"),
        )


def run_builder(root: Path) -> tuple[Measured, dict]:
    run = measured([PYTHON, "-c", CHILD, str(root)], cwd=PROJECT)
    if run.returncode:
        sys.exit(f"builder failed on {root}:\n{run.stderr}")
    inside = json.loads(run.stdout.strip().splitlines()[-1])
    if inside["errors"]:
        sys.exit("the synthetic corpus has errors:\n" + "\n".join(inside["errors"]))
    return run, inside


def edit_one_summary(root: Path) -> str:
    """Change the summary of the claim in the middle of claims.yaml; return its id."""
    path = root / "claims.yaml"
    text = path.read_text(encoding="utf-8")
    data = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    # The edit must touch that claim only: the file has to survive a load and dump unchanged.
    assert dump_yaml(data, claims_schema_line()) == text
    claim = data["claims"][len(data["claims"]) // 2]
    claim["summary"] += " Mise à jour : le chiffre a été corrigé."
    path.write_text(dump_yaml(data, claims_schema_line()), encoding="utf-8")
    return claim["id"]


def mkdocs_build(root: Path, site: Path, timeout: float | None = None, config: str = "mkdocs.yml") -> Measured:
    run = measured([MKDOCS, "build", "-f", str(root / config), "-d", str(site)], cwd=root, timeout=timeout)
    if run.returncode:
        sys.exit(f"mkdocs build failed on {root}:\n{run.stderr[-3000:]}")
    return run


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def versions() -> str:
    from importlib.metadata import version

    return (
        f"Python {platform.python_version()}, mkdocs {version('mkdocs')}, "
        f"mkdocs-material {version('mkdocs-material')}, {os.cpu_count()} CPUs"
    )


def median(values: list[float]) -> float:
    return statistics.median(values)


def seconds(value: float) -> str:
    return f"{value:.2f} s" if value < 100 else f"{value:.0f} s"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000], help="numbers of claims")
    parser.add_argument("--runs", type=int, default=5, help="cold builder runs per size (median)")
    parser.add_argument("--mkdocs-size", type=int, default=1000, help="claims for the MkDocs build (0: skip)")
    parser.add_argument("--mkdocs-runs", type=int, default=1)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--keep", type=Path, help="build in this folder and keep it, instead of a temporary one")
    args = parser.parse_args(argv)

    load_start = load()
    work = args.keep or Path(tempfile.mkdtemp(prefix="factcheck-bench-"))
    rows: dict[str, dict[int, str]] = {}
    notes: list[str] = []
    cold_wall: dict[int, float] = {}
    cold_cpu: dict[int, float] = {}

    def put(row: str, size: int, value: str) -> None:
        rows.setdefault(row, {})[size] = value

    try:
        for size in args.sizes:
            root = work / f"n{size}"
            started = time.perf_counter()
            figures = make_corpus(root, size, args.seed)
            generated = time.perf_counter() - started
            put(
                "corpus: claims / sources / quotes",
                size,
                f"{figures['claims']} / {figures['sources']} / {figures['quotes']}",
            )
            put(
                "corpus: claims.yaml + seeds/",
                size,
                f"{figures['claims_yaml_bytes'] / 2**20:.1f} + {figures['seed_bytes'] / 2**20:.1f} MiB",
            )

            # Each cold run in a copy of its own, all kept until the end (see the module's docstring).
            runs = [
                run_builder(shutil.copytree(root, work / f"n{size}-cold-{run}", symlinks=True))
                for run in range(args.runs)
            ]
            cold_wall[size] = median([r.wall for r, _ in runs])
            cold_cpu[size] = median([r.cpu for r, _ in runs])
            pages = len(runs[0][1]["written"])
            put(f"builder, cold build: process wall (median of {args.runs})", size, seconds(cold_wall[size]))
            put("builder, cold build: process CPU user+sys", size, seconds(cold_cpu[size]))
            put("builder, cold build: build() alone", size, seconds(median([i["build"] for _, i in runs])))
            put("builder: files written by a cold build", size, str(pages))
            put("builder: peak memory (max RSS)", size, f"{max(r.peak_mib for r, _ in runs):.0f} MiB")

            run_builder(root)  # the corpus built once, for the rebuilds below
            noop, inside = run_builder(root)
            put(
                "builder, rebuild, nothing changed: wall",
                size,
                f"{seconds(noop.wall)} ({len(inside['written'])} written)",
            )

            claim_id = edit_one_summary(root)
            edited, inside = run_builder(root)
            put("builder, rebuild after editing one summary: wall", size, seconds(edited.wall))
            put("builder: files rewritten after that edit", size, str(len(inside["written"])))
            notes.append(f"N = {size}: editing the summary of {claim_id} rewrote {', '.join(inside['written'])}")

            if size == args.mkdocs_size:
                # mkdocs.yml runs the builder from a hook (on_pre_build): build once as configured,
                # and once without hooks, to set the builder against MkDocs' own work.
                (root / "mkdocs.bench-nohooks.yml").write_text("INHERIT: mkdocs.yml\nhooks: []\n", encoding="utf-8")
                for label, config in (
                    ("as configured (runs the builder)", "mkdocs.yml"),
                    ("without the builder hook", "mkdocs.bench-nohooks.yml"),
                ):
                    builds = [mkdocs_build(root, work / f"site-{size}", config=config) for _ in range(args.mkdocs_runs)]
                    wall = median([b.wall for b in builds])
                    put(f"MkDocs build {label}: wall (median of {args.mkdocs_runs})", size, seconds(wall))
                    put(f"MkDocs build {label}: CPU user+sys", size, seconds(median([b.cpu for b in builds])))
                    put(
                        f"MkDocs build {label}: peak memory (max RSS)",
                        size,
                        f"{max(b.peak_mib for b in builds):.0f} MiB",
                    )
                put("MkDocs build: HTML pages", size, str(sum(1 for _ in (work / f"site-{size}").rglob("*.html"))))
                cpu = median([b.cpu for b in builds])
                put(
                    "builder / MkDocs without the hook (cold builder / MkDocs)",
                    size,
                    f"{100 * cold_wall[size] / wall:.1f} % wall, {100 * cold_cpu[size] / cpu:.1f} % CPU",
                )
            notes.append(f"N = {size}: corpus generated in {seconds(generated)}")
        if len(args.sizes) > 1:
            small, large = min(args.sizes), max(args.sizes)
            put(
                "builder scaling: time ratio for the size ratio",
                large,
                f"x{cold_wall[large] / cold_wall[small]:.1f} wall, x{cold_cpu[large] / cold_cpu[small]:.1f} CPU "
                f"for x{large / small:g} claims",
            )
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)

    sizes = args.sizes
    print(
        f"Benchmark, {time.strftime('%Y-%m-%d %H:%M')}, {versions()}; load average (1, 5, 15 min) "
        f"at start {load_start}, at end {load()}"
    )
    print()
    print("| measure | " + " | ".join(f"N = {n:,} claims" for n in sizes) + " | target |")
    print("|---|" + "---:|" * len(sizes) + "---|")
    for row, values in rows.items():
        target = next((t for key, t in TARGETS.items() if row.startswith(key)), "")
        print(f"| {row} | " + " | ".join(values.get(n, "") for n in sizes) + f" | {target} |")
    print()
    for note in notes:
        print(f"- {note}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
