"""Every example policy checks clean, and each policy scores its sample data to the result
recorded beside it (examples/data/<file>/<policy>/expected.json, reviewed by hand against an
independent reading of LANGUAGE.md). Regenerate after a reviewed change with
KPI_UPDATE_GOLDEN=1 python -m pytest tests/test_examples.py."""
import json
import os
import tomllib
from pathlib import Path

import pytest
from click.testing import CliRunner

from kpi_engine.cli import cli

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
CASES = sorted(p.parent for p in EXAMPLES.glob("data/*/*/case.toml"))


@pytest.mark.parametrize("policy", sorted(EXAMPLES.glob("*.kpi")), ids=lambda p: p.stem)
def test_example_checks_clean(policy):
    result = CliRunner().invoke(cli, ["check", str(policy)])
    assert result.exit_code == 0, result.output
    assert ": error:" not in result.output


@pytest.mark.parametrize("case", CASES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_example_scores_its_sample_data(case):
    config = tomllib.loads((case / "case.toml").read_text(encoding="utf-8"))
    args = ["score", str(EXAMPLES / f"{case.parent.name}.kpi"), "--policy", case.name,
            "--data", str(case), "--period", config["period"], "--format", "json"]
    for name, value in config.get("set", {}).items():
        args += ["--set", f"{name}={value}"]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["people"], "the sample data scores nobody"
    golden = case / "expected.json"
    if os.environ.get("KPI_UPDATE_GOLDEN"):
        golden.write_text(result.stdout, encoding="utf-8")
    # byte for byte: the goldens were written by Python before DuckDB wrote the people
    assert result.stdout == golden.read_text(encoding="utf-8")
