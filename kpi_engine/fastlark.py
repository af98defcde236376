"""Faster drop-in replacements for Lark's contextual lexer and LALR driver.

Lark's pure-Python LALR spends most of a large policy's parse in its per-token machinery: the
contextual lexer runs one regex per state and one more per stretch of blanks, every token passes
through three generators (lexer, post-lexer, driver loop), and the driver hashes a grammar rule
object on every reduction. These replacements keep Lark's grammar, parse table, callbacks and
errors, and are plugged in through Lark's ``_plugins`` option (the way lark-cython plugs in):

- ``FastContextualLexer`` holds one regex of every terminal (blanks folded in front), and keeps
  the contextual rule: a word is a keyword only where the parser can take that keyword, and any
  token the current parser state cannot take is lexed again by Lark's own per-state lexer, which
  also raises Lark's errors. Both choose the same token whenever the fast one is accepted,
  because a state's lexer tries the same terminals in the same order, minus the ones it cannot take.
- ``FastLALR`` runs Lark's parse table through actions flattened once per table into plain tuples,
  in one loop that also scans with ``FastContextualLexer``'s regex and applies a
  ``NewlineFilter`` post-lexer inline.

``tests/test_fastlark.py`` checks both against Lark's own on every policy in the repository.
"""
from __future__ import annotations

from lark.exceptions import UnexpectedInput, UnexpectedToken
from lark.lexer import ContextualLexer, Token, _create_unless
from lark.parsers.lalr_analysis import Shift
from lark.parsers.lalr_interactive_parser import InteractiveParser
from lark.parsers.lalr_parser import LALR_Parser, _Parser
from lark.parsers.lalr_parser_state import ParseConf, ParserState


class FastContextualLexer(ContextualLexer):
    """Lark's contextual lexer plus the one regex and the tables FastLALR's loop scans with."""

    def __init__(self, conf, states, always_accept=()):
        super().__init__(conf, states, always_accept)
        terminals, callbacks = _create_unless(list(conf.terminals), conf.g_regex_flags, conf.re_module,
                                              conf.use_bytes)
        # Lark's own order: priority, then the longest possible match first.
        terminals.sort(key=lambda t: (-t.priority, -t.pattern.max_width, -len(t.pattern.value), t.name))
        blanks = [t for t in terminals if t.name in conf.ignore and t.name not in conf.callbacks]
        scanned = [t for t in terminals if t not in blanks]
        skip = "|".join(t.pattern.to_regexp() for t in blanks)
        self.pattern = conf.re_module.compile(
            (f"(?:{skip})*" if skip else "")
            + "(?:" + "|".join(f"(?P<{t.name}>{t.pattern.to_regexp()})" for t in scanned) + ")",
            conf.g_regex_flags)
        # Words that are keywords where the parser takes them (Lark's "unless" callbacks).
        self.keywords = {term: {s.pattern.value: s.name for s in callback.scanner.terminals}
                         for term, callback in callbacks.items()}
        self.accepts = {state: frozenset(accepts) | frozenset(conf.ignore) | frozenset(always_accept)
                        for state, accepts in states.items()}
        self.user_callbacks = conf.callbacks
        self.ignore = frozenset(conf.ignore)


class NewlineFilter:
    """A post-lexer that drops the `newline` tokens inside brackets and right after a
    `continuing` token. `process` is Lark's post-lexer interface (Lark's own driver uses it);
    FastLALR applies the same rule inline."""

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


def hand_up(children):
    """The callback of a rule of one symbol that stands for its only child (a `?rule`'s single
    alternative, an inlined `_rule`): FastLALR then only changes the parser state."""
    return children[0]


class _FastDriver(_Parser):
    def __init__(self, parse_table, callbacks, debug=False):
        super().__init__(parse_table, callbacks, debug)
        parse_table.flat_actions = {
            state: {kind: _flat_action(action, arg, callbacks) for kind, (action, arg) in row.items()}
            for state, row in parse_table.states.items()}

    def parse(self, lexer, start, value_stack=None, state_stack=None, start_interactive=False):
        if start_interactive:
            return super().parse(lexer, start, value_stack, state_stack, start_interactive)
        state = ParserState(ParseConf(self.parse_table, self.callbacks, start), lexer, state_stack, value_stack)
        return self.parse_from_state(state)

    def parse_from_state(self, state, last_token=None):
        try:
            return self._run(state, last_token)
        except UnexpectedInput as error:
            error.interactive_parser = InteractiveParser(self, state, state.lexer)
            raise

    def _run(self, state, last_token):
        """Lexes, filters newlines and parses in one loop (Lark: three generators and a method
        call per token). `state.lexer` must be a FastContextualLexer behind a NewlineFilter."""
        lexer_state = state.lexer.state
        lexer, rows = state.lexer.lexer.lexer, state.lexer.lexer.postlexer
        counter = lexer_state.line_ctr
        text, end = lexer_state.text.text, lexer_state.text.end
        match, accepts, keywords = lexer.pattern.match, lexer.accepts, lexer.keywords
        lexer_callbacks, ignore, new_token = lexer.user_callbacks, lexer.ignore, Token._future_new
        newline, continuing_kind, opening, closing = rows.newline, rows.continuing, rows.opening, rows.closing
        actions, end_state = self.parse_table.flat_actions, state.parse_conf.end_state
        state_stack, value_stack = state.state_stack, state.value_stack
        pos, line, line_start = counter.char_pos, counter.line, counter.line_start_pos
        depth, continuing = 0, False
        fed = last_token
        try:
            while True:
                # ---- the next token
                found = match(text, pos) if pos < end else None
                if found is not None:
                    kind = found.lastgroup
                    start, stop = found.span(kind)
                    value = text[start:stop]
                    accepted = accepts[state_stack[-1]]
                    words = keywords.get(kind)
                    if words is not None and words.get(value) in accepted:
                        kind = words[value]
                    if kind not in accepted:
                        found, pos = None, start
                if found is not None:
                    column = start - line_start + 1
                    if "\n" in value:
                        line_before = line
                        line += value.count("\n")
                        line_start = start + value.rindex("\n") + 1
                        token = new_token(kind, value, start, line_before, column, line, stop - line_start + 1, stop)
                    else:
                        token = new_token(kind, value, start, line, column, line, column + stop - start, stop)
                    pos = stop
                    if kind in lexer_callbacks:
                        token = lexer_callbacks[kind](token)
                    if kind in ignore:
                        continue
                    lexer_state.last_token = token
                elif pos < end:
                    # A token the fast scan cannot decide: one token through Lark's own lexer.
                    counter.char_pos, counter.line, counter.line_start_pos = pos, line, line_start
                    counter.column = pos - line_start + 1
                    token = next(ContextualLexer.lex(lexer, lexer_state, state), None)
                    pos, line, line_start = counter.char_pos, counter.line, counter.line_start_pos
                    if token is None:
                        continue
                    kind = token.type
                else:
                    kind = "$END"
                    token = Token.new_borrow_pos(kind, "", fed) if fed else Token(kind, "", 0, 1, 1)
                if kind == newline and (depth or continuing):
                    continue
                continuing = kind == continuing_kind
                if kind in opening:
                    depth += 1
                elif kind in closing and depth:
                    depth -= 1
                fed = token
                # ---- the token through the parse table: reductions, then a shift
                while True:
                    action = actions[state_stack[-1]].get(kind)
                    if action is None:
                        expected = {s for s in self.parse_table.states[state_stack[-1]] if s.isupper()}
                        raise UnexpectedToken(token, expected, state=state, interactive_parser=None)
                    if action[0] is _SHIFT:
                        state_stack.append(action[1])
                        value_stack.append(token)
                        break
                    if action[0] is _PASS:
                        below, chains = state_stack[-2], action[2]
                        top = chains.get(below)
                        if top is None:
                            top = chains[below] = _after_passes(actions, below, action[1], kind)
                        state_stack[-1] = top
                        continue
                    _, size, callback, origin = action
                    if size:
                        children = value_stack[-size:]
                        del state_stack[-size:]
                        del value_stack[-size:]
                    else:
                        children = []
                    target = actions[state_stack[-1]][origin][1]
                    state_stack.append(target)
                    value_stack.append(callback(children))
                    if target == end_state:
                        return value_stack[-1]
        finally:
            counter.char_pos, counter.line, counter.line_start_pos = pos, line, line_start
            counter.column = pos - line_start + 1


_SHIFT, _PASS, _REDUCE = "shift", "pass", "reduce"


def _flat_action(action, arg, callbacks):
    """(SHIFT, next state); (PASS, rule name, {}) for a rule whose callback is `hand_up`; (REDUCE,
    size, callback, rule name) otherwise. A PASS's dict keeps, by the state below, the state its
    run of PASSes ends in (expressions climb seven `?rule`s from a literal to `expr`)."""
    if action is Shift:
        return _SHIFT, arg
    callback = callbacks[arg]
    if callback is hand_up:
        return _PASS, arg.origin.name, {}
    return _REDUCE, len(arg.expansion), callback, arg.origin.name


def _after_passes(actions, below, origin, kind):
    """The state a run of PASS actions on a `kind` token ends in, from the state `below` them."""
    while True:
        top = actions[below][origin][1]
        action = actions[top].get(kind)
        if action is None or action[0] is not _PASS:
            return top
        origin = action[1]


class FastLALR(LALR_Parser):
    def __init__(self, parser_conf, debug=False, strict=False):
        super().__init__(parser_conf, debug, strict)
        self.parser = _FastDriver(self._parse_table, parser_conf.callbacks, debug)

    @classmethod
    def deserialize(cls, data, memo, callbacks, debug=False):
        inst = super().deserialize(data, memo, callbacks, debug)
        inst.parser = _FastDriver(inst._parse_table, callbacks, debug)
        return inst


PLUGINS = {"ContextualLexer": FastContextualLexer, "LALR_Parser": FastLALR}
