"""Deterministic benchmark data: an e-commerce customer-service month (2026-10) of after-sales
tickets for 5,000 agents in 50 teams, written as Parquet by DuckDB.

Every value is a hash of the ticket's number, so the same row count gives the same files on any
machine and any number of threads. Agents differ in skill (a fixed function of their number), which
spreads them over every band of the benchmark policy.
"""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

AGENTS = 5000
TEAMS = 50
PERIOD = "2026-10"
#: Bump when the generated data changes, so cached files are made again.
VERSION = 1


def data_folder(root: Path, rows: int) -> Path:
    """The folder holding staff.parquet and tickets.parquet for this many tickets (made if needed,
    in a process of its own: a child forked from a large parent inherits the parent's size in its
    peak memory, so the benchmark keeps its own process small)."""
    folder = Path(root) / f"ecommerce_v{VERSION}_{rows}"
    if not (folder / "tickets.parquet").is_file():
        subprocess.run([sys.executable, "-m", "benchmarks.data", str(folder), str(rows)], check=True,
                       cwd=Path(__file__).resolve().parents[1])
    return folder


def generate(folder: Path, rows: int) -> None:
    import duckdb

    folder.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect()
    con.execute("SET enable_progress_bar = false")
    staff, tickets = folder / "staff.parquet", folder / "tickets.parquet"
    con.execute(f"""
        COPY (SELECT printf('a%05d', a) AS employee_id, printf('客服%05d', a) AS name,
                     printf('T%02d', a % {TEAMS}) AS team
              FROM range({AGENTS}) r(a) ORDER BY a)
        TO '{staff}.part' (FORMAT parquet)""")
    # u(k): a uniform number in [0, 1) from the ticket number and a salt; skill in [0, 1) per agent.
    u = "((hash(i, {k}) % 1000000) / 1000000.0)"
    con.execute(f"""
        COPY (
          SELECT printf('a%05d', a) AS agent_id,
                 TIMESTAMP '2026-10-01' + to_seconds(CAST({u.format(k=8)} * 31 * 86400 AS BIGINT)) AS opened_at,
                 CAST({u.format(k=1)} * (32 + 12 * (1 - skill)) AS INTEGER) AS first_response,
                 {u.format(k=2)} < 0.62 + 0.33 * skill AS resolved,
                 {u.format(k=3)} < 0.02 + 0.15 * (1 - skill) AS reopened,
                 {u.format(k=4)} < 0.005 + 0.08 * (1 - skill) AS escalated,
                 CASE WHEN {u.format(k=5)} < 0.3 THEN NULL
                      ELSE CAST(least(5, 3 + floor({u.format(k=6)} * 1.6 + skill * 1.5)) AS TINYINT) END AS csat,
                 CAST(240 + {u.format(k=7)} * (500 + 1000 * (1 - skill)) AS INTEGER) AS handle_time
          FROM (SELECT i, i % {AGENTS} AS a, ((i % {AGENTS}) * 7919 % 1000) / 1000.0 AS skill
                FROM range({rows}) r(i))
          ORDER BY i)
        TO '{tickets}.part' (FORMAT parquet)""")
    con.close()
    # renamed last: a file present is a file complete
    Path(f"{staff}.part").replace(staff)
    Path(f"{tickets}.part").replace(tickets)


if __name__ == "__main__":
    generate(Path(sys.argv[1]), int(sys.argv[2]))
