"""Rules: each indicator has one scoring rule and the measure that rule needs, and each table has
rows of the kind it takes, in the order the language tries them.

- an indicator without a rule, with two rules, or without the measure its rule scores;
- a second unnamed measure, a measure named `value`, a named measure hidden by a param;
- a named measure that depends on itself;
- `better` other than higher / lower;
- rows that do not belong in a block (a label in bands, `top` in an outcome, ...), and `missing :`
  or `when` rows after the rows that test the value (they come first).
"""
from __future__ import annotations

from typing import Iterator

from .. import ast
from ..errors import Diagnostic
from .report import error, header, keyword
from .scope import DIRECTIONS, Scope
from .sites import walk

_RULE_WORD = {ast.Bands: "bands", ast.Map: "map", ast.Linear: "linear", ast.Formula: "formula",
              ast.Rank: "rank"}
_VALUE_TESTS = (ast.TestCompare, ast.TestInterval, ast.TestElse)
_FIRST_TESTS = (ast.TestMissing, ast.TestWhen)
_TEST_WORDS = {ast.TestCompare: "a comparison row", ast.TestInterval: "an `in [..]` row",
               ast.TestElse: "an `else` row", ast.TestMissing: "a `missing` row",
               ast.TestWhen: "a `when` row", ast.TestLabel: "a label row",
               ast.TestTop: "a `top` row", ast.TestBottom: "a `bottom` row",
               ast.TestRank: "a `rank` row"}


def check_rules(policy: ast.Policy, scope: Scope) -> Iterator[Diagnostic]:
    for indicator in scope.indicators:
        yield from _indicator(indicator, scope)
    for item in policy.items:
        if isinstance(item, ast.Outcome):
            by_labels = item.by.name in scope.outcomes
            allowed = (ast.TestLabel, ast.TestElse) if by_labels else (ast.TestCompare, ast.TestInterval,
                                                                      ast.TestElse)
            example = '"五星客服" : ...' if by_labels else ">= 90 : ..."
            yield from _row_kinds(item.rows, allowed, f"an outcome by {item.by.name}", example)
        elif isinstance(item, ast.Distribute):
            yield from _row_kinds(item.rows, (ast.TestTop, ast.TestBottom), "a distribution",
                                  'top 20% : "..."')
        elif isinstance(item, ast.Payout):
            yield from _row_kinds(item.rows, (ast.TestRank, ast.TestElse), "a payout", "rank 1 : 200元")


def _indicator(indicator: ast.Indicator, scope: Scope) -> Iterator[Diagnostic]:
    name = indicator.id.name
    for better in indicator._of(ast.Better):
        if better.direction.name not in DIRECTIONS:
            yield error(better.direction, f"unknown direction {better.direction.name}: `better` is "
                                          f"higher or lower")
    unnamed = [m for m in indicator.measures if m.name is None]
    for extra in unnamed[1:]:
        yield error(extra, f"{name} already has a measure (line {unnamed[0].span.line})",
                    "give further measures a name: `measure NAME = ...`")
    for measure in indicator.measures:
        if measure.name is None:
            continue
        if measure.name.name == "value":
            yield error(measure.name, "`value` names the indicator's own measure; choose another name")
        elif measure.name.name in scope.params:
            yield error(measure.name, f"{measure.name.name} is also a param, which takes precedence "
                                      f"over this measure; choose another name")
    yield from _cycles(indicator, scope)

    rules = scope.parts(indicator).rules
    if not rules:
        yield error(header(indicator), f"indicator {name} has no scoring rule",
                    "add one of: bands { ... }, linear ..., formula ..., rank within ..., map { ... }")
        return
    for extra in rules[1:]:
        yield error(keyword(extra, _RULE_WORD[type(extra)]),
                    f"indicator {name} already has a scoring rule ({_RULE_WORD[type(rules[0])]} on line "
                    f"{rules[0].span.line}); an indicator has one")
    rule = rules[0]
    word = _RULE_WORD[type(rule)]
    if scope.parts(indicator).measure is None and not isinstance(rule, ast.Formula):
        hint = ("named measures feed a formula; " if indicator.measures else "") + \
               f"{word} scores the indicator's `measure EXPR`"
        yield error(header(indicator), f"indicator {name} has no measure", hint)
    if isinstance(rule, ast.Bands):
        yield from _row_kinds(rule.rows, _VALUE_TESTS + _FIRST_TESTS, "bands", ">= 95% : 100")
    elif isinstance(rule, ast.Map):
        yield from _row_kinds(rule.rows, (ast.TestLabel, ast.TestElse) + _FIRST_TESTS, "a map",
                              '"很满意" : 3')
    else:
        yield from _row_kinds(rule.exceptions, _FIRST_TESTS, f"the exceptions of {word}",
                              "when first_month : 20")


def _row_kinds(rows, allowed, block: str, example: str) -> Iterator[Diagnostic]:
    tested = None
    for row in rows:
        kind = type(row.test)
        if kind not in allowed:
            yield error(row.test, f"{_TEST_WORDS[kind]} does not belong in {block}",
                        f"a row here reads like `{example}`")
        elif kind in _FIRST_TESTS and tested is not None:
            word = "missing" if kind is ast.TestMissing else "when"
            yield error(row.test, f"a `{word}` row must come before the rows that test the value "
                                  f"(line {tested.span.line})",
                        "`missing :` and `when` rows are tried first; move this row up")
        elif kind not in _FIRST_TESTS and tested is None:
            tested = row


def _cycles(indicator: ast.Indicator, scope: Scope) -> Iterator[Diagnostic]:
    """A measure that uses itself, directly or through others (`value` included), has no value."""
    if not scope.named_measures(indicator):
        return  # the unnamed measure alone cannot go round (see below)
    measures = dict(scope.named_measures(indicator))
    if scope.parts(indicator).measure is not None:
        measures["value"] = scope.parts(indicator).measure
    # (`value` inside the unnamed measure itself is a name error, reported by the names pass)
    uses = {name: sorted({n.parts[0] for n in walk(m.expr) if isinstance(n, ast.Name)
                          and len(n.parts) == 1 and n.parts[0] in measures
                          and n.parts[0] not in scope.params
                          and not (name == "value" == n.parts[0])})
            for name, m in measures.items()}
    state: dict[str, int] = {}  # 1 on the current path, 2 done

    def visit(name, path):
        state[name] = 1
        found = None
        for other in uses[name]:
            if state.get(other) == 1:
                found = path[path.index(other):] + [other]
            elif other not in state:
                found = visit(other, path + [other])
            if found:
                break
        state[name] = 2   # also after a cycle: the next search must not take it for its own path
        return found

    for name in measures:
        if name not in state:
            cycle = visit(name, [name])
            if cycle:
                measure = measures[cycle[0]]
                what = "the measure" if cycle[0] == "value" else f"measure {cycle[0]}"
                yield error(measure.name or measure, f"{what} depends on itself: {' -> '.join(cycle)}")
