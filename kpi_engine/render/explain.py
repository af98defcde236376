"""`kpi explain`: one person's result derived in words a manager can check.

Every figure comes from the plan's own columns (the counts behind a share, the row the SQL
matched, the factor that turns a score into its contribution), so the explanation cannot
disagree with the score. Rules and conditions are quoted in the formatter's canonical spelling,
so items a preset contributes read as well as the policy's own."""
from __future__ import annotations

from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal

from .. import ast
from ..compile.rules import rule_rows
from ..compile.tree import find, variant_row
from ..execute.engine import Run
from ..fmt import node_text
from .result import number


def show(value, unit: str = "number") -> str:
    """A value in the policy's own units: 95%, 1800s (30min), 200元."""
    if value is None:
        return "missing"
    if not isinstance(value, Decimal):
        return str(value)
    if unit == "percent":
        return f"{_digits(value * 100)}%"
    if unit == "duration":
        hours = value / 3600
        return f"{_digits(value)}s ({_digits(hours)}h)" if value >= 3600 else f"{_digits(value)}s"
    if unit == "money":
        return f"{_digits(value)}元"
    return _digits(value)


def _digits(value: Decimal, places: int = 2) -> str:
    rounded = value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP).normalize()
    return format(rounded if rounded != 0 else Decimal(0), "f")


class Explainer:
    def __init__(self, run: Run):
        self.run, self.plan = run, run.plan
        self.rows = {row["__pid"]: row for row in run.records()}   # a report explains everyone

    def quote(self, node: ast.Node) -> str:
        return node_text(node)

    def person(self, person_id: str) -> str:
        row = self.rows.get(person_id)
        if row is None:
            known = ", ".join(list(self.rows)[:10])
            raise LookupError(f"no person {person_id!r} in the roster for this policy (some ids: {known})")
        lines = [f"{row.get('name') or person_id} ({person_id}) · {self.plan.policy.label or self.plan.policy.id.name}"
                 f" · {self.plan.period.label}", ""]
        for item in self.plan.indicators:
            lines += self.indicator(item, row) + [""]
        lines += self.totals(row)
        return "\n".join(lines).rstrip() + "\n"

    # -- one indicator -------------------------------------------------------------------------
    @staticmethod
    def unit_of(item) -> str:
        """The value's unit as the policy reads it: a ratio of counts compared with percents
        is shown as a percent."""
        if item.value_kind == "number" and isinstance(item.node.rule, ast.Bands):
            bounds = [r.test.bound for r in item.node.rule.rows if isinstance(r.test, ast.TestCompare)]
            if bounds and all(isinstance(b, ast.Literal) and b.kind == "percent" for b in bounds):
                return "percent"
        return item.value_kind

    def indicator(self, item, row) -> list[str]:
        node: ast.Indicator = item.node
        unit = self.unit_of(item)
        share = self.share_words(item)
        lines = [f"{item.label or item.id} [{item.id}] — {share}, max {_digits(item.maximum)}"]
        value = row.get(f"v:{item.id}")
        if node.value_measure is not None:
            lines.append(f"  value: {self.measure_words(node.value_measure.expr, row, unit, value)}")
        for name in item.named:
            measured = row.get(f"m:{item.id}:{name}")
            expr = next(m.expr for m in node.measures if m.name and m.name.name == name)
            lines.append(f"  {name} = {self.measure_words(expr, row, 'number', measured)}")
        score = number(row[f"s:{item.id}"])
        lines += ["  " + line for line in self.rule_words(item, row, value)]
        if score is None:
            lines.append("  not applicable: its weight is left out and the rest is rescaled"
                         if self.plan.context.missing_mode() == "exclude" else "  not applicable")
            return lines
        contribution = number(row[f"c:{item.id}"])
        lines.append(f"  score {_digits(score)} of {_digits(item.maximum)} → contributes {_digits(contribution)} to the total")
        hint = self.next_band(item, row, value, score)
        if hint:
            lines.append(f"  to improve: {hint}")
        return lines

    def share_words(self, item) -> str:
        """The indicator's weight or points in the explained period: a variant's, when one applies."""
        node: ast.Indicator = item.node
        own = self.quote(node.share) if node.share else "an equal share"
        found = variant_row(self.plan.tree, find(self.plan.tree, item.path),
                            self.plan.context.variants_by_period[0])
        if found is None:
            return own
        variant, row = found
        kind = "weight" if isinstance(row, ast.VariantWeight) else "points"
        return f"{kind} {self.quote(row.value)} during {variant.label or variant.id.name} (otherwise {own})"

    def measure_words(self, expr: ast.Expr, row, unit: str, value) -> str:
        uses = self.plan.aggregates.uses.get(id(expr))
        if isinstance(expr, ast.Call) and uses and "all" in uses:
            dataset = self.dataset_label(expr.args[0].expr)
            condition = self.quote(expr.args[0].where)
            return (f"{row[uses['hits']]} of {row[uses['all']]} {dataset} with {condition}"
                    f" = {show(value, 'percent')}")
        if isinstance(expr, ast.Call) and uses and "sum" in uses:
            return (f"{self.quote(expr)}: {show(row[uses['sum']], unit)} over {row[uses['count']]} value(s)"
                    f" = {show(value, unit)}")
        if isinstance(expr, ast.Call) and uses and "hits" in uses:
            return f"{self.quote(expr)} = {row[uses['hits']]}"
        return f"{self.quote(expr)} = {show(value, unit)}"

    def dataset_label(self, expr: ast.Expr) -> str:
        dataset = self.plan.context.datasets.get(str(expr))
        return f"{dataset.label or dataset.id.name} records" if dataset else str(expr)

    def rule_words(self, item, row, value) -> list[str]:
        node: ast.Indicator = item.node
        rule = node.rule
        rows = rule_rows(node)
        matched = row.get(f"r:{item.id}")
        lines = []
        if matched is not None:
            index = int(matched)
            for above in rows[:index]:
                if not isinstance(above.test, (ast.TestMissing, ast.TestWhen)):
                    lines.append(f"✗ {self.quote(above)}   ({show(value, self.unit_of(item))} does not meet it)")
                else:
                    lines.append(f"✗ {self.quote(above)}")
            lines.append(f"✓ {self.quote(rows[index])}")
        elif isinstance(rule, ast.Linear):
            lines.append(f"rule: {self.quote(rule)}")
        elif isinstance(rule, ast.Formula):
            lines.append(f"rule: {self.quote(rule.expr)}")
        elif isinstance(rule, ast.Rank):
            lines.append(f"rule: {self.quote(rule)} (ranked by value, {node.better} is better)")
        for veto in node.vetoes:
            lines.append(f"veto: {self.quote(veto)}")
        return lines

    def next_band(self, item, row, value, score) -> str | None:
        """What it takes to reach the next better row of a bands rule."""
        node: ast.Indicator = item.node
        if not isinstance(node.rule, ast.Bands) or value is None or row.get(f"r:{item.id}") is None:
            return None
        rows = rule_rows(node)
        index = int(row[f"r:{item.id}"])
        better = [r for r in rows[:index] if isinstance(r.test, ast.TestCompare)
                  and isinstance(r.test.bound, ast.Literal) and isinstance(r.value, ast.Literal)
                  and r.upto is None and r.value.value > score]
        if not better:
            return None
        target = better[-1]
        bound, target_score = target.test.bound.value, target.value.value
        # The score-to-total factor of this indicator, as the plan's up/down columns hold it.
        down = row[f"down:{item.id}"]
        factor = Decimal(row[f"up:{item.id}"]) / Decimal(down) if down else Decimal(0)
        gain = f"→ {_digits(target_score)} points, {(target_score - score) * factor:+.2f} total"
        uses = self.plan.aggregates.uses.get(id(node.value_measure.expr)) if node.value_measure else None
        if uses and "all" in uses and target.test.op in (">=", ">"):
            hits, everyone = Decimal(row[uses["hits"]]), Decimal(row[uses["all"]])
            needed = (bound * everyone).to_integral_value(rounding=ROUND_CEILING)
            if target.test.op == ">" and needed == bound * everyone:
                needed += 1
            more = int(needed - hits)
            if 0 < more <= everyone - hits:
                condition = self.quote(node.value_measure.expr.args[0].where)
                return f"{more} more of the {everyone} with {condition} {gain}"
        return f"reach {self.quote(target.test)} (now {show(value, self.unit_of(item))}) {gain}"

    # -- totals and what follows ----------------------------------------------------------------
    def totals(self, row) -> list[str]:
        plan = self.plan
        total = number(row["total"])
        present = [p for p in plan.indicators if row[f"s:{p.id}"] is not None]
        lines = []
        if total is None:
            return [f"no total: no indicator applies in {plan.period.label}"]
        absent = [p.label or p.id for p in plan.indicators if row[f"s:{p.id}"] is None]
        base = number(row["s:@policy"])
        lines.append(f"base score {_digits(base)} = the sum of the {len(present)} contributions")
        if absent:
            lines.append(f"  rescaled over the applicable items: {', '.join(absent)} not applicable")
        for block in plan.policy.of(ast.Adjust):
            for adjust in block.rows:
                uses = plan.aggregates.uses.get(id(adjust))
                if isinstance(adjust, ast.AdjustEach) and uses and row[uses["hits"]]:
                    lines.append(f"adjust {self.quote(adjust)}: {row[uses['hits']]} record(s)")
                elif isinstance(adjust, (ast.AdjustMin, ast.AdjustMax, ast.AdjustIf)):
                    lines.append(f"adjust rule {self.quote(adjust)}")
        if row["adjustments"] is not None:
            lines.append(f"adjustments {_digits(number(row['adjustments']))}")
        if row["vetoed"]:
            vetoes = "; ".join(self.quote(veto) for index, veto in enumerate(plan.policy.of(ast.Veto))
                               if row[f"veto:{index}"])
            lines.append(f"VETOED ({vetoes}): total becomes 0")
        lines.append(f"total {_digits(number(row['unrounded']), 6)} → {format(total, 'f')} "
                     f"(rounded half-up to {plan.context.round_digits()} decimals)")
        for name in plan.outcomes:
            lines.append(f"outcome {name}: {show(row[f'o:{name}'])}")
        for name in plan.distributions:
            lines.append(f"distribution {name}: {row[f'd:{name}'] or 'no label'} "
                         f"(place {row[f'top:{name}']} of {row[f'of:{name}']} from the top)")
        for name in plan.payouts:
            lines.append(f"payout {name}: {show(number(row[f'p:{name}']), 'money')} "
                         f"(place {row[f'top:{name}']} of {row[f'of:{name}']}, {row[f'bottom:{name}']} from the last)")
        actions = [label for index, label in enumerate(plan.actions) if row.get(f"a:{index}")]
        for action in plan.policy.of(ast.Action):
            state = "applies" if action.label in actions else "does not apply"
            lines.append(f"action {action.label}: {state} ({self.quote(action.condition)}"
                         f"{', for ' + self.quote(action.periods) + ' periods' if action.periods else ''})")
        return lines
