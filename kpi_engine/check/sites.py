"""Every expression of a policy, with what may be named where it stands.

The passes that look inside expressions (names, types, blanks) walk `sites(policy, scope)` instead
of each knowing the whole tree: one place says which names each spot of the language admits.
"""
from __future__ import annotations

from typing import Iterator, NamedTuple

from .. import ast
from .scope import Scope, aggregate_records, is_aggregate

# What names mean at each kind of place (see Scope.resolve); "position" admits `last within G`.
CONSTANT = frozenset({"params"})
MEASURE = frozenset({"params", "measures", "roster"})
NAMED_MEASURE = MEASURE | {"value"}
INDICATOR_CONDITION = MEASURE | {"value"}
POLICY_CONDITION = frozenset({"params", "roster"})
ACTION = frozenset({"params", "roster", "total", "outcomes", "position"})


class Site(NamedTuple):
    """One expression and its surroundings (a named tuple: a check makes one per expression of
    the policy, and a frozen dataclass takes more than twice as long to make).

    role: "constant" (a fixed value: literals and params), "measure", "condition" (true or
    false), "formula" (a score computed from measures), "score" (points a row gives), "bound"
    (a value a row compares the measure with).
    """
    expr: ast.Expr
    role: str
    allow: frozenset[str] = CONSTANT
    indicator: ast.Indicator | None = None
    records: str | None = None
    owner: object = None

    @property
    def constant(self) -> bool:
        return self.role in ("constant", "score", "bound")


def children(expr) -> tuple:
    """The sub-expressions of an expression (a call's `where` conditions included)."""
    if isinstance(expr, (ast.BinOp, ast.Compare)):
        return expr.left, expr.right
    if isinstance(expr, (ast.Unary, ast.IsMissing)):
        return (expr.operand,)
    if isinstance(expr, ast.InList):
        return (expr.operand, *expr.options)
    if isinstance(expr, ast.Call):
        return tuple(part for arg in expr.args for part in (arg.expr, arg.where) if part is not None)
    return ()


def walk(expr) -> Iterator:
    """The expression and all its sub-expressions, depth first."""
    stack = [expr]
    while stack:
        node = stack.pop()
        yield node
        stack.extend(reversed(children(node)))


def walk_records(expr, records: str | None = None) -> Iterator[tuple]:
    """(node, records) for the expression and its sub-expressions, where `records` is the dataset
    whose `where` condition the node stands in (None outside any `where`)."""
    stack = [(expr, records)]
    while stack:
        node, within = stack.pop()
        yield node, within
        if isinstance(node, ast.Call):
            dataset = aggregate_records(node)[0] if is_aggregate(node) else None
            for index, arg in reversed(list(enumerate(node.args))):
                if arg.where is not None:
                    stack.append((arg.where, dataset if index == 0 and dataset else within))
                stack.append((arg.expr, within))
        else:
            for child in reversed(children(node)):
                stack.append((child, within))


def rule_rows(rule) -> tuple[ast.Row, ...]:
    if isinstance(rule, (ast.Bands, ast.Map)):
        return rule.rows
    return getattr(rule, "exceptions", ())


def tree_items(items) -> Iterator:
    """Every dimension and indicator under `items`, parents before children."""
    stack = list(reversed(items))
    while stack:
        item = stack.pop()
        yield item
        if isinstance(item, ast.Dimension):
            stack.extend(reversed(item.items))


def _rows(rows, indicator, owner) -> Iterator[Site]:
    for row in rows:
        test = row.test
        if isinstance(test, ast.TestCompare):
            yield Site(test.bound, "bound", indicator=indicator, owner=row)
        elif isinstance(test, ast.TestInterval):
            yield Site(test.low, "bound", indicator=indicator, owner=row)
            yield Site(test.high, "bound", indicator=indicator, owner=row)
        elif isinstance(test, ast.TestWhen):
            yield Site(test.condition, "condition", INDICATOR_CONDITION if indicator else POLICY_CONDITION,
                       indicator, owner=row)
        elif isinstance(test, (ast.TestTop, ast.TestBottom)):
            yield Site(test.share, "constant", owner=row)
        elif isinstance(test, ast.TestRank):
            yield Site(test.rank, "constant", owner=row)
        yield Site(row.value, "score" if indicator else "constant", indicator=indicator, owner=row)
        if row.upto is not None:
            yield Site(row.upto, "score", indicator=indicator, owner=row)


def _indicator(item: ast.Indicator) -> Iterator[Site]:
    for part in item.items:
        if isinstance(part, ast.Measure):
            allow = MEASURE if part.name is None else NAMED_MEASURE
            yield Site(part.expr, "measure", allow, item, owner=part)
        elif isinstance(part, ast.Veto):
            yield Site(part.condition, "condition", INDICATOR_CONDITION, item, owner=part)
        elif isinstance(part, ast.Linear):
            for value, role in ((part.base, "score"), (part.origin, "bound"), (part.slope, "score"),
                                (part.step, "bound"), (part.low, "score"), (part.high, "score")):
                if value is not None:
                    yield Site(value, role, indicator=item, owner=part)
        elif isinstance(part, ast.Formula):
            yield Site(part.expr, "formula", INDICATOR_CONDITION, item, owner=part)
        elif isinstance(part, ast.Rank):
            yield Site(part.low, "score", indicator=item, owner=part)
            yield Site(part.high, "score", indicator=item, owner=part)
        if isinstance(part, ast.RULE_TYPES):
            yield from _rows(rule_rows(part), item, part)


def sites(policy: ast.Policy, scope: Scope) -> tuple[Site, ...]:
    """Every expression in the policy, in source order within each block (computed once)."""
    found = scope.memo.get("sites")
    if found is None:
        found = scope.memo["sites"] = tuple(_sites(policy, scope))
    return found


def _sites(policy: ast.Policy, scope: Scope) -> Iterator[Site]:
    for item in policy.items:
        if isinstance(item, (ast.ScaleSetting, ast.RoundSetting)):
            yield Site(item.value, "constant", owner=item)
        elif isinstance(item, ast.TotalSetting):
            for value in (item.low, item.high):
                if value is not None:
                    yield Site(value, "constant", owner=item)
        elif isinstance(item, ast.Param):
            for value in item.values:
                yield Site(value.value, "constant", owner=item)
        elif isinstance(item, (ast.Dimension, ast.Indicator)):
            for node in tree_items([item]):
                if node.share is not None:
                    yield Site(node.share.value, "constant", owner=node)
                if isinstance(node, ast.Indicator):
                    yield from _indicator(node)
        elif isinstance(item, ast.Adjust):
            for row in item.rows:
                if isinstance(row, ast.AdjustEach):
                    yield Site(row.amount, "score", owner=row)
                    if row.where is not None and row.dataset.name in scope.datasets:
                        yield Site(row.where, "condition", POLICY_CONDITION, records=row.dataset.name,
                                   owner=row)
                elif isinstance(row, ast.AdjustIf):
                    yield Site(row.amount, "score", owner=row)
                    yield Site(row.condition, "condition", POLICY_CONDITION, owner=row)
                else:
                    yield Site(row.value, "constant", owner=row)
        elif isinstance(item, ast.Veto):
            yield Site(item.condition, "condition", POLICY_CONDITION, owner=item)
        elif isinstance(item, (ast.Outcome, ast.Distribute, ast.Payout)):
            yield from _rows(item.rows, None, item)
        elif isinstance(item, ast.Action):
            yield Site(item.condition, "condition", ACTION, owner=item)
            if item.periods is not None:
                yield Site(item.periods, "constant", owner=item)
        elif isinstance(item, ast.Variant):
            for row in item.rows:
                yield Site(row.value, "constant", owner=row)
        elif isinstance(item, ast.Schedule):
            for row in item.rows:
                yield Site(row.value, "constant", owner=row)
