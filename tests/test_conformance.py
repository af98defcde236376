"""The shared conformance cases, run by their own runner against this checkout's `kpi`."""
import os
import subprocess
import sys
from pathlib import Path

import pytest

CASES = Path(__file__).resolve().parents[2] / "shared" / "conformance"
ROOT = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.skipif(not (CASES / "run.py").is_file(), reason="../shared/conformance is not beside the project")


def case_names():
    return sorted(p.parent.name for p in CASES.glob("*/case.toml")) if CASES.is_dir() else []


@pytest.mark.parametrize("case", case_names())
def test_conformance_case(case):
    env = dict(os.environ, KPI_CMD=f"{sys.executable} -m kpi_engine")
    proc = subprocess.run([sys.executable, str(CASES / "run.py"), str(CASES / case)], env=env,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
