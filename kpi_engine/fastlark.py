"""Parsing with a Lark LALR grammar, fast.

Lark's pure-Python LALR spends most of a large policy's parse in its per-token machinery: the
contextual lexer runs one regex per state and one more per stretch of blanks, every token passes
through three generators (lexer, post-lexer, driver loop), and the driver hashes a grammar rule
object on every reduction. Building the parser takes some 30 ms at every start too, even from
Lark's cache, and importing Lark some 25 ms. Here, what a parse needs is plain data (`tables`:
the parse table flattened, the terminals as one regex, what each state accepts), which loads in
about a millisecond, and `FastParser` parses with it in one loop that lexes, drops newlines as a
`NewlineFilter` does and drives the table, with tokens of its own: a parse imports no part of
Lark (only making the tables does).

The fast scan keeps the contextual rule: a word is a keyword only where the parser can take that
keyword. Any token the state cannot take, and any syntax error, raises `Undecided`: the caller
then parses with Lark itself (the same grammar, callbacks and post-lexer), which also raises
Lark's errors. Both choose the same token whenever the fast one is accepted, because a state's
lexer tries the same terminals in the same order, minus the ones it cannot take.

``tests/test_fastlark.py`` checks the two against each other on every policy in the repository.
"""
from __future__ import annotations

import re


class Token(str):
    """A token as Lark's (`lark.lexer.Token`): the text matched, with its terminal and where it
    is. `Token.of` turns Lark's into these."""
    __slots__ = ("type", "start_pos", "line", "column", "end_line", "end_column", "end_pos")

    @classmethod
    def of(cls, token) -> "Token":
        made = str.__new__(cls, token)
        made.type, made.start_pos, made.end_pos = token.type, token.start_pos, token.end_pos
        made.line, made.column = token.line, token.column
        made.end_line, made.end_column = token.end_line, token.end_column
        return made


class NewlineFilter:
    """A post-lexer that drops the `newline` tokens inside brackets and right after a
    `continuing` token. `process` is Lark's post-lexer interface; FastParser applies the same
    rule inline."""

    def __init__(self, newline: str, continuing: str, opening, closing):
        self.newline, self.continuing = newline, continuing
        self.opening, self.closing = frozenset(opening), frozenset(closing)
        self.always_accept = (newline,)

    def process(self, stream):
        depth = 0
        continuing = False
        for token in stream:
            kind = token.type
            if kind == self.newline and (depth or continuing):
                continue
            continuing = kind == self.continuing
            if kind in self.opening:
                depth += 1
            elif kind in self.closing and depth:
                depth -= 1
            yield token


def shape(rule) -> tuple:
    """A Lark rule as plain data: (name, alias, `?rule`, ((symbol, is a terminal), ...))."""
    return (rule.origin.name, rule.alias, bool(rule.options.expand1),
            tuple((symbol.name, symbol.is_term) for symbol in rule.expansion))


def hands_up(rule_shape) -> bool:
    """Whether a rule stands for its only symbol: an inlined `_rule` of one symbol, or a
    `?rule`'s alternative of one symbol without an alias. Its callback is `hand_up`, and
    FastParser only changes the parser state."""
    name, alias, expand1, symbols = rule_shape
    return len(symbols) == 1 and (name.startswith("_") or (expand1 and not alias))


def hand_up(children):
    return children[0]


def tables(parser) -> dict:
    """What FastParser needs of a Lark LALR parser with a contextual lexer, as plain data (dicts,
    tuples, strings, numbers and frozensets: marshal can keep it)."""
    from lark.lexer import _create_unless
    from lark.parsers.lalr_analysis import Shift

    conf = parser.lexer_conf
    terminals, unless = _create_unless(list(conf.terminals), conf.g_regex_flags, conf.re_module,
                                       conf.use_bytes)
    # Lark's own order: priority, then the longest possible match first.
    terminals.sort(key=lambda t: (-t.priority, -t.pattern.max_width, -len(t.pattern.value), t.name))
    blanks = [t for t in terminals if t.name in conf.ignore and t.name not in conf.callbacks]
    scanned = [t for t in terminals if t not in blanks]
    skip = "|".join(t.pattern.to_regexp() for t in blanks)
    # The end of the text (after blanks) matches too, with no group.
    pattern = ((f"(?:{skip})*" if skip else "")
               + "(?:" + "|".join(f"(?P<{t.name}>{t.pattern.to_regexp()})" for t in scanned) + r"|\Z)")
    table = parser.parser.parser._parse_table
    rules = {rule: index for index, rule in enumerate(parser.rules)}
    post = parser.options.postlex
    always = frozenset(conf.ignore) | frozenset(post.always_accept if post else ())
    accepts = {}   # one set for the states that accept the same (marshal keeps it once)
    return {
        "pattern": pattern,
        "flags": conf.g_regex_flags,
        # Words that are keywords where the parser takes them (Lark's "unless" callbacks).
        "keywords": {term: {s.pattern.value: s.name for s in callback.scanner.terminals}
                     for term, callback in unless.items()},
        "accepts": {state: accepts.setdefault(frozenset(row) | always, frozenset(row) | always)
                    for state, row in table.states.items()},
        "ignore": frozenset(conf.ignore),
        "actions": {state: {symbol: arg if action is Shift else _reduction(arg, rules)
                            for symbol, (action, arg) in row.items()}
                    for state, row in table.states.items()},
        "rules": tuple(shape(rule) for rule in parser.rules),
        "start_states": dict(table.start_states),
        "end_states": dict(table.end_states),
    }


def _reduction(rule, rules):
    """An action is a shift (the next state), or a reduction. By a rule that hands its child up
    (a "pass"): (rule name, ends); by any other: (size, rule index, rule name, ends). `ends`
    keeps, by the state below the reduced children, the state the reduction and the run of
    passes after it end in (expressions climb seven `?rule`s from a literal to `expr`)."""
    if hands_up(shape(rule)):
        return rule.origin.name, {}
    return len(rule.expansion), rules[rule], rule.origin.name, {}


class Undecided(Exception):
    """A token the fast scan leaves to Lark, or a syntax error: parse with Lark."""


class FastParser:
    """Parses with `tables`, calling `callbacks[rule index]` on each reduction with the rule's
    children (every token kept) and `lexer_callbacks[terminal]` on each such token, like Lark."""

    def __init__(self, tables: dict, callbacks: list, lexer_callbacks: dict, post: NewlineFilter):
        self.tables, self.callbacks, self.post = tables, callbacks, post
        self.lexer_callbacks = lexer_callbacks
        self.pattern = re.compile(tables["pattern"], tables["flags"])

    def parse(self, text: str, start: str):
        tables, callbacks, post = self.tables, self.callbacks, self.post
        match, accepts, keywords = self.pattern.match, tables["accepts"], tables["keywords"]
        lexer_callbacks, ignore, new_token = self.lexer_callbacks, tables["ignore"], str.__new__
        newline, continuing_kind, opening, closing = post.newline, post.continuing, post.opening, post.closing
        actions, end_state = tables["actions"], tables["end_states"][start]
        state_stack, value_stack = [tables["start_states"][start]], []
        pos, line, line_start = 0, 1, 0
        depth, continuing = 0, False
        while True:
            # ---- the next token
            found = match(text, pos)
            if found is None:
                raise Undecided
            kind = found.lastgroup
            if kind is None:
                kind, token = "$END", None   # (never shifted)
            else:
                start, stop = found.span(kind)
                value = text[start:stop]
                accepted = accepts[state_stack[-1]]
                words = keywords.get(kind)
                if words is not None and words.get(value) in accepted:
                    kind = words[value]
                if kind not in accepted:
                    raise Undecided
                token = new_token(Token, value)
                token.type, token.start_pos, token.end_pos = kind, start, stop
                token.line = line
                token.column = start - line_start + 1
                if "\n" in value:
                    line += value.count("\n")
                    line_start = start + value.rindex("\n") + 1
                    token.end_column = stop - line_start + 1
                else:
                    token.end_column = token.column + stop - start
                token.end_line = line
                pos = stop
                if kind in lexer_callbacks:
                    token = lexer_callbacks[kind](token)
                if kind in ignore:
                    continue
                if kind == newline and (depth or continuing):
                    continue
                continuing = kind == continuing_kind
                if kind in opening:
                    depth += 1
                elif kind in closing and depth:
                    depth -= 1
            # ---- the token through the parse table: reductions, then a shift
            while True:
                action = actions[state_stack[-1]].get(kind)
                if action is None:
                    raise Undecided
                if action.__class__ is int:
                    state_stack.append(action)
                    value_stack.append(token)
                    break
                if len(action) == 2:
                    origin, ends = action
                    below = state_stack[-2]
                    top = ends.get(below)
                    if top is None:
                        top = ends[below] = _after_passes(actions, below, origin, kind)
                    state_stack[-1] = top
                    continue
                size, rule, origin, ends = action
                if size:
                    children = value_stack[-size:]
                    del state_stack[-size:]
                    del value_stack[-size:]
                else:
                    children = []
                below = state_stack[-1]
                top = ends.get(below)
                if top is None:
                    top = ends[below] = _after_passes(actions, below, origin, kind)
                state_stack.append(top)
                value_stack.append(callbacks[rule](children))
                if top == end_state:
                    return value_stack[-1]


def _after_passes(actions, below, origin, kind):
    """The state a reduction to `origin` above the state `below` leads to, after the run of
    passes that follows it on a `kind` token."""
    while True:
        top = actions[below][origin]
        action = actions[top].get(kind)
        if action is None or action.__class__ is int or len(action) != 2:
            return top
        origin = action[0]
