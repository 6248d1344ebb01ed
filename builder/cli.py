"""Command line: parse the arguments, call the library, print, exit. Nothing else."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from builder import pin, pipeline, scaffold, write
from builder.problems import Problem, Report


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
    print(
        f"ok: {len(project.claims)} claims, {len(project.sources)} sources, "
        f"{quotes} quotes found verbatim ({_summary(report)})"
    )
    return 0


def cmd_build(args: argparse.Namespace) -> int:
    try:
        result = pipeline.build(args.root, strict=args.strict, processes=args.jobs)
    except OSError as error:  # a full disk, a read-only folder: write.write has undone its staging
        print(f"build failed, content/ left as it was: {error.strerror or error}", file=sys.stderr)
        return 1
    _print_report(result.report)
    if result.report.failed(args.strict):
        print(f"build failed, nothing written: {_summary(result.report)}", file=sys.stderr)
        return 1
    print(f"built: {len(result.written)} written, {len(result.unchanged)} unchanged, {len(result.removed)} removed")
    return 0


def cmd_pin(args: argparse.Namespace) -> int:
    outcome = pin.pin_and_check(args.root)
    for change in outcome.pin.repinned:
        was = f"{change.old[:12]}..." if change.old else "none"
        print(
            f"{change.file}: sha256 re-pinned ({pipeline.SOURCES}:{change.line}; was {was}, now {change.new[:12]}...)"
        )
    if outcome.pin.problems:
        _print_report(Report(outcome.pin.problems))
        print(f"pin failed, {pipeline.SOURCES} unchanged", file=sys.stderr)
        return 1
    if not outcome.pin.repinned:
        print("every source file matches its sha256: nothing to re-pin")
    _print_report(outcome.report)
    broken = len(outcome.broken_quotes)
    if broken:
        print(
            f"quotes no longer found after pinning: {broken} (listed above); correct them in claims.yaml",
            file=sys.stderr,
        )
    if outcome.report.errors:
        print(f"check after pinning failed: {_summary(outcome.report)}", file=sys.stderr)
        return 1
    print(f"ok: every quote still found verbatim ({_summary(outcome.report)})")
    return 0


def _ask(question: scaffold.Question, problems: list[Problem]) -> str:
    for problem in problems:
        print(problem.format(), file=sys.stderr)
    choices = f" [{', '.join(question.choices)}]" if question.choices else ""
    return input(f"{question.prompt}{choices}: ")


def cmd_new(args: argparse.Namespace) -> int:
    answers = scaffold.Answers(**{name: getattr(args, name) for name in scaffold.OPTIONS})
    try:
        result = scaffold.add(args.root, answers, ask=_ask if sys.stdin.isatty() else None)
    except (EOFError, KeyboardInterrupt):
        print(f"\ncancelled: {pipeline.CLAIMS} unchanged", file=sys.stderr)
        return 1
    if isinstance(result, scaffold.Refused):
        _print_report(Report(result.problems))
        print(f"nothing added: {pipeline.CLAIMS} unchanged", file=sys.stderr)
        return 1
    _print_report(Report(result.warnings))
    print(f"added claim '{result.id}' at {pipeline.CLAIMS}:{result.line}")
    print("before it can be published, write in that entry (until then the check fails on it):")
    for name, what in result.todo:
        print(f"  {name}: {what}")
    return 0


def cmd_linkcheck(args: argparse.Namespace) -> int:
    from builder import linkcheck

    return linkcheck.main(args.rest)


def _positive(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of processes, at least 1, not {text!r}")
    return int(text)


def parser() -> argparse.ArgumentParser:
    main = argparse.ArgumentParser(prog="python -m builder", description="Fact-check site builder.")
    main.add_argument("--root", type=Path, default=Path("."), help="project folder (default: current)")
    commands = main.add_subparsers(dest="command", required=True, metavar="COMMAND")
    # --root is also accepted after the command (`build --root DIR`), where people tend to put it.
    rooted = argparse.ArgumentParser(add_help=False)
    rooted.add_argument("--root", type=Path, default=argparse.SUPPRESS, help="project folder (default: current)")

    check = commands.add_parser("check", parents=[rooted], help="validate claims.yaml and seeds/, locate every quote")
    check.add_argument("--strict", action="store_true", help="fail on warnings too")
    check.set_defaults(run=cmd_check)

    build = commands.add_parser("build", parents=[rooted], help="check, then write the generated pages into content/")
    build.add_argument("--strict", action="store_true", help="fail on warnings too")
    build.add_argument(
        "-j",
        "--jobs",
        type=_positive,
        help=f"processes that render the pages (default: every processor from {write.PARALLEL_FROM} pages, else 1)",
    )
    build.set_defaults(run=cmd_build)

    repin = commands.add_parser(
        "pin", parents=[rooted], help="record the sha256 of every source file in seeds/sources.yaml, then check"
    )
    repin.set_defaults(run=cmd_pin)

    new = commands.add_parser(
        "new", parents=[rooted], help="add a claim to claims.yaml (asks for what is missing, in a terminal)"
    )
    new.add_argument("--claim", help="the claim, as it was made (one line)")
    new.add_argument("--claimant", help="who made it (leave out when the sources do not say)")
    new.add_argument("--source", help="id of the source the quote comes from (seeds/sources.yaml)")
    new.add_argument("--quote", help="the quote, copied from the source; it is located at once")
    new.add_argument("--stance", choices=scaffold.STANCES, help="what the quote does to the claim")
    new.add_argument("--verdict", help="one of the ids in `ratings` (left for later when not given)")
    new.add_argument("--id", help="the claim's id (default: from the claim's first words)")
    new.add_argument("--date", help="review date, YYYY-MM-DD (default: today)")
    new.add_argument("--claim-date", help="when the claim was made, YYYY-MM-DD (leave out when unknown)")
    new.set_defaults(run=cmd_new)

    link = commands.add_parser("linkcheck", help="check every link and anchor of a built site", add_help=False)
    link.add_argument("rest", nargs=argparse.REMAINDER)
    link.set_defaults(run=cmd_linkcheck)
    return main


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    return args.run(args)
