"""URL text fragments (`#:~:text=`), built and checked per the WICG Text Fragments spec.

Grammar (https://wicg.github.io/scroll-to-text-fragment/#fragment-directive-grammar):

    FragmentDirective       ::= (TextDirective | UnknownDirective) ("&" FragmentDirective)?
    TextDirective           ::= "text=" TextDirectiveParameters
    TextDirectiveParameters ::= (TextDirectivePrefix ",")? TextDirectiveString
                                ("," TextDirectiveString)? ("," TextDirectiveSuffix)?
    TextDirectivePrefix     ::= TextDirectiveString "-"
    TextDirectiveSuffix     ::= "-" TextDirectiveString
    TextDirectiveString     ::= (TextDirectiveExplicitChar | PercentEncodedChar)+
    TextDirectiveExplicitChar ::= [a-zA-Z0-9] | ! $ ' ( ) * + . / : ; = ? @ _ ~

Everything else (including `-`, `&`, `,`, space and every non-ASCII character) is written as
UTF-8 percent-escapes, so any Unicode text survives the trip through a URL.
"""

from __future__ import annotations

import re
import string
from dataclasses import dataclass

DELIMITER = ":~:"
"""Separates the element fragment (possibly empty) from the fragment directive."""

_EXPLICIT = frozenset(string.ascii_letters + string.digits + "!$'()*+./:;=?@_~")
_ENCODED = tuple(chr(byte) if chr(byte) in _EXPLICIT else f"%{byte:02X}" for byte in range(256))
"""How each byte is written in a text parameter (a table: every quote of every claim page is encoded)."""
# The URL parser's fragment percent-encode set (C0 controls, space, " < > `, and everything past
# U+007E): browsers escape these themselves when they parse an href, so a raw 'é' or space in a
# written link still reaches the text directive parser well-formed and is not a mistake.
_BROWSER_ESCAPED = re.compile(r'[\x00-\x20"<>`\x7f-\U0010ffff]')
_DIRECTIVE_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_-]*=")
_ESCAPE = re.compile(r"%([0-9A-Fa-f]{2})")


@dataclass(frozen=True)
class TextDirective:
    """One parsed `text=` directive; empty strings stand for absent optional parts."""

    start: str
    end: str = ""
    prefix: str = ""
    suffix: str = ""


@dataclass(frozen=True)
class ParsedFragment:
    """What a URL fragment holds: the element id part, the text directives and what is wrong."""

    element_id: str
    """The part before `:~:` (still percent-encoded), looked up as an id by browsers."""
    directives: tuple[TextDirective, ...]
    problems: tuple[str, ...]


def encode_part(text: str) -> str:
    """Percent-encode one text parameter: every byte that is not a TextDirectiveExplicitChar."""
    try:
        data = text.encode("utf-8")
    except UnicodeEncodeError as exc:  # lone surrogates cannot travel in a URL
        raise ValueError(f"text cannot be encoded as UTF-8: {exc.reason}") from None
    return "".join(map(_ENCODED.__getitem__, data))


def text_fragment(start: str, end: str = "", prefix: str = "", suffix: str = "") -> str:
    """The fragment (without '#') that highlights `start`..`end` between `prefix` and `suffix`."""
    if not start:
        raise ValueError("a text fragment needs a non-empty start text")
    parts = []
    if prefix:
        parts.append(encode_part(prefix) + "-")
    parts.append(encode_part(start))
    if end:
        parts.append(encode_part(end))
    if suffix:
        parts.append("-" + encode_part(suffix))
    return DELIMITER + "text=" + ",".join(parts)


def parse_fragment(fragment: str) -> ParsedFragment:
    """Split a URL fragment (with or without its leading '#') and check its directives."""
    fragment = _BROWSER_ESCAPED.sub(lambda m: encode_part(m.group()), fragment.removeprefix("#"))
    element_id, found, directive = fragment.partition(DELIMITER)
    if not found:
        return ParsedFragment(element_id, (), ())
    if not directive:
        return ParsedFragment(element_id, (), ("empty fragment directive after ':~:'",))
    directives: list[TextDirective] = []
    problems: list[str] = []
    for raw in directive.split("&"):
        parsed, found_problems = _parse_directive(raw)
        problems += found_problems
        if parsed is not None:
            directives.append(parsed)
    return ParsedFragment(element_id, tuple(directives), tuple(problems))


def fragment_problems(fragment: str) -> list[str]:
    """Human messages for everything malformed in the `:~:` directive of `fragment`."""
    return list(parse_fragment(fragment).problems)


def _parse_directive(raw: str) -> tuple[TextDirective | None, list[str]]:
    if not raw:
        return None, ["empty directive (a stray '&' in the fragment directive?)"]
    if raw.startswith("text="):
        return _parse_text_directive(raw[len("text=") :])
    if not _DIRECTIVE_NAME.match(raw):
        # What follows an unencoded '&' inside a text looks exactly like this.
        return None, [f"'{raw}' is not a directive (name=value): an unencoded '&' in a text? write %26"]
    # The spec lets unknown directives through for extensibility, but 'text' is the only one any
    # browser acts on: in a link we wrote, another name is a typo that silently loses the highlight.
    name = raw.split("=", 1)[0]
    return None, [f"unknown directive '{name}=' (browsers ignore it; did you mean 'text='?)"]


def _parse_text_directive(params: str) -> tuple[TextDirective | None, list[str]]:
    """The spec's 'parse a text directive' steps, reporting why instead of returning null."""
    if not params:
        return None, ["empty text directive: 'text=' needs at least a start text"]
    tokens = params.split(",")
    if len(tokens) > 4:
        return None, [
            f"text directive has {len(tokens)} comma-separated parts (at most 4: prefix-,start,end,-suffix);"
            " an unencoded ',' in a text? write %2C"
        ]
    if "" in tokens:
        return None, ["empty part in text directive (',,' or a ',' at either end)"]
    problems: list[str] = []
    prefix = suffix = None
    if tokens[0].endswith("-"):
        prefix = tokens.pop(0)[:-1]
    if tokens and tokens[-1].startswith("-"):
        suffix = tokens.pop()[1:]
    if len(tokens) not in (1, 2):
        problems.append(_wrong_count_message(tokens, prefix, suffix))
        return None, problems
    named = [
        ("prefix", prefix),
        ("start", tokens[0]),
        ("end", tokens[1] if len(tokens) == 2 else None),
        ("suffix", suffix),
    ]
    decoded: dict[str, str] = {}
    for label, raw in named:
        if raw is None:
            continue
        text, part_problems = _decode_part(label, raw)
        problems += part_problems
        decoded[label] = text
    if problems:
        return None, problems
    return TextDirective(
        decoded["start"], decoded.get("end", ""), decoded.get("prefix", ""), decoded.get("suffix", "")
    ), []


def _wrong_count_message(tokens: list[str], prefix: str | None, suffix: str | None) -> str:
    if not tokens:
        return "text directive has no start text (only a prefix and/or suffix)"
    message = f"text directive has {len(tokens)} texts between prefix and suffix (at most start and end)"
    if prefix is None and len(tokens) > 2:
        return message + "; a prefix needs a trailing '-' ('prefix-,start'), a ',' in a text must be %2C"
    if suffix is None and len(tokens) > 2:
        return message + "; a suffix needs a leading '-' ('start,-suffix'), a ',' in a text must be %2C"
    return message + "; an unencoded ',' in a text? write %2C"


def _decode_part(label: str, raw: str) -> tuple[str, list[str]]:
    """Check one TextDirectiveString and percent-decode it (UTF-8)."""
    if not raw:
        return "", [f"empty {label} in text directive"]
    problems = []
    bad = sorted({c for c in _ESCAPE.sub("", raw) if c not in _EXPLICIT})
    for char in bad:
        if char == "%":
            problems.append(f"bad percent-escape in {label} '{raw}': '%' must be followed by two hex digits")
        elif char in "-&,":
            problems.append(f"unencoded '{char}' in {label} '{raw}': write %{ord(char):02X}")
        else:
            problems.append(
                f"character {char!r} not allowed in {label} '{raw}': percent-encode it ({encode_part(char)})"
            )
    try:
        text = _unescape(raw).decode("utf-8")
    except UnicodeDecodeError:
        problems.append(f"{label} '{raw}' does not percent-decode to UTF-8 text")
        text = ""
    return text, problems


def _unescape(raw: str) -> bytes:
    """Percent-decoding as the URL standard does it: only valid %HH escapes, into bytes."""
    out = bytearray()
    pos = 0
    for match in _ESCAPE.finditer(raw):
        out += raw[pos : match.start()].encode("utf-8", "surrogatepass")
        out.append(int(match.group(1), 16))
        pos = match.end()
    out += raw[pos:].encode("utf-8", "surrogatepass")
    return bytes(out)
