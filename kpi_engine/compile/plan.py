"""The checked policy → one relational plan (a WITH … SELECT built as a sqlglot tree).

Stages, each a CTE over the one before (one row per person and period):
  agg_<dataset>  aggregates per person and period over that dataset's records
  base           the roster × periods, with every aggregate joined on (0 where none)
  measures       each indicator's value and named measures
  scores         each indicator's score (rank rules as window functions)
  tree_<n>       dimension scores bottom-up, with the rescaling of `missing exclude`
  totals         contributions, adjustments, veto, bounds and half-up rounding
  o_<n>          outcomes and distributions in the order declared; payouts; actions
The final SELECT keeps the period being scored.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from fractions import Fraction
from math import lcm

from sqlglot import exp

from .. import ast
from ..errors import Diagnostic, ScoringError, Source
from . import numbers as n
from ..check.scope import Scope, infer_type
from .context import STORED_CONDITIONS, Context, blanks, build_context
from .expressions import Aggregates, PersonCompiler, Val, false_if_null, position_column
from .numbers import Num
from .periods import Period, history
from .rules import row_condition, score_expression
from .tree import ROOT, TreeNode, build_tree, variant_row


@dataclass
class IndicatorPlan:
    id: str
    label: str | None
    path: str
    maximum: Decimal
    value_kind: str            # the value's unit: percent duration money number text bool
    named: list[str]           # named measures
    node: ast.Indicator = field(repr=False, default=None)


@dataclass
class Plan:
    policy: ast.Policy
    context: Context
    tree: TreeNode
    indicators: list[IndicatorPlan]
    outcomes: list[str]
    distributions: list[str]
    payouts: list[str]
    actions: list[str]
    aggregates: Aggregates
    query: exp.Expression
    #: the CTEs grouping each dataset's records by person (and period): {CTE name: dataset}
    aggregate_stages: dict[str, str] = field(default_factory=dict)

    @property
    def period(self) -> Period:
        return self.context.periods[0]

    def sql(self, dialect: str = "duckdb", pretty: bool = True) -> str:
        return self.query.sql(dialect=dialect, pretty=pretty)


def q(name: str) -> exp.Identifier:
    return exp.to_identifier(name, quoted=True)


def col(name: str, table: str | None = None) -> exp.Column:
    return exp.column(name, table=table, quoted=True)


def timestamp(day) -> exp.Expression:
    return exp.Cast(this=exp.Literal.string(datetime(day.year, day.month, day.day).isoformat(sep=" ")),
                    to=exp.DataType.build("TIMESTAMP"))


class _Stages:
    """Builds the CTE chain: each stage selects * from the previous one plus new columns."""

    def __init__(self):
        self.ctes: list[exp.CTE] = []
        self.last: str | None = None
        self.aggregates: dict[str, str] = {}   # CTE name -> the dataset it groups

    def add(self, name: str, select: exp.Select) -> None:
        self.ctes.append(exp.CTE(this=select, alias=exp.TableAlias(this=q(name))))
        self.last = name

    def extend(self, name: str, columns: list[tuple[str, exp.Expression]]) -> None:
        projections = [exp.Star()] + [exp.alias_(sql, q(alias)) for alias, sql in columns]
        self.add(name, exp.select(*projections).from_(exp.Table(this=q(self.last))))


def compile_policy(policy: ast.Policy, period: Period, settings: dict[str, ast.Literal] | None = None,
                   source: Source | None = None, stored_periods: tuple[int, ...] = (),
                   appeal_adjustments: dict[str, Decimal] | None = None, explained: bool = True) -> Plan:
    """Compile one policy for one period (plus the earlier periods its actions look back on).
    `source` is the policy's file, so refusals can point into it. `stored_periods` (indexes into
    the history, 1 = the period before) take their action conditions from the results ledger;
    `appeal_adjustments` add an accepted appeal's amount to a person's adjustments. `explained`:
    also the columns only `kpi explain` reads (the band row each score came from, each place in
    a ranking and its group's size); DuckDB binds every column of the plan, used or not."""
    kind = policy.setting(ast.PeriodSetting)
    policy_kind = kind.kind.name if kind else "month"
    if period.kind != policy_kind:
        raise ScoringError(f"policy {policy.id.name} is assessed by {policy_kind}, but --period "
                           f"{period.label} is a {period.kind}")
    depth = max([_periods_needed(a) for a in policy.of(ast.Action)] + [1])
    context = build_context(policy, history(period, depth), settings or {})
    context.stored_periods = tuple(i for i in stored_periods if 0 < i < depth)
    context.appeal_adjustments = dict(appeal_adjustments or {})
    missing = blanks(policy, context.params)
    if missing:
        names = sorted({what.split()[-1] for _, what in missing if what.startswith("param")})
        hint = f"give {'them' if len(names) > 1 else 'it'} with {' '.join(f'--set {name}=VALUE' for name in names)}" if names else None
        found = [Diagnostic("error", f"{what} is a blank `?`, and scoring needs its value", node.span, source).format()
                 for node, what in missing]
        raise ScoringError("the policy has blanks that scoring needs:\n" + "\n".join(found)
                           + (f"\n{hint}" if hint else ""))
    return _Compiler(context, explained).build()


def _periods_needed(action: ast.Action) -> int:
    if action.periods is None:
        return 1
    if not isinstance(action.periods, ast.Literal) or action.periods.value is None:
        raise ScoringError(f"line {action.span.line}: `for N periods` needs a whole number")
    return int(action.periods.value)


class _Compiler:
    def __init__(self, context: Context, explained: bool = True):
        self.context = context
        self.explained = explained
        self.policy = context.policy
        self.aggregates = Aggregates()
        self.stages = _Stages()
        self.tree = build_tree(self.policy, context.scale())
        self.scope = Scope(self.policy)   # the checker's names and types, for each value's unit
        self.indicators: list[IndicatorPlan] = []
        self._present_shares: dict[str, Num] = {}   # per dimension: Σ weights/points present
        self._indicator_scores: dict[str, Num] = {}  # per indicator: its score (scale and bound)
        self._kinds: dict[str, Val] = {}            # per measure column: its kind and scale

    # -- stage 1: aggregates and the base relation ------------------------------------------
    def build(self) -> Plan:
        # Everything that can name an aggregate compiles first, so the base relation has it all.
        measure_columns = self._measures()
        names = self._result_names()
        positions: set[tuple[str, str]] = set()
        compiler = self._person_compiler(names, positions)
        adjustments = self._adjustments(compiler)
        vetoes = [compiler.condition(v.condition) for v in self.policy.of(ast.Veto)]
        actions = [(a, compiler.condition(a.condition)) for a in self.policy.of(ast.Action)]
        score_columns = self._scores()
        self._people()
        self._aggregate_stages()
        if self.aggregates.derived:
            self.stages.extend("quotients", [(column, quotient.sql) for column, quotient in self.aggregates.derived.values()])
        self.stages.extend("measures", measure_columns)
        self.stages.extend("scores", score_columns)
        self._tree_stages()
        self._totals(compiler, adjustments, vetoes)
        outcomes, distributions, payouts = self._results(names)
        self._actions(actions, positions)
        final = (exp.select(exp.Star()).from_(exp.Table(this=q(self.stages.last)))
                 .where(exp.EQ(this=col("__period"), expression=exp.Literal.number(0)))
                 .order_by(exp.Ordered(this=col("__row"))))
        final.set("with_", exp.With(expressions=self.stages.ctes))
        return Plan(self.policy, self.context, self.tree, self.indicators, outcomes, distributions,
                    payouts, [a.label for a, _ in actions], self.aggregates, final, self.stages.aggregates)

    def _people(self) -> None:
        roster = self.context.roster
        periods = exp.Values(expressions=[exp.Tuple(expressions=[exp.Literal.number(i)])
                                          for i in range(len(self.context.periods))],
                             alias=exp.TableAlias(this=q("p"), columns=[q("__period")]))
        select = (exp.select(exp.Column(this=exp.Star(), table=q("r")), col("__period", "p"))
                  .from_(exp.Table(this=q(roster.id.name), alias=exp.TableAlias(this=q("r"))))
                  .join(periods, join_type="cross"))
        if self.policy.role is not None:
            if "role" not in self.context.roster_fields:
                raise ScoringError(f"policy {self.policy.id.name} is `for role`, but the roster "
                                   f"{roster.id.name} has no role field")
            select = select.where(exp.EQ(this=col("role", "r"), expression=exp.Literal.string(self.policy.role)))
        # DuckDB runs a pipeline over one row group on one thread, and a roster of thousands is one
        # row group: read as two parts (by row), every per-person stage up to the ranking runs on
        # two cores (the benchmark's per-person query, 5,000 people: 80 -> 69 ms).
        parts = [select.copy().where(exp.EQ(this=exp.Mod(this=col("__row", "r"), expression=exp.Literal.number(2)),
                                            expression=exp.Literal.number(part))) for part in range(2)]
        self.stages.add("people", exp.union(*parts, distinct=False))

    def _aggregate_stages(self) -> None:
        periods = self.context.periods
        joins = []
        for dataset, aggregates in self.aggregates.by_dataset.items():
            at = col("__at", "r")
            # One period (no `for N periods` history): the WHERE already keeps only its records, and
            # grouping by the person alone halves the cost of this, the only stage over records.
            which = exp.Literal.number(0) if len(periods) == 1 else exp.Case(ifs=[
                exp.If(this=exp.And(this=exp.GTE(this=at.copy(), expression=timestamp(p.start)),
                                    expression=exp.LT(this=at.copy(), expression=timestamp(p.end))),
                       true=exp.Literal.number(i)) for i, p in enumerate(periods)])
            keys = [exp.Literal.number(1)] + ([exp.Literal.number(2)] if len(periods) > 1 else [])
            select = (exp.select(exp.alias_(col("__pid", "r"), q("__pid")), exp.alias_(which, q("__period")),
                                 *(exp.alias_(a.sql, q(a.column)) for a in aggregates))
                      .from_(exp.Table(this=q(dataset), alias=exp.TableAlias(this=q("r"))))
                      .where(exp.And(this=exp.GTE(this=at.copy(), expression=timestamp(periods[-1].start)),
                                     expression=exp.LT(this=at.copy(), expression=timestamp(periods[0].end))))
                      .group_by(*keys))
            if dataset in self.aggregates.roster_needed:
                select = select.join(exp.Table(this=q(self.context.roster.id.name), alias=exp.TableAlias(this=q("p"))),
                                     on=exp.EQ(this=col("__pid", "p"), expression=col("__pid", "r")), join_type="left")
            name = f"agg_{len(joins)}"
            self.stages.ctes.append(exp.CTE(this=select, alias=exp.TableAlias(this=q(name))))
            self.stages.aggregates[name] = dataset
            joins.append((name, aggregates))
        columns: list[exp.Expression] = [exp.Column(this=exp.Star(), table=q("people"))]
        select = exp.select().from_(exp.Table(this=q("people")))
        for name, aggregates in joins:
            select = select.join(exp.Table(this=q(name)), join_type="left", on=exp.and_(
                exp.EQ(this=col("__pid", name), expression=col("__pid", "people")),
                exp.EQ(this=col("__period", name), expression=col("__period", "people"))))
            for a in aggregates:
                value = col(a.column, name)
                if a.zero_if_none:
                    value = n.cast(exp.Coalesce(this=value, expressions=[exp.Literal.number(0)]), a.scale)
                elif a.kind == "num":   # the loader may give a field fewer digits (see load._narrowest_decimal)
                    value = n.cast(value, a.scale)
                columns.append(exp.alias_(value, q(a.column)))
        self.stages.add("base", select.select(*columns))

    # -- stage 2: measures and scores -------------------------------------------------------
    def _measures(self) -> list[tuple[str, exp.Expression]]:
        """Compile every measure (registering the aggregates they need) into columns."""
        columns = []
        for leaf in self.tree.indicators():
            indicator: ast.Indicator = leaf.node
            inline: dict[str, Val] = {}
            compiler = PersonCompiler(self.context, self.aggregates, inline)
            named = []
            for measure in indicator.measures:
                value = compiler.compile(measure.expr)
                if measure.name is not None:
                    column = f"m:{indicator.id.name}:{measure.name.name}"
                    inline[measure.name.name] = value
                    named.append(measure.name.name)
                else:
                    column = f"v:{indicator.id.name}"
                    inline["value"] = value
                columns.append((column, value.sql))
                self._kinds[column] = value
            value_measure = indicator.value_measure
            self.indicators.append(IndicatorPlan(
                indicator.id.name, indicator.label, leaf.path, leaf.maximum,
                (infer_type(value_measure.expr, self.scope, indicator=indicator) or "number")
                if value_measure else "number", named, indicator))
        return columns

    def _measure_column(self, column: str) -> Val:
        """A measure computed in the measures stage, referenced by its column."""
        return Val(col(column), self._kinds[column].kind, self._kinds[column].scale)

    def _measure_names(self, plan: IndicatorPlan) -> dict[str, Val]:
        names = {}
        for name in plan.named:
            column = f"m:{plan.id}:{name}"
            names[name] = self._measure_column(column)
        value_column = f"v:{plan.id}"
        if value_column in self._kinds:
            names["value"] = self._measure_column(value_column)
        return names

    def _scores(self) -> list[tuple[str, exp.Expression]]:
        columns = []
        zero = self.context.missing_mode() == "zero"
        for plan in self.indicators:
            names = self._measure_names(plan)
            compiler = PersonCompiler(self.context, self.aggregates, names)
            score, matched = score_expression(plan.node, names.get("value"), compiler, self._group,
                                              percent_domain=plan.value_kind == "percent")
            if zero:
                score = n.coalesce(score, n.literal(0))
            # A score keeps its own scale (band constants have few decimals), which keeps the
            # divisions over it on their short path.
            self._indicator_scores[plan.id] = score
            columns.append((f"s:{plan.id}", score.sql))
            if self.explained:
                columns.append((f"r:{plan.id}", matched.sql))
        return columns

    def _score_column(self, indicator_id: str) -> Num:
        score = self._indicator_scores.get(indicator_id)
        if score is None:
            return n.column(f"s:{indicator_id}", n.MAX_SCALE)
        return n.column(f"s:{indicator_id}", score.scale, bound=score.bound)

    def _score(self, node: TreeNode) -> Num:
        """A tree node's score column: an indicator's at its own scale, a dimension's at MAX_SCALE."""
        return self._score_column(node.id) if node.is_indicator else n.column(f"s:{_key(node)}", n.MAX_SCALE)

    def _group(self, name: str) -> exp.Expression:
        if name not in self.context.roster_fields:
            raise ScoringError(f"`within {name}`: the roster {self.context.roster.id.name} has no field {name}")
        return col(name)

    # -- stage 3: the tree ------------------------------------------------------------------
    def _share(self, node: TreeNode) -> Num:
        """A node's weight or points, per period when a variant changes it."""
        values = []
        for active in self.context.variants_by_period:
            found = variant_row(self.tree, node, active)
            values.append(found[1].value.value if found else node.share)
        if len(set(values)) == 1:
            return n.literal(values[0])
        branches = [(exp.EQ(this=col("__period"), expression=exp.Literal.number(i)), n.literal(v))
                    for i, v in enumerate(values)]
        return n.case(branches)

    def _tree_stages(self) -> None:
        """Each dimension's score from its present children, deepest first:
        weight mode: Σ w·s·(L/m) / (L·Σw) × max; points mode: Σ s / Σ m × max."""
        for index, parent in enumerate(self.tree.internal()):
            mode = parent.child_mode
            numerator, denominator = [], []
            if mode == "weight":
                inverse = [Fraction(1) / Fraction(str(c.maximum)) for c in parent.children]
                common = lcm(*(f.denominator for f in inverse))
                for child, inv in zip(parent.children, inverse):
                    score = self._score(child)
                    factor = n.literal(Decimal(inv.numerator * common // inv.denominator))
                    numerator.append(_when_present(score, n.mul(n.mul(self._share(child), factor), score)))
                    denominator.append(_when_present(score, self._share(child)))
                divisor_scale = n.literal(common)
            else:
                for child in parent.children:
                    score = self._score(child)
                    numerator.append(_when_present(score, score))
                    denominator.append(_when_present(score, n.literal(child.maximum)))
                divisor_scale = n.literal(1)
            key = _key(parent)
            total, weights = _sum(numerator), _sum(denominator)
            self.stages.extend(f"sums_{index}", [(f"num:{key}", total.sql), (f"den:{key}", weights.sql)])
            total, weights = (n.column(f"num:{key}", total.scale, bound=total.bound),
                              n.column(f"den:{key}", weights.scale, bound=weights.bound))
            self._present_shares[key] = weights
            score = n.div(n.mul(total, n.literal(parent.maximum)), n.mul(weights, divisor_scale))
            self.stages.extend(f"tree_{index}", [(f"s:{key}", n.rescale(score, n.MAX_SCALE).sql)])
        self._contributions()

    def _contributions(self) -> None:
        """What each indicator adds to the total: its score × the factors on its path, kept as
        one fraction (products of the weights over products of the present shares) so the
        division happens once."""
        factors: dict[str, tuple[Num, Num]] = {}

        def walk(parent: TreeNode, above: tuple[Num, Num] | None):
            if not parent.children:
                return
            present = self._present_shares[_key(parent)]
            for child in parent.children:
                if parent.child_mode == "weight":
                    up, down = n.mul(self._share(child), n.literal(parent.maximum)), n.mul(n.literal(child.maximum), present)
                else:
                    up, down = n.literal(parent.maximum), present
                factor = (up, down) if above is None else (n.mul(above[0], up), n.mul(above[1], down))
                factors[_key(child)] = factor
                walk(child, factor)

        walk(self.tree, None)
        self.stages.extend("factors", [(f"{part}:{plan.id}", factor.sql) for plan in self.indicators
                                       for part, factor in zip(("up", "down"), factors[plan.id])])
        columns = []
        for plan in self.indicators:
            score = self._score_column(plan.id)
            up, down = (n.column(f"{part}:{plan.id}", f.scale, bound=f.bound)
                        for part, f in zip(("up", "down"), factors[plan.id]))
            columns.append((f"c:{plan.id}", n.rescale(n.div(n.mul(score, up), down), n.MAX_SCALE).sql))
        self.stages.extend("contributions", columns)

    # -- stage 4: totals --------------------------------------------------------------------
    def _person_compiler(self, extra: dict[str, Val] | None = None, positions=None) -> PersonCompiler:
        names = {p.id: Val.of(self._score_column(p.id)) for p in self.indicators}
        names.update(extra or {})
        return PersonCompiler(self.context, self.aggregates, names, positions)

    def _adjustments(self, compiler: PersonCompiler) -> Num | None:
        blocks = []
        for block in self.policy.of(ast.Adjust):
            parts, low, high = [], None, None
            for row in block.rows:
                if isinstance(row, ast.AdjustEach):
                    call = ast.Call(ast.Ident("count"), (ast.Arg(ast.Name((row.dataset.name,), span=row.span), row.where),), span=row.span)
                    count = compiler.compile(call).num
                    self.aggregates.uses[id(row)] = self.aggregates.uses[id(call)]
                    parts.append(n.mul(compiler.compile(row.amount).num, count))
                elif isinstance(row, ast.AdjustIf):
                    parts.append(n.case([(compiler.condition(row.condition), compiler.compile(row.amount).num)], n.literal(0)))
                elif isinstance(row, ast.AdjustMin):
                    low = compiler.compile(row.value).num
                else:
                    high = compiler.compile(row.value).num
            if parts:
                blocks.append(n.clamp(_sum(parts), low, high))
        if self.context.appeal_adjustments:
            scored = exp.EQ(this=col("__period"), expression=exp.Literal.number(0))
            blocks.append(n.case([(exp.And(this=scored.copy(), expression=exp.EQ(this=col("__pid"), expression=exp.Literal.string(pid))),
                                   n.literal(amount)) for pid, amount in sorted(self.context.appeal_adjustments.items())],
                                 n.literal(0)))
        return _sum(blocks) if blocks else None

    def _totals(self, compiler: PersonCompiler, adjustments: Num | None, vetoes: list[exp.Expression]) -> None:
        base = n.column(f"s:{ROOT}", n.MAX_SCALE)
        raw = base if adjustments is None else n.add(base, adjustments)
        bounds = self.policy.setting(ast.TotalSetting)
        low = compiler.compile(bounds.low).num if bounds and bounds.low is not None else n.literal(0)
        high = compiler.compile(bounds.high).num if bounds and bounds.high is not None else None
        rounded = n.round_half_up(n.clamp(raw, low, high), self.context.round_digits())
        vetoed = exp.false()
        for condition in vetoes:
            vetoed = exp.Or(this=vetoed, expression=exp.Paren(this=condition.copy()))
        has_total = exp.Not(this=exp.Is(this=base.sql.copy(), expression=exp.Null()))
        vetoed = exp.And(this=has_total, expression=exp.Paren(this=vetoed))
        shown = has_total.copy()
        if self.context.appeal_adjustments and not self.policy.of(ast.Adjust):
            # Without adjust blocks only the appellant has adjustments; the rest stay null, as before.
            appellants = [exp.Literal.string(pid) for pid in sorted(self.context.appeal_adjustments)]
            shown = exp.And(this=shown, expression=exp.In(this=col("__pid"), expressions=appellants))
        adjusted = n.case([(shown, adjustments)]) if adjustments is not None else n.null()
        self.stages.extend("totals", [("adjustments", adjusted.sql), ("vetoed", vetoed),
                                      ("unrounded", n.rescale(n.clamp(raw, low, high), n.MAX_SCALE).sql),
                                      # each veto's own condition, so `kpi explain` names the ones that held
                                      *[(f"veto:{index}", condition) for index, condition in enumerate(vetoes)]])
        no_base = exp.Is(this=base.sql.copy(), expression=exp.Null())
        total = n.case([(no_base, n.null()), (col("vetoed"), n.literal(0))], rounded)
        self.stages.extend("total", [("total", total.sql)])

    # -- stage 5: outcomes, distributions, payouts, actions ---------------------------------
    def _result_names(self) -> dict[str, Val]:
        """total, outcomes, distributions and payouts as the columns they will be."""
        names: dict[str, Val] = {"total": Val(col("total"), "num", self.context.round_digits())}
        for item in self.policy.items:
            if isinstance(item, ast.Outcome):
                names[item.id.name] = self._outcome_val(item)
            elif isinstance(item, ast.Distribute):
                names[item.id.name] = Val(col(f"d:{item.id.name}"), "text")
            elif isinstance(item, ast.Payout):
                names[item.id.name] = Val(col(f"p:{item.id.name}"), "num", n.MAX_SCALE)
        return names

    def _results(self, names: dict[str, Val]):
        outcomes, distributions, payouts = [], [], []
        for index, item in enumerate(self.policy.items):
            if isinstance(item, ast.Outcome):
                outcome = self._outcome(item, names)
                if outcome.kind == "num":
                    outcome = Val.of(n.rescale(outcome.num, n.MAX_SCALE))
                self.stages.extend(f"outcome_{index}", [(f"o:{item.id.name}", outcome.sql)])
                outcomes.append(item.id.name)
            elif isinstance(item, ast.Distribute):
                self.stages.extend(f"distribute_{index}", [(f"d:{item.id.name}", self._distribute(item, names)),
                                                           *self._places(item, names)])
                distributions.append(item.id.name)
        for item in self.policy.of(ast.Payout):
            payout = n.rescale(self._payout(item, names), n.MAX_SCALE)
            self.stages.extend(f"payout_{item.id.name}", [(f"p:{item.id.name}", payout.sql),
                                                          *self._places(item, names)])
            payouts.append(item.id.name)
        return outcomes, distributions, payouts

    def _by(self, by: ast.Ident, names: dict[str, Val]) -> Val:
        if by.name in names:
            return names[by.name]
        plan = next((p for p in self.indicators if p.id == by.name), None)
        if plan is not None:
            return self._measure_column(f"v:{plan.id}")
        raise ScoringError(f"line {by.span.line}: `by {by.name}`: not total, an outcome, a distribution or an indicator")

    def _outcome(self, item: ast.Outcome, names) -> Val:
        subject = self._by(item.by, names)
        compiler = self._person_compiler(names)
        no_total = exp.Is(this=col("total"), expression=exp.Null())
        branches, default = [(no_total, Val(exp.Null(), "null"))], None
        for row in item.rows:
            value = compiler.compile(row.value)
            condition = row_condition(row.test, subject, compiler)
            if condition is None:
                default = value
                break
            branches.append((false_if_null(condition), value))
        values = [v for _, v in branches] + ([default] if default else [])
        if all(v.kind in ("num", "null") for v in values):
            return Val.of(n.case([(c, v.num) for c, v in branches], default.num if default else None))
        ifs = [exp.If(this=c, true=_as_text(v)) for c, v in branches]
        return Val(exp.Case(ifs=ifs, default=_as_text(default) if default else None), "text")

    def _outcome_val(self, item: ast.Outcome) -> Val:
        kinds = {_row_kind(row.value) for row in item.rows}
        return Val(col(f"o:{item.id.name}"), "text" if "text" in kinds else "num", n.MAX_SCALE)

    def _ranks(self, within: ast.Ident | None, by: Val):
        """RANK from the top and from the bottom among people with a value, and their count."""
        has_value = exp.Paren(this=exp.Is(this=by.sql.copy(), expression=exp.Null()))
        partition = [col("__period")] + ([self._group(within.name)] if within else []) + [has_value]
        def window(func, desc=None):
            order = exp.Order(expressions=[exp.Ordered(this=by.sql.copy(), desc=desc)]) if desc is not None else None
            return exp.Window(this=func, partition_by=[p.copy() for p in partition], order=order)
        return (window(exp.func("rank"), True), window(exp.func("rank"), False),
                window(exp.Count(this=exp.Star())))

    def _places(self, item, names) -> list[tuple[str, exp.Expression]]:
        """Each person's place from the top and from the bottom and the group's size, for explain."""
        if not self.explained:
            return []
        from_top, from_bottom, people = self._ranks(item.within, self._by(item.by, names))
        key = item.id.name
        return [(f"top:{key}", from_top), (f"bottom:{key}", from_bottom), (f"of:{key}", people)]

    def _distribute(self, item: ast.Distribute, names) -> exp.Expression:
        by = self._by(item.by, names)
        from_top, from_bottom, people = self._ranks(item.within, by)
        compiler = self._person_compiler(names)
        ifs = []
        rows = sorted(item.rows, key=lambda r: not isinstance(r.test, ast.TestTop))  # top wins
        for row in rows:
            if isinstance(row.test, (ast.TestTop, ast.TestBottom)):
                share = compiler.compile(row.test.share).num
                taken = n.round_half_up(n.mul(Num(people.copy(), 0), share), 0)
                place = from_top if isinstance(row.test, ast.TestTop) else from_bottom
                ifs.append(exp.If(this=exp.LTE(this=place.copy(), expression=taken.sql), true=_as_text(compiler.compile(row.value))))
            else:
                raise ScoringError(f"line {row.span.line}: distribution rows are `top P : label` or `bottom P : label`")
        no_total = exp.Is(this=by.sql.copy(), expression=exp.Null())
        return exp.Case(ifs=[exp.If(this=no_total, true=exp.Null())] + ifs)

    def _payout(self, item: ast.Payout, names) -> Num:
        by = self._by(item.by, names)
        from_top, from_bottom, _ = self._ranks(item.within, by)
        compiler = self._person_compiler(names)
        branches, default = [], n.literal(0)
        for row in item.rows:
            amount = compiler.compile(row.value).num
            if isinstance(row.test, ast.TestRank):
                place = compiler.compile(row.test.rank)
                wanted = row.test.rank
                negative = isinstance(wanted, ast.Unary) and wanted.op == "-"
                target = compiler.compile(wanted.operand).sql if negative else place.sql
                branches.append((exp.EQ(this=(from_bottom if negative else from_top).copy(), expression=target), amount))
            elif isinstance(row.test, ast.TestElse):
                default = amount
                break
            else:
                raise ScoringError(f"line {row.span.line}: payout rows are `rank N : amount` (N < 0 counts from the last)")
        no_total = exp.Is(this=by.sql.copy(), expression=exp.Null())
        return n.case([(no_total, n.literal(0))] + branches, default)

    def _actions(self, actions, positions: set[tuple[str, str]]) -> None:
        """An action holds when its condition held in this period and the N-1 before it."""
        if positions:
            columns = []
            total = Val(col("total"), "num", 0)
            for which, group in sorted(positions):
                from_top, from_bottom, _ = self._ranks(ast.Ident(group), total)
                place = from_bottom if which == "last" else from_top
                has_total = exp.Not(this=exp.Is(this=col("total"), expression=exp.Null()))
                columns.append((position_column(which, group),
                                exp.And(this=has_total, expression=exp.EQ(this=place, expression=exp.Literal.number(1)))))
            self.stages.extend("positions", columns)
        if not actions:
            return
        self._conditions([false_if_null(condition) for _, condition in actions])
        columns = []
        for index, (action, _) in enumerate(actions):
            periods = _periods_needed(action)
            held = exp.Window(this=exp.Filter(this=exp.Count(this=exp.Star()), expression=exp.Where(
                this=exp.And(this=col(f"ac:{index}"),
                             expression=exp.LT(this=col("__period"), expression=exp.Literal.number(periods))))),
                partition_by=[col("__pid")])
            columns.append((f"a:{index}", exp.EQ(this=held, expression=exp.Literal.number(periods))))
        self.stages.extend("actions", columns)

    def _conditions(self, conditions: list[exp.Expression]) -> None:
        """Each action's condition per period (`ac:<n>`); in the periods whose data is gone, the
        value the results ledger stored when that period was scored (false for people it lacks)."""
        stored = self.context.stored_periods
        if not stored:
            self.stages.extend("conditions", [(f"ac:{i}", c) for i, c in enumerate(conditions)])
            return
        from_ledger = exp.In(this=col("__period", "t"), expressions=[exp.Literal.number(i) for i in stored])
        projections = [exp.Column(this=exp.Star(), table=q("t"))]
        for index, condition in enumerate(conditions):
            for column in condition.find_all(exp.Column):
                if not column.table:
                    column.set("table", q("t"))
            kept = exp.Coalesce(this=col(f"__ledger_ac_{index}", "l"), expressions=[exp.false()])
            projections.append(exp.alias_(exp.Case(ifs=[exp.If(this=from_ledger.copy(), true=kept)], default=condition),
                                           q(f"ac:{index}")))
        select = (exp.select(*projections).from_(exp.Table(this=q(self.stages.last), alias=exp.TableAlias(this=q("t"))))
                  .join(exp.Table(this=q(STORED_CONDITIONS), alias=exp.TableAlias(this=q("l"))), join_type="left",
                        on=exp.and_(exp.EQ(this=col("__ledger_pid", "l"), expression=col("__pid", "t")),
                                    exp.EQ(this=col("__ledger_period", "l"), expression=col("__period", "t")))))
        self.stages.add("conditions", select)


def _key(node: TreeNode) -> str:
    return node.id if node.is_indicator or node.id == ROOT else f"@{node.path}"


def _when_present(score: Num, value: Num) -> Num:
    present = exp.Not(this=exp.Is(this=score.sql.copy(), expression=exp.Null()))
    return n.case([(present, value)], n.literal(0))


def _sum(parts: list[Num]) -> Num:
    total = parts[0]
    for part in parts[1:]:
        total = n.add(total, part)
    return total


def _as_text(value: Val) -> exp.Expression:
    return value.sql if value.kind == "text" else exp.Cast(this=value.sql, to=exp.DataType.build("VARCHAR"))


def _row_kind(node: ast.Expr) -> str:
    return "text" if isinstance(node, ast.Literal) and node.kind == "text" else "num"
