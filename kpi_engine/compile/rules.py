"""An indicator's scoring rule → one CASE expression (rank adds window functions).

Row order is the policy's: `missing :` and `when` rows first, then a missing measure leaves the
indicator not applicable (NULL), then the rule's own rows top-down; `veto if` overrides last."""
from __future__ import annotations


from sqlglot import exp

from .. import ast
from ..errors import ScoringError
from . import numbers as n
from .expressions import PersonCompiler, Val, compare
from .numbers import Num

FLIPPED = {">=": "<=", ">": "<", "<=": ">=", "<": ">"}


def score_expression(indicator: ast.Indicator, value: Val | None, compiler: PersonCompiler,
                     group_column=None, percent_domain: bool = False) -> tuple[Num, Num]:
    """The score, and the index of the row that decided it (into `rule_rows(indicator)`;
    NULL when the rule's own computation decided, or nothing applied)."""
    rule = indicator.rule
    if rule is None:
        raise ScoringError(f"line {indicator.span.line}: indicator {indicator.id.name} has no scoring rule")
    rows = rule_rows(indicator)
    exceptions = [r for r in rows if isinstance(r.test, (ast.TestMissing, ast.TestWhen))]
    branches = exception_branches(exceptions, value, compiler)
    if value is not None:   # a missing measure leaves the indicator not applicable, formula too
        branches.append((_is_null(value), n.null(), None))
    if isinstance(rule, ast.Formula):
        fallback = compiler.compile(rule.expr).num
    else:
        if value is None:
            raise ScoringError(f"line {indicator.span.line}: indicator {indicator.id.name} has no measure to score")
        if isinstance(rule, (ast.Bands, ast.Map)):
            body = [r for r in rows if r not in exceptions]
            rows_branches, fallback = band_branches(body, value, compiler, percent_domain)
            branches += [(c, s, len(exceptions) + i) for i, (c, s) in enumerate(rows_branches)]
            if fallback is not None:
                else_index = len(exceptions) + len(rows_branches)
                branches.append((exp.true(), fallback, else_index))
                fallback = None
        elif isinstance(rule, ast.Linear):
            fallback = linear(rule, value, compiler)
        else:
            fallback = rank(rule, indicator, value, exceptions, compiler, group_column)
    score = n.case([(c, s) for c, s, _ in branches], fallback)
    matched = n.case([(c, n.literal(i)) if i is not None else (c, n.null()) for c, s, i in branches])
    for veto in indicator.vetoes:
        score = n.case([(compiler.condition(veto.condition), n.literal(0))], score)
    return score, matched


def rule_rows(indicator: ast.Indicator) -> list[ast.Row]:
    """The rows of the indicator's rule in the order they are tried."""
    rule = indicator.rule
    rows = list(rule.rows if isinstance(rule, (ast.Bands, ast.Map)) else rule.exceptions)
    first = [r for r in rows if isinstance(r.test, (ast.TestMissing, ast.TestWhen))]
    return first + [r for r in rows if r not in first]


def exception_branches(rows, value: Val | None, compiler: PersonCompiler):
    """The leading `missing :` and `when` rows as CASE branches (condition, score, row index)."""
    branches = []
    for index, row in enumerate(rows):
        if isinstance(row.test, ast.TestMissing):
            if value is None:
                raise ScoringError(f"line {row.span.line}: `missing :` needs the indicator's own measure")
            branches.append((_is_null(value), compiler.compile(row.value).num, index))
        else:
            branches.append((compiler.condition(row.test.condition), compiler.compile(row.value).num, index))
    return branches


def _is_null(value: Val) -> exp.Expression:
    return exp.Is(this=value.sql.copy(), expression=exp.Null())


def row_condition(test, value: Val, compiler: PersonCompiler) -> exp.Expression | None:
    """The SQL test of one row against the value (None for `else`)."""
    if isinstance(test, ast.TestElse):
        return None
    if isinstance(test, ast.TestCompare):
        return compare(test.op, value, compiler.compile(test.bound))
    if isinstance(test, ast.TestInterval):
        low = compare(">=" if test.low_closed else ">", value, compiler.compile(test.low))
        high = compare("<=" if test.high_closed else "<", value, compiler.compile(test.high))
        return exp.And(this=low, expression=high)
    if isinstance(test, ast.TestLabel):
        return exp.EQ(this=value.sql.copy(), expression=exp.Literal.string(test.text))
    raise ScoringError(f"line {test.span.line}: this kind of row does not belong in this table")


def band_branches(rows, value: Val, compiler: PersonCompiler, percent_domain: bool):
    """Rows top-down; a `~` row interpolates from its own bound to the bound of the row above."""
    branches, default = [], None
    for index, row in enumerate(rows):
        score = compiler.compile(row.value).num
        if row.upto is not None:
            score = interpolation(row, rows[index - 1] if index else None, value, compiler, percent_domain)
        condition = row_condition(row.test, value, compiler)
        if condition is None:
            default = score
            break
        branches.append((condition, score))
    return branches, default


def interpolation(row: ast.Row, above: ast.Row | None, value: Val, compiler, percent_domain: bool) -> Num:
    start, end = compiler.compile(row.value).num, compiler.compile(row.upto).num
    test = row.test
    if isinstance(test, ast.TestInterval):
        own, other = compiler.compile(test.low).num, compiler.compile(test.high).num
    elif isinstance(test, ast.TestCompare) and test.op in FLIPPED:
        own = compiler.compile(test.bound).num
        other = _bound_above(above, test.op, compiler, percent_domain, row)
    else:
        raise ScoringError(f"line {row.span.line}: `~` needs a row with a bound (>=, <=, > , < or an interval)")
    # start + (value - own) × (end - start) / (other - own): multiply first, divide once.
    rise = n.mul(n.sub(value.num, own), n.sub(end, start))
    return n.add(start, n.div(rise, n.sub(other, own)))


def _bound_above(above: ast.Row | None, op: str, compiler, percent_domain: bool, row) -> Num:
    if above is not None and isinstance(above.test, ast.TestCompare):
        return compiler.compile(above.test.bound).num
    if above is not None and isinstance(above.test, ast.TestInterval):
        return compiler.compile(above.test.low if op in ("<=", "<") else above.test.high).num
    if op in ("<=", "<"):
        return n.literal(0)
    if percent_domain:
        return n.literal(1)
    raise ScoringError(f"line {row.span.line}: `~` on the first row needs an upper end: the band has none")


def linear(rule: ast.Linear, value: Val, compiler: PersonCompiler) -> Num:
    """base + (value - origin) / step × slope, clamped to min/max when given."""
    base, origin = compiler.compile(rule.base).num, compiler.compile(rule.origin).num
    slope, step = compiler.compile(rule.slope).num, compiler.compile(rule.step).num
    score = n.add(base, n.div(n.mul(n.sub(value.num, origin), slope), step))
    low = compiler.compile(rule.low).num if rule.low is not None else None
    high = compiler.compile(rule.high).num if rule.high is not None else None
    return n.clamp(score, low, high)


def rank(rule: ast.Rank, indicator: ast.Indicator, value: Val, exceptions, compiler: PersonCompiler,
         group_column) -> Num:
    """lo + (hi - lo) × (n - r) / (n - 1) among the people ranked in the group (n = 1 scores hi);
    ties share the best rank; exception rows and missing measures take people out."""
    low, high = compiler.compile(rule.low).num, compiler.compile(rule.high).num
    excluded = [compiler.condition(row.test.condition) for row in exceptions if isinstance(row.test, ast.TestWhen)]
    ranked = exp.Not(this=exp.Is(this=value.sql.copy(), expression=exp.Null()))
    for condition in excluded:
        ranked = exp.And(this=ranked, expression=exp.Not(this=exp.Paren(this=condition.copy())))
    partition = [exp.column("__period", quoted=True), group_column(rule.group.name), exp.Paren(this=ranked)]
    descending = indicator.better != "lower"
    order = exp.Order(expressions=[exp.Ordered(this=value.sql.copy(), desc=descending)])
    place = exp.Window(this=exp.func("rank"), partition_by=[p.copy() for p in partition], order=order)
    count = exp.Window(this=exp.Count(this=exp.Star()), partition_by=[p.copy() for p in partition])
    people, position = Num(count, 0, n.COUNT_BOUND), Num(place, 0, n.COUNT_BOUND)
    spread = n.mul(n.sub(high, low), n.sub(people, position))
    share = n.div(spread, n.sub(people, n.literal(1)))
    only_one = exp.EQ(this=count.copy(), expression=exp.Literal.number(1))
    return n.case([(only_one, high)], n.add(low, share))
