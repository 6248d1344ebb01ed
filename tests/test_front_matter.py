"""The front matter of a generated page (render.front_matter) reads back, as MkDocs reads it, to
the very values written: any text, including what YAML and JSON treat differently (YAML's own line
breaks U+0085, U+2028 and U+2029, and the characters it deems unprintable). Lone surrogates are
left out: no text can hold one, since files are read as strict UTF-8 and libyaml refuses a
"\\ud800" escape."""

from __future__ import annotations

import os

from hypothesis import given, settings
from hypothesis import strategies as st
from mkdocs.utils import meta as mkdocs_meta

from builder.render import GENERATED_MARK, front_matter

SCALE = {"ci": 1, "long": 40}.get(os.environ.get("HYPOTHESIS_PROFILE", "ci"), 1)

AWKWARD = "a\"\\'\n\t\r:#-[]{}\x85\u2028\u2029\x7f\ufeff\uffff "
texts = st.text(st.characters(codec="utf-8"), max_size=40) | st.text(AWKWARD, max_size=20)
keys = st.sampled_from(["title", "description", "claimreview", "hide", "search"])
values = texts | st.lists(texts, max_size=3) | st.dictionaries(texts, st.booleans() | texts, max_size=2) | st.booleans()


@settings(max_examples=300 * SCALE, deadline=None)
@given(st.dictionaries(keys, values, min_size=1))
def test_front_matter_reads_back_as_written(meta):
    page = f"---\n{GENERATED_MARK}\n{front_matter(meta)}---\n\n# Titre\n"
    body, read = mkdocs_meta.get_data(page)
    assert read == meta
    assert body == "# Titre\n"


def test_the_values_that_json_and_yaml_read_differently_are_escaped():
    written = front_matter({"title": "a\u2028b\x85c\x9fd\uffff"})
    assert written == 'title: "a\\u2028b\\u0085c\\u009fd\\uffff"\n'
