"""The tree: weights and points (LANGUAGE.md, "Weights, points and totals").

Siblings use one mode; weights add up to exactly 100% and points to the parent's max (an
indicator's max is its points, else 100; a dimension's its points, else the sum of its children's
points, else 100; the policy's is `scale`). A dimension with neither weight nor points is a
heading: its children count as children of its parent. Variants are checked with their weights
applied. A dimension with nothing in it is a warning.
"""
from __future__ import annotations

from decimal import Decimal
from typing import Iterator

from .. import ast
from ..errors import Diagnostic
from .report import error, header, note, plain, warning
from .scope import Scope, article, literal_number
from .sites import tree_items

HUNDRED_PERCENT = Decimal(1)


def check_tree(policy: ast.Policy, scope: Scope) -> Iterator[Diagnostic]:
    if scope.incomplete:
        return
    for item in tree_items(policy.tree):
        yield from _share_value(item, scope)
        if isinstance(item, ast.Dimension) and not effective_children(item.items):
            yield warning(header(item), f"dimension {item.id.name} has no indicators",
                          "it adds nothing to the total")
    for parent, children in groups(policy):
        yield from _group(policy, parent, children, scope, {})
    for variant in policy.of(ast.Variant):
        yield from _variant(policy, variant, scope)


def effective_children(items) -> list:
    """The children that count for a parent: heading dimensions are replaced by their children."""
    found = []
    stack = list(reversed(items))
    while stack:
        item = stack.pop()
        if isinstance(item, ast.Dimension) and item.share is None:
            stack.extend(reversed(item.items))
        else:
            found.append(item)
    return found


def groups(policy: ast.Policy) -> Iterator[tuple]:
    """(parent, children) for the policy and every weighted or pointed dimension."""
    yield policy, effective_children(policy.tree)
    for item in tree_items(policy.tree):
        if isinstance(item, ast.Dimension) and item.share is not None:
            yield item, effective_children(item.items)


def item_max(item) -> Decimal | None:
    """An indicator's or dimension's max (None when it depends on a blank)."""
    if isinstance(item.share, ast.Points):
        return literal_number(item.share.value)
    if isinstance(item, ast.Dimension):
        children = effective_children(item.items)
        if children and all(isinstance(c.share, ast.Points) for c in children):
            values = [literal_number(c.share.value) for c in children]
            return None if None in values else sum(values, Decimal(0))
    return Decimal(100)


def policy_max(policy: ast.Policy) -> Decimal | None:
    scale = policy.setting(ast.ScaleSetting)
    return literal_number(scale.value) if scale else Decimal(100)


def _share_value(item, scope: Scope) -> Iterator[Diagnostic]:
    share = item.share
    if share is None:
        return
    value = share.value
    number = literal_number(value)
    kind = scope.infer_type(value)
    if isinstance(share, ast.Weight):
        if kind == "number" and number is not None:
            yield error(value, "a weight is a percent", f"did you mean {plain(number)}%?")
        elif kind not in (None, "percent"):
            yield error(value, f"a weight is a percent, not {article(kind)}")
        elif number is not None and number < 0:
            yield error(value, "a weight cannot be negative")
    elif kind not in (None, "number"):
        yield error(value, f"points are a plain number, not {article(kind)}")
    elif number is not None and number < 0:
        yield error(value, "points cannot be negative")



def _describe(parent) -> str:
    return "the top-level items" if isinstance(parent, ast.Policy) else f"the items in dimension {parent.id.name}"


def _group(policy, parent, children, scope: Scope, overrides: dict, variant=None) -> Iterator[Diagnostic]:
    if not children:
        return
    where = header(variant) if variant is not None else header(parent)
    prefix = f"with variant {variant.id.name}, " if variant is not None else ""

    def share(child):
        return overrides.get(child.id.name, child.share)

    bare = [c for c in children if share(c) is None]
    weighted = [c for c in children if isinstance(share(c), ast.Weight)]
    pointed = [c for c in children if isinstance(share(c), ast.Points)]
    if variant is None:
        for child in bare:
            mode = ("weights" if weighted else "points") if (weighted or pointed) else None
            yield error(header(child), f"indicator {child.id.name} has neither weight nor points",
                        f"its siblings use {mode}" if mode else "give it `weight N%` or `points N`")
    if weighted and pointed:
        yield error(where, f"{prefix}{_describe(parent)} mix weights and points",
                    "siblings use one mode: all weights (adding up to 100%) or all points")
        for child in weighted + pointed:
            yield note(share(child), f"{child.id.name} has {_say(share(child))}")
        return
    if weighted:
        values = [_amount(share(c)) for c in weighted]
        if None in values:
            return
        total = sum(values, Decimal(0))
        if total != HUNDRED_PERCENT:
            yield error(where, f"{prefix}the weights of {_describe(parent)} add up to "
                               f"{plain(total * 100)}%, not 100%",
                        "the weights of siblings must add up to exactly 100%")
            for child in weighted:
                yield note(share(child), f"{child.id.name} has {_say(share(child))}")
    elif pointed:
        values = [_amount(share(c)) for c in pointed]
        if isinstance(parent, ast.Policy):
            expected, whose = policy_max(policy), "the policy's scale"
        elif isinstance(parent.share, ast.Points):
            expected, whose = literal_number(parent.share.value), f"the points of {parent.id.name}"
        else:
            return  # a weighted dimension's max is the sum of its children's points
        if None in values or expected is None:
            return
        total = sum(values, Decimal(0))
        if total != expected:
            yield error(where, f"{prefix}the points of {_describe(parent)} add up to {plain(total)}, "
                               f"not {plain(expected)} ({whose})",
                        "the points of siblings must add up to their parent's max")
            for child in pointed:
                yield note(share(child), f"{child.id.name} has {_say(share(child))}")


def _amount(share) -> Decimal | None:
    """A weight's fraction or a points value, when written as a literal of the right unit."""
    value = share.value
    literal = value.operand if isinstance(value, ast.Unary) else value
    unit = "percent" if isinstance(share, ast.Weight) else "number"
    if not isinstance(literal, ast.Literal) or literal.kind != unit:
        return None
    return literal_number(value)


def _say(share) -> str:
    value = literal_number(share.value)
    if isinstance(share, ast.Weight):
        return f"weight {plain(value * 100)}%" if value is not None else "a weight"
    return f"{plain(value)} points" if value is not None else "points"


def _variant(policy: ast.Policy, variant: ast.Variant, scope: Scope) -> Iterator[Diagnostic]:
    overrides: dict[str, ast.Node] = {}
    for row in variant.rows:
        if isinstance(row, ast.VariantParam):
            continue
        item = scope.item_by_path(row.path)
        if item is None:
            continue  # reported by the names pass
        kind = ast.Weight if isinstance(row, ast.VariantWeight) else ast.Points
        if item.share is None:
            yield error(row.path, f"{item.id.name} is a heading (it has neither weight nor points), so a "
                                  f"variant cannot change its {'weight' if kind is ast.Weight else 'points'}")
        elif not isinstance(item.share, kind):
            yield error(row.path, f"{item.id.name} has {_say(item.share)}; a variant changes a share of "
                                  f"the same kind")
        else:
            overrides[item.id.name] = kind(row.value, span=row.value.span)
    if not overrides:
        return
    for parent, children in groups(policy):
        if any(child.id.name in overrides for child in children):
            yield from _group(policy, parent, children, scope, overrides, variant)
