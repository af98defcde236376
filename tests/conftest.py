"""Every test starts with an empty plan cache of its own (kpi_engine.plancache), so commands
compile their plans as on a first run and never read or fill the user's cache."""
import pytest


@pytest.fixture(autouse=True)
def own_plan_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
