"""A scored run → the team report's content: summary, score distribution, grade breakdown, an
indicator-by-person heatmap, the Pareto of points lost by indicator (seed 003), rankings per group,
each person's scorecard with its derivation (`kpi explain`'s words), and the actions.

Every figure comes from the run's columns (`result.person_results`); this module only groups and
counts them for display. Numbers stay Decimal and are rounded half-up before any template."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from .. import ast
from ..compile.tree import find
from ..execute.engine import Run
from . import charts
from .explain import Explainer
from .manual import full_points
from .result import person_results
from .sentences import decimal_text

TITLES = {
    "zh": {"report": "绩效考核报告", "summary": "总体情况", "people": "考核人数", "scored": "有总分人数",
           "mean": "平均分", "median": "中位数", "min": "最低分", "max": "最高分",
           "distribution": "总分分布", "grades": "等级分布", "heatmap": "指标得分热力图 (得分率 %)",
           "pareto": "各指标失分 (帕累托)", "lost": "失分", "cumulative": "累计占比", "indicator": "指标",
           "rankings": "排名", "all": "全体", "place": "名次", "name": "姓名", "id": "工号", "total": "总分",
           "scorecards": "个人评分卡", "actions": "改进措施", "action": "措施", "count": "人数",
           "scores": "成绩明细", "adjustments": "加减分", "none": "无"},
    "en": {"report": "Performance report", "summary": "Summary", "people": "People", "scored": "With a total",
           "mean": "Mean", "median": "Median", "min": "Lowest", "max": "Highest",
           "distribution": "Distribution of totals", "grades": "Grades", "heatmap": "Indicator scores (% of max)",
           "pareto": "Points lost by indicator (Pareto)", "lost": "Points lost", "cumulative": "Cumulative %",
           "indicator": "Indicator", "rankings": "Rankings", "all": "everyone", "place": "Place", "name": "Name",
           "id": "Id", "total": "Total", "scorecards": "Personal scorecards", "actions": "Actions",
           "action": "Action", "count": "People", "scores": "Scores", "adjustments": "Adjustments", "none": "none"},
}


def rounded(value: Decimal | None, places: int = 2) -> Decimal | None:
    if value is None:
        return None
    return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


@dataclass
class Ranking:
    group: str
    rows: list[tuple[int, str, str, Decimal | None, str]]   # place, id, name, total, grade


@dataclass
class Report:
    lang: str
    titles: dict
    title: str
    period: str
    summary: list[tuple[str, str]]
    grade_name: str | None
    grades: list[tuple[str, int]]
    lost: list[tuple[str, Decimal, Decimal]]                 # indicator, points lost, cumulative %
    heat_people: list[str]
    heat_indicators: list[str]
    heat: list[list[Decimal | None]]                        # score / max per person and indicator
    score_header: list[str]
    score_rows: list[list]                                   # id, name, scores…, adjustments, total, outcomes…
    rankings: list[Ranking]
    scorecards: list[tuple[str, str, str]]                   # id, name, derivation
    actions: list[tuple[str, str, str]]                      # id, name, action
    histogram: list[tuple[str, int]]

    @property
    def charts(self) -> dict[str, str]:
        t = self.titles
        found = {"distribution": charts.bars(t["distribution"], [b for b, _ in self.histogram],
                                             [n for _, n in self.histogram])}
        if self.grades:
            found["grades"] = charts.bars(t["grades"], [g for g, _ in self.grades], [n for _, n in self.grades])
        found["heatmap"] = charts.heatmap(t["heatmap"], self.heat_people, self.heat_indicators, self.heat)
        if self.lost:
            found["pareto"] = charts.bars(t["pareto"], [name for name, _, _ in self.lost],
                                          [rounded(points, 1) for _, points, _ in self.lost],
                                          line=[share for _, _, share in self.lost], line_label=t["cumulative"])
        return found


def build_report(run: Run, lang: str = "zh") -> Report:
    t = TITLES[lang]
    plan = run.plan
    people = person_results(run)
    totals = sorted(p["total"] for p in people if p["total"] is not None)
    names = {p["id"]: p.get("name") or p["id"] for p in people}
    grade_name = next((o for o in plan.outcomes if any(isinstance(p["outcomes"][o], str) for p in people)), None)
    labels = [item.label or item.id for item in plan.indicators]

    summary = [(t["people"], str(len(people))), (t["scored"], str(len(totals)))]
    if totals:
        middle = len(totals) // 2
        median = totals[middle] if len(totals) % 2 else (totals[middle - 1] + totals[middle]) / 2
        summary += [(t["mean"], decimal_text(sum(totals) / len(totals), 2)), (t["median"], decimal_text(median, 2)),
                    (t["min"], decimal_text(totals[0], 2)), (t["max"], decimal_text(totals[-1], 2))]

    # points lost: the shortfall of each score from its max, in points of the total
    lost_by = Counter()
    for item in plan.indicators:
        full = full_points(find(plan.tree, item.path))
        for person in people:
            score = person["indicators"][item.id]["score"]
            if score is not None and person["total"] is not None:
                lost_by[item.label or item.id] += (item.maximum - score) / item.maximum * full
    ordered = [(name, points) for name, points in lost_by.most_common() if points > 0]
    whole = sum(points for _, points in ordered)
    lost, running = [], Decimal(0)
    for name, points in ordered:
        running += points
        lost.append((name, rounded(points), rounded(running / whole * 100, 1)))

    score_header = [t["id"], t["name"], *labels, t["adjustments"], t["total"],
                    *[label_of(plan, o) for o in plan.outcomes], *[label_of(plan, p) for p in plan.payouts]]
    score_rows = [[p["id"], names[p["id"]], *[p["indicators"][i.id]["score"] for i in plan.indicators],
                   p["adjustments"], p["total"], *[p["outcomes"][o] for o in plan.outcomes],
                   *[p["payouts"][k] for k in plan.payouts]] for p in people]

    explainer = Explainer(run)
    return Report(
        lang=lang, titles=t, title=plan.policy.label or plan.policy.id.name, period=plan.period.label,
        summary=summary, grade_name=label_of(plan, grade_name) if grade_name else None,
        grades=_grade_counts(plan, people, grade_name),
        lost=lost, heat_people=[names[p["id"]] for p in people], heat_indicators=labels,
        heat=[[_share(p["indicators"][i.id]["score"], i.maximum) for i in plan.indicators] for p in people],
        score_header=score_header, score_rows=score_rows,
        rankings=_rankings(plan, people, run.records(), names, grade_name, t),
        scorecards=[(p["id"], names[p["id"]], explainer.person(p["id"])) for p in people],
        actions=[(p["id"], names[p["id"]], action) for p in people for action in p["actions"]],
        histogram=_histogram(totals, plan.context.scale()))


def label_of(plan, name: str) -> str:
    item = next((i for i in plan.policy.of((ast.Outcome, ast.Distribute, ast.Payout)) if i.id.name == name), None)
    return (item.label or name) if item else name


def _share(score: Decimal | None, maximum: Decimal) -> Decimal | None:
    return None if score is None else rounded(score / maximum, 4)


def _grade_counts(plan, people, grade_name) -> list[tuple[str, int]]:
    if grade_name is None:
        return []
    item = next(i for i in plan.policy.of(ast.Outcome) if i.id.name == grade_name)
    order = [row.value.value for row in item.rows if isinstance(row.value, ast.Literal)]
    counts = Counter(p["outcomes"][grade_name] for p in people if p["outcomes"][grade_name] is not None)
    return [(grade, counts[grade]) for grade in order if grade in counts] + \
           [(grade, n) for grade, n in counts.items() if grade not in order]


def _histogram(totals: list[Decimal], scale: Decimal) -> list[tuple[str, int]]:
    """Totals in bands a tenth of the scale wide (the top band includes full marks)."""
    width = scale / 10
    top = max([scale] + totals)
    edges = []
    low = min([Decimal(0)] + totals)
    low = (low / width).to_integral_value(rounding="ROUND_FLOOR") * width
    while low < top:
        edges.append(low)
        low += width
    counts = Counter(min(int((total - edges[0]) // width), len(edges) - 1) for total in totals)
    return [(f"{decimal_text(edge)}–{decimal_text(edge + width)}", counts[i]) for i, edge in enumerate(edges)]


def _rankings(plan, people, records, names, grade_name, t) -> list[Ranking]:
    """By total, highest first, within the group the policy ranks by (its first `within`), else
    everyone; tied totals share a place (as RANK does)."""
    within = next((item.within.name for item in plan.policy.of((ast.Distribute, ast.Payout)) if item.within), None)
    if within is None:
        within = next((i.node.rule.group.name for i in plan.indicators if isinstance(i.node.rule, ast.Rank)), None)
    groups: dict[str, list] = {}
    for person, record in zip(people, records):
        groups.setdefault(record.get(within) if within else t["all"], []).append(person)
    found = []
    for group in sorted(groups, key=str):
        members = sorted((p for p in groups[group] if p["total"] is not None), key=lambda p: -p["total"])
        rows, place = [], 0
        for index, person in enumerate(members):
            if index == 0 or person["total"] != members[index - 1]["total"]:
                place = index + 1
            grade = person["outcomes"][grade_name] if grade_name else ""
            rows.append((place, person["id"], names[person["id"]], rounded(person["total"]), grade or ""))
        found.append(Ranking(str(group), rows))
    return found

