"""Bands and other tables: rows that can never match, values no row scores, `~` interpolation that
has nothing to reach, and scores that fall as the measure improves.

Rows are tried top-down, so a row whose values the rows above already took can never match. The
analysis runs over the measure's domain: a share lies in 0%..100%, counts are whole numbers from
0, durations are never negative, other numbers are unbounded; totals are bounded by `total min/max`
and rounded to `round` decimals. A value that is missing is not a gap: `missing exclude|zero`
decides for it. Everything is exact decimal arithmetic.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from decimal import Decimal
from typing import Iterator

from .. import ast
from ..errors import Diagnostic
from . import intervals
from .intervals import INF, Interval, Values, example
from .report import error, header, keyword, plain, suggest, text_of, warning
from .scope import Scope, aggregate_records, compatible, is_aggregate, literal_number, percent_slip

_UNIT_SECONDS = {"s": 1, "min": 60, "h": 3600, "d": 86400}


# ---- the domain of a measure ---------------------------------------------------------------------

@dataclass(frozen=True)
class Domain:
    """The values a measure can take: a range, whole numbers or not, and its type."""
    range: Interval
    step: Decimal | None
    type: str | None
    percent_ok: bool = True  # a total is in points: a percent bound there is a mistake

    def values(self) -> Values:
        r = self.range
        return Values.between(r.lo, r.hi, r.lo_closed, r.hi_closed, self.step)


_NON_NEGATIVE = Interval(Decimal(0), INF)
_UNIT = Interval(Decimal(0), Decimal(1))


def domain(expr, scope: Scope, indicator=None) -> Domain:
    """The range of values an expression takes (an over-estimate, never an under-estimate)."""
    kind = scope.infer_type(expr, indicator=indicator)
    found = _range(expr, scope, indicator, frozenset())
    if found is None:
        found = (_by_type(kind), None)
    return Domain(found[0], found[1], kind)


def _by_type(kind: str | None) -> Interval:
    return {"percent": _UNIT, "duration": _NON_NEGATIVE}.get(kind, intervals.EVERYTHING)


def _sub_range(expr, scope, indicator, seen):
    """(range, step) of a sub-expression, falling back on what its type allows."""
    found = _range(expr, scope, indicator, seen)
    if found is None:
        found = (_by_type(scope.infer_type(expr, indicator=indicator)), None)
    return found


def _range(expr, scope, indicator, seen):
    """(range, step) of an expression, or None when only its type tells."""
    value = literal_number(expr)
    if value is not None:
        return Interval(value, value), (Decimal(1) if value == value.to_integral_value() else None)
    if isinstance(expr, ast.Call) and is_aggregate(expr):
        func = expr.func.name
        if func == "count":
            return _NON_NEGATIVE, Decimal(1)
        if func == "share":
            return _UNIT, None
        dataset, field = aggregate_records(expr)
        kind = scope.field_type(dataset, field) if field else None
        if kind == "duration":
            return _NON_NEGATIVE, None
        if kind == "bool":
            return (_NON_NEGATIVE, Decimal(1)) if func == "sum" else (_UNIT, None)
        return None
    if isinstance(expr, ast.Name) and len(expr.parts) == 1 and indicator is not None:
        name = expr.parts[0]
        if name in scope.params or name in seen:
            return None
        parts = scope.parts(indicator)
        measure = parts.measure if name == "value" else parts.named.get(name)
        if measure is None:
            return None
        return _sub_range(measure.expr, scope, indicator, seen | {name})
    if isinstance(expr, ast.BinOp) and expr.op == "/" and _part_of(expr.left, expr.right):
        return _UNIT, None
    if isinstance(expr, ast.BinOp) and expr.op in "+-*/":
        (left, left_step), (right, right_step) = (_sub_range(expr.left, scope, indicator, seen),
                                                  _sub_range(expr.right, scope, indicator, seen))
        combine = {"+": intervals.add, "-": intervals.sub, "*": intervals.mul, "/": intervals.div}[expr.op]
        whole = left_step == 1 and right_step == 1 and expr.op != "/"
        return combine(left, right), (Decimal(1) if whole else None)
    if isinstance(expr, ast.Unary) and expr.op == "-":
        inner, step = _sub_range(expr.operand, scope, indicator, seen)
        return intervals.sub(Interval(Decimal(0), Decimal(0)), inner), step
    if isinstance(expr, ast.Call) and expr.func.name in ("min", "max", "round") and expr.args:
        parts = [_sub_range(arg.expr, scope, indicator, seen) for arg in expr.args]
        if expr.func.name == "round" or len(parts) < 2:
            return parts[0]
        (a, a_step), (b, b_step) = parts[:2]
        pick = min if expr.func.name == "min" else max
        step = Decimal(1) if a_step == b_step == 1 else None
        return Interval(pick(a.lo, b.lo), pick(a.hi, b.hi)), step
    return None


def _part_of(numerator, denominator) -> bool:
    """`count(D where A and B) / count(D where A)`: the records counted above are among those
    counted below, so the ratio lies in 0..1 like a share."""
    calls = (numerator, denominator)
    if not all(isinstance(c, ast.Call) and c.func.name == "count" and len(c.args) == 1 for c in calls):
        return False
    top, bottom = numerator.args[0], denominator.args[0]
    if top.expr != bottom.expr:
        return False
    if bottom.where is None:
        return True
    return top.where is not None and set(_conjuncts(bottom.where)) <= set(_conjuncts(top.where))


def _conjuncts(expr) -> list:
    if isinstance(expr, ast.BinOp) and expr.op == "and":
        return _conjuncts(expr.left) + _conjuncts(expr.right)
    return [expr]


def total_domain(policy: ast.Policy) -> Domain:
    """The rounded total: between `total min` (default 0) and `total max`, `round` decimals."""
    bounds = policy.setting(ast.TotalSetting)
    low = literal_number(bounds.low) if bounds and bounds.low is not None else Decimal(0)
    high = literal_number(bounds.high) if bounds and bounds.high is not None else INF
    places = policy.setting(ast.RoundSetting)
    digits = literal_number(places.value) if places else Decimal(2)
    step = Decimal(1).scaleb(-int(digits)) if digits is not None and digits >= 0 else None
    return Domain(Interval(low if low is not None else -INF, high if high is not None else INF),
                  step, "number", percent_ok=False)


# ---- showing values ----------------------------------------------------------------------------

def _display(kind: str | None, bounds: list[ast.Literal]):
    """(scale, suffix, unit): how the table's author writes its values, and the smallest step
    between the values written (at most one display unit)."""
    if kind == "percent":
        scale, suffix = Decimal("0.01"), "%"
    elif kind == "duration":
        written = Counter(_duration_unit(b.text) for b in bounds if b.kind == "duration")
        name = written.most_common(1)[0][0] if written else "s"
        scale, suffix = Decimal(_UNIT_SECONDS[name]), name
    elif kind == "money":
        scale, suffix = Decimal(1), "元"
    else:
        scale, suffix = Decimal(1), ""
    places = max([max(0, -(b.value / scale).normalize().as_tuple().exponent) for b in bounds
                  if isinstance(b.value, Decimal)] or [0])
    return scale, suffix, scale * Decimal(1).scaleb(-places)


def _duration_unit(text: str) -> str:
    for name in ("min", "s", "h", "d"):
        if text.endswith(name):
            return name
    return "s"


def show(value: Decimal, scale: Decimal, suffix: str) -> str:
    if value.is_infinite():
        return "∞" if value > 0 else "-∞"
    return format((value / scale).normalize(), "f") + suffix


def _describe(domain_values: Values, scale, suffix) -> str:
    part = domain_values.hull()
    lo, hi = part.lo, part.hi
    if lo.is_finite() and hi.is_finite():
        return f"from {show(lo, scale, suffix)} to {show(hi, scale, suffix)}"
    if lo.is_finite():
        return f"{show(lo, scale, suffix)} or more"
    if hi.is_finite():
        return f"{show(hi, scale, suffix)} or less"
    return "any number"


# ---- rows ----------------------------------------------------------------------------------------

@dataclass
class _Segment:
    row: ast.Row
    values: Values


def _constant(expr, dom: Domain | None = None) -> Decimal | None:
    """A literal's value; with `dom`, only when its unit fits the domain's type."""
    value = literal_number(expr)
    if value is not None and dom is not None:
        inner = expr.operand if isinstance(expr, ast.Unary) else expr
        if not compatible(dom.type, inner.kind) or percent_slip(dom.type, expr) or (
                inner.kind == "percent" and not dom.percent_ok):
            return None
    return value


def _row_values(test, dom: Domain) -> Values | None:
    """The values a row's test takes (None when it depends on a param or a blank, or when its
    bound does not fit the measure's type, which the types pass reports)."""
    step = dom.step
    if isinstance(test, ast.TestElse):
        return Values.between(step=step)
    if isinstance(test, ast.TestCompare):
        bound = _constant(test.bound, dom)
        return None if bound is None else Values.compare(test.op, bound, step)
    if isinstance(test, ast.TestInterval):
        low, high = _constant(test.low, dom), _constant(test.high, dom)
        if low is None or high is None:
            return None
        return Values.between(low, high, test.low_closed, test.high_closed, step)
    return None


def _quote(row: ast.Row, scope: Scope) -> str:
    quoted = text_of(row.test, scope.text)
    return f"in {quoted}" if isinstance(row.test, ast.TestInterval) and not quoted.startswith("in") else quoted


def _matched(rows: list[ast.Row], scope: Scope) -> str:
    if len(rows) == 1:
        return f"the row on line {rows[0].span.line} ({_quote(rows[0], scope)})"
    lines = ", ".join(f"{r.span.line} ({_quote(r, scope)})" for r in rows[:-1])
    return f"the rows on lines {lines} and {rows[-1].span.line} ({_quote(rows[-1], scope)})"


def _every(row: ast.Row, scope: Scope) -> str:
    test = row.test
    if isinstance(test, ast.TestCompare) and test.op == "=":
        return f"the value {text_of(test.bound, scope.text)}"
    return f"every value {_quote(row, scope)}"


def analyse(rows, dom: Domain, scope: Scope, found: list) -> tuple[list[_Segment], Values | None]:
    """Rows that can never match go into `found`; returns the values each live row scores and
    what no row covers (None when an `else` covers it or a row depends on a param)."""
    universe = dom.values()
    if not universe:  # `total min` above `total max`, reported by the declarations pass
        return [], None
    covered = Values(step=dom.step)
    taken: list[tuple[ast.Row, Values]] = []
    segments: list[_Segment] = []
    known = True
    seen_else = None
    for row in rows:
        test = row.test
        if not isinstance(test, (ast.TestCompare, ast.TestInterval, ast.TestElse)):
            continue
        if seen_else is not None:
            found.append(error(row, f"this row can never match: `else` on line {seen_else.span.line} "
                                    f"already matched every value"))
            continue
        values = _row_values(test, dom)
        if values is None:
            known = False
            continue
        live = values.intersect(universe)
        if isinstance(test, ast.TestElse):
            seen_else = row
            rest = live.minus(covered)
            if not rest:
                found.append(warning(row, "this `else` never matches: the rows above cover every value",
                                     "remove it, or keep it as a guard"))
            else:
                segments.append(_Segment(row, rest))
            covered = universe
            continue
        if isinstance(test, ast.TestInterval) and not values:
            found.append(error(test, "this interval is empty: no value lies in it"))
            continue
        if not live:
            scale, suffix, _ = _display(dom.type, _literals(rows))
            found.append(error(row, f"this row can never match: the measure's values are "
                                    f"{_describe(universe, scale, suffix)}"))
            continue
        fresh = live.minus(covered)
        if not fresh:
            by = [r for r, v in taken if v.intersects(live)]
            found.append(error(row, f"this row can never match: {_every(row, scope)} already matched "
                                    f"{_matched(by, scope)}",
                               "rows are tried top-down and the first that holds wins; put the "
                               "narrower row first"))
            continue
        segments.append(_Segment(row, fresh))
        taken.append((row, live))
        covered = covered.union(live)
    gap = universe.minus(covered) if known and seen_else is None else None
    return segments, gap


def _literals(rows) -> list[ast.Literal]:
    found = []
    for row in rows:
        test = row.test
        bounds = ((test.bound,) if isinstance(test, ast.TestCompare) else
                  (test.low, test.high) if isinstance(test, ast.TestInterval) else ())
        for bound in bounds:
            inner = bound.operand if isinstance(bound, ast.Unary) else bound
            if isinstance(inner, ast.Literal) and isinstance(inner.value, Decimal):
                found.append(inner)
    return found


def _gap_message(gap: Values, dom: Domain, rows) -> str:
    scale, suffix, unit = _display(dom.type, _literals(rows))
    return show(example(gap, unit), scale, suffix)


# ---- the pass ------------------------------------------------------------------------------------

def check_bands(policy: ast.Policy, scope: Scope) -> Iterator[Diagnostic]:
    found: list[Diagnostic] = []
    for indicator in scope.indicators:
        rule = scope.parts(indicator).rule
        if rule is None:
            continue
        rows = rule.rows if isinstance(rule, (ast.Bands, ast.Map)) else rule.exceptions
        _first_rows(rows, scope, found)
        if isinstance(rule, ast.Bands) and scope.parts(indicator).measure is not None:
            _bands(indicator, rule, scope, found)
        elif isinstance(rule, ast.Map):
            _labels(rule.rows, None, scope, found)
    for item in policy.items:
        if isinstance(item, ast.Outcome):
            _outcome(policy, item, scope, found)
        elif isinstance(item, ast.Distribute):
            _distribute(item, found)
        elif isinstance(item, ast.Payout):
            _payout(item, scope, found)
    yield from found


def _first_rows(rows, scope: Scope, found: list) -> None:
    missing = [row for row in rows if isinstance(row.test, ast.TestMissing)]
    for row in missing[1:]:
        found.append(error(row, f"this row can never match: the `missing` row on line "
                                f"{missing[0].span.line} already matched a missing value"))


def _bands(indicator: ast.Indicator, rule: ast.Bands, scope: Scope, found: list) -> None:
    dom = domain(scope.parts(indicator).measure.expr, scope, indicator)
    if dom.type not in ("percent", "duration", "money", "number"):
        return
    segments, gap = analyse(rule.rows, dom, scope, found)
    if gap:
        found.append(error(keyword(rule, "bands"),
                           f"these bands leave values unscored: a value of "
                           f"{_gap_message(gap, dom, rule.rows)} matches no row",
                           "add `else : 0` (or a row that covers it)"))
    _interpolation(rule.rows, dom, scope, found)
    _direction(indicator, segments, scope, found)


def _interpolation(rows, dom: Domain, scope: Scope, found: list) -> None:
    """`~` interpolates from the row's own bound to the bound of the row above (for the first row,
    to the end of the domain): there must be such a bound, on the right side."""
    if all(row.upto is None for row in rows):
        return
    previous = None
    scale, suffix, _ = _display(dom.type, _literals(rows))
    for row in rows:
        test = row.test
        if isinstance(test, (ast.TestMissing, ast.TestWhen)):
            if row.upto is not None:
                found.append(error(row.upto, "`~` interpolates across a range of values; this row "
                                             "has none"))
            continue
        if row.upto is not None:
            problem = _reach(test, previous, dom, scale, suffix)
            if problem:
                found.append(error(row.upto, *problem))
        previous = test


def _reach(test, previous, dom: Domain, scale, suffix):
    if isinstance(test, ast.TestInterval):
        return None
    if not isinstance(test, ast.TestCompare) or test.op in ("=", "!="):
        return ("`~` interpolates across a range of values; this row has a single value"
                if isinstance(test, ast.TestCompare) else
                "`~` interpolates across a range of values; `else` has none",
                "write the range with `in [low, high)`")
    rising = test.op in (">=", ">")
    own = _constant(test.bound, dom)
    side = "upper" if rising else "lower"
    if previous is None:
        end = dom.range.hi if rising else dom.range.lo
        if end.is_infinite():
            return (f"`~` has nothing to reach: this is the first row and values {test.op} "
                    f"{show(own, scale, suffix) if own is not None else 'its bound'} have no {side} end",
                    "interpolation runs to the bound of the row above; give the first row a fixed score")
        return None
    if own is None:
        return None
    bounds = ((previous.bound,) if isinstance(previous, ast.TestCompare) and previous.op != "!=" else
              (previous.low, previous.high) if isinstance(previous, ast.TestInterval) else ())
    values = [_constant(b, dom) for b in bounds]
    if None in values:
        return None
    if not any((v > own) if rising else (v < own) for v in values):
        return (f"`~` interpolates from this row's bound to the bound of the row above, but the row "
                f"above has no bound {'above' if rising else 'below'} {show(own, scale, suffix)}",
                "put the rows in order, each `~` row below the row it rises toward")
    return None


def _ends(segment: _Segment):
    """The score at the low and at the high end of the values a row scores (None if unknown)."""
    row = segment.row
    start = _constant(row.value)
    end = _constant(row.upto) if row.upto is not None else start
    if start is None or end is None:
        return None
    test = row.test
    if isinstance(test, ast.TestCompare) and test.op in ("<=", "<"):
        return end, start
    return start, end


def _direction(indicator: ast.Indicator, segments: list[_Segment], scope: Scope, found: list) -> None:
    """With `better higher` a higher value must never score less (and the other way round)."""
    higher = scope.parts(indicator).better != "lower"
    said = any(isinstance(item, ast.Better) for item in indicator.items)
    better = "higher values are better" + (" (`better higher`)" if said else "")
    if not higher:
        better = "lower values are better (`better lower`)"
    hint = None if said else "`better` is higher unless the indicator says `better lower`"
    scored = []
    for segment in segments:
        if len(segment.values.parts) != 1:
            continue
        ends = _ends(segment)
        if ends is not None:
            scored.append((segment.values.hull(), ends, segment.row))
    for _, (low, high), row in scored:
        if (high < low) if higher else (high > low):
            found.append(warning(row.upto or row.value, f"this row's score goes from {plain(low)} to "
                                                        f"{plain(high)} as the value rises, but {better}",
                                 hint))
    scored.sort(key=lambda s: (s[0].lo, s[0].hi))
    for (_, a, row_a), (_, b, row_b) in zip(scored, scored[1:]):
        if not (a[1] > b[0] if higher else a[1] < b[0]):
            continue
        if row_b.span.start > row_a.span.start:
            row, score, where, other, score_other = row_b, b[0], "above", row_a, a[1]
        else:
            row, score, where, other, score_other = row_a, a[1], "below", row_b, b[0]
        found.append(warning(row.value, f"this row scores {plain(score)} for values {where} those scored "
                                        f"{plain(score_other)} by the row on line {other.span.line} "
                                        f"({_quote(other, scope)}), but {better}", hint))



def _labels(rows, known: list[str] | None, scope: Scope, found: list, owner: str = "") -> None:
    """Rows that match labels: a label twice, rows after `else`, and labels `known` never gives."""
    first: dict[str, ast.Row] = {}
    seen_else = None
    for row in rows:
        test = row.test
        if seen_else is not None and isinstance(test, (ast.TestLabel, ast.TestElse)):
            found.append(error(row, f"this row can never match: `else` on line {seen_else.span.line} "
                                    f"already matched every value"))
            continue
        if isinstance(test, ast.TestElse):
            seen_else = row
        elif isinstance(test, ast.TestLabel):
            if test.text in first:
                found.append(error(row, f'this row can never match: "{test.text}" already matched on line '
                                        f'{first[test.text].span.line}'))
                continue
            first[test.text] = row
            if known is not None and test.text not in known:
                found.append(error(test, f'{owner} never gives "{test.text}"',
                                   suggest(test.text, known) or
                                   f"its labels are {', '.join(repr(k) for k in known) or 'none'}"))


def _outcome(policy, item: ast.Outcome, scope: Scope, found: list) -> None:
    by = item.by.name
    if by in scope.outcomes and by != item.id.name:
        source = scope.outcomes[by]
        labels = [row.value.value for row in source.rows
                  if isinstance(row.value, ast.Literal) and row.value.kind == "text"]
        _labels(item.rows, labels if labels or not source.rows else None, scope, found, by)
        return
    if by == "total":
        dom = total_domain(policy)
    elif scope.indicator(by) is not None and scope.parts(scope.indicator(by)).measure is not None:
        indicator = scope.indicator(by)
        dom = domain(scope.parts(indicator).measure.expr, scope, indicator)
    else:
        return
    if dom.type not in ("percent", "duration", "money", "number"):
        return
    _, gap = analyse(item.rows, dom, scope, found)
    if gap:
        found.append(error(header(item), f"outcome {item.id.name} leaves some people without a value: "
                                         f"{'a total' if by == 'total' else 'a value'} of "
                                         f"{_gap_message(gap, dom, item.rows)} matches no row",
                           "add `else : ...` (or a row that covers it)"))


def _distribute(item: ast.Distribute, found: list) -> None:
    widest: dict[type, tuple[Decimal, ast.Row]] = {}
    for row in item.rows:
        test = row.test
        if not isinstance(test, (ast.TestTop, ast.TestBottom)):
            continue
        share = _constant(test.share)
        if share is None:
            continue
        word = "top" if isinstance(test, ast.TestTop) else "bottom"
        before = widest.get(type(test))
        if before is not None and share <= before[0]:
            found.append(error(row, f"this row can never match: everyone in the {word} "
                                    f"{plain(share * 100)}% is already in the {word} "
                                    f"{plain(before[0] * 100)}% on line {before[1].span.line}",
                               "rows are tried top-down; put the narrower row first"))
        else:
            widest[type(test)] = (share, row)
    if ast.TestTop in widest and ast.TestBottom in widest:
        top, bottom = widest[ast.TestTop], widest[ast.TestBottom]
        if top[0] + bottom[0] > 1:
            found.append(warning(bottom[1], f"the top {plain(top[0] * 100)}% and the bottom "
                                            f"{plain(bottom[0] * 100)}% overlap; nobody is in both "
                                            f"(top wins)"))


def _payout(item: ast.Payout, scope: Scope, found: list) -> None:
    first: dict[Decimal, ast.Row] = {}
    seen_else = None
    for row in item.rows:
        test = row.test
        if seen_else is not None:
            found.append(error(row, f"this row can never match: `else` on line {seen_else.span.line} "
                                    f"already matched everyone"))
            continue
        if isinstance(test, ast.TestElse):
            seen_else = row
        elif isinstance(test, ast.TestRank):
            rank = _constant(test.rank)
            if rank is None:
                continue
            if rank in first:
                found.append(error(row, f"this row can never match: rank {plain(rank)} already matched on "
                                        f"line {first[rank].span.line}"))
            else:
                first[rank] = row
