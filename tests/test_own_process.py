"""`kpi` in a process of its own loads DuckDB's compiled module, not the `duckdb` package, and
`kpi score` sets its database up on a thread while Python imports the rest (`execute.database`).
The tests import the package, which adds its Python methods to every connection, so here each
example is scored as a user runs it: in a new process, which must write what the test process
writes."""
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


def kpi(args: list[str]) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "kpi_engine", *args], capture_output=True, text=True,
                          env=os.environ, cwd=ROOT)


def test_a_run_loads_duckdbs_engine_not_its_python_package():
    program = ("import sys\nfrom kpi_engine.__main__ import main\n"
               f"sys.argv = ['kpi', *{score_args(CASES[0]) + ['--format', 'json']!r}]\n"
               "try:\n    main()\nexcept SystemExit as end:\n    code = end.code\n"
               "print(sorted(m for m in ('duckdb', '_duckdb') if m in sys.modules), file=sys.stderr)\n"
               "sys.exit(code)")
    found = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, env=os.environ, cwd=ROOT)
    assert found.returncode == 0, found.stderr
    assert found.stderr.strip().endswith("['_duckdb']"), found.stderr


@pytest.fixture(scope="module")
def scored_in_own_processes():
    """Every example case scored (JSON, the plan compiled: no cache) in processes of their own, two at a time."""
    commands = [score_args(case) + ["--format", "json", "--show-plan"] for case in CASES]
    with ThreadPoolExecutor(2) as pool:
        return dict(zip(CASES, pool.map(kpi, commands)))


@pytest.mark.parametrize("case", CASES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_an_example_scores_alike_in_a_process_of_its_own(case, scored_in_own_processes):
    here = CliRunner().invoke(cli, score_args(case) + ["--format", "json", "--show-plan"])
    own = scored_in_own_processes[case]
    assert (own.returncode, own.stdout, own.stderr) == (here.exit_code, here.stdout, here.stderr)


def test_the_database_opened_early_is_the_next_connection_and_only_that():
    from kpi_engine.execute import database

    database.open_early()
    first = database.connect()
    first.execute("CREATE TABLE t AS SELECT 1 AS x")
    second = database.connect()   # a database of its own
    assert first.execute("SELECT x FROM t").fetchall() == [(1,)]
    assert second.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name = 't'").fetchall() == [(0,)]


def test_a_failure_opening_early_is_raised_where_the_connection_is_asked_for(monkeypatch):
    from kpi_engine.execute import database

    def refused():
        raise MemoryError("no room for a database")
    monkeypatch.setattr(database, "_open", refused)
    database.open_early()
    with pytest.raises(MemoryError, match="no room"):
        database.connect()
    monkeypatch.undo()
    assert database.connect().execute("SELECT 42").fetchall() == [(42,)]
