"""axe-core on the main kinds of page, in both palettes: no serious or critical violation.

Lesser findings are printed (and written to tests/artifacts/axe-<palette>.json) to be read."""

from __future__ import annotations

import json

import pytest

from .support import ARTIFACTS, SCHEMES, scheme_of, use_palette

pytestmark = pytest.mark.browser

BLOCKING = {"serious", "critical"}


def _pages(project):
    claim = project.claims[0]
    evidence = claim["evidence"][0]["source"]
    return {
        "home": "",
        "claim": f"claims/{claim['id']}/",
        # Arriving on a passage: the target highlight is what must stay readable.
        "source": f"sources/{evidence}/#c-{claim['id']}-1",
        "methodology": "methodology/",
        "matrix": "matrix/",
    }


@pytest.mark.parametrize("palette", ["light", "dark"])
def test_no_serious_accessibility_violation(open_context, site, project, axe_source, palette):
    browsing = open_context()
    use_palette(browsing, site, palette)
    page = browsing.new_page()
    blocking, report = [], {}
    for name, path in _pages(project).items():
        page.goto(site.at(path))
        assert scheme_of(page) == SCHEMES[palette], f"{name}: the {palette} palette is not applied"
        page.add_script_tag(content=axe_source)
        result = page.evaluate("() => axe.run(document, {resultTypes: ['violations']})")
        report[name] = [
            {
                "id": v["id"],
                "impact": v["impact"],
                "help": v["help"],
                "targets": [n["target"] for n in v["nodes"]][:10],
                "summary": v["nodes"][0].get("failureSummary", "") if v["nodes"] else "",
            }
            for v in result["violations"]
        ]
        for violation in report[name]:
            line = (
                f"{palette} {name}: [{violation['impact']}] {violation['id']}: {violation['help']} "
                f"{violation['targets']}"
            )
            if violation["impact"] in BLOCKING:
                blocking.append(line + "\n    " + violation["summary"].replace("\n", "\n    "))
            else:
                print(line)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / f"axe-{palette}.json").write_text(
        json.dumps(report, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
    )
    assert not blocking, "\n".join(blocking)
