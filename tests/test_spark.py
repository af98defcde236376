"""The Spark engine gives the DuckDB engine's results, exactly: every score conformance case and
the example goldens that cover each kind of result are scored by both, and the result documents
must be the same text (exact decimals, grades, places, payouts, actions, warnings). One local Spark
session serves the module (starting one costs 8–14 s, each scoring about 10–30 s on 2 cores);
KPI_SPARK_ALL_EXAMPLES=1 compares every example golden."""
import os
import tomllib
from pathlib import Path

import pytest

pytest.importorskip("pyspark")

from kpi_engine.cli import score_runs  # noqa: E402
from kpi_engine.errors import KpiError  # noqa: E402
from kpi_engine.execute import spark as spark_engine  # noqa: E402
from kpi_engine.render.result import result_document, to_json  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
CONFORMANCE = ROOT.parent / "shared" / "conformance"
EXAMPLES = ROOT / "examples"
# distributions, actions (3 periods), a quarter, last(), payouts within a group, a `for role` policy
COVERING = {"seed000_service_framework/service_monthly", "seed001_customer_service/presales_cs",
            "seed002_policy_template/large", "seed004_kpi_sheets/post_quarterly",
            "seed004_kpi_sheets/taobao_cs", "seed004_kpi_sheets/field_rep"}


def conformance_cases():
    found = []
    for case in sorted(CONFORMANCE.glob("*/case.toml")) if CONFORMANCE.is_dir() else []:
        config = tomllib.loads(case.read_text(encoding="utf-8"))
        if config["command"] == "score":
            found.append(pytest.param(case.parent / "policy.kpi", case.parent / "data", None, config,
                                      id=f"conformance/{case.parent.name}"))
    return found


def example_cases():
    found = []
    for case in sorted(EXAMPLES.glob("data/*/*/case.toml")):
        if f"{case.parent.parent.name}/{case.parent.name}" not in COVERING and not os.environ.get("KPI_SPARK_ALL_EXAMPLES"):
            continue
        config = tomllib.loads(case.read_text(encoding="utf-8"))
        found.append(pytest.param(EXAMPLES / f"{case.parent.parent.name}.kpi", case.parent, case.parent.name, config,
                                  id=f"examples/{case.parent.parent.name}/{case.parent.name}"))
    return found


@pytest.fixture(scope="module")
def spark():
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    session = spark_engine.session("local[2]")
    session.sparkContext.setLogLevel("ERROR")
    session.conf.set("spark.sql.shuffle.partitions", "2")   # tiny data: 200 shuffle tasks cost more than the work
    yield session
    session.stop()


def documents(policy: Path, data: Path, policy_id, config: dict, engine: str) -> str:
    """The scored result as the JSON text `kpi score --format json` prints, or the refusal."""
    settings = tuple(f"{name}={value}" for name, value in config.get("set", {}).items())
    try:
        runs = score_runs(str(policy), str(data), config["period"], settings, policy_id, engine=engine)
    except KpiError as error:
        return f"refused: {error}"
    return to_json([result_document(run) for run in runs])


@pytest.mark.parametrize("policy, data, policy_id, config", conformance_cases() + example_cases())
def test_spark_gives_the_duckdb_result(spark, policy, data, policy_id, config):
    expected = documents(policy, data, policy_id, config, "duckdb")
    assert not expected.startswith("refused"), expected
    assert documents(policy, data, policy_id, config, "spark") == expected


POLICY = """\
policy p "p" {
  period month
  subject staff
  dataset staff "花名册" by id {
    name: text
  }
  dataset tickets "工单" by agent at created {
    minutes: number?
  }
  indicator speed "处理时长中位数" weight 50% {
    measure median(tickets.minutes)
    bands {
      <= 5 : 100
      else : 50
    }
  }
  indicator slow "处理时长P90" weight 50% {
    measure percentile(tickets.minutes, 90%)
    bands {
      <= 10 : 100
      else : 50
    }
  }
}
"""


def test_median_stays_exact_on_spark(spark, tmp_path):
    """Spark's own median() is a DOUBLE: the plan's median must come out as DuckDB's decimal."""
    (tmp_path / "policy.kpi").write_text(POLICY, encoding="utf-8")
    (tmp_path / "staff.csv").write_text("id,name\nA,甲\nB,乙\nC,丙\n", encoding="utf-8")
    (tmp_path / "tickets.csv").write_text(
        "agent,created,minutes\n"
        "A,2026-10-01 09:00:00,10.1\nA,2026-10-02 09:00:00,0.2\nA,2026-10-03 09:00:00,7.35\nA,2026-10-04,\n"
        "B,2026-10-05T10:00:00,3\nB,2026-10-06T10:00,4.25\nC,2026-10-07,\n", encoding="utf-8")
    config = {"period": "2026-10"}
    expected = documents(tmp_path / "policy.kpi", tmp_path, None, config, "duckdb")
    assert '"value": 7.35' in expected and '"value": 3.625' in expected   # A's and B's medians
    assert '"value": null' in expected                                    # C has no values
    assert documents(tmp_path / "policy.kpi", tmp_path, None, config, "spark") == expected


def test_spark_refuses_bad_data_by_file_column_and_value(spark, tmp_path):
    (tmp_path / "policy.kpi").write_text(POLICY, encoding="utf-8")
    (tmp_path / "staff.csv").write_text("id,name\nA,甲\nA,乙\n", encoding="utf-8")
    (tmp_path / "tickets.csv").write_text(
        "agent,created,minutes\nA,2026-10-01 09:00:00,ten\nA,yesterday,1\n,2026-10-01,2\n", encoding="utf-8")
    refusal = documents(tmp_path / "policy.kpi", tmp_path, None, {"period": "2026-10"}, "spark")
    assert refusal.startswith("refused")
    assert "staff.csv: column id: person id 'A' appears 2 times" in refusal
    assert "tickets.csv: column minutes: 1 value(s) are not a number (like 4.5): 'ten'" in refusal
    assert "tickets.csv: column created: 1 value(s) are not a time like" in refusal
    assert "'yesterday'" in refusal
    assert "tickets.csv: column agent: 1 value(s) are not a person id" in refusal
    (tmp_path / "staff.csv").write_bytes("id,name\nA,张三\n".encode("gbk"))
    refusal = documents(tmp_path / "policy.kpi", tmp_path, None, {"period": "2026-10"}, "spark")
    assert "staff.csv: the file is not UTF-8 text (it may be GBK): 1 line(s) do not decode" in refusal


def test_spark_plan_has_no_duckdb_only_types_or_functions(tmp_path):
    """No HUGEINT, struct_pack, DuckDB list function or floating median reaches Spark."""
    from kpi_engine.compile.periods import parse_period
    from kpi_engine.compile.plan import compile_policy
    from kpi_engine.parse import parse

    plan = compile_policy(parse(POLICY, "policy.kpi").policies[0], parse_period("2026-10"))
    text = spark_engine.spark_sql(plan.query).upper()
    for duckdb_only in ("INT128", "HUGEINT", "STRUCT_PACK", "MEDIAN(", "LIST_SORT", "LIST_EXTRACT", " LIST("):
        assert duckdb_only not in text
    assert "DIV" in text and "SORT_ARRAY(COLLECT_LIST(" in text


def test_kpi_score_engine_spark_on_the_command_line(spark):
    from click.testing import CliRunner

    from kpi_engine.cli import cli

    case = EXAMPLES / "data" / "seed000_service_framework" / "service_monthly"
    args = ["score", str(EXAMPLES / "seed000_service_framework.kpi"), "--policy", "service_monthly",
            "--data", str(case), "--period", "2026-10", "--format", "json"]
    on_spark = CliRunner().invoke(cli, args + ["--engine", "spark", "--show-plan"])
    assert on_spark.exit_code == 0, on_spark.output
    assert on_spark.stdout == CliRunner().invoke(cli, args).stdout
    assert "`v:" in on_spark.stderr and "INT128" not in on_spark.stderr   # the plan printed is the Spark SQL


def test_master_is_only_for_spark():
    from click.testing import CliRunner

    from kpi_engine.cli import cli

    result = CliRunner().invoke(cli, ["score", str(EXAMPLES / "seed000_service_framework.kpi"), "--data", str(EXAMPLES / "data"),
                                      "--period", "2026-10", "--master", "local[2]"])
    assert result.exit_code == 2 and "--master is for --engine spark" in result.output


def test_spark_reads_parquet_as_duckdb_does(spark, tmp_path):
    """The same records as Parquet with native column types (integers, doubles, timestamps, as
    DuckDB's CSV sniffer types them) score the same on both engines, and as the CSV files do."""
    import duckdb

    case = EXAMPLES / "data" / "seed004_kpi_sheets" / "taobao_cs"
    for source in case.glob("*.csv"):
        target = tmp_path / f"{source.stem}.parquet"
        duckdb.sql(f"COPY (SELECT * FROM read_csv_auto('{source}')) TO '{target}' (FORMAT parquet)")
    config = tomllib.loads((case / "case.toml").read_text(encoding="utf-8"))
    policy = EXAMPLES / "seed004_kpi_sheets.kpi"
    expected = documents(policy, case, "taobao_cs", config, "duckdb")
    assert documents(policy, tmp_path, "taobao_cs", config, "duckdb") == expected
    assert documents(policy, tmp_path, "taobao_cs", config, "spark") == expected
