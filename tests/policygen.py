"""Random valid policies, as text, for tests.

- Hypothesis strategies (`policy_files()`, `policies()`, `expressions()`, ...) draw policies that
  parse: every block and rule kind of LANGUAGE.md (settings, params with `during`, calendar,
  datasets, nested dimensions with weight/points, indicators with bands (`~`, intervals, `missing`,
  `when`), linear, formula with named measures, rank with exception rows, map, veto, adjust,
  outcome, distribute, payout, action, variant, doc, schedule, drop, extends, `for role`), with
  Chinese ids and labels, comments in every place a comment can stand, rows separated by newlines,
  commas or semicolons, `≥` `≤` `≠`, redundant parentheses and line breaks inside parentheses.
  They promise valid SYNTAX; names mostly refer to declared things but types and weights are not
  kept consistent (use `generate_policy` for that). By default a policy's choices come from a
  `random.Random` seeded by one hypothesis draw (fast); `shrink=True` makes every choice a
  hypothesis draw, so a failing policy shrinks (about three times slower).
- `generate_policy(n_indicators, seed)` writes one large policy that is valid as LANGUAGE.md
  defines it (`kpi check` finds nothing): declared names, matching types, weights adding up to
  exactly 100% at every level, ordered bands, every rule kind. It is already in `kpi fmt` layout.
  For speed tests of the checker (1,000 indicators) and of the engine.
"""
from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal

from hypothesis import strategies as st

KEYWORDS = frozenset("""
    action adjust and at bands better bottom by calendar dataset define dimension distribute doc
    drop during each else extends false for formula from if in indicator is key linear map max measure
    min missing not or outcome param payout per period periods points policy rank role round scale
    schedule source subject to top total true variant veto weight when where within value
""".split())

CHINESE_IDS = ("响应及时率", "一次解决率", "客户满意度", "工单", "员工", "投诉", "好评", "大促", "团队",
               "质检", "回访率", "首响时长", "维修返修率", "上门准时", "服务过程", "服务结果")
CHINESE_TEXT = ("优秀", "良好", "合格", "待改进", "很满意", "较满意", "不满意", "售后客服月度考核",
                "加减分", "强制分布", "排名奖罚", "大促期间", "媒体曝光投诉", "服务技能提升培训")
FUNCTIONS = ("count", "share", "sum", "avg", "min", "max", "median", "percentile", "first", "last",
             "round")
COMPARATORS = (">=", "<=", ">", "<", "=", "!=", "≥", "≤", "≠")
FIELD_TYPES = ("text", "number", "bool", "duration", "date", "datetime", "money")

# Precedence levels of the grammar, loosest first (as in kpi_engine/fmt.py).
OR, AND, NOT, COMPARE, SUM, PRODUCT, UNARY, ATOM = range(1, 9)

# ---- drawing helpers -------------------------------------------------------------------------
# The internals are plain functions over a `_Draw`, which draws only from a handful of strategies
# built once: building strategies per draw (filters, one_of, nested composites) costs hypothesis
# far more time than the policy takes to parse.

_ascii_ids = st.from_regex(r"[a-z_][a-z0-9_]{0,7}", fullmatch=True)
_label_chars = st.characters(blacklist_categories=("Cs",), blacklist_characters="\n")
_comment_chars = st.characters(blacklist_categories=("Cs",), blacklist_characters="\n\r")
_label_texts = st.text(_label_chars, max_size=12)
_comment_texts = st.text(_comment_chars, max_size=16)
_dates = st.dates(date(2000, 1, 1), date(2099, 12, 31))


class _Choices:
    """Every choice as a hypothesis draw: slower, but a failing policy shrinks."""

    def __init__(self, draw):
        self.draw = draw

    def int(self, low: int, high: int) -> int:
        return self.draw(st.integers(low, high))

    def ascii_id(self) -> str:
        return self.draw(_ascii_ids)

    def text(self, comment: bool) -> str:
        return self.draw(_comment_texts if comment else _label_texts)

    def date(self) -> date:
        return self.draw(_dates)

    def permutation(self, items: list) -> list:
        return self.draw(st.permutations(items))


class _SeededChoices:
    """Every choice from a `random.Random` seeded by one hypothesis draw: about three times
    faster (hypothesis spends ~80 µs a draw, a policy takes ~800), reproducible from the seed,
    but a failure does not shrink."""

    _ALPHABETS = (
        "abcxyz019 _-.,;:{}[]()<>=~#?%\"\\\t\u3000\f",
        "优秀良好合格待改进很满意较满意不满意售后客服考核响应及时率",
    )

    def __init__(self, seed: int):
        self.rnd = random.Random(seed)

    def int(self, low: int, high: int) -> int:
        return self.rnd.randint(low, high)

    def ascii_id(self) -> str:
        rnd = self.rnd
        first = rnd.choice("abcdefghijklmnopqrstuvwxyz_")
        return first + "".join(rnd.choice("abcdefghijklmnopqrstuvwxyz0123456789_")
                               for _ in range(rnd.randint(0, 7)))

    def _char(self, comment: bool) -> str:
        rnd = self.rnd
        roll = rnd.random()
        if roll < 0.85:
            return rnd.choice(self._ALPHABETS[roll < 0.45])
        while True:  # any code point but surrogates and line ends
            ch = chr(rnd.choice((rnd.randint(0, 0x7F), rnd.randint(0x80, 0xFFFF),
                                 rnd.randint(0x10000, 0x10FFFF))))
            if not 0xD800 <= ord(ch) <= 0xDFFF and ch != "\n" and not (comment and ch == "\r"):
                return ch

    def text(self, comment: bool) -> str:
        return "".join(self._char(comment) for _ in range(self.rnd.randint(0, 14)))

    def date(self) -> date:
        return date(2000, 1, 1) + timedelta(days=self.rnd.randint(0, 36524))

    def permutation(self, items: list) -> list:
        items = list(items)
        self.rnd.shuffle(items)
        return items


class _Draw:
    """The choices the generator makes, over either kind of `_Choices`."""

    def __init__(self, choices, comments_ok: bool = True):
        self.c = choices
        self.comments_ok = comments_ok

    def int(self, low: int, high: int) -> int:
        return self.c.int(low, high)

    def chance(self, percent: int) -> bool:
        return self.int(0, 99) < percent

    def pick(self, options):
        options = tuple(options)
        return options[self.int(0, len(options) - 1)]

    def identifier(self) -> str:
        if self.chance(25):
            return self.pick(CHINESE_IDS)
        name = self.c.ascii_id()
        return name + "_" if name in KEYWORDS else name

    def fresh(self, taken: set) -> str:
        name = self.identifier()
        while name in taken:
            name += self.pick("_x1")
        taken.add(name)
        return name

    def label(self) -> str:
        """A double-quoted text, escaping `"` and `\\` (and now and then a needless `\\x`)."""
        text = self.pick(CHINESE_TEXT) if self.chance(50) else self.c.text(comment=False)
        needless = self.chance(10)
        out = []
        for ch in text:
            if ch in '"\\':
                out.append("\\" + ch)
            elif needless and ch.isalnum():
                out.append("\\" + ch)  # `\a` reads as `a`
            else:
                out.append(ch)
        return '"' + "".join(out) + '"'

    def maybe_label(self, percent: int = 60) -> str:
        return f" {self.label()}" if self.chance(percent) else ""

    def comment(self, percent: int = 10) -> str | None:
        if self.comments_ok and self.chance(percent):
            return "#" + self.c.text(comment=True)
        return None

    def trailing(self, percent: int = 10) -> str:
        found = self.comment(percent)
        return f"{' ' * self.int(1, 4)}{found}" if found else ""

    def own_lines(self, pad: str, percent: int = 10) -> str:
        lines = []
        while len(lines) < 2 and (found := self.comment(percent)):
            lines.append(pad + found + "\n")
        return "".join(lines)

    def digits(self, high: int = 999) -> str:
        whole = str(self.int(0, high))
        return whole + "." + str(self.int(0, 99)) if self.chance(30) else whole

    def literal(self, kinds=("percent", "duration", "money", "number", "text", "date", "bool",
                             "blank")) -> str:
        kind = self.pick(kinds)
        if kind == "percent":
            return self.digits(120) + "%"
        if kind == "duration":
            return self.digits(90) + self.pick(("s", "min", "h", "d"))
        if kind == "money":
            return self.digits(500) + "元"
        if kind == "number":
            return self.digits()
        if kind == "text":
            return self.label()
        if kind == "date":
            return self.c.date().isoformat()
        if kind == "bool":
            return self.pick(("true", "false"))
        return "?"

    def signed(self) -> str:
        """What may follow a continuing comma: a literal, maybe signed (`60s`, `-5`, `+2.5`, `?`)."""
        return self.pick(("", "", "-", "+")) + self.literal(("percent", "duration", "money",
                                                               "number", "blank"))

    def bound(self) -> str:
        return self.literal(("percent", "duration", "number", "money"))

    def expr(self, names, level: int = OR, depth: int = 2) -> str:
        return _Expr(self, names).at(level, self.int(0, depth))

    def block(self, header: str, rows: list[str], indent: int, inline_ok: bool = True) -> str:
        """`header { rows }`: on one line (any separators) or one row per line (now and then two),
        with blank lines and comments after `{`, before and after rows and before `}`."""
        pad, inner = "  " * indent, "  " * (indent + 1)
        if inline_ok and self.chance(40):
            seps = [self.pick((", ", "; ", ",", " ;", ",  ")) for _ in rows[1:]]
            body = "".join(sep + row for sep, row in zip([""] + seps, rows))
            lead = self.pick(("", "", "", "; "))
            tail = self.pick(("", "", "", ",", ";"))
            space = " " if rows or lead or tail else self.pick(("", " "))
            return f"{header} {{{space}{lead}{body}{tail}{space}}}".replace("{  }", "{ }")
        out = [f"{header} {{{self.trailing()}\n"]
        for index, row in enumerate(rows):
            if index and self.chance(10):
                out.append("\n\n" if self.chance(20) else "\n")  # blank lines: one is kept
            out.append(self.own_lines(inner))
            out.append(inner + row)
            if index + 1 < len(rows) and self.chance(8):
                out.append(self.pick(("; ", ", ")))  # the next row on this line
                continue
            out.append(self.pick(("", "", "", ";", ",")))
            out.append(self.trailing() + "\n")
        out.append(self.own_lines(inner, 8))
        out.append(pad + "}")
        return "".join(out)


# ---- expressions -----------------------------------------------------------------------------

_KINDS = ("leaf", "leaf", "call", "or", "and", "not", "compare", "in", "missing", "position",
          "sum", "product", "unary")


class _Expr:
    """Random expressions following the grammar, parenthesised where their place needs it (and
    now and then where it does not), with line breaks and comments inside parentheses."""

    def __init__(self, d: _Draw, names):
        self.d = d
        self.names = tuple(names) or ("value",)

    def at(self, level: int, depth: int) -> str:
        text, prec = self.any(depth)
        if prec < level or self.d.chance(5):
            return f"({self.brk()}{text}{self.brk()})"
        return text

    def brk(self) -> str:
        d = self.d
        if not d.chance(8):
            return ""
        found = d.comment(50)
        return f"  {found}\n    " if found else "\n    "

    def name(self) -> str:
        return self.d.pick(self.names) if self.d.chance(70) else self.d.identifier()

    def any(self, depth: int):
        d = self.d
        kind = d.pick(_KINDS) if depth > 0 else "leaf"
        n = depth - 1
        if kind == "leaf":
            return (d.literal() if d.chance(50) else self.name()), ATOM
        if kind == "call":
            func = d.pick(FUNCTIONS) if d.chance(80) else d.identifier()
            args = []
            for _ in range(d.int(1, 3)):
                arg = self.at(OR, n)
                if d.chance(30):
                    arg += f" where {self.at(OR, n)}"
                args.append(arg)
            return f"{func}({self.brk()}{(',' + self.brk() + ' ').join(args)}{self.brk()})", ATOM
        if kind == "or":
            return f"{self.at(OR, n)} or {self.at(AND, n)}", OR
        if kind == "and":
            return f"{self.at(AND, n)} and {self.at(NOT, n)}", AND
        if kind == "not":
            return f"not {self.at(NOT, n)}", NOT
        if kind == "compare":
            return f"{self.at(SUM, n)} {d.pick(COMPARATORS)} {self.at(SUM, n)}", COMPARE
        if kind == "in":
            options = ", ".join(self.at(OR, n) for _ in range(d.int(1, 3)))
            return f"{self.at(SUM, n)} in ({self.brk()}{options})", COMPARE
        if kind == "missing":
            return f"{self.at(SUM, n)} is {d.pick(('', 'not '))}missing", COMPARE
        if kind == "position":
            return f"{d.pick(('first', 'last'))} within {self.name()}", COMPARE
        if kind == "sum":
            return f"{self.at(SUM, n)} {d.pick('+-')} {self.at(PRODUCT, n)}", SUM
        if kind == "product":
            return f"{self.at(PRODUCT, n)} {d.pick('*/')} {self.at(UNARY, n)}", PRODUCT
        return f"{d.pick('-+')}{self.at(UNARY, n)}", UNARY


# ---- policy parts -----------------------------------------------------------------------------

class _Names:
    """What the policy declared so far, so expressions mostly name real things."""

    def __init__(self):
        self.datasets: dict[str, list[tuple[str, str]]] = {}
        self.params: list[str] = []
        self.tags: list[str] = []
        self.items: list[str] = []

    def all(self, extra=()) -> list[str]:
        fields = [f for fields in self.datasets.values() for f, _ in fields]
        return self.params + list(extra) + self.tags + list(self.datasets) + fields + ["value", "total"]


def _measure_expr(d: _Draw, names: _Names) -> str:
    """An aggregate over a declared dataset, or any expression (the grammar wants a sum here)."""
    if not names.datasets or d.chance(30):
        return d.expr(names.all(), level=SUM)
    dataset = d.pick(sorted(names.datasets))
    fields = names.datasets[dataset]
    func = d.pick(("count", "share", "avg", "sum", "median", "percentile", "first", "last", "min",
                   "max"))
    condition = ""
    if func == "share" or d.chance(30):
        field, _ = d.pick(fields)
        condition = f" where {field} {d.pick(COMPARATORS)} {d.literal(('percent', 'duration', 'number'))}"
        if d.chance(20):
            condition += f" and {field} is not missing"
    if func in ("count", "share"):
        return f"{func}({dataset}{condition})"
    field, _ = d.pick(fields)
    if func == "percentile":
        return f"percentile({dataset}.{field}, {d.literal(('percent',))})"
    return f"{func}({dataset}.{field}{condition})"


def _row(d: _Draw, kind: str, names: list[str]) -> str:
    """One row of a table; `kind` is bands, map, exceptions, outcome, distribute or payout."""
    score = d.bound() if d.chance(70) else d.expr(names, depth=1)
    if kind == "bands":
        test = d.pick(("cmp", "cmp", "cmp", "interval", "missing", "when", "else"))
        if test == "cmp":
            row = f"{d.pick(COMPARATORS)} {d.bound()} : {score}"
            return row + (f" ~ {d.bound()}" if d.chance(20) else "")
        if test == "interval":
            return f"in {d.pick('[(')}{d.bound()}, {d.bound()}{d.pick('])')} : {score}"
        if test == "when":
            return f"when {d.expr(names)} : {score}"
        return f"{test} : {score}"
    if kind == "map":
        test = d.label() if d.chance(70) else d.pick(("else", "missing"))
        return f"{test} : {score}"
    if kind == "exceptions":
        return f"when {d.expr(names)} : {score}" if d.chance(70) else f"missing : {score}"
    if kind == "outcome":
        test = d.pick(("cmp", "cmp", "label", "else"))
        value = d.label() if d.chance(50) else d.bound()
        if test == "cmp":
            return f"{d.pick(COMPARATORS)} {d.bound()} : {value}"
        return f"{d.label() if test == 'label' else 'else'} : {value}"
    if kind == "distribute":
        return f"{d.pick(('top', 'bottom'))} {d.literal(('percent',))} : {d.label()}"
    rank = d.pick((1, 2, 3, -1, -2))  # payout
    return f"rank {rank} : {'' if rank > 0 else '-'}{d.literal(('money',))}"


def _rows(d: _Draw, kind: str, names: list[str], low: int = 1, high: int = 5) -> list[str]:
    return [_row(d, kind, names) for _ in range(d.int(low, high))]


def _share(mode: str, index: int, count: int, d: _Draw) -> str:
    if mode == "weight":
        return f" weight {_percent(_split(10000, count)[index])}"
    if mode == "points":
        return f" points {d.int(1, 40)}"
    return ""


def _split(total: int, count: int) -> list[int]:
    """`total` in `count` whole parts differing by at most one (the bigger ones first)."""
    base, extra = divmod(total, count)
    return [base + (1 if i < extra else 0) for i in range(count)]


def _percent(basis_points: int) -> str:
    return format((Decimal(basis_points) / 100).normalize(), "f") + "%"


def _indicator(d: _Draw, names: _Names, taken: set, indent: int, share: str) -> str:
    ident = d.fresh(taken)
    names.items.append(ident)
    items = []
    if d.chance(40):
        items.append(f"define {d.label()}")
    if d.chance(30):
        items.append(f"source {d.label()}")
    if d.chance(50):
        items.append(f"better {d.pick(('higher', 'lower'))}")
    rule = d.pick(("bands", "bands", "linear", "formula", "rank", "map"))
    measures = []
    if rule == "formula":
        for _ in range(d.int(1, 3)):
            measure = d.fresh(taken)
            measures.append(measure)
            items.append(f"measure {measure} = {_measure_expr(d, names)}")
    if rule != "formula" or d.chance(30):
        items.append(f"measure {_measure_expr(d, names)}")
    local = names.all(measures)
    if rule in ("bands", "map"):
        items.append(d.block(rule, _rows(d, rule, local, 0 if d.chance(3) else 1), indent + 1))
    else:
        if rule == "linear":
            text = f"linear {d.bound()} at {d.bound()}, {d.signed()} per {d.bound()}"
            if d.chance(50):
                text += f", min {d.signed()}"
            if d.chance(50):
                text += f", max {d.signed()}"
        elif rule == "formula":
            terms = [f"{m} * {d.literal(('number',))}" for m in measures]
            text = "formula " + d.pick((" + ", " - ")).join(terms)
        else:
            text = f"rank within {d.pick(('team', 'branch', '团队'))} from 0 to {d.bound()}"
        if d.chance(30):
            text = d.block(text, _rows(d, "exceptions", local), indent + 1)
        items.append(text)
    if d.chance(20):
        items.append(f"veto{d.maybe_label(50)} if {d.expr(local)}")
    if d.chance(10):
        items = d.c.permutation(items)
    header = f"indicator {ident}{d.maybe_label(70)}{share}"
    return d.block(header, items, indent, inline_ok=False)


def _dimension(d: _Draw, names: _Names, taken: set, indent: int, share: str, depth: int) -> str:
    ident = d.fresh(taken)
    count = d.int(1, 3)
    mode = d.pick(("weight", "points", "none"))
    children = []
    for index in range(count):
        child_share = _share(mode, index, count, d)
        if depth > 0 and d.chance(25):
            children.append(_dimension(d, names, taken, indent + 1, child_share, depth - 1))
        else:
            children.append(_indicator(d, names, taken, indent + 1, child_share))
    header = f"dimension {ident}{d.maybe_label(70)}{share}"
    return d.block(header, children, indent, inline_ok=False)


def _policy(d: _Draw) -> str:
    names = _Names()
    taken: set[str] = set()
    header = f"policy {d.fresh(taken)}{d.maybe_label(80)}"
    extends = d.chance(15)
    if extends:
        header += f" extends {d.identifier()}.{d.identifier()}"
    if d.chance(20):
        header += f" for role {d.label()}"
    groups: list[list[str]] = []

    settings = []
    if d.chance(70):
        settings.append(f"period {d.pick(('month', 'quarter', 'year', 'week'))}")
    if d.chance(50):
        settings.append(f"scale {d.pick(('100', '120', '10'))}")
    if d.chance(50):
        settings.append(f"round {d.int(0, 4)}")
    if d.chance(50):
        settings.append(f"missing {d.pick(('exclude', 'zero'))}")
    if d.chance(40):
        total = "total"
        if d.chance(80):
            total += f" min {d.signed()}"
        if d.chance(60):
            total += f" max {d.signed()}"
        settings.append(total)
    groups.append(settings)

    if d.chance(60):
        calendar = []
        for _ in range(d.int(1, 3)):
            tag = d.fresh(taken)
            names.tags.append(tag)
            ranges = []
            for _ in range(d.int(1, 3)):
                start = d.c.date()
                if d.chance(70):
                    end = start + timedelta(days=d.int(0, 20))
                    ranges.append(f"{start.isoformat()} .. {end.isoformat()}")
                else:
                    ranges.append(start.isoformat())
            # a continuing comma may end the line (no comment there: the grammar tells a
            # continuing comma by the value after it, and cannot look past a comment)
            joiner = ", " if d.chance(80) else ",\n      "
            calendar.append(f"{tag}{d.maybe_label(70)} " + joiner.join(ranges))
        groups.append([d.block("calendar", calendar, 1)])

    params = []
    for _ in range(d.int(0, 3)):
        param = d.fresh(taken)
        names.params.append(param)
        values = [d.signed() if d.chance(50) else d.expr(names.all())]
        if names.tags and d.chance(20):
            values[0] += f" during {d.pick(names.tags)}"
        for _ in range(d.int(0, 2) if names.tags else 0):
            continuation = ", " if d.chance(80) else ",\n    "
            values.append(f"{continuation}{d.signed()} during {d.pick(names.tags)}")
        params.append(f"param {param}{d.maybe_label()} = " + "".join(values))
    groups.append(params)

    datasets = []
    for index in range(d.int(1, 3)):
        dataset = d.fresh(taken)
        used = set(taken)
        fields = [(d.fresh(used), d.pick(FIELD_TYPES)) for _ in range(d.int(1, 4))]
        names.datasets[dataset] = fields
        head = f"dataset {dataset}{d.maybe_label(70)} by {d.identifier()}"
        if index or d.chance(50):
            head += f" at {d.identifier()}"
        if d.chance(30):
            head += f" key {fields[0][0]}"
        rows = [f"{field}: {kind}{'?' if d.chance(25) else ''}" for field, kind in fields]
        datasets.append(d.block(head, rows, 1))
    if d.chance(60):
        settings.append(f"subject {d.pick(sorted(names.datasets))}")
    groups.append(datasets)

    tree = []
    count = d.int(1, 4)
    mode = d.pick(("weight", "weight", "points", "none"))
    for index in range(count):
        share = _share(mode, index, count, d)
        if d.chance(40):
            tree.append(_dimension(d, names, taken, 1, share, 1))
        else:
            tree.append(_indicator(d, names, taken, 1, share))
    groups.append(tree)

    everything = names.all()
    after = []
    if d.chance(40):
        rows = []
        for _ in range(d.int(1, 4)):
            kind = d.pick(("each", "each", "if", "min", "max"))
            if kind == "each":
                where = f" where {d.expr(everything)}" if d.chance(60) else ""
                rows.append(f"{d.signed()} each {d.pick(sorted(names.datasets))}{where}")
            elif kind == "if":
                rows.append(f"{d.signed()} if {d.expr(everything)}")
            else:
                rows.append(f"{kind} {d.signed()}")
        after.append(d.block(f"adjust{d.maybe_label()}", rows, 1))
    if d.chance(30):
        after.append(f"veto{d.maybe_label()} if {d.expr(everything)}")
    outcomes = ["total"]
    for _ in range(d.int(0, 2)):
        outcome = d.fresh(taken)
        after.append(d.block(f"outcome {outcome}{d.maybe_label()} by {d.pick(outcomes)}",
                             _rows(d, "outcome", everything), 1))
        outcomes.append(outcome)
    for kind in ("distribute", "payout"):
        if d.chance(30):
            within = f" within {d.identifier()}" if d.chance(70) else ""
            after.append(d.block(f"{kind} {d.fresh(taken)}{d.maybe_label()}{within} by total",
                                 _rows(d, kind, everything), 1))
    for _ in range(d.int(0, 2)):
        if d.chance(50):
            condition = d.pick(("total < 70", "last within team", "first within 团队"))
        else:
            condition = d.expr(everything)
        span = ""
        if d.chance(60):
            n = d.int(1, 4)
            span = f" for {n} {'period' if n == 1 and d.chance(50) else 'periods'}"
        after.append(f"action {d.label()} if {condition}{span}")
    if names.tags and d.chance(25):
        rows = []
        for _ in range(d.int(1, 3)):
            kind = d.pick(("weight", "points", "param"))
            path = ".".join(d.pick(names.items) for _ in range(d.int(1, 2)))
            if kind == "weight":
                rows.append(f"weight {path} {d.literal(('percent',))}")
            elif kind == "points":
                rows.append(f"points {path} {d.int(0, 40)}")
            elif names.params:
                rows.append(f"param {d.pick(names.params)} = {d.signed()}")
        if rows:
            after.append(d.block(f"variant {d.pick(names.tags)}{d.maybe_label()}", rows, 1))
    if d.chance(25):
        rows = []
        for _ in range(d.int(1, 4)):
            key = d.pick(("purpose", "scope", "principles", "appeal", "section"))
            texts = [d.label() for _ in range(d.int(1, 2) if key == "section" else 1)]
            rows.append(f"{key} " + " ".join(texts))
        after.append(d.block("doc", rows, 1))
    if d.chance(25):
        rows = []
        for _ in range(d.int(1, 3)):
            if d.chance(50):
                rows.append(f"{d.label()} by day {d.int(1, 28)}")
            else:
                rows.append(f"{d.label()} within {d.int(1, 10)} {d.pick(('workdays', 'days'))}")
        after.append(d.block("schedule", rows, 1))
    if extends and d.chance(60):
        after.append(f"drop {d.identifier()}")
    groups.append(after)

    if d.chance(10):  # any order parses; the formatter keeps it
        groups = [d.c.permutation([item for group in groups for item in group])]
    out = [f"{header} {{{d.trailing()}\n"]
    first = True
    for group in groups:
        for index, item in enumerate(group):
            if not first and (index == 0 and d.chance(60) or d.chance(5)):
                out.append("\n")
            first = False
            out.append(d.own_lines("  "))
            out.append("  " + item + d.pick(("", "", "", ";")) + d.trailing() + "\n")
    out.append(d.own_lines("  ", 8))
    out.append("}")
    return "".join(out)


# ---- the strategies ---------------------------------------------------------------------------

identifiers = st.one_of(_ascii_ids.map(lambda s: s + "_" if s in KEYWORDS else s),
                        st.sampled_from(CHINESE_IDS))
labels = st.one_of(st.sampled_from(CHINESE_TEXT), _label_texts).map(
    lambda text: '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"')
comments = _comment_texts.map(lambda text: "#" + text)


def _choices(draw, shrink: bool):
    if shrink:
        return _Choices(draw)
    return _SeededChoices(draw(st.integers(0, 2**64 - 1)))


@st.composite
def literals(draw, shrink: bool = True) -> str:
    """A literal of any kind, as written in a policy: `95%`, `30min`, `200元`, `"优秀"`, `?`."""
    return _Draw(_choices(draw, shrink)).literal()


@st.composite
def expressions(draw, names=("value",), level: int = OR, depth: int = 3,
                shrink: bool = True) -> str:
    """A random expression (as text) that parses where the grammar wants `level`."""
    return _Draw(_choices(draw, shrink)).expr(names, level, depth)


@st.composite
def policies(draw, comments_ok: bool = True, shrink: bool = False) -> str:
    """One `policy` block; across draws every kind of item, rule and row appears.

    `shrink=True` makes every choice a hypothesis draw, so a failure shrinks to a small policy
    (about three times slower); by default the choices come from a seeded `random.Random`."""
    return _policy(_Draw(_choices(draw, shrink), comments_ok))


@st.composite
def policy_files(draw, max_policies: int = 2, comments_ok: bool = True,
                 shrink: bool = False) -> str:
    """A whole `.kpi` file: comments before, between and after one or more policies.
    `shrink` as for `policies`."""
    d = _Draw(_choices(draw, shrink), comments_ok)
    out = [d.own_lines("", 20)]
    for index in range(d.int(1, max_policies)):
        if index:
            out.append(d.pick(("\n", "\n\n", "\n\n\n", ";\n", "\n;\n")))
            out.append(d.own_lines("", 20))
        out.append(_policy(d))
        trailing = d.trailing()
        out.append(trailing + ("\n" if trailing else ""))
    if d.chance(50):
        out.append("\n")
    end = d.own_lines("", 20)
    if end and d.chance(30):
        end = end[:-1]  # a comment on the file's last line, without a newline
    out.append(end)
    return "".join(out)


# ---- one big valid policy ----------------------------------------------------------------------

def _weights(count: int) -> list[str]:
    return [_percent(part) for part in _split(10000, count)]


def generate_policy(n_indicators: int, seed: int = 0) -> str:
    """A large valid policy with `n_indicators` indicators in weighted dimensions.

    Weights add up to exactly 100% among the dimensions and inside each one; every name is
    declared, every comparison compares values of one type, bands are ordered so no row is dead.
    The same (n_indicators, seed) always gives the same text, already in `kpi fmt` layout."""
    if n_indicators < 1:
        raise ValueError("a policy needs at least one indicator")
    rnd = random.Random(seed)
    out = [
        f"# Generated by tests/policygen.py: generate_policy({n_indicators}, seed={seed})",
        f'policy generated_{seed} "生成的考核制度 {n_indicators}" {{',
        "  period month",
        "  subject staff",
        "  scale 100",
        "  round 2",
        "  missing exclude",
        "  total min 0 max 120",
        "",
        '  param limit "首次响应时限" = 30s, 60s during promo',
        '  param target "目标值" = 95%',
        "",
        "  calendar {",
        '    promo "大促" 2026-11-01 .. 2026-11-12, 2026-06-01 .. 2026-06-18',
        "  }",
        "",
        '  dataset staff "员工" by employee_id {',
        "    name: text",
        "    team: text",
        "    role: text",
        "    first_month: bool",
        "  }",
        '  dataset tickets "工单" by agent_id at opened_at {',
        "    first_response: duration",
        "    resolution: duration?",
        "    resolved_first_contact: bool",
        "    channel: text",
        "    csat: number?",
        "    rating: text?",
        "  }",
        '  dataset complaints "投诉" by agent_id at filed_at {',
        "    severity: text",
        "  }",
        "",
    ]
    per_dimension = 10
    dimensions = (n_indicators + per_dimension - 1) // per_dimension
    sizes = _split(n_indicators, dimensions)
    dimension_weights = _weights(dimensions)
    number = 0
    for d, (size, weight) in enumerate(zip(sizes, dimension_weights)):
        out.append(f'  dimension d{d} "维度{d}" weight {weight} {{')
        for indicator_weight in _weights(size):
            out.extend(_generated_indicator(rnd, number, indicator_weight))
            number += 1
        out.append("  }")
    variant = []
    if sizes[0] >= 2:  # during promo the first indicator of d0 takes 5% from the second
        first, second = _split(10000, sizes[0])[:2]
        variant = ["",
                   '  variant promo "大促期间" {',
                   f"    weight d0.i0 {_percent(first + 500)}",
                   f"    weight d0.i1 {_percent(second - 500)}",
                   "  }"]
    out += variant
    out += [
        "",
        '  adjust "加减分" {',
        '    -5 each complaints where severity = "一般"',
        '    -10 each complaints where severity = "重大"',
        "    min -30",
        "  }",
        "",
        '  veto "媒体曝光投诉" if count(complaints where severity = "媒体曝光") > 0',
        "",
        '  outcome grade "等级" by total {',
        '    >= 90 : "优秀"',
        '    >= 80 : "良好"',
        '    >= 60 : "合格"',
        '    else : "待改进"',
        "  }",
        '  outcome bonus_rate "绩效奖金系数" by total { >= 90 : 120%, >= 80 : 100%, >= 70 : 80%, else : 0% }',
        "",
        '  distribute star "强制分布" within team by total {',
        '    top 20% : "五星客服"',
        '    bottom 10% : "改进计划"',
        "  }",
        "",
        '  payout rank_award "排名奖罚" within team by total {',
        "    rank 1 : 200元",
        "    rank -1 : -100元",
        "  }",
        "",
        '  action "服务技能提升培训" if total < 70 for 2 periods',
        '  action "转岗培训" if last within team for 3 periods',
        "",
        '  doc {',
        '    purpose "提升服务质量、响应效率及客户满意度"',
        '    section "考核主体" "直接上级负责过程指标评分"',
        "  }",
        "",
        "  schedule {",
        '    "汇总各维度数据,形成初步考核结果" by day 8',
        '    "一对一绩效面谈" within 3 workdays',
        "  }",
        "}",
    ]
    return "\n".join(out) + "\n"


def _generated_indicator(rnd: random.Random, number: int, weight: str) -> list[str]:
    """One check-clean indicator; the rule kind cycles so every kind is present."""
    head = f'    indicator i{number} "指标{number}" weight {weight} {{'
    kind = ("bands_share", "bands_time", "linear", "formula", "rank", "map", "bands_csat")[number % 7]
    if kind == "bands_share":
        top = rnd.randint(90, 99)
        body = ["better higher",
                "measure share(tickets where first_response <= limit)",
                "bands {",
                f"  >= {top}% : 100",
                f"  >= {top - 5}% : 80",
                f"  >= {top - 15}% : 60 ~ 80",
                "  else : 0",
                "}"]
    elif kind == "bands_time":
        hours = rnd.randint(12, 36)
        body = ["better lower",
                "measure avg(tickets.resolution)",
                f"bands {{ <= {hours}h : 100, <= {hours * 2}h : 80, <= {hours * 3}h : 60, else : 0 }}"]
    elif kind == "linear":
        body = ["better higher",
                "measure share(tickets where resolved_first_contact)",
                "linear 100 at target, +2.5 per 1%, min 0, max 100",
                ]
    elif kind == "formula":
        body = ["better higher",
                'measure phone = share(tickets where channel = "电话")',
                'measure online = share(tickets where channel in ("在线", "旺旺"))',
                "formula phone * 40 + online * 60"]
    elif kind == "rank":
        body = ["better higher",
                "measure count(tickets)",
                "rank within team from 0 to 100 {",
                "  when first_month : 50",
                "}"]
    elif kind == "map":
        body = ["measure last(tickets.rating)",
                'map { "很满意" : 100, "较满意" : 80, "不满意" : 40, else : 0 }']
    else:
        body = ["better higher",
                "measure avg(tickets.csat)",
                "bands {",
                "  missing : 60",
                "  >= 4.5 : 100",
                "  >= 4.0 : 80",
                "  in [3.5, 4.0) : 60",
                "  else : 0",
                "}"]
    return [head] + ["      " + line for line in body] + ["    }"]
