"""The parser in use (`kpi_engine.fastlark`'s tables and loop, Lark for what they leave undecided,
parse.py's callbacks made per grammar rule) against Lark's own lexer, driver and tree builder:
for every policy in the repository, generated ones, broken ones and token soup, both give the
same tree with the same spans and comments, or the same syntax error. Valid policies never need
Lark; fastlark's tables are kept in a cache (each test has its own, conftest.py)."""
from __future__ import annotations

import dataclasses
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from lark import Lark, Token

import kpi_engine.parse as parse_module
from kpi_engine import fastlark
from kpi_engine.errors import PolicySyntaxError
from kpi_engine import user_cache

from policygen import generate_policy, policy_files
from test_parse_properties import _WORDS, budget, mutated_policies

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "conformance"
REPO_POLICIES = sorted(p for folder in (ROOT / "examples", ROOT / "plugins", ROOT / "tests", SHARED)
                       for p in folder.rglob("*.kpi"))


class ReferenceCallbacks:
    """What Lark's own tree builder calls on each reduction, by rule name, once its child filter
    has inlined the `_rules`: the keyword and punctuation tokens are dropped, the span runs from
    the first token (or spanned node) to the last, and the rest goes to the ToAst method of the
    same name. (parse.py's callbacks before they were made per rule.)"""

    def __init__(self):
        self.builder = parse_module.ToAst()

    def __getattr__(self, name):
        method = getattr(parse_module.ToAst, name, None)
        if method is None or name.startswith("_"):
            raise AttributeError(name)   # Lark then builds a plain tree (for `_` rules)
        keep = parse_module._KEPT_TOKENS.get(name, parse_module._VALUE_TOKENS)
        nested = name in parse_module._EXPRESSIONS

        def callback(children):
            # (parse.py's helpers know fastlark's tokens, not Lark's)
            children = [fastlark.Token.of(c) if type(c) is Token else c for c in children]
            span = parse_module._span_of(children)
            result = method(self.builder, span,
                            *[c for c in children if type(c) is not fastlark.Token or c.type in keep])
            if nested:
                depths = parse_module._depths.get()
                depth = 1 + max((depths.get(id(c), 0) for c in children), default=0)
                if depth > parse_module.MAX_DEPTH:
                    raise parse_module._TooDeep(span)
                depths[id(result)] = depth
            return result
        return callback


@lru_cache(maxsize=None)
def lark_own() -> Lark:
    return Lark(parse_module.grammar_text(), **parse_module.LARK_OPTIONS, transformer=ReferenceCallbacks(),
                cache=True)


class Undecided:
    def parse(self, text, start):
        raise fastlark.Undecided


@contextmanager
def lark_own_parser():
    """parse() with every text left to Lark, and Lark's own tree builder."""
    fast, lark = parse_module._fast_parser, parse_module.parser
    parse_module._fast_parser, parse_module.parser = Undecided, lark_own
    try:
        yield
    finally:
        parse_module._fast_parser, parse_module.parser = fast, lark


def spans(node) -> list:
    """Every node's class and span, depth first (spans are left out of node equality)."""
    if isinstance(node, (tuple, list)):
        return [s for item in node for s in spans(item)]
    if dataclasses.is_dataclass(node) and not isinstance(node, type):
        own = [(type(node).__name__, node.span)] if hasattr(node, "span") else []
        return own + [s for f in dataclasses.fields(node) for s in spans(getattr(node, f.name))]
    return []


def outcome(text: str):
    try:
        tree = parse_module.parse(text, "p.kpi")
    except PolicySyntaxError as error:
        return [d.format() for d in error.diagnostics]
    return tree, spans(tree), [(c.text, c.span) for c in tree.comments]


def assert_same(text: str) -> None:
    fast = outcome(text)
    with lark_own_parser():
        reference = outcome(text)
    assert fast == reference


def test_valid_policies_never_need_lark(monkeypatch):
    texts = [path.read_text(encoding="utf-8") for path in REPO_POLICIES] + [generate_policy(1000, seed=1)]
    valid = [text for text in texts if not isinstance(outcome(text), list)]
    assert len(valid) > len(REPO_POLICIES) // 2
    monkeypatch.setattr(parse_module, "parser", lambda: pytest.fail("fastlark left a valid policy to Lark"))
    for text in valid:
        parse_module.parse(text)


@pytest.mark.parametrize("path", REPO_POLICIES, ids=lambda p: p.name)
def test_repository_policies_and_their_prefixes(path):
    text = path.read_text(encoding="utf-8")
    assert_same(text)
    for cut in range(0, len(text), max(1, len(text) // 40)):   # broken at 40 places
        assert_same(text[:cut])


def test_a_generated_policy_of_100_indicators():
    assert_same(generate_policy(100, seed=3))


@budget(150)
@given(policy_files())
def test_generated_policies(text):
    assert_same(text)


@budget(200)
@given(mutated_policies())
def test_mutated_policies(text):
    assert_same(text)


@budget(150)
@given(st.lists(st.sampled_from(_WORDS), max_size=60), st.sampled_from([" ", "", "\n"]))
def test_token_soup(words, glue):
    assert_same(glue.join(words))


@budget(150)
@given(st.text())
def test_any_text(text):
    assert_same(text)


def stored_tables() -> list[Path]:
    return sorted(user_cache("parser").glob("*.marshal"))


def test_the_tables_are_kept_and_read_back(monkeypatch):
    made = parse_module._tables()
    assert len(stored_tables()) == 1
    monkeypatch.setattr(fastlark, "tables", lambda lark: pytest.fail("made again"))
    assert parse_module._tables() == made


def test_damaged_tables_are_made_afresh():
    made = parse_module._tables()
    [path] = stored_tables()
    path.write_bytes(path.read_bytes()[:1000])
    assert parse_module._tables() == made
    assert parse_module._tables() == made


def test_a_cache_folder_that_cannot_be_written_only_means_no_cache(monkeypatch, tmp_path):
    (tmp_path / "file").write_text("")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "file"))
    assert parse_module._tables()["rules"]
