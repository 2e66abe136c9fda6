"""Typed errors: every problem in a user's file is pinned to ``file:line:column`` and collected before raising.

Messages stay readable whatever the input: a value or key is shown shortened past a few dozen characters
(:func:`shorten`), a path that is not valid UTF-8 is shown with escapes (:func:`display_path`), and a file with
thousands of problems prints the first ``MAX_SHOWN_PER_FILE`` of them and counts the rest.
"""

from __future__ import annotations

import difflib
import os
from collections.abc import Iterable
from dataclasses import dataclass

MAX_SHOWN_PER_FILE = 100         # problems printed per file; the rest are counted
_LONGEST = 600                   # characters of a problem or hint before it is shortened in the middle


def shorten(text: str, limit: int = 60) -> str:
    """``text`` cut to about ``limit`` characters, saying how long it was.

    >>> shorten("abc"), shorten("x" * 100, 20)
    ('abc', 'xxxxxxxxxxxxxx... (100 characters)')
    """
    text = str(text)
    if len(text) <= limit:
        return text
    return f"{text[:max(limit - 6, 1)]}... ({len(text):,} characters)"


def _shorten_middle(text: str) -> str:
    if len(text) <= _LONGEST:
        return text
    return f"{text[:_LONGEST // 2]} ... [{len(text) - _LONGEST:,} characters left out] ... {text[-_LONGEST // 4:]}"


def display_path(path) -> str:
    """A file-system path as text that can always be printed: bytes that are not UTF-8 in a file name (kept by
    Python as surrogate escapes) are shown as ``\\xNN``.

    >>> display_path("vendors/caf\\udce9.yaml")
    'vendors/caf\\\\xe9.yaml'
    """
    text = os.fspath(path)
    if isinstance(text, bytes):
        text = os.fsdecode(text)
    if text.isascii():
        return text
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        return text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


@dataclass(frozen=True)
class Where:
    """A place in a user's file, 1-based as editors show it (column 0 means "the whole file")."""

    path: str
    line: int = 0
    column: int = 0

    def __str__(self) -> str:
        path = display_path(self.path)
        if self.line <= 0:
            return path
        return f"{path}:{self.line}:{self.column}" if self.column > 0 else f"{path}:{self.line}"


class ConfigError(Exception):
    """One problem in one input: where, the key path, what was found and what was expected, and a remedy."""

    def __init__(self, where: Where, key: str, problem: str, hint: str = "") -> None:
        self.where, self.key = where, _shorten_middle(key)
        self.problem, self.hint = _shorten_middle(problem), _shorten_middle(hint)
        super().__init__(self.problem)           # str(self) is built when shown: a file may have thousands

    def __str__(self) -> str:
        text = f"{self.where}: {self.key}: {self.problem}" if self.key else f"{self.where}: {self.problem}"
        return f"{text}\n    hint: {self.hint}" if self.hint else text


class ConfigErrors(Exception):
    """Every problem found in one run, raised together so a user fixes them in one pass."""

    def __init__(self, errors: Iterable[ConfigError]) -> None:
        self.errors = sorted(errors, key=lambda e: (e.where.path, e.where.line, e.where.column, e.key))
        super().__init__("")

    def __str__(self) -> str:
        count = len(self.errors)
        head = f"cloudscore: {count:,} problem{'s' if count != 1 else ''} in the input"
        lines, shown, hidden = [head], {}, {}
        for e in self.errors:
            n = shown.get(e.where.path, 0)
            if n < MAX_SHOWN_PER_FILE:
                shown[e.where.path] = n + 1
                lines.append(str(e))
            else:
                hidden[e.where.path] = hidden.get(e.where.path, 0) + 1
        for path, n in hidden.items():
            lines.append(f"{display_path(path)}: {n:,} more problem{'s' if n != 1 else ''} not shown (the first "
                         f"{MAX_SHOWN_PER_FILE} are above; fix those first, the rest are often the same mistake)")
        return "\n".join(lines)


class Vocabulary:
    """The names a did-you-mean chooses from, indexed once so that many look-ups stay fast.

    :meth:`closest` gives exactly ``difflib.get_close_matches(word, names, n=1, cutoff)``, but only computes the
    similarity of the few names whose letter counts could reach the cutoff: the ratio 2M/T is at most
    2 * (letters the two have in common, counted with multiplicity) / T, a bound computed for every name at once.
    """

    _INDEXED = 500                     # below this many names, difflib's own scan is fast enough

    def __init__(self, names: Iterable) -> None:
        self.names = sorted({str(n) for n in names})
        self._counts = None

    def _index(self):
        import numpy as np
        lengths = np.fromiter((len(n) for n in self.names), dtype=np.int64, count=len(self.names))
        codes = np.frombuffer("".join(self.names).encode("utf-32-le"), dtype=np.uint32)
        alphabet, letter = np.unique(codes, return_inverse=True)
        owner = np.repeat(np.arange(len(self.names)), lengths)
        counts = np.zeros((len(self.names), len(alphabet)), dtype=np.int32)
        np.add.at(counts, (owner, letter), 1)
        self._counts = (np, lengths, {chr(c): i for i, c in enumerate(alphabet.tolist())}, counts)

    def closest(self, word: str, cutoff: float = 0.6) -> str | None:
        word = str(word)
        if len(self.names) < self._INDEXED:
            close = difflib.get_close_matches(word, self.names, n=1, cutoff=cutoff)
            return close[0] if close else None
        if self._counts is None:
            self._index()
        np, lengths, column, counts = self._counts
        wanted: dict[int, int] = {}
        for ch in word:
            if ch in column:
                wanted[column[ch]] = wanted.get(column[ch], 0) + 1
        if not wanted:
            return None
        cols = np.fromiter(wanted, dtype=np.int64)
        common = np.minimum(counts[:, cols], np.fromiter(wanted.values(), dtype=np.int32)).sum(axis=1)
        bound = 2.0 * common / (lengths + len(word))
        candidates = np.nonzero(bound >= cutoff)[0]
        best, best_name = -1.0, None
        matcher = difflib.SequenceMatcher()
        matcher.set_seq2(word)
        for i in candidates[np.argsort(-bound[candidates], kind="stable")].tolist():
            if bound[i] < best:
                break
            matcher.set_seq1(self.names[i])
            score = matcher.ratio()
            if score >= cutoff and (score, self.names[i]) > (best, best_name or ""):
                best, best_name = score, self.names[i]
        return best_name


def did_you_mean(word: str, choices: Iterable[str] | Vocabulary) -> str:
    """A hint naming the closest choice, or listing them all when none is close.

    ``choices`` may be a :class:`Vocabulary`, built once when many words are looked up in many names.

    >>> did_you_mean("wieght", ["weight", "metric"])
    "did you mean 'weight'?"
    """
    vocabulary = choices if isinstance(choices, Vocabulary) else Vocabulary(choices)
    close = vocabulary.closest(word)
    if close is not None:
        return f"did you mean {shorten(close)!r}?"
    names = vocabulary.names
    shown = ", ".join(repr(shorten(c)) for c in names[:12]) + (", ..." if len(names) > 12 else "")
    return f"expected one of {shown}" if names else ""
