"""Problems found in the editors' input: data, printed in one place by the CLI."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from enum import StrEnum


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, order=True)
class Location:
    """A place in an input file; line and column count from 1, as editors see them."""

    file: str
    line: int = 0
    column: int = 0

    def __str__(self) -> str:
        if not self.line:
            return self.file
        return f"{self.file}:{self.line}:{self.column}"


@dataclass(frozen=True)
class Problem:
    location: Location
    message: str
    severity: Severity = Severity.ERROR
    hint: str = ""
    """How to fix it, one or more lines, printed indented under the message."""

    def sort_key(self) -> tuple:
        return (self.location, self.severity != Severity.ERROR, self.message)

    def format(self) -> str:
        text = f"{self.location}: {self.severity.value}: {self.message}"
        if self.hint:
            text += "".join(f"\n    {line}" for line in self.hint.splitlines())
        return text

    def github_annotation(self) -> str:
        """The workflow command that shows this problem on the pull request diff."""
        place = f"file={self.location.file}"
        if self.location.line:
            place += f",line={self.location.line},col={self.location.column}"
        body = self.message + (f"\n{self.hint}" if self.hint else "")
        # GitHub's workflow-command escaping: %, CR and LF in the message.
        body = body.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
        return f"::{self.severity.value} {place}::{body}"


@dataclass
class Report:
    """Everything one run found, sorted for printing."""

    problems: list[Problem] = field(default_factory=list)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == Severity.ERROR]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == Severity.WARNING]

    def failed(self, strict: bool = False) -> bool:
        return bool(self.errors or (strict and self.warnings))

    def lines(self, github: bool | None = None) -> list[str]:
        if github is None:
            github = os.environ.get("GITHUB_ACTIONS") == "true"
        ordered = sorted(set(self.problems), key=Problem.sort_key)
        out = [p.format() for p in ordered]
        if github:
            out += [p.github_annotation() for p in ordered]
        return out
