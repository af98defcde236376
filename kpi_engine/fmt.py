"""`kpi fmt`: print a policy's syntax tree in the one canonical layout, keeping every comment.

The generator has one method per node type, named after it (sqlglot's `<node>_sql` style):
`_indicator(node)`, `_test_compare(node)`, ... An expression's method returns its text; an item's
method returns its line, or a `Block` (a header and the rows or items inside its braces) that the
printer lays out.

The layout rule
---------------
- 2 spaces per level. One policy item, tree item or row per line.
- A row block (bands, map, an exceptions block, calendar, dataset fields, adjust, outcome,
  distribute, payout, variant, doc, schedule) stays on ONE line, `header { row, row }`, exactly when
  it was written on one line AND that line (indentation included, a trailing comment not) fits in
  100 columns (CJK wide characters count 2) AND every `, ` between its rows reads as a row
  separator (a row starting with a number, a sign, `min` or `max` could continue the row before it;
  adjust blocks excepted, where those commas separate rows anyway). Otherwise it is printed one row
  per line. A block without rows or comments prints as `header {}`. `policy`, `dimension` and
  `indicator` blocks are always one item per line. Printing never moves a block from several lines
  to one, and a printed one-line block meets the rule again, so formatting is idempotent.
- Expressions always print on one line: single spaces around binary operators, `: ` and ` ~ `
  in rows (`>= 80% : 8 ~ 12`), `, ` after commas; `>=`, `<=`, `!=` for `≥`, `≤`, `≠`; parentheses
  only where precedence needs them (or < and < not < comparison < + - < * / < unary minus/plus),
  so the tree, hence the meaning, never changes.
- Literals keep the user's spelling (`30min`, `12.50%`, `200元`); texts are re-quoted with `\\`
  escaping `\\` and `"`. A one-day date range prints as one date. `for 1 period`, else `periods`.
- Blank lines: at most one where the source had one or more (between items, rows or comments); one
  blank line between policies and between top-level items of different kinds (settings, params,
  calendar, datasets, the dimension/indicator tree, adjust, veto, outcome, ...). Never one right
  after `{` or right before `}`.
- Comments: a comment on a line of its own prints on its own line before the node that follows it,
  at that node's indentation (before `}` at the block's inner indentation; at the end of the file
  at column 0). A comment after code prints two spaces after the line that ends with that code
  (the row, the `{` line of a block header, or the `}` line). A comment inside an expression that
  spanned several lines (in parentheses or after a continuing comma) moves to its own line
  just before the item, since the expression now takes one line.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from . import ast
from .errors import KpiError, PolicySyntaxError, display_width

INDENT = 2
WIDTH = 100

# Precedence levels, loosest first: a sub-expression is parenthesised when its level is below the
# level its position requires.
OR, AND, NOT, COMPARE, SUM, PRODUCT, UNARY, ATOM = range(1, 9)
_BINARY = {"or": OR, "and": AND, "+": SUM, "-": SUM, "*": PRODUCT, "/": PRODUCT}
_COMPARATORS = {"≥": ">=", "≤": "<=", "≠": "!="}

# Top-level items of one kind stay together; a blank line separates different kinds.
_SETTINGS = (ast.PeriodSetting, ast.SubjectSetting, ast.ScaleSetting, ast.RoundSetting,
             ast.MissingSetting, ast.TotalSetting)
_KINDS = {**{kind: "setting" for kind in _SETTINGS}, ast.Dimension: "tree", ast.Indicator: "tree"}

# What a `, ` before a row must not be followed by: the grammar would read it as a continuing comma.
_CONTINUES = re.compile(r"[-+?\d]|(?:min|max)\b")


class FormatError(KpiError):
    """The formatter would have changed what a policy means (a bug): the file is left alone."""


def format_text(text: str, path: str = "<policy>") -> str:
    """Parse `text` and print it in the canonical layout; raises PolicySyntaxError on bad input.

    As a safety net (like black's), the result is parsed again and must mean the same."""
    from .parse import parse

    tree = parse(text, path)
    formatted = format_file(tree)
    try:
        same = parse(formatted, path) == tree
    except PolicySyntaxError as error:
        raise FormatError(f"{path}: the formatted text does not parse (a formatter bug):\n{error}")
    if not same:
        raise FormatError(f"{path}: formatting would change the policy's meaning (a formatter bug)")
    return formatted


def format_file(file: ast.PolicyFile) -> str:
    """The canonical text of a parsed file, its comments included."""
    return _Printer(file.comments).file(file)


def node_text(node: ast.Node) -> str:
    """One node in the canonical spelling, on one line: how explanations and documents quote a
    rule, a row or a condition (wherever the node came from: a file, a preset, code)."""
    printed = _Printer(()).gen(node)
    if isinstance(printed, Block):
        rows = ", ".join(node_text(child) for child in printed.children)
        return f"{printed.header} {{ {rows} }}"
    return printed


@dataclass(frozen=True)
class Block:
    """What an item with braces prints: `header {`, one child per line (or all on one line), `}`.

    `tree` blocks (policy, dimension, indicator) never go on one line; `kinds` puts a blank line
    between children of different kinds; `header_end` is the last node of the header (where the
    `{` stands); `separates` says a `, ` between rows always separates them (adjust)."""
    header: str
    children: tuple
    tree: bool = False
    kinds: bool = False
    header_end: ast.Node | None = None
    separates: bool = False


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _decimal(value: Decimal) -> str:
    return format(value.normalize(), "f")


def _spell(node: ast.Literal) -> str:
    """A spelling for a literal built without source text (a tree made in code)."""
    value = node.value
    if node.kind == "percent":
        return _decimal(value * 100) + "%"
    if node.kind == "duration":
        for unit, seconds in (("d", 86400), ("h", 3600), ("min", 60)):
            if value and value % seconds == 0:
                return _decimal(value / seconds) + unit
        return _decimal(value) + "s"
    if node.kind == "money":
        return _decimal(value) + "元"
    if node.kind == "number":
        return _decimal(value)
    if node.kind == "date":
        return value.isoformat()
    if node.kind == "bool":
        return "true" if value else "false"
    if node.kind == "blank":
        return "?"
    return _quote(str(value))


def _precedence(node) -> int:
    if isinstance(node, ast.BinOp):
        return _BINARY[node.op]
    if isinstance(node, ast.Unary):
        return NOT if node.op == "not" else UNARY
    if isinstance(node, (ast.Compare, ast.InList, ast.IsMissing, ast.Position)):
        return COMPARE
    return ATOM


class _Printer:
    def __init__(self, comments):
        self.comments = sorted(comments, key=lambda c: c.span.start)
        self.next = 0                 # the first comment not printed yet
        self.lines: list[str] = []
        self.last_line = None         # the source line the last printed line ends with
        self.last_commented = True    # the last printed line already ends with a comment
        self.previous = None          # the source line the previous item of this block ended on

    # ---- dispatch --------------------------------------------------------------------------

    def gen(self, node):
        return getattr(self, "_" + _snake(type(node).__name__))(node)

    def expr(self, node, level: int = OR) -> str:
        text = self.gen(node)
        return f"({text})" if _precedence(node) < level else text

    # ---- expressions ---------------------------------------------------------------------

    def _literal(self, node: ast.Literal) -> str:
        if node.kind == "text":
            return _quote(node.value)
        return node.text or _spell(node)

    def _name(self, node: ast.Name) -> str:
        return ".".join(node.parts)

    def _call(self, node: ast.Call) -> str:
        return f"{node.func.name}({', '.join(self.gen(arg) for arg in node.args)})"

    def _arg(self, node: ast.Arg) -> str:
        text = self.expr(node.expr)
        return text if node.where is None else f"{text} where {self.expr(node.where)}"

    def _bin_op(self, node: ast.BinOp) -> str:
        level = _BINARY[node.op]
        return f"{self.expr(node.left, level)} {node.op} {self.expr(node.right, level + 1)}"

    def _unary(self, node: ast.Unary) -> str:
        if node.op == "not":
            return f"not {self.expr(node.operand, NOT)}"
        operand = self.expr(node.operand, UNARY)
        return f"{node.op} {operand}" if operand[0] in "+-" else f"{node.op}{operand}"

    def _compare(self, node: ast.Compare) -> str:
        op = _COMPARATORS.get(node.op, node.op)
        return f"{self.expr(node.left, SUM)} {op} {self.expr(node.right, SUM)}"

    def _in_list(self, node: ast.InList) -> str:
        options = ", ".join(self.expr(option) for option in node.options)
        return f"{self.expr(node.operand, SUM)} in ({options})"

    def _is_missing(self, node: ast.IsMissing) -> str:
        return f"{self.expr(node.operand, SUM)} is {'not ' if node.negated else ''}missing"

    def _position(self, node: ast.Position) -> str:
        return f"{node.which.name} within {node.group.name}"

    # ---- rows --------------------------------------------------------------------------------

    def _test_compare(self, node: ast.TestCompare) -> str:
        return f"{_COMPARATORS.get(node.op, node.op)} {self.expr(node.bound)}"

    def _test_interval(self, node: ast.TestInterval) -> str:
        low, high = self.expr(node.low), self.expr(node.high)
        return f"in {'[' if node.low_closed else '('}{low}, {high}{']' if node.high_closed else ')'}"

    def _test_else(self, node) -> str:
        return "else"

    def _test_missing(self, node) -> str:
        return "missing"

    def _test_when(self, node: ast.TestWhen) -> str:
        return f"when {self.expr(node.condition)}"

    def _test_label(self, node: ast.TestLabel) -> str:
        return _quote(node.text)

    def _test_top(self, node: ast.TestTop) -> str:
        return f"top {self.expr(node.share)}"

    def _test_bottom(self, node: ast.TestBottom) -> str:
        return f"bottom {self.expr(node.share)}"

    def _test_rank(self, node: ast.TestRank) -> str:
        return f"rank {self.expr(node.rank)}"

    def _row(self, node: ast.Row) -> str:
        value = self.expr(node.value)
        if node.upto is not None:
            value += f" ~ {self.expr(node.upto)}"
        return f"{self.gen(node.test)} : {value}"

    # ---- the tree ------------------------------------------------------------------------------

    @staticmethod
    def _label(label: str | None) -> str:
        return f" {_quote(label)}" if label is not None else ""

    def _share_text(self, share) -> str:
        return f" {self.gen(share)}" if share is not None else ""

    def _weight(self, node: ast.Weight) -> str:
        return f"weight {self.expr(node.value)}"

    def _points(self, node: ast.Points) -> str:
        return f"points {self.expr(node.value)}"

    def _dimension(self, node: ast.Dimension) -> Block:
        header = f"dimension {node.id.name}{self._label(node.label)}{self._share_text(node.share)}"
        return Block(header, node.items, tree=True, header_end=node.share or node.id)

    def _indicator(self, node: ast.Indicator) -> Block:
        header = f"indicator {node.id.name}{self._label(node.label)}{self._share_text(node.share)}"
        return Block(header, node.items, tree=True, header_end=node.share or node.id)

    def _define(self, node: ast.Define) -> str:
        return f"define {_quote(node.text)}"

    def _source(self, node: ast.Source) -> str:
        return f"source {_quote(node.text)}"

    def _better(self, node: ast.Better) -> str:
        return f"better {node.direction.name}"

    def _measure(self, node: ast.Measure) -> str:
        if node.name is None:  # the grammar takes a sum here: a comparison needs parentheses
            return f"measure {self.expr(node.expr, SUM)}"
        return f"measure {node.name.name} = {self.expr(node.expr)}"

    def _bands(self, node: ast.Bands) -> Block:
        return Block("bands", node.rows)

    def _map(self, node: ast.Map) -> Block:
        return Block("map", node.rows)

    @staticmethod
    def _exceptions(header: str, rows: tuple, header_end) -> str | Block:
        return Block(header, rows, header_end=header_end) if rows else header

    def _linear(self, node: ast.Linear):
        text = (f"linear {self.expr(node.base)} at {self.expr(node.origin)}, "
                f"{self.expr(node.slope)} per {self.expr(node.step)}")
        if node.low is not None:
            text += f", min {self.expr(node.low)}"
        if node.high is not None:
            text += f", max {self.expr(node.high)}"
        last = node.high or node.low or node.step
        return self._exceptions(text, node.exceptions, last)

    def _formula(self, node: ast.Formula):
        return self._exceptions(f"formula {self.expr(node.expr)}", node.exceptions, node.expr)

    def _rank(self, node: ast.Rank):
        text = (f"rank within {node.group.name} from {self.expr(node.low)} "
                f"to {self.expr(node.high)}")
        return self._exceptions(text, node.exceptions, node.high)

    def _veto(self, node: ast.Veto) -> str:
        return f"veto{self._label(node.label)} if {self.expr(node.condition)}"

    # ---- policy-level items --------------------------------------------------------------------

    def _policy(self, node: ast.Policy) -> Block:
        header = f"policy {node.id.name}{self._label(node.label)}"
        if node.extends is not None:
            header += f" extends {node.extends}"
        if node.role is not None:
            header += f" for role {_quote(node.role)}"
        return Block(header, node.items, tree=True, kinds=True)

    def _period_setting(self, node: ast.PeriodSetting) -> str:
        return f"period {node.kind.name}"

    def _subject_setting(self, node: ast.SubjectSetting) -> str:
        return f"subject {node.dataset.name}"

    def _scale_setting(self, node: ast.ScaleSetting) -> str:
        return f"scale {self.expr(node.value)}"

    def _round_setting(self, node: ast.RoundSetting) -> str:
        return f"round {self.expr(node.value)}"

    def _missing_setting(self, node: ast.MissingSetting) -> str:
        return f"missing {node.mode.name}"

    def _total_setting(self, node: ast.TotalSetting) -> str:
        text = "total"
        if node.low is not None:
            text += f" min {self.expr(node.low)}"
        if node.high is not None:
            text += f" max {self.expr(node.high)}"
        return text

    def _param_value(self, node: ast.ParamValue) -> str:
        text = self.expr(node.value)
        return text if node.during is None else f"{text} during {node.during.name}"

    def _param(self, node: ast.Param) -> str:
        values = ", ".join(self.gen(value) for value in node.values)
        return f"param {node.id.name}{self._label(node.label)} = {values}"

    def _date_range(self, node: ast.DateRange) -> str:
        if node.start == node.end:
            return node.start.isoformat()
        return f"{node.start.isoformat()} .. {node.end.isoformat()}"

    def _calendar_tag(self, node: ast.CalendarTag) -> str:
        ranges = ", ".join(self.gen(r) for r in node.ranges)
        return f"{node.id.name}{self._label(node.label)} {ranges}"

    def _calendar(self, node: ast.Calendar) -> Block:
        return Block("calendar", node.tags)

    def _field(self, node: ast.Field) -> str:
        return f"{node.id.name}: {node.type.name}{'?' if node.nullable else ''}"

    def _dataset(self, node: ast.Dataset) -> Block:
        header = f"dataset {node.id.name}{self._label(node.label)} by {node.person.name}"
        if node.at is not None:
            header += f" at {node.at.name}"
        if node.key is not None:
            header += f" key {node.key.name}"
        return Block(header, node.fields)

    def _amount(self, node) -> str:
        # at the start of an adjust row `min`/`max` are keywords: keep `(min(a, b)) each x` a call
        text = self.expr(node)
        return f"({text})" if re.match(r"(?:min|max)\b", text) else text

    def _adjust_each(self, node: ast.AdjustEach) -> str:
        text = f"{self._amount(node.amount)} each {node.dataset.name}"
        return text if node.where is None else f"{text} where {self.expr(node.where)}"

    def _adjust_if(self, node: ast.AdjustIf) -> str:
        return f"{self._amount(node.amount)} if {self.expr(node.condition)}"

    def _adjust_min(self, node: ast.AdjustMin) -> str:
        return f"min {self.expr(node.value)}"

    def _adjust_max(self, node: ast.AdjustMax) -> str:
        return f"max {self.expr(node.value)}"

    def _adjust(self, node: ast.Adjust) -> Block:
        return Block(f"adjust{self._label(node.label)}", node.rows, separates=True)

    def _within(self, within) -> str:
        return f" within {within.name}" if within is not None else ""

    def _outcome(self, node: ast.Outcome) -> Block:
        return Block(f"outcome {node.id.name}{self._label(node.label)} by {node.by.name}", node.rows)

    def _distribute(self, node: ast.Distribute) -> Block:
        header = (f"distribute {node.id.name}{self._label(node.label)}{self._within(node.within)}"
                  f" by {node.by.name}")
        return Block(header, node.rows)

    def _payout(self, node: ast.Payout) -> Block:
        header = (f"payout {node.id.name}{self._label(node.label)}{self._within(node.within)}"
                  f" by {node.by.name}")
        return Block(header, node.rows)

    def _action(self, node: ast.Action) -> str:
        text = f"action {_quote(node.label)} if {self.expr(node.condition)}"
        if node.periods is not None:
            one = isinstance(node.periods, ast.Literal) and node.periods.value == 1
            text += f" for {self.expr(node.periods)} {'period' if one else 'periods'}"
        return text

    def _variant_weight(self, node: ast.VariantWeight) -> str:
        return f"weight {node.path} {self.expr(node.value)}"

    def _variant_points(self, node: ast.VariantPoints) -> str:
        return f"points {node.path} {self.expr(node.value)}"

    def _variant_param(self, node: ast.VariantParam) -> str:
        return f"param {node.id.name} = {self.expr(node.value)}"

    def _variant(self, node: ast.Variant) -> Block:
        return Block(f"variant {node.id.name}{self._label(node.label)}", node.rows)

    def _doc_row(self, node: ast.DocRow) -> str:
        return f"{node.key.name} " + " ".join(_quote(text) for text in node.texts)

    def _doc(self, node: ast.Doc) -> Block:
        return Block("doc", node.rows)

    def _schedule_by(self, node: ast.ScheduleBy) -> str:
        return f"{_quote(node.task)} by {node.unit.name} {self.expr(node.value)}"

    def _schedule_within(self, node: ast.ScheduleWithin) -> str:
        return f"{_quote(node.task)} within {self.expr(node.value)} {node.unit.name}"

    def _schedule(self, node: ast.Schedule) -> Block:
        return Block("schedule", node.rows)

    def _drop(self, node: ast.Drop) -> str:
        return f"drop {node.path}"

    # ---- layout and comments -------------------------------------------------------------------

    def file(self, file: ast.PolicyFile) -> str:
        for index, policy in enumerate(file.policies):
            self.item(policy, 0, blank=index > 0)
        self.lead(float("inf"), None, 0, end=True)
        return "\n".join(self.lines) + "\n" if self.lines else ""

    def emit(self, indent: int, text: str, source_line) -> None:
        self.lines.append(" " * indent + text)
        self.last_line, self.last_commented = source_line, False

    def _comment(self, indent: int, comment: ast.Comment) -> None:
        self.lines.append(" " * indent + comment.text.rstrip())
        self.last_line, self.last_commented = comment.span.line, True

    def _trails(self, comment: ast.Comment) -> bool:
        """Print `comment` at the end of the last line when it followed that line's code."""
        if self.lines and not self.last_commented and comment.span.line == self.last_line:
            self.lines[-1] += "  " + comment.text.rstrip()
            self.last_commented = True
            return True
        return False

    def _pending(self, position) -> list[ast.Comment]:
        found = []
        while self.next < len(self.comments) and self.comments[self.next].span.start < position:
            found.append(self.comments[self.next])
            self.next += 1
        return found

    def lead(self, position, line, indent: int, blank: bool = False, end: bool = False) -> None:
        """Print the comments before source `position` (where the next item, or the `}`, starts
        on source `line`) and the blank lines between them: one where the source had any, and one
        anyway when `blank` is asked for (a new kind of item)."""
        own = [c for c in self._pending(position) if not self._trails(c)]
        starts = [c.span.line for c in own] + [line]
        gaps, previous = [], self.previous
        for start, comment in zip(starts, own + [None]):
            gaps.append(previous is not None and start is not None and start - previous > 1)
            previous = comment.span.line if comment else None
        if end:
            gaps[-1] = False
        if blank and self.previous is not None and not any(gaps):
            gaps[0] = True
        for comment, gap in zip(own + [None], gaps):
            if gap and self.lines and self.lines[-1]:
                self.lines.append("")
            if comment is not None:
                self._comment(indent, comment)
                self.previous = comment.span.line

    def interior(self, position, indent: int) -> None:
        """Comments inside an expression now printed on one line go on their own line before it."""
        for comment in self._pending(position):
            self._comment(indent, comment)

    def item(self, node, indent: int, blank: bool = False) -> None:
        span = node.span
        self.lead(span.start, span.line, indent, blank)
        out = self.gen(node)
        if isinstance(out, Block):
            self.block(node, out, indent)
        else:
            self.interior(span.end, indent)
            self.emit(indent, out, span.end_line)
        self.previous = span.end_line

    def _one_line(self, node, block: Block, indent: int) -> str | None:
        span = node.span
        if block.tree or span.line != span.end_line:
            return None
        if self.next < len(self.comments) and self.comments[self.next].span.start < span.end:
            return None
        rows = [self.gen(child) for child in block.children]
        if not rows:
            return f"{block.header} {{}}"
        if not block.separates and any(_CONTINUES.match(row) for row in rows[1:]):
            return None
        text = f"{block.header} {{ {', '.join(rows)} }}"
        return text if indent + display_width(text) <= WIDTH else None

    def block(self, node, block: Block, indent: int) -> None:
        span = node.span
        text = self._one_line(node, block, indent)
        if text is not None:
            self.emit(indent, text, span.end_line)
            return
        end = block.header_end.span if block.header_end is not None else None
        if end is not None and end.end:
            self.interior(end.end, indent)
        inside = self.next < len(self.comments) and self.comments[self.next].span.start < span.end
        if not block.children and not inside:
            self.emit(indent, f"{block.header} {{}}", span.end_line)
            return
        self.emit(indent, f"{block.header} {{", end.end_line if end is not None and end.end else span.line)
        self.previous = None
        kind = None
        for child in block.children:
            child_kind = _KINDS.get(type(child), type(child).__name__)
            self.item(child, indent + INDENT, blank=block.kinds and kind not in (None, child_kind))
            kind = child_kind
        self.lead(span.end, span.end_line, indent + INDENT, end=True)
        self.emit(indent, "}", span.end_line)
