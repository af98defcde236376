"""Running a compiled plan on DuckDB from its plain-data form (`CompiledPlan`: SQL text and what
loading, the unmatched-records check and the result need), so that a plan read back from the plan
cache (`kpi_engine.plancache`) runs without importing sqlglot or the parser. `engine.execute` turns
a freshly compiled `Plan` into this form and runs it the same way."""
from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import NamedTuple

from ..errors import ScoringError
from .database import connect, duckdb_engine
from .load import DatasetSpec, SetAside, load_datasets, reads_in_place, record_places
from .parallel import at_once
from .sqltext import first_line, ident, lit


# Plain data, kept in the plan cache, are NamedTuples: a frozen dataclass takes ~0.5 ms to define
# (its methods are compiled from text), which every `kpi score` paid at import.
class IndicatorShape(NamedTuple):
    id: str
    label: str | None
    maximum: Decimal


class ResultShape(NamedTuple):
    """What a result (JSON, table, CSV) says besides the rows: the policy, the period, and the
    columns the plan gives for each indicator, outcome, distribution, payout and action."""
    policy: str
    label: str | None
    period: str
    has_name: bool
    indicators: tuple[IndicatorShape, ...]
    outcomes: tuple[str, ...]
    distributions: tuple[str, ...]
    payouts: tuple[str, ...]
    actions: tuple[str, ...]


class UnmatchedQuery(NamedTuple):
    """Lists the records of one dataset in the scored periods whose person is not in the roster:
    rows of (person, records, [record __row]). A `precheck` (one count) says whether there are
    any, from a table the plan computes anyway, so the records are scanned again only if so."""
    dataset: str
    person_column: str
    sql: str
    precheck: str | None = None


class AggregateTable(NamedTuple):
    """One of the plan's stages grouping a dataset's records by person, run before the main query
    (which reads it by `name`): the unmatched-records check then reads its rows, one per person,
    instead of scanning the records a second time (0.07 s of 10M records). `by_raw_person`: the
    same grouping by the person column as the file has it first, for a dataset read in place
    (see `engine.by_raw_person`)."""
    dataset: str
    name: str
    sql: str
    by_raw_person: str | None = None

    def sql_for(self, path: Path | None) -> str:
        """The SQL grouping the records of the dataset's file."""
        return self.by_raw_person if self.by_raw_person and path and reads_in_place(path) else self.sql


class CompiledPlan(NamedTuple):
    shape: ResultShape
    datasets: tuple[DatasetSpec, ...]
    roster: str
    unmatched: tuple[UnmatchedQuery, ...]
    sql: str
    aggregates: tuple[AggregateTable, ...] = ()


class ResultTable:
    """A run's result rows, kept in DuckDB until someone asks for them: turning 5,000 people's
    decimals into Python objects takes longer than computing them, and the JSON result is written
    by a query over this table (`render.result.people_json`) without that step."""

    def __init__(self, con, name: str):
        self.con, self.name = con, name
        self._rows: list[tuple] | None = None
        self._types: dict[str, str] | None = None

    @classmethod
    def of_arrow(cls, table) -> "ResultTable":
        """The rows of an Arrow table (another engine's result), in a DuckDB of their own."""
        import duckdb  # noqa: F401 (sets up the scanning of Arrow tables; see .database)

        con = connect()
        con.register("__kpi_arrow", table)
        con.execute("CREATE TABLE __kpi_result AS SELECT * FROM __kpi_arrow")
        con.unregister("__kpi_arrow")
        return cls(con, "__kpi_result")

    def columns(self) -> list[str]:
        return list(self.types())

    def types(self) -> dict[str, str]:
        """The table's columns and their DuckDB types (`DECIMAL(38,18)`, `VARCHAR`...)."""
        if self._types is None:
            self._types = dict(self.query(f"SELECT column_name, column_type FROM (DESCRIBE {self.name})"))
        return self._types

    def rows(self) -> list[tuple]:
        if self._rows is None:
            self._rows = self.query(f"SELECT * FROM {self.name} ORDER BY rowid")
        return self._rows

    def query(self, sql: str) -> list[tuple]:
        """The rows of a query over this table (its `name`; `rowid` is the result's order)."""
        return self.con.execute(sql).fetchall()

    def query_parts(self, sql_for) -> list:
        """The one value of `sql_for(rows)` for each part of this table's rows (`Rows`, in order),
        the parts' queries run at once (`parallel.at_once`): a part per DuckDB thread once each
        has `_PART_ROWS`. 5,000 people's JSON took 45 ms in one query, 31 ms in two parts."""
        (count, threads), = self.query(f"SELECT count(*), current_setting('threads') FROM {self.name}")
        parts = max(1, min(int(threads), count // _PART_ROWS))
        ends = [None, *(count * part // parts for part in range(1, parts)), None]

        def value_of(sql: str):
            return lambda con: con.execute(sql).fetchall()[0][0]
        return at_once(self.con, [value_of(sql_for((ends[part], ends[part + 1]))) for part in range(parts)])


#: A part of a result table's rows: rowid from (None: the first) up to, not including (None: past
#: the last).
Rows = tuple[int | None, int | None]

_PART_ROWS = 1000   # rows a part has at least: below, a thread costs more than it saves


def rows_where(rows: Rows) -> str:
    """The WHERE clause keeping a result table's `rows`."""
    first, end = rows
    tests = ([f"rowid >= {first}"] if first is not None else []) + ([f"rowid < {end}"] if end is not None else [])
    return f" WHERE {' AND '.join(tests)}" if tests else ""


@dataclass
class Run:
    plan: object | None   # the compile.plan.Plan (None when the plan came from the plan cache)
    columns: list[str]
    result: ResultTable
    warnings: list[str] = field(default_factory=list)
    files: dict[str, Path] = field(default_factory=dict)
    shape: ResultShape | None = None

    @property
    def rows(self) -> list[tuple]:
        return self.result.rows()

    def records(self) -> list[dict]:
        return [dict(zip(self.columns, row)) for row in self.rows]


def run_compiled(compiled: CompiledPlan, data_dir: Path | None, files: dict[str, Path] | None = None, con=None,
                 loaded: dict[str, Path] | None = None, columns: str | None = None, stage=None,
                 quarantine: list[SetAside] | None = None, plan=None) -> Run:
    """Load the data and run the plan. ``loaded`` (the files used) says ``con`` has the data
    already; given a ``quarantine`` list, records with problems are set aside there (see
    ``load_datasets``) instead of refusing the run; ``columns`` (a regular expression) keeps only
    the output columns it matches, since turning each value into a Python object is a large part of the
    cost when the plan has many intermediate columns. ``stage(name)`` is told when the
    computing starts (for a progress display). ``plan``: the Plan compiled, kept in the Run."""
    duckdb = duckdb_engine()
    con = con or connect()
    used = loaded if loaded is not None else load_datasets(con, compiled.datasets, data_dir, files or {},
                                                            quarantine=quarantine)
    if stage:
        stage("computing")
    query = compiled.sql
    if columns is not None:
        query = f"SELECT COLUMNS({lit(columns)}) FROM ({query}) ORDER BY __row"
    result = ResultTable(con, f"__kpi_result_{uuid.uuid4().hex[:8]}")
    def unmatched(cursor) -> list[str]:
        return unmatched_records(lambda sql: cursor.execute(sql).fetchall(), compiled.roster,
                                 compiled.unmatched, used)

    def compute(cursor) -> None:
        cursor.execute(f"CREATE TABLE {result.name} AS {query}")

    try:
        # a cursor, not con.sql(): the relation API tokenizes the (long, non-ASCII) text in Python.
        # The groupings and the result are the database's tables, not the connection's temporary
        # ones: the check for records outside the roster reads the groupings on a cursor of its
        # own while the plan runs (`at_once`), and the people's JSON is written in parts.
        for table in compiled.aggregates:
            con.execute(f"CREATE TABLE {ident(table.name)} AS {table.sql_for(used.get(table.dataset))}")
        warnings, _ = at_once(con, [unmatched, compute])
    except duckdb.Error as error:
        reading = (duckdb.IOException, duckdb.InvalidInputException)
        if not isinstance(error, reading) and type(error) is not duckdb.Error:
            raise  # binder, catalog, conversion...: a bug of the plan, not the data; keep the traceback
        raise unreadable(error, used) from None
    finally:
        for table in compiled.aggregates:
            con.execute(f"DROP TABLE IF EXISTS {ident(table.name)}")
    return Run(plan, result.columns(), result, warnings, used, compiled.shape)


def unreadable(error: Exception, used: dict[str, Path]) -> ScoringError:
    """A Parquet dataset is read in place (a view), so a damaged page may show only while scoring."""
    files = ", ".join(str(path) for path in used.values())
    return ScoringError(f"cannot read the data ({files}): {first_line(error)}")


def unmatched_records(fetch, roster: str, queries, used: dict[str, Path]) -> list[str]:
    """Records in the scored periods whose person is not in the roster: never dropped silently.
    `fetch` runs a query's `sql` (as the engine in use takes it) and returns its rows."""
    warnings = []
    for query in queries:
        if query.precheck is not None and not fetch(query.precheck)[0][0]:
            continue
        found = fetch(query.sql)
        if found:
            name = query.dataset
            records = sum(count for _, count, _ in found)
            named = {pid: sorted(rows)[:_SHOWN] for pid, _, rows in found[:_SHOWN]}
            unit, places = (record_places(connect(), used[name], {r for rs in named.values() for r in rs})
                            if name in used else ("record", {}))
            people = "; ".join(
                f"{pid} ({unit}{'s' if len(rows) > 1 else ''} "
                + _positions([places.get(r, r) for r in rows], more=len(all_rows) - len(rows)) + ")"
                for (pid, rows), (_, _, all_rows) in zip(named.items(), found))
            warnings.append(f"{used.get(name, name)}: column {query.person_column}: {records} "
                            f"record(s) of {len(found)} person(s) not in the roster {roster} were "
                            f"not scored: {people}" + (" …" if len(found) > _SHOWN else ""))
    return warnings


def set_aside_rows(set_aside: list[SetAside]) -> list[str]:
    """The result says which rows it was computed without."""
    rows: dict[str, set] = {}
    for s in set_aside:
        rows.setdefault(s.problem.file, set()).add(s.problem.row)
    return [f"{file}: {len(r)} row(s) with bad data were set aside and not scored (lines/rows "
            f"{_positions(sorted(r))})" for file, r in rows.items()]


_SHOWN = 5  # people, and places of each, named in a warning


def _positions(places: list[int], more: int = 0) -> str:
    text = ", ".join(str(p) for p in places[:_SHOWN])
    more += max(0, len(places) - _SHOWN)
    return text + (f" and {more} more" if more else "")
