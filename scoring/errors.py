"""Typed errors: every problem in a user's file is pinned to ``file:line:column`` and collected before raising."""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Where:
    """A place in a user's file, 1-based as editors show it (column 0 means "the whole file")."""

    path: str
    line: int = 0
    column: int = 0

    def __str__(self) -> str:
        if self.line <= 0:
            return self.path
        return f"{self.path}:{self.line}:{self.column}" if self.column > 0 else f"{self.path}:{self.line}"


class ConfigError(Exception):
    """One problem in one input: where, the key path, what was found and what was expected, and a remedy."""

    def __init__(self, where: Where, key: str, problem: str, hint: str = "") -> None:
        self.where, self.key, self.problem, self.hint = where, key, problem, hint
        super().__init__(str(self))

    def __str__(self) -> str:
        text = f"{self.where}: {self.key}: {self.problem}" if self.key else f"{self.where}: {self.problem}"
        return f"{text}\n    hint: {self.hint}" if self.hint else text


class ConfigErrors(Exception):
    """Every problem found in one run, raised together so a user fixes them in one pass."""

    def __init__(self, errors: Iterable[ConfigError]) -> None:
        self.errors = sorted(errors, key=lambda e: (e.where.path, e.where.line, e.where.column, e.key))
        super().__init__(str(self))

    def __str__(self) -> str:
        count = len(self.errors)
        head = f"cloudscore: {count} problem{'s' if count != 1 else ''} in the input"
        return "\n".join([head, *(str(e) for e in self.errors)])


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """A hint naming the closest choice, or listing them all when none is close.

    >>> did_you_mean("wieght", ["weight", "metric"])
    "did you mean 'weight'?"
    """
    choices = sorted(set(choices))
    close = difflib.get_close_matches(str(word), choices, n=1, cutoff=0.6)
    if close:
        return f"did you mean {close[0]!r}?"
    shown = ", ".join(repr(c) for c in choices[:12]) + (", ..." if len(choices) > 12 else "")
    return f"expected one of {shown}" if choices else ""
