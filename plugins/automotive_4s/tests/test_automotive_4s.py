"""The automotive_4s plugin, tested as an installed third-party plugin: found through its entry
point, every text it ships checked by the engine's own checker, `kpi demo` run end to end for each
size, the DMS exports converted, the sample data reproducible.

Only this plugin is loaded (KPI_ENGINE_LOAD_PLUGINS=automotive_4s), so another plugin being
installed, or broken, does not change these results.
"""
from __future__ import annotations

import csv
import hashlib
import json
import re
import time
from decimal import Decimal
from importlib.metadata import entry_points
from pathlib import Path

import pytest

from kpi_engine import ast
from kpi_engine.check import check_source
from kpi_engine.compile.periods import parse_period
from kpi_engine.errors import Source
from kpi_engine.parse import parse

import kpi_automotive_4s
from kpi_automotive_4s.datasets import DATASETS
from kpi_automotive_4s.sample import COLUMNS, generate

HERE = Path(__file__).resolve().parent
EXPORTS = HERE / "exports"
SIZES = ("small", "medium", "large")
PLUGIN = "automotive_4s"


@pytest.fixture(autouse=True)
def only_this_plugin(monkeypatch):
    from kpi_engine.plugins import registry

    monkeypatch.setenv("KPI_ENGINE_LOAD_PLUGINS", PLUGIN)
    registry.cache_clear()
    yield
    registry.cache_clear()


@pytest.fixture
def library():
    from kpi_engine.plugins import registry

    return registry()


def errors_of(text: str, name: str = "<test>", presets=None) -> list[str]:
    result = check_source(Source(name, text), presets)
    return [d.format() for d in result.diagnostics if d.is_error]


def declarations(names) -> str:
    return "\n".join(DATASETS[n][2] for n in dict.fromkeys(("staff", *names)))


# ---- discovery ---------------------------------------------------------------------------------

def test_discovered_through_its_entry_point(library):
    from kpi_engine.plugins import plugin_manager

    found = {e.name: e.value for e in entry_points(group="kpi_engine")}
    assert found.get(PLUGIN) == "kpi_automotive_4s"
    pm = plugin_manager()
    assert pm.get_plugin(PLUGIN) is kpi_automotive_4s
    hooks = {h.name for h in pm.get_hookcallers(kpi_automotive_4s)}
    assert {"register_industries", "register_datasets", "register_indicators", "register_presets",
            "register_adapters", "register_sample_data"} <= hooks
    assert library.industry(PLUGIN).label == "汽车4S店售后"
    owned = {kind for (kind, _key), owner in library.owner.items() if owner == PLUGIN}
    assert owned == {"industry", "dataset", "indicator", "preset", "adapter", "sample generator"}
    assert library.generators[PLUGIN] is generate


def test_kpi_plugins_lists_it():
    from click.testing import CliRunner
    from kpi_engine.cli import cli

    result = CliRunner().invoke(cli, ["plugins", "--format", "json"])
    assert result.exit_code == 0, result.output
    row = next(r for r in json.loads(result.output) if r["name"] == PLUGIN)
    assert row["contributes"]["indicator"] >= 15
    assert row["contributes"]["preset"] == 3


# ---- datasets ----------------------------------------------------------------------------------

@pytest.mark.parametrize("name", sorted(DATASETS))
def test_dataset_declaration_is_valid_kpi(name, library):
    schema = library.datasets[(PLUGIN, name)]
    text = f'policy t "t" {{\n  period month\n  subject staff\n{declarations([name])}\n}}\n'
    assert errors_of(text, name) == []
    declared = parse(text).policies[0].of(ast.Dataset)
    assert name in {d.id.name for d in declared}
    assert schema.declaration.startswith(f"dataset {name} ")


# ---- indicators --------------------------------------------------------------------------------

def test_at_least_15_indicators_with_every_field(library):
    mine = [i for i in library.indicators.values() if i.industry == PLUGIN]
    assert len(mine) >= 15
    for item in mine:
        assert item.id.startswith(f"{PLUGIN}.")
        assert item.label and item.definition and item.source and item.measure and item.rule
        assert item.unit in ("percent", "duration", "money", "number", "text")
        assert item.better in ("higher", "lower")
        assert item.datasets and all(d in DATASETS for d in item.datasets)
    labels = {i.label for i in mine}
    for wanted in ("售后服务客户满意度", "投诉处理及时率", "故障维修周期", "返修率", "一次修复率", "配件供应及时率",
                   "工时利用率", "维修预约率", "客单价", "售后产值", "服务毛利率", "车间车位周转率", "进厂台次",
                   "售后回访率"):
        assert wanted in labels


def _indicators():
    from kpi_automotive_4s.indicators import INDICATORS
    return INDICATORS


@pytest.mark.parametrize("item", _indicators(), ids=lambda i: i.id)
def test_indicator_rule_checks_clean_in_a_minimal_policy(item):
    key = item.id.split(".", 1)[1]
    header = re.match(rf'indicator {key} "([^"]*)" \{{', item.rule)
    assert header and header[1] == item.label
    assert f"  measure {item.measure}\n" in item.rule
    assert f"  better {item.better}\n" in item.rule
    rule = item.rule.replace(" {", " weight 100% {", 1)        # a library rule carries no weight
    text = f'policy t "t" {{\n  period month\n  subject staff\n{declarations(item.datasets)}\n{rule}\n}}\n'
    result = check_source(Source(item.id, text))
    assert [d.format() for d in result.diagnostics] == []


# ---- presets -----------------------------------------------------------------------------------

@pytest.mark.parametrize("size", SIZES)
def test_preset_checks_clean(size, library):
    preset = library.presets[f"{PLUGIN}.{size}"]
    assert preset.industry == PLUGIN and preset.size == size and preset.description
    assert errors_of(preset.text, f"<preset {preset.name}>") == []
    policies = parse(preset.text).policies
    assert [p.id.name for p in policies] == [size]
    policy = policies[0]
    assert policy.setting(ast.SubjectSetting).dataset.name == "staff"
    blanks = {p.id.name for p in policy.of(ast.Param)
              if any(v.value == ast.Literal("blank", None) for v in p.values)}
    assert blanks == set(preset.sample_params)


@pytest.mark.parametrize("size", SIZES)
def test_preset_declares_the_registered_datasets_verbatim(size, library):
    preset = library.presets[f"{PLUGIN}.{size}"]
    body = "\n".join(line[2:] if line.startswith("  ") else line for line in preset.text.splitlines())
    for dataset in parse(preset.text).policies[0].of(ast.Dataset):
        assert library.datasets[(PLUGIN, dataset.id.name)].declaration in body, dataset.id.name


def test_large_is_seed_004s_five_dimensions(library):
    text = library.presets[f"{PLUGIN}.large"].text
    top = re.findall(r'^  dimension (\w+) "([^"]*)" weight (\d+)% \{', text, re.MULTILINE)
    assert top == [("satisfaction", "售后服务满意度", "20"), ("repair", "故障维修效率", "25"),
                   ("parts", "配件供应", "15"), ("efficiency", "售后服务效率", "20"),
                   ("income", "售后服务收入", "20")]
    review = re.search(r'dimension review "[^"]*" weight \d+% \{(.*?)\n    \}', text, re.DOTALL)[1]
    assert re.findall(r'weight (\d+)%', review) == ["60", "30", "10"]     # 质检 / 客户 / 主管
    for construct in ("distribute ", "payout ", "for 2 periods", "for 3 periods", "variant service_month",
                      "calendar {", 'rater = "质检"', "linear 0 at 60%, +2.5 per 1%"):
        assert construct in text


def test_a_client_policy_extends_each_preset(library):
    from kpi_engine.plugins import preset_policies

    presets = preset_policies()
    text = '''
policy mine "本店" extends automotive_4s.large {
  param express_limit "快保承诺交车时限" = 90min, 2h during service_month
  indicator ticket "客单价" weight 25% {
    better higher
    measure sum(repair_orders.output) / count(repair_orders)
    bands {
      >= 2800元 : 100
      else : 50
    }
  }
}
policy mine_medium "本店" extends automotive_4s.medium {
  drop team_rank
  dimension core "核心指标" weight 50% {
    indicator csi "客户满意度" weight 100% {
      measure avg(followups.csi)
      linear 0 at 60%, +2.5 per 1%, min 0, max 100
    }
  }
}
policy mine_small "本店小" extends automotive_4s.small {
  param ticket_target "客单价目标" = 2800元
}
'''
    found = check_source(Source("client.kpi", text), presets)
    assert [d.format() for d in found.diagnostics if d.is_error] == []


# ---- kpi demo ------------------------------------------------------------------------------------

@pytest.mark.parametrize("size", SIZES)
def test_demo_scores_every_person(size, tmp_path):
    from click.testing import CliRunner
    from kpi_engine.cli import cli

    out = tmp_path / "demo"
    result = CliRunner().invoke(cli, ["demo", "--industry", PLUGIN, "--size", size, "--out", str(out),
                                      "--people", "45"])
    assert result.exit_code == 0, result.output
    with open(out / "data" / "staff.csv", encoding="utf-8") as f:
        roster = [row["employee_id"] for row in csv.DictReader(f)]
    assert len(roster) == 45
    document = json.loads((out / "result.json").read_text(encoding="utf-8"))
    assert document["policy"] == "client" and document["period"] == "2026-10"
    people = document["people"]
    assert sorted(p["id"] for p in people) == sorted(roster)
    assert all(p["total"] is not None for p in people), [p for p in people if p["total"] is None][:2]
    totals = [p["total"] for p in people]
    assert max(totals) - min(totals) > 10            # the sample data spreads people across the bands
    if size == "large":
        assert all(set(p["outcomes"]) == {"grade", "bonus_rate", "coefficient"} for p in people)
        assert any(p["distributions"]["star"] == "服务之星" for p in people)
        assert any(p["payouts"]["team_award"] == 500 for p in people)
        assert any(p["actions"] for p in people)       # two earlier months of data: history works


# ---- adapters ----------------------------------------------------------------------------------

def _convert(name: str, tmp_path: Path, library) -> tuple[str, dict[str, dict]]:
    from kpi_engine.adapt import convert_export, detect_adapter

    adapters = [a for a in library.adapters.values() if a.industry == PLUGIN]
    adapter = detect_adapter(adapters, EXPORTS / name)
    assert adapter is not None, name
    out = tmp_path / f"{adapter.dataset}.csv"
    converted = convert_export(adapter, EXPORTS / name, out)
    with open(out, encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert converted.rows == len(rows)
    return adapter.dataset, {r["order_no"]: r for r in rows}


def test_sample_exports_are_realistic_sizes():
    names = sorted(p.name for p in EXPORTS.iterdir() if p.suffix in (".csv", ".xlsx"))
    assert any(n.endswith(".xlsx") for n in names) and any(n.endswith(".csv") for n in names)
    import openpyxl

    for name in names:
        path = EXPORTS / name
        if path.suffix == ".xlsx":
            rows = openpyxl.load_workbook(path, read_only=True).active.max_row - 1
        else:
            rows = len(path.read_bytes().splitlines()) - 1
        assert 10 <= rows <= 30, name


def test_repair_order_export_xlsx(tmp_path, library):
    dataset, rows = _convert("dms_repair_orders.xlsx", tmp_path, library)
    assert dataset == "repair_orders" and len(rows) == 22
    first = rows["RO2610050001"]
    assert first["advisor_id"] == "E00001"
    assert first["opened_at"] == "2026-10-05T14:03:00"          # datetime: text "2026/10/05 14:03"
    assert first["closed_at"] == "2026-10-05T17:23:00"          # datetime: an Excel date cell
    assert first["cycle"] == "12000"                            # seconds: "3小时20分"
    assert first["reception"] == "750"                          # seconds: "12分30秒"
    assert Decimal(first["labour_amount"]) == Decimal("1234.50")  # money: "1,234.50元"
    assert Decimal(first["parts_amount"]) == Decimal("856")       # money: "¥856.00"
    assert Decimal(first["output"]) == Decimal("2090.5")          # money: a number cell
    assert Decimal(first["gross_profit"]) == Decimal("1020.35")
    assert Decimal(first["sold_hours"]) == Decimal("3.5")         # number: a number cell
    assert (first["appointment"], first["comeback"], first["fixed_first_time"]) == ("true", "false", "true")
    assert rows["RO2610060004"]["cycle"] == str(2 * 86400 + 5 * 3600)   # "2天5小时"
    assert rows["RO2610050002"]["reception"] == "480"                   # "8分"
    assert Decimal(rows["RO2610300021"]["parts_amount"]) == Decimal("2890")   # "¥2,890.00"
    assert rows["RO2610080007"]["comeback"] == "true"                   # 是
    still_in = rows["RO2610310022"]                                     # not delivered yet
    assert (still_in["closed_at"], still_in["cycle"], still_in["fixed_first_time"]) == ("", "", "")


def test_jobs_export_gbk_csv(tmp_path, library):
    dataset, rows = _convert("dms_jobs.csv", tmp_path, library)
    assert dataset == "jobs" and len(rows) == 20
    first = rows["RO2610050001"]
    assert first["technician_id"] == "E00002"
    assert first["finished_at"] == "2026-10-05T17:03:00"       # datetime: "2026-10-05 17:03"
    assert first["cycle"] == "10800"                          # hours: "3.00"
    assert rows["RO2610060004"]["cycle"] == str(2 * 86400 + 4 * 3600 + 40 * 60)   # "2天4小时40分钟"
    assert Decimal(first["clocked_hours"]) == Decimal("3.2")
    assert Decimal(first["labour_amount"]) == Decimal("1234.50")   # money without a unit
    assert rows["RO2610080007"]["qc_passed"] == "false"        # yesno: 否
    assert "RO2610310022" not in rows                          # unfinished jobs are not in the report


def test_followup_export_utf8_bom_csv(tmp_path, library):
    dataset, rows = _convert("dms_followups.csv", tmp_path, library)
    assert dataset == "followups" and len(rows) == 20
    first = rows["RO2610050001"]
    assert first["delivered_at"] == "2026-10-05T17:23:00"      # datetime: "2026年10月5日 17:23"
    assert Decimal(first["csi"]) == Decimal("0.95")            # percent: "95%"
    assert Decimal(rows["RO2610050002"]["csi"]) == 1           # "100%"
    assert first["recommend"] == "9"
    assert (first["visited"], first["within_48h"]) == ("true", "true")
    unreached = rows["RO2610070006"]
    assert (unreached["visited"], unreached["csi"], unreached["recommend"]) == ("false", "", "")


def test_kpi_import_finds_the_adapter_by_its_headers(tmp_path):
    from click.testing import CliRunner
    from kpi_engine.cli import cli

    for name, dataset in (("dms_repair_orders.xlsx", "repair_orders"), ("dms_jobs.csv", "jobs"),
                          ("dms_followups.csv", "followups")):
        result = CliRunner().invoke(cli, ["import", str(EXPORTS / name), "--out", str(tmp_path)])
        assert result.exit_code == 0, result.output
        assert f"automotive_4s.dms_{dataset}" in result.output
        assert (tmp_path / f"{dataset}.csv").is_file()


def test_converted_exports_score_with_the_small_preset(tmp_path, library):
    from click.testing import CliRunner
    from kpi_engine.cli import cli

    data = tmp_path / "data"
    for name in ("dms_repair_orders.xlsx", "dms_jobs.csv", "dms_followups.csv"):
        _convert(name, data, library)
    (data / "staff.csv").write_text(
        "employee_id,name,branch,team,role,level,hired_on,tenure_months,first_month\n"
        "E00001,郭颖辉,成都城南店,成都城南店服务顾问组,服务顾问,二星,2025-03-19,19,false\n"
        "E00005,任鹏,成都城南店,成都城南店服务顾问组,服务顾问,一星,2023-06-01,41,false\n"
        "E00002,贾波,成都城南店,成都城南店机电一组,维修技师,技师,2021-12-02,58,false\n"
        "E00006,曹涛欣,成都城南店,成都城南店机电二组,维修技师,中级工,2024-02-10,32,false\n"
        "E00003,段雪,成都城南店,成都城南店钣喷组,维修技师,高级工,2020-04-15,78,false\n", encoding="utf-8")
    for name in ("complaints", "parts_requests"):
        header = [c for c in COLUMNS[name]]
        (data / f"{name}.csv").write_text(",".join(header) + "\n", encoding="utf-8")
    policy = tmp_path / "policy.kpi"
    policy.write_text('policy shop "本店" extends automotive_4s.small {\n}\n', encoding="utf-8")
    result = CliRunner().invoke(cli, ["score", str(policy), "--data", str(data), "--period", "2026-10",
                                      "--format", "json", "--set", "ticket_target=3000元"])
    assert result.exit_code == 0, result.output
    people = {p["id"]: p for p in json.loads(result.output)["people"]}
    assert set(people) == {"E00001", "E00002", "E00003", "E00005", "E00006"}
    assert all(p["total"] is not None for p in people.values())
    # E00001's customers reached: 95 88 97 72 98 94 86 100 93 89 95 (%), E00006's jobs: 7, one 返修
    assert people["E00001"]["indicators"]["csi"]["value"] == pytest.approx(1007 / 1100)
    assert people["E00006"]["indicators"]["comeback"]["value"] == pytest.approx(1 / 7)


# ---- sample data -------------------------------------------------------------------------------

def _digest(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.glob("*.csv"))}


def test_generator_is_deterministic(tmp_path):
    period = parse_period("2026-10")
    generate(tmp_path / "a", period, 50, 7)
    generate(tmp_path / "b", period, 50, 7)
    generate(tmp_path / "c", period, 50, 8)
    assert _digest(tmp_path / "a") == _digest(tmp_path / "b")
    assert _digest(tmp_path / "a") != _digest(tmp_path / "c")


def test_generator_writes_every_dataset_the_presets_declare(tmp_path, library):
    generate(tmp_path, parse_period("2026-10"), 30, 1)
    declared = {}
    for size in SIZES:
        for dataset in parse(library.presets[f"{PLUGIN}.{size}"].text).policies[0].of(ast.Dataset):
            declared[dataset.id.name] = dataset
    assert {p.stem for p in tmp_path.glob("*.csv")} == set(declared)
    months = set()
    for name, dataset in declared.items():
        with open(tmp_path / f"{name}.csv", encoding="utf-8") as f:
            reader = csv.reader(f)
            header = next(reader)
            rows = list(reader)
        wanted = {dataset.person.name, *(f.id.name for f in dataset.fields)}
        if dataset.at:
            wanted.add(dataset.at.name)
            at = header.index(dataset.at.name)
            months |= {row[at][:7] for row in rows}
        assert wanted <= set(header), name
        assert rows, name
        for row in rows:
            assert all(cell not in ("True", "False", "None") for cell in row)
    assert {"2026-08", "2026-09", "2026-10"} <= months        # the period and the two before it
    assert not any(m > "2026-10" for m in months)


def test_generator_handles_quarters_weeks_and_tiny_shops(tmp_path):
    generate(tmp_path / "q", parse_period("2026-Q4"), 3, 1)
    generate(tmp_path / "w", parse_period("2026-W44"), 1, 1)  # one person: an advisor who repairs too
    with open(tmp_path / "w" / "jobs.csv", encoding="utf-8") as f:
        jobs = list(csv.DictReader(f))
    assert jobs and {j["technician_id"] for j in jobs} == {"E00001"}


def test_generator_is_fast_for_5000_people(tmp_path):
    started = time.perf_counter()
    generate(tmp_path, parse_period("2026-10"), 5000, 1)
    elapsed = time.perf_counter() - started
    with open(tmp_path / "staff.csv", encoding="utf-8") as f:
        assert sum(1 for _ in f) == 5001
    assert elapsed < 60, elapsed
