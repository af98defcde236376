"""The policy's syntax tree: one frozen dataclass per grammar rule, each with its source span.

Spans never take part in equality, so two parses of the same meaning compare equal whatever the
layout (the formatter's tests rely on it). Literal spellings (`30min` vs `1800s`) are kept for the
formatter but do not take part in equality either.
"""
from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import date
from decimal import Decimal
from operator import attrgetter
from typing import Union

from .span import NO_SPAN, Span  # noqa: F401  (the rest of the package takes them from here)


def _span():
    return field(default=NO_SPAN, compare=False, repr=False, kw_only=True)


def node(cls):
    """`@dataclass(frozen=True)`, with `__eq__`, `__hash__` and `__repr__` written once, in
    `Node`: dataclass compiles each method it writes for each class (some 35 ms at every start
    for the ~70 classes here), and these three differ only in the fields they read, which each
    class keeps as tuples (so `__dataclass_params__` shows no eq or repr of dataclass's own).
    tests/test_ast.py holds every class against what dataclass would make of it."""
    cls = dataclass(frozen=True, eq=False, repr=False)(cls)
    cls._compared = _values_of(tuple(f.name for f in fields(cls) if f.compare))
    cls._shown = tuple(f.name for f in fields(cls) if f.repr)
    return cls


def _values_of(names: tuple[str, ...]):
    """A function giving the tuple of an instance's `names` fields (as dataclass compares them)."""
    if len(names) > 1:
        return staticmethod(attrgetter(*names))
    if names:
        get = attrgetter(*names)
        return staticmethod(lambda instance: (get(instance),))
    return staticmethod(lambda instance: ())


@node
class Node:
    span: Span = _span()

    def __eq__(self, other):
        if other.__class__ is self.__class__:
            return self._compared(self) == other._compared(other)
        return NotImplemented

    def __hash__(self):
        return hash(self._compared(self))

    def __repr__(self):
        shown = ", ".join(f"{name}={getattr(self, name)!r}" for name in self._shown)
        return f"{self.__class__.__qualname__}({shown})"


# ---- names ---------------------------------------------------------------------------------

@node
class Ident(Node):
    """An identifier where the policy defines or refers to something: `staff`, `on_time`."""
    name: str


@node
class Dotted(Node):
    """A dotted path outside expressions: `ecommerce_cs.small`, `process.on_time`."""
    parts: tuple[str, ...]

    def __str__(self) -> str:
        return ".".join(self.parts)


# ---- expressions -------------------------------------------------------------------------

@node
class Literal(Node):
    """`95%` (kind percent, value 0.95), `30min` (duration, 1800), `200元` (money), `4.5` (number),
    `"优秀"` (text), `2026-11-01` (date), `true` (bool), `?` (blank, value None)."""
    kind: str
    value: Decimal | str | date | bool | None
    text: str = field(default="", compare=False)


@node
class Name(Node):
    """A reference inside an expression: a param, measure, field, `value`, `total`, `tickets.csat`."""
    parts: tuple[str, ...]

    def __str__(self) -> str:
        return ".".join(self.parts)


@node
class Arg(Node):
    """One argument of a call, with the `where` filter aggregates take: `tickets where x > 1`."""
    expr: "Expr"
    where: "Expr | None" = None


@node
class Call(Node):
    """`share(tickets where ...)`, `avg(tickets.csat)`, `min(a, b)`, `round(a, 2)`."""
    func: Ident
    args: tuple[Arg, ...]


@node
class BinOp(Node):
    """Arithmetic `+ - * /` and the boolean `and` / `or`."""
    op: str
    left: "Expr"
    right: "Expr"


@node
class Unary(Node):
    """`-x`, `+x`, `not c`."""
    op: str
    operand: "Expr"


@node
class Compare(Node):
    """`a >= b`; `op` is normalised (`≥` reads as `>=`)."""
    op: str
    left: "Expr"
    right: "Expr"


@node
class InList(Node):
    """`channel in ("电话", "在线")`."""
    operand: "Expr"
    options: tuple["Expr", ...]


@node
class IsMissing(Node):
    """`csat is missing` (or `is not missing` when negated)."""
    operand: "Expr"
    negated: bool = False


@node
class Position(Node):
    """`last within team` / `first within team` in an action condition."""
    which: Ident
    group: Ident


Expr = Union[Literal, Name, Call, BinOp, Unary, Compare, InList, IsMissing, Position]


# ---- rows of tables (bands, map, exceptions, outcomes, distributions, payouts) ------------

@node
class TestCompare(Node):
    op: str
    bound: Expr


@node
class TestInterval(Node):
    low: Expr
    high: Expr
    low_closed: bool
    high_closed: bool


@node
class TestElse(Node):
    pass


@node
class TestMissing(Node):
    pass


@node
class TestWhen(Node):
    condition: Expr


@node
class TestLabel(Node):
    text: str


@node
class TestTop(Node):
    share: Expr


@node
class TestBottom(Node):
    share: Expr


@node
class TestRank(Node):
    rank: Expr


Test = Union[TestCompare, TestInterval, TestElse, TestMissing, TestWhen, TestLabel, TestTop,
             TestBottom, TestRank]


@node
class Row(Node):
    """`>= 90% : 80`, `>= 80% : 8 ~ 12` (`upto` is the interpolation end), `"很满意" : 3`."""
    test: Test
    value: Expr
    upto: Expr | None = None


# ---- indicator parts ---------------------------------------------------------------------

@node
class Weight(Node):
    value: Expr


@node
class Points(Node):
    value: Expr


Share = Union[Weight, Points]


@node
class Define(Node):
    text: str


@node
class Source(Node):
    text: str


@node
class Better(Node):
    direction: Ident


@node
class Measure(Node):
    """`measure share(...)` (name None: the indicator's value) or `measure d1 = ...`."""
    expr: Expr
    name: Ident | None = None


@node
class Bands(Node):
    rows: tuple[Row, ...]


@node
class Map(Node):
    rows: tuple[Row, ...]


@node
class Linear(Node):
    """`linear BASE at ORIGIN, SLOPE per STEP[, min LO][, max HI]`."""
    base: Expr
    origin: Expr
    slope: Expr
    step: Expr
    low: Expr | None = None
    high: Expr | None = None
    exceptions: tuple[Row, ...] = ()


@node
class Formula(Node):
    expr: Expr
    exceptions: tuple[Row, ...] = ()


@node
class Rank(Node):
    group: Ident
    low: Expr
    high: Expr
    exceptions: tuple[Row, ...] = ()


Rule = Union[Bands, Map, Linear, Formula, Rank]
RULE_TYPES = (Bands, Map, Linear, Formula, Rank)


@node
class Veto(Node):
    """`veto "label" if C`, inside an indicator (score 0) or a policy (total 0)."""
    condition: Expr
    label: str | None = None


@node
class Indicator(Node):
    id: Ident
    label: str | None
    share: Share | None
    items: tuple  # Define | Source | Better | Measure | Rule | Veto, in source order

    def _of(self, kind):
        return [item for item in self.items if isinstance(item, kind)]

    @property
    def measures(self) -> list[Measure]:
        return self._of(Measure)

    @property
    def value_measure(self) -> Measure | None:
        return next((m for m in self.measures if m.name is None), None)

    @property
    def rules(self) -> list[Rule]:
        return self._of(RULE_TYPES)

    @property
    def rule(self) -> Rule | None:
        rules = self.rules
        return rules[0] if rules else None

    @property
    def vetoes(self) -> list[Veto]:
        return self._of(Veto)

    def text_of(self, kind) -> str | None:
        found = self._of(kind)
        return found[0].text if found else None

    @property
    def better(self) -> str:
        found = self._of(Better)
        return found[0].direction.name if found else "higher"


@node
class Dimension(Node):
    id: Ident
    label: str | None
    share: Share | None
    items: tuple  # Dimension | Indicator


# ---- policy-level blocks -----------------------------------------------------------------

@node
class PeriodSetting(Node):
    kind: Ident


@node
class SubjectSetting(Node):
    dataset: Ident


@node
class ScaleSetting(Node):
    value: Expr


@node
class RoundSetting(Node):
    value: Expr


@node
class MissingSetting(Node):
    mode: Ident


@node
class TotalSetting(Node):
    low: Expr | None = None
    high: Expr | None = None


@node
class ParamValue(Node):
    value: Expr
    during: Ident | None = None


@node
class Param(Node):
    id: Ident
    label: str | None
    values: tuple[ParamValue, ...]


@node
class DateRange(Node):
    start: date
    end: date


@node
class CalendarTag(Node):
    id: Ident
    label: str | None
    ranges: tuple[DateRange, ...]


@node
class Calendar(Node):
    tags: tuple[CalendarTag, ...]


@node
class Field(Node):
    id: Ident
    type: Ident
    nullable: bool = False


@node
class Dataset(Node):
    id: Ident
    label: str | None
    person: Ident
    at: Ident | None
    fields: tuple[Field, ...]
    key: Ident | None = None  # a field identifying each record: no two records may share it


@node
class AdjustEach(Node):
    amount: Expr
    dataset: Ident
    where: Expr | None = None


@node
class AdjustIf(Node):
    amount: Expr
    condition: Expr


@node
class AdjustMin(Node):
    value: Expr


@node
class AdjustMax(Node):
    value: Expr


@node
class Adjust(Node):
    label: str | None
    rows: tuple  # AdjustEach | AdjustIf | AdjustMin | AdjustMax


@node
class Outcome(Node):
    id: Ident
    label: str | None
    by: Ident
    rows: tuple[Row, ...]


@node
class Distribute(Node):
    id: Ident
    label: str | None
    within: Ident | None
    by: Ident
    rows: tuple[Row, ...]


@node
class Payout(Node):
    id: Ident
    label: str | None
    within: Ident | None
    by: Ident
    rows: tuple[Row, ...]


@node
class Action(Node):
    label: str
    condition: Expr
    periods: Expr | None = None


@node
class VariantWeight(Node):
    path: Dotted
    value: Expr


@node
class VariantPoints(Node):
    path: Dotted
    value: Expr


@node
class VariantParam(Node):
    id: Ident
    value: Expr


@node
class Variant(Node):
    id: Ident
    label: str | None
    rows: tuple  # VariantWeight | VariantPoints | VariantParam


@node
class DocRow(Node):
    key: Ident
    texts: tuple[str, ...]


@node
class Doc(Node):
    rows: tuple[DocRow, ...]


@node
class ScheduleBy(Node):
    task: str
    unit: Ident
    value: Expr


@node
class ScheduleWithin(Node):
    task: str
    value: Expr
    unit: Ident


@node
class Schedule(Node):
    rows: tuple  # ScheduleBy | ScheduleWithin


@node
class Drop(Node):
    path: Dotted


@node
class Policy(Node):
    id: Ident
    label: str | None
    extends: Dotted | None
    role: str | None
    items: tuple  # every policy-level block, in source order

    def of(self, kind) -> list:
        return [item for item in self.items if isinstance(item, kind)]

    def setting(self, kind):
        found = self.of(kind)
        return found[-1] if found else None

    @property
    def tree(self) -> list:
        """The top-level dimensions and indicators."""
        return self.of((Dimension, Indicator))


@node
class Comment(Node):
    text: str


@node
class PolicyFile(Node):
    policies: tuple[Policy, ...]
    comments: tuple[Comment, ...] = field(default=(), compare=False)
