"""Run a compiled plan on DuckDB (embedded, in memory): load the datasets the policy declares,
report records that belong to nobody in the roster, execute the one query."""
from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from sqlglot import exp

from .. import ast
from ..compile.plan import Plan, col, q, timestamp
from .load import DatasetSpec, FieldSpec, load_datasets


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
                        tuple(FieldSpec(f.id.name, f.type.name, f.nullable) for f in d.fields))
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
    return duckdb.connect(":memory:")


def execute(plan: Plan, data_dir: Path | None, files: dict[str, Path] | None = None, con=None) -> Run:
    con = con or connect()
    used = load_datasets(con, dataset_specs(plan.policy), data_dir, files or {})
    warnings = unmatched_records(lambda query: con.sql(query.sql("duckdb")).fetchall(), plan, used)
    relation = con.sql(plan.sql(pretty=False))
    return Run(plan, relation.columns, relation.fetchall(), warnings, used)


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
        query = (exp.select(col("__pid"), exp.Count(this=exp.Star()))
                 .from_(exp.Table(this=q(name)))
                 .where(exp.and_(exp.GTE(this=at, expression=timestamp(start)),
                                 exp.LT(this=at.copy(), expression=timestamp(end)),
                                 exp.Not(this=exp.In(this=col("__pid"), query=exp.Subquery(this=known)))))
                 .group_by(exp.Literal.number(1)).order_by(exp.Literal.number(1)))
        found = fetch(query)
        if found:
            records = sum(count for _, count in found)
            people = ", ".join(pid for pid, _ in found[:5]) + (" …" if len(found) > 5 else "")
            warnings.append(f"{used.get(name, name)}: {records} record(s) of {len(found)} person(s) not in "
                            f"the roster {roster} were not scored: {people}")
    return warnings
