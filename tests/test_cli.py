"""The command line end to end on the seed-000 example: every output format, the plan, explain,
and the refusals a user can run into (each a plain message, never a traceback)."""
import csv
import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from kpi_engine.cli import cli

ROOT = Path(__file__).resolve().parents[1]
POLICY = str(ROOT / "examples" / "seed000_service_framework.kpi")
DATA = str(ROOT / "examples" / "data" / "seed000_service_framework" / "service_monthly")
SCORE = ["score", POLICY, "--policy", "service_monthly", "--data", DATA, "--period", "2026-10"]


def run(*args):
    return CliRunner().invoke(cli, list(args))


def test_help_lists_every_command():
    result = run("--help")
    assert result.exit_code == 0
    for command in ("check", "fmt", "score", "explain", "compile"):
        assert command in result.output


def test_score_json_has_every_indicator_for_every_person():
    result = run(*SCORE, "--format", "json")
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert (document["policy"], document["period"]) == ("service_monthly", "2026-10")
    ids = {person["id"] for person in document["people"]}
    assert ids == {"E01", "E02", "E03", "E04", "E05", "E06"}
    for person in document["people"]:
        assert set(person) >= {"id", "total", "indicators", "adjustments", "vetoed", "outcomes",
                               "distributions", "payouts", "actions"}
        for entry in person["indicators"].values():
            assert set(entry) >= {"value", "score", "max", "contribution"}
            if entry["score"] is None:
                assert entry["reason"]


def test_score_table_and_csv_agree_with_json(tmp_path):
    people = {p["id"]: p for p in json.loads(run(*SCORE, "--format", "json").stdout)["people"]}
    table = run(*SCORE)
    assert table.exit_code == 0 and "E01" in table.output and "张三" in table.output
    out = tmp_path / "scores.csv"
    assert run(*SCORE, "--format", "csv", "-o", str(out)).exit_code == 0
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert [r["id"] for r in rows] == list(people)
    for row in rows:
        assert row["总分"] == format(people[row["id"]]["total"], "g")


def test_compile_prints_one_query():
    result = run("compile", POLICY, "--policy", "service_monthly", "--period", "2026-10")
    assert result.exit_code == 0, result.output
    assert result.output.count("WITH") == 1 and "SELECT" in result.output


def test_explain_names_the_counts_the_row_and_the_total():
    result = run("explain", POLICY, "--policy", "service_monthly", "--data", DATA, "--period", "2026-10",
                 "--person", "E02")
    assert result.exit_code == 0, result.output
    assert " of " in result.output and "✓" in result.output and "total" in result.output


@pytest.mark.parametrize("args, words", [
    (["--period", "2026-13"], ["month must be in 1..12"]),
    (["--period", "Q4"], ["is not a period"]),
    (["--period", "2026-Q4"], ["assessed by month", "quarter"]),
    (["--period", "2026-10", "--set", "nope=1"], ["no param named 'nope'"]),
    (["--period", "2026-10", "--set", "broken"], ["NAME=VALUE"]),
])
def test_refusals_are_plain_messages(args, words):
    result = run("score", POLICY, "--policy", "service_monthly", "--data", DATA, *args)
    assert result.exit_code != 0
    assert "Traceback" not in result.output
    for word in words:
        assert word in result.output


def test_explain_an_unknown_person():
    result = run("explain", POLICY, "--policy", "service_monthly", "--data", DATA, "--period", "2026-10",
                 "--person", "NOBODY")
    assert result.exit_code != 0 and "no person 'NOBODY'" in result.output


def test_a_policy_with_errors_is_not_scored(tmp_path):
    broken = tmp_path / "broken.kpi"
    broken.write_text((ROOT / "tests" / "fixtures" / "cli_broken.kpi").read_text(encoding="utf-8"), encoding="utf-8")
    result = run("score", str(broken), "--data", DATA, "--period", "2026-10")
    assert result.exit_code != 0
    assert "broken.kpi:" in result.output and "kpi check" in result.output


def test_bad_data_names_file_row_and_column(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    for source in Path(DATA).iterdir():
        (data / source.name).write_text(source.read_text(encoding="utf-8"), encoding="utf-8")
    tickets = (data / "tickets.csv").read_text(encoding="utf-8").splitlines()
    header = tickets[0].split(",")
    cells = tickets[1].split(",")
    cells[header.index("first_response")] = "3分12秒"
    tickets[1] = ",".join(cells)
    (data / "tickets.csv").write_text("\n".join(tickets) + "\n", encoding="utf-8")
    result = run("score", POLICY, "--policy", "service_monthly", "--data", str(data), "--period", "2026-10")
    assert result.exit_code != 0
    assert "tickets.csv:2" in result.output and "first_response" in result.output and "3分12秒" in result.output


def test_blanks_are_refused_until_set():
    policy = str(ROOT / "examples" / "seed004_kpi_sheets.kpi")
    case = ROOT / "examples" / "data" / "seed004_kpi_sheets" / "post_monthly"
    result = run("score", policy, "--policy", "post_monthly", "--data", str(case), "--period", "2026-10")
    assert result.exit_code != 0 and "blank" in result.output and "--set" in result.output
