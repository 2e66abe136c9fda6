"""Progress bars: drawn on a terminal only, never with --quiet, erased when the work ends; Ctrl-C exits 130."""

import io
import os
import pty
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from scoring import progress

ROOT = Path(__file__).resolve().parents[1]


class Terminal(io.StringIO):
    """A text stream that says it is a terminal."""

    def isatty(self) -> bool:
        return True


@pytest.fixture
def eager(monkeypatch):
    """Redraw on every step, and start each test allowed to draw."""
    monkeypatch.setattr(progress, "REFRESH_S", 0.0)
    progress.set_quiet(False)
    yield
    progress.set_quiet(False)


def run_bar(stream, steps=4):
    with progress.bar(steps, "work", stream=stream) as advance:
        for _ in range(steps):
            advance(1)


def test_a_stream_that_is_not_a_terminal_gets_nothing(eager):
    stream = io.StringIO()
    run_bar(stream)
    assert list(progress.track(range(3), "items", stream=stream)) == [0, 1, 2]
    assert stream.getvalue() == ""


def test_a_terminal_gets_a_bar_that_reaches_the_total_and_is_erased(eager):
    stream = Terminal()
    run_bar(stream)
    text = stream.getvalue()
    assert "\rwork [" in text and "(4/4)" in text and "100%" in text
    assert text.endswith("\r\033[K")                     # the line is cleared: output that follows starts clean


def test_quiet_silences_a_terminal_too(eager):
    stream = Terminal()
    progress.set_quiet(True)
    run_bar(stream)
    assert stream.getvalue() == "" and not progress.enabled(stream)


def test_track_counts_the_items_it_yields(eager):
    stream = Terminal()
    assert [x * 2 for x in progress.track([1, 2, 3], "items", stream=stream)] == [2, 4, 6]
    assert "(3/3)" in stream.getvalue()


def test_the_bar_is_erased_when_the_work_is_interrupted(eager):
    stream = Terminal()
    with pytest.raises(KeyboardInterrupt), progress.bar(10, "work", stream=stream) as advance:
        advance(3)
        raise KeyboardInterrupt
    assert "(3/10, " in stream.getvalue() and stream.getvalue().endswith("\r\033[K")


# --- the command line on a real terminal (a pty) ------------------------------------------------------------------

SENSITIVITY = [sys.executable, "-m", "scoring", "sensitivity", "--format", "json"]


def start_on_a_pty(*args: str, command: list[str] = SENSITIVITY) -> tuple[subprocess.Popen, int]:
    """The command with stderr on a pseudo-terminal (stdout a pipe); returns the process and the pty's master."""
    master, slave = pty.openpty()
    proc = subprocess.Popen([*command, *args], cwd=ROOT, stdout=subprocess.PIPE, stderr=slave,
                            stdin=subprocess.DEVNULL)
    os.close(slave)
    return proc, master


def read_until(master: int, proc: subprocess.Popen, needle: bytes | None, timeout_s: float = 120) -> bytes:
    """What the pty received, until ``needle`` appears (or, with None, until the process ends)."""
    seen, deadline = b"", time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        ready, _, _ = select.select([master], [], [], 0.2)
        if ready:
            try:
                chunk = os.read(master, 4096)
            except OSError:                            # the child closed its end
                chunk = b""
            if not chunk and proc.poll() is not None:
                break
            seen += chunk
            if needle is not None and needle in seen:
                break
        elif proc.poll() is not None and needle is None:
            break
    return seen


def test_sensitivity_draws_a_bar_on_a_terminal_and_none_with_quiet():
    proc, master = start_on_a_pty("--draws", "3000000")
    try:
        seen = read_until(master, proc, b"SMAA draws [")
        assert b"SMAA draws [" in seen
    finally:
        proc.kill()
        proc.communicate()
        os.close(master)
    proc, master = start_on_a_pty("--draws", "600000", "--quiet")
    try:
        seen = read_until(master, proc, None)
        out, _ = proc.communicate(timeout=120)
    finally:
        os.close(master)
    assert proc.returncode == 0 and out.startswith(b"{") and seen == b""


@pytest.mark.parametrize("args, label", [
    (["frontier", "--vendor", "alibaba", "--points", "400"], b"frontier floors ["),
    (["optimize", "--vendor", "alibaba", "--draws", "300"], b"assumption draws ["),
])
def test_the_optimizers_sweeps_draw_a_bar_on_a_terminal(args, label):
    proc, master = start_on_a_pty("--format", "json", command=[sys.executable, "-m", "scoring", *args])
    try:
        assert label in read_until(master, proc, label)
    finally:
        proc.kill()
        proc.communicate()
        os.close(master)


def test_stderr_that_is_not_a_terminal_stays_empty():
    run = subprocess.run([*SENSITIVITY, "--draws", "600000"], cwd=ROOT, capture_output=True, timeout=120)
    assert run.returncode == 0 and run.stderr == b""


def test_ctrl_c_during_a_long_run_exits_130_with_one_line():
    proc, master = start_on_a_pty("--draws", "50000000")
    try:
        assert b"SMAA draws [" in read_until(master, proc, b"SMAA draws [")
        proc.send_signal(signal.SIGINT)
        out, _ = proc.communicate(timeout=60)
        rest = read_until(master, proc, None, timeout_s=5)
    finally:
        os.close(master)
    assert proc.returncode == 130 and out == b""
    lines = [line for line in rest.replace(b"\r\033[K", b"\n").splitlines() if line.strip()
             and b"SMAA draws [" not in line]
    assert lines == [b"cloudscore: interrupted"]


@pytest.mark.parametrize("stage", ["loading vendors", "frontier floors", "assumption draws"])
def test_each_long_stage_reports_through_the_bar_on_a_terminal(eager, monkeypatch, stage):
    """In process, stderr a terminal: loading a vendors folder, a frontier sweep and assumption draws each draw
    their bar (on a pipe the same runs write nothing: test_stderr_that_is_not_a_terminal_stays_empty)."""
    terminal = Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    if stage == "loading vendors":
        from scoring.load import load_vendors
        load_vendors(ROOT / "vendors")
    else:
        from scoring.load import load_strategy
        model = load_strategy(ROOT / "strategy" / "alibaba.yaml")
        if stage == "frontier floors":
            from scoring.optimize import frontier
            frontier(model, points=3, vendors_folder=ROOT / "vendors")
        else:
            from scoring.strategy_draws import preset_acceptability
            preset_acceptability(model, draws=2, vendors_folder=ROOT / "vendors")
    assert f"{stage} [" in terminal.getvalue()
