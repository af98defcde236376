"""What a policy declares, indexed by name, and the types of its expressions.

A `Scope` is built once per policy and answers the questions every later stage asks: which
datasets and fields exist (with their types and nullability), which dataset is the roster, what
the params, calendar tags, indicators, dimensions, named measures and outcomes are, and what type
an expression has. The checker uses it to report problems; the compiler imports it to know what a
name means and what unit a value is in.

    scope = Scope(policy)
    scope.field_type("tickets", "first_response")    # "duration"
    scope.measure_type(scope.indicator("on_time"))   # "percent"
    infer_type(expr, scope, records="tickets")       # the type of a `where` condition: "bool"

Types are the strings of `TYPES`; `None` means unknown (a blank `?`, or a name that does not
resolve, which the checker reports on its own).
"""
from __future__ import annotations

from dataclasses import fields, is_dataclass, replace
from decimal import Decimal
from typing import Callable, Iterator, NamedTuple

from .. import ast
from .report import plain

TYPES = ("percent", "duration", "money", "number", "text", "bool", "date", "datetime")
FIELD_TYPES = ("text", "number", "bool", "duration", "date", "datetime", "money")
NUMERIC = frozenset({"percent", "duration", "money", "number"})
ORDERED = NUMERIC | {"date", "datetime"}

# Functions of the expression language. Every aggregate takes the records of one dataset; `min`
# and `max` with two arguments, and `round`, are arithmetic instead.
AGGREGATES = frozenset({"count", "share", "sum", "avg", "min", "max", "median", "percentile",
                        "first", "last"})
FUNCTIONS = AGGREGATES | {"round"}

PERIODS = ("month", "quarter", "year", "week")
MISSING_MODES = ("exclude", "zero")
DIRECTIONS = ("higher", "lower")

# What a name outside a `where` may mean at a given place (see `Scope.resolve`).
EVERYTHING = frozenset({"params", "measures", "value", "roster", "total", "outcomes"})

Report = Callable[[ast.Node, str, "str | None"], None]


class Parts(NamedTuple):
    """An indicator's items by kind, collected once (see `Scope.parts`)."""
    measure: ast.Measure | None          # the unnamed measure: the indicator's value
    named: dict[str, ast.Measure]        # named measures, first declaration of each name
    rules: list                          # scoring rules in source order (one is right)
    better: str                          # "higher" (the default) or "lower"

    @property
    def rule(self):
        return self.rules[0] if self.rules else None


class Binding(NamedTuple):
    """What a name resolves to (a named tuple: the checker resolves every name of the policy, and
    a frozen dataclass takes twice as long to make).

    kind: "field" (a field of the records a `where` filters), "roster" (a field of the person's
    roster row), "param", "measure" (a named measure of the indicator), "value" (the indicator's
    own measure), "total", "outcome", "distribution" or "payout".
    """
    kind: str
    type: str | None
    node: object = None
    dataset: str | None = None


def is_aggregate(call: ast.Call) -> bool:
    """True for `count(D ...)`, `avg(D.f ...)`...; False for `min(a, b)`, `max(a, b)`, `round`."""
    name = call.func.name
    if name in ("min", "max"):
        return len(call.args) == 1
    return name in AGGREGATES


def aggregate_records(call: ast.Call) -> tuple[str | None, str | None]:
    """The dataset and field an aggregate reads: `avg(tickets.csat)` → ("tickets", "csat"),
    `count(tickets)` → ("tickets", None); (None, None) when the argument is not such a name."""
    if not call.args or not isinstance(call.args[0].expr, ast.Name):
        return None, None
    parts = call.args[0].expr.parts
    if len(parts) == 1:
        return parts[0], None
    if len(parts) == 2:
        return parts[0], parts[1]
    return None, None


def compatible(a: str | None, b: str | None) -> bool:
    """Whether values of types a and b may be compared: the same type, a plain number against any
    numeric type (and a percent), a date against a datetime, or either unknown."""
    if a is None or b is None or a == b:
        return True
    pair = {a, b}
    if pair <= NUMERIC and "number" in pair:
        return True
    return pair == {"date", "datetime"}


def literal_number(expr) -> Decimal | None:
    """The value of a numeric literal, with its sign (`-0.5`); None for anything else."""
    if isinstance(expr, ast.Unary) and expr.op in "+-":
        inner = literal_number(expr.operand)
        if inner is None:
            return None
        return -inner if expr.op == "-" else inner
    if isinstance(expr, ast.Literal) and expr.kind in NUMERIC:
        return expr.value
    return None


def article(kind: str | None) -> str:
    """'a percent', 'an amount of money', ... for messages."""
    if kind is None:
        return "a value of unknown type"
    words = {"money": "an amount of money", "text": "text", "bool": "a true/false value",
             "datetime": "a date and time", "duration": "a duration"}
    if kind in words:
        return words[kind]
    return f"an {kind}" if kind and kind[0] in "aeiou" else f"a {kind}"


class Scope:
    """Everything a policy declares, by name. Built once per policy; read-only afterwards.

    When a name is declared twice the first declaration wins here (the checker reports the second).
    """

    def __init__(self, policy: ast.Policy, text: str | None = None, *,
                 preset: ast.Policy | None = None, incomplete: bool = False):
        self.policy = policy
        self.text = text  # the source, for quoting expressions in messages (optional)
        # The preset `policy` extends (already merged into `policy`, see `merge_preset`).
        self.preset = preset
        # True when the policy extends a preset nobody provides: its declarations may be missing,
        # so an unknown name proves nothing.
        self.incomplete = incomplete
        # Derived data later stages compute once per policy (the checker keeps its list of
        # expression sites here).
        self.memo: dict[str, object] = {}
        self.datasets: dict[str, ast.Dataset] = {}
        self.fields: dict[str, dict[str, ast.Field]] = {}
        self.params: dict[str, ast.Param] = {}
        self.tags: dict[str, ast.CalendarTag] = {}
        self.items: dict[str, ast.Indicator | ast.Dimension] = {}
        self.parents: dict[str, ast.Dimension | None] = {}
        self.indicators: list[ast.Indicator] = []
        self.dimensions: list[ast.Dimension] = []
        self._parts: dict[int, Parts] = {}
        self.outcomes: dict[str, ast.Outcome | ast.Distribute | ast.Payout] = {}
        self._order: dict[int, int] = {}
        self._measure_types: dict[tuple[int, str | None], str | None] = {}
        self._param_types: dict[str, str | None] = {}

        for index, item in enumerate(policy.items):
            self._order[id(item)] = index
            if isinstance(item, ast.Dataset):
                if item.id.name not in self.datasets:
                    self.datasets[item.id.name] = item
                    fields: dict[str, ast.Field] = {}
                    for field in item.fields:
                        fields.setdefault(field.id.name, field)
                    self.fields[item.id.name] = fields
            elif isinstance(item, ast.Param):
                self.params.setdefault(item.id.name, item)
            elif isinstance(item, ast.Calendar):
                for tag in item.tags:
                    self.tags.setdefault(tag.id.name, tag)
            elif isinstance(item, (ast.Outcome, ast.Distribute, ast.Payout)):
                self.outcomes.setdefault(item.id.name, item)
        self._index_tree(policy.tree, None)

        # The roster dataset's name (None when `subject` names no dataset). A subject with `at`
        # is an error the checker reports; its fields still count as roster fields here.
        subject = policy.setting(ast.SubjectSetting)
        name = subject.dataset.name if subject else None
        self.subject: str | None = name if name in self.datasets else None

    def _index_tree(self, items, parent):
        stack = [(item, parent) for item in reversed(items)]
        while stack:
            item, parent = stack.pop()
            name = item.id.name
            if name not in self.items:
                self.items[name] = item
                self.parents[name] = parent
            if isinstance(item, ast.Dimension):
                self.dimensions.append(item)
                stack.extend((child, item) for child in reversed(item.items))
            else:
                self.indicators.append(item)
                named: dict[str, ast.Measure] = {}
                unnamed = None
                rules = []
                better = "higher"
                for part in item.items:
                    if isinstance(part, ast.Measure):
                        if part.name is not None:
                            named.setdefault(part.name.name, part)
                        elif unnamed is None:
                            unnamed = part
                    elif isinstance(part, ast.RULE_TYPES):
                        rules.append(part)
                    elif isinstance(part, ast.Better):
                        better = part.direction.name
                self._parts[id(item)] = Parts(unnamed, named, rules, better)

    # ---- declarations ------------------------------------------------------------------------

    def dataset(self, name: str) -> ast.Dataset | None:
        return self.datasets.get(name)

    def field(self, dataset: str, field: str) -> ast.Field | None:
        return self.fields.get(dataset, {}).get(field)

    def field_type(self, dataset: str, field: str) -> str | None:
        """The declared type of `dataset.field` (None when either is unknown or the type is not
        one of FIELD_TYPES)."""
        found = self.field(dataset, field)
        if found is None or found.type.name not in FIELD_TYPES:
            return None
        return found.type.name

    @property
    def roster(self) -> ast.Dataset | None:
        """The subject's dataset: one row per assessed person."""
        return self.datasets.get(self.subject) if self.subject else None

    @property
    def roster_fields(self) -> dict[str, ast.Field]:
        return self.fields.get(self.subject, {}) if self.subject else {}

    def param(self, name: str) -> ast.Param | None:
        return self.params.get(name)

    def param_type(self, name: str) -> str | None:
        """The type of a param's values (its base value, else its first typed `during` value)."""
        if name not in self._param_types:
            self._param_types[name] = None  # a param whose value names itself stays unknown
            param = self.params.get(name)
            found = None
            for value in param.values if param else ():
                found = self.infer_type(value.value)
                if found is not None:
                    break
            self._param_types[name] = found
        return self._param_types[name]

    def varies(self, name: str) -> bool:
        """True for a param with `during` values: its value depends on each record's time."""
        param = self.params.get(name)
        return bool(param and any(v.during is not None for v in param.values))

    def indicator(self, name: str) -> ast.Indicator | None:
        item = self.items.get(name)
        return item if isinstance(item, ast.Indicator) else None

    def item_path(self, item) -> str:
        """`process.on_time`: the ids from the top of the tree down to the item."""
        parts = [item.id.name]
        parent = self.parents.get(item.id.name)
        while parent is not None:
            parts.append(parent.id.name)
            parent = self.parents.get(parent.id.name)
        return ".".join(reversed(parts))

    def item_by_path(self, path: str | ast.Dotted):
        """The dimension or indicator a dotted path names: `process.on_time`, or just `on_time`
        (ids are unique in a policy). Leading parts must be ancestors of the item, in order, so
        heading dimensions may be left out. None when nothing matches."""
        parts = path.parts if isinstance(path, ast.Dotted) else tuple(path.split("."))
        item = self.items.get(parts[-1])
        if item is None:
            return None
        ancestors = self.item_path(item).split(".")[:-1]
        position = 0
        for part in parts[:-1]:
            try:
                position = ancestors.index(part, position) + 1
            except ValueError:
                return None
        return item

    def parts(self, indicator: ast.Indicator) -> Parts:
        """The indicator's measure, named measures, rules and direction."""
        found = self._parts.get(id(indicator))
        if found is None:  # an indicator from outside this policy
            found = Parts(indicator.value_measure, {m.name.name: m for m in indicator.measures if m.name},
                          indicator.rules, indicator.better)
        return found

    def named_measures(self, indicator: ast.Indicator) -> dict[str, ast.Measure]:
        return self.parts(indicator).named

    def measure_type(self, indicator: ast.Indicator, name: str | None = None) -> str | None:
        """The type of an indicator's own measure (name None), or of one of its named measures."""
        key = (id(indicator), name)
        if key not in self._measure_types:
            self._measure_types[key] = None  # guards against a measure that names itself
            parts = self.parts(indicator)
            measure = parts.measure if name is None else parts.named.get(name)
            if measure is not None:
                self._measure_types[key] = self.infer_type(measure.expr, indicator=indicator)
        return self._measure_types[key]

    def outcome_type(self, name: str) -> str | None:
        """The type of an outcome's, distribution's or payout's values (text for labels)."""
        node = self.outcomes.get(name)
        if isinstance(node, ast.Distribute):
            return "text"
        if isinstance(node, ast.Payout):
            return "money"
        for row in node.rows if node else ():
            found = self.infer_type(row.value)
            if found is not None:
                return found
        return None

    def declared_before(self, name: str, node) -> bool:
        """Whether the outcome or distribution `name` comes before `node` in the policy."""
        other = self.outcomes.get(name)
        return other is not None and self._order.get(id(other), 0) < self._order.get(id(node), 0)

    # ---- names -------------------------------------------------------------------------------

    def resolve(self, parts: tuple[str, ...], *, records: str | None = None,
                indicator: ast.Indicator | None = None,
                allow: frozenset[str] = EVERYTHING) -> Binding | None:
        """What a name means at a place.

        Inside a `where` over dataset `records`, a bare name is a field of those records, then a
        roster field, then a param. Elsewhere it is a param, a named measure of `indicator`,
        `value` (the indicator's own measure), a roster field, `total`, or an outcome /
        distribution / payout id, each only if `allow` admits that kind. `D.f` names a field of
        the records being filtered or of the roster. None when the name means nothing here.
        """
        if len(parts) == 2:
            dataset, name = parts
            field = self.field(dataset, name)
            if field is None:
                return None
            if records is not None and dataset == records:
                return Binding("field", self.field_type(dataset, name), field, dataset)
            if dataset == self.subject and (records is not None or "roster" in allow):
                return Binding("roster", self.field_type(dataset, name), field, dataset)
            return None
        if len(parts) != 1:
            return None
        name = parts[0]
        if records is not None:
            field = self.field(records, name)
            if field is not None:
                return Binding("field", self.field_type(records, name), field, records)
            field = self.roster_fields.get(name)
            if field is not None:
                return Binding("roster", self.field_type(self.subject, name), field, self.subject)
            if name in self.params:
                return Binding("param", self.param_type(name), self.params[name])
            return None
        if "params" in allow and name in self.params:
            return Binding("param", self.param_type(name), self.params[name])
        if indicator is not None:
            measures = self.named_measures(indicator)
            if "measures" in allow and name in measures:
                return Binding("measure", self.measure_type(indicator, name), measures[name])
            value = self.parts(indicator).measure
            if "value" in allow and name == "value" and value is not None:
                return Binding("value", self.measure_type(indicator), value)
        if "roster" in allow and name in self.roster_fields:
            return Binding("roster", self.field_type(self.subject, name), self.roster_fields[name],
                           self.subject)
        if "total" in allow and name == "total":
            return Binding("total", "number")
        if "outcomes" in allow and name in self.outcomes:
            node = self.outcomes[name]
            kind = {ast.Outcome: "outcome", ast.Distribute: "distribution", ast.Payout: "payout"}
            return Binding(kind[type(node)], self.outcome_type(name), node)
        return None

    def names(self, *, records: str | None = None, indicator: ast.Indicator | None = None,
              allow: frozenset[str] = EVERYTHING) -> Iterator[str]:
        """Every name `resolve` would accept at such a place (for "did you mean" hints)."""
        if records is not None:
            yield from self.fields.get(records, {})
            yield from self.roster_fields
            yield from self.params
            return
        if "params" in allow:
            yield from self.params
        if indicator is not None:
            if "measures" in allow:
                yield from self.named_measures(indicator)
            if "value" in allow and self.parts(indicator).measure is not None:
                yield "value"
        if "roster" in allow:
            yield from self.roster_fields
        if "total" in allow:
            yield "total"
        if "outcomes" in allow:
            yield from self.outcomes

    # ---- types -------------------------------------------------------------------------------

    def infer_type(self, expr, *, records: str | None = None,
                   indicator: ast.Indicator | None = None, report: Report | None = None) -> str | None:
        """The type of `expr` (one of TYPES, or None when unknown).

        `records` is the dataset whose `where` the expression sits in, `indicator` the indicator
        whose measures it may name. With `report`, every type error met on the way is passed to
        `report(node, message, hint)`; without it the inference is silent.
        """
        return _Typer(self, report).infer(expr, records, indicator)


def infer_type(expr, scope: Scope, *, records: str | None = None,
               indicator: ast.Indicator | None = None) -> str | None:
    """The type of an expression: one of `percent duration money number text bool date datetime`,
    or None when it is unknown (a blank, or a name that does not resolve)."""
    return scope.infer_type(expr, records=records, indicator=indicator)


# ---- the type rules ----------------------------------------------------------------------------

class _Typer:
    """One walk over an expression: types bottom-up, reporting what does not fit."""

    def __init__(self, scope: Scope, report: Report | None):
        self.scope = scope
        self.report = report or (lambda node, message, hint=None: None)

    def infer(self, expr, records, indicator) -> str | None:
        method = getattr(self, type(expr).__name__, None)
        return method(expr, records, indicator) if method else None

    def Literal(self, expr, records, indicator):
        return None if expr.kind == "blank" else expr.kind

    def Name(self, expr, records, indicator):
        binding = self.scope.resolve(expr.parts, records=records, indicator=indicator)
        return binding.type if binding else None

    def Position(self, expr, records, indicator):
        return "bool"

    def IsMissing(self, expr, records, indicator):
        self.infer(expr.operand, records, indicator)
        return "bool"

    def Unary(self, expr, records, indicator):
        inner = self.infer(expr.operand, records, indicator)
        if expr.op == "not":
            self.condition(expr.operand, inner, "`not`")
            return "bool"
        if inner is not None and inner not in NUMERIC:
            self.report(expr, f"'{expr.op}' needs a number, not {article(inner)}", None)
            return None
        return inner

    def condition(self, node, kind, where):
        if kind is not None and kind != "bool":
            self.report(node, f"{where} needs a condition (true or false), but this is {article(kind)}",
                        None)

    def BinOp(self, expr, records, indicator):
        left = self.infer(expr.left, records, indicator)
        right = self.infer(expr.right, records, indicator)
        if expr.op in ("and", "or"):
            self.condition(expr.left, left, f"`{expr.op}`")
            self.condition(expr.right, right, f"`{expr.op}`")
            return "bool"
        for side, kind in ((expr.left, left), (expr.right, right)):
            if kind is not None and kind not in NUMERIC and kind not in ("date", "datetime"):
                self.report(side, f"'{expr.op}' needs numbers, not {article(kind)}", None)
                return None
        if left is None or right is None:  # a blank or an unknown name: keep what is known
            return left if expr.op == "/" else left or right
        return self.arithmetic(expr, left, right)

    def arithmetic(self, expr, left, right):
        op = expr.op
        dates = ("date", "datetime")
        if left in dates or right in dates:
            if op == "-" and left in dates and right in dates:
                return "duration"
            if op in "+-" and left in dates and right == "duration":
                return left
            if op == "+" and right in dates and left == "duration":
                return right
            self.report(expr, _cannot(op, left, right), None)
            return None
        if op in "+-":
            if left == right:
                return left
            if "number" in (left, right):
                return right if left == "number" else left
            self.report(expr.right, _cannot(op, left, right),
                        "both sides of + and - must be in the same unit")
            return None
        if op == "*":
            if left in ("number", "percent"):
                return right
            if right in ("number", "percent"):
                return left
            self.report(expr, _cannot(op, left, right), None)
            return None
        # division
        if left == right:
            return "number"
        if right in ("number", "percent"):
            return left
        return None  # a rate such as count per hour: a unit of its own, left untyped

    def Compare(self, expr, records, indicator):
        left = self.infer(expr.left, records, indicator)
        right = self.infer(expr.right, records, indicator)
        self.comparable(expr.right, left, right, expr.left)
        if expr.op not in ("=", "!=") and left in ("text", "bool"):
            self.report(expr, f"{article(left)} can only be compared with = or !=", None)
        return "bool"

    def comparable(self, node, expected, found, against=None):
        """Report `node` (of type `found`) where a value of type `expected` is wanted."""
        if isinstance(against, ast.Name) and against.parts == ("total",):
            slip = points_slip(node, found)
            if slip:
                self.report(node, *slip)
                return
        if not compatible(expected, found):
            what = f" ({self.quoted(against)})" if against is not None else ""
            self.report(node, f"cannot compare {article(expected)}{what} with {article(found)}",
                        None)
            return
        slip = percent_slip(expected, node)
        if slip:
            self.report(node, *slip)

    def quoted(self, node) -> str:
        """The node as the policy writes it."""
        text = self.scope.text
        if text and node.span.end > node.span.start:
            return " ".join(text[node.span.start:node.span.end].split())
        return str(node) if isinstance(node, ast.Name) else "the other side"

    def InList(self, expr, records, indicator):
        operand = self.infer(expr.operand, records, indicator)
        for option in expr.options:
            self.comparable(option, operand, self.infer(option, records, indicator), expr.operand)
        return "bool"

    def Call(self, expr, records, indicator):
        name = expr.func.name
        if not is_aggregate(expr):
            kinds = [self.infer(arg.expr, records, indicator) for arg in expr.args]
            if name in ("min", "max") and len(kinds) == 2:
                a, b = kinds
                if not compatible(a, b):
                    self.report(expr, f"cannot take the {name} of {article(a)} and {article(b)}",
                                "both arguments must be in the same unit")
                    return None
                if a is not None and a not in ORDERED:
                    self.report(expr.args[0], f"{name} needs numbers, not {article(a)}", None)
                    return None
                return b if a in (None, "number") else a
            if name == "round" and kinds:
                if kinds[0] is not None and kinds[0] not in NUMERIC:
                    self.report(expr.args[0], f"round needs a number, not {article(kinds[0])}", None)
                    return None
                return kinds[0]
            return None
        dataset, field = aggregate_records(expr)
        if dataset is not None and dataset in self.scope.datasets:
            for arg in expr.args[:1]:
                if arg.where is not None:
                    kind = self.infer(arg.where, dataset, indicator)
                    self.condition(arg.where, kind, "`where`")
        for arg in expr.args[1:]:
            kind = self.infer(arg.expr, records, indicator)
            if name == "percentile" and kind not in (None, "percent"):
                self.report(arg.expr, f"the rank of a percentile is a percent like 90%, "
                                      f"not {article(kind)}", None)
        if name == "count":
            return "number"
        if name == "share":
            return "percent"
        if dataset is None or field is None:
            return None
        kind = self.scope.field_type(dataset, field)
        if kind is None or name in ("first", "last"):
            return kind
        allowed = _AGGREGATE_TYPES[name]
        if kind not in allowed:
            self.report(expr.args[0], f"{name} needs {_AGGREGATE_NEEDS[name]}, but {dataset}.{field} is "
                                      f"{article(kind)}", None)
            return None
        return allowed[kind]


def _cannot(op: str, left: str, right: str) -> str:
    if op in "+-":
        return f"cannot {'add' if op == '+' else 'subtract'} {article(left)} and {article(right)}"
    return f"cannot {'multiply' if op == '*' else 'divide'} {article(left)} by {article(right)}"


_SUMMABLE = {"number": "number", "duration": "duration", "money": "money"}
_AGGREGATE_TYPES = {
    "sum": {**_SUMMABLE, "bool": "number"},
    "avg": {**_SUMMABLE, "bool": "percent"},
    "median": dict(_SUMMABLE),
    "percentile": dict(_SUMMABLE),
    "min": {**_SUMMABLE, "date": "date", "datetime": "datetime"},
    "max": {**_SUMMABLE, "date": "date", "datetime": "datetime"},
}
_AGGREGATE_NEEDS = {"sum": "numbers or true/false values", "avg": "numbers or true/false values",
                    "median": "numbers", "percentile": "numbers", "min": "numbers or dates",
                    "max": "numbers or dates"}


def percent_slip(expected: str | None, node) -> tuple[str, str] | None:
    """A plain number above 1 where a percent is compared is almost surely a missing `%`:
    (message, hint) for it, else None."""
    if expected != "percent":
        return None
    literal = node.operand if isinstance(node, ast.Unary) else node
    value = literal_number(node)
    if not isinstance(literal, ast.Literal) or literal.kind != "number" or abs(value) <= 1:
        return None
    return (f"this is compared with a percent, so {plain(value)} means {plain(value * 100)}%",
            f"did you mean {plain(value)}%?")


def points_slip(node, kind: str | None) -> tuple[str, str | None] | None:
    """A percent compared with the total, which is in points: (message, hint), else None."""
    if kind != "percent":
        return None
    value = literal_number(node)
    return ("the total is in points, not a percent",
            f"did you mean {plain(value * 100)}?" if value is not None else None)


# ---- presets -------------------------------------------------------------------------------------

_SETTING_TYPES = (ast.PeriodSetting, ast.SubjectSetting, ast.ScaleSetting, ast.RoundSetting,
                  ast.MissingSetting, ast.TotalSetting)
_NAMED = (ast.Dataset, ast.Param, ast.Outcome, ast.Distribute, ast.Payout, ast.Variant)


def merge_preset(preset: ast.Policy, policy: ast.Policy, anchor: ast.Span | None = None) -> ast.Policy:
    """The policy that `policy extends preset` means (LANGUAGE.md, "A policy").

    Items with the same id replace the preset's where they stand (a top-level indicator of the
    policy replaces a preset indicator nested in a dimension too), `drop` removes one, the
    policy's settings, params and calendar tags override the preset's, and everything else the
    policy declares comes after the preset's. With `anchor`, every node taken from the preset gets
    that span, so a diagnostic about preset content points at the `extends` clause.
    """
    if anchor is not None:
        preset = _anchored(preset, anchor)
    own_tree = {item.id.name: item for item in policy.tree}
    own_named = {(type(item), item.id.name): item for item in policy.items if isinstance(item, _NAMED)}
    own_settings = {type(item) for item in policy.items if isinstance(item, _SETTING_TYPES)}
    own_tags = {tag.id.name for calendar in policy.of(ast.Calendar) for tag in calendar.tags}
    dropped = {drop.path.parts[-1] for drop in policy.of(ast.Drop)}
    used: set[int] = set()

    def tree(items):
        result = []
        for item in items:
            name = item.id.name
            if name in dropped:
                continue
            if name in own_tree:
                used.add(id(own_tree[name]))
                result.append(own_tree[name])
            elif isinstance(item, ast.Dimension):
                result.append(replace(item, items=tuple(tree(item.items))))
            else:
                result.append(item)
        return result

    merged = []
    for item in preset.items:
        if isinstance(item, _SETTING_TYPES) and type(item) in own_settings:
            continue
        if isinstance(item, (ast.Dimension, ast.Indicator)):
            merged.extend(tree([item]))
        elif isinstance(item, _NAMED) and (type(item), item.id.name) in own_named:
            replacement = own_named[(type(item), item.id.name)]
            used.add(id(replacement))
            merged.append(replacement)
        elif isinstance(item, ast.Calendar):
            tags = tuple(tag for tag in item.tags if tag.id.name not in own_tags)
            merged.append(replace(item, tags=tags))
        else:
            merged.append(item)
    merged.extend(item for item in policy.items if id(item) not in used)
    return replace(policy, items=tuple(merged), role=policy.role or preset.role)


def _anchored(node, span: ast.Span):
    """A copy of a syntax tree with every span set to `span`."""
    if isinstance(node, tuple):
        return tuple(_anchored(item, span) for item in node)
    if not is_dataclass(node) or not isinstance(node, ast.Node):
        return node
    changes = {f.name: _anchored(getattr(node, f.name), span) for f in fields(node)
               if f.name != "span"}
    return replace(node, span=span, **changes)
