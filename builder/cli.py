"""Command line: parse the arguments, call the library, print, exit. Nothing else."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from builder import pipeline
from builder.problems import Report


def _summary(report: Report) -> str:
    errors, warnings = len(report.errors), len(report.warnings)
    return f"{errors} error{'s' * (errors != 1)}, {warnings} warning{'s' * (warnings != 1)}"


def _print_report(report: Report) -> None:
    for line in report.lines():
        print(line, file=sys.stderr)


def cmd_check(args: argparse.Namespace) -> int:
    project, report = pipeline.check(args.root)
    _print_report(report)
    if report.failed(args.strict):
        print(f"check failed: {_summary(report)}", file=sys.stderr)
        return 1
    quotes = sum(len(c.evidence) for c in project.claims)
    print(f"ok: {len(project.claims)} claims, {len(project.sources)} sources, {quotes} quotes found verbatim ({_summary(report)})")
    return 0


def cmd_build(args: argparse.Namespace) -> int:
    result = pipeline.build(args.root, strict=args.strict)
    _print_report(result.report)
    if result.report.failed(args.strict):
        print(f"build failed, nothing written: {_summary(result.report)}", file=sys.stderr)
        return 1
    print(f"built: {len(result.written)} written, {len(result.unchanged)} unchanged, {len(result.removed)} removed")
    return 0


def cmd_linkcheck(args: argparse.Namespace) -> int:
    from builder import linkcheck

    return linkcheck.main(args.rest)


def parser() -> argparse.ArgumentParser:
    main = argparse.ArgumentParser(prog="python -m builder", description="Fact-check site builder.")
    main.add_argument("--root", type=Path, default=Path("."), help="project folder (default: current)")
    commands = main.add_subparsers(dest="command", required=True, metavar="COMMAND")

    check = commands.add_parser("check", help="validate claims.yaml and seeds/, locate every quote")
    check.add_argument("--strict", action="store_true", help="fail on warnings too")
    check.set_defaults(run=cmd_check)

    build = commands.add_parser("build", help="check, then write the generated pages into content/")
    build.add_argument("--strict", action="store_true", help="fail on warnings too")
    build.set_defaults(run=cmd_build)

    link = commands.add_parser("linkcheck", help="check every link and anchor of a built site", add_help=False)
    link.add_argument("rest", nargs=argparse.REMAINDER)
    link.set_defaults(run=cmd_linkcheck)
    return main


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    return args.run(args)
