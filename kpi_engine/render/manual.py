"""The checked policy → the manual's content (chapters, tables, sentences), ready for a template
or a Word document. Every sentence comes from the policy the engine runs, never typed twice."""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from decimal import Decimal

from .. import ast
from ..compile.tree import ROOT, TreeNode, build_tree
from ..fmt import node_text
from .sentences import Sentences, decimal_text

TITLES = {
    "zh": {"general": "总则", "purpose": "目的", "scope": "适用范围", "principles": "考核原则",
           "cycle": "考核周期与考核主体", "system": "指标体系", "standards": "评分标准",
           "adjust": "加减分与否决项", "results": "结果应用", "schedule": "数据采集与时间节点",
           "appeal": "申诉", "appendix": "附录: 个人考核评分表", "supplement": "补充规定",
           "source": "附录: 考核规则原文", "preset_source": "所依据的预设 {}",
           "version": "版本", "effective": "生效日期", "blank_date": "____年__月__日",
           "contents": "目录", "period": "考核周期", "subject": "考核对象", "sources": "数据来源",
           "columns": ("指标", "定义/公式", "权重或分值", "评分标准", "数据来源", "考核周期"),
           "card": ("指标", "权重或分值", "实际值", "得分", "备注"),
           "card_head": ("姓名", "工号", "部门/组别", "考核期间"),
           "card_foot": ("加减分", "总分", "考核等级"),
           "signatures": ("被考核人签字", "考核人签字", "日期"),
           "of_total": "占总分 {} 分", "points": "{} 分", "indicator_veto": "{}: {}",
           "policy_veto": "出现“{}”({}) 时, 当期总分为 0", "policy_veto_plain": "{} 时, 当期总分为 0",
           "each": "{}{} 每条{} {} 分", "where": "(条件: {})", "if": "当 {} 时 {} {} 分",
           "add": "加", "deduct": "扣", "adjust_min": "合计最多扣 {} 分", "adjust_max": "合计最多加 {} 分",
           "total_bounds": "总分最低 {} 分, 最高 {} 分", "rounding": "总分四舍五入保留 {} 位小数",
           "by_total": "按总分", "actions": "改进措施", "params": "参数", "special": "特殊期间",
           "during": "{tag}期间为 {value}", "blank_param": "由本单位填写: ________", "dates": "{} 至 {}",
           "variant_weight": "{} 权重调整为 {}", "variant_points": "{} 分值调整为 {}", "variant_param": "{} 取 {}",
           "default_purpose": "本制度规定“{}”的考核指标、评分标准与结果应用; 考核结果按本制度由{}数据计算得出。", "by": "按{}", "within": "在同一{}内排名", "ranking": "按总分排名",
           "action": "{}: {}", "action_periods": "连续 {} 个考核周期 {}", "no_appeal":
           "员工对考核结果有异议的, 可在结果公布后向考核主管部门提出申诉。",
           "by_day": "每期第 {} 日前", "within_time": "{} {}内",
           "kinds": {"month": "月度", "quarter": "季度", "year": "年度", "week": "周"},
           "units": {"day": "日", "days": "天", "workday": "个工作日", "workdays": "个工作日"}},
    "en": {"general": "General provisions", "purpose": "Purpose", "scope": "Scope", "principles": "Principles",
           "cycle": "Assessment period and assessors", "system": "Indicators", "standards": "Scoring standards",
           "adjust": "Bonus points, deductions and vetoes", "results": "Use of results",
           "schedule": "Data collection and deadlines", "appeal": "Appeals",
           "appendix": "Appendix: personal scorecard", "supplement": "Supplementary provisions",
           "source": "Appendix: the policy as written", "preset_source": "The preset it extends: {}",
           "version": "Version", "effective": "Effective date", "blank_date": "____-__-__",
           "contents": "Contents", "period": "Assessment period", "subject": "Assessed people",
           "sources": "Data sources",
           "columns": ("Indicator", "Definition / formula", "Weight or points", "Scoring", "Data source", "Period"),
           "card": ("Indicator", "Weight or points", "Actual value", "Score", "Notes"),
           "card_head": ("Name", "Employee id", "Team", "Period"),
           "card_foot": ("Adjustments", "Total", "Grade"),
           "signatures": ("Employee signature", "Assessor signature", "Date"),
           "of_total": "{} points of the total", "points": "{} points", "indicator_veto": "{}: {}",
           "policy_veto": "“{}” ({}): the period's total is 0", "policy_veto_plain": "when {}, the period's total is 0",
           "each": "each {} record{}: {} {} points", "where": " where {}", "if": "when {}: {} {} points",
           "add": "add", "deduct": "deduct", "adjust_min": "deductions total at most {} points",
           "adjust_max": "additions total at most {} points", "total_bounds": "the total is kept between {} and {}",
           "rounding": "the total is rounded half-up to {} decimals",
           "by_total": "by total", "actions": "Actions", "params": "Parameters", "special": "Special periods",
           "during": "{value} during {tag}", "blank_param": "to be filled in: ________", "dates": "{} to {}",
           "variant_weight": "weight of {} becomes {}", "variant_points": "points of {} become {}",
           "variant_param": "{} is {}",
           "default_purpose": "This document sets out the indicators, scoring standards and use of results of "
                              "“{}”; results are computed from the {} data by these rules.", "by": "by {}", "within": "ranked within the same {}", "ranking": "ranked by total",
           "action": "{}: {}", "action_periods": "{1} for {0} periods in a row", "no_appeal":
           "An employee who disagrees with the result may appeal to the assessing department after it is published.",
           "by_day": "by day {} of the period", "within_time": "within {} {}",
           "kinds": {"month": "monthly", "quarter": "quarterly", "year": "yearly", "week": "weekly"},
           "units": {"day": "day", "days": "days", "workday": "workday", "workdays": "workdays"}},
}


@dataclass
class IndicatorEntry:
    id: str
    label: str
    define: str
    share: str
    source: str
    period: str
    sentences: list[str]
    brief: str            # the scoring standard in the indicator table: the rule's sentences joined


@dataclass
class Group:
    """A dimension (or the policy itself for indicators outside any) with its indicators."""
    title: str
    share: str
    indicators: list[IndicatorEntry]


@dataclass
class Table:
    title: str
    sentences: list[str]


@dataclass
class SourceText:
    """A policy text as the engine reads it, printed in the appendix: the client's file and the
    preset it extends, so the signed document carries the rules it was generated from."""
    title: str
    text: str

    @property
    def fence(self) -> str:
        """A Markdown code fence longer than any run of backticks in the text."""
        longest = max((len(run) for run in re.findall(r"`+", self.text)), default=0)
        return "`" * max(3, longest + 1)


@dataclass
class Manual:
    lang: str
    titles: dict
    title: str
    policy_id: str
    version: str
    effective: str
    general: list[tuple[str, str]]
    cycle: list[tuple[str, str]]
    groups: list[Group]
    adjustments: list[str]
    vetoes: list[str]
    results: list[Table]
    schedule: list[tuple[str, str]]
    appeal: str
    params: list[tuple[str, str]] = field(default_factory=list)      # label, value(s) in words
    special: list[Table] = field(default_factory=list)               # calendar tags and their variants
    supplements: list[tuple[str, str]] = field(default_factory=list)
    sources: list[SourceText] = field(default_factory=list)

    @property
    def chapters(self) -> list[tuple[str, int, str]]:
        """(anchor, number, title) of each chapter, in order."""
        keys = ["general", "cycle", "system", "standards", "adjust", "results", "schedule", "appeal"]
        keys += ["supplement"] * bool(self.supplements) + ["appendix"] + ["source"] * bool(self.sources)
        return [(key, number, self.titles[key]) for number, key in enumerate(keys, 1)]

    @property
    def indicators(self) -> list[IndicatorEntry]:
        return [entry for group in self.groups for entry in group.indicators]


def policy_version(text: str) -> str:
    """A short fingerprint of the policy text: the manual names the exact policy it was made from."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:8]


def build_manual(policy: ast.Policy, source_text: str, lang: str = "zh", settings: dict | None = None,
                 version: str | None = None, effective: str | None = None,
                 preset_text: str | None = None) -> Manual:
    """The manual of `policy` (already merged with its preset); `preset_text` is the text of the
    preset it extends, printed in the appendix after the policy's own text."""
    words = TITLES[lang]
    say = Sentences(policy, lang, settings)
    scale = policy.setting(ast.ScaleSetting)
    tree = build_tree(policy, scale.value.value if scale else Decimal(100))
    missing = policy.setting(ast.MissingSetting)
    missing_mode = missing.mode.name if missing else "exclude"
    kind = policy.setting(ast.PeriodSetting)
    period = words["kinds"].get(kind.kind.name if kind else "month", kind.kind.name if kind else "month")
    doc = {row.key.name: row.texts for item in policy.of(ast.Doc) for row in item.rows}

    nodes = {id(n.node): n for n in _walk(tree)}

    def share_text(item) -> str:
        node = nodes.get(id(item))
        if node is None or node.share is None:
            return ""
        own = f"{decimal_text(node.share * 100)}%" if node.mode == "weight" else words["points"].format(decimal_text(node.share))
        points = decimal_text(full_points(node), 2)
        return own if own in (f"{points}%", words["points"].format(points)) else f"{own} ({words['of_total'].format(points)})"

    def entry(indicator: ast.Indicator) -> IndicatorEntry:
        rules = say.rule_sentences(indicator)
        note = say.missing_note(indicator, missing_mode)
        measure = indicator.value_measure
        define = indicator.text_of(ast.Define) or (node_text(measure.expr) if measure else "")
        return IndicatorEntry(indicator.id.name, indicator.label or indicator.id.name, define,
                              share_text(indicator), indicator.text_of(ast.Source) or "", period,
                              rules + [note] * bool(note), "; ".join(rules))

    groups: list[Group] = []
    loose: list[IndicatorEntry] = []
    for item in policy.tree:
        if isinstance(item, ast.Indicator):
            loose.append(entry(item))
        else:
            groups.append(Group(item.label or item.id.name, share_text(item),
                                [entry(i) for i in _indicators(item)]))
    if loose:
        groups.insert(0, Group(policy.label or policy.id.name, "", loose))

    general = [(words[key], "; ".join(doc[key])) for key in ("purpose", "scope", "principles") if key in doc]
    if "purpose" not in doc:
        general.insert(0, (words["purpose"], words["default_purpose"].format(policy.label or policy.id.name, period)))
    sections = [(row.texts[0], "; ".join(row.texts[1:])) for item in policy.of(ast.Doc) for row in item.rows
                if row.key.name == "section"]
    subject = policy.setting(ast.SubjectSetting)
    roster = next((d for d in policy.of(ast.Dataset) if subject and d.id.name == subject.dataset.name), None)
    cycle = [(words["period"], period)]
    if roster is not None:
        cycle.append((words["subject"], roster.label or roster.id.name))
    sources = sorted({e.source for g in groups for e in g.indicators if e.source})
    if sources:
        cycle.append((words["sources"], "; ".join(sources)))
    cycle += [s for s in sections if "主体" in s[0] or "assessor" in s[0].lower()]

    return Manual(
        lang=lang, titles=words, title=policy.label or policy.id.name, policy_id=policy.id.name,
        version=version or policy_version(source_text), effective=effective or words["blank_date"],
        general=general, cycle=cycle, groups=groups,
        adjustments=_adjustments(policy, say, words), vetoes=_vetoes(policy, say, words),
        results=_results(policy, say, words), schedule=_schedule(policy, words),
        appeal="; ".join(doc["appeal"]) if "appeal" in doc else words["no_appeal"],
        supplements=[s for s in sections if s not in cycle],
        params=_params(policy, say, words), special=_special(policy, say, words),
        sources=[SourceText(policy.label or policy.id.name, source_text)]
        + [SourceText(words["preset_source"].format(policy.extends), preset_text)] * bool(preset_text))


def full_points(node: TreeNode) -> Decimal:
    """The points a node can bring to the total: its share scaled through its parents' weights."""
    if node.id == ROOT:
        return node.maximum
    parent_full = full_points(node.parent)
    if node.mode == "points":
        return node.share * parent_full / node.parent.maximum
    return node.share * parent_full


def _walk(node: TreeNode):
    yield node
    for child in node.children:
        yield from _walk(child)


def _indicators(item):
    for child in item.items:
        if isinstance(child, ast.Indicator):
            yield child
        elif isinstance(child, ast.Dimension):
            yield from _indicators(child)


def _signed(say: Sentences, words: dict, amount) -> tuple[str, str]:
    value = say.resolve.number(amount)
    if value is None:
        return words["add"], node_text(amount)
    return (words["deduct"] if value < 0 else words["add"]), decimal_text(abs(value))


def _adjustments(policy: ast.Policy, say: Sentences, words: dict) -> list[str]:
    labels = {d.id.name: d.label or d.id.name for d in policy.of(ast.Dataset)}
    found = []
    for block in policy.of(ast.Adjust):
        for row in block.rows:
            if isinstance(row, ast.AdjustEach):
                where = words["where"].format(node_text(row.where)) if row.where is not None else ""
                found.append(words["each"].format(labels.get(row.dataset.name, row.dataset.name), where,
                                                  *_signed(say, words, row.amount)))
            elif isinstance(row, ast.AdjustIf):
                found.append(words["if"].format(node_text(row.condition), *_signed(say, words, row.amount)))
            elif isinstance(row, ast.AdjustMin):
                found.append(words["adjust_min"].format(_signed(say, words, row.value)[1]))
            else:
                found.append(words["adjust_max"].format(_signed(say, words, row.value)[1]))
    bounds = policy.setting(ast.TotalSetting)
    if bounds is not None:
        found.append(words["total_bounds"].format(say.value(bounds.low, "number") if bounds.low else "0",
                                                  say.value(bounds.high, "number") if bounds.high else "-"))
    rounding = policy.setting(ast.RoundSetting)
    if rounding is not None:
        found.append(words["rounding"].format(say.value(rounding.value, "number")))
    return found


def _vetoes(policy: ast.Policy, say: Sentences, words: dict) -> list[str]:
    found = [words["policy_veto"].format(v.label, node_text(v.condition)) if v.label
             else words["policy_veto_plain"].format(node_text(v.condition)) for v in policy.of(ast.Veto)]
    for item in policy.tree:
        for indicator in ([item] if isinstance(item, ast.Indicator) else _indicators(item)):
            for veto in indicator.vetoes:
                found.append(words["indicator_veto"].format(
                    indicator.label or indicator.id.name, say.words["veto"].format(node_text(veto.condition))))
    return found


def _results(policy: ast.Policy, say: Sentences, words: dict) -> list[Table]:
    labels = {**{i.id.name: i.label for i in policy.of((ast.Outcome, ast.Distribute, ast.Payout)) if i.label},
              **{i.id.name: i.label or i.id.name for item in policy.tree
                 for i in ([item] if isinstance(item, ast.Indicator) else _indicators(item))}}
    found = []
    for item in policy.of((ast.Outcome, ast.Distribute, ast.Payout)):
        by = words["by_total"] if item.by.name == "total" else words["by"].format(labels.get(item.by.name, item.by.name))
        title = f"{item.label or item.id.name} ({by})"
        within = getattr(item, "within", None)
        if within is not None:
            title = f"{item.label or item.id.name} ({words['within'].format(within.name)})"
        found.append(Table(title, [band.sentence for band in say.outcome_bands(item.rows)]))
    actions = []
    for action in policy.of(ast.Action):
        condition = node_text(action.condition)
        if action.periods is not None:
            condition = words["action_periods"].format(say.value(action.periods, "number"), condition)
        actions.append(words["action"].format(action.label, condition))
    if actions:
        found.append(Table(words["actions"], actions))
    return found


def _params(policy: ast.Policy, say: Sentences, words: dict) -> list[tuple[str, str]]:
    tags = {t.id.name: t.label or t.id.name for c in policy.of(ast.Calendar) for t in c.tags}
    found = []
    for param in policy.of(ast.Param):
        values = []
        for value in param.values:
            if value.during is not None:
                tag = tags.get(value.during.name, value.during.name)
                values.append(words["during"].format(tag=tag, value=say.value(value.value)))
                continue
            given = say.resolve.literal(ast.Name((param.id.name,)))   # the default, or --set
            values.append(say.value(given) if given is not None else words["blank_param"])
        found.append((param.label or param.id.name, "; ".join(values)))
    return found


def _special(policy: ast.Policy, say: Sentences, words: dict) -> list[Table]:
    """Each calendar tag with its dates, and what its variant changes while it lasts."""
    variants = {v.id.name: v for v in policy.of(ast.Variant)}
    found = []
    for calendar in policy.of(ast.Calendar):
        for tag in calendar.tags:
            lines = ["; ".join(words["dates"].format(r.start.isoformat(), r.end.isoformat()) for r in tag.ranges)]
            variant = variants.get(tag.id.name)
            for row in variant.rows if variant else ():
                if isinstance(row, ast.VariantParam):
                    lines.append(words["variant_param"].format(row.id.name, say.value(row.value)))
                else:
                    key = "variant_weight" if isinstance(row, ast.VariantWeight) else "variant_points"
                    name = _label_of_path(policy, str(row.path))
                    lines.append(words[key].format(name, say.value(row.value)))
            title = tag.label or tag.id.name
            if variant is not None and variant.label and variant.label != title:
                title = f"{title} · {variant.label}"
            found.append(Table(title, lines))
    return found


def _label_of_path(policy: ast.Policy, path: str) -> str:
    items = list(policy.tree)
    node = None
    for part in path.split("."):
        node = next((i for i in items if i.id.name == part), None)
        if node is None:
            return path
        items = list(getattr(node, "items", ()))
    return node.label or node.id.name


def _schedule(policy: ast.Policy, words: dict) -> list[tuple[str, str]]:
    found = []
    for block in policy.of(ast.Schedule):
        for row in block.rows:
            value = node_text(row.value)
            unit = words["units"].get(row.unit.name, row.unit.name)
            if isinstance(row, ast.ScheduleBy):
                found.append((row.task, words["by_day"].format(value) if row.unit.name == "day" else f"{unit} {value}"))
            else:
                found.append((row.task, words["within_time"].format(value, unit)))
    return found
