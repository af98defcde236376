"""The plan cache: a second `kpi score` of the same policy, period and params runs the stored plan
(without importing the parser or sqlglot) and writes exactly what the first run wrote; anything
that changes the plan misses the cache; a damaged cache file is only a miss. Each test has an
empty cache of its own (conftest.py)."""
import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from click.testing import CliRunner

from kpi_engine.cli import cli
from kpi_engine.plancache import cache_folder, plan_key

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
CASES = sorted(p.parent for p in EXAMPLES.glob("data/*/*/case.toml"))
# a policy of one period (plans looking back on earlier ones may read the results ledger: not cached)
ONE_PERIOD = EXAMPLES / "data" / "seed000_service_framework" / "service_annual"


def score_args(case: Path) -> list[str]:
    config = tomllib.loads((case / "case.toml").read_text(encoding="utf-8"))
    args = ["score", str(EXAMPLES / f"{case.parent.name}.kpi"), "--policy", case.name,
            "--data", str(case), "--period", config["period"]]
    for name, value in config.get("set", {}).items():
        args += ["--set", f"{name}={value}"]
    return args


def stored() -> list[Path]:
    return sorted(cache_folder().glob("*.pickle")) if cache_folder().is_dir() else []


@pytest.mark.parametrize("case", CASES, ids=lambda p: f"{p.parent.name}/{p.name}")
@pytest.mark.parametrize("output", ["json", "csv", "table"])
def test_a_cached_plan_writes_what_the_compiled_one_wrote(case, output):
    args = score_args(case) + ["--format", output]
    first = CliRunner().invoke(cli, args)
    assert first.exit_code == 0, first.output
    again = CliRunner().invoke(cli, args)
    assert again.exit_code == 0, again.output
    assert (again.stdout, again.stderr) == (first.stdout, first.stderr)


def test_a_cached_run_imports_neither_the_parser_nor_sqlglot():
    args = score_args(ONE_PERIOD) + ["--format", "json"]
    program = ("import sys\nfrom kpi_engine.cli import cli\n"
               f"try:\n    cli({args!r})\nexcept SystemExit:\n    pass\n"
               "print(sorted(m for m in ('sqlglot', 'lark', 'kpi_engine.parse') if m in sys.modules), file=sys.stderr)")
    runs = [subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, env=os.environ)
            for _ in range(2)]
    assert runs[0].stderr.strip().endswith("['kpi_engine.parse', 'lark', 'sqlglot']"), runs[0].stderr
    assert runs[1].stderr.strip().endswith("[]"), runs[1].stderr
    assert runs[1].stdout == runs[0].stdout
    assert len(stored()) == 1


def test_what_changes_the_plan_changes_the_key():
    base = ("policy p {}", None, "2026-10", {"target": "90"})
    keys = {plan_key(*base), plan_key("policy p { }", *base[1:]), plan_key(base[0], "p", *base[2:]),
            plan_key(*base[:2], "2026-11", base[3]), plan_key(*base[:3], {"target": "91"})}
    assert len(keys) == 5
    assert plan_key(*base) == plan_key(*base)


def test_a_plan_stored_under_another_key_of_the_same_file_name_is_not_used(monkeypatch):
    from kpi_engine import plancache

    monkeypatch.setattr(plancache, "_file", lambda key: plancache.cache_folder() / "one.pickle")
    plancache.store_plans(plan_key("policy p {}", None, "2026-10", {}), ["the plan of p"])
    assert plancache.load_plans(plan_key("policy p {}", None, "2026-10", {})) == ["the plan of p"]
    assert plancache.load_plans(plan_key("policy q {}", None, "2026-10", {})) is None


def test_a_damaged_cache_file_is_compiled_afresh():
    args = score_args(ONE_PERIOD) + ["--format", "json"]
    first = CliRunner().invoke(cli, args)
    [path] = stored()
    path.write_bytes(b"not a pickle")
    again = CliRunner().invoke(cli, args)
    assert again.exit_code == 0, again.output
    assert again.stdout == first.stdout
    assert path.read_bytes() != b"not a pickle"


def test_runs_that_need_the_plan_itself_do_not_use_the_cache():
    args = score_args(ONE_PERIOD) + ["--format", "json"]
    shown = CliRunner().invoke(cli, args + ["--show-plan"])
    assert shown.exit_code == 0, shown.output
    assert "WITH" in shown.stderr
    assert stored() == []


def test_a_cached_run_sets_bad_rows_aside_and_warns_as_the_first(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(ONE_PERIOD, data)
    with open(data / "collabs.csv", "a", encoding="utf-8") as f:
        f.write("C9998,E01,2026-02-01T10:00:00,-5\nC9999,E99,2026-02-01T10:00:00,60\n")
    args = score_args(ONE_PERIOD) + ["--format", "json"]
    args[args.index("--data") + 1] = str(data)
    results = []
    for n in range(2):
        result = CliRunner().invoke(cli, args + ["--bad-rows", "quarantine", str(tmp_path / f"bad{n}.csv")])
        assert result.exit_code == 0, result.output
        results.append((result.stdout, result.stderr.replace(f"bad{n}.csv", "bad.csv"),
                        (tmp_path / f"bad{n}.csv").read_text(encoding="utf-8")))
    assert len(stored()) == 1
    assert results[1] == results[0]
    assert "negative duration" in results[0][2] and "E99" in results[0][1]


def test_a_cache_folder_that_cannot_be_made_only_means_no_cache(tmp_path, monkeypatch):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("", encoding="utf-8")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))
    args = score_args(ONE_PERIOD) + ["--format", "json"]
    runs = [CliRunner().invoke(cli, args) for _ in range(2)]
    assert [r.exit_code for r in runs] == [0, 0], runs[0].output
    assert runs[1].stdout == runs[0].stdout
