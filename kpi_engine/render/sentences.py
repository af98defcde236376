"""Scoring rules in plain words, for the manual people sign: "响应及时率 90%(含)至 95% 得 80 分".

A table's rows are tried top-down, so a row decides only the values the rows above left: each
row's `region` is that set (exact decimal intervals, the checker's own `Values`), and its words
are written from the region, not from the row's test alone. Tests check the regions against the
row the compiled SQL picks for values on either side of every boundary.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from .. import ast
from ..check.intervals import INF, Values
from ..fmt import node_text

WORDS = {
    "zh": {"else": "其余情况", "any": "任何值", "or": "或", "and": "且", "missing": "无数据时",
           "scores": "得 {} 分", "gets": "为 {}", "sep": " ", "end": "。", "list": "; ",
           "at_least": "{}及以上", "above": "高于 {}", "at_most": "{}及以下", "below": "低于 {}",
           "equal": "等于 {}", "closed": "(含)", "open": "(不含)", "between": "{}{}至 {}{}",
           "interpolate": "按所在区间线性插值, 从 {} 分到 {} 分",
           "when": "当 {} 时", "veto": "当 {} 时, 本项得 0 分", "label": "为“{}”时",
           "top": "排名前 {} 的人员", "bottom": "排名后 {} 的人员", "rank": "第 {} 名",
           "rank_last": "倒数第 {} 名",
           "linear": "以 {origin} 为基准得 {base} 分, 每{direction} {step} {sign} {slope} 分",
           "higher": "高", "lower": "低", "plus": "加", "minus": "减",
           "floor": "最低 {} 分", "ceiling": "最高 {} 分",
           "formula": "得分 = {}",
           "rank_rule": "在同一{group}内按{better}排名: 第 1 名得 {high} 分, 最后一名得 {low} 分, "
                        "其间按名次等差计分; 只有一人时得 {high} 分; 并列者同名次",
           "better_higher": "数值由高到低", "better_lower": "数值由低到高",
           "not_applicable": "无数据时本项不适用, 其权重按比例分摊给同级其他指标",
           "counts_zero": "无数据时本项计 0 分"},
    "en": {"else": "otherwise", "any": "any value", "or": "or", "and": "and", "missing": "when there is no data",
           "scores": "scores {}", "gets": "gives {}", "sep": ": ", "end": ".", "list": "; ",
           "at_least": "at least {}", "above": "above {}", "at_most": "at most {}", "below": "below {}",
           "equal": "exactly {}", "closed": " (inclusive)", "open": " (exclusive)", "between": "from {}{} to {}{}",
           "interpolate": "scores {} rising linearly to {} across the band",
           "when": "when {}", "veto": "when {}, this indicator scores 0", "label": "when it is “{}”",
           "top": "the top {} of the ranking", "bottom": "the bottom {} of the ranking", "rank": "rank {}",
           "rank_last": "rank {} from the bottom",
           "linear": "{base} points at {origin}, {sign}{slope} points per {step} {direction}",
           "higher": "higher", "lower": "lower", "plus": "+", "minus": "-",
           "floor": "at least {}", "ceiling": "at most {}",
           "formula": "score = {}",
           "rank_rule": "ranked within the same {group} by {better}: rank 1 scores {high}, the last scores "
                        "{low}, evenly spaced between; a group of one scores {high}; ties share the better rank",
           "better_higher": "highest value first", "better_lower": "lowest value first",
           "not_applicable": "with no data the indicator does not apply and its weight goes to the others",
           "counts_zero": "with no data the indicator scores 0"},
}
LANGUAGES = tuple(WORDS)
_DURATION_UNITS = {"zh": ((86400, "天"), (3600, "小时"), (60, "分钟"), (1, "秒")),
                   "en": ((86400, "d"), (3600, "h"), (60, "min"), (1, "s"))}


def decimal_text(value: Decimal, places: int = 4) -> str:
    """A decimal rounded half-up, without trailing zeros: 0.955 → 0.955, 80.00 → 80."""
    rounded = value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP).normalize()
    return format(rounded if rounded != 0 else Decimal(0), "f")


def quantity(value: Decimal, kind: str, lang: str, seconds: int | None = None) -> str:
    """A value in the unit it was written in: 95%, 30分钟 / 30min, 200元, 4.5. A duration is
    shown in `seconds`-long units (a table keeps one unit), else the largest that is whole."""
    if kind == "percent":
        return f"{decimal_text(value * 100)}%"
    if kind == "duration":
        seconds = seconds or duration_unit([value])
        unit = dict(_DURATION_UNITS[lang])[seconds]
        return f"{decimal_text(value / seconds)}{unit}" if lang == "zh" else f"{decimal_text(value / seconds)} {unit}"
    if kind == "money":
        return f"{decimal_text(value)}元" if lang == "zh" else f"¥{decimal_text(value)}"
    return decimal_text(value)


def duration_unit(values) -> int:
    """The largest unit (day, hour, minute, second) every one of the durations is a whole number of."""
    return next(seconds for seconds, _ in _DURATION_UNITS["en"] if all(v % seconds == 0 for v in values))


class Resolver:
    """Bounds and scores as numbers where the policy fixes them: literals, and params whose value
    is one literal (settings given on the command line win)."""

    def __init__(self, policy: ast.Policy, settings: dict | None = None):
        self.params = {}
        self.labels = {param.id.name: param.label or param.id.name for param in policy.of(ast.Param)}
        for param in policy.of(ast.Param):
            plain = [v.value for v in param.values if v.during is None]
            if plain and isinstance(plain[0], ast.Literal) and plain[0].value is not None:
                self.params[param.id.name] = plain[0]
        self.params.update(settings or {})

    def literal(self, expr) -> ast.Literal | None:
        if isinstance(expr, ast.Literal):
            return expr if expr.value is not None else None
        if isinstance(expr, ast.Name) and len(expr.parts) == 1:
            return self.params.get(expr.parts[0])
        if isinstance(expr, ast.Unary) and expr.op in "+-":
            inner = self.literal(expr.operand)
            if inner is not None and isinstance(inner.value, Decimal):
                return ast.Literal(inner.kind, -inner.value if expr.op == "-" else inner.value)
        return None

    def number(self, expr) -> Decimal | None:
        found = self.literal(expr)
        return found.value if found is not None and isinstance(found.value, Decimal) else None


@dataclass(frozen=True)
class Band:
    """One row of a table in words. `index` is the row's place in the order rows are tried;
    `region` is the set of values it decides (None when the row tests no value: `when`,
    `missing`, a rating label, a ranking place)."""
    index: int
    row: ast.Row
    region: Values | None
    condition: str
    result: str
    lang: str

    @property
    def sentence(self) -> str:
        return f"{self.condition}{WORDS[self.lang]['sep']}{self.result}"


class Sentences:
    def __init__(self, policy: ast.Policy, lang: str = "zh", settings: dict | None = None):
        if lang not in WORDS:
            raise ValueError(f"language {lang!r}: choose one of {', '.join(LANGUAGES)}")
        self.lang, self.words = lang, WORDS[lang]
        self.resolve = Resolver(policy, settings)

    # -- values -----------------------------------------------------------------------------------
    def value(self, expr, kind: str | None = None) -> str:
        """A row's result or a bound: a number in its unit, a quoted label, or the policy's text."""
        found = self.resolve.literal(expr)
        if found is None:   # a param left blank (`?`): name it by its label
            if isinstance(expr, ast.Name) and str(expr) in self.resolve.labels:
                return f"“{self.resolve.labels[str(expr)]}”"
            return node_text(expr)
        if found.kind == "text":
            return f"“{found.value}”"
        if isinstance(found.value, Decimal):
            return quantity(found.value, kind or found.kind, self.lang)
        return str(found.value)

    def table_kind(self, rows) -> tuple[str, int | None]:
        """The unit the table's bounds are written in (a share compared with 95% reads as
        percents), and for durations the one unit the table's bounds are shown in."""
        bounds = [self.resolve.literal(b) for row in rows for b in _bounds(row.test)]
        kinds = [b.kind for b in bounds if b is not None and b.kind in ("percent", "duration", "money")]
        if not kinds:
            return "number", None
        seconds = [b.value for b in bounds if b is not None and b.kind == "duration"]
        return kinds[0], duration_unit(seconds) if kinds[0] == "duration" else None

    # -- tables -----------------------------------------------------------------------------------
    def bands(self, rows, result, first_index: int = 0) -> list[Band]:
        """Rows tried top-down → one Band each. `result(row)` words what the row gives."""
        kind = self.table_kind(rows)
        taken = Values()
        found = []
        for offset, row in enumerate(rows):
            own = self.region_of(row.test)
            region = own.minus(taken) if own is not None else None
            if own is not None:
                taken = taken.union(own)
            found.append(Band(first_index + offset, row, region, self.condition(row.test, region, kind),
                              result(row), self.lang))
        return found

    def region_of(self, test) -> Values | None:
        """The values a row's own test accepts (None when it does not test a number)."""
        if isinstance(test, ast.TestElse):
            return Values.between()
        if isinstance(test, ast.TestCompare) and test.op in (">=", ">", "<=", "<", "=", "!="):
            bound = self.resolve.number(test.bound)
            return Values.compare(test.op, bound) if bound is not None else None
        if isinstance(test, ast.TestInterval):
            low, high = self.resolve.number(test.low), self.resolve.number(test.high)
            if low is None or high is None:
                return None
            return Values.between(low, high, test.low_closed, test.high_closed)
        return None

    def condition(self, test, region: Values | None, kind: tuple[str, int | None]) -> str:
        w = self.words
        if region is not None:
            if isinstance(test, ast.TestElse) and region.lo == -INF and region.hi == INF and len(region.parts) == 1:
                return w["else"]
            return self.region_words(region, kind)
        if isinstance(test, ast.TestElse):
            return w["else"]
        if isinstance(test, ast.TestMissing):
            return w["missing"]
        if isinstance(test, ast.TestWhen):
            return w["when"].format(node_text(test.condition))
        if isinstance(test, ast.TestLabel):
            return w["label"].format(test.text)
        if isinstance(test, ast.TestTop):
            return w["top"].format(self.value(test.share))
        if isinstance(test, ast.TestBottom):
            return w["bottom"].format(self.value(test.share))
        if isinstance(test, ast.TestRank):
            place = self.resolve.number(test.rank)
            if place is not None and place < 0:
                return w["rank_last"].format(decimal_text(-place))
            return w["rank"].format(self.value(test.rank))
        if isinstance(test, ast.TestCompare) and test.op in _OPERATOR_WORDS:
            # a bound the policy leaves to a param without one value: name the param
            return w[_OPERATOR_WORDS[test.op]].format(self.value(test.bound))
        return node_text(test)

    def region_words(self, region: Values, kind: tuple[str, int | None]) -> str:
        w = self.words
        if not region.parts:
            return w["else"]
        return f" {w['or']} ".join(self.interval_words(part, kind) for part in region.parts)

    def interval_words(self, part, kind: tuple[str, int | None]) -> str:
        w = self.words
        lo = quantity(part.lo, kind[0], self.lang, kind[1]) if part.lo != -INF else None
        hi = quantity(part.hi, kind[0], self.lang, kind[1]) if part.hi != INF else None
        if lo is None and hi is None:
            return w["any"]
        if hi is None:
            return (w["at_least"] if part.lo_closed else w["above"]).format(lo)
        if lo is None:
            return (w["at_most"] if part.hi_closed else w["below"]).format(hi)
        if part.lo == part.hi:
            return w["equal"].format(lo)
        return w["between"].format(lo, w["closed"] if part.lo_closed else w["open"],
                                   hi, w["closed"] if part.hi_closed else w["open"])

    # -- an indicator's rule ---------------------------------------------------------------------
    def score_words(self, row: ast.Row) -> str:
        if row.upto is not None:
            return self.words["interpolate"].format(self.value(row.value, "number"), self.value(row.upto, "number"))
        return self.words["scores"].format(self.value(row.value, "number"))

    def rule_bands(self, indicator: ast.Indicator) -> list[Band]:
        """Every row of the indicator's rule, indexed as the compiled plan indexes them
        (`compile.rules.rule_rows`): exceptions first, then the table's own rows."""
        from ..compile.rules import rule_rows

        rows = rule_rows(indicator)
        exceptions = [r for r in rows if isinstance(r.test, (ast.TestMissing, ast.TestWhen))]
        body = rows[len(exceptions):]
        found = [Band(i, r, None, self.condition(r.test, None, ("number", None)), self.score_words(r), self.lang)
                 for i, r in enumerate(exceptions)]
        if isinstance(indicator.rule, (ast.Bands, ast.Map)):
            found += self.bands(body, self.score_words, len(exceptions))
        return found

    def rule_sentences(self, indicator: ast.Indicator) -> list[str]:
        """The indicator's scoring rule as sentences, in the order they apply."""
        w, rule = self.words, indicator.rule
        sentences = [band.sentence for band in self.rule_bands(indicator)]
        if isinstance(rule, ast.Linear):
            sentences.append(self.linear(rule, indicator))
        elif isinstance(rule, ast.Formula):
            sentences.append(w["formula"].format(node_text(rule.expr)))
        elif isinstance(rule, ast.Rank):
            sentences.append(w["rank_rule"].format(group=rule.group.name, better=w[f"better_{indicator.better}"],
                                                   high=self.value(rule.high, "number"),
                                                   low=self.value(rule.low, "number")))
        return sentences + [w["veto"].format(node_text(v.condition)) for v in indicator.vetoes]

    def missing_note(self, indicator: ast.Indicator, missing_mode: str) -> str | None:
        """What happens with no data, unless the rule's own `missing :` row says it."""
        if any(isinstance(b.row.test, ast.TestMissing) for b in self.rule_bands(indicator)):
            return None
        return self.words["counts_zero"] if missing_mode == "zero" else self.words["not_applicable"]

    def linear(self, rule: ast.Linear, indicator: ast.Indicator) -> str:
        w = self.words
        slope = self.resolve.number(rule.slope)
        known = [self.resolve.literal(e) for e in (rule.origin, rule.step)]
        kind = next((k.kind for k in known if k is not None), "number")
        signed = isinstance(rule.slope, ast.Unary) and rule.slope.op in "+-"
        negative = slope < 0 if slope is not None else signed and rule.slope.op == "-"
        text = w["linear"].format(
            origin=self.value(rule.origin, kind), base=self.value(rule.base, "number"),
            step=self.value(rule.step, kind), direction=w["higher"], sign=w["minus"] if negative else w["plus"],
            slope=decimal_text(abs(slope)) if slope is not None else self.value(rule.slope.operand if signed else rule.slope))
        limits = []
        if rule.low is not None:
            limits.append(w["floor"].format(self.value(rule.low, "number")))
        if rule.high is not None:
            limits.append(w["ceiling"].format(self.value(rule.high, "number")))
        return ", ".join([text, *limits])

    def outcome_bands(self, rows) -> list[Band]:
        return self.bands(rows, lambda row: self.words["gets"].format(self.value(row.value)))


_OPERATOR_WORDS = {">=": "at_least", ">": "above", "<=": "at_most", "<": "below", "=": "equal"}


def _bounds(test) -> list:
    if isinstance(test, ast.TestCompare):
        return [test.bound]
    if isinstance(test, ast.TestInterval):
        return [test.low, test.high]
    return []
