"""`python -m builder new`: a claim appended to claims.yaml, checked at once, unfinished on purpose.

The command line on a copy of the mini project (options, refusals with the check's own
messages, a terminal session through a pseudo-terminal), then the text edit on several
layouts of claims.yaml through the library, and the quoting of any text.
"""

from __future__ import annotations

import datetime
import os
import pty
import shutil
import subprocess
import tempfile
import termios
from pathlib import Path

import pytest
from bad_inputs import CLAIMS, DEMENTI, MINI, at, repin
from helpers import run_builder as run
from hypothesis import given
from hypothesis import strategies as st

from builder import scaffold
from builder.load import load_yaml

QUOTE = "aucun calendrier n’a été fixé pour le pont"
OPTIONS = [
    "--claim",
    "La préfecture a fixé le calendrier du pont.",
    "--source",
    "dementi",
    "--quote",
    QUOTE,
    "--stance",
    "contradicts",
]


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "mini"
    shutil.copytree(MINI, root)
    return root


def entry_text(**fields: str) -> str:
    """The entry `new` writes for the OPTIONS above, with the fixture's indentation."""
    lines = [f'  - id: "{fields["id"]}"', '    claim: "La préfecture a fixé le calendrier du pont."']
    lines += [f'    {name}: "{fields[name]}"' for name in ("claimant", "claim_date") if name in fields]
    if "verdict" in fields:
        lines.append(f'    verdict: "{fields["verdict"]}"')
    else:
        lines.append("    # TODO verdict (required, the check fails without it): one of faux, trompeur, vrai")
    lines += [
        "    # TODO summary (required, the check fails without it): the conclusion in one to three sentences, "
        "in Markdown",
        f'    reviewed: "{fields["reviewed"]}"',
        "    evidence:",
        '      - source: "dementi"',
        f'        quote: "{QUOTE}"',
        '        stance: "contradicts"',
    ]
    return "\n".join(lines) + "\n"


# --- ids -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "claim, taken, expected",
    [
        ("Kim Jong-un et Vladimir Poutine discuteront de la possibilité", set(), "kim-jong-un-et-vladimir-poutine"),
        ("L’Ukraine a reçu des obus nord-coréens", set(), "ukraine-a-recu-des-obus-nord"),
        ("Qu'il pleuve ou non, jusqu’à demain", set(), "il-pleuve-ou-non-a-demain"),
        ("Œuvre ÉTÉ Ærø straße ﬁn", set(), "oeuvre-ete-aero-strasse-fin"),
        ("Coût du pont", {"cout-du-pont"}, "cout-du-pont-2"),
        ("Coût du pont", {"cout-du-pont", "cout-du-pont-2"}, "cout-du-pont-3"),
        ("« ! » 北朝鮮", set(), "affirmation"),
        ("Anticonstitutionnellement " * 6, set(), "anticonstitutionnellement-anticonstitutionnellement"),
        ("100 % des 2 000 obus", set(), "100-des-2-000-obus"),
    ],
)
def test_slug(claim, taken, expected):
    assert scaffold.slug(claim, taken) == expected
    assert len(expected) <= scaffold.SLUG_MAX


# --- the command -----------------------------------------------------------------------------


def test_new_appends_an_entry_that_fails_the_check_until_finished(project):
    before = (project / CLAIMS).read_bytes()
    done = run(project, "new", *OPTIONS, "--date", "2024-03-12", "--claimant", "Un élu")
    assert (done.returncode, done.stderr) == (0, "")
    line = before.count(b"\n") + 2  # after a blank line
    assert done.stdout == (
        f"added claim 'la-prefecture-a-fixe-le-calendrier' at claims.yaml:{line}\n"
        "before it can be published, write in that entry (until then the check fails on it):\n"
        "  verdict: one of faux, trompeur, vrai\n"
        "  summary: the conclusion in one to three sentences, in Markdown\n"
    )
    after = (project / CLAIMS).read_bytes()
    expected = entry_text(id="la-prefecture-a-fixe-le-calendrier", claimant="Un élu", reviewed="2024-03-12")
    assert after == before + b"\n" + expected.encode("utf-8")

    check = run(project, "check")
    assert check.returncode == 1
    assert check.stderr == (
        f"claims.yaml:{line}:5: error: missing required field 'summary'\n"
        "    add `summary:` to this entry (The conclusion in one to three sentences.)\n"
        f"claims.yaml:{line}:5: error: missing required field 'verdict'\n"
        "    add `verdict:` to this entry (One of the ids in `ratings`.)\n"
        "check failed: 2 errors, 0 warnings\n"
    )
    assert run(project, "build").returncode == 1

    text = after.decode("utf-8")
    text = text.replace(
        "    # TODO verdict (required, the check fails without it): one of faux, trompeur, vrai\n",
        "    verdict: faux\n",
    )
    text = text.replace(
        "    # TODO summary (required, the check fails without it): the conclusion in one to three sentences, "
        "in Markdown\n",
        "    summary: La préfecture dit le contraire.\n",
    )
    (project / CLAIMS).write_text(text, encoding="utf-8")
    assert run(project, "check", "--strict").returncode == 0
    assert run(project, "build").returncode == 0
    assert (project / "content" / "claims" / "la-prefecture-a-fixe-le-calendrier.md").is_file()


def test_new_with_a_verdict_and_dates_leaves_only_the_summary(project):
    before = (project / CLAIMS).read_bytes()
    done = run(
        project,
        "new",
        *OPTIONS,
        "--verdict",
        "faux",
        "--id",
        "calendrier",
        "--claim-date",
        "2024-03-06",
        "--date",
        "2024-03-12",
    )
    assert done.returncode == 0
    assert done.stdout.endswith(
        "write in that entry (until then the check fails on it):\n"
        "  summary: the conclusion in one to three sentences, in Markdown\n"
    )
    expected = entry_text(id="calendrier", claim_date="2024-03-06", verdict="faux", reviewed="2024-03-12")
    assert (project / CLAIMS).read_bytes() == before + b"\n" + expected.encode("utf-8")


def test_the_review_date_defaults_to_today(project):
    today = datetime.date.today().isoformat()
    assert run(project, "new", *OPTIONS).returncode == 0
    doc, problems = load_yaml(project / CLAIMS, CLAIMS)
    assert problems == []
    assert doc.data["claims"][-1]["reviewed"] in (today, datetime.date.today().isoformat())


def test_a_second_claim_after_an_unfinished_one(project):
    assert run(project, "new", *OPTIONS).returncode == 0
    done = run(project, "new", *OPTIONS)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("added claim 'la-prefecture-a-fixe-le-calendrier-2' at claims.yaml:")
    doc, problems = load_yaml(project / CLAIMS, CLAIMS)
    assert problems == []
    assert [c["id"] for c in doc.data["claims"][-2:]] == [
        "la-prefecture-a-fixe-le-calendrier",
        "la-prefecture-a-fixe-le-calendrier-2",
    ]


def test_the_id_is_unique(project):
    done = run(project, "new", *OPTIONS[2:], "--claim", "Coût du pont")
    assert done.returncode == 0
    assert done.stdout.startswith("added claim 'cout-du-pont-2' at claims.yaml:")


def test_warnings_are_shown_but_do_not_refuse(project):
    claim = "La préfecture a fixé le calendrier du pont, selon un communiqué publié mardi soir en mairie."
    done = run(project, "new", *OPTIONS[2:], "--claim", claim, "--verdict", "faux")
    where = at(project, CLAIMS, 'claim: "La préfecture', plus=7)
    assert done.returncode == 0
    assert done.stderr == (
        f"{where}: warning: claim is longer than 75 characters and has no claim_short\n"
        "    add `claim_short:` (under 75 characters) for search engines' fact-check listings\n"
    )
    assert f'    claim: "{claim}"\n' in (project / CLAIMS).read_text(encoding="utf-8")


NOT_FOUND = (
    "--quote: error: quote not found in source 'dementi' (seeds/pont-dementi.txt)\n"
    "    closest passage (line 2, 97% similar):\n"
    "      Le budget n'est pas encore voté\n"
    "    differences, [-your words-] {+the source's+}:\n"
    "      Le budget n'est pas [-encor-] {+encore+} voté\n"
    "    copy the passage from the source exactly (apostrophes, spaces and quotation marks may differ)"
)
LINE_HINT = "plain text on one line, without control or bidirectional-override characters, at most 1000 characters"
REFUSALS = {
    "quote not found": (["--quote", "Le budget n'est pas encor voté"], NOT_FOUND),
    "quote too short": (
        ["--quote", "Le pont"],
        "--quote: error: quote too short: a quote needs at least 3 words\n"
        "    quote enough of the sentence for a reader to recognise it",
    ),
    "unknown source": (
        ["--source", "dementis"],
        "--source: error: unknown source 'dementis'\n"
        "    did you mean 'dementi'? sources in seeds/sources.yaml: annonce, dementi",
    ),
    "unknown verdict": (
        ["--verdict", "vrais"],
        "--verdict: error: unknown verdict 'vrais'\n    did you mean 'vrai'? allowed verdicts: faux, trompeur, vrai",
    ),
    "impossible date": (
        ["--date", "2023-02-30"],
        "--date: error: impossible date '2023-02-30' for 'reviewed'\n    check the day and the month (YYYY-MM-DD)",
    ),
    "reviewed before the claim": (
        ["--date", "2024-01-01", "--claim-date", "2024-03-05"],
        "--date: error: reviewed (2024-01-01) is before the claim was made (2024-03-05)\n"
        "    a claim can only be reviewed after it was made: check both dates",
    ),
    "id taken": (
        ["--id", "cout-du-pont"],
        "--id: error: duplicate claim id 'cout-du-pont' (first at line 31)\n    ids must be unique: rename one of them",
    ),
    "id not a slug": (
        ["--id", "Pont Neuf"],
        "--id: error: invalid 'id': 'Pont Neuf'\n"
        "    an id uses only lowercase letters a-z, digits and single hyphens (no accents, spaces or capitals), "
        "e.g. aide-satellites",
    ),
    "bidi override in the claim": (
        ["--claim", "Le pont \u202esera\u202c fini."],
        f"--claim: error: invalid 'claim': 'Le pont \\u202esera\\u202c fini.'\n    {LINE_HINT}",
    ),
    "two lines in the claimant": (
        ["--claimant", "Le ministre\nde l'Intérieur"],
        f"--claimant: error: invalid 'claimant': \"Le ministre\\nde l'Intérieur\"\n    {LINE_HINT}",
    ),
    "two mistakes at once": (
        ["--verdict", "vrais", "--quote", "Le budget n'est pas encor voté"],
        NOT_FOUND + "\n--verdict: error: unknown verdict 'vrais'\n"
        "    did you mean 'vrai'? allowed verdicts: faux, trompeur, vrai",
    ),
}


@pytest.mark.parametrize("extra, expected", REFUSALS.values(), ids=REFUSALS.keys())
def test_refused_with_the_checks_own_message(extra, expected, project):
    before = (project / CLAIMS).read_bytes()
    done = run(project, "new", *OPTIONS, *extra)
    assert (done.returncode, done.stdout) == (1, "")
    assert done.stderr == f"{expected}\nnothing added: claims.yaml unchanged\n"
    assert (project / CLAIMS).read_bytes() == before


def test_missing_options_are_refused_when_no_one_can_answer(project):
    before = (project / CLAIMS).read_bytes()
    done = run(project, "new", "--source", "dementi")
    assert (done.returncode, done.stdout) == (1, "")
    assert (
        done.stderr
        == "".join(
            f"--{name}: error: required, and not given\n"
            f'    give it on the command line: --{name} "..."\n'
            "    (`new` asks for what is missing only when run in a terminal)\n"
            for name in ("claim", "quote", "stance")
        )
        + "nothing added: claims.yaml unchanged\n"
    )
    assert (project / CLAIMS).read_bytes() == before


def test_a_bad_stance_is_refused_by_the_options(project):
    done = run(project, "new", *OPTIONS[:-1], "peut-etre")
    assert done.returncode == 2
    assert "argument --stance: invalid choice: 'peut-etre'" in done.stderr


def test_a_claims_file_that_does_not_load_is_left_alone(project):
    path = project / CLAIMS
    path.write_text(
        path.read_text(encoding="utf-8").replace("claimant: Le ministre", "claimant: Le: ministre"), "utf-8"
    )
    before = path.read_bytes()
    done = run(project, "new", *OPTIONS)
    assert done.returncode == 1
    assert done.stderr == (
        "claims.yaml: error: cannot add a claim to a file that does not load\n"
        "    fix its problems first (python -m builder check lists them)\n"
        f"{at(project, CLAIMS, ': ministre')}: error: invalid YAML: mapping values are not allowed in this context\n"
        '    a value containing ": " must be quoted: key: "text: with a colon"\n'
        "nothing added: claims.yaml unchanged\n"
    )
    assert path.read_bytes() == before


def test_a_source_that_cannot_be_read_is_refused(project):
    path = project / DEMENTI
    path.write_bytes(path.read_text(encoding="utf-8").encode("latin-1", "replace"))
    repin(project, DEMENTI)
    before = (project / CLAIMS).read_bytes()
    done = run(project, "new", *OPTIONS)
    assert done.returncode == 1
    assert done.stderr == (
        "--source: error: source 'dementi' has errors of its own, so the quote cannot be checked against it\n"
        "    fix them first (python -m builder check lists them)\n"
        f"{at(MINI, DEMENTI, 'é')}: error: the file is not UTF-8 (byte 0xe9)\n"
        "    save it as UTF-8 (in most editors: 'Save with encoding' > UTF-8)\n"
        "nothing added: claims.yaml unchanged\n"
    )
    assert (project / CLAIMS).read_bytes() == before


# --- in a terminal ---------------------------------------------------------------------------


def in_terminal(root: Path, args: list[str], typed: str) -> subprocess.CompletedProcess:
    """Run `new` with a pseudo-terminal as stdin, the replies typed ahead (no echo)."""
    master, slave = pty.openpty()
    attributes = termios.tcgetattr(slave)
    attributes[3] &= ~termios.ECHO
    termios.tcsetattr(slave, termios.TCSANOW, attributes)
    try:
        os.write(master, typed.encode("utf-8"))
        done = run(root, "new", *args, stdin=slave)
    finally:
        os.close(slave)
        os.close(master)
    return done


def test_in_a_terminal_it_asks_and_asks_again(project):
    typed = (
        "\n".join(
            [
                "La préfecture a fixé le calendrier du pont.",  # claim
                "",  # claimant: unknown
                "dementi",  # source
                "aucun calendrier n'a été fixe",  # quote: a typo
                "contradicts",  # stance
                "",  # verdict: later
                "aucun calendrier n'a été fixé",  # the quote, asked again
            ]
        )
        + "\n"
    )
    done = in_terminal(project, ["--date", "2024-03-12"], typed)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(
        "Claim, as it was made (one line): Who made it (empty if the sources do not say): "
        "Source id (seeds/sources.yaml) [annonce, dementi]: Quote, copied from the source: "
        "What the quote does to the claim [supports, contradicts, context]: "
        "Verdict (empty to decide later) [faux, trompeur, vrai]: Quote, copied from the source: "
        "added claim 'la-prefecture-a-fixe-le-calendrier' at claims.yaml:"
    )
    assert done.stderr.startswith("--quote: error: quote not found in source 'dementi' (seeds/pont-dementi.txt)\n")
    doc, problems = load_yaml(project / CLAIMS, CLAIMS)
    assert problems == []
    assert doc.data["claims"][-1] == {
        "id": "la-prefecture-a-fixe-le-calendrier",
        "claim": "La préfecture a fixé le calendrier du pont.",
        "reviewed": "2024-03-12",
        "evidence": [{"source": "dementi", "quote": "aucun calendrier n'a été fixé", "stance": "contradicts"}],
    }


def test_in_a_terminal_end_of_input_cancels(project):
    before = (project / CLAIMS).read_bytes()
    done = in_terminal(project, [], "Le pont sera fini.\n\x04")
    assert done.returncode == 1
    assert done.stderr.endswith("cancelled: claims.yaml unchanged\n")
    assert (project / CLAIMS).read_bytes() == before


# --- the text edit, on other layouts ---------------------------------------------------------

ANSWERS = scaffold.Answers(
    claim="Le pont sera fini.",
    source="dementi",
    quote=QUOTE,
    stance="contradicts",
    verdict="faux",
    id="fini",
    date="2024-03-12",
)
RATINGS = (
    "ratings:\n  - {id: faux, label: Faux, value: 1, description: Non.}\n  - {id: vrai, label: Vrai, value: 2, "
    "description: Oui.}\n"
)


def entry(indent: str = "  ", newline: str = "\n") -> str:
    pad = indent + "  "
    lines = [
        f'{indent}- id: "fini"',
        f'{pad}claim: "Le pont sera fini."',
        f'{pad}verdict: "faux"',
        f"{pad}# TODO summary (required, the check fails without it): the conclusion in one to three "
        "sentences, in Markdown",
        f'{pad}reviewed: "2024-03-12"',
        f"{pad}evidence:",
        f'{pad}  - source: "dementi"',
        f'{pad}    quote: "{QUOTE}"',
        f'{pad}    stance: "contradicts"',
    ]
    return newline.join(lines) + newline


EXISTING = (
    "  - {id: autre, claim: Autre., verdict: vrai, summary: S., reviewed: 2024-03-01, evidence: [{source: dementi, "
    'quote: "Le budget n’est pas encore voté", stance: context}]}\n'
)
LAYOUTS = {
    "claims last": (RATINGS + "claims:\n" + EXISTING, RATINGS + "claims:\n" + EXISTING + "\n" + entry()),
    "a key after claims, with its comment": (
        RATINGS + "claims:\n" + EXISTING + "\n# The topics.\ntopics: []\n",
        RATINGS + "claims:\n" + EXISTING + "\n" + entry() + "\n# The topics.\ntopics: []\n",
    ),
    "a footer comment": (
        RATINGS + "claims:\n" + EXISTING + "# end\n",
        RATINGS + "claims:\n" + EXISTING + "\n" + entry() + "\n# end\n",
    ),
    "no line break at the end": (
        RATINGS + "claims:\n" + EXISTING.rstrip("\n"),
        RATINGS + "claims:\n" + EXISTING + "\n" + entry(),
    ),
    "dashes at the key's column": (
        RATINGS + "claims:\n" + EXISTING.lstrip(" "),
        RATINGS + "claims:\n" + EXISTING.lstrip(" ") + "\n" + entry(indent=""),
    ),
    "empty claims": (RATINGS + "claims:\n", RATINGS + "claims:\n" + entry()),
    "no claims key": (RATINGS, RATINGS + "\nclaims:\n" + entry()),
    "CRLF and a byte-order mark": (
        "\ufeff" + (RATINGS + "claims:\n" + EXISTING).replace("\n", "\r\n"),
        "\ufeff" + (RATINGS + "claims:\n" + EXISTING).replace("\n", "\r\n") + "\r\n" + entry(newline="\r\n"),
    ),
}


@pytest.mark.parametrize("before, after", LAYOUTS.values(), ids=LAYOUTS.keys())
def test_the_entry_goes_at_the_end_of_the_claims_list(before, after, project):
    (project / CLAIMS).write_bytes(before.encode("utf-8"))
    result = scaffold.add(project, ANSWERS)
    assert isinstance(result, scaffold.Added), result
    assert (project / CLAIMS).read_bytes().decode("utf-8") == after
    assert after.replace("\r\n", "\n").split("\n")[result.line - 1].strip() == '- id: "fini"'


def test_a_flow_list_of_claims_is_refused(project):
    (project / CLAIMS).write_text(RATINGS + "claims: []\n", encoding="utf-8")
    result = scaffold.add(project, ANSWERS)
    assert isinstance(result, scaffold.Refused)
    assert [p.format() for p in result.problems] == [
        "claims.yaml:4:9: error: `new` can only append to a block list of claims (one `- id: ...` entry after "
        "another)\n    write `claims:` as a block list, or add the entry by hand"
    ]
    assert (project / CLAIMS).read_text(encoding="utf-8") == RATINGS + "claims: []\n"


def test_the_library_asks_only_for_what_is_missing(project):
    asked = []

    def ask(question, problems):
        asked.append(question.name)
        return {"claim": "Le pont sera fini.", "quote": QUOTE}.get(question.name, "")

    result = scaffold.add(project, scaffold.Answers(source="dementi", stance="context"), ask=ask)
    assert isinstance(result, scaffold.Added)
    assert asked == ["claim", "claimant", "quote", "verdict"]


@given(st.text())
def test_any_text_is_quoted_so_that_it_reads_back_the_same(text):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "x.yaml"
        path.write_text(f"key: {scaffold._scalar(text)}\n", encoding="utf-8")
        doc, problems = load_yaml(path, "x.yaml")
    assert problems == []
    assert doc.data == {"key": text}
    assert "\n" not in scaffold._scalar(text)
