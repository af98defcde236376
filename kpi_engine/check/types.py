"""Types and units: every expression is typed (Scope.infer_type) and every comparison, bound,
score and setting must fit.

A plain number fits any numeric type, except where a percent is compared with a plain number
above 1: that is almost surely a missing `%` (`>= 95` for `>= 95%`), reported with the fix.
"""
from __future__ import annotations

from typing import Iterator

from .. import ast
from ..errors import Diagnostic
from .report import error, keyword, text_of
from .scope import (NUMERIC, ORDERED, Scope, article, compatible, literal_number, percent_slip,
                    points_slip)
from .sites import Site, sites

_SETTING_NAMES = {ast.ScaleSetting: "the scale", ast.RoundSetting: "round", ast.TotalSetting: "the total's bound",
                  ast.AdjustMin: "an adjustment's min", ast.AdjustMax: "an adjustment's max",
                  ast.ScheduleBy: "a schedule day", ast.ScheduleWithin: "a schedule span"}
_SETTINGS = tuple(_SETTING_NAMES)


def check_types(policy: ast.Policy, scope: Scope) -> Iterator[Diagnostic]:
    found: list[Diagnostic] = []

    def report(node, message, hint=None):
        found.append(error(node, message, hint))

    for site in sites(policy, scope):
        kind = scope.infer_type(site.expr, records=site.records, indicator=site.indicator,
                                report=report)
        _expect(site, kind, report)
    for indicator in scope.indicators:
        _rule(indicator, scope, report)
    for item in policy.items:
        if isinstance(item, ast.Param):
            _param(item, scope, report)
        elif isinstance(item, (ast.Outcome, ast.Distribute, ast.Payout)):
            _table(item, scope, report)
        elif isinstance(item, ast.Variant):
            _variant(item, scope, report)
    yield from found


def _expect(site: Site, kind: str | None, report) -> None:
    if kind is None:
        return
    expr, owner = site.expr, site.owner
    if site.role == "condition":
        if kind != "bool":
            report(expr, f"a condition must be true or false, but this is {article(kind)}")
    elif site.role == "formula":
        if kind not in NUMERIC:
            report(expr, f"a formula computes a score, a number, but this is {article(kind)}")
    elif site.role == "score":
        if kind != "number":
            what = "an adjustment" if isinstance(owner, (ast.AdjustEach, ast.AdjustIf)) else "a score"
            report(expr, f"{what} is a number of points, not {article(kind)}")
    elif isinstance(owner, _SETTINGS):
        if kind != "number":
            report(expr, f"{_SETTING_NAMES[type(owner)]} is a plain number, not {article(kind)}")
    elif isinstance(owner, ast.Action) and expr is owner.periods:
        value = literal_number(expr)
        if kind != "number" or (value is not None and (value < 1 or value != int(value))):
            report(expr, "`for N periods` takes a whole number of periods, at least 1")


def _rule(indicator: ast.Indicator, scope: Scope, report) -> None:
    rule, measure = scope.parts(indicator).rule, scope.parts(indicator).measure
    if rule is None or measure is None:
        return
    measure_type = scope.measure_type(indicator)
    # (the measure's text is quoted only in a message: it is not copied out for every indicator)

    def bound(node):
        kind = scope.infer_type(node)
        if kind is None:
            return
        if not compatible(measure_type, kind):
            report(node, f"this bound is {article(kind)}, but the measure "
                         f"{text_of(measure.expr, scope.text)} is {article(measure_type)}")
            return
        slip = percent_slip(measure_type, node)
        if slip:
            report(node, *slip)

    if isinstance(rule, ast.Bands):
        for row in rule.rows:
            _row_bounds(row, bound, measure_type, report)
    elif isinstance(rule, ast.Map):
        if measure_type is not None and measure_type != "text":
            report(keyword(rule, "map"), f"a map matches text labels, but the measure "
                                         f"{text_of(measure.expr, scope.text)} "
                                         f"is {article(measure_type)}",
                   "use bands for numbers")
    elif isinstance(rule, ast.Linear):
        bound(rule.origin)
        bound(rule.step)
        step = literal_number(rule.step)
        if step is not None and step <= 0:
            report(rule.step, "the step of a linear rule must be above 0",
                   "the sign of the slope says whether the score rises or falls")
        low, high = literal_number(rule.low), literal_number(rule.high)
        if low is not None and high is not None and low > high:
            report(rule.high, f"the max ({high}) is below the min ({low})")
    elif isinstance(rule, ast.Rank):
        if measure_type is not None and measure_type not in ORDERED:
            report(keyword(rule, "rank"), f"rank orders people by their measure, but "
                                          f"{text_of(measure.expr, scope.text)} is "
                                          f"{article(measure_type)}")


def _row_bounds(row: ast.Row, bound, measure_type, report) -> None:
    test = row.test
    if isinstance(test, ast.TestCompare):
        bound(test.bound)
        if test.op not in ("=", "!=") and measure_type in ("text", "bool"):
            report(test, f"{article(measure_type)} can only be matched with = or !=",
                   "a map scores text labels: map { \"A\" : 100, ... }" if measure_type == "text" else None)
    elif isinstance(test, ast.TestInterval):
        bound(test.low)
        bound(test.high)
        if measure_type in ("text", "bool"):
            report(test, f"an interval needs numbers, but the measure is {article(measure_type)}")


def _param(param: ast.Param, scope: Scope, report) -> None:
    kinds = [(value, scope.infer_type(value.value)) for value in param.values]
    known = [(value, kind) for value, kind in kinds if kind is not None]
    for value, kind in known[1:]:
        if not compatible(known[0][1], kind):
            report(value.value, f"{param.id.name} is {article(known[0][1])} (line "
                                f"{known[0][0].span.line}), but this value is {article(kind)}")


def _by_type(item, scope: Scope) -> str | None:
    name = item.by.name
    if name == "total":
        return "number"
    indicator = scope.indicator(name)
    if indicator is not None:
        return scope.measure_type(indicator)
    if name in scope.outcomes and name != item.id.name:
        return scope.outcome_type(name)
    return None


def _table(item, scope: Scope, report) -> None:
    by = item.by.name
    by_type = _by_type(item, scope)
    if isinstance(item, (ast.Distribute, ast.Payout)):
        if by_type is not None and by_type not in NUMERIC:
            report(item.by, f"{'a distribution' if isinstance(item, ast.Distribute) else 'a payout'} ranks "
                            f"people by a number, but {by} is {article(by_type)}")
    for row in item.rows:
        test = row.test
        if isinstance(test, (ast.TestTop, ast.TestBottom)):
            value = literal_number(test.share)
            kind = scope.infer_type(test.share)
            word = "top" if isinstance(test, ast.TestTop) else "bottom"
            if kind not in (None, "percent"):
                report(test.share, f"`{word}` takes a percent of the group, like {word} 20%, "
                                   f"not {article(kind)}")
            elif value is not None and not 0 < value <= 1:
                report(test.share, f"`{word}` takes a percent above 0% and at most 100%")
        elif isinstance(test, ast.TestRank):
            value = literal_number(test.rank)
            if scope.infer_type(test.rank) not in (None, "number") or (
                    value is not None and (value == 0 or value != int(value))):
                report(test.rank, "a rank is a whole number: 1 is the first place, -1 the last")
        elif isinstance(test, (ast.TestCompare, ast.TestInterval)) and isinstance(item, ast.Outcome):
            for node in (test.bound,) if isinstance(test, ast.TestCompare) else (test.low, test.high):
                kind = scope.infer_type(node)
                if by == "total" and points_slip(node, kind):
                    report(node, *points_slip(node, kind))
                elif not compatible(by_type, kind):
                    report(node, f"this bound is {article(kind)}, but {by} is {article(by_type)}")
                else:
                    slip = percent_slip(by_type, node)
                    if slip:
                        report(node, *slip)
        if isinstance(item, ast.Payout):
            kind = scope.infer_type(row.value)
            if kind not in (None, "money", "number"):
                report(row.value, f"a payout pays an amount of money, not {article(kind)}")
    if isinstance(item, ast.Outcome):
        first = None
        for row in item.rows:
            kind = scope.infer_type(row.value)
            if kind is None:
                continue
            if first is None:
                first = (row, kind)
            elif not compatible(first[1], kind):
                report(row.value, f"{item.id.name} gives {article(first[1])} on line {first[0].span.line}, "
                                  f"but {article(kind)} here")


def _variant(variant: ast.Variant, scope: Scope, report) -> None:
    for row in variant.rows:
        kind = scope.infer_type(row.value)
        if isinstance(row, ast.VariantWeight) and kind not in (None, "percent"):
            report(row.value, f"a weight is a percent, not {article(kind)}")
        elif isinstance(row, ast.VariantPoints) and kind not in (None, "number"):
            report(row.value, f"points are a plain number, not {article(kind)}")
        elif isinstance(row, ast.VariantParam) and row.id.name in scope.params:
            expected = scope.param_type(row.id.name)
            if not compatible(expected, kind):
                report(row.value, f"{row.id.name} is {article(expected)}, but this value is {article(kind)}")
