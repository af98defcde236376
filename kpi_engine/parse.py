"""Text → syntax tree: the Lark grammar in `grammars/policy.lark`, a post-lexer, and a transformer
that builds the dataclasses of `ast.py`. Syntax errors come back as diagnostics in plain words."""
from __future__ import annotations

import marshal
import os
import re
import sys
import zlib
from contextlib import suppress
from contextvars import ContextVar
from dataclasses import replace
from datetime import date
from decimal import Decimal
from functools import lru_cache
from importlib.util import find_spec
from operator import itemgetter
from pathlib import Path

from . import ast, fastlark, user_cache
from .errors import Diagnostic, PolicySyntaxError, Source
from .fastlark import Token

GRAMMAR = "policy.lark"


def grammar_text() -> str:
    """The grammar, from the installed package (wheel) or the source tree (editable install).
    (A plain path: importlib.resources would cost some 4 ms of imports at every start.)"""
    package = Path(__file__).resolve().parent
    packaged = package / "grammars" / GRAMMAR
    found = packaged if packaged.is_file() else package.parent / "grammars" / GRAMMAR
    return found.read_text(encoding="utf-8")


# Comments are kept for the formatter through a lexer callback; the parser never sees them.
_comments: ContextVar[list] = ContextVar("comments")


def _keep_comment(token: Token) -> Token:
    _comments.get().append(token)
    return token


# The syntax tree is built while parsing (each reduction calls a callback, no parse tree in
# between); every token is kept so each node's span runs from its first token to its last.
# Newlines end rows, except inside ( ) and [ ] and after a continuing comma.
LARK_OPTIONS = dict(start=["start", "value"], parser="lalr", lexer="contextual", maybe_placeholders=False,
                    keep_all_tokens=True, lexer_callbacks={"COMMENT": _keep_comment},
                    postlex=fastlark.NewlineFilter("_NL", "_MORE", opening=("LPAR", "LSQB"),
                                                   closing=("RPAR", "RSQB")))


@lru_cache(maxsize=None)
def parser(strict: bool = False):
    """Lark's LALR parser of the grammar: what `fastlark` leaves undecided is parsed with it, and
    its tables are made from it. `strict` also proves the grammar free of conflicts and terminal
    collisions (slow to build, so the tests use it and the command line uses Lark's cache)."""
    from lark import Lark, Token as LarkToken

    class TreeBuildingLark(Lark):
        """Lark, with a callback per grammar rule (`_rule_callback`) in place of its tree builder;
        Lark's tokens among a rule's children are made fastlark's first."""

        def _prepare_callbacks(self):
            builder = ToAst()
            self._callbacks = {rule: _with_our_tokens(_rule_callback(fastlark.shape(rule), builder),
                                                      LarkToken)
                               for rule in self.rules}

    return TreeBuildingLark(grammar_text(), **LARK_OPTIONS, strict=strict, cache=not strict)


def _with_our_tokens(callback, lark_token):
    def with_our_tokens(children):
        return callback([Token.of(c) if type(c) is lark_token else c for c in children])
    return with_our_tokens


@lru_cache(maxsize=None)
def _fast_parser() -> fastlark.FastParser:
    tables = _tables()
    builder = ToAst()
    return fastlark.FastParser(tables, [_rule_callback(rule, builder) for rule in tables["rules"]],
                               LARK_OPTIONS["lexer_callbacks"], LARK_OPTIONS["postlex"])


def _tables() -> dict:
    """fastlark's tables of the grammar, from the user's cache folder (beside the plan cache) or
    else made from Lark's parser (some 30 ms, besides importing Lark) and kept there. They are
    read back only for the same grammar, Lark (its __init__.py has its version, found without
    importing it), parse.py, fastlark.py and Python: all of these are stored with them."""
    inputs = b"\0".join([grammar_text().encode("utf-8"), sys.version.encode("utf-8"),
                         *(Path(source).read_bytes() for source in (find_spec("lark").origin, __file__,
                                                                      fastlark.__file__))])
    path = user_cache("parser") / f"{zlib.crc32(inputs):08x}.marshal"
    try:
        stored, tables = marshal.loads(path.read_bytes())
        if stored == inputs:
            return tables
    except (OSError, EOFError, ValueError, TypeError):   # missing or damaged: made afresh
        pass
    tables = fastlark.tables(parser())
    temporary = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    try:   # written whole (a temporary file, then renamed) or not at all
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary.write_bytes(marshal.dumps((inputs, tables)))
        os.replace(temporary, path)
    except OSError:   # a folder that cannot be written only means no cache
        with suppress(OSError):
            temporary.unlink()
    return tables


# ---- tree → dataclasses ------------------------------------------------------------------

def _token_span(token: Token) -> ast.Span:
    return ast.Span(token.line, token.column, token.end_line, token.end_column, token.start_pos,
                    token.end_pos)


def _ident(token: Token) -> ast.Ident:
    return ast.Ident(str(token), span=_token_span(token))


def _string(token: Token) -> str:
    body = str(token)[1:-1]
    return re.sub(r"\\(.)", r"\1", body)


class _Label(str):
    """A block's quoted label, told apart from other strings among a rule's children."""


class _Rows(tuple):
    """A rule's exception rows, with the span of their braces."""

    def __new__(cls, rows, span):
        block = super().__new__(cls, rows)
        block.span = span
        return block


class _Operator(str):
    """A comparison operator, with its span so a row's span starts at it."""

    def __new__(cls, text, span):
        operator = super().__new__(cls, text)
        operator.span = span
        return operator


class _Within(ast.Ident):
    pass


class _Key(ast.Ident):
    pass


_UNITS = {"s": 1, "min": 60, "h": 3600, "d": 86400}
_COMPARATORS = {"≥": ">=", "≤": "<=", "≠": "!="}


def _number(text: str) -> Decimal:
    return Decimal(text)


class ToAst:
    """One method per grammar rule; each returns the dataclass of the same name. `meta` is the
    span of the rule's text; the other arguments are its values (keywords and punctuation are
    left out, see _rule_callback)."""

    # literals
    def percent(self, meta, token):
        return ast.Literal("percent", _number(token[:-1]) / 100, str(token), span=meta)

    def duration(self, meta, token):
        number, unit = re.fullmatch(r"([\d.]+)(min|s|h|d)", str(token)).groups()
        return ast.Literal("duration", _number(number) * _UNITS[unit], str(token), span=meta)

    def money(self, meta, token):
        return ast.Literal("money", _number(token[:-1]), str(token), span=meta)

    def number(self, meta, token):
        return ast.Literal("number", _number(token), str(token), span=meta)

    def text(self, meta, token):
        return ast.Literal("text", _string(token), str(token), span=meta)

    def date(self, meta, token):
        return ast.Literal("date", _date(token), str(token), span=meta)

    def true(self, meta):
        return ast.Literal("bool", True, "true", span=meta)

    def false(self, meta):
        return ast.Literal("bool", False, "false", span=meta)

    def blank(self, meta, token):
        return ast.Literal("blank", None, "?", span=meta)

    # names and expressions
    def dotted(self, meta, *tokens):
        return ast.Dotted(tuple(str(t) for t in tokens), span=meta)

    def name(self, meta, dotted):
        return ast.Name(dotted.parts, span=dotted.span)

    def call(self, meta, func, *args):
        return ast.Call(_ident(func), tuple(args), span=meta)

    def paren(self, meta, expr):
        # The parentheses go (the formatter prints them where precedence needs them); the span
        # keeps them, so comments inside them stay inside the expression.
        return replace(expr, span=meta)

    def arg(self, meta, expr, where=None):
        return ast.Arg(expr, where, span=meta)

    def _binop(op):
        def build(self, meta, left, right):
            return ast.BinOp(op, left, right, span=meta)
        return build

    add, sub, mul, div = _binop("+"), _binop("-"), _binop("*"), _binop("/")
    and_, or_ = _binop("and"), _binop("or")

    def neg(self, meta, operand):
        return ast.Unary("-", operand, span=meta)

    def pos(self, meta, operand):
        return ast.Unary("+", operand, span=meta)

    def not_(self, meta, operand):
        return ast.Unary("not", operand, span=meta)

    def comp_op(self, meta, token):
        return _Operator(_COMPARATORS.get(str(token), str(token)), meta)

    def compare(self, meta, left, op, right):
        return ast.Compare(op, left, right, span=meta)

    def in_list(self, meta, operand, *options):
        return ast.InList(operand, tuple(options), span=meta)

    def is_missing(self, meta, operand):
        return ast.IsMissing(operand, span=meta)

    def is_present(self, meta, operand):
        return ast.IsMissing(operand, negated=True, span=meta)

    def position(self, meta, which, group):
        return ast.Position(_ident(which), _ident(group), span=meta)

    # rows
    def test_compare(self, meta, op, bound):
        return ast.TestCompare(op, bound, span=meta)

    def interval(self, meta, opening, low, high, closing):
        return ast.TestInterval(low, high, str(opening) == "[", str(closing) == "]",
                                span=meta)

    def test_interval(self, meta, interval):
        return interval

    def test_else(self, meta):
        return ast.TestElse(span=meta)

    def test_missing(self, meta):
        return ast.TestMissing(span=meta)

    def test_when(self, meta, condition):
        return ast.TestWhen(condition, span=meta)

    def test_label(self, meta, token):
        return ast.TestLabel(_string(token), span=meta)

    def test_top(self, meta, share):
        return ast.TestTop(share, span=meta)

    def test_bottom(self, meta, share):
        return ast.TestBottom(share, span=meta)

    def test_rank(self, meta, rank):
        return ast.TestRank(rank, span=meta)

    def row_value(self, meta, value, upto=None):
        return (value, upto)

    def row(self, meta, test, value):
        return ast.Row(test, value[0], value[1], span=meta)

    def exceptions(self, meta, *rows):
        return _Rows(rows, meta)

    # policy settings
    def label(self, meta, token):
        return _Label(_string(token))

    def extends(self, meta, dotted):
        return dotted

    def for_role(self, meta, token):
        return ("role", _string(token))

    def policy(self, meta, ident, *rest):
        label, extends, role, items = None, None, None, []
        for part in rest:
            if isinstance(part, _Label):
                label = str(part)
            elif isinstance(part, ast.Dotted):
                extends = part
            elif isinstance(part, tuple) and part and part[0] == "role":
                role = part[1]
            else:
                items.append(part)
        return ast.Policy(_ident(ident), label, extends, role, tuple(items), span=meta)

    def period_setting(self, meta, kind):
        return ast.PeriodSetting(_ident(kind), span=meta)

    def subject_setting(self, meta, dataset):
        return ast.SubjectSetting(_ident(dataset), span=meta)

    def scale_setting(self, meta, value):
        return ast.ScaleSetting(value, span=meta)

    def round_setting(self, meta, value):
        return ast.RoundSetting(value, span=meta)

    def missing_setting(self, meta, mode):
        return ast.MissingSetting(_ident(mode), span=meta)

    def total_min(self, meta, value):
        return ("min", value)

    def total_max(self, meta, value):
        return ("max", value)

    def total_setting(self, meta, *bounds):
        given = dict(bounds)
        return ast.TotalSetting(given.get("min"), given.get("max"), span=meta)

    def param_value(self, meta, value, during=None):
        return ast.ParamValue(value, _ident(during) if during else None, span=meta)

    def param(self, meta, ident, *rest):
        label = next((str(p) for p in rest if isinstance(p, _Label)), None)
        values = tuple(p for p in rest if isinstance(p, ast.ParamValue))
        return ast.Param(_ident(ident), label, values, span=meta)

    def date_range(self, meta, start, end=None):
        return ast.DateRange(_date(start), _date(end or start), span=meta)

    def calendar_tag(self, meta, ident, *rest):
        label = next((str(p) for p in rest if isinstance(p, _Label)), None)
        ranges = tuple(p for p in rest if isinstance(p, ast.DateRange))
        return ast.CalendarTag(_ident(ident), label, ranges, span=meta)

    def calendar(self, meta, *tags):
        return ast.Calendar(tuple(tags), span=meta)

    def field(self, meta, ident, kind, blank=None):
        return ast.Field(_ident(ident), _ident(kind), blank is not None, span=meta)

    def dataset_at(self, meta, token):
        return _Within(str(token), span=_token_span(token))

    def dataset_key(self, meta, token):
        return _Key(str(token), span=_token_span(token))

    def dataset(self, meta, ident, *rest):
        label = next((str(p) for p in rest if isinstance(p, _Label)), None)
        tokens = [p for p in rest if isinstance(p, Token)]
        at = next((ast.Ident(p.name, span=p.span) for p in rest if isinstance(p, _Within)), None)
        key = next((ast.Ident(p.name, span=p.span) for p in rest if isinstance(p, _Key)), None)
        fields = tuple(p for p in rest if isinstance(p, ast.Field))
        return ast.Dataset(_ident(ident), label, _ident(tokens[0]), at, fields, key,
                           span=meta)

    # the tree
    def weight(self, meta, value):
        return ast.Weight(value, span=meta)

    def points(self, meta, value):
        return ast.Points(value, span=meta)

    def _node(self, meta, kind, ident, rest):
        label = next((str(p) for p in rest if isinstance(p, _Label)), None)
        share = next((p for p in rest if isinstance(p, (ast.Weight, ast.Points))), None)
        items = tuple(p for p in rest if not isinstance(p, (_Label, ast.Weight, ast.Points)))
        return kind(_ident(ident), label, share, items, span=meta)

    def dimension(self, meta, ident, *rest):
        return self._node(meta, ast.Dimension, ident, rest)

    def indicator(self, meta, ident, *rest):
        return self._node(meta, ast.Indicator, ident, rest)

    def define(self, meta, token):
        return ast.Define(_string(token), span=meta)

    def source(self, meta, token):
        return ast.Source(_string(token), span=meta)

    def better(self, meta, token):
        return ast.Better(_ident(token), span=meta)

    def measure(self, meta, expr):
        return ast.Measure(expr, span=meta)

    def named_measure(self, meta, ident, expr):
        return ast.Measure(expr, _ident(ident), span=meta)

    def bands(self, meta, *rows):
        return ast.Bands(tuple(rows), span=meta)

    def map(self, meta, *rows):
        return ast.Map(tuple(rows), span=meta)

    def linear_min(self, meta, value):
        return ("low", value)

    def linear_max(self, meta, value):
        return ("high", value)

    def linear(self, meta, base, origin, slope, step, *rest):
        options = dict(p for p in rest if isinstance(p, tuple) and p and isinstance(p[0], str))
        exceptions = next((p for p in rest if isinstance(p, tuple) and (not p or isinstance(p[0], ast.Row))), ())
        return ast.Linear(base, origin, slope, step, options.get("low"), options.get("high"),
                          tuple(exceptions), span=meta)

    def formula(self, meta, expr, exceptions=()):
        return ast.Formula(expr, tuple(exceptions), span=meta)

    def rank(self, meta, group, low, high, exceptions=()):
        return ast.Rank(_ident(group), low, high, tuple(exceptions), span=meta)

    def veto(self, meta, *parts):
        label = next((str(p) for p in parts if isinstance(p, _Label)), None)
        return ast.Veto(parts[-1], label, span=meta)

    # after the tree
    def adjust_each(self, meta, amount, dataset, where=None):
        return ast.AdjustEach(amount, _ident(dataset), where, span=meta)

    def adjust_if(self, meta, amount, condition):
        return ast.AdjustIf(amount, condition, span=meta)

    def adjust_min(self, meta, value):
        return ast.AdjustMin(value, span=meta)

    def adjust_max(self, meta, value):
        return ast.AdjustMax(value, span=meta)

    def adjust(self, meta, *parts):
        label = next((str(p) for p in parts if isinstance(p, _Label)), None)
        rows = tuple(p for p in parts if not isinstance(p, _Label))
        return ast.Adjust(label, rows, span=meta)

    def within(self, meta, token):
        return _Within(str(token), span=_token_span(token))

    def _table(self, meta, kind, ident, rest, grouped):
        label = next((str(p) for p in rest if isinstance(p, _Label)), None)
        within = next((ast.Ident(p.name, span=p.span) for p in rest if isinstance(p, _Within)), None)
        by = next(_ident(p) for p in rest if isinstance(p, Token))
        rows = tuple(p for p in rest if isinstance(p, ast.Row))
        if grouped:
            return kind(_ident(ident), label, within, by, rows, span=meta)
        return kind(_ident(ident), label, by, rows, span=meta)

    def outcome(self, meta, ident, *rest):
        return self._table(meta, ast.Outcome, ident, rest, grouped=False)

    def distribute(self, meta, ident, *rest):
        return self._table(meta, ast.Distribute, ident, rest, grouped=True)

    def payout(self, meta, ident, *rest):
        return self._table(meta, ast.Payout, ident, rest, grouped=True)

    def action_span(self, meta, periods):
        return ("periods", periods)

    def action(self, meta, label, condition, periods=None):
        return ast.Action(_string(label), condition, periods[1] if periods else None,
                          span=meta)

    def variant_weight(self, meta, path, value):
        return ast.VariantWeight(path, value, span=meta)

    def variant_points(self, meta, path, value):
        return ast.VariantPoints(path, value, span=meta)

    def variant_param(self, meta, ident, value):
        return ast.VariantParam(_ident(ident), value, span=meta)

    def variant(self, meta, ident, *rest):
        label = next((str(p) for p in rest if isinstance(p, _Label)), None)
        rows = tuple(p for p in rest if not isinstance(p, _Label))
        return ast.Variant(_ident(ident), label, rows, span=meta)

    def doc_row(self, meta, key, *texts):
        return ast.DocRow(_ident(key), tuple(_string(t) for t in texts), span=meta)

    def doc(self, meta, *rows):
        return ast.Doc(tuple(rows), span=meta)

    def schedule_by(self, meta, task, unit, value):
        return ast.ScheduleBy(_string(task), _ident(unit), value, span=meta)

    def schedule_within(self, meta, task, value, unit):
        return ast.ScheduleWithin(_string(task), value, _ident(unit), span=meta)

    def schedule(self, meta, *rows):
        return ast.Schedule(tuple(rows), span=meta)

    def drop(self, meta, path):
        return ast.Drop(path, span=meta)

    def start(self, meta, *policies):
        return ast.PolicyFile(tuple(policies), span=meta)

    def value(self, meta, expr):
        return expr


# Token kinds that carry a value; every other token (keywords, punctuation, separators) only
# marks where a node starts and ends.
_VALUE_TOKENS = frozenset({"ID", "STRING", "DATE", "PERCENT", "DURATION", "MONEY", "NUMBER", "BLANK"})


class _AllTokens(frozenset):
    def __contains__(self, kind) -> bool:
        return True


_ALL_TOKENS = _AllTokens()
_BRACKETS = frozenset({"LSQB", "LPAR", "RSQB", "RPAR"})
# Which tokens a rule's ToAst method receives besides nodes (keywords and punctuation are dropped).
_KEPT_TOKENS = {"comp_op": _ALL_TOKENS, "interval": _VALUE_TOKENS | _BRACKETS}
# (`paren` too: it makes a new node, which would otherwise start counting again from 0)
_EXPRESSIONS = frozenset({"add", "sub", "mul", "div", "and_", "or_", "neg", "pos", "not_", "compare",
                          "in_list", "is_missing", "is_present", "call", "arg", "name", "paren"})
# Nesting deeper than this would overflow Python's stack in the recursive passes over the tree
# (the checker, the formatter): `- - - … 1` or a sum of 5,000 terms.
MAX_DEPTH = 200


def _rule_callback(rule: tuple, builder):
    """What a reduction of `rule` (a `fastlark.shape`) builds from its children: the ToAst method
    of the rule's name gets the span from its first token to its last, and the children that are
    nodes or value tokens (keywords and punctuation are dropped); expressions nested past
    MAX_DEPTH are refused.

    The children come as matched: every token, and for an inlined `_rule` its own children as a
    list (or its only child). Where in the rule those are is fixed by the grammar, so it is
    worked out here, once per rule, not on every reduction (as Lark's tree builder does)."""
    origin, alias, _, symbols = rule
    if fastlark.hands_up(rule):
        return fastlark.hand_up
    if origin.startswith("_"):
        return _inline
    name = alias or origin
    method = getattr(ToAst, name)
    keep = _KEPT_TOKENS.get(name, _VALUE_TOKENS)
    kept = [i for i, (symbol, is_term) in enumerate(symbols) if not is_term or symbol in keep]
    inlined = [i for i in kept if symbols[i][0].startswith("_")]
    if inlined:
        def values(children):
            found = []
            for i in kept:
                child = children[i]
                if i not in inlined:
                    found.append(child)
                elif type(child) is list:
                    found += [c for c in child if type(c) is not Token or c.type in keep]
                elif type(child) is not Token or child.type in keep:
                    found.append(child)
            return found
    elif len(kept) > 1:
        values = itemgetter(*kept)
    elif kept:
        index = kept[0]

        def values(children):
            return (children[index],)
    else:
        def values(children):
            return ()

    span_of = _span_function(symbols)
    if name not in _EXPRESSIONS:
        def callback(children):
            return method(builder, span_of(children), *values(children))
        return callback

    def nested(children):
        span = span_of(children)
        found = values(children)
        result = method(builder, span, *found)
        depths = _depths.get()
        depth = 1 + max([depths.get(id(c), 0) for c in found], default=0)
        if depth > MAX_DEPTH:
            raise _TooDeep(span)
        depths[id(result)] = depth
        return result
    return nested


def _inline(children: list) -> list:
    """An inlined rule's children, with those of the inlined rules among them spliced in (the
    first one's list is extended in place: LALR never shares a child)."""
    if not children:
        return children
    first = children[0]
    found = first if type(first) is list else [first]
    for child in children[1:]:
        if type(child) is list:
            found += child
        else:
            found.append(child)
    return found


_depths: ContextVar[dict] = ContextVar("depths")


class _TooDeep(Exception):
    def __init__(self, span):
        self.span = span


def _edge(items, last: bool):
    """The first (or last) token or spanned node among a rule's children."""
    for item in (reversed(items) if last else items):
        if isinstance(item, Token):
            if item.type not in _SEPARATORS:
                return item
        elif isinstance(item, (ast.Node, _Operator, _Rows)):
            if item.span is not ast.NO_SPAN:
                return item.span
        elif isinstance(item, (tuple, list)):
            found = _edge(item, last)
            if found is not None:
                return found
    return None


_SEPARATORS = frozenset({"_NL", "_MORE"})


def _span_function(symbols):
    """How a rule's span is found: where the grammar starts and ends the rule with a token, those
    are taken by position, else looked for among the children."""
    first, last = _edge_token(symbols), _edge_token(symbols[::-1])
    if first is None or last is None:
        return _span_of
    last = -1 - last

    def span_of(children):
        start, end = children[first], children[last]
        return ast.Span(start.line, start.column, end.end_line, end.end_column, start.start_pos, end.end_pos)
    return span_of


def _edge_token(symbols):
    """Where the token a rule always starts with is, or None when it may start with a node."""
    for index, (symbol, is_term) in enumerate(symbols):
        if not is_term:
            return None
        if symbol not in _SEPARATORS:
            return index
    return None


def _span_of(children) -> ast.Span:
    first = children[0] if children else None
    if type(first) is not Token or first.type in _SEPARATORS:
        first = _edge(children, False)
        if first is None:
            return ast.NO_SPAN
    last = children[-1]
    if type(last) is not Token or last.type in _SEPARATORS:
        last = _edge(children, True)
        if last is first and type(first) is ast.Span:   # one node: its span is the rule's
            return first
    if type(first) is Token:
        line, column, start = first.line, first.column, first.start_pos
    else:
        line, column, start = first.line, first.column, first.start
    if type(last) is Token:
        return ast.Span(line, column, last.end_line, last.end_column, start, last.end_pos)
    return ast.Span(line, column, last.end_line, last.end_column, start, last.end)


def _date(token) -> date:
    try:
        return date.fromisoformat(str(token))
    except ValueError:
        raise _BadLiteral(token, f"{token} is not a calendar date")


class _BadLiteral(Exception):
    def __init__(self, token, message):
        self.token, self.message = token, message


# ---- the entry point ---------------------------------------------------------------------

def parse(text: str, path: str = "<policy>") -> ast.PolicyFile:
    """Parse a policy file; raises PolicySyntaxError with a diagnostic in plain words."""
    source = Source(path, text)
    comments: list[Token] = []
    try:
        result = _parse_tree(text, comments)
    except _BadLiteral as error:
        raise PolicySyntaxError([Diagnostic("error", error.message, _token_span(error.token), source)]) from None
    except _TooDeep as error:
        raise PolicySyntaxError([Diagnostic(
            "error", f"this expression nests too deeply (more than {MAX_DEPTH} levels)",
            error.span, source, "split it into named measures")]) from None
    except _Unparsable as error:
        raise PolicySyntaxError([syntax_diagnostic(error.error, source)]) from None
    return ast.PolicyFile(result.policies, tuple(ast.Comment(str(c), span=_token_span(c)) for c in comments),
                          span=result.span)


def _parse_tree(text: str, comments: list, start: str = "start"):
    comment_token, depth_token = _comments.set(comments), _depths.set({})
    try:
        try:
            return _fast_parser().parse(text, start)
        except fastlark.Undecided:
            comments.clear()
            _depths.set({})
            return _lark_parse(text, start)
    finally:
        _comments.reset(comment_token)
        _depths.reset(depth_token)


def _lark_parse(text: str, start: str):
    from lark.exceptions import UnexpectedInput

    try:
        return parser().parse(text, start=start)
    except UnexpectedInput as error:
        raise _Unparsable(error) from None


class _Unparsable(Exception):
    """Lark's syntax error (UnexpectedInput), raised from where Lark is imported."""

    def __init__(self, error):
        self.error = error


def parse_value(text: str, what: str = "value") -> ast.Literal:
    """A literal given outside a policy (`--set limit=45s`), read with the policy's own grammar."""
    try:
        node = _parse_tree(text, [], start="value")
    except (_Unparsable, _BadLiteral, _TooDeep):
        node = None
    if isinstance(node, ast.Unary) and node.op == "-" and isinstance(node.operand, ast.Literal) \
            and isinstance(node.operand.value, Decimal):
        node = ast.Literal(node.operand.kind, -node.operand.value, f"-{node.operand.text}")
    if not isinstance(node, ast.Literal) or node.kind == "blank":
        raise PolicySyntaxError([Diagnostic("error", f"{what}: {text!r} is not a value like 30s, 95%, 200元, 4.5 or \"text\"",
                                            ast.NO_SPAN, None)])
    return node


# ---- syntax errors in plain words --------------------------------------------------------

_TOKEN_WORDS = {
    "COLON": "':'", "LBRACE": "'{'", "RBRACE": "'}'", "LPAR": "'('", "RPAR": "')'", "LSQB": "'['",
    "RSQB": "']'", "COMMA": "','", "_MORE": "','", "SEMICOLON": "';'", "EQUAL": "'='",
    "_NL": "a new line", "$END": "the end of the file", "ID": "a name", "STRING": "a quoted label",
    "NUMBER": "a number", "PERCENT": "a percent", "DURATION": "a duration", "MONEY": "an amount",
    "DATE": "a date", "BLANK": "'?'", "TILDE": "'~'", "DOT": "'.'", "PLUS": "'+'", "MINUS": "'-'",
    "STAR": "'*'", "SLASH": "'/'", "MORETHAN": "'>'", "LESSTHAN": "'<'",
}
_RANGE = re.compile(r"(\d+(?:\.\d+)?)(%?)\s*[-~—–－至到]\s*(\d+(?:\.\d+)?)(%?)")
_FULLWIDTH = {"：": ":", "，": ",", "；": ";", "（": "(", "）": ")", "“": '"', "”": '"', "【": "[",
              "】": "]", "＞": ">", "＜": "<", "＝": "=", "％": "%", "｛": "{", "｝": "}"}


def _describe(token: Token) -> str:
    if token.type == "$END":
        return "the end of the file"
    if token.type == "_NL":
        return "the end of the line"
    words = _TOKEN_WORDS.get(token.type)
    value = str(token)
    if token.type in ("ID", "STRING", "NUMBER", "PERCENT", "DURATION", "MONEY", "DATE"):
        return f"{words} {value!r}" if words else repr(value)
    if token.type.isupper() and token.type == value.upper():
        return f"the keyword '{value}'"
    return f"'{value}'"


def _expected_words(expected) -> str:
    names = []
    for name in sorted(expected):
        if name.startswith("__"):
            continue
        word = _TOKEN_WORDS.get(name, f"'{name.lower()}'" if name.isupper() else name)
        if word not in names:
            names.append(word)
    if len(names) > 8:
        names = names[:8] + ["…"]
    return ", ".join(names)


def syntax_diagnostic(error, source: Source) -> Diagnostic:
    """Lark's syntax error (UnexpectedInput) in plain words."""
    from lark.exceptions import UnexpectedCharacters, UnexpectedToken

    line, column = error.line or 1, error.column or 1
    if line < 1:  # lark reports the end of input as line -1
        lines = source.text.splitlines() or [""]
        line, column = len(lines), len(lines[-1]) + 1
    offset = getattr(error, "pos_in_stream", None) or 0
    text_line = source.line(line)
    rest = text_line[column - 1:]

    def diag(message, hint=None, width=1):
        return Diagnostic("error", message, ast.Span(line, column, line, column + width, offset,
                                                      offset + width), source, hint)

    if isinstance(error, UnexpectedCharacters):
        char = source.text[error.pos_in_stream] if error.pos_in_stream < len(source.text) else ""
        if char in _FULLWIDTH:
            return diag(f"full-width '{char}' is not part of the language",
                        f"write the ASCII '{_FULLWIDTH[char]}' instead")
        if char == '"':
            return diag("this label is never closed: a quoted text must end on the same line",
                        'close it with "')
        return diag(f"unexpected character {char!r}")
    if not isinstance(error, UnexpectedToken):
        return diag("the policy ends too early" if line >= len(source.text.splitlines()) else
                    "this is not valid here")

    token = error.token
    expected = set(error.expected)
    found = _describe(token)
    width = max(1, len(str(token))) if token.type not in ("$END", "_NL") else 1
    range_match = _RANGE.match(rest)
    if range_match and token.type in ("NUMBER", "PERCENT"):
        low, pct, high, pct2 = range_match.groups()
        unit = pct or pct2
        below = Decimal(high) + Decimal(1).scaleb(Decimal(high).as_tuple().exponent)
        return diag(f"a range like '{range_match.group(0)}' is not a band row",
                    f"rows are tried top-down, so write '>= {low}{unit} : ...' below the row for "
                    f"higher values, or the interval 'in [{low}{unit}, {below}{unit}) : ...'",
                    width=len(range_match.group(0)))
    opening = _unclosed_brace(source.text)
    if opening and (token.type == "$END" and "RBRACE" in expected or opening[2] < (token.start_pos or 0)):
        l, c, _ = opening
        return Diagnostic("error", "this '{' is never closed", ast.Span(l, c, l, c + 1, opening[2],
                                                                         opening[2] + 1),
                          source, "add the matching '}' where the block ends")
    if token.type == "RBRACE" and _unclosed_brace(source.text[:token.start_pos]) is None \
            and "RBRACE" not in expected:
        return diag("this '}' has no '{' to close", "remove it, or open the block it ends")
    if "POLICY" in expected and expected <= {"$END", "POLICY", "COMMA", "SEMICOLON", "_NL"} \
            and token.type not in ("$END", "POLICY"):
        closed = source.text.rfind("}", 0, token.start_pos or 0)
        if closed < 0:
            return diag(f"expected a policy, found {found}",
                        'a policy file holds blocks like: policy NAME "label" { ... }', width)
        return diag(f"{found} is outside any policy (the policy ends at the '}}' on line "
                    f"{source.text.count(chr(10), 0, closed) + 1})",
                    "everything a policy says goes inside its { }", width)
    if "COLON" in expected and token.type not in ("COLON",):
        return diag(f"expected ':' between the row's test and its score, found {found}",
                    "a row reads like '>= 95% : 100'", width)
    if token.type in ("NUMBER", "PERCENT", "DURATION", "MONEY") and expected & {"MORETHAN", "LESSTHAN", "__ANON_0", "EQUAL", "ELSE"}:
        return diag(f"a row must start with a comparison, found {found}",
                    f"write '>= {token}' or '<= {token}'", width)
    return diag(f"expected {_expected_words(expected)}; found {found}", None, width)


def _unclosed_brace(text: str):
    """Line, column and offset of the '{' that is never closed, or None when every '{' is closed
    (strings and comments skipped). A '}' that closes a '{' of a more indented line was written
    for an outer block, so that '{' is taken for the unclosed one; otherwise the last open one."""
    stack = []
    suspect = None
    for match in re.finditer(r'"(?:[^"\\\n]|\\.)*"|#[^\n]*|[{}]', text):
        token = match.group(0)
        if token == "{":
            stack.append(match.start())
        elif token == "}" and stack:
            opening = stack.pop()
            if suspect is None and _indent(text, match.start()) < _indent(text, opening) \
                    and "\n" in text[opening:match.start()]:
                suspect = opening
    if not stack:
        return None
    pos = suspect if suspect is not None else stack[-1]
    line = text.count("\n", 0, pos) + 1
    column = pos - (text.rfind("\n", 0, pos) + 1) + 1
    return line, column, pos


def _indent(text: str, pos: int) -> int:
    start = text.rfind("\n", 0, pos) + 1
    line = text[start:pos]
    return len(line) - len(line.lstrip(" \t\u3000"))
