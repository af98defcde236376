"""The CI-sized benchmark (200k tickets, 5,000 agents): `kpi score` (JSON and CSV) gives exactly the
result of the hand-written DuckDB query, and takes at most 1.5x its time: the fastest of seven
interleaved runs of each, each a process of its own (on a shared machine the fastest run is the one
other processes slowed least; the medians moved by up to 0.15 between runs of this test).
`python -m benchmarks.score_speed` runs the full-size benchmark."""
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from benchmarks.score_speed import compare_tools  # noqa: E402

ROWS = 200_000
RATIO = 1.5
#: The machine is shared: another process can slow kpi score's two threads for seconds, so a ratio
#: over the bound is measured again, up to this many times, before the test fails.
AGAIN = 2
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
    return timings["kpi score"].fastest / timings["DuckDB SQL"].fastest


def test_kpi_score_gives_the_hand_written_result(measured):
    _, wrong = measured
    assert wrong == []


def test_kpi_score_is_within_the_ratio_of_hand_written_sql(measured, measure):
    timings, _ = measured
    for _ in range(AGAIN):
        if ratio(timings) <= RATIO:
            break
        timings, _ = measure()
    assert ratio(timings) <= RATIO, (f"kpi score {timings['kpi score'].fastest:.3f} s, "
                                     f"SQL {timings['DuckDB SQL'].fastest:.3f} s (fastest runs)")
