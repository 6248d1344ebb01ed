"""Finding quotes in their sources (SPEC section 4): exact examples, the messages an editor
reads when a quote is wrong, and one property (any source, any of its passages, retyped
with other spaces and apostrophes, is found where it stands).

The unit examples call SourceIndex on a Source built in memory; the messages go through
builder.pipeline.check on a small project written to a temporary folder, and are compared
as the exact text `python -m builder check` prints.
"""

from __future__ import annotations

import hashlib
import textwrap
from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from builder import pipeline
from builder.locate import Found, NotFound, SourceIndex, spans_articles, too_short, word_diff
from builder.model import Article, Source
from builder.normalize import normalize, normalize_with_origin


def index(text: str, articles: tuple[Article, ...] = ()) -> SourceIndex:
    return SourceIndex(Source(id="s", file="s.txt", text=text, articles=articles))


def found(text: str, quote: str, occurrence: int | None = None) -> Found:
    result = index(text).locate(quote, occurrence)
    assert isinstance(result, Found), result
    assert text[result.passage.start : result.passage.end] == result.passage.text
    return result


# --- what matches, and what the page shows -----------------------------------------------


def test_typographic_apostrophe_in_the_source_plain_in_the_quote():
    text = "Le Kremlin dit qu’aucun accord n’a été signé."
    assert found(text, "qu'aucun accord n'a été signé").passage.text == "qu’aucun accord n’a été signé"


def test_plain_apostrophe_in_the_source_typographic_in_the_quote():
    text = "Le Kremlin dit qu'aucun accord n'a été signé."
    assert found(text, "qu’aucun accord n‘a été signé").passage.text == "qu'aucun accord n'a été signé"


def test_typographic_double_quotes_match_plain_ones_but_guillemets_do_not():
    text = "il parle d’un “accord gagnant-gagnant” pour les deux pays"
    assert found(text, 'un "accord gagnant-gagnant" pour').passage.text == "un “accord gagnant-gagnant” pour"
    assert isinstance(index(text).locate("un « accord gagnant-gagnant » pour", None), NotFound)


def test_no_break_spaces_in_the_source_plain_spaces_in_the_quote():
    text = "Peskov a déclaré\u00a0: «\u00a0Aucun accord n’a été signé\u202f»."
    result = found(text, "déclaré : « Aucun accord n'a été signé »")
    assert result.passage.text == "déclaré\u00a0: «\u00a0Aucun accord n’a été signé\u202f»"


def test_no_break_space_in_the_quote_plain_space_in_the_source():
    text = "Peskov a déclaré : « Aucun accord »."
    assert found(text, "déclaré\u00a0: «\u00a0Aucun accord\u00a0»").passage.text == "déclaré : « Aucun accord »"


def test_line_break_inside_the_quote():
    text = "Vladimir Poutine a promis\nd’aider la Corée du Nord\n\n  à construire des satellites."
    result = found(text, "promis d'aider la Corée du Nord à construire")
    assert result.passage.text == "promis\nd’aider la Corée du Nord\n\n  à construire"
    assert result.passage.start == text.index("promis")


def test_case_and_accents_are_not_folded():
    text = "Aucun accord n’a été signé."
    assert isinstance(index(text).locate("aucun accord n'a été signé", None), NotFound)
    assert isinstance(index(text).locate("Aucun accord n'a ete signe", None), NotFound)


def test_decomposed_accents_match_composed_ones():
    text = "la Core\u0301e du Nord et la Russie"
    assert found(text, "la Corée du Nord").passage.text == "la Core\u0301e du Nord"


def test_white_space_around_the_quote_is_ignored():
    text = "un deux trois quatre"
    assert found(text, "  deux trois\n").passage.text == "deux trois"


def test_occurrence_two():
    text = "Aucun accord n’a été signé. Plus tard : aucun accord n’a été signé, redit-il.\nAucun accord n'a été signé"
    first, second = "aucun accord n’a été signé", "aucun accord n'a été signé"
    plain = normalize(second)
    at = [i for i in range(len(text)) if normalize(text[i : i + len(first)]) == plain]
    assert len(at) == 1  # case is not folded: the capitalised ones are other sentences
    result = found(text, second)
    assert (result.passage.start, result.occurrences) == (at[0], 1)

    text = "aucun accord n’a été signé ; aucun\u00a0accord n'a été\nsigné."
    one, two = found(text, second, None), found(text, second, 2)
    assert one.occurrences == two.occurrences == 2
    assert one.passage.start == 0 and one.passage == found(text, second, 1).passage
    assert two.passage.start == text.index("aucun\u00a0accord")
    assert two.passage.text == "aucun\u00a0accord n'a été\nsigné"


def test_occurrences_may_overlap():
    text = "non non non non"
    assert found(text, "non non non", 2).passage.start == 4
    assert found(text, "non non non", 1).occurrences == 2


def test_occurrence_beyond_the_count_says_how_many_there_are():
    text = "un accord signé, puis un accord signé."
    assert index(text).locate("un accord signé", 3) == 2
    assert index(text).locate("un accord signé", 2).passage.start == text.rindex("un accord")


def test_too_short():
    assert too_short("deux mots")
    assert too_short("  deux\u00a0\n mots ")
    assert not too_short("trois mots ici")


# --- not found: the closest passage, and how it differs ---------------------------------


def test_not_found_shows_the_closest_passage_and_the_differences():
    text = (
        "Le président russe a reçu son homologue.\n"
        "Vladimir Poutine a promis d’aider la Corée du Nord à construire des satellites.\n"
        "La visite a duré deux jours."
    )
    result = index(text).locate("Poutine a promis d'aider la Corée du Sud à construire", None)
    assert isinstance(result, NotFound)
    assert result.closest == "Poutine a promis d'aider la Corée du Nord à construire"
    assert result.line == 2
    assert result.differences == "Poutine a promis d'aider la Corée du [-Sud-] {+Nord+} à construire"
    assert 80 < result.similarity < 100


def test_not_found_with_a_word_left_out_shows_it_as_an_addition():
    # The source passage is longer than the quote: the words after the left-out one must
    # still be in the closest passage, not be reported as replaced by it.
    text = "Selon la presse, Moscou fournirait à Pyongyang une technologie satellitaire de pointe. Fin."
    result = index(text).locate("Moscou fournira à Pyongyang une technologie de pointe", None)
    assert isinstance(result, NotFound)
    assert result.closest == "Moscou fournirait à Pyongyang une technologie satellitaire de pointe"
    assert result.differences == (
        "Moscou [-fournira-] {+fournirait+} à Pyongyang une technologie {+satellitaire+} de pointe"
    )


def test_not_found_with_a_changed_first_word_shows_no_word_before_it():
    text = "Selon la presse, Moscou fournirait à Pyongyang une technologie de pointe."
    result = index(text).locate("fournira à Pyongyang une technologie de pointe", None)
    assert result.closest == "fournirait à Pyongyang une technologie de pointe"
    assert result.differences == "[-fournira-] {+fournirait+} à Pyongyang une technologie de pointe"


def test_not_found_with_two_words_left_out_near_the_end():
    text = "Il a retrouvé le président russe Vladimir Poutine au cosmodrome de Vostotchny, en Extrême-Orient."
    result = index(text).locate("Il a retrouvé le président Poutine au cosmodrome", None)
    assert result.differences == "Il a retrouvé le président {+russe Vladimir+} Poutine au cosmodrome"


def test_word_diff_marks():
    assert word_diff("a b c", "a b c") == "a b c"
    assert word_diff("a x c", "a b c") == "a [-x-] {+b+} c"
    assert word_diff("a c", "a b c") == "a {+b+} c"
    assert word_diff("a b c", "a c") == "a [-b-] c"


# --- articles ----------------------------------------------------------------------------------


BUNDLE = "Premier titre\nLe Kremlin dément tout accord signé.\nSecond titre\nPoutine promet des satellites à Kim.\n"


def bundle() -> Source:
    first, second = BUNDLE.index("Premier titre"), BUNDLE.index("Second titre")
    return Source(
        id="recueil",
        file="r.txt",
        text=BUNDLE,
        articles=(Article("Premier titre", first), Article("Second titre", second)),
    )


def test_quote_is_attributed_to_its_article():
    source = bundle()
    result = SourceIndex(source).locate("Poutine promet des satellites", None)
    assert result.passage.article is source.articles[1]
    last_words = SourceIndex(source).locate("tout accord signé.", None)  # ends where article 1 ends
    assert last_words.passage.article is source.articles[0]
    assert spans_articles(source, last_words.passage) is None


def test_quote_across_two_articles_is_refused():
    source = bundle()
    result = SourceIndex(source).locate("accord signé. Second titre", None)
    assert isinstance(result, Found)  # the words are there...
    assert spans_articles(source, result.passage) == source.articles  # ...but across two articles


# --- the messages, as `builder check` prints them ------------------------------------------


def write_project(root: Path, text: str, evidence: list[dict], articles: list[dict] | None = None) -> Path:
    (root / "seeds").mkdir(parents=True)
    (root / "seeds" / "t.txt").write_text(text, encoding="utf-8")
    source = {"id": "texte", "file": "t.txt", "sha256": hashlib.sha256(text.encode()).hexdigest()}
    if articles:
        source["articles"] = articles
    (root / "seeds" / "sources.yaml").write_text(
        yaml.safe_dump({"sources": [source]}, allow_unicode=True), encoding="utf-8"
    )
    claims = {
        "ratings": [
            {"id": "faux", "label": "Faux", "value": 1, "description": "Faux."},
            {"id": "vrai", "label": "Vrai", "value": 2, "description": "Vrai."},
        ],
        "claims": [
            {
                "id": "une-affirmation",
                "claim": "Une affirmation",
                "verdict": "vrai",
                "summary": "Résumé.",
                "reviewed": "2023-09-18",
                "evidence": evidence,
            }
        ],
    }
    # Block style, one key a line: the messages' line numbers below depend on this layout.
    (root / "claims.yaml").write_text(
        yaml.safe_dump(claims, allow_unicode=True, sort_keys=False, width=1000), encoding="utf-8"
    )
    return root


def problems(root: Path) -> list[str]:
    _, report = pipeline.check(root)
    return report.lines(github=False)


def quote_line(root: Path, quote: str) -> int:
    lines = (root / "claims.yaml").read_text(encoding="utf-8").splitlines()
    return next(n for n, line in enumerate(lines, 1) if line.lstrip(" -").startswith("quote:") and quote in line)


def test_message_for_a_quote_not_found(tmp_path):
    text = "Titre\nVladimir Poutine a promis d’aider la Corée du Nord à construire des satellites.\n"
    quote = "Poutine a promis d'aider la Corée du Sud à construire"
    root = write_project(tmp_path, text, [{"source": "texte", "quote": quote, "stance": "supports"}])
    (message,) = problems(root)
    line = quote_line(root, quote)
    similarity = index(text).locate(quote, None).similarity
    assert message == textwrap.dedent(f"""\
        claims.yaml:{line}:12: error: quote not found in source 'texte' (seeds/t.txt)
            closest passage (line 2, {similarity:.0f}% similar):
              Poutine a promis d'aider la Corée du Nord à construire
            differences, [-your words-] {{+the source's+}}:
              Poutine a promis d'aider la Corée du [-Sud-] {{+Nord+}} à construire
            copy the passage from the source exactly (apostrophes, spaces and quotation marks may differ)""")


def test_message_for_a_quote_across_two_articles(tmp_path):
    quote = "accord signé. Second titre"
    root = write_project(
        tmp_path,
        BUNDLE,
        [{"source": "texte", "quote": quote, "stance": "supports"}],
        articles=[
            {"title": "Le premier", "first_line": "Premier titre"},
            {"title": "Le second", "first_line": "Second titre"},
        ],
    )
    assert problems(root) == [
        f"claims.yaml:{quote_line(root, quote)}:12: error: quote runs across two articles of 'texte': "
        "'Le premier' and 'Le second'\n    quote from one article only"
    ]


def test_message_for_an_occurrence_beyond_the_count(tmp_path):
    text = "un accord signé, puis un accord signé.\n"
    root = write_project(
        tmp_path, text, [{"source": "texte", "quote": "un accord signé", "stance": "supports", "occurrence": 3}]
    )
    lines = (root / "claims.yaml").read_text(encoding="utf-8").splitlines()
    line = next(n for n, text in enumerate(lines, 1) if "occurrence: 3" in text)
    assert problems(root) == [
        f"claims.yaml:{line}:17: error: occurrence 3 asked, but the quote stands 2 time(s) in 'texte'"
        "\n    use a number from 1 to 2"
    ]


def test_typography_differences_pass_the_check(tmp_path):
    text = "Il a dit\u00a0: «\u00a0l’accord n’est pas signé\u00a0».\n"
    root = write_project(
        tmp_path, text, [{"source": "texte", "quote": "« l'accord n'est pas signé »", "stance": "supports"}]
    )
    assert problems(root) == []


# --- property ------------------------------------------------------------------------------

words = st.text(st.sampled_from("abcdéè’'“”«»*_#<>[]1.-"), min_size=1, max_size=6)
spaces = st.sampled_from([" ", "\u00a0", "\u202f", "\n", " \n  ", "\t"])


@st.composite
def retyped_passages(draw):
    """A source of words and assorted white space, one of its passages, and that passage
    typed again by an editor with other spaces and apostrophes."""
    tokens = draw(st.lists(st.tuples(words, spaces), min_size=3, max_size=15))
    text = "".join(word + space for word, space in tokens)
    first = draw(st.integers(0, len(tokens) - 3))
    last = draw(st.integers(first + 2, len(tokens) - 1))
    start = sum(len(w) + len(s) for w, s in tokens[:first])
    end = sum(len(w) + len(s) for w, s in tokens[:last]) + len(tokens[last][0])
    retyped = draw(st.sampled_from([" ", "\u00a0", "  "])).join(
        w.replace("’", "'") if draw(st.booleans()) else w.replace("'", "’") for w, _ in tokens[first : last + 1]
    )
    return text, start, end, retyped


@settings(suppress_health_check=[HealthCheck.too_slow])
@given(retyped_passages())
def test_a_retyped_passage_is_found_at_its_first_occurrence(case):
    text, start, end, retyped = case
    result = index(text).locate(retyped, None)
    assert isinstance(result, Found)
    passage = result.passage
    assert normalize(passage.text) == normalize(text[start:end])
    # the first place where the normalized words stand is the one returned
    normalized = normalize_with_origin(text)
    first = normalized.text.find(normalize(retyped).strip())
    assert (passage.start, passage.end) == normalized.span_in_original(first, first + len(normalize(retyped).strip()))
    assert passage.start <= start
    assert passage.text == passage.text.strip()
