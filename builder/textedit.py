"""Edit the editors' YAML files as text, never by re-serializing them.

claims.yaml and seeds/sources.yaml are full of comments that justify the data; a YAML dump
would drop them and reflow everything. So the commands that change these files (`pin`,
`new`) edit characters at the places the loader recorded, then read the result back with
the same loader: it must give exactly the data they meant, or the file is left alone. The
new text replaces the old one atomically (a temporary file renamed over it).
"""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

from builder.load import load_yaml

LINE_BREAK = re.compile(r"\r\n|[\n\r\x85\u2028\u2029]")
"""Line breaks as the YAML parser counts them (YAML 1.1), so that its line numbers map to offsets."""


def line_starts(text: str) -> list[int]:
    """Offset of the start of each line; line n (from 1) starts at `line_starts(text)[n - 1]`."""
    return [0] + [m.end() for m in LINE_BREAK.finditer(text)]


def line_of(text: str, offset: int) -> int:
    return len(LINE_BREAK.findall(text, 0, offset)) + 1


def read_text(path: Path) -> tuple[str, str]:
    """The text of a file that the loader accepted, and its byte-order mark ("" or U+FEFF) to put back."""
    text = path.read_bytes().decode("utf-8")
    bom = "\ufeff" if text.startswith("\ufeff") else ""
    return text.removeprefix(bom), bom


def replace_checked(target: Path, text: str, display: str, expected: object) -> bool:
    """Write `text` over `target` if the loader reads it back, without a problem, as `expected`.

    Returns False, leaving `target` untouched, when it does not."""
    handle, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    temporary = Path(name)
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(text.encode("utf-8"))
            file.flush()
            os.fsync(file.fileno())
        reread, problems = load_yaml(temporary, display)
        if problems or reread.data != expected:
            return False
        os.chmod(temporary, target.stat().st_mode & 0o7777)
        os.replace(temporary, target)
        return True
    finally:
        temporary.unlink(missing_ok=True)
