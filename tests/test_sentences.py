"""The manual's band sentences agree with the engine: for every band boundary of the conformance
policies and the plugin presets, the boundary itself and a value just either side of it are scored
by the compiled rule on DuckDB, and the sentence the manual prints for the row the engine picked
must hold for that value."""
from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from sqlglot import exp

from kpi_engine import ast
from kpi_engine.check import check_source
from kpi_engine.cli import parse_settings
from kpi_engine.compile import numbers as n
from kpi_engine.compile.context import build_context
from kpi_engine.compile.expressions import Aggregates, PersonCompiler, SQL_TYPES, Val
from kpi_engine.compile.periods import parse_period
from kpi_engine.compile.rules import row_condition, score_expression
from kpi_engine.errors import Source
from kpi_engine.execute.engine import connect
from kpi_engine.plugins import registry
from kpi_engine.render.manual import build_manual
from kpi_engine.check.intervals import INF
from kpi_engine.check.scope import Scope
from kpi_engine.render.sentences import Sentences

CASES = Path(__file__).resolve().parents[2] / "shared" / "conformance"


def policies():
    """(name, policy, settings, text) for every conformance policy that checks, and every preset."""
    found = []
    for path in sorted(CASES.glob("*/policy.kpi")) if CASES.is_dir() else []:
        text = path.read_text(encoding="utf-8")
        result = check_source(Source(str(path), text))
        if not any(d.is_error for d in result.diagnostics):
            found += [(path.parent.name, p, {}, text) for p in result.file.policies]
    for name, preset in sorted(registry().presets.items()):
        settings = parse_settings(tuple(f"{k}={v}" for k, v in preset.sample_params.items()))
        result = check_source(Source(f"<preset {name}>", preset.text))
        found.append((name, result.file.policies[0], settings, preset.text))
    return found


POLICIES = policies()


def probe_values(bands) -> list[Decimal]:
    """Each finite boundary of the rows' regions, and a value a hair either side of it."""
    values = set()
    for band in bands:
        for part in band.region.parts if band.region is not None else ():
            for edge in (part.lo, part.hi):
                if edge not in (INF, -INF):
                    values |= {edge - Decimal("0.0001"), edge, edge + Decimal("0.0001")}
    return sorted(values)


def engine_rows(sql_for_value, values: list[Decimal], context) -> list[int | None]:
    """The row index the compiled expression picks for each value, run on DuckDB. Roster fields
    a `when` row may name are NULL, so only the value decides."""
    scale = n.QUOTIENT_SCALE
    rows = exp.Values(expressions=[exp.Tuple(expressions=[exp.Literal.number(format(v, "f"))]) for v in values],
                      alias=exp.TableAlias(this=exp.to_identifier("t"), columns=[exp.to_identifier("raw")]))
    roster = [exp.alias_(exp.Cast(this=exp.Null(), to=exp.DataType.build(SQL_TYPES.get(f.type.name, "DECIMAL(38, 4)"))),
                         f.id.name, quoted=True) for f in context.roster_fields.values()]
    value = exp.alias_(exp.Cast(this=exp.column("raw"), to=exp.DataType.build(f"DECIMAL(38, {scale})")), "value", quoted=True)
    inner = exp.select(value, *roster).from_(rows)
    query = exp.select(sql_for_value(Val(exp.column("value", quoted=True), "num", scale))).from_(inner.subquery("p"))
    return [row[0] for row in connect().sql(query.sql(dialect="duckdb")).fetchall()]


def band_cases():
    for name, policy, settings, _ in POLICIES:
        say = Sentences(policy, "zh", settings)
        for indicator in Scope(policy).indicators:
            if isinstance(indicator.rule, ast.Bands):
                yield pytest.param(name, policy, settings, indicator, id=f"{name}:{indicator.id.name}")
        for item in policy.of(ast.Outcome):
            if any(say.region_of(row.test) is not None for row in item.rows if not isinstance(row.test, ast.TestElse)):
                yield pytest.param(name, policy, settings, item, id=f"{name}:{item.id.name}")


@pytest.mark.parametrize("name, policy, settings, item", list(band_cases()))
def test_band_sentences_agree_with_the_engine(name, policy, settings, item):
    say = Sentences(policy, "zh", settings)
    context = build_context(policy, [parse_period("2026-10")], settings)
    compiler = PersonCompiler(context, Aggregates(), {})
    if isinstance(item, ast.Indicator):
        bands = say.rule_bands(item)

        def picked(value):
            compiler.names["value"] = value
            percent = say.table_kind(item.rule.rows)[0] == "percent"
            return score_expression(item, value, compiler, percent_domain=percent)[1].sql
    else:
        bands = say.outcome_bands(item.rows)

        def picked(value):   # first row that holds, as the plan's outcome CASE tries them
            branches = []
            for index, row in enumerate(item.rows):
                condition = row_condition(row.test, value, compiler)
                branches.append((exp.true() if condition is None else condition, n.literal(index)))
            return n.case(branches).sql
    values = probe_values(bands)
    assert values, f"{name}: {item.id.name} has no bound to probe"
    for value, index in zip(values, engine_rows(picked, values, context)):
        assert index is not None, f"{name}: no row matched {value}"
        band = bands[int(index)]
        assert band.region is not None and any(p.contains(value) for p in band.region.parts), (
            f"{name}: {item.id.name} = {value}: the engine picks row {index}, whose sentence "
            f"“{band.sentence}” does not hold for it")


@pytest.mark.parametrize("name, policy, settings, text", [pytest.param(*p, id=p[0]) for p in POLICIES])
def test_every_table_row_is_a_sentence_in_the_manual(name, policy, settings, text):
    """The band sentences the test above checks are the ones the manual prints."""
    manual = build_manual(policy, text, "zh", settings)
    printed = {s for item in manual.indicators for s in item.sentences} | {s for t in manual.results for s in t.sentences}
    say = Sentences(policy, "zh", settings)
    for indicator in Scope(policy).indicators:
        for band in say.rule_bands(indicator):
            assert band.sentence in printed
    for item in policy.of(ast.Outcome):
        for band in say.outcome_bands(item.rows):
            assert band.sentence in printed


def test_sentences_read_like_the_seeds():
    from kpi_engine.parse import parse
    policy = parse('policy p "p" { indicator on_time "响应及时率" weight 100% { measure count(x); '
                   'bands { >= 95% : 100, >= 90% : 80, in [60%, 70%) : 5, else : 0 } } }', "t").policies[0]
    zh = [b.sentence for b in Sentences(policy, "zh").rule_bands(policy.tree[0])]
    assert zh == ["95%及以上 得 100 分", "90%(含)至 95%(不含) 得 80 分", "60%(含)至 70%(不含) 得 5 分",
                  "低于 60% 或 70%(含)至 90%(不含) 得 0 分"]
    en = [b.sentence for b in Sentences(policy, "en").rule_bands(policy.tree[0])]
    assert en[1] == "from 90% (inclusive) to 95% (exclusive): scores 80"
