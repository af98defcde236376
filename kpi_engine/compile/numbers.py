"""Exact decimal arithmetic as SQL expressions.

DuckDB divides DECIMALs in binary floating point and refuses products whose scale passes 38, so
the plan never uses its `/` on numbers. Every numeric expression is a `Num`: a sqlglot expression
with its DECIMAL scale known at compile time. Division is done on the unscaled integers
(HUGEINT): the integer part, then QUOTIENT_SCALE fractional digits in chunks, truncated toward
zero. A quotient that terminates within QUOTIENT_SCALE digits (57/100, 59/65*100 rounded later)
is therefore exact; others are exact to 1e-18, far below any printed figure.

A `Num` may also carry a `bound` on its magnitude, known at compile time (constants, counts, band
scores, sums and products of them); a dividend bounded below 1e20 unscaled needs no long division
on DuckDB, which keeps the plan's text, and DuckDB's planning of it, about half as long.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlglot import exp

QUOTIENT_SCALE = 18
_DIRECT_SCALE = 9
MAX_SCALE = 18          # products are cast down to this scale (values below 1e20 stay exact)
_CHUNK = 9              # fractional digits per long-division step (divisors below ~1e29 unscaled)


@dataclass(frozen=True)
class Num:
    """A numeric SQL expression, its DECIMAL scale and, when known, a bound on its magnitude."""
    sql: exp.Expression
    scale: int
    bound: Decimal | None = None


#: A COUNT is a BIGINT.
COUNT_BOUND = Decimal(2 ** 63 - 1)


def _bounded(op, *nums: Num) -> Decimal | None:
    """op of the operands' bounds, None (unbounded) when one has none."""
    bounds = [num.bound for num in nums]
    return None if None in bounds else op(*bounds)


def decimal_type(scale: int) -> exp.DataType:
    return exp.DataType.build(f"DECIMAL(38, {scale})")


def cast(expression: exp.Expression, scale: int) -> exp.Expression:
    return _typed(expression, decimal_type(scale), scale)


def _typed(expression: exp.Expression, to: exp.DataType, scale: int) -> exp.Expression:
    """CAST(expression AS to); a constant is cast once, not cast again (DuckDB binds and folds
    every cast of the plan's text: constants cast once made its planning ~10% shorter)."""
    value = constant(expression)
    if value is None or _places(value) > scale:
        return exp.Cast(this=expression, to=to)
    return _cast_constant(format(value, "f"), to)


def _cast_constant(text: str, to: exp.DataType) -> exp.Expression:
    """CAST(number AS to) of a number's text, its sign outside (as `constant` reads it)."""
    number = exp.Cast(this=exp.Literal.number(text.lstrip("-")), to=to)
    return exp.Neg(this=number) if text.startswith("-") else number


def literal(value: Decimal | int) -> Num:
    value = Decimal(value)
    return _literal_at(value, _places(value))


def _places(value: Decimal) -> int:
    """The decimal places a value needs (none for an integer)."""
    exponent = value.normalize().as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


def _literal_at(value: Decimal, scale: int) -> Num:
    """A constant with at most `scale` decimal places as a DECIMAL(38, scale)."""
    text = format(value.quantize(Decimal(1).scaleb(-scale)) if scale else value.to_integral_value(), "f")
    return Num(_cast_constant(text, decimal_type(scale)), scale, abs(value))


def constant(expression: exp.Expression) -> Decimal | None:
    """The value of a constant as `literal` writes it (a number cast, maybe negated), else None."""
    negated = isinstance(expression, exp.Neg)
    number = expression.this if negated else expression
    if not (isinstance(number, exp.Cast) and number.to.this == exp.DataType.Type.DECIMAL
            and isinstance(number.this, exp.Literal) and number.this.is_number):
        return None
    value = Decimal(number.this.name)
    return -value if negated else value


def column(name: str, scale: int, table: str | None = None, bound: Decimal | None = None) -> Num:
    return Num(exp.column(name, table=table, quoted=True), scale, bound)


def at_scale(num: Num, scale: int) -> exp.Expression:
    """num's value at `scale` (not below its own), to compare: a value already there is left as it
    is, and one bounded below 10^18 unscaled is a DECIMAL(18), so a 64-bit column of records
    (see execute.load) is compared without widening each value to 128 bits."""
    if num.scale == scale:
        return num.sql.copy()
    narrow = num.bound is not None and num.bound.scaleb(scale) < 10 ** 18
    return _typed(num.sql.copy(), exp.DataType.build(f"DECIMAL({18 if narrow else 38}, {scale})"), scale)


def rescale(num: Num, scale: int) -> Num:
    if num.scale == scale:
        return num
    # to fewer decimals the value rounds, by less than one
    return Num(cast(num.sql, scale), scale, _bounded(lambda b: b + (scale < num.scale), num))


def _folded(op, a: Num, b: Num, scale: int) -> Num | None:
    """op of two constants, exactly, as a constant at `scale` (the scale DuckDB gives the
    result, which holds it exactly); None unless both are constants."""
    x, y = constant(a.sql), constant(b.sql)
    return None if x is None or y is None else _literal_at(op(x, y), scale)


def add(a: Num, b: Num) -> Num:
    scale = max(a.scale, b.scale)
    return _folded(lambda x, y: x + y, a, b, scale) or Num(
        exp.Add(this=_wrap(a.sql), expression=_wrap(b.sql)), scale, _bounded(lambda x, y: x + y, a, b))


def sub(a: Num, b: Num) -> Num:
    scale = max(a.scale, b.scale)
    return _folded(lambda x, y: x - y, a, b, scale) or Num(
        exp.Sub(this=_wrap(a.sql), expression=_wrap(b.sql)), scale, _bounded(lambda x, y: x + y, a, b))


def neg(a: Num) -> Num:
    return Num(exp.Neg(this=_wrap(a.sql)), a.scale, a.bound)


def mul(a: Num, b: Num) -> Num:
    """a × b, with operands cast down first when their scales would pass MAX_SCALE."""
    while a.scale + b.scale > MAX_SCALE:
        if a.scale >= b.scale:
            a = rescale(a, max(MAX_SCALE - b.scale, MAX_SCALE // 2))
        else:
            b = rescale(b, max(MAX_SCALE - a.scale, MAX_SCALE // 2))
    return _folded(lambda x, y: x * y, a, b, a.scale + b.scale) or Num(
        exp.Mul(this=_wrap(a.sql), expression=_wrap(b.sql)), a.scale + b.scale, _bounded(lambda x, y: x * y, a, b))


def div(a: Num, b: Num) -> Num:
    """a / b exactly to QUOTIENT_SCALE digits (truncated toward zero); NULL when b is 0 or NULL.
    On DuckDB a dividend below 1e20 unscaled (counts, a month's sums) takes one
    HUGEINT division (the dividend times 10^18 still fits); others take the long division in
    chunks of 9 digits, as every quotient does on Spark: Spark's `div` gives a 64-bit integer, so
    the one-step branch is marked ONE_STEP with what the Spark plan puts in its place (nothing
    when the long division follows it; the long division when the dividend's bound left it out)."""
    scale = max(a.scale, b.scale)
    dividend, divisor = unscaled(rescale(a, scale)), unscaled(rescale(b, scale))
    one_step = _digits(exp.IntDiv(this=exp.Mul(this=dividend.copy(), expression=_huge(10 ** QUOTIENT_SCALE)),
                                  expression=divisor.copy()), QUOTIENT_SCALE)
    nonzero = exp.NEQ(this=_wrap(b.sql.copy()), expression=exp.Literal.number(0))
    long = exp.If(this=nonzero.copy(), true=_long_division(dividend, divisor))
    if a.bound is not None and a.bound.scaleb(scale) < 10 ** _ONE_STEP_DIGITS:
        shortcut = exp.If(this=nonzero, true=one_step)
        shortcut.meta[ONE_STEP] = long
        return Num(exp.Case(ifs=[shortcut]), QUOTIENT_SCALE)
    # |unscaled| < 10^20 read on the decimal itself (at the scale `unscaled` takes it): the
    # unscaled HUGEINT costs a division
    places = min(scale, MAX_SCALE)
    small = exp.LT(this=exp.func("abs", rescale(a, places).sql),
                   expression=literal(Decimal(10) ** (_ONE_STEP_DIGITS - places)).sql)
    shortcut = exp.If(this=exp.and_(nonzero, small), true=one_step)
    shortcut.meta[ONE_STEP] = None
    return Num(exp.Case(ifs=[shortcut, long]), QUOTIENT_SCALE)


ONE_STEP = "one_step_quotient"


_ONE_STEP_DIGITS = 38 - QUOTIENT_SCALE   # |dividend| × 10^18 < 10^38 fits HUGEINT (< 1.7e38)


def _long_division(dividend: exp.Expression, divisor: exp.Expression) -> exp.Expression:
    quotient = exp.IntDiv(this=dividend, expression=divisor)
    remainder = exp.Mod(this=dividend.copy(), expression=divisor.copy())
    result: exp.Expression = cast(quotient, QUOTIENT_SCALE)
    done = 0
    while done < QUOTIENT_SCALE:
        step = min(_CHUNK, QUOTIENT_SCALE - done)
        shifted = exp.Mul(this=exp.Paren(this=remainder), expression=_huge(10 ** step))
        done += step
        result = exp.Add(this=result, expression=_digits(exp.IntDiv(this=shifted, expression=divisor.copy()), done))
        remainder = exp.Mod(this=shifted.copy(), expression=divisor.copy())
    return result


def _digits(digits: exp.Expression, places: int) -> exp.Expression:
    """A HUGEINT of digits × 10^-places, as an exact DECIMAL(38, QUOTIENT_SCALE): the HUGEINT cast
    to scale 0 times a scaled one."""
    return cast(exp.Mul(this=cast(digits, 0), expression=literal(Decimal(1).scaleb(-places)).sql), QUOTIENT_SCALE)


def unscaled(num: Num) -> exp.Expression:
    """The DECIMAL's unscaled integer as HUGEINT without overflowing DECIMAL(38): by one multiply
    for small scales; for larger ones from its fixed-point text (DuckDB prints a DECIMAL(38, s)
    with exactly s decimals), which keeps the value's expression to a single copy."""
    if num.scale > MAX_SCALE:
        num = rescale(num, MAX_SCALE)
    value = _wrap(num.sql)
    if num.scale == 0:
        return exp.Cast(this=value, to=exp.DataType.build("HUGEINT"))
    if num.scale <= _DIRECT_SCALE:   # x × 10^scale fits DECIMAL(38) for any |x| < 1e20
        return exp.Cast(this=exp.Mul(this=value, expression=literal(10 ** num.scale).sql),
                        to=exp.DataType.build("HUGEINT"))
    digits = exp.func("replace", exp.Cast(this=cast(value, num.scale), to=exp.DataType.build("VARCHAR")),
                      exp.Literal.string("."), exp.Literal.string(""))
    return exp.Cast(this=digits, to=exp.DataType.build("HUGEINT"))


def _huge(value: int) -> exp.Expression:
    return exp.Cast(this=exp.Literal.number(value), to=exp.DataType.build("HUGEINT"))


def round_half_up(num: Num, digits: int) -> Num:
    """四舍五入: DuckDB rounds DECIMALs half away from zero, which is half-up for the magnitude."""
    return Num(cast(exp.func("round", num.sql, exp.Literal.number(digits)), digits), digits,
               _bounded(lambda b: b + 1, num))


def clamp(num: Num, low: Num | None, high: Num | None) -> Num:
    result, scale = num, num.scale
    if low is not None:
        scale = max(scale, low.scale)
        result = Num(exp.func("greatest", rescale(result, scale).sql, rescale(low, scale).sql), scale,
                     _bounded(max, result, low))
    if high is not None:
        scale = max(scale, high.scale)
        result = Num(exp.func("least", rescale(result, scale).sql, rescale(high, scale).sql), scale,
                     _bounded(max, result, high))
    return result


def coalesce(num: Num, fallback: Num) -> Num:
    scale = max(num.scale, fallback.scale)
    return Num(exp.Coalesce(this=rescale(num, scale).sql, expressions=[rescale(fallback, scale).sql]), scale,
               _bounded(max, num, fallback))


def case(branches: list[tuple[exp.Expression, Num]], default: Num | None = None) -> Num:
    """CASE WHEN c THEN n ... [ELSE d] END with every branch at the widest scale."""
    nums = [n for _, n in branches] + ([default] if default is not None else [])
    scale = max((n.scale for n in nums), default=0)
    ifs = [exp.If(this=condition, true=rescale(n, scale).sql) for condition, n in branches]
    otherwise = rescale(default, scale).sql if default is not None else None
    if not ifs:
        return rescale(default, scale) if default is not None else null()
    return Num(exp.Case(ifs=ifs, default=otherwise), scale, _bounded(lambda *bounds: max(bounds), *nums))


def null() -> Num:
    """NULL as a number: no value, so no magnitude."""
    return Num(exp.Null(), 0, Decimal(0))


def _wrap(expression: exp.Expression) -> exp.Expression:
    if isinstance(expression, (exp.Column, exp.Literal, exp.Cast, exp.Paren, exp.Func, exp.Case)):
        return expression
    return exp.Paren(this=expression)
