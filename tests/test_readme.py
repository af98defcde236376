"""The README's policy example is a real policy: it checks without a problem."""
import re
from pathlib import Path

from kpi_engine.check import check_source
from kpi_engine.errors import Source

README = Path(__file__).resolve().parents[1] / "README.md"


def test_readme_policy_checks_clean():
    block = re.search(r"## A policy\n\n```\n(.*?)```", README.read_text(encoding="utf-8"), re.S).group(1)
    result = check_source(Source("README.md", block))
    assert result.diagnostics == []


def test_ci_runs_the_readme_test_command():
    commands = re.findall(r"```sh\n(.*?)\n```", README.read_text(encoding="utf-8"), re.S)
    test_command = next(c for c in commands if c.rstrip().endswith("python -m pytest"))
    ci = (README.parent / ".ci" / "run").read_text(encoding="utf-8")
    assert test_command in ci.splitlines()
