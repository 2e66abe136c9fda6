"""Progress of long runs (SMAA draws, the optimizer's frontier and assumption draws), as one bar on stderr.

A bar is drawn only when stderr is a terminal and the command line was not given ``--quiet``; otherwise nothing
is written at all, so pipes, files, CI logs and tests see exactly the output they asked for. Stdout is never
touched. A few lines of our own rather than a library: the bar is one line rewritten in place with ``\\r``,
throttled to about ten updates a second, and erased when the work ends, so a finished command leaves its
terminal as it found it.

Two ways to report progress:

- a callback: ``with bar(total, "SMAA draws") as advance: ... advance(k)`` after each k units of work;
- an iterator: ``for item in track(items, "frontier floors"): ...`` (``total`` defaults to ``len(items)``).

>>> with bar(3, "demo") as advance:          # stderr is not a terminal here: silent
...     for _ in range(3):
...         advance(1)
>>> [x * 2 for x in track([1, 2, 3], "demo")]
[2, 4, 6]
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import TextIO, TypeVar

T = TypeVar("T")

#: Set by the command line's ``--quiet``: no bar, whatever stderr is.
_quiet = False
#: Seconds between redraws; and a run shorter than this never shows a bar.
REFRESH_S = 0.1
WIDTH = 30


def set_quiet(quiet: bool) -> None:
    """Silence (or allow) every bar of this process: the command line's ``--quiet``."""
    global _quiet
    _quiet = bool(quiet)


def enabled(stream: TextIO | None = None) -> bool:
    """Whether a bar would be drawn on ``stream`` (default stderr): a terminal, and not ``--quiet``."""
    stream = sys.stderr if stream is None else stream
    if _quiet or stream is None:
        return False
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):          # no isatty, or a closed stream
        return False


class _Bar:
    """One bar on a terminal stream; ``advance(k)`` adds k units and redraws at most every ``REFRESH_S``."""

    def __init__(self, total: int, label: str, stream: TextIO) -> None:
        self.total, self.label, self.stream = max(0, int(total)), label, stream
        self.done, self.started = 0, time.monotonic()
        self.drawn_at = self.started          # the first draw waits REFRESH_S: short runs stay silent
        self.shown = False

    def advance(self, k: int = 1) -> None:
        self.done += k
        now = time.monotonic()
        if now - self.drawn_at >= REFRESH_S:
            self.drawn_at = now
            self._draw(now)

    def _draw(self, now: float) -> None:
        share = min(1.0, self.done / self.total) if self.total else 1.0
        filled = int(round(share * WIDTH))
        elapsed = now - self.started
        left = f", {elapsed * (1 - share) / share:.0f} s left" if 0 < share < 1 else ""
        self.stream.write(f"\r{self.label} [{'#' * filled}{'.' * (WIDTH - filled)}] {share:4.0%} "
                          f"({self.done:,}/{self.total:,}{left})")
        self.stream.flush()
        self.shown = True

    def close(self) -> None:
        if self.shown:                        # erase the line: the command's own output follows cleanly
            self.stream.write("\r\033[K")
            self.stream.flush()


@contextmanager
def bar(total: int, label: str, stream: TextIO | None = None) -> Iterator[Callable[[int], None]]:
    """A callback ``advance(k)`` that moves a bar of ``total`` units; a no-op unless :func:`enabled`.

    The bar is erased on exit, also when the work is interrupted (Ctrl-C) or fails.
    """
    stream = sys.stderr if stream is None else stream
    if not enabled(stream):
        yield _ignore
        return
    progress = _Bar(total, label, stream)
    try:
        yield progress.advance
    finally:
        progress.close()


def track(items: Iterable[T], label: str, total: int | None = None, stream: TextIO | None = None) -> Iterator[T]:
    """Yield ``items`` one by one, advancing a bar by one for each (``total`` default: ``len(items)``)."""
    if total is None:
        total = len(items) if hasattr(items, "__len__") else 0
    with bar(total, label, stream) as advance:
        for item in items:
            yield item
            advance(1)


def _ignore(k: int = 1) -> None:
    """The callback when no bar is drawn."""
