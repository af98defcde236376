"""Run a compiled plan on DuckDB (embedded, in memory): load the datasets the policy declares,
report records that belong to nobody in the roster, execute the one query. The plan is first
turned into plain data (`compiled_plan`), which `run.run_compiled` runs, as it runs a plan read
from the plan cache."""
from __future__ import annotations

from pathlib import Path

from sqlglot import exp

from .. import ast
from ..compile.plan import Plan, col, q, timestamp
from .load import RAW_PERSON, DatasetSpec, FieldSpec, SetAside, text_value
# Run and connect are imported from here too
from .run import (AggregateTable, CompiledPlan, IndicatorShape, ResultShape, Run, UnmatchedQuery,  # noqa: F401
                  connect, run_compiled)


def dataset_specs(policy: ast.Policy) -> list[DatasetSpec]:
    return [DatasetSpec(d.id.name, d.person.name, d.at.name if d.at else None,
                        tuple(FieldSpec(f.id.name, f.type.name, f.nullable) for f in d.fields),
                        d.key.name if d.key else None)
            for d in policy.of(ast.Dataset)]


def execute(plan: Plan, data_dir: Path | None, files: dict[str, Path] | None = None, con=None,
            loaded: dict[str, Path] | None = None, columns: str | None = None, stage=None,
            quarantine: list[SetAside] | None = None) -> Run:
    """Load the data and run the plan (see ``run_compiled``)."""
    return run_compiled(compiled_plan(plan), data_dir, files, con, loaded, columns, stage, quarantine, plan)


def compiled_plan(plan: Plan) -> CompiledPlan:
    """The plan as plain data: what running it on DuckDB and rendering its result need. Its
    aggregate stages become tables run first (`AggregateTable`), which the main query reads."""
    query = plan.query.copy()
    tables = []
    for cte in query.args["with_"].expressions:
        if cte.alias in plan.aggregate_stages:
            by_raw = by_raw_person(cte.this)
            table = AggregateTable(plan.aggregate_stages[cte.alias], f"__kpi_{cte.alias}", cte.this.sql("duckdb"),
                                   by_raw.sql("duckdb") if by_raw is not None else None)
            cte.set("this", exp.select(exp.Star()).from_(exp.Table(this=q(table.name))))
            tables.append(table)
    return CompiledPlan(result_shape(plan), tuple(dataset_specs(plan.policy)), plan.context.roster.id.name,
                        tuple(unmatched_queries(plan, lambda tree: tree.sql("duckdb"), tables)),
                        query.sql("duckdb"), tuple(tables))


#: How the groups' values of each aggregate the plan uses combine when groups are merged.
_MERGED = {exp.Count: exp.Sum, exp.CountIf: exp.Sum, exp.Sum: exp.Sum, exp.Min: exp.Min, exp.Max: exp.Max}


def by_raw_person(grouping: exp.Select) -> exp.Select | None:
    """The same grouping of a dataset's records by person (and period), grouping them first by
    the person column as the file has it (`RAW_PERSON`), then those groups, a few thousand, by
    the person id (trimmed). At 10M records this costs ~40 ms less CPU than trimming each id.
    None when an aggregate does not merge (median, percentile, first, last) or the records
    are joined with the roster (by the trimmed id)."""
    if grouping.args.get("joins"):
        return None
    person, period, *aggregates = grouping.expressions
    merged = []
    for aggregate in aggregates:
        inner = aggregate.this.this if isinstance(aggregate.this, exp.Filter) else aggregate.this
        merge = _MERGED.get(type(inner))
        if merge is None or isinstance(inner.this, exp.Distinct):
            return None
        merged.append(exp.alias_(merge(this=col(aggregate.alias)), q(aggregate.alias)))
    first = grouping.copy()
    first.set("expressions", [exp.alias_(col(RAW_PERSON, "r"), q(RAW_PERSON)), period.copy(),
                              *(a.copy() for a in aggregates)])
    person_id = exp.maybe_parse(text_value(f"CAST({RAW_PERSON} AS VARCHAR)"), dialect="duckdb")
    return (exp.select(exp.alias_(person_id, q(person.alias)), col(period.alias), *merged)
            .from_(exp.Subquery(this=first, alias=exp.TableAlias(this=q("g"))))
            .group_by(exp.Literal.number(1), exp.Literal.number(2)))


def result_shape(plan: Plan) -> ResultShape:
    return ResultShape(plan.policy.id.name, plan.policy.label, plan.period.label,
                       "name" in plan.context.roster_fields,
                       tuple(IndicatorShape(i.id, i.label, i.maximum) for i in plan.indicators),
                       tuple(plan.outcomes), tuple(plan.distributions), tuple(plan.payouts), tuple(plan.actions))


def unmatched_queries(plan: Plan, render, tables: list[AggregateTable] = ()) -> list[UnmatchedQuery]:
    """For each dataset with a time, the query listing records of the scored periods whose person
    is not in the roster; ``render`` turns a query tree into the engine's SQL text. Where one of
    ``tables`` groups the dataset's records of those periods by person, the query counting its
    people outside the roster is the query's `precheck`."""
    roster = plan.context.roster.id.name
    start, end = plan.context.periods[-1].start, plan.context.periods[0].end
    queries = []
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
        grouped = next((t.name for t in tables if t.dataset == name), None)
        precheck = None if grouped is None else render(
            exp.select(exp.Count(this=exp.Star())).from_(exp.Table(this=q(grouped)))
            .where(exp.Not(this=exp.In(this=col("__pid"), query=exp.Subquery(this=known.copy())))))
        queries.append(UnmatchedQuery(name, dataset.person.name, render(query), precheck))
    return queries


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
            if con.execute(query.sql("duckdb")).fetchall():
                found.add(index)
                break
    return found
