"""Plugins: a throwaway third-party package installed for real (pip, entry point) is found, its
indicators are listed, its preset is usable with `extends`; conflicts are refused."""
import json
import os
import subprocess
import sys
import textwrap

import pytest

from kpi_engine.errors import PluginError
from kpi_engine.library import Industry, LibraryIndicator
from kpi_engine.plugins import Registry

PRESET = '''policy small "Acme 支持中心" {
  period month
  subject staff
  dataset staff "员工" by employee_id { name: text, team: text }
  dataset calls "来电" by agent_id at called_at { answered_in: duration }
  indicator answered "20秒接听率" weight 100% {
    better higher
    measure share(calls where answered_in <= 20s)
    bands { >= 90% : 100, >= 80% : 80, else : 0 }
  }
}
'''

PLUGIN = f'''
from kpi_engine import hookimpl
from kpi_engine.library import Industry, LibraryIndicator, Preset


@hookimpl
def register_industries(register):
    register(Industry("acme_support", "Acme 支持中心"))


@hookimpl
def register_indicators(register):
    register(LibraryIndicator(
        id="acme_support.answered_20s", industry="acme_support", label="20秒接听率",
        definition="20秒内接听的来电占比", measure="share(calls where answered_in <= 20s)",
        unit="percent", better="higher", source="呼叫中心", datasets=("calls",),
        rule='indicator answered "20秒接听率" weight 100% {{ measure share(calls where answered_in <= 20s); bands {{ >= 90% : 100, else : 0 }} }}'))


@hookimpl
def register_presets(register):
    register(Preset(name="acme_support.small", industry="acme_support", size="small", text={PRESET!r}))
'''


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """The plugin built and installed with pip into a folder put on PYTHONPATH."""
    root = tmp_path_factory.mktemp("acme")
    package = root / "kpi-acme"
    (package / "kpi_acme").mkdir(parents=True)
    (package / "kpi_acme" / "__init__.py").write_text(PLUGIN, encoding="utf-8")
    (package / "pyproject.toml").write_text(textwrap.dedent("""
        [build-system]
        requires = ["hatchling"]
        build-backend = "hatchling.build"

        [project]
        name = "kpi-acme"
        version = "0.1"

        [project.entry-points.kpi_engine]
        acme_support = "kpi_acme"
        """), encoding="utf-8")
    site = root / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-build-isolation",
                    "--target", str(site), str(package)], check=True, capture_output=True)
    env = dict(os.environ, PYTHONPATH=str(site))
    env.pop("KPI_ENGINE_LOAD_PLUGINS", None)
    return root, env


def kpi(env, *args, cwd=None):
    return subprocess.run([sys.executable, "-m", "kpi_engine", *args], env=env, cwd=cwd,
                          capture_output=True, text=True, timeout=120)


def test_a_third_party_plugin_lists_its_indicators(installed):
    _, env = installed
    result = kpi(env, "indicators", "--industry", "acme_support", "--format", "json")
    assert result.returncode == 0, result.stderr
    assert [i["id"] for i in json.loads(result.stdout)] == ["acme_support.answered_20s"]
    plugins = json.loads(kpi(env, "plugins", "--format", "json").stdout)
    assert any(p["name"] == "acme_support" and p["contributes"].get("indicator") == 1 for p in plugins)


def test_a_policy_extends_the_plugins_preset(installed):
    root, env = installed
    project = root / "client"
    (project / "data").mkdir(parents=True)
    (project / "policy.kpi").write_text('policy client "客户" extends acme_support.small {\n'
                                        '  outcome grade by total { >= 90 : "优秀", else : "待改进" }\n}\n',
                                        encoding="utf-8")
    (project / "data" / "staff.csv").write_text("employee_id,name,team\nA1,甲,一组\nA2,乙,一组\n", encoding="utf-8")
    (project / "data" / "calls.csv").write_text(
        "call_id,agent_id,called_at,answered_in\n"
        "C1,A1,2026-10-01T09:00:00,10\nC2,A1,2026-10-02T09:00:00,15\n"
        "C3,A2,2026-10-01T09:00:00,10\nC4,A2,2026-10-02T09:00:00,45\n", encoding="utf-8")
    assert kpi(env, "check", "policy.kpi", cwd=project).returncode == 0
    result = kpi(env, "score", "policy.kpi", "--data", "data", "--period", "2026-10", "--format", "json", cwd=project)
    assert result.returncode == 0, result.stderr
    people = {p["id"]: p for p in json.loads(result.stdout)["people"]}
    assert (people["A1"]["total"], people["A1"]["outcomes"]["grade"]) == (100, "优秀")
    assert (people["A2"]["total"], people["A2"]["outcomes"]["grade"]) == (0, "待改进")


def test_two_plugins_registering_one_indicator_id_is_an_error():
    import types

    import pluggy

    from kpi_engine import hookspecs

    pm = pluggy.PluginManager("kpi_engine")
    pm.add_hookspecs(hookspecs)
    for name in ("first", "second"):
        plugin = types.ModuleType(name)

        @hookspecs.hookimpl
        def register_indicators(register):
            register(LibraryIndicator("x.same", "x", "a", "", "count(d)", "number", "higher", "", ("d",), ""))

        plugin.register_indicators = register_indicators
        pm.register(plugin, name=name)
    with pytest.raises(PluginError, match="'x.same' is registered twice: by plugin first and by plugin second"):
        Registry().collect(pm)


def test_an_unknown_industry_names_the_installed_ones():
    registry = Registry(industries={"acme": Industry("acme", "Acme")})
    with pytest.raises(PluginError, match="installed: acme"):
        registry.industry("nope")
