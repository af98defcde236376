"""Tests of `kpi check` (kpi_engine.check): one case per check, each asserting the exact line and
column reported, the severity and the key phrase of the message.

Every case is a policy made of HEAD (lines 1-8) and a body that starts on line 9; `head=` edits
HEAD for the cases about settings.
"""
from __future__ import annotations

import textwrap
import time
from decimal import Decimal
from pathlib import Path

import pytest

from kpi_engine import ast
from kpi_engine.check import RULES, CheckResult, check_policy, check_source
from kpi_engine.check.intervals import Values, example
from kpi_engine.check.scope import Scope, infer_type, merge_preset
from kpi_engine.errors import Source
from kpi_engine.parse import parse

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared" / "conformance"
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "check"

HEAD = '''\
policy t "测试" {
  period month
  subject staff
  param limit = 30s, 60s during promo
  param bonus = 200元
  calendar { promo "大促" 2026-11-01 .. 2026-11-12 }
  dataset staff "员工" by employee_id { name: text, team: text, first_month: bool }
  dataset tickets "工单" by agent_id at opened_at { first_response: duration, channel: text, csat: number?, solved: bool }
'''


def policy(body: str = "", head: dict | None = None) -> str:
    text = HEAD
    for old, new in (head or {}).items():
        assert old in text, old
        text = text.replace(old, new)
    return text + textwrap.indent(textwrap.dedent(body).strip("\n"), "  ") + "\n}\n"


def check(text: str, presets=None) -> list:
    return check_source(Source("policy.kpi", text), presets).diagnostics


def shown(diagnostics) -> str:
    return "\n".join(d.format() for d in diagnostics) or "(no diagnostics)"


def assert_reported(text: str, severity: str, line: int, column: int, phrase: str, presets=None):
    """Exactly one diagnostic carries `phrase`, and it is a `severity` at line:column."""
    diagnostics = check(text, presets)
    found = [d for d in diagnostics if phrase in d.message]
    assert len(found) == 1, f"{len(found)} diagnostics say {phrase!r}:\n{shown(diagnostics)}"
    d = found[0]
    assert (d.severity, d.span.line, d.span.column) == (severity, line, column), shown([d])
    return d


def case(name, body, severity, line, column, phrase, head=None):
    return pytest.param(body, head, severity, line, column, phrase, id=name)


DECLARATIONS = [
    case('unknown period kind', '',
         'error', 2, 10, 'unknown period kind monthly', head={'period month': 'period monthly'}),
    case('unknown missing mode', """
        missing skip
        indicator a "a" weight 100% {
          measure count(tickets)
          bands { >= 1 : 100, else : 0 }
        }
        """,
         'error', 9, 11, 'unknown missing mode skip'),
    case('subject unknown', '',
         'error', 3, 11, 'unknown dataset staf', head={'subject staff': 'subject staf'}),
    case('subject with at', '',
         'error', 3, 11, 'has an `at` time', head={'subject staff': 'subject tickets'}),
    case('no subject', '',
         'error', 1, 1, 'has no `subject`', head={'  subject staff\n': ''}),
    case('setting twice', 'period week',
         'error', 9, 3, 'period is already set on line 2'),
    case('unknown field type', 'dataset extra "x" by agent_id at at_time { note: txt }',
         'error', 9, 52, 'unknown field type txt'),
    case('percent field type', 'dataset extra "x" by agent_id at at_time { rate: percent }',
         'error', 9, 52, 'unknown field type percent'),
    case('duplicate field', 'dataset extra "x" by agent_id at at_time { note: text, note: text }',
         'error', 9, 58, 'already has a field note'),
    case('duplicate dataset', 'dataset tickets "again" by agent_id { x: text }',
         'error', 9, 11, 'dataset tickets is already declared on line 8'),
    case('duplicate param', 'param limit = 1',
         'error', 9, 9, 'param limit is already declared on line 4'),
    case('duplicate indicator', """
        indicator a "a" weight 100% {
          measure count(tickets)
          bands { >= 1 : 100, else : 0 }
        }
        indicator a "again" weight 0% {
          measure count(tickets)
          bands { else : 0 }
        }
        """,
         'error', 13, 13, 'indicator a is already declared on line 9'),
    case('duplicate measure', """
        indicator a "a" weight 100% {
          measure d1 = count(tickets)
          measure d1 = count(tickets)
          formula d1
        }
        """,
         'error', 11, 13, 'measure d1 is already declared on line 10'),
    case('duplicate calendar tag', 'calendar { promo "again" 2026-06-01 }',
         'error', 9, 14, 'calendar tag promo is already declared on line 6'),
    case('duplicate outcome', """
        outcome g "g" by total { else : 1 }
        outcome g "g" by total { else : 2 }
        """,
         'error', 10, 11, 'outcome g is already declared on line 9'),
    case('param during unknown tag', 'param p = 1, 2 during promoo',
         'error', 9, 25, 'unknown calendar tag promoo'),
    case('param second base value', 'param p = 1, 2',
         'error', 9, 16, 'already has a base value'),
    case('param first value with during', 'param p = 1 during promo, 2',
         'error', 9, 13, 'first value of p is its base value'),
    case('param same tag twice', 'param p = 1, 2 during promo, 3 during promo',
         'error', 9, 41, 'already has a value during promo'),
    case('calendar range reversed', 'calendar { summer "夏" 2026-08-31 .. 2026-06-01 }',
         'error', 9, 25, 'ends (2026-06-01) before it starts (2026-08-31)'),
    case('scale not positive', 'scale 0',
         'error', 9, 9, 'the scale must be above 0'),
    case('round not whole', 'round 1.5',
         'error', 9, 9, 'whole number of decimals'),
    case('total min above max', 'total min 10 max 5',
         'error', 9, 3, 'min (10) is above its max (5)'),
    case('drop without extends', 'drop on_time',
         'error', 9, 3, 'this policy extends none'),
    case('unknown doc entry', 'doc { purpse "x" }',
         'warning', 9, 9, 'unknown doc entry purpse'),
]

NAMES = [
    case('for role without a role field', '',
         'error', 1, 1, "`for role` picks roster rows by their `role`, but staff has no field role",
         head={'policy t "测试" {': 'policy t "测试" for role "工程师" {'}),
    case('value without an unnamed measure', """
        indicator a "a" weight 100% {
          measure d1 = count(tickets)
          formula value * 2
        }
        """,
         'error', 11, 13, "`value` is the indicator's own measure, but a has named measures only"),
    case('unknown param in where', """
        indicator a "a" weight 100% {
          measure share(tickets where first_response <= limt)
          bands { >= 90% : 100, else : 0 }
        }
        """,
         'error', 10, 51, 'unknown name limt: not a field of tickets, a roster field or a param'),
    case('unknown field', """
        indicator a "a" weight 100% {
          measure avg(tickets.csatt)
          bands { >= 4 : 100, else : 0 }
        }
        """,
         'error', 10, 25, 'tickets has no field csatt'),
    case('unknown dataset', """
        indicator a "a" weight 100% {
          measure count(tikets)
          bands { >= 1 : 100, else : 0 }
        }
        """,
         'error', 10, 19, 'unknown dataset tikets'),
    case('unknown dataset of field', """
        indicator a "a" weight 100% {
          measure avg(tikets.csat)
          bands { >= 1 : 100, else : 0 }
        }
        """,
         'error', 10, 17, 'unknown dataset tikets'),
    case('unknown function', """
        indicator a "a" weight 100% {
          measure avgg(tickets.csat)
          bands { >= 1 : 100, else : 0 }
        }
        """,
         'error', 10, 13, 'unknown function avgg'),
    case('aggregate takes one argument', """
        indicator a "a" weight 100% {
          measure avg(tickets.csat, tickets.csat)
          bands { >= 1 : 100, else : 0 }
        }
        """,
         'error', 10, 13, 'avg takes one argument'),
    case('round takes two arguments', """
        indicator a "a" weight 100% {
          measure round(count(tickets))
          bands { >= 1 : 100, else : 0 }
        }
        """,
         'error', 10, 13, 'round takes a value and a number of decimals'),
    case('percentile takes two arguments', """
        indicator a "a" weight 100% {
          measure percentile(tickets.csat)
          bands { >= 1 : 100, else : 0 }
        }
        """,
         'error', 10, 13, 'percentile takes a field and a rank'),
    case('share needs a condition', """
        indicator a "a" weight 100% {
          measure share(tickets)
          bands { >= 90% : 100, else : 0 }
        }
        """,
         'error', 10, 13, 'share needs a condition'),
    case('count takes a dataset', """
        indicator a "a" weight 100% {
          measure count(tickets.csat)
          bands { >= 1 : 100, else : 0 }
        }
        """,
         'error', 10, 19, 'count counts records'),
    case('avg needs a field', """
        indicator a "a" weight 100% {
          measure avg(tickets)
          bands { >= 1 : 100, else : 0 }
        }
        """,
         'error', 10, 17, 'avg needs a field of tickets'),
    case('first needs a time', """
        indicator a "a" weight 100% {
          measure first(staff.name)
          map { "x" : 1, else : 0 }
        }
        """,
         'error', 10, 13, 'staff has no `at` time'),
    case('where on an arithmetic argument', """
        indicator a "a" weight 100% {
          measure round(count(tickets), 2 where solved)
          bands { >= 1 : 100, else : 0 }
        }
        """,
         'error', 10, 43, 'this argument of round cannot take one'),
    case('during param outside where', """
        indicator a "a" weight 100% {
          measure avg(tickets.first_response)
          bands { <= limit : 100, else : 0 }
        }
        """,
         'error', 11, 16, 'limit changes during promo, so it can only be used inside a `where` condition'),
    case('during param in a roster where', """
        indicator a "a" weight 100% {
          measure count(staff where first_month and limit > 3s)
          bands { >= 1 : 100, else : 0 }
        }
        """,
         'error', 10, 47, 'staff records have no time'),
    case('dataset used as a value', """
        indicator a "a" weight 100% {
          measure tickets
          bands { >= 1 : 100, else : 0 }
        }
        """,
         'error', 10, 13, 'tickets is a dataset, not a value'),
    case('field used outside an aggregate', """
        indicator a "a" weight 100% {
          measure csat
          bands { >= 1 : 100, else : 0 }
        }
        """,
         'error', 10, 13, 'unknown name csat: not a param, a measure of this indicator or a roster field'),
    case('dotted field outside an aggregate', """
        indicator a "a" weight 100% {
          measure tickets.csat
          bands { >= 1 : 100, else : 0 }
        }
        """,
         'error', 10, 13, 'tickets.csat is a field of each tickets record, not one value'),
    case('total in a measure', """
        indicator a "a" weight 100% {
          measure count(tickets) + total
          bands { >= 1 : 100, else : 0 }
        }
        """,
         'error', 10, 30, 'total cannot be used here'),
    case('value in a policy veto', """
        indicator a "a" weight 100% {
          measure count(tickets)
          bands { >= 1 : 100, else : 0 }
        }
        veto if value > 3
        """,
         'error', 13, 11, 'unknown name value'),
    case('unknown named measure in formula', """
        indicator a "a" weight 100% {
          measure d1 = count(tickets)
          formula d2 * 2
        }
        """,
         'error', 11, 13, 'unknown name d2'),
    case('aggregate in a fixed value', """
        indicator a "a" weight 100% {
          measure count(tickets)
          bands { >= count(tickets) : 100, else : 0 }
        }
        """,
         'error', 11, 16, 'this must be a fixed value'),
    case('aggregate inside where', """
        indicator a "a" weight 100% {
          measure count(tickets where csat > avg(tickets.csat))
          bands { >= 1 : 100, else : 0 }
        }
        """,
         'error', 10, 40, 'cannot be used inside a `where` condition'),
    case('position outside an action', """
        indicator a "a" weight 100% {
          measure count(tickets)
          bands { >= 1 : 100, else : 0 }
        }
        veto if last within team
        """,
         'error', 13, 11, "can only be used in an action's condition"),
    case('position word', """
        indicator a "a" weight 100% {
          measure count(tickets)
          bands { >= 1 : 100, else : 0 }
        }
        action "x" if top within team
        """,
         'error', 13, 17, 'expected first or last'),
    case('position group', """
        indicator a "a" weight 100% {
          measure count(tickets)
          bands { >= 1 : 100, else : 0 }
        }
        action "x" if last within teams for 3 periods
        """,
         'error', 13, 29, 'teams is not a field of the roster staff'),
    case('rank group', """
        indicator a "a" weight 100% {
          measure count(tickets)
          rank within teem from 0 to 100
        }
        """,
         'error', 11, 17, 'teem is not a field of the roster staff'),
    case('distribute group', """
        indicator a "a" weight 100% {
          measure count(tickets)
          bands { >= 1 : 100, else : 0 }
        }
        distribute star "星" within teem by total { top 20% : "A" }
        """,
         'error', 13, 30, 'teem is not a field of the roster staff'),
    case('outcome by unknown', """
        indicator a "a" weight 100% {
          measure count(tickets)
          bands { >= 1 : 100, else : 0 }
        }
        outcome g "g" by totl { else : 1 }
        """,
         'error', 13, 20, 'unknown name totl'),
    case('outcome by a later outcome', """
        indicator a "a" weight 100% {
          measure count(tickets)
          bands { >= 1 : 100, else : 0 }
        }
        outcome early "e" by later { else : 1 }
        outcome later "l" by total { else : "x" }
        """,
         'error', 13, 24, 'later is declared after early (on line 14)'),
    case('adjust each unknown dataset', """
        indicator a "a" weight 100% {
          measure count(tickets)
          bands { >= 1 : 100, else : 0 }
        }
        adjust { -5 each complaints }
        """,
         'error', 13, 20, 'unknown dataset complaints'),
    case('variant without calendar tag', """
        indicator a "a" weight 100% {
          measure count(tickets)
          bands { >= 1 : 100, else : 0 }
        }
        variant summer "夏" { weight a 100% }
        """,
         'error', 13, 11, 'variant summer has no calendar tag of the same name'),
    case('variant unknown item', """
        indicator a "a" weight 100% {
          measure count(tickets)
          bands { >= 1 : 100, else : 0 }
        }
        variant promo "大促" { weight process.b 100% }
        """,
         'error', 13, 31, 'unknown indicator or dimension process.b'),
    case('variant unknown param', """
        indicator a "a" weight 100% {
          measure count(tickets)
          bands { >= 1 : 100, else : 0 }
        }
        variant promo "大促" { param limt = 45s }
        """,
         'error', 13, 30, 'unknown param limt'),
]

RULES_CASES = [
    case('no rule', """
        indicator a "a" weight 100% {
          measure count(tickets)
        }
        """,
         'error', 9, 3, 'indicator a has no scoring rule'),
    case('two rules', """
        indicator a "a" weight 100% {
          measure count(tickets)
          bands { >= 1 : 100, else : 0 }
          rank within team from 0 to 100
        }
        """,
         'error', 12, 5, 'indicator a already has a scoring rule (bands on line 11)'),
    case('no measure', """
        indicator a "a" weight 100% {
          bands { >= 1 : 100, else : 0 }
        }
        """,
         'error', 9, 3, 'indicator a has no measure'),
    case('second measure', """
        indicator a "a" weight 100% {
          measure count(tickets)
          bands { >= 1 : 100, else : 0 }
          measure count(tickets)
        }
        """,
         'error', 12, 5, 'a already has a measure (line 10)'),
    case('measure named value', """
        indicator a "a" weight 100% {
          measure value = count(tickets)
          formula value
        }
        """,
         'error', 10, 13, "`value` names the indicator's own measure"),
    case('measure cycle', """
        indicator a "a" weight 100% {
          measure d1 = d2 + 1
          measure d2 = d1 * 2
          formula d1
        }
        """,
         'error', 10, 13, 'measure d1 depends on itself: d1 -> d2 -> d1'),
    # two measures lead into one cycle: found once, and the second search does not trip over it
    case('measure cycle reached twice', """
        indicator a "a" weight 100% {
          measure d1 = d3 + 1
          measure d2 = d3 * 2
          measure d3 = d3 + 1
          formula d1 + d2
        }
        """,
         'error', 12, 13, 'measure d3 depends on itself: d3 -> d3'),
    case('unknown better', """
        indicator a "a" weight 100% {
          measure count(tickets)
          bands { >= 1 : 100, else : 0 }
          better highr
        }
        """,
         'error', 12, 12, 'unknown direction highr'),
    case('label row in bands', """
        indicator a "a" weight 100% {
          measure count(tickets)
          bands { >= 1 : 100, "x" : 1, else : 0 }
        }
        """,
         'error', 11, 25, 'a label row does not belong in bands'),
    case('missing row after value rows', """
        indicator a "a" weight 100% {
          measure count(tickets)
          bands { >= 1 : 100, missing : 5, else : 0 }
        }
        """,
         'error', 11, 25, 'a `missing` row must come before the rows that test the value (line 11)'),
    case('else in exceptions', """
        indicator a "a" weight 100% {
          measure count(tickets)
          rank within team from 0 to 100 { else : 5 }
        }
        """,
         'error', 11, 38, 'an `else` row does not belong in the exceptions of rank'),
    case('top row in an outcome', """
        indicator a "a" weight 100% {
          measure count(tickets)
          bands { >= 1 : 100, else : 0 }
        }
        outcome g "g" by total { top 10% : "x" }
        """,
         'error', 13, 28, 'a `top` row does not belong in an outcome by total'),
]

TYPES = [
    case('duration measure, percent bound', """
        indicator a "a" weight 100% {
          measure avg(tickets.first_response)
          bands { <= 50% : 100, else : 0 }
          better lower
        }
        """,
         'error', 11, 16, 'this bound is a percent, but the measure avg(tickets.first_response) is a duration'),
    case('missing percent sign', """
        indicator a "a" weight 100% {
          measure share(tickets where solved)
          bands { >= 95 : 100, else : 0 }
        }
        """,
         'error', 11, 16, 'this is compared with a percent, so 95 means 9500%'),
    case('money bound on a percent', """
        indicator a "a" weight 100% {
          measure share(tickets where solved)
          bands { >= bonus : 100, else : 0 }
        }
        """,
         'error', 11, 16, 'this bound is an amount of money, but the measure share(tickets where solved) is a percent'),
    case('duration against money', """
        indicator a "a" weight 100% {
          measure count(tickets where first_response > bonus)
          bands { >= 1 : 100, else : 0 }
        }
        """,
         'error', 10, 50, 'cannot compare a duration (first_response) with an amount of money'),
    case('text against a number', """
        indicator a "a" weight 100% {
          measure count(tickets where channel = 3)
          bands { >= 1 : 100, else : 0 }
        }
        """,
         'error', 10, 43, 'cannot compare text (channel) with a number'),
    case('text ordered', """
        indicator a "a" weight 100% {
          measure count(tickets where channel > "a")
          bands { >= 1 : 100, else : 0 }
        }
        """,
         'error', 10, 33, 'text can only be compared with = or !='),
    case('number as a where condition', """
        indicator a "a" weight 100% {
          measure count(tickets where csat)
          bands { >= 1 : 100, else : 0 }
        }
        """,
         'error', 10, 33, '`where` needs a condition (true or false), but this is a number'),
    case('and of a number', """
        indicator a "a" weight 100% {
          measure count(tickets where solved and csat)
          bands { >= 1 : 100, else : 0 }
        }
        """,
         'error', 10, 44, '`and` needs a condition (true or false), but this is a number'),
    case('percent plus duration', """
        indicator a "a" weight 100% {
          measure share(tickets where solved) + avg(tickets.first_response)
          bands { >= 1 : 100, else : 0 }
        }
        """,
         'error', 10, 43, 'cannot add a percent and a duration'),
    case('sum of text', """
        indicator a "a" weight 100% {
          measure sum(tickets.channel)
          bands { >= 1 : 100, else : 0 }
        }
        """,
         'error', 10, 17, 'sum needs numbers or true/false values, but tickets.channel is text'),
    case('percent slip in a veto', """
        indicator a "a" weight 100% {
          measure share(tickets where solved)
          bands { >= 90% : 100, else : 0 }
          veto if share(tickets where solved) < 60
        }
        """,
         'error', 12, 43, 'so 60 means 6000%'),
    case('veto on a number', """
        indicator a "a" weight 100% {
          measure count(tickets)
          bands { >= 1 : 100, else : 0 }
          veto if count(tickets)
        }
        """,
         'error', 12, 13, 'a condition must be true or false, but this is a number'),
    case('map on a number', """
        indicator a "a" weight 100% {
          measure count(tickets)
          map { "A" : 1, else : 0 }
        }
        """,
         'error', 11, 5, 'a map matches text labels, but the measure count(tickets) is a number'),
    case('rank on text', """
        indicator a "a" weight 100% {
          measure last(tickets.channel)
          rank within team from 0 to 100
        }
        """,
         'error', 11, 5, 'rank orders people by their measure, but last(tickets.channel) is text'),
    case('linear origin in another unit', """
        indicator a "a" weight 100% {
          measure share(tickets where solved)
          linear 0 at 30s, +1 per 1%, max 100
        }
        """,
         'error', 11, 17, 'this bound is a duration, but the measure share(tickets where solved) is a percent'),
    case('linear step of zero', """
        indicator a "a" weight 100% {
          measure count(tickets)
          linear 0 at 0, +1 per 0, max 100
        }
        """,
         'error', 11, 27, 'the step of a linear rule must be above 0'),
    case('score in percent', """
        indicator a "a" weight 100% {
          measure share(tickets where solved)
          bands { >= 90% : 100%, else : 0 }
        }
        """,
         'error', 11, 22, 'a score is a number of points, not a percent'),
    case('formula of text', """
        indicator a "a" weight 100% {
          measure d1 = last(tickets.channel)
          formula d1
        }
        """,
         'error', 11, 13, 'a formula computes a score, a number, but this is text'),
    case('outcome by total in percent', """
        indicator a "a" weight 100% {
          measure count(tickets)
          bands { >= 1 : 100, else : 0 }
        }
        outcome g "g" by total { >= 90% : "A", else : "B" }
        """,
         'error', 13, 31, 'the total is in points, not a percent'),
    case('action total in percent', """
        indicator a "a" weight 100% {
          measure count(tickets)
          bands { >= 1 : 100, else : 0 }
        }
        action "x" if total < 70%
        """,
         'error', 13, 25, 'the total is in points, not a percent'),
    case('param values of two units', 'param p = 30s, 5% during promo',
         'error', 9, 18, 'p is a duration (line 9), but this value is a percent'),
    case('outcome values of two types', """
        indicator a "a" weight 100% {
          measure count(tickets)
          bands { >= 1 : 100, else : 0 }
        }
        outcome g "g" by total { >= 90 : "A", else : 1 }
        """,
         'error', 13, 48, 'g gives text on line 13, but a number here'),
    case('top of a number', """
        indicator a "a" weight 100% {
          measure count(tickets)
          bands { >= 1 : 100, else : 0 }
        }
        distribute star "星" within team by total { top 3 : "A" }
        """,
         'error', 13, 50, '`top` takes a percent of the group'),
    case('payout rank zero', """
        indicator a "a" weight 100% {
          measure count(tickets)
          bands { >= 1 : 100, else : 0 }
        }
        payout p "奖" within team by total { rank 0 : 100元 }
        """,
         'error', 13, 44, 'a rank is a whole number'),
    case('payout of text', """
        indicator a "a" weight 100% {
          measure count(tickets)
          bands { >= 1 : 100, else : 0 }
        }
        payout p "奖" within team by total { rank 1 : "A" }
        """,
         'error', 13, 48, 'a payout pays an amount of money, not text'),
    case('adjustment in money', """
        indicator a "a" weight 100% {
          measure count(tickets)
          bands { >= 1 : 100, else : 0 }
        }
        adjust { -5元 each tickets }
        """,
         'error', 13, 12, 'an adjustment is a number of points, not an amount of money'),
    case('for zero periods', """
        indicator a "a" weight 100% {
          measure count(tickets)
          bands { >= 1 : 100, else : 0 }
        }
        action "x" if total < 70 for 0 periods
        """,
         'error', 13, 32, '`for N periods` takes a whole number of periods'),
]

TREE = [
    case('weights of the top-level items', """
        indicator a "a" weight 60% {
          measure count(tickets)
          bands { else : 0 }
        }
        indicator b "b" weight 30% {
          measure count(tickets)
          bands { else : 0 }
        }
        """,
         'error', 1, 1, 'the weights of the top-level items add up to 90%, not 100%'),
    case('weights in a dimension', """
        dimension d "d" weight 100% {
          indicator a "a" weight 50% {
            measure count(tickets)
            bands { else : 0 }
          }
          indicator b "b" weight 40% {
            measure count(tickets)
            bands { else : 0 }
          }
        }
        """,
         'error', 9, 3, 'the weights of the items in dimension d add up to 90%, not 100%'),
    case('heading dimensions pass their children up', """
        dimension d "d" {
          indicator a "a" weight 60% {
            measure count(tickets)
            bands { else : 0 }
          }
        }
        dimension e "e" {
          indicator b "b" weight 30% {
            measure count(tickets)
            bands { else : 0 }
          }
        }
        """,
         'error', 1, 1, 'the weights of the top-level items add up to 90%, not 100%'),
    case('points against the scale', """
        indicator a "a" points 20 {
          measure count(tickets)
          bands { else : 0 }
        }
        indicator b "b" points 30 {
          measure count(tickets)
          bands { else : 0 }
        }
        """,
         'error', 1, 1, "the points of the top-level items add up to 50, not 100 (the policy's scale)"),
    case("points against a dimension's points", """
        dimension d "d" points 50 {
          indicator a "a" points 20 {
            measure count(tickets)
            bands { else : 0 }
          }
        }
        indicator b "b" points 50 {
          measure count(tickets)
          bands { else : 0 }
        }
        """,
         'error', 9, 3, 'the points of the items in dimension d add up to 20, not 50 (the points of d)'),
    case('weights mixed with points', """
        indicator a "a" weight 100% {
          measure count(tickets)
          bands { else : 0 }
        }
        indicator b "b" points 30 {
          measure count(tickets)
          bands { else : 0 }
        }
        """,
         'error', 1, 1, 'the top-level items mix weights and points'),
    case('indicator without a share', """
        indicator a "a" weight 100% {
          measure count(tickets)
          bands { else : 0 }
        }
        indicator b "b" {
          measure count(tickets)
          bands { else : 0 }
        }
        """,
         'error', 13, 3, 'indicator b has neither weight nor points'),
    case('weight without percent', """
        indicator a "a" weight 100 {
          measure count(tickets)
          bands { else : 0 }
        }
        """,
         'error', 9, 26, 'a weight is a percent'),
    case('points in percent', """
        indicator a "a" points 100% {
          measure count(tickets)
          bands { else : 0 }
        }
        """,
         'error', 9, 26, 'points are a plain number, not a percent'),
    case('empty dimension', """
        indicator a "a" weight 100% {
          measure count(tickets)
          bands { else : 0 }
        }
        dimension d "d" { }
        """,
         'warning', 13, 3, 'dimension d has no indicators'),
    case('variant weights', """
        indicator a "a" weight 50% {
          measure count(tickets)
          bands { else : 0 }
        }
        indicator b "b" weight 50% {
          measure count(tickets)
          bands { else : 0 }
        }
        variant promo "大促" { weight a 60% }
        """,
         'error', 17, 3, 'with variant promo, the weights of the top-level items add up to 110%, not 100%'),
    case('variant changes points into a weight', """
        indicator a "a" points 100 {
          measure count(tickets)
          bands { else : 0 }
        }
        variant promo "大促" { weight a 60% }
        """,
         'error', 13, 31, 'a has 100 points; a variant changes a share of the same kind'),
]

BANDS = [
    case('row shadowed by the row above', """
        indicator a "a" weight 100% {
          measure share(tickets where solved)
          bands {
            >= 90% : 100
            >= 95% : 80
            else : 0
          }
        }
        """,
         'error', 13, 7, 'this row can never match: every value >= 95% already matched the row on line 12 (>= 90%)'),
    case('row shadowed by two rows', """
        indicator a "a" weight 100% {
          measure share(tickets where solved)
          bands {
            in [0%, 50%) : 1
            >= 50% : 2
            >= 20% : 3
          }
        }
        """,
         'error', 14, 7, 'every value >= 20% already matched the rows on lines 12 (in [0%, 50%)) and 13 (>= 50%)'),
    case('whole numbers shadow', """
        indicator a "a" weight 100% {
          measure count(tickets)
          bands {
            >= 3 : 100
            > 2 : 80
            else : 0
          }
        }
        """,
         'error', 13, 7, 'every value > 2 already matched the row on line 12 (>= 3)'),
    case('row after else', """
        indicator a "a" weight 100% {
          measure count(tickets)
          bands {
            >= 3 : 100
            else : 0
            >= 1 : 50
          }
        }
        """,
         'error', 14, 7, '`else` on line 13 already matched every value'),
    case('row beyond 100%', """
        indicator a "a" weight 100% {
          measure share(tickets where solved)
          bands { >= 90% : 100, > 100% : 120, else : 0 }
        }
        """,
         'error', 11, 27, "this row can never match: the measure's values are from 0% to 100%"),
    case('count below zero', """
        indicator a "a" weight 100% {
          measure count(tickets)
          bands { < 0 : 0, else : 100 }
        }
        """,
         'error', 11, 13, "this row can never match: the measure's values are 0 or more"),
    case('gap below the rows', """
        indicator a "a" weight 100% {
          measure share(tickets where solved)
          bands { >= 95% : 100, >= 90% : 80, >= 85% : 60 }
        }
        """,
         'error', 11, 5, 'a value of 84% matches no row'),
    case('gap between the rows', """
        indicator a "a" weight 100% {
          measure share(tickets where solved)
          bands { >= 90% : 100, in [0%, 80%) : 0 }
        }
        """,
         'error', 11, 5, 'a value of 89% matches no row'),
    case('gap above durations', """
        indicator a "a" weight 100% {
          measure avg(tickets.first_response)
          bands { <= 24h : 100, <= 48h : 80 }
          better lower
        }
        """,
         'error', 11, 5, 'a value of 49h matches no row'),
    case('empty interval', """
        indicator a "a" weight 100% {
          measure share(tickets where solved)
          bands { in [90%, 80%) : 1, else : 0 }
        }
        """,
         'error', 11, 16, 'this interval is empty'),
    case('second missing row', """
        indicator a "a" weight 100% {
          measure count(tickets)
          bands { missing : 0, missing : 5, else : 0 }
        }
        """,
         'error', 11, 26, 'the `missing` row on line 11 already matched a missing value'),
    case('else never matches', """
        indicator a "a" weight 100% {
          measure count(tickets)
          bands { >= 1 : 100, = 0 : 0, else : 0 }
        }
        """,
         'warning', 11, 34, 'this `else` never matches'),
    case('interpolation with no upper end', """
        indicator a "a" weight 100% {
          measure count(tickets)
          bands { >= 10 : 80 ~ 100, else : 0 }
        }
        """,
         'error', 11, 26, '`~` has nothing to reach: this is the first row and values >= 10 have no upper end'),
    case('interpolation with no lower end', """
        indicator a "a" weight 100% {
          measure avg(tickets.csat)
          bands { <= 2 : 8 ~ 10, else : 0 }
          better lower
        }
        """,
         'error', 11, 24, 'values <= 2 have no lower end'),
    case('interpolation on a single value', """
        indicator a "a" weight 100% {
          measure count(tickets)
          bands { = 0 : 8 ~ 10, else : 0 }
        }
        """,
         'error', 11, 23, '`~` interpolates across a range of values; this row has a single value'),
    case('interpolation toward a lower bound', """
        indicator a "a" weight 100% {
          measure share(tickets where solved)
          bands { >= 80% : 100, >= 90% : 8 ~ 12, else : 0 }
        }
        """,
         'error', 11, 40, 'the row above has no bound above 90%'),
    case('scores fall as the value rises', """
        indicator a "a" weight 100% {
          measure share(tickets where solved)
          bands {
            >= 90% : 60
            >= 80% : 100
            else : 0
          }
          better higher
        }
        """,
         'warning', 13, 16, 'this row scores 100 for values below those scored 60 by the row on line 12 (>= 90%), but higher values are better (`better higher`)'),
    case('scores rise with better lower', """
        indicator a "a" weight 100% {
          measure avg(tickets.first_response)
          bands {
            <= 1h : 60
            <= 2h : 100
            else : 0
          }
          better lower
        }
        """,
         'warning', 13, 15, 'this row scores 100 for values above those scored 60 by the row on line 12 (<= 1h), but lower values are better (`better lower`)'),
    case('interpolated scores fall', """
        indicator a "a" weight 100% {
          measure share(tickets where solved)
          bands { >= 90% : 100, >= 80% : 12 ~ 8, else : 0 }
        }
        """,
         'warning', 11, 41, "this row's score goes from 12 to 8 as the value rises, but higher values are better"),
    case('score above the max', """
        indicator a "a" weight 100% {
          measure share(tickets where solved)
          bands { >= 90% : 120, else : 0 }
        }
        """,
         'warning', 11, 22, "this score of 120 is above a's max of 100"),
    case('outcome row shadowed', """
        indicator a "a" weight 100% {
          measure count(tickets)
          bands { else : 0 }
        }
        outcome g "g" by total { >= 60 : "A", >= 90 : "B", else : "C" }
        """,
         'error', 13, 41, 'every value >= 90 already matched the row on line 13 (>= 60)'),
    case('outcome gap', """
        indicator a "a" weight 100% {
          measure count(tickets)
          bands { else : 0 }
        }
        outcome g "g" by total { >= 90 : "A", in [0, 80) : "C" }
        """,
         'error', 13, 3, 'a total of 89.99 matches no row'),
    case('outcome by an unknown label', """
        indicator a "a" weight 100% {
          measure count(tickets)
          bands { else : 0 }
        }
        distribute star "星" within team by total { top 20% : "五星" }
        outcome c "系数" by star { "五星客服" : 1.2, else : 1 }
        """,
         'error', 14, 28, 'star never gives "五星客服"'),
    case('map label twice', """
        indicator a "a" weight 100% {
          measure last(tickets.channel)
          map { "A" : 1, "A" : 2, else : 0 }
        }
        """,
         'error', 11, 20, 'this row can never match: "A" already matched on line 11'),
    case('payout rank twice', """
        indicator a "a" weight 100% {
          measure count(tickets)
          bands { else : 0 }
        }
        payout p "奖" within team by total { rank 1 : 200元, rank 1 : 100元 }
        """,
         'error', 13, 54, 'rank 1 already matched on line 13'),
    case('distribute narrower top after wider', """
        indicator a "a" weight 100% {
          measure count(tickets)
          bands { else : 0 }
        }
        distribute star "星" within team by total { top 20% : "A", top 10% : "B" }
        """,
         'error', 13, 61, 'everyone in the top 10% is already in the top 20% on line 13'),
]

ADVICE = [
    case('blank param', 'param step = ?',
         'warning', 9, 16, 'step is a blank (?): scoring will refuse it unless given with --set step=VALUE'),
    case('blank outside a param', """
        indicator a "a" weight 100% {
          measure share(tickets where solved)
          bands { >= 90% : ?, else : 0 }
        }
        """,
         'warning', 11, 22, 'only params can be given with --set NAME=VALUE'),
    case('blank during value', 'param p = 1, ? during promo',
         'warning', 9, 16, '--set p=VALUE sets only the base value'),
    case('is missing on a field that cannot be', """
        indicator a "a" weight 100% {
          measure count(tickets where channel is missing)
          bands { else : 0 }
        }
        """,
         'warning', 10, 33, 'channel is declared without `?`, so it is never missing'),
    case('linear without max', """
        indicator a "a" weight 100% {
          measure count(tickets)
          linear 0 at 0, +1 per 1
        }
        """,
         'warning', 11, 5, "this linear rule has no max, so its score keeps rising past a's max of 100"),
    case('linear reaching above the max', """
        indicator a "a" weight 100% {
          measure share(tickets where solved)
          linear 50 at 50%, +2 per 1%
        }
        """,
         'warning', 11, 5, "this linear rule reaches 150, above a's max of 100"),
    case('rank above the max', """
        indicator a "a" points 100 {
          measure count(tickets)
          rank within team from 0 to 120
        }
        """,
         'warning', 11, 32, "this score of 120 is above a's max of 100"),
]



@pytest.mark.parametrize("body, head, severity, line, column, phrase", DECLARATIONS)
def test_declarations(body, head, severity, line, column, phrase):
    assert_reported(policy(body, head), severity, line, column, phrase)


@pytest.mark.parametrize("body, head, severity, line, column, phrase", NAMES)
def test_names(body, head, severity, line, column, phrase):
    assert_reported(policy(body, head), severity, line, column, phrase)


@pytest.mark.parametrize("body, head, severity, line, column, phrase", RULES_CASES)
def test_rules(body, head, severity, line, column, phrase):
    assert_reported(policy(body, head), severity, line, column, phrase)


@pytest.mark.parametrize("body, head, severity, line, column, phrase", TYPES)
def test_types(body, head, severity, line, column, phrase):
    assert_reported(policy(body, head), severity, line, column, phrase)


@pytest.mark.parametrize("body, head, severity, line, column, phrase", TREE)
def test_tree(body, head, severity, line, column, phrase):
    assert_reported(policy(body, head), severity, line, column, phrase)


@pytest.mark.parametrize("body, head, severity, line, column, phrase", BANDS)
def test_bands(body, head, severity, line, column, phrase):
    assert_reported(policy(body, head), severity, line, column, phrase)


@pytest.mark.parametrize("body, head, severity, line, column, phrase", ADVICE)
def test_advice(body, head, severity, line, column, phrase):
    assert_reported(policy(body, head), severity, line, column, phrase)


# ---- policies that must check clean ----------------------------------------------------------

CLEAN = [
    pytest.param("""
        indicator a "a" weight 100% {
          measure d1 = count(tickets)
          formula d1 * 2
        }
        """, id="formula over named measures needs no measure"),
    pytest.param("""
        indicator a "a" weight 100% {
          measure count(tickets)
          bands { >= 3 : 100, >= 2 : 80, >= 1 : 60, = 0 : 0 }
        }
        """, id="whole counts leave no gap"),
    pytest.param("""
        indicator a "a" weight 100% {
          measure share(tickets where solved)
          bands { >= 50% : 100, < 50% : 0 }
        }
        """, id="a missing measure is not a gap"),
    pytest.param("""
        indicator a "a" weight 100% {
          measure share(tickets where first_response <= limit)
          bands { >= 80% : 80 ~ 100, >= 60% : 60 ~ 80, else : 0 }
        }
        """, id="interpolation up to 100% and to the row above"),
    pytest.param("""
        indicator a "a" weight 100% {
          better lower
          measure share(tickets where not solved)
          bands { = 0% : 10, <= 2% : 8 ~ 10, <= 5% : 5 ~ 7, <= 100% : 0 ~ 1 }
        }
        """, id="interpolation down to 0% and to an = row"),
    pytest.param("""
        indicator a "a" weight 100% {
          measure count(tickets where solved and channel = "电话") / count(tickets where channel = "电话")
          linear 0 at 0%, +1 per 1%
        }
        """, id="a ratio of counts of the same records stays within 100%"),
    pytest.param("""
        dimension d "heading" {
          indicator a "a" weight 60% {
            measure count(tickets)
            bands { when first_month : 50, >= 1 : 100, else : 0 }
          }
        }
        dimension e "heading" {
          indicator b "b" weight 40% {
            measure count(tickets)
            rank within team from 0 to 100 { when first_month : 50 }
          }
        }
        """, id="heading dimensions pass their children up"),
    pytest.param("""
        dimension d "d" points 30 {
          indicator a "a" points 10 {
            measure count(tickets)
            bands { >= 1 : 10, else : 0 }
          }
          indicator b "b" points 20 {
            measure count(tickets)
            bands { >= 1 : 20, else : 0 }
          }
        }
        indicator c "c" points 70 {
          measure count(tickets)
          bands { >= 1 : 70, else : 0 }
        }
        """, id="points add up at every level"),
]


@pytest.mark.parametrize("body", CLEAN)
def test_clean_policies_have_no_diagnostics(body):
    assert check(policy(body)) == [], shown(check(policy(body)))


def test_fixture_using_most_of_the_language_is_clean():
    text = (FIXTURES / "clean.kpi").read_text(encoding="utf-8")
    diagnostics = check(text)
    assert diagnostics == [], shown(diagnostics)


SEEDS = [SHARED / "seed000_service_framework" / "policy.kpi", SHARED / "seed004_field_reps" / "policy.kpi"]
EXAMPLES = sorted((ROOT / "examples").glob("*.kpi"))


@pytest.mark.parametrize("path", SEEDS + EXAMPLES, ids=lambda p: p.name if p.parent.name == "examples" else p.parent.name)
def test_seed_and_example_policies_have_no_errors(path):
    if not path.exists():
        pytest.skip(f"{path.name} is not there")
    diagnostics = check_source(Source(path.name, path.read_text(encoding="utf-8"))).diagnostics
    assert not [d for d in diagnostics if d.is_error], shown(diagnostics)


# ---- the conformance case, notes, order ------------------------------------------------------

BROKEN = '''\
policy broken "有错误的制度" {
  period month
  subject staff
  dataset staff "员工" by employee_id { name: text }
  dataset tickets "工单" by agent_id at opened_at { first_response: duration }

  indicator on_time "响应及时率" weight 60% {
    measure share(tickets where first_response <= 30min)
    bands {
      >= 90% : 100
      >= 95% : 120
      else : 0
    }
  }
  indicator speed "响应速度" weight 30% {
    measure avg(tickets.first_response)
    bands { <= 50% : 100, else : 0 }
  }
}
'''


def test_conformance_check_diagnostics_case():
    diagnostics = check(BROKEN)
    errors = [(d.span.line, d.span.column, d.message) for d in diagnostics if d.is_error]
    assert errors == [
        (1, 1, "the weights of the top-level items add up to 90%, not 100%"),
        (11, 7, "this row can never match: every value >= 95% already matched the row on line 10 (>= 90%)"),
        (17, 16, "this bound is a percent, but the measure avg(tickets.first_response) is a duration"),
    ]
    warnings = [(d.span.line, d.span.column) for d in diagnostics if d.severity == "warning"]
    assert warnings == [(11, 16)]  # 120 above the max of 100


def test_weight_error_is_followed_by_a_note_on_each_sibling():
    diagnostics = check(BROKEN)
    head = next(i for i, d in enumerate(diagnostics) if "add up to 90%" in d.message)
    notes = diagnostics[head + 1:head + 3]
    assert [(n.severity, n.span.line, n.span.column, n.message) for n in notes] == [
        ("note", 7, 29, "on_time has weight 60%"),
        ("note", 15, 26, "speed has weight 30%"),
    ]


def test_diagnostics_are_sorted_by_position():
    diagnostics = [d for d in check(BROKEN) if d.severity != "note"]
    positions = [(d.span.line, d.span.column) for d in diagnostics]
    assert positions == sorted(positions)


def test_diagnostics_print_path_line_column_and_caret():
    d = next(d for d in check(BROKEN) if "bound is a percent" in d.message)
    lines = d.format().splitlines()
    assert lines[0] == ("policy.kpi:17:16: error: this bound is a percent, but the measure "
                        "avg(tickets.first_response) is a duration")
    assert lines[2].endswith("^^^")


HINTS = [
    ("period monthly", "unknown period kind", "did you mean month?"),
    ("measure share(tickets where first_response <= limt)", "unknown name limt", "did you mean limit?"),
    ("measure avg(tickets.csatt)", "no field csatt", "did you mean csat?"),
    ("measure count(tikets)", "unknown dataset", "did you mean tickets?"),
    ("measure avgg(tickets.csat)", "unknown function", "did you mean avg?"),
    ("bands { >= 95 : 100, else : 0 }", "9500%", "did you mean 95%?"),
    ("measure csat", "unknown name csat", "csat is a field of tickets: use it in an aggregate"),
]


@pytest.mark.parametrize("line, phrase, hint", HINTS, ids=[h[1] for h in HINTS])
def test_hints_suggest_the_fix(line, phrase, hint):
    body = """
        indicator a "a" weight 100% {
          measure share(tickets where solved)
          bands { >= 95% : 100, else : 0 }
        }
        """
    if line.startswith("period"):
        text = policy(body, {"period month": line})
    elif line.startswith("measure"):
        text = policy(body.replace("measure share(tickets where solved)", line))
    else:
        text = policy(body.replace("bands { >= 95% : 100, else : 0 }", line))
    found = [d for d in check(text) if phrase in d.message]
    assert len(found) == 1 and hint in (found[0].hint or ""), shown(check(text))


def test_every_problem_is_reported_not_just_the_first():
    text = policy("""
        missing skip
        indicator a "a" weight 100% {
          measure count(tikets)
          better upward
          bands { >= 1 : 100, else : 0 }
        }
        """)
    messages = [d.message for d in check(text) if d.is_error]
    assert len(messages) == 3, messages


# ---- the API ---------------------------------------------------------------------------------

def test_syntax_error_gives_no_file_and_the_syntax_diagnostic():
    result = check_source(Source("policy.kpi", 'policy p "x" {\n  period month\n  bands { >= 1 100 }\n}\n'))
    assert isinstance(result, CheckResult) and result.file is None and not result.ok
    assert [(d.span.line, d.severity) for d in result.diagnostics] == [(3, "error")]


def test_check_source_checks_every_policy_of_a_file():
    text = policy("") + policy("").replace("policy t", "policy u").replace("period month", "period monthly")
    result = check_source(Source("policy.kpi", text))
    assert result.file is not None and len(result.file.policies) == 2
    assert [(d.span.line, d.message) for d in result.diagnostics] == [(12, "unknown period kind monthly")]


def test_a_policy_id_declared_twice_in_a_file():
    assert_reported(policy("") + policy(""), "error", 11, 8, "policy t is already declared on line 1")


def test_rules_are_plain_functions_in_one_tuple():
    assert isinstance(RULES, tuple) and all(callable(rule) for rule in RULES)
    names = [rule.__module__.rsplit(".", 1)[-1] for rule in RULES]
    assert names == ["declarations", "names", "rules", "types", "tree", "bands", "advice"]


def test_check_policy_takes_a_subset_of_rules():
    file = parse(BROKEN, "policy.kpi")
    found = check_policy(file.policies[0], Source("policy.kpi", BROKEN), rules=RULES[:1])
    assert found == []


PRESET = '''\
policy small "小型" {
  period month
  subject staff
  dataset staff "员工" by employee_id { name: text, team: text }
  dataset tickets "工单" by agent_id at opened_at { first_response: duration, solved: bool }
  indicator on_time "及时" weight 50% {
    measure share(tickets where first_response <= 30s)
    bands { >= 90% : 100, else : 0 }
  }
  indicator fcr "解决" weight 50% {
    measure share(tickets where solved)
    bands { >= 80% : 100, else : 0 }
  }
}
'''


def presets():
    return {"shop.small": parse(PRESET, "preset.kpi").policies[0]}


def test_extends_a_preset_nobody_provides():
    text = 'policy mine "我的" extends shop.large {\n  drop on_time\n}\n'
    d = assert_reported(text, "error", 1, 26, "no plugin provides the preset shop.large", presets())
    assert d.hint == "did you mean shop.small?"
    assert len(check(text, presets())) == 1  # and no cascade of unknown names


def test_extends_a_known_preset_merges_it():
    text = ('policy mine "我的" extends shop.small {\n'
            '  drop fcr\n'
            '  indicator on_time "及时" weight 100% {\n'
            '    measure share(tickets where first_response <= 60s)\n'
            '    bands { >= 95% : 100, else : 0 }\n'
            '  }\n'
            '}\n')
    assert check(text, presets()) == []


def test_drop_of_an_item_the_preset_does_not_have():
    text = 'policy mine "我的" extends shop.small {\n  drop on_tme\n}\n'
    d = assert_reported(text, "error", 2, 8, "the preset shop.small has no item on_tme", presets())
    assert d.hint == "did you mean on_time?"


def test_problems_inside_a_preset_point_at_extends():
    text = 'policy mine "我的" extends shop.small {\n  drop fcr\n}\n'
    # dropping fcr leaves the preset's on_time alone at 50%
    assert_reported(text, "error", 1, 1, "the weights of the top-level items add up to 50%", presets())
    d = next(d for d in check(text, presets()) if d.severity == "note")
    assert (d.span.line, d.span.column) == (1, 26)


def test_merge_preset_replaces_items_by_id_and_keeps_the_rest():
    preset = presets()["shop.small"]
    mine = parse('policy mine "我" extends shop.small {\n  period quarter\n  drop fcr\n}\n').policies[0]
    merged = merge_preset(preset, mine)
    assert [i.id.name for i in merged.tree] == ["on_time"]
    assert merged.setting(ast.PeriodSetting).kind.name == "quarter"
    assert len(merged.of(ast.PeriodSetting)) == 1


# ---- the scope and types -----------------------------------------------------------------------

SCOPED = policy("""
    dimension d "d" weight 100% {
      indicator a "a" weight 100% {
        measure share(tickets where solved)
        measure slow = avg(tickets.first_response)
        bands { >= 90% : 100, else : 0 }
      }
    }
    outcome grade "等级" by total { >= 90 : "优秀", else : "差" }
    """)


@pytest.fixture
def scope():
    return Scope(parse(SCOPED).policies[0], SCOPED)


def test_scope_indexes_the_declarations(scope):
    assert scope.dataset("tickets").at.name == "opened_at"
    assert scope.field_type("tickets", "first_response") == "duration"
    assert scope.field("tickets", "csat").nullable and not scope.field("tickets", "channel").nullable
    assert scope.subject == "staff" and list(scope.roster_fields) == ["name", "team", "first_month"]
    assert scope.param("limit").values[1].during.name == "promo" and scope.varies("limit")
    assert scope.param_type("bonus") == "money"
    assert list(scope.tags) == ["promo"]
    indicator = scope.indicator("a")
    assert scope.measure_type(indicator) == "percent"
    assert scope.measure_type(indicator, "slow") == "duration"
    assert scope.item_by_path("d.a") is indicator and scope.item_by_path("a") is indicator
    assert scope.item_by_path("a.d") is None and scope.item_path(indicator) == "d.a"
    assert scope.outcome_type("grade") == "text"


def test_scope_resolves_names_by_place(scope):
    indicator = scope.indicator("a")
    assert scope.resolve(("channel",), records="tickets").kind == "field"
    assert scope.resolve(("team",), records="tickets").kind == "roster"
    assert scope.resolve(("limit",), records="tickets").kind == "param"
    assert scope.resolve(("slow",), indicator=indicator).kind == "measure"
    assert scope.resolve(("value",), indicator=indicator).type == "percent"
    assert scope.resolve(("channel",)) is None
    assert scope.resolve(("total",), allow=frozenset({"params"})) is None


TYPE_CASES = [
    ("share(tickets where solved)", "percent"),
    ("count(tickets)", "number"),
    ("avg(tickets.first_response)", "duration"),
    ("avg(tickets.first_response) / avg(tickets.first_response)", "number"),
    ("avg(tickets.first_response) / 2", "duration"),
    ("avg(tickets.first_response) * 50%", "duration"),
    ("share(tickets where solved) - share(tickets where not solved)", "percent"),
    ("sum(tickets.solved)", "number"),
    ("avg(tickets.solved)", "percent"),
    ("median(tickets.csat)", "number"),
    ("percentile(tickets.first_response, 90%)", "duration"),
    ("last(tickets.channel)", "text"),
    ("max(tickets.first_response)", "duration"),
    ("min(count(tickets), 5)", "number"),
    ("round(avg(tickets.csat), 1)", "number"),
    ("bonus * 2", "money"),
    ("last(tickets.solved)", "bool"),
    ("step", None),
]


@pytest.mark.parametrize("expr, expected", TYPE_CASES, ids=[c[0] for c in TYPE_CASES])
def test_infer_type(expr, expected):
    text = policy(f"param step = ?\nindicator a \"a\" weight 100% {{\n  measure {expr}\n  formula 1\n}}")
    scope = Scope(parse(text).policies[0], text)
    assert infer_type(scope.indicator("a").value_measure.expr, scope) == expected


def test_infer_type_inside_a_where():
    text = policy('indicator a "a" weight 100% {\n  measure count(tickets where csat > 3)\n  formula 1\n}')
    scope = Scope(parse(text).policies[0], text)
    where = scope.indicator("a").value_measure.expr.args[0].where
    assert infer_type(where.left, scope, records="tickets") == "number"
    assert infer_type(where.left, scope) is None


# ---- exact decimal sets ------------------------------------------------------------------------

def test_values_are_exact_decimals():
    rows = Values.compare(">=", Decimal("0.57"))
    assert Values.between(Decimal(57) / 100, Decimal(57) / 100).issubset(rows)
    gap = Values.between(Decimal(0), Decimal(1)).minus(rows.union(Values.compare("<", Decimal("0.5"))))
    assert gap.parts[0][:2] == (Decimal("0.5"), Decimal("0.57"))
    assert example(gap, Decimal("0.01")) == Decimal("0.56")


def test_values_on_a_lattice_close_the_gaps_between_whole_numbers():
    whole = Decimal(1)
    counts = Values.between(Decimal(0), step=whole)
    rows = Values.compare(">=", Decimal(3), whole).union(Values.compare("=", Decimal(2), whole))
    assert counts.minus(rows).parts == Values.between(Decimal(0), Decimal(1), step=whole).parts
    assert Values.compare(">", Decimal(2), whole).issubset(Values.compare(">=", Decimal(3), whole))


# ---- speed ---------------------------------------------------------------------------------------

def generated(indicators: int) -> str:
    """A policy of `indicators` indicators in dimensions of ten, each with a four-row bands."""
    lines = ['policy big "大" {', "  period month", "  subject staff",
             '  dataset staff "员工" by employee_id { name: text, team: text }',
             '  dataset tickets "工单" by agent_id at opened_at { first_response: duration, csat: number? }']
    dimensions = indicators // 10
    for d in range(dimensions):
        lines.append(f'  dimension d{d} "维度{d}" weight {Decimal(100) / dimensions}% {{')
        for i in range(10):
            lines += [f'    indicator i{d}_{i} "指标" weight 10% {{', "      better higher",
                      f"      measure share(tickets where first_response <= {i + 1}min)",
                      "      bands { >= 95% : 100, >= 90% : 80, >= 85% : 60, else : 0 }", "    }"]
        lines.append("  }")
    return "\n".join(lines + ["}", ""])




def test_a_thousand_indicators_check_clean():
    # How fast is measured by `python -m benchmarks.score_speed --startup-only`, not asserted here.
    result = check_source(Source("big.kpi", generated(1000)))
    assert result.diagnostics == []
    assert len(result.file.policies[0].tree) == 100
