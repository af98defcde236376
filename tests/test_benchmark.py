"""The CI-sized benchmark (200k tickets, 5,000 agents): `kpi score` (JSON and CSV) gives exactly the
result of the hand-written DuckDB query, and takes at most 1.5x its time (median of seven interleaved runs,
each a process of its own). `python -m benchmarks.score_speed` runs the full-size benchmark."""
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from benchmarks.score_speed import compare_tools  # noqa: E402

ROWS = 200_000
RATIO = 1.5
TOOLS = ("kpi score", "kpi score csv", "DuckDB SQL")


@pytest.fixture(scope="module")
def measure(tmp_path_factory):
    """Runs the tools on the same data, with kpi score's plan cache in the test's own folder."""
    folder = tmp_path_factory.mktemp("bench")

    def measured():
        with pytest.MonkeyPatch.context() as env:
            env.setenv("XDG_CACHE_HOME", str(folder / "cache"))
            return compare_tools(ROWS, folder, runs=7, tools=TOOLS)
    return measured


@pytest.fixture(scope="module")
def measured(measure):
    return measure()


def ratio(timings) -> float:
    return timings["kpi score"].wall / timings["DuckDB SQL"].wall


def test_kpi_score_gives_the_hand_written_result(measured):
    _, wrong = measured
    assert wrong == []


def test_kpi_score_is_within_the_ratio_of_hand_written_sql(measured, measure):
    timings, _ = measured
    if ratio(timings) > RATIO:
        # the machine is shared: a burst of load can slow one tool's runs for seconds, so a
        # ratio over the bound is measured once more before it fails
        timings, _ = measure()
    assert ratio(timings) <= RATIO, (f"kpi score {timings['kpi score'].wall:.3f} s, "
                                     f"SQL {timings['DuckDB SQL'].wall:.3f} s")
