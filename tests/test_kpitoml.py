"""What a client project's kpi.toml maps: dataset files (relative to kpi.toml) and params, found
from the policy's folder upwards."""
from pathlib import Path

from kpi_engine.kpitoml import project_files, project_params


def test_the_nearest_kpi_toml_above_gives_files_and_params(tmp_path: Path):
    (tmp_path / "kpi.toml").write_text('[datasets]\ntickets = "exports/t.csv"\n\n'
                                       '[params]\ntarget = 95\nlater = "?"\n', encoding="utf-8")
    policies = tmp_path / "policies" / "2026"
    policies.mkdir(parents=True)
    assert project_files(policies) == {"tickets": tmp_path / "exports" / "t.csv"}
    assert project_params(policies) == {"target": "95"}   # a blank `?` is no value


def test_no_kpi_toml_maps_nothing(tmp_path: Path):
    assert project_files(tmp_path) == {} and project_params(tmp_path) == {}
