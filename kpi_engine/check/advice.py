"""Advice: warnings about policies that are valid but probably not what was meant.

- a blank `?` (scoring refuses it unless a param's base value is given with --set NAME=VALUE);
- a score above its item's max (scores are not clamped, LANGUAGE.md "Fine points");
- `F is missing` for a field declared without `?`.
"""
from __future__ import annotations

from decimal import Decimal
from typing import Iterator

from .. import ast
from ..errors import Diagnostic
from .bands import domain
from .report import keyword, plain, warning
from .scope import Scope, literal_number
from .sites import rule_rows, sites, walk_records
from .tree import item_max


def check_advice(policy: ast.Policy, scope: Scope) -> Iterator[Diagnostic]:
    for site in sites(policy, scope):
        for node, records in walk_records(site.expr, site.records):
            if isinstance(node, ast.Literal) and node.kind == "blank":
                yield _blank(node, site.owner, site.expr)
            elif isinstance(node, ast.IsMissing) and isinstance(node.operand, ast.Name):
                binding = scope.resolve(node.operand.parts, records=records, indicator=site.indicator)
                if binding and binding.kind in ("field", "roster") and not binding.node.nullable:
                    yield warning(node, f"{node.operand} is declared without `?`, so it is never missing",
                                  f"declare it `{binding.node.id.name}: {binding.node.type.name}?` if it "
                                  f"can be empty")
    for indicator in scope.indicators:
        yield from _above_max(indicator, scope)


def _blank(node: ast.Literal, owner, expr) -> Diagnostic:
    if isinstance(owner, ast.Param):
        name = owner.id.name
        if owner.values and owner.values[0].value is expr:
            return warning(node, f"{name} is a blank (?): scoring will refuse it unless given with "
                                 f"--set {name}=VALUE")
        return warning(node, f"this blank (?) is {name}'s value during a calendar tag: scoring will refuse "
                             f"it, and --set {name}=VALUE sets only the base value",
                       "give the value here")
    return warning(node, "this blank (?) has no value: scoring will refuse it, and only params can be "
                         "given with --set NAME=VALUE",
                   "declare `param NAME = ?` and use NAME here")


def _above_max(indicator: ast.Indicator, scope: Scope) -> Iterator[Diagnostic]:
    rule = scope.parts(indicator).rule
    top = item_max(indicator)
    if rule is None or top is None:
        return
    for row in rule_rows(rule):
        for value in (row.value, row.upto):
            score = literal_number(value) if value is not None else None
            if score is not None and score > top:
                yield _above(value, f"this score of {plain(score)}", indicator, top)
    if isinstance(rule, ast.Rank):
        for value in (rule.low, rule.high):
            score = literal_number(value)
            if score is not None and score > top:
                yield _above(value, f"this score of {plain(score)}", indicator, top)
    elif isinstance(rule, ast.Linear) and scope.parts(indicator).measure is not None:
        yield from _linear(indicator, rule, top, scope)


def _above(node, what: str, indicator: ast.Indicator, top: Decimal) -> Diagnostic:
    return warning(node, f"{what} is above {_whose(indicator, top)}", _unclamped(indicator))


def _whose(indicator: ast.Indicator, top: Decimal) -> str:
    return f"{indicator.id.name}'s max of {plain(top)}"


def _unclamped(indicator: ast.Indicator) -> str:
    return ("scores are not clamped, so the indicator can count for more than its "
            + ("points" if isinstance(indicator.share, ast.Points) else "weight"))


def _linear(indicator, rule: ast.Linear, top: Decimal, scope: Scope):
    high = literal_number(rule.high) if rule.high is not None else None
    if rule.high is not None:
        if high is not None and high > top:
            yield _above(rule.high, f"this max of {plain(high)}", indicator, top)
        return
    base, origin = literal_number(rule.base), literal_number(rule.origin)
    slope, step = literal_number(rule.slope), literal_number(rule.step)
    if None in (base, origin, slope, step) or step <= 0 or slope == 0:
        return
    values = domain(scope.parts(indicator).measure.expr, scope, indicator).range
    end = values.hi if slope > 0 else values.lo
    if end.is_infinite():
        yield warning(keyword(rule, "linear"), f"this linear rule has no max, so its score keeps "
                                               f"{'rising' if slope > 0 else 'rising as the measure falls'} "
                                               f"past {_whose(indicator, top)}",
                      f"add `, max {plain(top)}` to cap it")
        return
    reached = base + (end - origin) / step * slope
    if reached > top:
        yield warning(keyword(rule, "linear"), f"this linear rule reaches {plain(reached)}, above "
                                               f"{_whose(indicator, top)}",
                      f"add `, max {plain(top)}` to cap it")

