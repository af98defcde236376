"""Exact division (`compile.numbers.div`) run on DuckDB against Python's Decimal: the quotient
truncated toward zero at 18 places, on both its paths (one HUGEINT division for dividends below
1e20 unscaled, long division above), whether the dividend's bound is known at compile time
(constants, counts, band scores) or only tested in SQL."""
from decimal import Decimal, ROUND_DOWN, localcontext

import duckdb
from hypothesis import assume, given, settings, strategies as st

from kpi_engine.compile.numbers import (COUNT_BOUND, QUOTIENT_SCALE, Num, add, at_scale, case, column, constant, div,
                                       literal, mul, rescale, round_half_up, sub)
from sqlglot import exp

SCALE = Decimal(1).scaleb(-QUOTIENT_SCALE)


def amounts(places):
    return st.decimals(min_value=Decimal(-10) ** 24, max_value=Decimal(10) ** 24, places=places,
                       allow_nan=False, allow_infinity=False)


def expected(a: Decimal, b: Decimal) -> Decimal:
    with localcontext() as context:
        context.prec = 100
        return (a / b).quantize(SCALE, rounding=ROUND_DOWN)


@settings(max_examples=300, deadline=None)
@given(a=amounts(4) | amounts(0) | st.integers(-10**6, 10**6).map(Decimal),
       b=amounts(2) | st.integers(-10**6, 10**6).map(Decimal))
def test_division_is_exact_to_18_places_truncated(a, b):
    assume(b == 0 or abs(expected(a, b)) < Decimal(10) ** 20)   # DECIMAL(38, 18) holds 20 integer digits
    for dividend in (literal(a), unbounded(literal(a))):
        sql = div(dividend, literal(b)).sql.sql("duckdb")
        (found,), = duckdb.connect().execute(f"SELECT {sql}").fetchall()
        if b == 0:
            assert found is None
        else:
            assert found == expected(a, b), (a, b)


def unbounded(num: Num) -> Num:
    """The same number with its bound forgotten, as a column's value would be."""
    return Num(num.sql, num.scale)


def test_both_paths_give_the_same_digits():
    # 10^20 - 1 takes one division, 10^20 and more the long one
    for a in (Decimal(10) ** 20 - 1, Decimal(10) ** 20, -3 * Decimal(10) ** 20 - 7, Decimal(8)):
        for b in (Decimal(1), Decimal(7), Decimal(-7), Decimal("7.5"), Decimal(10) ** 19):
            if abs(expected(a, b)) >= Decimal(10) ** 20:
                continue
            for dividend in (literal(a), unbounded(literal(a))):   # the bound known, or tested in SQL
                sql = div(dividend, literal(b)).sql.sql("duckdb")
                (found,), = duckdb.connect().execute(f"SELECT {sql}").fetchall()
                assert found == expected(a, b), (a, b)


def test_values_are_compared_at_one_scale_without_widening_what_is_there():
    # a record's duration as the loader types it: DECIMAL(18, 6), a 64-bit integer to DuckDB
    duration = column("first_response", 6)
    assert at_scale(duration, 6).sql("duckdb") == '"first_response"'
    assert "DECIMAL(18, 6)" in at_scale(literal(30), 6).sql("duckdb")
    assert "DECIMAL(38, 6)" in at_scale(literal(Decimal(10) ** 12), 6).sql("duckdb")   # 10^18 unscaled
    assert "DECIMAL(38, 6)" in at_scale(column("total", 2), 6).sql("duckdb")          # no bound known
    con = duckdb.connect()
    for value, at_most in (("30", True), ("30.000001", False), ("29.999999", True), ("-30", True)):
        sql = f"CAST({value} AS DECIMAL(18, 6)) <= {at_scale(literal(30), 6).sql('duckdb')}"
        (found,), = con.execute(f"SELECT {sql}").fetchall()
        assert found is at_most, value


def test_a_dividend_bounded_below_1e20_unscaled_needs_no_long_division():
    counts = div(column("hits", 0, bound=COUNT_BOUND), column("everyone", 0, bound=COUNT_BOUND)).sql
    sums = div(column("total", 10), column("everyone", 0, bound=COUNT_BOUND)).sql
    assert len(counts.args["ifs"]) == 1 and "%" not in counts.sql("duckdb")
    assert len(sums.args["ifs"]) == 2 and "%" in sums.sql("duckdb")
    # 10^10 at scale 10 is 10^20 unscaled: the long division stays
    assert len(div(literal(Decimal("9999999999.9999999999")), literal(3)).sql.args["ifs"]) == 1
    assert len(div(literal(Decimal("10000000000.0000000001")), literal(3)).sql.args["ifs"]) == 2


def test_spark_takes_the_long_division_even_where_the_bound_left_it_out():
    from sqlglot import exp
    from kpi_engine.execute.spark import spark_sql

    quotient = div(column("hits", 0, bound=COUNT_BOUND), column("everyone", 0, bound=COUNT_BOUND)).sql
    text = spark_sql(exp.select(quotient).from_("t"))
    assert "% CAST(`everyone` AS DECIMAL(38, 0))" in text and "HUGEINT" not in text.upper()
    assert text.upper().count(" WHEN ") == 1
    # a quotient of that quotient: its copies inside the long division give way too
    nested = spark_sql(exp.select(div(Num(quotient, QUOTIENT_SCALE), literal(3)).sql).from_("t"))
    assert "1000000000000000000 AS" not in nested and nested.count("% CAST(`everyone`") >= 1


def opaque(num: Num, bound: Decimal | None = None) -> Num:
    """The same number, no longer seen as a constant (a column's value, say), bounded by `bound`."""
    return Num(exp.Paren(this=num.sql), num.scale, bound)


def test_bounds_follow_the_arithmetic():
    three, minus_two = literal(3), literal(-2)
    # values up to 3 and 2 in size (two constants fold: their sum's bound is its own size)
    assert add(opaque(three, 3), opaque(minus_two, 2)).bound == 5 and mul(opaque(three, 3), minus_two).bound == 6
    assert add(three, minus_two).bound == 1
    assert case([(None, three)], literal(Decimal("7.5"))).bound == Decimal("7.5")
    assert rescale(literal(Decimal("2.25")), 1).bound == Decimal("3.25")   # rounding may add up to one unit
    assert round_half_up(literal(Decimal("2.5")), 0).bound == Decimal("3.5")
    assert add(three, column("x", 0)).bound is None and div(three, three).bound is None


def constants(places):
    return st.decimals(min_value=Decimal(-10) ** 12, max_value=Decimal(10) ** 12, places=places,
                       allow_nan=False, allow_infinity=False)


@settings(max_examples=200, deadline=None)
@given(a=constants(3) | constants(0), b=constants(2) | st.integers(-10**4, 10**4).map(Decimal), scale=st.integers(0, 18))
def test_constants_are_folded_to_the_value_and_type_duckdb_computes(a, b, scale):
    con = duckdb.connect()
    for op in (add, sub, mul):
        folded, computed = op(literal(a), literal(b)), op(opaque(literal(a)), opaque(literal(b)))
        assert constant(folded.sql) is not None and folded.scale == computed.scale
        both = f"{folded.sql.sql('duckdb')}, {computed.sql.sql('duckdb')}"
        (x, y, type_x, type_y), = con.execute(f"SELECT {both}, typeof({folded.sql.sql('duckdb')}), "
                                              f"typeof({computed.sql.sql('duckdb')})").fetchall()
        assert (x, type_x) == (y, type_y), (op.__name__, a, b)
    # a constant cast to as many places as it has, or more, is cast once
    if scale >= literal(a).scale:
        text = rescale(literal(a), scale).sql.sql("duckdb")
        assert text.count("CAST") == 1
        (value, type_), = con.execute(f"SELECT {text}, typeof({text})").fetchall()
        assert value == a and type_ == f"DECIMAL(38,{scale})"
