"""Names: every name in an expression, and every reference to a declaration, must resolve.

Unknown datasets, fields, params, measures, calendar tags, items, outcomes and functions are
errors with a "did you mean" hint; so are names used where they mean nothing (`total` in a
measure, `value` outside its indicator), aggregates where a fixed value is wanted, wrong argument
counts, and a param with `during` values used where no record's time is known.
"""
from __future__ import annotations

from typing import Iterator

from .. import ast
from ..errors import Diagnostic
from .report import closest, error, header, listing, part_span, suggest
from .scope import FUNCTIONS, Scope, aggregate_records, is_aggregate
from .sites import Site, sites

_KINDS = {  # how to say what a name may be, by the `allow` kinds of a site
    "params": "a param", "measures": "a measure of this indicator", "value": "`value`",
    "roster": "a roster field", "total": "`total`", "outcomes": "an outcome",
}
_WHY = {
    "total": "`total` is known only once everyone is scored: use it in actions and outcomes",
    "value": "`value` is an indicator's own measure: use it in that indicator's formula, "
             "`when` rows or veto",
    "measure": "a named measure can be used only inside its own indicator",
    "outcome": "outcomes can be used in actions and in a later outcome's `by`",
    "distribution": "distributions can be used in actions and in a later outcome's `by`",
    "payout": "payouts can be used in actions",
    "roster": "roster fields can be used in measures, conditions and `when` rows, not in fixed values",
}
_ONE_ARG = {"count": "count(tickets where ...)", "share": "share(tickets where ...)",
            "sum": "sum(tickets.FIELD)", "avg": "avg(tickets.FIELD)",
            "median": "median(tickets.FIELD)", "first": "first(tickets.FIELD)",
            "last": "last(tickets.FIELD)"}


def check_names(policy: ast.Policy, scope: Scope) -> Iterator[Diagnostic]:
    if scope.incomplete:
        return
    found: list[Diagnostic] = []
    for site in sites(policy, scope):
        _expression(site.expr, site, site.records, scope, found)
    yield from found
    yield from _references(policy, scope)


# ---- expressions -------------------------------------------------------------------------------

def _expression(expr, site: Site, records, scope: Scope, found: list) -> None:
    # (into a list: a generator per expression of the policy cost more than the walk itself)
    stack = [(expr, records)]
    while stack:
        node, within = stack.pop()
        if isinstance(node, ast.Name):
            found.extend(_name(node, site, within, scope))
        elif isinstance(node, ast.Call):
            found.extend(_call(node, site, within, scope, stack))
        elif isinstance(node, ast.Position):
            found.extend(_position(node, site, scope))
        elif isinstance(node, (ast.BinOp, ast.Compare)):
            stack += [(node.right, within), (node.left, within)]
        elif isinstance(node, (ast.Unary, ast.IsMissing)):
            stack.append((node.operand, within))
        elif isinstance(node, ast.InList):
            stack += [(option, within) for option in reversed(node.options)]
            stack.append((node.operand, within))


def _name(name: ast.Name, site: Site, records, scope: Scope) -> Iterator[Diagnostic]:
    allow = site.allow
    binding = scope.resolve(name.parts, records=records, indicator=site.indicator, allow=allow)
    if binding is not None:
        if binding.kind == "param" and scope.varies(name.parts[0]):
            yield from _varying_param(name, records, scope)
        return
    parts = name.parts
    if len(parts) > 2:
        yield error(name, f"{name} is not a name: only `dataset.field` takes a dot")
        return
    if len(parts) == 2:
        yield from _dotted(name, site, records, scope)
        return
    word = parts[0]
    if records is None and word in scope.datasets:
        yield error(name, f"{word} is a dataset, not a value",
                    f"count its records with count({word}) or aggregate a field, "
                    f"e.g. avg({word}.FIELD)")
        return
    anywhere = scope.resolve(parts, indicator=site.indicator) if records is None else None
    if anywhere is not None:
        why = _WHY.get(anywhere.kind)
        if site.constant and anywhere.kind in ("roster", "measure", "value"):
            why = "this must be a fixed value: a number or a param"
        yield error(name, f"{word} cannot be used here", why)
        return
    if records is not None:
        owner = _dataset_of_field(word, scope, exclude=records)
        message = f"unknown name {word}: not a field of {records}, a roster field or a param"
        hint = suggest(word, scope.names(records=records))
        if owner and not hint:
            hint = f"{word} is a field of {owner}, but this `where` filters {records}"
        yield error(name, message, hint)
        return
    if word == "value" and site.indicator is not None and "value" in allow:
        yield error(name, f"`value` is the indicator's own measure, but {site.indicator.id.name} has "
                          f"named measures only", "add `measure EXPR`, or use a named measure")
        return
    kinds = [_KINDS[k] for k in ("params", "measures", "value", "roster", "total", "outcomes")
             if k in allow and (site.indicator is not None or k not in ("measures", "value"))]
    message = f"unknown name {word}: not {_either(kinds)}"
    hint = suggest(word, scope.names(indicator=site.indicator, allow=allow))
    owner = _dataset_of_field(word, scope)
    if owner and not hint:
        hint = (f"{word} is a field of {owner}: use it in an aggregate, e.g. avg({owner}.{word}), "
                f"or in a `where` condition")
    yield error(name, message, hint)


def _either(kinds: list[str]) -> str:
    if len(kinds) <= 1:
        return kinds[0] if kinds else "anything declared"
    return ", ".join(kinds[:-1]) + " or " + kinds[-1]


def _dataset_of_field(word: str, scope: Scope, exclude=None) -> str | None:
    return next((d for d, fields in scope.fields.items() if word in fields and d != exclude), None)


def _dotted(name: ast.Name, site: Site, records, scope: Scope) -> Iterator[Diagnostic]:
    dataset, field = name.parts
    text = scope.text
    if dataset not in scope.datasets:
        yield error(part_span(name, 0, text), f"unknown dataset {dataset}",
                    suggest(dataset, scope.datasets))
    elif scope.field(dataset, field) is None:
        yield error(part_span(name, 1, text), f"{dataset} has no field {field}",
                    suggest(field, scope.fields[dataset]) or f"its fields are {listing(scope.fields[dataset])}")
    elif records is not None:
        yield error(name, f"{name} is a field of {dataset}, but this `where` filters {records}",
                    f"write {field} alone for a field of {records}")
    else:
        yield error(name, f"{name} is a field of each {dataset} record, not one value",
                    f"aggregate it, e.g. avg({name}), or test it in a `where` condition")


def _varying_param(name: ast.Name, records, scope: Scope) -> Iterator[Diagnostic]:
    param = name.parts[0]
    tags = ", ".join(v.during.name for v in scope.params[param].values if v.during is not None)
    if records is None:
        yield error(name, f"{param} changes during {tags}, so it can only be used inside a `where` "
                          f"condition, where each record's time is known",
                    f"compare a field with it inside an aggregate, e.g. "
                    f"share(tickets where first_response <= {param})")
    elif scope.datasets[records].at is None:
        yield error(name, f"{param} changes during {tags}, but {records} records have no time (`at`) "
                          f"to tell which value applies")


def _call(call: ast.Call, site: Site, records, scope: Scope, stack) -> Iterator[Diagnostic]:
    func = call.func.name
    args = call.args
    if func not in FUNCTIONS:
        yield error(call.func, f"unknown function {func}",
                    suggest(func, FUNCTIONS) or f"the functions are {listing(sorted(FUNCTIONS), 12)}")
        return
    aggregate = is_aggregate(call)
    if aggregate and site.constant:
        yield error(call, f"{func}(...) cannot be used here: this must be a fixed value "
                          f"(a number or a param)")
        return
    if aggregate and records is not None:
        yield error(call, f"{func}(...) cannot be used inside a `where` condition",
                    "a `where` tests each record on its own; compare with a param instead")
        return
    expected = {"percentile": (2,), "round": (2,), "min": (1, 2), "max": (1, 2)}.get(func, (1,))
    if len(args) not in expected:
        yield error(call, _arity(func, len(args)))
        return
    for arg in args[1:] if aggregate else args:
        if arg.where is not None:
            yield error(arg.where, f"`where` filters the records of an aggregate; "
                                   f"this argument of {func} cannot take one")
    if not aggregate:
        if func == "round":
            digits = args[1].expr
            if not (isinstance(digits, ast.Literal) and digits.kind == "number"
                    and digits.value == digits.value.to_integral_value() and digits.value >= 0):
                yield error(digits, "round's second argument is the number of decimals, like round(x, 2)")
        stack += [(arg.expr, records) for arg in reversed(args)]
        return
    yield from _aggregate(call, scope, stack)
    for arg in args[1:]:
        stack.append((arg.expr, records))


def _arity(func: str, count: int) -> str:
    if func == "percentile":
        return f"percentile takes a field and a rank, like percentile(tickets.FIELD, 90%), not {count} argument(s)"
    if func == "round":
        return f"round takes a value and a number of decimals, like round(x, 2), not {count} argument(s)"
    if func in ("min", "max"):
        return (f"{func} takes one field, like {func}(tickets.FIELD), or two values, like {func}(a, b), "
                f"not {count} arguments")
    return f"{func} takes one argument, like {_ONE_ARG[func]}, not {count}"


def _aggregate(call: ast.Call, scope: Scope, stack) -> Iterator[Diagnostic]:
    func = call.func.name
    first = call.args[0]
    target = first.expr
    text = scope.text
    if not isinstance(target, ast.Name):
        example = _ONE_ARG.get(func, f"{func}(tickets.FIELD)")
        yield error(target, f"{func} aggregates the records of a dataset, like {example}")
        return
    dataset, field = aggregate_records(call)
    if dataset is None:
        yield error(target, f"{target} is not a dataset or a dataset's field")
        return
    if dataset not in scope.datasets:
        hint = suggest(dataset, scope.datasets)
        owner = _dataset_of_field(dataset, scope) if field is None else None
        if owner and not hint:
            hint = f"{dataset} is a field of {owner}: write {func}({owner}.{dataset})"
        yield error(part_span(target, 0, text), f"unknown dataset {dataset}", hint)
        return
    needs_field = func not in ("count", "share")
    if field is not None and not needs_field:
        yield error(target, f"{func} counts records, so it takes a dataset, not a field",
                    f"write {func}({dataset} where ...)")
        return
    if field is None and needs_field:
        yield error(target, f"{func} needs a field of {dataset}, like {func}({dataset}.FIELD)",
                    f"its fields are {listing(scope.fields[dataset])}")
        return
    if field is not None and scope.field(dataset, field) is None:
        yield error(part_span(target, 1, text), f"{dataset} has no field {field}",
                    suggest(field, scope.fields[dataset]) or f"its fields are {listing(scope.fields[dataset])}")
        return
    if func == "share" and first.where is None:
        yield error(call, f"share needs a condition: share({dataset} where ...)",
                    "a share is the part of the records for which the condition holds")
    if func in ("first", "last") and scope.datasets[dataset].at is None:
        yield error(call, f"{func} takes the {'earliest' if func == 'first' else 'latest'} record by time, "
                          f"but {dataset} has no `at` time")
    if first.where is not None:
        stack.append((first.where, dataset))


def _position(node: ast.Position, site: Site, scope: Scope) -> Iterator[Diagnostic]:
    if "position" not in site.allow:
        yield error(node, f"`{node.which.name} within {node.group.name}` can only be used in an "
                          f"action's condition")
        return
    if node.which.name not in ("first", "last"):
        yield error(node.which, f"expected first or last before `within`, found {node.which.name}",
                    suggest(node.which.name, ("first", "last")))
    yield from _roster_field(node.group, scope)


# ---- references to declarations ----------------------------------------------------------------

def _roster_field(ident: ast.Ident, scope: Scope) -> Iterator[Diagnostic]:
    if scope.subject is None or ident.name in scope.roster_fields:
        return
    yield error(ident, f"{ident.name} is not a field of the roster {scope.subject}",
                suggest(ident.name, scope.roster_fields)
                or f"groups are roster fields: {listing(scope.roster_fields)}")


def _references(policy: ast.Policy, scope: Scope) -> Iterator[Diagnostic]:
    if policy.role is not None and scope.subject is not None and "role" not in scope.roster_fields:
        yield error(header(policy), f"`for role` picks roster rows by their `role`, but {scope.subject} "
                                    f"has no field role", f"declare `role: text` in {scope.subject}")
    for item in policy.items:
        if isinstance(item, ast.SubjectSetting):
            dataset = scope.datasets.get(item.dataset.name)
            if dataset is None:
                yield error(item.dataset, f"unknown dataset {item.dataset.name}",
                            suggest(item.dataset.name, scope.datasets)
                            or "the subject is the roster dataset: one row per assessed person")
            elif dataset.at is not None:
                yield error(item.dataset, f"the subject {dataset.id.name} has an `at` time, so it is "
                                          f"not a roster",
                            "the subject is a dataset without `at`: one row per assessed person")
        elif isinstance(item, ast.Param):
            for value in item.values:
                if value.during is not None and value.during.name not in scope.tags:
                    yield _unknown_tag(value.during, scope)
        elif isinstance(item, (ast.Outcome, ast.Distribute, ast.Payout)):
            if getattr(item, "within", None) is not None:
                yield from _roster_field(item.within, scope)
            yield from _by(item, scope)
        elif isinstance(item, ast.Adjust):
            for row in item.rows:
                if isinstance(row, ast.AdjustEach) and row.dataset.name not in scope.datasets:
                    yield error(row.dataset, f"unknown dataset {row.dataset.name}",
                                suggest(row.dataset.name, scope.datasets))
        elif isinstance(item, ast.Variant):
            yield from _variant(item, scope)
    for indicator in scope.indicators:
        for rule in scope.parts(indicator).rules:
            if isinstance(rule, ast.Rank):
                yield from _roster_field(rule.group, scope)


def _unknown_tag(ident: ast.Ident, scope: Scope) -> Diagnostic:
    return error(ident, f"unknown calendar tag {ident.name}",
                 suggest(ident.name, scope.tags) or
                 (f"the calendar's tags are {listing(scope.tags)}" if scope.tags
                  else "declare it in a `calendar { ... }` block"))


def _by(item, scope: Scope) -> Iterator[Diagnostic]:
    name = item.by.name
    if name == "total" or scope.indicator(name) is not None:
        return
    if name == item.id.name:
        yield error(item.by, f"{name} cannot be decided by itself")
        return
    if name in scope.outcomes:
        if not scope.declared_before(name, item):
            other = scope.outcomes[name]
            yield error(item.by, f"{name} is declared after {item.id.name} (on line {other.span.line})",
                        "an outcome can use only outcomes and distributions declared before it")
        elif isinstance(scope.outcomes[name], ast.Payout):
            yield error(item.by, f"{name} is a payout; an outcome can use an outcome or a distribution")
        return
    candidates = ["total", *scope.outcomes, *(i.id.name for i in scope.indicators)]
    yield error(item.by, f"unknown name {name}: `by` takes total, an indicator, or an outcome or "
                         f"distribution declared before", suggest(name, candidates))


def _variant(variant: ast.Variant, scope: Scope) -> Iterator[Diagnostic]:
    if variant.id.name not in scope.tags:
        yield error(variant.id, f"variant {variant.id.name} has no calendar tag of the same name",
                    suggest(variant.id.name, scope.tags)
                    or "a variant applies when the period overlaps the calendar tag it is named after")
    for row in variant.rows:
        if isinstance(row, ast.VariantParam):
            if row.id.name not in scope.params:
                yield error(row.id, f"unknown param {row.id.name}", suggest(row.id.name, scope.params))
        elif scope.item_by_path(row.path) is None:
            yield from _unknown_path(row.path, scope)


def _unknown_path(path: ast.Dotted, scope: Scope) -> Iterator[Diagnostic]:
    last = path.parts[-1]
    if last in scope.items:
        where = scope.item_path(scope.items[last])
        yield error(path, f"{path} does not lead to {last}: it is at {where}")
    else:
        near = closest(last, scope.items)
        yield error(path, f"unknown indicator or dimension {path}",
                    f"did you mean {scope.item_path(scope.items[near])}?" if near else None)
