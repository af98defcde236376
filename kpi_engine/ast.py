"""The policy's syntax tree: one frozen dataclass per grammar rule, each with its source span.

Spans never take part in equality, so two parses of the same meaning compare equal whatever the
layout (the formatter's tests rely on it). Literal spellings (`30min` vs `1800s`) are kept for the
formatter but do not take part in equality either.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Union

from .span import NO_SPAN, Span  # noqa: F401  (the rest of the package takes them from here)


def _span():
    return field(default=NO_SPAN, compare=False, repr=False, kw_only=True)


@dataclass(frozen=True)
class Node:
    span: Span = _span()


# ---- names ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class Ident(Node):
    """An identifier where the policy defines or refers to something: `staff`, `on_time`."""
    name: str


@dataclass(frozen=True)
class Dotted(Node):
    """A dotted path outside expressions: `ecommerce_cs.small`, `process.on_time`."""
    parts: tuple[str, ...]

    def __str__(self) -> str:
        return ".".join(self.parts)


# ---- expressions -------------------------------------------------------------------------

@dataclass(frozen=True)
class Literal(Node):
    """`95%` (kind percent, value 0.95), `30min` (duration, 1800), `200元` (money), `4.5` (number),
    `"优秀"` (text), `2026-11-01` (date), `true` (bool), `?` (blank, value None)."""
    kind: str
    value: Decimal | str | date | bool | None
    text: str = field(default="", compare=False)


@dataclass(frozen=True)
class Name(Node):
    """A reference inside an expression: a param, measure, field, `value`, `total`, `tickets.csat`."""
    parts: tuple[str, ...]

    def __str__(self) -> str:
        return ".".join(self.parts)


@dataclass(frozen=True)
class Arg(Node):
    """One argument of a call, with the `where` filter aggregates take: `tickets where x > 1`."""
    expr: "Expr"
    where: "Expr | None" = None


@dataclass(frozen=True)
class Call(Node):
    """`share(tickets where ...)`, `avg(tickets.csat)`, `min(a, b)`, `round(a, 2)`."""
    func: Ident
    args: tuple[Arg, ...]


@dataclass(frozen=True)
class BinOp(Node):
    """Arithmetic `+ - * /` and the boolean `and` / `or`."""
    op: str
    left: "Expr"
    right: "Expr"


@dataclass(frozen=True)
class Unary(Node):
    """`-x`, `+x`, `not c`."""
    op: str
    operand: "Expr"


@dataclass(frozen=True)
class Compare(Node):
    """`a >= b`; `op` is normalised (`≥` reads as `>=`)."""
    op: str
    left: "Expr"
    right: "Expr"


@dataclass(frozen=True)
class InList(Node):
    """`channel in ("电话", "在线")`."""
    operand: "Expr"
    options: tuple["Expr", ...]


@dataclass(frozen=True)
class IsMissing(Node):
    """`csat is missing` (or `is not missing` when negated)."""
    operand: "Expr"
    negated: bool = False


@dataclass(frozen=True)
class Position(Node):
    """`last within team` / `first within team` in an action condition."""
    which: Ident
    group: Ident


Expr = Union[Literal, Name, Call, BinOp, Unary, Compare, InList, IsMissing, Position]


# ---- rows of tables (bands, map, exceptions, outcomes, distributions, payouts) ------------

@dataclass(frozen=True)
class TestCompare(Node):
    op: str
    bound: Expr


@dataclass(frozen=True)
class TestInterval(Node):
    low: Expr
    high: Expr
    low_closed: bool
    high_closed: bool


@dataclass(frozen=True)
class TestElse(Node):
    pass


@dataclass(frozen=True)
class TestMissing(Node):
    pass


@dataclass(frozen=True)
class TestWhen(Node):
    condition: Expr


@dataclass(frozen=True)
class TestLabel(Node):
    text: str


@dataclass(frozen=True)
class TestTop(Node):
    share: Expr


@dataclass(frozen=True)
class TestBottom(Node):
    share: Expr


@dataclass(frozen=True)
class TestRank(Node):
    rank: Expr


Test = Union[TestCompare, TestInterval, TestElse, TestMissing, TestWhen, TestLabel, TestTop,
             TestBottom, TestRank]


@dataclass(frozen=True)
class Row(Node):
    """`>= 90% : 80`, `>= 80% : 8 ~ 12` (`upto` is the interpolation end), `"很满意" : 3`."""
    test: Test
    value: Expr
    upto: Expr | None = None


# ---- indicator parts ---------------------------------------------------------------------

@dataclass(frozen=True)
class Weight(Node):
    value: Expr


@dataclass(frozen=True)
class Points(Node):
    value: Expr


Share = Union[Weight, Points]


@dataclass(frozen=True)
class Define(Node):
    text: str


@dataclass(frozen=True)
class Source(Node):
    text: str


@dataclass(frozen=True)
class Better(Node):
    direction: Ident


@dataclass(frozen=True)
class Measure(Node):
    """`measure share(...)` (name None: the indicator's value) or `measure d1 = ...`."""
    expr: Expr
    name: Ident | None = None


@dataclass(frozen=True)
class Bands(Node):
    rows: tuple[Row, ...]


@dataclass(frozen=True)
class Map(Node):
    rows: tuple[Row, ...]


@dataclass(frozen=True)
class Linear(Node):
    """`linear BASE at ORIGIN, SLOPE per STEP[, min LO][, max HI]`."""
    base: Expr
    origin: Expr
    slope: Expr
    step: Expr
    low: Expr | None = None
    high: Expr | None = None
    exceptions: tuple[Row, ...] = ()


@dataclass(frozen=True)
class Formula(Node):
    expr: Expr
    exceptions: tuple[Row, ...] = ()


@dataclass(frozen=True)
class Rank(Node):
    group: Ident
    low: Expr
    high: Expr
    exceptions: tuple[Row, ...] = ()


Rule = Union[Bands, Map, Linear, Formula, Rank]
RULE_TYPES = (Bands, Map, Linear, Formula, Rank)


@dataclass(frozen=True)
class Veto(Node):
    """`veto "label" if C`, inside an indicator (score 0) or a policy (total 0)."""
    condition: Expr
    label: str | None = None


@dataclass(frozen=True)
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


@dataclass(frozen=True)
class Dimension(Node):
    id: Ident
    label: str | None
    share: Share | None
    items: tuple  # Dimension | Indicator


# ---- policy-level blocks -----------------------------------------------------------------

@dataclass(frozen=True)
class PeriodSetting(Node):
    kind: Ident


@dataclass(frozen=True)
class SubjectSetting(Node):
    dataset: Ident


@dataclass(frozen=True)
class ScaleSetting(Node):
    value: Expr


@dataclass(frozen=True)
class RoundSetting(Node):
    value: Expr


@dataclass(frozen=True)
class MissingSetting(Node):
    mode: Ident


@dataclass(frozen=True)
class TotalSetting(Node):
    low: Expr | None = None
    high: Expr | None = None


@dataclass(frozen=True)
class ParamValue(Node):
    value: Expr
    during: Ident | None = None


@dataclass(frozen=True)
class Param(Node):
    id: Ident
    label: str | None
    values: tuple[ParamValue, ...]


@dataclass(frozen=True)
class DateRange(Node):
    start: date
    end: date


@dataclass(frozen=True)
class CalendarTag(Node):
    id: Ident
    label: str | None
    ranges: tuple[DateRange, ...]


@dataclass(frozen=True)
class Calendar(Node):
    tags: tuple[CalendarTag, ...]


@dataclass(frozen=True)
class Field(Node):
    id: Ident
    type: Ident
    nullable: bool = False


@dataclass(frozen=True)
class Dataset(Node):
    id: Ident
    label: str | None
    person: Ident
    at: Ident | None
    fields: tuple[Field, ...]
    key: Ident | None = None  # a field identifying each record: no two records may share it


@dataclass(frozen=True)
class AdjustEach(Node):
    amount: Expr
    dataset: Ident
    where: Expr | None = None


@dataclass(frozen=True)
class AdjustIf(Node):
    amount: Expr
    condition: Expr


@dataclass(frozen=True)
class AdjustMin(Node):
    value: Expr


@dataclass(frozen=True)
class AdjustMax(Node):
    value: Expr


@dataclass(frozen=True)
class Adjust(Node):
    label: str | None
    rows: tuple  # AdjustEach | AdjustIf | AdjustMin | AdjustMax


@dataclass(frozen=True)
class Outcome(Node):
    id: Ident
    label: str | None
    by: Ident
    rows: tuple[Row, ...]


@dataclass(frozen=True)
class Distribute(Node):
    id: Ident
    label: str | None
    within: Ident | None
    by: Ident
    rows: tuple[Row, ...]


@dataclass(frozen=True)
class Payout(Node):
    id: Ident
    label: str | None
    within: Ident | None
    by: Ident
    rows: tuple[Row, ...]


@dataclass(frozen=True)
class Action(Node):
    label: str
    condition: Expr
    periods: Expr | None = None


@dataclass(frozen=True)
class VariantWeight(Node):
    path: Dotted
    value: Expr


@dataclass(frozen=True)
class VariantPoints(Node):
    path: Dotted
    value: Expr


@dataclass(frozen=True)
class VariantParam(Node):
    id: Ident
    value: Expr


@dataclass(frozen=True)
class Variant(Node):
    id: Ident
    label: str | None
    rows: tuple  # VariantWeight | VariantPoints | VariantParam


@dataclass(frozen=True)
class DocRow(Node):
    key: Ident
    texts: tuple[str, ...]


@dataclass(frozen=True)
class Doc(Node):
    rows: tuple[DocRow, ...]


@dataclass(frozen=True)
class ScheduleBy(Node):
    task: str
    unit: Ident
    value: Expr


@dataclass(frozen=True)
class ScheduleWithin(Node):
    task: str
    value: Expr
    unit: Ident


@dataclass(frozen=True)
class Schedule(Node):
    rows: tuple  # ScheduleBy | ScheduleWithin


@dataclass(frozen=True)
class Drop(Node):
    path: Dotted


@dataclass(frozen=True)
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


@dataclass(frozen=True)
class Comment(Node):
    text: str


@dataclass(frozen=True)
class PolicyFile(Node):
    policies: tuple[Policy, ...]
    comments: tuple[Comment, ...] = field(default=(), compare=False)
