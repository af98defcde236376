"""The results ledger end to end on the seed-000 example: saved runs and their versions, history
and show, appeals (申诉) resolved by an adjustment, by corrected data or rejected, actions that
look back on periods whose data is gone, byte-identical re-runs, and a save killed mid-write."""
import ast
import csv
import json
import os
import re
import shutil
import signal
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest
from click.testing import CliRunner

from kpi_engine.cli import MAX_POLICY_BYTES, cli
from kpi_engine.ledger import PAUSE_INSIDE_SAVE, Ledger, ledger_path

ROOT = Path(__file__).resolve().parents[1]
POLICY = str(ROOT / "examples" / "seed000_service_framework.kpi")
DATA = ROOT / "examples" / "data" / "seed000_service_framework" / "service_monthly"
TABLES = ("runs", "run_files", "results", "action_conditions", "appeals", "appeal_resolutions")


def run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args])


def score(ledger, *extra, data=DATA, period="2026-10"):
    return run("score", POLICY, "--policy", "service_monthly", "--data", data, "--period", period,
               "--ledger", ledger, *extra)


def saved(ledger, *extra, **options):
    result = score(ledger, "--save", "--format", "json", *extra, **options)
    assert result.exit_code == 0, result.output
    return result


def snapshot(path) -> dict:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return {table: set(con.execute(f"SELECT * FROM {table}").fetchall()) for table in TABLES}
    finally:
        con.close()


def totals(document_text: str) -> dict:
    return {p["id"]: p["total"] for p in json.loads(document_text, parse_float=Decimal)["people"]}


def test_same_inputs_give_the_same_bytes_and_the_stored_result_is_the_printed_one(tmp_path):
    ledger = tmp_path / "l.duckdb"
    first = score(ledger, "--format", "json")
    second = saved(ledger)
    assert first.exit_code == 0 and first.stdout == second.stdout
    assert re.search(r"saved run #1 service_monthly 2026-10 v1", second.stderr)
    shown = run("show", 1, "--ledger", ledger, "--format", "json")
    assert shown.stdout == second.stdout


def test_scoring_a_period_again_adds_a_version_and_changes_nothing_stored(tmp_path):
    ledger = tmp_path / "l.duckdb"
    saved(ledger)
    before = snapshot(ledger)
    saved(ledger)
    after = snapshot(ledger)
    for table in TABLES:
        assert before[table] <= after[table], table      # every stored row is still there, unchanged
    with Ledger(ledger) as opened:
        runs = opened.runs("service_monthly", "2026-10")
        assert [(r.run_id, r.version) for r in runs] == [(1, 1), (2, 2)]
        assert runs[0].params == runs[1].params == {} and runs[0].policy_sha256 == runs[1].policy_sha256
        assert len(opened.files(1)) == 6 and all(len(digest) == 64 for _, _, digest in opened.files(1))
        assert opened.run(1).engine_version and opened.policy_text(1) == Path(POLICY).read_text(encoding="utf-8")
        # The schema itself refuses a second row for a stored version or person.
        with pytest.raises(duckdb.ConstraintException):
            opened.con.execute("INSERT INTO runs SELECT run_id + 10, policy_id, period, version, policy_file, "
                               "policy_text, policy_sha256, params, engine_version, saved_at, saved_by, appeal_id, "
                               "document FROM runs WHERE run_id = 1")
        with pytest.raises(duckdb.ConstraintException):
            opened.con.execute("INSERT INTO results SELECT * FROM results WHERE run_id = 1 LIMIT 1")


def test_history_and_show_list_runs_inputs_and_totals(tmp_path):
    ledger = tmp_path / "l.duckdb"
    saved(ledger)
    saved(ledger)
    history = run("history", "--ledger", ledger)
    assert history.exit_code == 0, history.output
    assert "#1 service_monthly 2026-10 v1" in history.output and "#2 service_monthly 2026-10 v2" in history.output
    assert run("history", "--ledger", ledger, "--period", "2026-09").output == "no runs stored\n"
    shown = run("show", 2, "--ledger", ledger)
    assert shown.exit_code == 0, shown.output
    assert "sha256" in shown.output and "data tickets:" in shown.output and re.search(r"E05\s+40\n", shown.output)
    missing = run("show", 9, "--ledger", ledger)
    assert missing.exit_code == 1 and "no run #9" in missing.output
    nowhere = run("history", "--ledger", tmp_path / "none.duckdb")
    assert nowhere.exit_code == 1 and "no ledger here yet" in nowhere.output
    assert not (tmp_path / "none.duckdb").exists()


def test_ledger_path_comes_from_kpi_toml(tmp_path):
    (tmp_path / "kpi.toml").write_text('[ledger]\npath = "store/results.duckdb"\n', encoding="utf-8")
    (tmp_path / "sub").mkdir()
    assert ledger_path(tmp_path / "sub") == tmp_path / "store" / "results.duckdb"
    (tmp_path / "kpi.toml").write_text("[params]\n", encoding="utf-8")
    assert ledger_path(tmp_path / "sub") == tmp_path / "kpi-ledger.duckdb"


def test_appeal_accepted_with_an_adjustment_makes_a_linked_version(tmp_path):
    ledger = tmp_path / "l.duckdb"
    original = saved(ledger).stdout
    opened = run("appeal", "open", 1, "E05", "--reason", "两张工单被错派给我", "--by", "孙七", "--ledger", ledger)
    assert opened.exit_code == 0 and "opened appeal 1" in opened.output
    before = snapshot(ledger)
    resolved = run("appeal", "resolve", 1, "--accept", "--adjust", "25", "--why", "质检复核确认错派",
                   "--by", "王主管", "--ledger", ledger)
    assert resolved.exit_code == 0, resolved.output
    assert "accepted by 王主管" in resolved.output and "total 40 → 65 in run #2" in resolved.output
    for table in TABLES:
        assert before[table] <= snapshot(ledger)[table], table
    with Ledger(ledger) as opened_ledger:
        appeal = opened_ledger.appeal(1)
        assert (appeal.status, appeal.opened_by, appeal.reason) == ("accepted", "孙七", "两张工单被错派给我")
        assert appeal.before["total"] == 40 and appeal.after["total"] == 65 and appeal.after["adjustments"] == 25
        assert appeal.evidence == {"adjustment": "25", "others_changed": []}
        new = opened_ledger.run(appeal.new_run_id)
        assert (new.version, new.appeal_id, new.saved_by) == (2, 1, "王主管")
        # exact decimals come back as Decimal, never as binary floats
        assert appeal.before["indicators"]["on_time"]["contribution"] == Decimal("13.333333333333333333")
        assert opened_ledger.document_text(1) + "\n" == original   # the appealed run is untouched
    again = run("appeal", "resolve", 1, "--reject", "--why", "changed my mind", "--ledger", ledger)
    assert again.exit_code == 1 and "never changed" in again.output
    assert "appeal 1 on run #1 by E05: accepted" in run("history", "--ledger", ledger).output
    assert "appeal 1 on run #1 by E05: accepted" in run("show", 1, "--ledger", ledger).output
    listed = json.loads(run("appeal", "list", "--ledger", ledger, "--format", "json").stdout)
    assert [(a["appeal_id"], a["status"], a["new_run_id"]) for a in listed] == [(1, "accepted", 2)]


def test_appeal_accepted_with_corrected_data_records_what_changed(tmp_path):
    ledger = tmp_path / "l.duckdb"
    saved(ledger)
    fixed = tmp_path / "fixed"
    shutil.copytree(DATA, fixed)
    tickets = fixed / "tickets.csv"
    rows = list(csv.reader(tickets.open(encoding="utf-8")))
    for row in rows[1:]:
        if row[1] == "E05" and row[2].startswith("2026-10"):
            row[3:6] = ["600", "true", "86400"]       # the ticket system's corrected times
    with tickets.open("w", encoding="utf-8", newline="") as out:
        csv.writer(out, lineterminator="\n").writerows(rows)
    run("appeal", "open", 1, "E05", "--reason", "工单时长被系统误记", "--ledger", ledger)
    same = run("appeal", "resolve", 1, "--accept", "--data", DATA, "--why", "x", "--ledger", ledger)
    assert same.exit_code == 1 and "corrected data must correct something" in same.output
    resolved = run("appeal", "resolve", 1, "--accept", "--data", fixed, "--why", "系统日志证实", "--ledger", ledger)
    assert resolved.exit_code == 0, resolved.output
    with Ledger(ledger) as opened:
        appeal = opened.appeal(1)
        assert appeal.after["total"] > appeal.before["total"] == 40
        assert appeal.evidence["corrected_data"]["changed"] == ["tickets"]
        assert dict((d, s) for d, _, s in opened.files(appeal.new_run_id))["tickets"] == \
            appeal.evidence["corrected_data"]["sha256"]["tickets"]


def test_appeal_rejected_records_the_decision_and_no_new_run(tmp_path):
    ledger = tmp_path / "l.duckdb"
    saved(ledger)
    run("appeal", "open", 1, "E04", "--reason", "客户评价有误", "--ledger", ledger)
    assert run("appeal", "resolve", 1, "--reject", "--adjust", "3", "--why", "x", "--ledger", ledger).exit_code == 2
    assert run("appeal", "resolve", 1, "--accept", "--why", "x", "--ledger", ledger).exit_code == 2
    for amount in ("NaN", "five"):
        refused = run("appeal", "resolve", 1, "--accept", "--adjust", amount, "--why", "x", "--ledger", ledger)
        assert refused.exit_code == 2 and "not a number of points" in refused.output
    rejected = run("appeal", "resolve", 1, "--reject", "--why", "评价记录无误", "--ledger", ledger)
    assert rejected.exit_code == 0 and "rejected" in rejected.output
    with Ledger(ledger) as opened:
        appeal = opened.appeal(1)
        assert appeal.before == appeal.after and appeal.new_run_id is None and appeal.why == "评价记录无误"
        assert len(opened.runs()) == 1
    for args in (("open", 1, "E99", "--reason", "x"), ("open", 7, "E01", "--reason", "x"),
                 ("open", 1, "E01", "--reason", " ")):
        refused = run("appeal", *args, "--ledger", ledger)
        assert refused.exit_code == 1 and "Traceback" not in refused.output, refused.output


def only_october(folder: Path, data: Path = DATA) -> Path:
    """An example's data with every record before October removed (the roster kept)."""
    folder.mkdir()
    for path in data.glob("*.csv"):
        lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
        kept = lines if path.name == "staff.csv" else [lines[0]] + [ln for ln in lines[1:] if ",2026-10-" in ln]
        (folder / path.name).write_text("".join(kept), encoding="utf-8")
    return folder


def actions(document_text: str) -> dict:
    return {p["id"]: p["actions"] for p in json.loads(document_text)["people"]}


def test_actions_over_periods_use_stored_results_when_the_data_is_gone(tmp_path):
    ledger = tmp_path / "l.duckdb"
    full = score(ledger, "--format", "json").stdout          # September and October data both present
    october = only_october(tmp_path / "october")
    alone = score(ledger, "--format", "json", data=october)   # no ledger yet: September looks empty
    assert actions(alone.stdout) != actions(full)
    saved(ledger, period="2026-09")
    from_ledger = score(ledger, "--format", "json", data=october)
    assert from_ledger.exit_code == 0, from_ledger.output
    assert actions(from_ledger.stdout) == actions(full)
    assert totals(from_ledger.stdout) == totals(full)
    assert "period 2026-09 has no data here: its action conditions come from the results ledger (run #1 v1)" \
        in from_ledger.stderr
    # With the data present the ledger is not consulted.
    assert "results ledger" not in score(ledger, "--format", "json").stderr
    # An appeal re-scores the October run the same way, from inside the open ledger.
    saved(ledger, data=october)
    run("appeal", "open", 2, "E05", "--reason", "x", "--ledger", ledger)
    resolved = run("appeal", "resolve", 1, "--accept", "--adjust", "40", "--why", "y", "--ledger", ledger)
    assert resolved.exit_code == 0, resolved.output
    with Ledger(ledger) as opened:
        rescored = opened.document_text(opened.appeal(1).new_run_id)
    assert actions(rescored)["E05"] == [] and "(run #1 v1)" in json.loads(rescored)["warnings"][0]


def test_a_place_within_a_team_over_three_periods_comes_from_stored_runs(tmp_path):
    ledger = tmp_path / "l.duckdb"
    policy = ROOT / "examples" / "seed001_customer_service.kpi"
    data = ROOT / "examples" / "data" / "seed001_customer_service" / "aftersales_cs"

    def score_seed001(period, folder, *extra):
        result = run("score", policy, "--policy", "aftersales_cs", "--data", folder, "--period", period,
                     "--ledger", ledger, "--format", "json", *extra)
        assert result.exit_code == 0, result.output
        return result

    full = score_seed001("2026-10", data).stdout
    assert any(actions(full).values())                   # someone was last in the team 3 months running
    for period in ("2026-08", "2026-09"):
        score_seed001(period, data, "--save")
    october = score_seed001("2026-10", only_october(tmp_path / "october", data))
    assert actions(october.stdout) == actions(full)
    assert october.stderr.count("its action conditions come from the results ledger") == 2


def test_a_save_killed_mid_write_leaves_the_ledger_as_it_was(tmp_path):
    ledger = tmp_path / "l.duckdb"
    saved(ledger)
    before = snapshot(ledger)
    command = [sys.executable, "-m", "kpi_engine", "score", POLICY, "--policy", "service_monthly", "--data",
               str(DATA), "--period", "2026-10", "--save", "--ledger", str(ledger)]
    process = subprocess.Popen(command, env=dict(os.environ, **{PAUSE_INSIDE_SAVE: "60"}),
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        assert process.stderr.readline().strip() == "ledger: inside the save transaction"
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
    finally:
        process.kill()
        process.stderr.close()
    assert process.returncode == -signal.SIGKILL
    assert snapshot(ledger) == before                         # the half-written run 2 is not there
    saved(ledger)                                              # and the ledger still takes runs
    with Ledger(ledger) as opened:
        assert [(r.run_id, r.version) for r in opened.runs()] == [(1, 1), (2, 2)]
        assert totals(opened.document_text(2)) == totals(opened.document_text(1))


def test_no_eval_exec_or_compile_anywhere():
    sources = [p for folder in ("kpi_engine", "plugins") for p in (ROOT / folder).rglob("*.py")
               if ".venv" not in p.parts]
    assert len(sources) > 20
    found = []
    for path in sources:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            if isinstance(node, ast.Call):
                name = node.func.id if isinstance(node.func, ast.Name) else \
                    node.func.attr if isinstance(node.func, ast.Attribute) and \
                    isinstance(node.func.value, ast.Name) and node.func.value.id == "builtins" else None
                if name in {"eval", "exec", "compile", "__import__"}:
                    found.append(f"{path.relative_to(ROOT)}:{node.lineno}: {name}()")
    assert found == []


def test_the_ledger_code_never_updates_or_deletes():
    """Its SQL (upper case, as all SQL here is written) only creates, inserts and selects."""
    changes = re.compile(r"\b(UPDATE|DELETE|DROP TABLE|TRUNCATE|ALTER|REPLACE|ON CONFLICT)\b")
    for name in ("ledger.py", "ledger_commands.py"):
        tree = ast.parse((ROOT / "kpi_engine" / name).read_text(encoding="utf-8"))
        texts = [n.value for n in ast.walk(tree) if isinstance(n, ast.Constant) and isinstance(n.value, str)]
        assert [t for t in texts if changes.search(t)] == [], name


def test_a_policy_above_the_size_limit_is_refused_by_name(tmp_path):
    big = tmp_path / "big.kpi"
    big.write_text("# padding\n" * (MAX_POLICY_BYTES // 10 + 1), encoding="utf-8")
    result = run("check", big)
    assert result.exit_code == 1
    assert f"{big}: " in result.output and "more than a policy may have" in result.output
    assert "Traceback" not in result.output


def test_the_params_a_run_used_are_stored(tmp_path):
    ledger = tmp_path / "l.duckdb"
    policy = ROOT / "examples" / "seed001_customer_service.kpi"
    data = ROOT / "examples" / "data" / "seed001_customer_service" / "aftersales_cs"
    result = run("score", policy, "--policy", "aftersales_cs", "--data", data, "--period", "2026-10",
                 "--set", "response_limit=45s", "--save", "--ledger", ledger)
    assert result.exit_code == 0, result.output
    with Ledger(ledger) as opened:
        assert opened.runs()[0].params == {"response_limit": "45s"}
