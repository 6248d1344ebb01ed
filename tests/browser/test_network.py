"""The main pages load cleanly and only from this site: no console error, no failed request,
and no request to any other host (readers must not be tracked)."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser

MAIN_PAGES = ["", "matrix/", "timeline/", "methodology/", "verdicts/", "topics/", "about/"]


def test_main_pages_load_cleanly_from_this_site_only(page, site, project):
    claim = project.claims[0]
    source = claim["evidence"][0]["source"]
    paths = MAIN_PAGES + [
        f"claims/{claim['id']}/",
        f"sources/{source}/#c-{claim['id']}-1",
        f"verdicts/{claim['verdict']}/",
    ]
    for path in paths:
        # networkidle: the search index and worker load after the page; leaving before they
        # arrive would abort them and hide a failure.
        page.goto(site.at(path), wait_until="networkidle")
    page.locator("input.md-search__input").click()  # in the header at desktop width
    page.locator("input.md-search__input").press_sequentially("Kremlin", delay=10)
    page.locator(".md-search-result__item").first.wait_for()
    page.wait_for_load_state("networkidle")

    recorder = page.recorder
    # The search worker fetches its language support itself: seeing it proves that requests
    # made by workers, not only by pages, are recorded.
    for expected in ("search/search_index.json", "lunr/min/lunr.fr.min.js"):
        assert any(url.endswith(expected) for url in recorder.requests), (
            f"the recorder saw no request for {expected}: it is not recording what pages do"
        )
    assert not recorder.problems(), "\n".join(recorder.problems())


def test_the_recorder_sees_requests_to_other_hosts(page, site):
    """The check above can fail: a request elsewhere is seen, even one that cannot connect.
    (.invalid names: the browser resolves no host name but 127.0.0.1, so nothing leaves.)"""
    page.goto(site.url, wait_until="networkidle")
    page.evaluate("""() => {
        new Image().src = 'https://tracker.invalid/pixel.gif';
        const code = "fetch('https://worker.invalid/ping').catch(() => null)";
        new Worker(URL.createObjectURL(new Blob([code], {type: 'text/javascript'})));
        return fetch('http://stats.example.invalid/beacon').catch(() => null);
    }""")
    expected = {
        "https://tracker.invalid/pixel.gif",
        "http://stats.example.invalid/beacon",
        "https://worker.invalid/ping",
    }
    for _ in range(50):
        if expected <= set(page.recorder.foreign_requests()):
            break
        page.wait_for_timeout(50)
    assert expected <= set(page.recorder.foreign_requests()), page.recorder.foreign_requests()
    assert not any(url.startswith("blob:") for url in page.recorder.foreign_requests())
