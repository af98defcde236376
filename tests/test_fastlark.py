"""`kpi_engine.fastlark` against Lark's own lexer and driver: for every policy in the repository,
generated ones, broken ones and token soup, both give the same tree with the same spans and
comments, or the same syntax error."""
from __future__ import annotations

import dataclasses
from contextlib import contextmanager
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import kpi_engine.parse as parse_module
from kpi_engine.errors import PolicySyntaxError

from policygen import generate_policy, policy_files
from test_parse_properties import _WORDS, budget, mutated_policies

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "conformance"
REPO_POLICIES = sorted(p for folder in (ROOT / "examples", ROOT / "plugins", ROOT / "tests", SHARED)
                       for p in folder.rglob("*.kpi"))


@contextmanager
def lark_own_parser():
    fast = parse_module.parser
    parse_module.parser = lambda: fast(fast=False)
    try:
        yield
    finally:
        parse_module.parser = fast


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


def test_the_fast_parser_is_the_one_in_use():
    assert type(parse_module.parser().parser.parser).__module__ == "kpi_engine.fastlark"


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
