"""Text fragments: built per the WICG grammar, and every malformed directive explained."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from builder.textfragment import (
    TextDirective,
    encode_part,
    fragment_problems,
    parse_fragment,
    text_fragment,
)

# Any Unicode text that UTF-8 can carry (lone surrogates cannot be in a URL at all).
texts = st.text(alphabet=st.characters(exclude_categories=("Cs",)))


def only_directive(fragment: str) -> TextDirective:
    parsed = parse_fragment(fragment)
    assert parsed.problems == ()
    (directive,) = parsed.directives
    return directive


def test_spec_examples():
    assert text_fragment("an example text fragment") == ":~:text=an%20example%20text%20fragment"
    assert text_fragment("an example", "text fragment") == ":~:text=an%20example,text%20fragment"
    assert (
        text_fragment("an example", prefix="this is", suffix="text fragment")
        == ":~:text=this%20is-,an%20example,-text%20fragment"
    )


def test_syntax_characters_are_encoded():
    fragment = text_fragment("a-b, c&d")
    assert fragment == ":~:text=a%2Db%2C%20c%26d"
    assert only_directive(fragment) == TextDirective("a-b, c&d")


def test_french_text_is_utf8_percent_encoded():
    assert encode_part("l’été « chaud »") == "l%E2%80%99%C3%A9t%C3%A9%20%C2%AB%20chaud%20%C2%BB"


def test_explicit_characters_stay_readable():
    assert encode_part("Vu: (oui)! 'ok'; a=b?c@d_e~f.g/h*i+j$") == "Vu:%20(oui)!%20'ok';%20a=b?c@d_e~f.g/h*i+j$"


def test_empty_start_is_refused():
    with pytest.raises(ValueError, match="non-empty start"):
        text_fragment("", end="x")


def test_lone_surrogate_is_refused():
    with pytest.raises(ValueError, match="UTF-8"):
        text_fragment("a\ud800")


@given(start=texts.filter(bool), end=texts, prefix=texts, suffix=texts)
def test_any_unicode_round_trips(start, end, prefix, suffix):
    fragment = text_fragment(start, end, prefix, suffix)
    assert fragment.isascii()
    assert only_directive(fragment) == TextDirective(start, end, prefix, suffix)
    assert only_directive("#" + fragment) == TextDirective(start, end, prefix, suffix)


@given(start=texts.filter(bool), other=texts.filter(bool))
def test_several_directives_and_an_element_id(start, other):
    fragment = "intro" + text_fragment(start) + "&" + text_fragment(other).removeprefix(":~:")
    parsed = parse_fragment(fragment)
    assert parsed.problems == ()
    assert parsed.element_id == "intro"
    assert parsed.directives == (TextDirective(start), TextDirective(other))


def test_plain_fragment_has_no_directive():
    assert parse_fragment("#c-claim-1") == parse_fragment("c-claim-1")
    assert fragment_problems("#c-claim-1") == []


def test_raw_spaces_and_accents_are_what_browsers_escape_themselves():
    assert fragment_problems(":~:text=l'été chaud") == []
    assert only_directive(":~:text=l'été chaud") == TextDirective("l'été chaud")


@pytest.mark.parametrize(
    ("fragment", "message"),
    [
        (":~:", "empty fragment directive after ':~:'"),
        (":~:text=", "empty text directive: 'text=' needs at least a start text"),
        (":~:&text=a", "empty directive (a stray '&' in the fragment directive?)"),
        (":~:text=a,,b", "empty part in text directive (',,' or a ',' at either end)"),
        (":~:text=a,", "empty part in text directive (',,' or a ',' at either end)"),
        (":~:text=-,a", "empty prefix in text directive"),
        (":~:text=a,-", "empty suffix in text directive"),
        (
            ":~:text=a,b,c,d,e",
            "text directive has 5 comma-separated parts (at most 4: prefix-,start,end,-suffix);"
            " an unencoded ',' in a text? write %2C",
        ),
        (
            ":~:text=prefix,start,end,-suffix",
            "text directive has 3 texts between prefix and suffix (at most start and end);"
            " a prefix needs a trailing '-' ('prefix-,start'), a ',' in a text must be %2C",
        ),
        (
            ":~:text=pre-,a,b,suffix",
            "text directive has 3 texts between prefix and suffix (at most start and end);"
            " a suffix needs a leading '-' ('start,-suffix'), a ',' in a text must be %2C",
        ),
        (":~:text=-only-", "text directive has no start text (only a prefix and/or suffix)"),
        (":~:text=a&%20Jerry", "'%20Jerry' is not a directive (name=value): an unencoded '&' in a text? write %26"),
        (":~:txet=abc", "unknown directive 'txet=' (browsers ignore it; did you mean 'text='?)"),
        (":~:text=50%", "bad percent-escape in start '50%': '%' must be followed by two hex digits"),
        (":~:text=%zz", "bad percent-escape in start '%zz': '%' must be followed by two hex digits"),
        (":~:text=%C3", "start '%C3' does not percent-decode to UTF-8 text"),
        (":~:text=anti-corruption", "unencoded '-' in start 'anti-corruption': write %2D"),
        (":~:text=a[1]", "character '[' not allowed in start 'a[1]': percent-encode it (%5B)"),
    ],
)
def test_malformed_directives_are_explained(fragment, message):
    assert message in fragment_problems(fragment)
    # What is left after the bad part is only what was well-formed on its own.
    assert all(d.start == "a" for d in parse_fragment(fragment).directives)


def test_every_problem_is_reported_not_just_the_first():
    problems = fragment_problems(":~:text=a-b,%zz&text=&oops")
    assert problems == [
        "unencoded '-' in start 'a-b': write %2D",
        "bad percent-escape in end '%zz': '%' must be followed by two hex digits",
        "empty text directive: 'text=' needs at least a start text",
        "'oops' is not a directive (name=value): an unencoded '&' in a text? write %26",
    ]


def test_good_directive_survives_next_to_a_bad_one():
    parsed = parse_fragment(":~:text=good&text=a,b,c,d,e")
    assert parsed.directives == (TextDirective("good"),)
    assert len(parsed.problems) == 1
