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


@pytest.fixture(scope="module")
def measured(tmp_path_factory):
    folder = tmp_path_factory.mktemp("bench")
    with pytest.MonkeyPatch.context() as env:
        env.setenv("XDG_CACHE_HOME", str(folder / "cache"))   # kpi score's plan cache
        return compare_tools(ROWS, folder, runs=7, tools=("kpi score", "kpi score csv", "DuckDB SQL"))


def test_kpi_score_gives_the_hand_written_result(measured):
    _, wrong = measured
    assert wrong == []


def test_kpi_score_is_within_the_ratio_of_hand_written_sql(measured):
    timings, _ = measured
    ratio = timings["kpi score"].wall / timings["DuckDB SQL"].wall
    assert ratio <= RATIO, f"kpi score {timings['kpi score'].wall:.3f} s, SQL {timings['DuckDB SQL'].wall:.3f} s"
