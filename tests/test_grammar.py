"""The grammar is LALR(1) without conflicts or terminal collisions (Lark's strict mode proves it
at build time), and it ships inside the installed package."""
from kpi_engine.parse import grammar_text, parse, parser


def test_grammar_builds_in_strict_mode():
    strict = parser(strict=True)
    assert strict.options.parser == "lalr"


def test_grammar_is_found_from_the_package():
    assert "policy:" in grammar_text()


def test_comment_after_a_continuing_comma_and_a_range_without_spaces():
    file = parse('policy x {\n  calendar { promo 2026-06-01..2026-06-18 }\n'
                 '  param limit = 30s,  # relaxed in promotions\n    60s during promo\n}\n')
    calendar, param = file.policies[0].items
    assert [(r.start.isoformat(), r.end.isoformat()) for r in calendar.tags[0].ranges] == [("2026-06-01", "2026-06-18")]
    assert [v.during.name if v.during else None for v in param.values] == [None, "promo"]
