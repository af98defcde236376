"""Properties of the parser and the formatter, checked with hypothesis.

- Formatting a generated policy keeps its meaning and every comment, and is idempotent.
- Parsing anything (random text, random bytes, valid policies with a character deleted or inserted,
  random strings of the language's tokens) either gives a tree or raises PolicySyntaxError:
  never another exception, never a hang (each example has a deadline).

Profiles, chosen with the environment variable HYPOTHESIS_PROFILE (registered here rather than in
a conftest.py, so they leave other test modules' settings alone):
  ci (default)  about 2,000 examples in all, under a minute on 2 cores
  dev           a tenth of that, for a quick run
  thorough      ten times as many, and failing policies shrink (every choice is a hypothesis draw)
"""
from __future__ import annotations

import os
from collections import Counter
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kpi_engine.check import check_source
from kpi_engine.errors import PolicySyntaxError, Source
from kpi_engine.fmt import format_file
from kpi_engine.parse import MAX_DEPTH, parse

from policygen import SUM, expressions, generate_policy, policy_files

_COMMON = dict(suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
               print_blob=True)
settings.register_profile("ci", deadline=timedelta(seconds=2), **_COMMON)
settings.register_profile("dev", deadline=timedelta(seconds=2), **_COMMON)
settings.register_profile("thorough", deadline=timedelta(seconds=5), **_COMMON)
PROFILE = os.environ.get("HYPOTHESIS_PROFILE", "ci")
if PROFILE not in ("ci", "dev", "thorough"):
    PROFILE = "ci"
SCALE = {"ci": 1, "dev": 0.1, "thorough": 10}[PROFILE]
SHRINK = PROFILE == "thorough"


def budget(examples: int) -> settings:
    """This module's profile with `examples` (scaled) as max_examples."""
    return settings(settings.get_profile(PROFILE), max_examples=max(10, int(examples * SCALE)))


parse("")  # build (or load) the parser before the first timed example


def comment_texts(tree) -> Counter:
    return Counter(comment.text.rstrip() for comment in tree.comments)


def assert_formats_well(text: str) -> str:
    """fmt keeps the meaning and every comment, and fmt(fmt(x)) == fmt(x)."""
    tree = parse(text)
    once = format_file(tree)
    again = parse(once)
    assert again == tree, f"formatting changed the meaning:\n{once}"
    assert comment_texts(again) == comment_texts(tree), f"formatting lost a comment:\n{once}"
    assert format_file(again) == once, f"formatting is not idempotent:\n{once}"
    return once


def parse_or_syntax_error(text: str):
    """Parse, allowing only PolicySyntaxError; when it parses, the formatter must cope too."""
    try:
        tree = parse(text)
    except PolicySyntaxError as error:
        assert error.diagnostics and error.diagnostics[0].format()
        return None
    assert_formats_well(text)
    return tree


# ---- the formatter on generated policies ---------------------------------------------------

@budget(600)
@given(policy_files(shrink=SHRINK))
def test_format_keeps_meaning_and_is_idempotent(text):
    assert_formats_well(text)


@budget(100)
@given(policy_files(max_policies=1, shrink=True))
def test_format_on_shrinkable_policies(text):
    # every choice a hypothesis draw: fewer examples, but a failure shrinks to a small policy
    assert_formats_well(text)


@budget(150)
@given(expressions(names=("a", "b", "响应及时率"), level=SUM), expressions(names=("x", "y")))
def test_generated_expressions_parse_where_they_are_put(measure, condition):
    assert_formats_well(f"policy p {{ indicator i {{ measure {measure}; veto if {condition} }} }}")


# ---- the parser never crashes ----------------------------------------------------------------

@budget(400)
@given(st.text())
def test_parse_text_raises_only_syntax_errors(text):
    parse_or_syntax_error(text)


@budget(300)
@given(st.binary())
def test_parse_bytes_raise_only_syntax_errors(data):
    parse_or_syntax_error(data.decode("utf-8", errors="replace"))


# characters the language gives meaning to, so mutations land on something interesting
_MUTANTS = st.one_of(st.sampled_from(list('{}()[],;:#"\\\n\r\t .%-+*/?~=<>≥≤≠元_0159aemx优')),
                     st.characters(blacklist_categories=("Cs",)))


@st.composite
def mutated_policies(draw):
    """A valid policy with one to three characters deleted, inserted or replaced."""
    text = draw(policy_files(max_policies=1, shrink=SHRINK))
    for _ in range(draw(st.integers(1, 3))):
        where = draw(st.integers(0, len(text)))
        action = draw(st.sampled_from(["delete", "insert", "replace"]))
        if action != "insert":
            text = text[:where] + text[where + 1:]
        if action != "delete":
            text = text[:where] + draw(_MUTANTS) + text[where:]
    return text


@budget(500)
@given(mutated_policies())
def test_parse_mutated_policies_raise_only_syntax_errors(text):
    parse_or_syntax_error(text)


# ---- the checker: diagnostics, never a crash ---------------------------------------------------

@budget(150)
@given(st.one_of(policy_files(max_policies=2, shrink=SHRINK), mutated_policies()))
def test_check_gives_diagnostics_never_a_crash(text):
    result = check_source(Source("fuzz.kpi", text))
    assert all(d.format() for d in result.diagnostics)


# words and symbols of the language: strings of them get further into the grammar than noise
_TOKENS = """policy dimension indicator weight points bands map linear formula rank within from to
    at per min max measure define source better veto if adjust each where outcome distribute payout
    action for periods variant doc schedule by day param during calendar dataset key period subject
    scale round missing total extends role drop else when in top bottom or and not is true false
    { } ( ) [ ] , ; : = >= <= != > < ≥ ≤ ≠ + - * / ~ .. . ? 95% 30s 30min 200元 4.5 3 2026-11-01
    "优秀" x tickets.csat 响应及时率 # \n""".split(" ")
_WORDS = [word for line in _TOKENS for word in line.split()] + ["\n", "# c\n"]


@budget(300)
@given(st.lists(st.sampled_from(_WORDS), max_size=60), st.sampled_from([" ", "", "\n"]))
def test_parse_token_soup_raises_only_syntax_errors(words, glue):
    parse_or_syntax_error(glue.join(words))


# ---- deep nesting and big inputs ---------------------------------------------------------------

@pytest.mark.parametrize("text", [
    "policy p { scale " + "(" * 5000 + "1" + ")" * 5000 + " }",
    "policy p { scale " + "-" * 5000 + "1 }",
    "policy p { scale " + "not " * 3000 + "x }",
    "policy p { scale " + " + ".join(["1"] * 5000) + " }",
    "policy p { scale " + "f(" * 3000 + "1" + ")" * 3000 + " }",
    "(" * 100000,
    "policy p {" * 3000,
    # just under the parser's nesting limit: parses, and the formatter copes too
    "policy p { scale " + "-" * 190 + "1 }",
    "policy p { scale " + " + ".join(["1"] * 190) + " }",
])
def test_parse_deep_nesting_raises_only_syntax_errors(text):
    parse_or_syntax_error(text)


def test_brackets_count_towards_the_nesting_limit():
    # each ( ) makes a node of its own; `-(-(…))` once slipped past the limit and overflowed the
    # checker's stack
    text = "policy p { scale " + "-(" * 2000 + "1" + ")" * 2000 + " }"
    result = check_source(Source("deep.kpi", text))
    assert [d.message for d in result.diagnostics] == [
        f"this expression nests too deeply (more than {MAX_DEPTH} levels)"]


def test_generated_big_policy_is_in_canonical_layout():
    text = generate_policy(200, seed=3)
    assert assert_formats_well(text) == text


@pytest.mark.parametrize("seed", [0, 1])
def test_generate_policy_is_deterministic_and_sized(seed):
    text = generate_policy(57, seed)
    assert text == generate_policy(57, seed)
    tree = parse(text)
    indicators = [item for policy in tree.policies for dim in policy.tree for item in dim.items]
    assert len(indicators) == 57
