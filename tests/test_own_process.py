"""`kpi` in a process of its own loads DuckDB's compiled module, not the `duckdb` package
(`execute.run.duckdb_engine`). The tests import the package, which adds its Python methods to
every connection, so here each example is scored as a user runs it: in a new process, which must
write what the test process writes."""
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from click.testing import CliRunner

from kpi_engine.cli import cli
from test_plancache import CASES, score_args

ROOT = Path(__file__).resolve().parents[1]


def in_own_process(args: list[str], then: str = "") -> subprocess.CompletedProcess:
    program = (f"import sys\nfrom kpi_engine.cli import cli\ntry:\n    cli({args!r})\n"
               f"except SystemExit as end:\n    code = end.code\n{then}\nsys.exit(code)")
    return subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, env=os.environ, cwd=ROOT)


def test_a_run_loads_duckdbs_engine_not_its_python_package():
    found = in_own_process(score_args(CASES[0]) + ["--format", "json"],
                           then="print(sorted(m for m in ('duckdb', '_duckdb') if m in sys.modules), file=sys.stderr)")
    assert found.returncode == 0, found.stderr
    assert found.stderr.strip().endswith("['_duckdb']"), found.stderr


@pytest.fixture(scope="module")
def scored_in_own_processes():
    """Every example case scored (JSON, the plan compiled: no cache) in processes of their own, two at a time."""
    commands = [score_args(case) + ["--format", "json", "--show-plan"] for case in CASES]
    with ThreadPoolExecutor(2) as pool:
        return dict(zip(CASES, pool.map(in_own_process, commands)))


@pytest.mark.parametrize("case", CASES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_an_example_scores_alike_in_a_process_of_its_own(case, scored_in_own_processes):
    here = CliRunner().invoke(cli, score_args(case) + ["--format", "json", "--show-plan"])
    own = scored_in_own_processes[case]
    assert (own.returncode, own.stdout, own.stderr) == (here.exit_code, here.stdout, here.stderr)
