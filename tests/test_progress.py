"""The progress line of `kpi score`: shown on a terminal's stderr for a long run, never through a
pipe or with --quiet, and never mixed into the result on stdout."""
import os
import pty
import subprocess
import sys
import time
from pathlib import Path

import pytest

from kpi_engine.progress import Progress

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "seed000_service_framework.kpi"
DATA = ROOT / "examples" / "data" / "seed000_service_framework" / "service_monthly"
SCORE = [sys.executable, "-m", "kpi_engine", "score", str(EXAMPLE), "--policy", "service_monthly",
         "--data", str(DATA), "--period", "2026-10", "--format", "json"]


def run_on_terminal(command: list[str], delay: str) -> tuple[bytes, str]:
    """(stdout, what the terminal on stderr received) of a run whose stderr is a pseudo-terminal."""
    leader, follower = pty.openpty()
    env = {**os.environ, "KPI_PROGRESS_DELAY": delay}
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=follower, env=env)
    os.close(follower)
    stdout = process.stdout.read()
    process.wait()
    received = b""
    while True:
        try:
            chunk = os.read(leader, 4096)
        except OSError:  # the terminal is closed once the process has ended
            break
        if not chunk:
            break
        received += chunk
    os.close(leader)
    return stdout, received.decode("utf-8", errors="replace")


@pytest.fixture(scope="module")
def quiet_result():
    done = subprocess.run(SCORE, capture_output=True, check=True)
    assert done.stderr == b""  # through a pipe: no progress at all
    return done.stdout


def test_a_terminal_sees_the_stages_and_the_line_is_erased(quiet_result):
    stdout, received = run_on_terminal(SCORE, delay="0")
    assert stdout == quiet_result
    # shown at once with no delay (later stages may pass between two refreshes), then erased
    assert received.startswith("\r\033[Kkpi: reading… 0 s")
    assert received.endswith("\r\033[K")


def test_quiet_or_a_short_run_shows_nothing_on_a_terminal(quiet_result):
    for command, delay in ((SCORE + ["--quiet"], "0"), (SCORE, "60")):
        stdout, received = run_on_terminal(command, delay)
        assert stdout == quiet_result
        assert received == ""


def test_stages_are_shown_in_order_on_a_terminal_stream():
    leader, follower = pty.openpty()
    with open(follower, "w", encoding="utf-8", closefd=True) as terminal:
        progress = Progress(stream=terminal, delay=0)
        for name in ("reading", "computing", "writing"):
            progress.stage(name)
            time.sleep(0.7)  # longer than a refresh
        progress.close()
    text = os.read(leader, 65536).decode("utf-8")
    os.close(leader)
    shown = [line.split("…")[0] for line in text.split("\r\033[K") if line]
    assert [s for i, s in enumerate(shown) if i == 0 or shown[i - 1] != s] == [
        "kpi: reading", "kpi: computing", "kpi: writing"]
