"""What the compiler knows about a policy before it writes SQL: datasets and their fields, the
roster, params (with --set values applied and `during` values), calendar tags, the periods being
computed and the variants active in each."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from .. import ast
from ..errors import ScoringError
from .periods import Period

# DECIMAL scale each declared field type loads with (execute/load.py creates the tables).
FIELD_SCALES = {"number": 10, "money": 4, "duration": 6}
NUMERIC_KINDS = ("number", "money", "duration", "percent")
STORED_CONDITIONS = "__ledger_conditions"   # columns __ledger_pid, __ledger_period, __ledger_ac_<n>


@dataclass
class ParamInfo:
    node: ast.Param
    base: ast.Expr
    during: list[tuple[str, ast.Expr]]


@dataclass
class Context:
    policy: ast.Policy
    periods: list[Period]                      # newest first: periods[0] is the one scored
    datasets: dict[str, ast.Dataset]
    roster: ast.Dataset
    params: dict[str, ParamInfo]
    calendar: dict[str, list[tuple[date, date]]]
    variants_by_period: list[list[ast.Variant]] = field(default_factory=list)
    # Earlier periods whose action conditions come from the results ledger (their data is gone),
    # read from the table STORED_CONDITIONS the caller loads.
    stored_periods: tuple[int, ...] = ()
    # Appeal adjustments (person id → amount) added to the scored period's adjustments.
    appeal_adjustments: dict[str, Decimal] = field(default_factory=dict)

    @property
    def roster_fields(self) -> dict[str, ast.Field]:
        return {f.id.name: f for f in self.roster.fields}

    def fields(self, dataset: str) -> dict[str, ast.Field]:
        return {f.id.name: f for f in self.datasets[dataset].fields}

    def scale(self) -> Decimal:
        node = self.policy.setting(ast.ScaleSetting)
        return node.value.value if node else Decimal(100)

    def round_digits(self) -> int:
        node = self.policy.setting(ast.RoundSetting)
        return int(node.value.value) if node else 2

    def missing_mode(self) -> str:
        node = self.policy.setting(ast.MissingSetting)
        return node.mode.name if node else "exclude"


def build_context(policy: ast.Policy, periods: list[Period], settings: dict[str, ast.Literal]) -> Context:
    datasets = {d.id.name: d for d in policy.of(ast.Dataset)}
    subject = policy.setting(ast.SubjectSetting)
    if subject is None or subject.dataset.name not in datasets:
        raise ScoringError(f"policy {policy.id.name}: no `subject` roster dataset to score")
    calendar: dict[str, list[tuple[date, date]]] = {}
    for block in policy.of(ast.Calendar):
        for tag in block.tags:
            calendar.setdefault(tag.id.name, []).extend((r.start, r.end) for r in tag.ranges)
    params = {}
    for param in policy.of(ast.Param):
        base = next((v.value for v in param.values if v.during is None), param.values[0].value)
        during = [(v.during.name, v.value) for v in param.values if v.during is not None]
        if param.id.name in settings:
            base = settings[param.id.name]
        params[param.id.name] = ParamInfo(param, base, during)
    unknown = sorted(set(settings) - set(params))
    if unknown:
        raise ScoringError(f"--set {unknown[0]}: the policy has no param named {unknown[0]!r}"
                           + (f" (its params: {', '.join(params)})" if params else ""))
    variants = policy.of(ast.Variant)
    by_period = [[v for v in variants
                  if any(p.overlaps(start, end) for start, end in calendar.get(v.id.name, []))]
                 for p in periods]
    return Context(policy, periods, datasets, datasets[subject.dataset.name], params, calendar, by_period)


def blanks(policy: ast.Policy, params: dict[str, ParamInfo]) -> list[tuple[ast.Literal, str]]:
    """Every `?` the scoring would need, with what it belongs to."""
    found = []
    for name, info in params.items():
        for expr in [info.base] + [v for _, v in info.during]:
            if isinstance(expr, ast.Literal) and expr.kind == "blank":
                found.append((expr, f"param {name}"))
    skip = {id(v.value) for p in policy.of(ast.Param) for v in p.values}
    for node in _walk(policy.items):
        if isinstance(node, ast.Literal) and node.kind == "blank" and id(node) not in skip:
            found.append((node, "a value in the policy"))
    return found


def _walk(value):
    if isinstance(value, (list, tuple)):
        for item in value:
            yield from _walk(item)
    elif isinstance(value, ast.Node):
        yield value
        if isinstance(value, ast.Param):
            return
        for name in value.__dataclass_fields__:
            if name != "span":
                yield from _walk(getattr(value, name))
