"""`kpi fmt`: golden examples (input → expected output) for every construct and every place a
comment can stand, idempotence and unchanged meaning on every policy in the repository, and the
command line (`--check`, `--stdout`, in-place rewrite)."""
from __future__ import annotations

import os
import textwrap
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner

from kpi_engine import ast
from kpi_engine.cli import cli
from kpi_engine.errors import PolicySyntaxError
from kpi_engine.fmt import WIDTH, format_file, format_text
from kpi_engine.parse import parse

ROOT = Path(__file__).resolve().parent.parent


def src(text: str) -> str:
    return textwrap.dedent(text).lstrip("\n")


def policy(body: str) -> str:
    """`body` (dedented) indented into `policy p { ... }`."""
    return "policy p {\n" + textwrap.indent(src(body), "  ") + "}\n"


# (name, input, expected output); each expected output is also checked to be a fixed point.
GOLDEN = [
    # ---- settings, params, calendar, datasets --------------------------------------------------
    ("settings", """
        policy cs "客服"   for role "工程师"{ period   month;subject staff ; scale 100
        round 2, missing exclude
        total min -5 max 120 }
     """, """
        policy cs "客服" for role "工程师" {
          period month
          subject staff
          scale 100
          round 2
          missing exclude
          total min -5 max 120
        }
     """),
    ("extends and drop", """
        policy my_shop "我的店" extends ecommerce_cs . small {
          drop on_time
          drop process.standard
        }
     """, """
        policy my_shop "我的店" extends ecommerce_cs.small {
          drop on_time
          drop process.standard
        }
     """),
    ("params with during, continuation lines", """
        policy p {
          param limit "首次响应时限" = 30s,60s during promo
          param step_penalty "每降低1个百分点扣分" = ?
          param two = 1,
                      -2 during promo,
                      +3 during sale
        }
     """, """
        policy p {
          param limit "首次响应时限" = 30s, 60s during promo
          param step_penalty "每降低1个百分点扣分" = ?
          param two = 1, -2 during promo, +3 during sale
        }
     """),
    ("calendar on one line stays, one-day range prints one date", """
        policy p {
          calendar { promo "大促" 2026-11-01 .. 2026-11-12 ,2026-06-01 .. 2026-06-18; 元旦 2026-01-01 .. 2026-01-01 }
        }
     """, """
        policy p {
          calendar { promo "大促" 2026-11-01 .. 2026-11-12, 2026-06-01 .. 2026-06-18, 元旦 2026-01-01 }
        }
     """),
    ("calendar written on several lines", """
        policy p {
          calendar {
            promo "大促" 2026-11-01 .. 2026-11-12,
                        2026-06-01 .. 2026-06-18
          }
        }
     """, """
        policy p {
          calendar {
            promo "大促" 2026-11-01 .. 2026-11-12, 2026-06-01 .. 2026-06-18
          }
        }
     """),
    ("calendar: a tag named max cannot follow a comma", """
        policy p {
          calendar { a 2026-01-01; max 2026-02-01 }
        }
     """, """
        policy p {
          calendar {
            a 2026-01-01
            max 2026-02-01
          }
        }
     """),
    ("datasets", """
        policy p {
          dataset staff "员工" by employee_id { name : text; team: text }
          dataset tickets "工单" by agent_id at opened_at {
            first_response:duration
            csat: number ?
          }
        }
     """, """
        policy p {
          dataset staff "员工" by employee_id { name: text, team: text }
          dataset tickets "工单" by agent_id at opened_at {
            first_response: duration
            csat: number?
          }
        }
     """),
    # ---- the tree --------------------------------------------------------------------------------
    ("nested dimensions, weight and points", """
        policy p {
          dimension process "服务过程" weight 40%{
            dimension inner points 30 { indicator a "甲" points 10 { measure count(t) ; rank within team from 0 to 10 } }
            indicator 响应及时率 weight 50% {
              measure share(tickets where first_response <= limit)
            }
          }
        }
     """, """
        policy p {
          dimension process "服务过程" weight 40% {
            dimension inner points 30 {
              indicator a "甲" points 10 {
                measure count(t)
                rank within team from 0 to 10
              }
            }
            indicator 响应及时率 weight 50% {
              measure share(tickets where first_response <= limit)
            }
          }
        }
     """),
    ("indicator items", """
        policy p {
          indicator on_time "响应及时率" weight 50% {
            define "客户咨询后在时限内首次响应的工单占比"; source "工单系统"
            better   higher
            measure share(tickets where first_response ≤ limit)
            veto "回收率" if share(surveys where returned) < 60%
          }
        }
     """, """
        policy p {
          indicator on_time "响应及时率" weight 50% {
            define "客户咨询后在时限内首次响应的工单占比"
            source "工单系统"
            better higher
            measure share(tickets where first_response <= limit)
            veto "回收率" if share(surveys where returned) < 60%
          }
        }
     """),
    ("bands: every row kind, one row per line when written so", """
        policy p {
          indicator a {
            bands {
              missing:50
              when first_month:20
              ≥ 95% : 100
              >= 80%:8~12
              in [60%,70%) : 5; in (1, 2] : 4
              = 0 : 0
              ≠ 3 : 1
              else   : 0
            }
          }
        }
     """, """
        policy p {
          indicator a {
            bands {
              missing : 50
              when first_month : 20
              >= 95% : 100
              >= 80% : 8 ~ 12
              in [60%, 70%) : 5
              in (1, 2] : 4
              = 0 : 0
              != 3 : 1
              else : 0
            }
          }
        }
     """),
    ("bands on one line stay on one line", """
        policy p {
          indicator a {
            bands { >= 4.5 : 100; >= 4.0 : 80 ,else : 0 }
            map {"很满意":3, "较满意" : 2, else : 0}
          }
        }
     """, """
        policy p {
          indicator a {
            bands { >= 4.5 : 100, >= 4.0 : 80, else : 0 }
            map { "很满意" : 3, "较满意" : 2, else : 0 }
          }
        }
     """),
    ("a one-line block too wide for 100 columns goes one row per line", """
        policy p {
          outcome bonus_rate "绩效奖金发放比例" by total { >= 90 : 120%, >= 80 : 100%, >= 70 : 80%, else : 0% }
          outcome rate "系数" by total { >= 90 : 120%, >= 80 : 100%, >= 70 : 80%, else : 0% }
        }
     """, """
        policy p {
          outcome bonus_rate "绩效奖金发放比例" by total {
            >= 90 : 120%
            >= 80 : 100%
            >= 70 : 80%
            else : 0%
          }
          outcome rate "系数" by total { >= 90 : 120%, >= 80 : 100%, >= 70 : 80%, else : 0% }
        }
     """),
    ("empty blocks", """
        policy p {
          indicator a {
            bands {
            }
            map { }
          }
        }
     """, """
        policy p {
          indicator a {
            bands {}
            map {}
          }
        }
     """),
    ("linear, formula, rank and their exception rows", """
        policy p {
          indicator a {
            linear 0 at 60,+2.5 per 1 ,min 0,max 100
            linear 20 at 100%, +step_penalty per 1%, min 0, max 20 { when first_month : 20 }
            linear 1 at 2,
                   -3 per 4 {
              missing : 0
            }
          }
          indicator b {
            measure day1 = share(orders where done_day = 1)
            measure over7=share(orders where done_day > 7)
            formula day1*20 - over7*15 {when first_month:20; missing : 0}
            rank within branch from 0 to 40 {
              when first_month : 20
            }
          }
        }
     """, """
        policy p {
          indicator a {
            linear 0 at 60, +2.5 per 1, min 0, max 100
            linear 20 at 100%, +step_penalty per 1%, min 0, max 20 { when first_month : 20 }
            linear 1 at 2, -3 per 4 {
              missing : 0
            }
          }
          indicator b {
            measure day1 = share(orders where done_day = 1)
            measure over7 = share(orders where done_day > 7)
            formula day1 * 20 - over7 * 15 { when first_month : 20, missing : 0 }
            rank within branch from 0 to 40 {
              when first_month : 20
            }
          }
        }
     """),
    # ---- after the tree ------------------------------------------------------------------------
    ("adjust, veto, outcome, distribute, payout, action", """
        policy p {
          adjust "加减分" {
            -5 each complaints where severity = "一般"
            +5 each praises; -20 if count(violations) > 0
            min -30
            max 10
          }
          veto "媒体曝光投诉" if count(complaints where severity = "媒体曝光") > 0
          outcome grade "等级" by total {
            >= 90 : "优秀"
            else  : "待改进"
          }
          outcome coefficient "绩效系数" by star { "五星客服" : 1.2, else : 1.0 }
          distribute star "强制分布" within team by total {
            top 20%    : "五星客服"
            bottom 10% : "改进计划"
          }
          payout rank_award "排名奖罚" within branch by total {
            rank 1 : 200元
            rank -1 : -100元
          }
          action "服务技能提升培训" if total < 70 for 2 periods
          action "转岗培训" if last within team for 1 period
          action "面谈" if first within team
        }
     """, """
        policy p {
          adjust "加减分" {
            -5 each complaints where severity = "一般"
            +5 each praises
            -20 if count(violations) > 0
            min -30
            max 10
          }

          veto "媒体曝光投诉" if count(complaints where severity = "媒体曝光") > 0

          outcome grade "等级" by total {
            >= 90 : "优秀"
            else : "待改进"
          }
          outcome coefficient "绩效系数" by star { "五星客服" : 1.2, else : 1.0 }

          distribute star "强制分布" within team by total {
            top 20% : "五星客服"
            bottom 10% : "改进计划"
          }

          payout rank_award "排名奖罚" within branch by total {
            rank 1 : 200元
            rank -1 : -100元
          }

          action "服务技能提升培训" if total < 70 for 2 periods
          action "转岗培训" if last within team for 1 period
          action "面谈" if first within team
        }
     """),
    ("adjust on one line: a comma before a signed row still separates", """
        policy p {
          adjust { -5 each a, -10 each b; min -30 }
          adjust { (min(a, b)) each x, +1 if y }
        }
     """, """
        policy p {
          adjust { -5 each a, -10 each b, min -30 }
          adjust { (min(a, b)) each x, +1 if y }
        }
     """),
    ("variant, doc, schedule", """
        policy p {
          variant promo "大促期间" {
            weight process.on_time 60%;  weight process.standard 40%
            points a.b 10
            param limit = 60s
          }
          doc {
            purpose "提升服务质量"
            section "考核主体"   "直接上级负责过程指标评分"
          }
          schedule { "完成问卷发放" by day 5; "一对一绩效面谈" within 3 workdays }
        }
     """, """
        policy p {
          variant promo "大促期间" {
            weight process.on_time 60%
            weight process.standard 40%
            points a.b 10
            param limit = 60s
          }

          doc {
            purpose "提升服务质量"
            section "考核主体" "直接上级负责过程指标评分"
          }

          schedule { "完成问卷发放" by day 5, "一对一绩效面谈" within 3 workdays }
        }
     """),
    # ---- expressions -----------------------------------------------------------------------------
    ("parentheses only where precedence needs them", """
        policy p {
          indicator a {
            measure ((a + b)) * c - (d - e) - (f - g) - h
            measure (a > b)
            measure (a * b) / (c / d) + (-e) - -(+f)
            measure x = (a or b) and (c or d) or (e and f)
            measure y = not (a and b) and (not c) or not not d
            measure z = (a = b) = c
            measure w = (x is missing) is not missing
            measure v = -(a + b) * +(c)
          }
        }
     """, """
        policy p {
          indicator a {
            measure (a + b) * c - (d - e) - (f - g) - h
            measure (a > b)
            measure a * b / (c / d) + -e - - +f
            measure x = (a or b) and (c or d) or e and f
            measure y = not (a and b) and not c or not not d
            measure z = (a = b) = c
            measure w = (x is missing) is not missing
            measure v = -(a + b) * +c
          }
        }
     """),
    ("calls, where, in lists, literals keep their spelling", """
        policy p {
          indicator a {
            measure percentile( tickets.first_response , 90% )
            measure avg(tickets.csat where channel in ("电话","在线") and csat is not missing)
            measure round(min(a,b),2) + 30min + 1800s + 200元 + 12.50% + 007 + 2026-11-01 + true + ?
          }
        }
     """, """
        policy p {
          indicator a {
            measure percentile(tickets.first_response, 90%)
            measure avg(tickets.csat where channel in ("电话", "在线") and csat is not missing)
            measure round(min(a, b), 2) + 30min + 1800s + 200元 + 12.50% + 007 + 2026-11-01 + true + ?
          }
        }
     """),
    ("strings are re-quoted", r"""
        policy p "a\"b\\c\d" {
          indicator a { define "say \"hi\"" }
        }
     """, r"""
        policy p "a\"b\\cd" {
          indicator a {
            define "say \"hi\""
          }
        }
     """),
    ("a multi-line expression goes on one line", """
        policy p {
          indicator a {
            measure count(tickets where
                          first_response <= limit
                          and channel in ("电话",
                                          "在线"))
          }
        }
     """, """
        policy p {
          indicator a {
            measure count(tickets where first_response <= limit and channel in ("电话", "在线"))
          }
        }
     """),
    # ---- blank lines -------------------------------------------------------------------------------
    ("blank lines: one kept where there were any, one between kinds, none at block edges", """
        policy p {

          period month



          subject staff
          param a = 1
          param b = 2

          param c = 3
          indicator x {

            measure count(t)


            bands { else : 0 }

          }
          indicator y { measure count(t) }

        }
        ;
        policy q { period week }
     """, """
        policy p {
          period month

          subject staff

          param a = 1
          param b = 2

          param c = 3

          indicator x {
            measure count(t)

            bands { else : 0 }
          }
          indicator y {
            measure count(t)
          }
        }

        policy q {
          period week
        }
     """),
    # ---- comments ------------------------------------------------------------------------------------
    ("comments in every place", """
        # file header

        # before the policy
        policy p "x" {    # after the policy's {
          period month      # trailing a setting
          # before an item
          indicator a weight 100% {
            bands {  # after bands {
              # before a row
              >= 95% : 100   # trailing a row
              else : 0; # trailing the last row
              # at the end of the bands block
            }   # after bands }
            # at the end of the indicator
          }
          # at the end of the policy
        }  # after the policy's }
        # between policies
        policy q { period week }
        # at the end of the file
     """, """
        # file header

        # before the policy
        policy p "x" {  # after the policy's {
          period month  # trailing a setting

          # before an item
          indicator a weight 100% {
            bands {  # after bands {
              # before a row
              >= 95% : 100  # trailing a row
              else : 0  # trailing the last row
              # at the end of the bands block
            }  # after bands }
            # at the end of the indicator
          }
          # at the end of the policy
        }  # after the policy's }

        # between policies
        policy q {
          period week
        }
        # at the end of the file
     """),
    ("a comment inside a multi-line expression goes before its item", """
        policy p {
          indicator a {
            measure count(tickets where  # only phone
                          channel = "电话")
          }
          scale (1 +  # one
                 2)  # two
        }
     """, """
        policy p {
          indicator a {
            # only phone
            measure count(tickets where channel = "电话")
          }

          # one
          scale 1 + 2  # two
        }
     """),
    ("a row on the header's line, a comment after it", """
        policy p {
          indicator a {
            bands { >= 95% : 100  # top
              else : 0 }  # rest
          }
        }
     """, """
        policy p {
          indicator a {
            bands {
              >= 95% : 100  # top
              else : 0
            }  # rest
          }
        }
     """),
    ("an empty block keeps its comment", """
        policy p {
          indicator a {
            bands {
              # to be decided
            }
          }
        }
     """, """
        policy p {
          indicator a {
            bands {
              # to be decided
            }
          }
        }
     """),
    ("comments only, and a last comment without a newline", "#a\n\n\n#b", "#a\n\n#b\n"),
    ("nothing", "\n\n", ""),
    ("windows line ends", "policy p {\r\n  period month  # m\r\n}\r\n",
     "policy p {\n  period month  # m\n}\n"),
]


@pytest.mark.parametrize("source, expected", [pytest.param(a, b, id=name) for name, a, b in GOLDEN])
def test_golden(source, expected):
    source, expected = src(source), src(expected)
    assert format_text(source) == expected
    assert format_text(expected) == expected  # a fixed point


def test_width_counts_wide_characters_twice():
    row = "优" * 40
    line = f'outcome a by total {{ else : "{row}" }}'
    text = policy(line + "\n")
    assert 2 + len(line) <= WIDTH < 2 + len(line) + 40
    assert '{\n    else : "' in format_text(text)


def test_format_file_without_source_positions():
    """A tree built in code (no spans, no literal spellings) prints too."""
    tree = ast.PolicyFile((ast.Policy(ast.Ident("p"), "制度", None, None, (
        ast.ScaleSetting(ast.Literal("number", Decimal("100"))),
        ast.Param(ast.Ident("limit"), None, (
            ast.ParamValue(ast.Literal("duration", Decimal("1800"))),
            ast.ParamValue(ast.Literal("duration", Decimal("90")), ast.Ident("promo")))),
        ast.Outcome(ast.Ident("g"), None, ast.Ident("total"), (
            ast.Row(ast.TestCompare(">=", ast.Literal("number", Decimal("90"))),
                    ast.Literal("text", "优")),
            ast.Row(ast.TestElse(), ast.Literal("percent", Decimal("0.125"))))),
    )),))
    text = format_file(tree)
    assert text == src("""
        policy p "制度" {
          scale 100

          param limit = 30min, 90s during promo

          outcome g by total { >= 90 : "优", else : 12.5% }
        }
    """)
    assert parse(text) == tree


def test_syntax_errors_are_raised():
    with pytest.raises(PolicySyntaxError):
        format_text("policy p { bands }", "bad.kpi")


# ---- every policy in the repository -------------------------------------------------------------

def repository_policies() -> list[Path]:
    found = sorted((ROOT / "examples").glob("*.kpi")) + sorted((ROOT / "tests").rglob("*.kpi"))
    conformance = ROOT.parent / "shared" / "conformance"  # beside the repository, when present
    if conformance.is_dir():
        found += sorted(conformance.glob("*/policy.kpi"))
    return found


@pytest.mark.parametrize("path", [pytest.param(p, id=Path(os.path.relpath(p, ROOT)).as_posix())
                                  for p in repository_policies()])
def test_repository_policy_formats_well(path):
    text = path.read_text(encoding="utf-8")
    try:
        tree = parse(text, str(path))
    except PolicySyntaxError:
        if ROOT / "tests" in path.parents:
            pytest.skip("a fixture with a syntax error on purpose")
        raise
    formatted = format_text(text, str(path))
    again = parse(formatted, str(path))
    assert again == tree
    assert sorted(c.text.rstrip() for c in again.comments) == \
        sorted(c.text.rstrip() for c in tree.comments)
    assert format_text(formatted, str(path)) == formatted


def test_repository_has_policies_to_format():
    if not repository_policies():
        pytest.skip("no .kpi files in examples/, tests/ or ../shared/conformance yet")
    assert all(p.suffix == ".kpi" for p in repository_policies())


# ---- the command line ----------------------------------------------------------------------------

MESSY = "policy p {period month;indicator a {bands {≥ 95% : 100,else:0}}}\n"
TIDY = format_text(MESSY)


@pytest.fixture
def files(tmp_path):
    (tmp_path / "messy.kpi").write_text(MESSY, encoding="utf-8")
    (tmp_path / "tidy.kpi").write_text(TIDY, encoding="utf-8")
    return tmp_path


def test_cli_check_fails_when_a_file_would_change(files):
    result = CliRunner().invoke(cli, ["fmt", "--check", str(files)])
    assert result.exit_code == 1
    assert "would reformat" in result.output and "messy.kpi" in result.output
    assert "tidy.kpi" not in result.output
    assert (files / "messy.kpi").read_text(encoding="utf-8") == MESSY  # nothing written


def test_cli_check_passes_when_nothing_would_change(files):
    result = CliRunner().invoke(cli, ["fmt", "--check", str(files / "tidy.kpi")])
    assert result.exit_code == 0, result.output
    assert result.output == ""


def test_cli_stdout_prints_without_writing(files):
    result = CliRunner().invoke(cli, ["fmt", "--stdout", str(files / "messy.kpi")])
    assert result.exit_code == 0, result.output
    assert result.output == TIDY
    assert (files / "messy.kpi").read_text(encoding="utf-8") == MESSY


def test_cli_rewrites_in_place(files):
    result = CliRunner().invoke(cli, ["fmt", str(files)])
    assert result.exit_code == 0, result.output
    assert "reformatted" in result.output and "messy.kpi" in result.output
    assert (files / "messy.kpi").read_text(encoding="utf-8") == TIDY
    assert (files / "tidy.kpi").read_text(encoding="utf-8") == TIDY
    assert sorted(p.name for p in files.iterdir()) == ["messy.kpi", "tidy.kpi"]  # no temporaries
    again = CliRunner().invoke(cli, ["fmt", "--check", str(files)])
    assert again.exit_code == 0, again.output


def test_cli_leaves_a_broken_file_alone(tmp_path):
    broken = tmp_path / "broken.kpi"
    broken.write_text("policy p { bands }\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["fmt", str(broken)])
    assert result.exit_code == 1
    assert "broken.kpi:1:" in result.output
    assert broken.read_text(encoding="utf-8") == "policy p { bands }\n"
