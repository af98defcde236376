"""The ecommerce_cs plugin as an installed third-party plugin: discovery, library, presets, demo,
export adapters and sample data.

Run with the plugin installed (``pip install -e plugins/ecommerce_cs``). Only this plugin is
loaded (``KPI_ENGINE_LOAD_PLUGINS=ecommerce_cs``), so other installed plugins cannot affect it.
"""
from __future__ import annotations

import csv
import filecmp
import json
import re
import time
from decimal import Decimal
from importlib.metadata import entry_points
from pathlib import Path

import pytest
from click.testing import CliRunner

from kpi_engine import ast
from kpi_engine.check import check_source
from kpi_engine.compile.periods import parse_period
from kpi_engine.errors import Source
from kpi_engine.parse import parse

EXPORTS = Path(__file__).resolve().parent / "exports"
SIZES = ("small", "medium", "large")


@pytest.fixture(autouse=True, scope="module")
def only_this_plugin():
    from kpi_engine import plugins

    saved = plugins.os.environ.get("KPI_ENGINE_LOAD_PLUGINS")
    plugins.os.environ["KPI_ENGINE_LOAD_PLUGINS"] = "ecommerce_cs"
    plugins.registry.cache_clear()
    yield
    if saved is None:
        plugins.os.environ.pop("KPI_ENGINE_LOAD_PLUGINS", None)
    else:
        plugins.os.environ["KPI_ENGINE_LOAD_PLUGINS"] = saved
    plugins.registry.cache_clear()


@pytest.fixture
def library():
    from kpi_engine.plugins import registry

    return registry()


def errors_of(text: str, path: str = "<test>", presets=None) -> list[str]:
    result = check_source(Source(path, text), presets)
    return [d.format() for d in result.diagnostics if d.is_error]


def policy_datasets(text: str) -> dict[str, ast.Dataset]:
    policy = parse(text, "<preset>").policies[0]
    return {d.id.name: d for d in policy.of(ast.Dataset)}


def shape(dataset: ast.Dataset) -> tuple:
    return (dataset.id.name, dataset.person.name, dataset.at.name if dataset.at else None,
            tuple((f.id.name, f.type.name, f.nullable) for f in dataset.fields))


# ---- discovery ------------------------------------------------------------------------------------

def test_plugin_is_discovered_through_its_entry_point(library):
    from kpi_engine.plugins import plugin_manager

    found = {e.name: e.value for e in entry_points(group="kpi_engine")}
    assert found.get("ecommerce_cs") == "kpi_ecommerce_cs"
    import kpi_ecommerce_cs

    assert plugin_manager().get_plugin("ecommerce_cs") is kpi_ecommerce_cs
    industry = library.industry("ecommerce_cs")
    assert industry.label == "电商客服"
    owned = {kind for (kind, _), owner in library.owner.items() if owner == "ecommerce_cs"}
    assert owned == {"industry", "dataset", "indicator", "preset", "adapter", "sample generator"}


def test_kpi_plugins_lists_it():
    from kpi_engine.cli import cli

    result = CliRunner().invoke(cli, ["plugins", "--format", "json"])
    assert result.exit_code == 0, result.output
    rows = {row["name"]: row for row in json.loads(result.output)}
    assert rows["ecommerce_cs"]["module"] == "kpi_ecommerce_cs"
    assert rows["ecommerce_cs"]["contributes"]["indicator"] >= 15


# ---- datasets -------------------------------------------------------------------------------------

def test_every_dataset_declaration_is_valid_kpi(library):
    schemas = {name: s for (industry, name), s in library.datasets.items() if industry == "ecommerce_cs"}
    assert {"staff", "chats", "orders", "tickets", "refunds", "reviews", "dsr", "surveys", "qa",
            "supervisor", "complaints", "transfers", "cs_daily"} <= set(schemas)
    staff = schemas["staff"].declaration
    for name, schema in schemas.items():
        body = schema.declaration if name == "staff" else staff + schema.declaration
        text = f'policy t "t" {{\n  subject staff\n{body}}}\n'
        assert errors_of(text, f"<dataset {name}>") == []
        declared = policy_datasets(text).get(name)
        assert declared is not None and declared.label == schema.description


def test_the_roster_has_the_fields_the_presets_group_and_filter_by(library):
    staff = policy_datasets(f'policy t "t" {{\n{library.datasets[("ecommerce_cs", "staff")].declaration}}}')
    fields = {f.id.name: f.type.name for f in staff["staff"].fields}
    assert fields == {"name": "text", "team": "text", "role": "text", "level": "text",
                      "tenure_months": "number", "first_month": "bool"}


# ---- indicators ---------------------------------------------------------------------------------

def ecommerce_indicators(library):
    return [i for i in library.indicators.values() if i.industry == "ecommerce_cs"]


def test_at_least_15_library_indicators_with_every_field(library):
    indicators = ecommerce_indicators(library)
    assert len(indicators) >= 15
    names = {(industry, name) for (industry, name) in library.datasets}
    for item in indicators:
        assert re.fullmatch(r"ecommerce_cs\.\w+", item.id)
        assert item.label and item.definition and item.measure and item.source and item.seed
        assert item.unit in ("percent", "duration", "money", "number", "text")
        assert item.better in ("higher", "lower")
        assert item.datasets and all(("ecommerce_cs", d) in names for d in item.datasets)
        key = item.id.split(".", 1)[1]
        assert item.rule.lstrip().startswith(f'indicator {key} "{item.label}"')
        # the library's measure is the rule's own
        assert f"measure {item.measure}\n" in item.rule


def test_the_seed_001_indicators_are_there(library):
    labels = {i.label for i in ecommerce_indicators(library)}
    assert {"30秒响应率", "平均响应时长", "咨询转化率", "下单成功率", "客单价", "首次解决率(FCR)", "工单重复率",
            "投诉升级率", "中差评率", "DSR服务态度", "客服满意度", "旺旺回复率", "质检得分", "主管评价",
            "退款处理时效"} <= labels


@pytest.mark.parametrize("key", [
    "response_30s", "avg_response", "reply_rate", "conversion", "pay_rate", "avg_order_value", "fcr",
    "repeat_rate", "escalation_rate", "resolution_24h", "refund_time", "bad_review_rate", "dsr_service",
    "satisfaction", "qa_score", "supervisor_rating", "complaints", "collaboration", "workload",
    "conversion_report", "first_response_report", "sales_report"])
def test_every_indicator_rule_checks_clean_inside_a_minimal_policy(library, key):
    item = library.indicators[f"ecommerce_cs.{key}"]
    rule = re.sub(r'^(\s*indicator \w+ "[^"]*")', r"\1 weight 100%", item.rule, count=1)
    declarations = "".join(library.datasets[("ecommerce_cs", name)].declaration
                           for name in dict.fromkeys(("staff",) + item.datasets))
    text = f'policy t "最小考核" {{\n  period month\n  subject staff\n{declarations}{rule}}}\n'
    result = check_source(Source(f"<{item.id}>", text))
    assert [d.format() for d in result.diagnostics if d.severity in ("error", "warning")] == []


def test_every_registered_indicator_is_in_the_parametrized_list(library):
    listed = test_every_indicator_rule_checks_clean_inside_a_minimal_policy.pytestmark[0].args[1]
    assert sorted(i.id.split(".", 1)[1] for i in ecommerce_indicators(library)) == sorted(listed)


# ---- presets --------------------------------------------------------------------------------------

@pytest.mark.parametrize("size", SIZES)
def test_every_preset_checks_clean(library, size):
    preset = library.presets[f"ecommerce_cs.{size}"]
    assert preset.size == size and preset.industry == "ecommerce_cs"
    assert errors_of(preset.text, f"<preset {preset.name}>") == []
    (policy,) = parse(preset.text, "<preset>").policies
    assert policy.id.name == size
    assert policy.setting(ast.SubjectSetting).dataset.name == "staff"
    # its blanks are the ones sample_params fills
    blanks = {p.id.name for p in policy.of(ast.Param)
              if any(v.value == ast.Literal("blank", None) for v in p.values)}
    assert blanks == set(preset.sample_params)


@pytest.mark.parametrize("size", SIZES)
def test_preset_datasets_are_the_registered_schemas(library, size):
    declared = policy_datasets(library.presets[f"ecommerce_cs.{size}"].text)
    assert "staff" in declared
    for name, dataset in declared.items():
        schema = library.datasets[("ecommerce_cs", name)]
        registered = policy_datasets(f'policy t "t" {{\n{schema.declaration}}}')[name]
        assert shape(dataset) == shape(registered)


def test_presets_grow_with_the_company(library):
    counts = {}
    for size in SIZES:
        policy = parse(library.presets[f"ecommerce_cs.{size}"].text, "<preset>").policies[0]
        counts[size] = sum(1 for _ in _indicators(policy.items))
    assert counts["small"] <= 6 < counts["medium"] < counts["large"]


def _indicators(items):
    for item in items:
        if isinstance(item, ast.Indicator):
            yield item
        elif isinstance(item, ast.Dimension):
            yield from _indicators(item.items)


def test_large_preset_has_the_full_system(library):
    text = library.presets["ecommerce_cs.large"].text
    policy = parse(text, "<preset>").policies[0]
    assert {d.id.name for d in policy.of(ast.Dimension)} >= {"efficiency", "sales", "solving", "evaluation"}
    evaluation = next(d for d in policy.of(ast.Dimension) if d.id.name == "evaluation")
    assert [i.id.name for i in _indicators(evaluation.items)] == ["qa_score", "satisfaction", "supervisor_rating"]
    assert [_weight(text, n) for n in ("qa_score", "satisfaction", "supervisor_rating")] == ["60%", "30%", "10%"]
    assert "param response_limit \"首次响应时限\" = 30s, 60s during promo" in text
    assert policy.of(ast.Calendar) and policy.of(ast.Variant) and policy.of(ast.Distribute)
    assert policy.of(ast.Payout) and policy.of(ast.Veto) and policy.of(ast.Adjust)
    assert 'action "转岗培训" if last within team for 3 periods' in text
    assert 'top 20% : "五星客服"' in text and 'bottom 10% : "改进计划"' in text
    assert 'outcome coefficient "绩效系数" by star' in text


def _weight(text: str, indicator: str) -> str:
    return re.search(rf'indicator {indicator} "[^"]*" weight (\S+)', text)[1]


def test_a_shop_policy_extends_a_preset(library):
    from kpi_engine.plugins import preset_policies

    # the shop keeps the medium preset but judges 售前 on 转化 and 付款 only, with its own weights
    conversion, pay_rate = (re.sub(r'^(\s*indicator \w+ "[^"]*")', rf"\1 weight {w}",
                                   library.indicators[f"ecommerce_cs.{key}"].rule, count=1)
                            for key, w in (("conversion", "60%"), ("pay_rate", "40%")))
    text = ('policy shop "星辰旗舰店客服考核" extends ecommerce_cs.medium {\n'
            '  dimension presales "售前组专项" weight 20% {\n' + conversion + pay_rate + "  }\n"
            '  outcome bonus_rate "绩效奖金系数" by total { >= 85 : 110%, >= 70 : 100%, else : 60% }\n'
            "}\n")
    assert errors_of(text, "shop.kpi", preset_policies()) == []
    # dropping one of the weighted 售前 indicators without re-weighting is refused
    dropped = 'policy shop "x" extends ecommerce_cs.medium {\n  drop presales.pay_rate\n}\n'
    assert any("add up to 75%" in e for e in errors_of(dropped, "shop.kpi", preset_policies()))


# ---- kpi demo -------------------------------------------------------------------------------------

@pytest.mark.parametrize("size", SIZES)
def test_demo_scores_every_person(tmp_path, size):
    from kpi_engine.cli import cli

    out = tmp_path / size
    result = CliRunner().invoke(cli, ["demo", "--industry", "ecommerce_cs", "--size", size, "--out", str(out),
                                      "--people", "36"])
    assert result.exit_code == 0, result.output
    with (out / "data" / "staff.csv").open(encoding="utf-8") as f:
        roster = [row["employee_id"] for row in csv.DictReader(f)]
    assert len(roster) == 36
    document = json.loads((out / "result.json").read_text(encoding="utf-8"))
    people = document["people"]
    assert [p["id"] for p in people] == roster
    scored = [p for p in people if p["total"] is not None]
    assert len(scored) >= 30
    assert all(p["reason"] for p in people if p["total"] is None)
    assert len({p["total"] for p in scored}) > 10        # the sample data spreads people out
    assert all(p["outcomes"]["grade"] for p in scored)
    if size == "large":
        stars = [p["distributions"]["star"] for p in scored]
        assert "五星客服" in stars and "改进计划" in stars
        assert any("转岗培训" in p["actions"] for p in people)
        assert any(p["payouts"]["rank_bonus"] == 1000 for p in people)


# ---- adapters -------------------------------------------------------------------------------------

def convert(library, name: str, adapter_id: str, out_dir: Path) -> list[dict]:
    from kpi_engine.adapt import convert_export, detect_adapter

    adapters = [a for a in library.adapters.values() if a.industry == "ecommerce_cs"]
    adapter = detect_adapter(adapters, EXPORTS / name)
    assert adapter is not None and adapter.id == adapter_id
    target = out_dir / f"{adapter.dataset}.csv"
    convert_export(adapter, EXPORTS / name, target)
    with target.open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


def test_adapters_cover_datasets_the_library_declares(library):
    mine = [a for a in library.adapters.values() if a.industry == "ecommerce_cs"]
    assert len(mine) >= 5
    for adapter in mine:
        declared = policy_datasets(f'policy t "t" {{\n{library.datasets[("ecommerce_cs", adapter.dataset)].declaration}}}')
        dataset = declared[adapter.dataset]
        fields = {dataset.person.name, dataset.at.name if dataset.at else None} | {f.id.name for f in dataset.fields}
        assert {c.field for c in adapter.columns} <= fields
        # every non-nullable field and the person and time columns are filled
        required = {dataset.person.name, dataset.at.name} | {f.id.name for f in dataset.fields if not f.nullable}
        assert required <= {c.field for c in adapter.columns}


def test_sample_exports_are_realistic_files():
    files = sorted(p.name for p in EXPORTS.iterdir() if p.suffix in (".csv", ".xlsx"))
    assert any(f.endswith(".xlsx") for f in files) and any(f.endswith(".csv") for f in files)
    with (EXPORTS / "客服接待明细_2026-10.csv").open("rb") as f:
        raw = f.read()
    raw.decode("gbk")                       # saved as 千牛 saves it for Excel
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")


def test_qianniu_chats_gbk_csv(library, tmp_path):
    rows = convert(library, "客服接待明细_2026-10.csv", "ecommerce_cs.qianniu_chats", tmp_path)
    assert len(rows) == 18
    first = rows[0]
    assert first["agent_id"] == "星辰旗舰店:小美"                          # text
    assert first["started_at"] == "2026-10-05T14:03:00"                  # "2026/10/05 14:03"
    assert (first["inquiry"], first["invalid"], first["converted"]) == ("true", "false", "true")  # 是/否
    assert first["first_response"] == "12"                               # "12秒"
    assert rows[3]["first_response"] == "63"                             # "1分3秒"
    assert rows[6]["avg_response"] == "65"                               # "1分5秒"
    assert rows[11]["first_response"] == "120"                           # "2分"
    ad = rows[2]
    assert (ad["invalid"], ad["replied"], ad["first_response"], ad["avg_response"]) == ("true", "false", "", "")


def test_qianniu_performance_xlsx(library, tmp_path):
    rows = convert(library, "客服绩效报表_2026-10.xlsx", "ecommerce_cs.qianniu_performance", tmp_path)
    assert len(rows) == 12
    dahai = rows[3]
    assert dahai["agent_id"] == "星辰旗舰店:大海"
    assert dahai["day"] == "2026-10-05"                                   # an Excel date cell
    assert dahai["received"] == "91"                                      # a number cell
    assert Decimal(dahai["conversion"]) == Decimal("0.6042")               # "60.42%"
    assert Decimal(dahai["avg_order_value"]) == Decimal("1234.50")         # "1,234.50元"
    assert Decimal(dahai["sales"]) == Decimal("35801.50")                  # "35,801.50元"
    assert dahai["first_response"] == "62"                                # "1分2秒"
    assert Decimal(rows[2]["conversion"]) == 0 and Decimal(rows[2]["reply_rate"]) == 1   # "0.00%", "100.00%"


def test_qianniu_reviews_csv(library, tmp_path):
    rows = convert(library, "评价明细_2026-10.csv", "ecommerce_cs.qianniu_reviews", tmp_path)
    assert len(rows) == 11
    assert rows[0] == {"agent_id": "星辰旗舰店:小美", "reviewed_at": "2026-10-06T21:15:07", "rating": "好评",
                       "mentions_agent": "true"}
    assert [r["rating"] for r in rows].count("差评") == 1


def test_workbench_tickets_xlsx(library, tmp_path):
    rows = convert(library, "工单明细_2026-10.xlsx", "ecommerce_cs.workbench_tickets", tmp_path)
    assert len(rows) == 12
    assert rows[0]["opened_at"] == "2026-10-05T09:12:30"                  # a date-time cell
    hours = [r["resolution"] for r in rows]
    assert hours[0] == "1800"                                             # 0.5 (hours)
    assert hours[2] == "95400"                                            # "26小时30分"
    assert hours[3] == "6300"                                             # "1:45" (h:mm)
    assert hours[6] == ""                                                 # still open
    assert hours[10] == "45000"                                           # 12.5
    assert (rows[2]["first_contact_resolved"], rows[2]["escalated"]) == ("false", "true")


def test_qianniu_refunds_utf8_bom_csv(library, tmp_path):
    rows = convert(library, "退款明细_2026-10.csv", "ecommerce_cs.qianniu_refunds", tmp_path)
    assert len(rows) == 10
    assert rows[0]["applied_at"] == "2026-10-08T10:21:00"                 # "2026年10月8日 10:21"
    assert Decimal(rows[0]["amount"]) == Decimal("128")                    # "¥128.00"
    assert Decimal(rows[2]["amount"]) == Decimal("1299")                   # "1,299.00元"
    assert Decimal(rows[6]["amount"]) == Decimal("1899")                   # "¥1,899.00"
    assert rows[0]["handle_time"] == "5700"                               # "95" (minutes)
    assert rows[1]["handle_time"] == "3900"                               # "1小时5分"
    assert rows[6]["handle_time"] == ""                                   # not handled yet
    assert rows[4]["intervened"] == "true"


def test_converted_exports_score_with_library_rules(library, tmp_path):
    from kpi_engine.cli import cli

    data = tmp_path / "data"
    for name, adapter in (("客服接待明细_2026-10.csv", "qianniu_chats"), ("客服绩效报表_2026-10.xlsx", "qianniu_performance"),
                          ("评价明细_2026-10.csv", "qianniu_reviews"), ("工单明细_2026-10.xlsx", "workbench_tickets"),
                          ("退款明细_2026-10.csv", "qianniu_refunds")):
        convert(library, name, f"ecommerce_cs.{adapter}", data)
    with (data / "staff.csv").open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows([
            ("employee_id", "name", "team", "role", "level", "tenure_months", "first_month"),
            ("星辰旗舰店:小美", "林小美", "售前组", "售前客服", "中级", 14, "false"),
            ("星辰旗舰店:阿雪", "陈雪", "售前组", "售前客服", "初级", 3, "false"),
            ("星辰旗舰店:小雨", "王雨", "售后组", "售后客服", "高级", 26, "false"),
            ("星辰旗舰店:大海", "赵海", "综合组", "全能客服", "资深", 40, "false")])
    keys = ("response_30s", "conversion", "fcr", "refund_time", "bad_review_rate", "conversion_report")
    used = dict.fromkeys(d for k in keys for d in ("staff",) + library.indicators[f"ecommerce_cs.{k}"].datasets)
    rules = "".join(re.sub(r'^(\s*indicator \w+ "[^"]*")', r"\1 points 10", library.indicators[f"ecommerce_cs.{k}"].rule,
                           count=1) for k in keys)
    text = ('policy exports "导出数据试算" {\n  period month\n  subject staff\n  scale 60\n'
            + "".join(library.datasets[("ecommerce_cs", n)].declaration for n in used) + rules + "}\n")
    policy = tmp_path / "policy.kpi"
    policy.write_text(text, encoding="utf-8")
    result = CliRunner().invoke(cli, ["score", str(policy), "--data", str(data), "--period", "2026-10",
                                      "--format", "json"])
    assert result.exit_code == 0, result.output
    people = {p["id"]: p["indicators"] for p in json.loads(result.output)["people"]}
    value = lambda who, key: people[f"星辰旗舰店:{who}"][key]["value"]  # noqa: E731
    assert value("小美", "response_30s") == pytest.approx(0.5)          # 12, 8, 5 of 6 valid chats ≤ 30s
    assert value("小美", "conversion") == pytest.approx(0.6)            # 3 of 5 valid 询单
    assert value("小雨", "fcr") == pytest.approx(5 / 8)
    assert value("大海", "refund_time") == pytest.approx((2700 + 172800 + 7200) / 3)   # pending one left out
    assert value("阿雪", "bad_review_rate") == pytest.approx(1 / 3)
    assert value("大海", "conversion_report") == pytest.approx(114 / 194)
    assert value("小雨", "conversion") is None                         # no 询单: not applicable


# ---- sample data ----------------------------------------------------------------------------------

def generate(out: Path, people: int, seed: int, period: str = "2026-10") -> Path:
    from kpi_ecommerce_cs.sample import generate as write

    write(out, parse_period(period), people, seed)
    return out


def test_generator_is_registered(library):
    from kpi_ecommerce_cs.sample import generate as write

    assert library.generators["ecommerce_cs"] is write


def test_generator_is_deterministic(tmp_path):
    a, b, c = generate(tmp_path / "a", 40, 7), generate(tmp_path / "b", 40, 7), generate(tmp_path / "c", 40, 8)
    names = sorted(p.name for p in a.iterdir())
    assert names == sorted(p.name for p in b.iterdir())
    match, mismatch, errors = filecmp.cmpfiles(a, b, names, shallow=False)
    assert mismatch == [] and errors == [] and match == names
    assert (a / "chats.csv").read_bytes() != (c / "chats.csv").read_bytes()


def test_generator_writes_every_dataset_the_presets_declare(library, tmp_path):
    out = generate(tmp_path / "data", 25, 3)
    period = parse_period("2026-10")
    first, end = period.previous().previous().start.isoformat(), period.end.isoformat()
    declared = {}
    for size in SIZES:
        declared.update(policy_datasets(library.presets[f"ecommerce_cs.{size}"].text))
    for name, dataset in declared.items():
        with (out / f"{name}.csv").open(encoding="utf-8", newline="") as f:
            rows = list(csv.DictReader(f))
        header = set(rows[0]) if rows else set()
        columns = {dataset.person.name} | ({dataset.at.name} if dataset.at else set())
        assert columns | {f.id.name for f in dataset.fields} <= header, name
        for field in dataset.fields:
            values = {r[field.id.name] for r in rows}
            if field.type.name == "bool":
                assert values <= {"true", "false"}, (name, field.id.name)
            if field.type.name in ("duration", "number", "money"):
                assert all(v == "" or Decimal(v) >= 0 for v in values), (name, field.id.name)
            if not field.nullable:
                assert "" not in values, (name, field.id.name)
        if dataset.at:
            times = [r[dataset.at.name] for r in rows]
            assert times and all(first <= t < end for t in times), name
            assert all(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d", t) for t in times[:50])
            # the period and the two before it all hold records (history for `for N periods`)
            assert {t[:7] for t in times} == {"2026-08", "2026-09", "2026-10"} or name in ("complaints",)


def test_generator_promotions_are_the_large_preset_calendar(library):
    from kpi_ecommerce_cs.sample import PROMOTIONS

    policy = parse(library.presets["ecommerce_cs.large"].text, "<preset>").policies[0]
    (calendar,) = policy.of(ast.Calendar)
    (promo,) = calendar.tags
    assert promo.id.name == "promo"
    assert [((r.start.month, r.start.day), (r.end.month, r.end.day)) for r in promo.ranges] == list(PROMOTIONS)


def test_generator_small_shop_is_one_team_doing_both(tmp_path):
    out = generate(tmp_path / "data", 5, 1)
    with (out / "staff.csv").open(encoding="utf-8") as f:
        staff = list(csv.DictReader(f))
    assert len(staff) == 5 and {(s["team"], s["role"]) for s in staff} == {("综合组", "全能客服")}


def test_generator_handles_5000_people_quickly(tmp_path):
    started = time.perf_counter()
    out = generate(tmp_path / "data", 5000, 11)
    elapsed = time.perf_counter() - started
    with (out / "staff.csv").open(encoding="utf-8") as f:
        assert sum(1 for _ in f) == 5001
    assert elapsed < 60, f"{elapsed:.1f}s for 5,000 people"
