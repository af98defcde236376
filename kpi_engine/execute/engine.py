"""Run a compiled plan on DuckDB (embedded, in memory): load the datasets the policy declares,
report records that belong to nobody in the roster, execute the one query."""
from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from sqlglot import exp

from .. import ast
from ..errors import ScoringError
from ..compile.plan import Plan, col, q, timestamp
from .load import DatasetSpec, FieldSpec, SetAside, load_datasets, record_places
from .sqltext import first_line, lit


@dataclass
class Run:
    plan: Plan
    columns: list[str]
    rows: list[tuple]
    warnings: list[str] = field(default_factory=list)
    files: dict[str, Path] = field(default_factory=dict)

    def records(self) -> list[dict]:
        return [dict(zip(self.columns, row)) for row in self.rows]


def dataset_specs(policy: ast.Policy) -> list[DatasetSpec]:
    return [DatasetSpec(d.id.name, d.person.name, d.at.name if d.at else None,
                        tuple(FieldSpec(f.id.name, f.type.name, f.nullable) for f in d.fields),
                        d.key.name if d.key else None)
            for d in policy.of(ast.Dataset)]


def project_files(start: Path) -> dict[str, Path]:
    """Dataset files mapped in a project's kpi.toml (`[datasets] tickets = "exports/t.csv"`),
    found in the folder given or its parents; paths are relative to kpi.toml."""
    for folder in [start, *start.parents]:
        config = folder / "kpi.toml"
        if config.is_file():
            mapping = tomllib.loads(config.read_text(encoding="utf-8")).get("datasets", {})
            return {name: (folder / value) for name, value in mapping.items()}
    return {}


def connect():
    import duckdb
    # DuckDB draws its own progress bar on a terminal; kpi shows its own (kpi_engine.progress)
    con = duckdb.connect(":memory:")
    con.execute("SET enable_progress_bar = false")
    return con


def execute(plan: Plan, data_dir: Path | None, files: dict[str, Path] | None = None, con=None,
            loaded: dict[str, Path] | None = None, columns: str | None = None, stage=None,
            quarantine: list[SetAside] | None = None) -> Run:
    """Load the data and run the plan. ``loaded`` (the files used) says ``con`` has the data
    already; given a ``quarantine`` list, records with problems are set aside there (see
    ``load_datasets``) instead of refusing the run; ``columns`` (a regular expression) keeps only
    the output columns it matches, since turning each value into a Python object is a large part of the
    cost when the plan has many intermediate columns. ``stage(name)`` is told when the
    computing starts (for a progress display)."""
    import duckdb

    con = con or connect()
    used = loaded if loaded is not None else load_datasets(con, dataset_specs(plan.policy), data_dir, files or {},
                                                            quarantine=quarantine)
    if stage:
        stage("computing")
    query = plan.sql(pretty=False)
    if columns is not None:
        query = f"SELECT COLUMNS({lit(columns)}) FROM ({query}) ORDER BY __row"
    try:
        warnings = unmatched_records(lambda tree: con.execute(tree.sql("duckdb")).fetchall(), plan, used)
        # a cursor, not con.sql(): the relation API tokenizes the (long, non-ASCII) text in Python
        result = con.execute(query)
        rows = result.fetchall()
    except duckdb.Error as error:
        reading = (duckdb.IOException, duckdb.InvalidInputException)
        if not isinstance(error, reading) and type(error) is not duckdb.Error:
            raise  # binder, catalog, conversion...: a bug of the plan, not the data; keep the traceback
        raise unreadable(error, used) from None
    return Run(plan, [d[0] for d in result.description], rows, warnings, used)


def unreadable(error: Exception, used: dict[str, Path]) -> ScoringError:
    """A Parquet dataset is read in place (a view), so a damaged page may show only while scoring."""
    files = ", ".join(str(path) for path in used.values())
    return ScoringError(f"cannot read the data ({files}): {first_line(error)}")


def set_aside_rows(set_aside: list[SetAside]) -> list[str]:
    """The result says which rows it was computed without."""
    rows: dict[str, set] = {}
    for s in set_aside:
        rows.setdefault(s.problem.file, set()).add(s.problem.row)
    return [f"{file}: {len(r)} row(s) with bad data were set aside and not scored (lines/rows "
            f"{_positions(sorted(r))})" for file, r in rows.items()]


def unmatched_records(fetch, plan: Plan, used: dict[str, Path]) -> list[str]:
    """Records in the scored periods whose person is not in the roster: never dropped silently.
    `fetch` runs a query tree on the engine in use and returns its rows."""
    roster = plan.context.roster.id.name
    start, end = plan.context.periods[-1].start, plan.context.periods[0].end
    warnings = []
    for name, dataset in plan.context.datasets.items():
        if dataset.at is None:
            continue
        at = col("__at")
        known = exp.select(col("__pid")).from_(exp.Table(this=q(roster)))
        rows = exp.func("list", col("__row"), dialect="duckdb")
        query = (exp.select(col("__pid"), exp.Count(this=exp.Star()), rows)
                 .from_(exp.Table(this=q(name)))
                 .where(exp.and_(exp.GTE(this=at, expression=timestamp(start)),
                                 exp.LT(this=at.copy(), expression=timestamp(end)),
                                 exp.Not(this=exp.In(this=col("__pid"), query=exp.Subquery(this=known)))))
                 .group_by(exp.Literal.number(1)).order_by(exp.Literal.number(1)))
        found = fetch(query)
        if found:
            records = sum(count for _, count, _ in found)
            named = {pid: sorted(rows)[:_SHOWN] for pid, _, rows in found[:_SHOWN]}
            unit, places = (record_places(connect(), used[name], {r for rs in named.values() for r in rs})
                            if name in used else ("record", {}))
            people = "; ".join(
                f"{pid} ({unit}{'s' if len(rows) > 1 else ''} "
                + _positions([places.get(r, r) for r in rows], more=len(all_rows) - len(rows)) + ")"
                for (pid, rows), (_, _, all_rows) in zip(named.items(), found))
            warnings.append(f"{used.get(name, name)}: column {dataset.person.name}: {records} "
                            f"record(s) of {len(found)} person(s) not in the roster {roster} were "
                            f"not scored: {people}" + (" …" if len(found) > _SHOWN else ""))
    return warnings


def periods_with_data(con, plan: Plan) -> set[int]:
    """Indexes of the plan's periods (0 = the one scored) that have a record in any dataset."""
    found = set()
    for index, period in enumerate(plan.context.periods):
        for name, dataset in plan.context.datasets.items():
            if dataset.at is None:
                continue
            query = (exp.select(exp.Literal.number(1)).from_(exp.Table(this=q(name)))
                     .where(exp.and_(exp.GTE(this=col("__at"), expression=timestamp(period.start)),
                                     exp.LT(this=col("__at"), expression=timestamp(period.end)))).limit(1))
            if con.sql(query.sql("duckdb")).fetchall():
                found.add(index)
                break
    return found


_SHOWN = 5  # people, and places of each, named in a warning


def _positions(places: list[int], more: int = 0) -> str:
    text = ", ".join(str(p) for p in places[:_SHOWN])
    more += max(0, len(places) - _SHOWN)
    return text + (f" and {more} more" if more else "")
