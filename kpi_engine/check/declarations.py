"""Declarations: settings, datasets, params, the calendar, ids, `extends` and `drop`.

Unknown setting values (`period monthly`, `missing skip`), field types, a missing or misplaced
`subject`, ids declared twice, a preset nobody provides, and `drop` of an item the preset does not
have.
"""
from __future__ import annotations

from typing import Iterator

from .. import ast
from ..errors import Diagnostic
from .report import error, header, listing, suggest, warning
from .scope import FIELD_TYPES, MISSING_MODES, PERIODS, Scope, literal_number
from .sites import tree_items

_SETTINGS = {ast.PeriodSetting: "period", ast.SubjectSetting: "subject", ast.ScaleSetting: "scale",
             ast.RoundSetting: "round", ast.MissingSetting: "missing", ast.TotalSetting: "total"}
_DOC_KEYS = {"purpose": 1, "scope": 1, "principles": 1, "appeal": 1, "section": 2}


def check_declarations(policy: ast.Policy, scope: Scope) -> Iterator[Diagnostic]:
    yield from _settings(policy, scope)
    yield from _duplicates(policy, scope)
    yield from _preset(policy, scope)
    for item in policy.items:
        if isinstance(item, ast.Dataset):
            yield from _dataset(item)
        elif isinstance(item, ast.Param):
            yield from _param(item)
        elif isinstance(item, ast.Calendar):
            for tag in item.tags:
                for span in tag.ranges:
                    if span.end < span.start:
                        yield error(span, f"this range ends ({span.end}) before it starts ({span.start})")
        elif isinstance(item, ast.Doc):
            yield from _doc(item)


def _one_of(ident: ast.Ident, what: str, choices) -> Iterator[Diagnostic]:
    if ident.name not in choices:
        yield error(ident, f"unknown {what} {ident.name}",
                    suggest(ident.name, choices) or f"write one of: {', '.join(choices)}")


def _settings(policy: ast.Policy, scope: Scope) -> Iterator[Diagnostic]:
    seen: dict[str, ast.Node] = {}
    for item in policy.items:
        word = _SETTINGS.get(type(item))
        if word is None:
            continue
        if word in seen:
            yield error(item, f"{word} is already set on line {seen[word].span.line}")
        seen[word] = item
        if isinstance(item, ast.PeriodSetting):
            yield from _one_of(item.kind, "period kind", PERIODS)
        elif isinstance(item, ast.MissingSetting):
            yield from _one_of(item.mode, "missing mode", MISSING_MODES)
        elif isinstance(item, ast.ScaleSetting):
            value = literal_number(item.value)
            if value is not None and value <= 0:
                yield error(item.value, "the scale must be above 0")
        elif isinstance(item, ast.RoundSetting):
            value = literal_number(item.value)
            if value is not None and (value < 0 or value != value.to_integral_value()):
                yield error(item.value, "round takes a whole number of decimals, like `round 2`")
        elif isinstance(item, ast.TotalSetting):
            low, high = literal_number(item.low), literal_number(item.high)
            if low is not None and high is not None and low > high:
                yield error(item, f"the total's min ({low}) is above its max ({high})")
    if "subject" not in seen and policy.extends is None:
        yield error(header(policy), f"policy {policy.id.name} has no `subject`",
                    "name the roster dataset (one row per assessed person), e.g. `subject staff`")


def _duplicates(policy: ast.Policy, scope: Scope) -> Iterator[Diagnostic]:
    """Ids declared twice: datasets, params, calendar tags, dimensions and indicators (one
    namespace for the whole tree), outcomes / distributions / payouts (one namespace), variants,
    and named measures within an indicator."""
    spaces: dict[str, dict[str, ast.Ident]] = {}

    def seen(space: str, ident: ast.Ident, what: str):
        first = spaces.setdefault(space, {}).setdefault(ident.name, ident)
        if first is not ident:
            return error(ident, f"{what} {ident.name} is already declared on line {first.span.line}")
        return None

    found = []
    for item in policy.items:
        if isinstance(item, ast.Dataset):
            found.append(seen("dataset", item.id, "dataset"))
        elif isinstance(item, ast.Param):
            found.append(seen("param", item.id, "param"))
        elif isinstance(item, ast.Calendar):
            found += [seen("tag", tag.id, "calendar tag") for tag in item.tags]
        elif isinstance(item, (ast.Outcome, ast.Distribute, ast.Payout)):
            found.append(seen("outcome", item.id, type(item).__name__.lower()))
        elif isinstance(item, ast.Variant):
            found.append(seen("variant", item.id, "variant"))
        elif isinstance(item, (ast.Dimension, ast.Indicator)):
            for node in tree_items([item]):
                found.append(seen("item", node.id, type(node).__name__.lower()))
                if isinstance(node, ast.Indicator):
                    for measure in node.measures:
                        if measure.name is not None:
                            found.append(seen(f"measure {node.id.name}", measure.name, "measure"))
    yield from (d for d in found if d is not None)


def _preset(policy: ast.Policy, scope: Scope) -> Iterator[Diagnostic]:
    """`drop` needs a preset that has the item (an unknown preset is reported by check_policy)."""
    for drop in policy.of(ast.Drop):
        if policy.extends is None:
            yield error(drop, "`drop` removes an item of the preset a policy extends, but this "
                              "policy extends none")
        elif scope.preset is not None:
            preset_scope = Scope(scope.preset)
            if preset_scope.item_by_path(drop.path) is None:
                yield error(drop.path, f"the preset {policy.extends} has no item {drop.path}",
                            suggest(drop.path.parts[-1], preset_scope.items))


def _dataset(dataset: ast.Dataset) -> Iterator[Diagnostic]:
    names: dict[str, ast.Field] = {}
    for field in dataset.fields:
        first = names.setdefault(field.id.name, field)
        if first is not field:
            yield error(field.id, f"{dataset.id.name} already has a field {field.id.name} "
                                  f"(line {first.span.line})")
        kind = field.type.name
        if kind not in FIELD_TYPES:
            hint = suggest(kind, FIELD_TYPES) or f"the field types are {', '.join(FIELD_TYPES)}"
            if kind == "percent":
                hint = ("a percent is computed, e.g. share(D where ...); store the counts or a "
                        "number instead")
            yield error(field.type, f"unknown field type {kind}", hint)
    key = dataset.key
    if key is not None:
        field = names.get(key.name)
        if field is None:
            yield error(key, f"the key of {dataset.id.name} must be one of its fields; it has no "
                             f"field {key.name}",
                        suggest(key.name, names) or f"declare it, e.g. `{key.name}: text`")
        elif field.nullable:
            yield error(key, f"the key {key.name} of {dataset.id.name} is nullable: every record "
                             "needs its key (remove the ?)")


def _param(param: ast.Param) -> Iterator[Diagnostic]:
    tags: dict[str, ast.ParamValue] = {}
    for index, value in enumerate(param.values):
        if value.during is None:
            if index:
                yield error(value, f"{param.id.name} already has a base value: each further value "
                                   f"needs `during TAG`")
            continue
        if index == 0:
            yield error(value, f"the first value of {param.id.name} is its base value and takes "
                               f"no `during`",
                        f"write the value outside {value.during.name} first, e.g. "
                        f"`param {param.id.name} = 30s, 60s during {value.during.name}`")
        first = tags.setdefault(value.during.name, value)
        if first is not value:
            yield error(value.during, f"{param.id.name} already has a value during {value.during.name}")


def _doc(doc: ast.Doc) -> Iterator[Diagnostic]:
    for row in doc.rows:
        key = row.key.name
        if key not in _DOC_KEYS:
            yield warning(row.key, f"unknown doc entry {key}: the manual will not print it",
                          suggest(key, _DOC_KEYS) or f"the entries are {listing(_DOC_KEYS)}")
        elif len(row.texts) != _DOC_KEYS[key]:
            yield warning(row, f"{key} takes {_DOC_KEYS[key]} quoted text(s), found {len(row.texts)}",
                          'e.g. section "考核主体" "..."' if key == "section" else None)
