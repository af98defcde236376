"""Faster drop-in replacements for Lark's contextual lexer and LALR driver.

Lark's pure-Python LALR spends most of a large policy's parse in its per-token machinery: the
contextual lexer runs one regex per state and one more per stretch of blanks, and the driver
hashes a grammar rule object on every reduction. These replacements keep Lark's grammar, parse
table, callbacks and errors, and are plugged in through Lark's ``_plugins`` option (the way
lark-cython plugs in):

- ``FastContextualLexer`` scans with one regex of every terminal (blanks folded in front), and
  keeps the contextual rule: a word is a keyword only where the parser can take that keyword, and
  any token the current parser state cannot take is lexed again by Lark's own per-state lexer,
  which also raises Lark's errors. Both choose the same token whenever the fast one is accepted,
  because a state's lexer tries the same terminals in the same order, minus the ones it cannot take.
- ``FastLALR`` runs Lark's parse table through actions flattened once per table into plain tuples.

``tests/test_grammar.py`` checks both against Lark's own on every policy in the repository.
"""
from __future__ import annotations

from lark.lexer import ContextualLexer, Token, _create_unless
from lark.parsers.lalr_analysis import Shift
from lark.parsers.lalr_parser import LALR_Parser, _Parser
from lark.parsers.lalr_parser_state import ParseConf, ParserState
from lark.exceptions import UnexpectedToken
from lark.parse_tree_builder import ExpandSingleChild


class FastContextualLexer(ContextualLexer):
    def __init__(self, conf, states, always_accept=()):
        super().__init__(conf, states, always_accept)
        terminals, callbacks = _create_unless(list(conf.terminals), conf.g_regex_flags, conf.re_module,
                                              conf.use_bytes)
        # Lark's own order: priority, then the longest possible match first.
        terminals.sort(key=lambda t: (-t.priority, -t.pattern.max_width, -len(t.pattern.value), t.name))
        blanks = [t for t in terminals if t.name in conf.ignore and t.name not in conf.callbacks]
        scanned = [t for t in terminals if t not in blanks]
        skip = "|".join(t.pattern.to_regexp() for t in blanks)
        self._pattern = conf.re_module.compile(
            (f"(?:{skip})*" if skip else "")
            + "(?:" + "|".join(f"(?P<{t.name}>{t.pattern.to_regexp()})" for t in scanned) + ")",
            conf.g_regex_flags)
        # Words that are keywords where the parser takes them (Lark's "unless" callbacks).
        self._keywords = {term: {s.pattern.value: s.name for s in callback.scanner.terminals}
                          for term, callback in callbacks.items()}
        self._accepts = {state: frozenset(accepts) | frozenset(conf.ignore) | frozenset(always_accept)
                         for state, accepts in states.items()}
        self._user_callbacks = conf.callbacks
        self._ignore = frozenset(conf.ignore)

    def lex(self, lexer_state, parser_state):
        while True:
            yield from self._scan(lexer_state, parser_state)
            if lexer_state.line_ctr.char_pos >= lexer_state.text.end:
                return
            # A token the fast scan cannot decide: one token through Lark's own lexer.
            token = next(super().lex(lexer_state, parser_state), None)
            if token is None:
                return
            yield token

    def _scan(self, lexer_state, parser_state):
        """Yields tokens until the end, or until one the parser state cannot take (leaving the
        line counter at its start)."""
        counter = lexer_state.line_ctr
        text, end = lexer_state.text.text, lexer_state.text.end
        match, accepts, keywords = self._pattern.match, self._accepts, self._keywords
        ignore, callbacks, new_token = self._ignore, self._user_callbacks, Token._future_new
        pos, line, line_start = counter.char_pos, counter.line, counter.line_start_pos
        try:
            while pos < end:
                found = match(text, pos)
                if found is None:
                    return
                kind = found.lastgroup
                start, stop = found.span(kind)
                value = text[start:stop]
                accepted = accepts[parser_state.position]
                words = keywords.get(kind)
                if words is not None and words.get(value) in accepted:
                    kind = words[value]
                if kind not in accepted:
                    pos = start
                    return
                column = start - line_start + 1
                if "\n" in value:
                    line_before = line
                    line += value.count("\n")
                    line_start = start + value.rindex("\n") + 1
                    token = new_token(kind, value, start, line_before, column, line, stop - line_start + 1, stop)
                else:
                    token = new_token(kind, value, start, line, column, line, column + stop - start, stop)
                pos = stop
                if kind in callbacks:
                    token = callbacks[kind](token)
                if kind not in ignore:
                    lexer_state.last_token = token
                    yield token
        finally:
            counter.char_pos, counter.line, counter.line_start_pos = pos, line, line_start
            counter.column = pos - line_start + 1


class _FastState(ParserState):
    __slots__ = ()

    def feed_token(self, token, is_end=False):
        actions = self.parse_conf.parse_table.flat_actions
        state_stack, value_stack = self.state_stack, self.value_stack
        callbacks = self.parse_conf.callbacks
        end_state = self.parse_conf.end_state
        kind = token.type
        while True:
            action = actions[state_stack[-1]].get(kind)
            if action is None:
                expected = {s for s in self.parse_conf.states[state_stack[-1]] if s.isupper()}
                raise UnexpectedToken(token, expected, state=self, interactive_parser=None)
            if action[0] is _SHIFT:
                state_stack.append(action[1])
                value_stack.append(token if kind not in callbacks else callbacks[kind](token))
                return None
            if action[0] is _PASS:
                state_stack[-1] = actions[state_stack[-2]][action[1]][1]
                continue
            _, size, callback, origin = action
            if size:
                children = value_stack[-size:]
                del state_stack[-size:]
                del value_stack[-size:]
            else:
                children = []
            state_stack.append(actions[state_stack[-1]][origin][1])
            value_stack.append(callback(children))
            if is_end and state_stack[-1] == end_state:
                return value_stack[-1]


_SHIFT, _PASS, _REDUCE = "shift", "pass", "reduce"


def _flat_action(action, arg, callbacks):
    """(SHIFT, next state); (PASS, rule name) for a `?rule` alternative of one symbol, which hands
    its child up unchanged; (REDUCE, size, callback, rule name) otherwise."""
    if action is Shift:
        return _SHIFT, arg
    callback = callbacks[arg]
    if len(arg.expansion) == 1 and type(callback) is ExpandSingleChild:
        return _PASS, arg.origin.name
    return _REDUCE, len(arg.expansion), callback, arg.origin.name


class _FastDriver(_Parser):
    def __init__(self, parse_table, callbacks, debug=False):
        super().__init__(parse_table, callbacks, debug)
        parse_table.flat_actions = {
            state: {kind: _flat_action(action, arg, callbacks) for kind, (action, arg) in row.items()}
            for state, row in parse_table.states.items()}

    def parse(self, lexer, start, value_stack=None, state_stack=None, start_interactive=False):
        if start_interactive:
            return super().parse(lexer, start, value_stack, state_stack, start_interactive)
        state = _FastState(ParseConf(self.parse_table, self.callbacks, start), lexer, state_stack, value_stack)
        return self.parse_from_state(state)


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
