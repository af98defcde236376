"""Exact division (`compile.numbers.div`) run on DuckDB against Python's Decimal: the quotient
truncated toward zero at 18 places, on both its paths (one HUGEINT division for dividends below
1e20 unscaled, long division above)."""
from decimal import Decimal, ROUND_DOWN, localcontext

import duckdb
from hypothesis import assume, given, settings, strategies as st

from kpi_engine.compile.numbers import QUOTIENT_SCALE, div, literal

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
    sql = div(literal(a), literal(b)).sql.sql("duckdb")
    (found,), = duckdb.connect().execute(f"SELECT {sql}").fetchall()
    if b == 0:
        assert found is None
    else:
        assert found == expected(a, b), (a, b)


def test_both_paths_give_the_same_digits():
    # 10^20 - 1 takes one division, 10^20 and more the long one
    for a in (Decimal(10) ** 20 - 1, Decimal(10) ** 20, -3 * Decimal(10) ** 20 - 7, Decimal(8)):
        for b in (Decimal(1), Decimal(7), Decimal(-7), Decimal("7.5"), Decimal(10) ** 19):
            if abs(expected(a, b)) >= Decimal(10) ** 20:
                continue
            sql = div(literal(a), literal(b)).sql.sql("duckdb")
            (found,), = duckdb.connect().execute(f"SELECT {sql}").fetchall()
            assert found == expected(a, b), (a, b)
