"""Syntax errors in plain words, at the exact line and column, and never a traceback."""
from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kpi_engine.check import check_source
from kpi_engine.errors import PolicySyntaxError, Source
from kpi_engine.parse import parse


def syntax_error(text: str):
    """The one diagnostic a text that does not parse gives."""
    with pytest.raises(PolicySyntaxError) as raised:
        parse(text, "policy.kpi")
    diagnostics = raised.value.diagnostics
    assert len(diagnostics) == 1
    return diagnostics[0]


def bands(rows: str) -> str:
    """A policy whose bands rows start on line 5, indented by 6 spaces."""
    return ('policy p "制度" {\n'
            '  indicator a "指标" weight 100% {\n'
            '    measure share(tickets where solved)\n'
            '    bands {\n'
            f'{rows}'
            '    }\n'
            '  }\n'
            '}\n')


CASES = [
    pytest.param(bands("      >= 90% 100\n      else : 0\n"), 5, 14,
                 "expected ':' between the row's test and its score, found a number '100'",
                 "a row reads like '>= 95% : 100'", id="row without a colon"),
    pytest.param(bands("      >= 95% : 100\n      90%-94% : 80\n      else : 0\n"), 6, 7,
                 "a range like '90%-94%' is not a band row",
                 "write '>= 90% : ...' below the row for higher values, or the interval "
                 "'in [90%, 95%) : ...'", id="seed-style range"),
    pytest.param(bands("      4.5-4.9 : 80\n"), 5, 7, "a range like '4.5-4.9' is not a band row",
                 "'in [4.5, 5.0) : ...'", id="range of decimals"),
    pytest.param(bands("      95% : 100\n"), 5, 7, "a row must start with a comparison, found a percent '95%'",
                 "write '>= 95%' or '<= 95%'", id="row without a comparison"),
    pytest.param('policy p "制度" {\n'
                 '  indicator a "指标" weight 100% {\n'
                 '    measure count(tickets)\n'
                 '    bands {\n'
                 '      >= 1 : 100\n'
                 '  }\n'
                 '}\n', 4, 11, "this '{' is never closed", "add the matching '}'",
                 id="unclosed brace of bands"),
    pytest.param('policy p "制度" {\n'
                 '  indicator a "指标" weight 50% {\n'
                 '    measure count(tickets)\n'
                 '    bands {\n'
                 '      >= 1 : 100\n'
                 '  }\n'
                 '  indicator b "指标" weight 50% {\n'
                 '    measure count(tickets)\n'
                 '    bands { else : 0 }\n'
                 '  }\n'
                 '}\n', 4, 11, "this '{' is never closed", "add the matching '}'",
                 id="unclosed brace found before a later error"),
    pytest.param('policy p "制度" {\n  period month\n', 1, 15, "this '{' is never closed",
                 "add the matching '}'", id="unclosed policy"),
    pytest.param('policy p "制度" {\n  period month\n}\n}\n', 4, 1, "this '}' has no '{' to close",
                 "remove it", id="extra closing brace"),
    pytest.param(bands("      >= 95% ： 100\n"), 5, 14, "full-width '：' is not part of the language",
                 "write the ASCII ':' instead", id="full-width colon"),
    pytest.param('policy p "制度" {\n  indicator a "指标" weight 100% {\n    measure count（tickets)\n  }\n}\n',
                 3, 18, "full-width '（' is not part of the language", "write the ASCII '(' instead",
                 id="full-width parenthesis"),
    pytest.param('policy p "制度 {\n  period month\n}\n', 1, 10,
                 "this label is never closed: a quoted text must end on the same line", 'close it with "',
                 id="missing closing quote"),
    pytest.param('policy p "制度" {\n  dataset staff "员工 by employee_id { name: text }\n}\n', 2, 17,
                 "this label is never closed: a quoted text must end on the same line", 'close it with "',
                 id="missing closing quote of a label"),
    pytest.param('policy p "制度" {\n  calendar { promo 2026-13-45 }\n}\n', 2, 20,
                 "2026-13-45 is not a calendar date", None, id="impossible date"),
    pytest.param('policy p "制度" {\n  period month }\n  subject staff\n}\n', 3, 3,
                 "the keyword 'subject' is outside any policy (the policy ends at the '}' on line 2)",
                 "inside its { }", id="text after the policy's end"),
    pytest.param('period month\n', 1, 1, "expected a policy, found the keyword 'period'",
                 'policy NAME "label" { ... }', id="no policy block"),
]


@pytest.mark.parametrize("text, line, column, message, hint", CASES)
def test_syntax_errors_in_plain_words(text, line, column, message, hint):
    d = syntax_error(text)
    assert (d.severity, d.span.line, d.span.column) == ("error", line, column), d.format()
    assert d.message == message
    if hint is not None:
        assert hint in (d.hint or ""), d.hint


def test_the_caret_underlines_the_range():
    d = syntax_error(bands("      >= 95% : 100\n      90%-94% : 80\n"))
    assert d.format().splitlines()[:3] == [
        "policy.kpi:6:7: error: a range like '90%-94%' is not a band row",
        "    6 |       90%-94% : 80",
        "      |       ^^^^^^^",
    ]


def test_check_source_returns_the_syntax_error_as_its_diagnostics():
    result = check_source(Source("policy.kpi", bands("      >= 90% 100\n")))
    assert result.file is None
    assert [(d.span.line, d.span.column) for d in result.diagnostics] == [(5, 14)]


POLICY_WORDS = st.sampled_from(
    ["policy", "indicator", "dimension", "bands", "measure", "weight", "points", "else", "when",
     "missing", "share", "count", "avg", "where", "within", "rank", "top", "in", "and", "not", "p",
     "tickets", "90%", "30s", "200元", "2026-11-01", "2026-13-45", "4.5", "?", '"标签"', '"',
     "{", "}", "(", ")", "[", "]", ":", "：", ",", ";", ".", "..", "~", "-", ">=", "≥", "<", "=",
     "#", "\n", " ", "\t", "　", "（", "\\", "é", "\x00"])


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(POLICY_WORDS, max_size=40).map(" ".join))
def test_garbage_gives_a_diagnostic_never_a_traceback(text):
    result = check_source(Source("garbage.kpi", text))
    for d in result.diagnostics:
        assert d.severity in ("error", "warning", "note") and d.message
        assert d.span.line >= 1 and d.span.column >= 1, d
        d.format()


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=120))
def test_any_text_gives_a_diagnostic_never_a_traceback(text):
    result = check_source(Source("garbage.kpi", 'policy p "x" {\n' + text))
    assert result.diagnostics, "an unfinished policy is an error"
    for d in result.diagnostics:
        d.format()
