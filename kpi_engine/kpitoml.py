"""What a client project's kpi.toml says a run reads: its dataset files and its params (found in
the policy's folder or a parent). Light on imports: a `kpi score` whose plan is in the plan cache
needs only these."""
from __future__ import annotations

from pathlib import Path


def _project_config(start: Path) -> tuple[Path, dict]:
    """(the folder of the kpi.toml found in ``start`` or its parents, what it says), or
    (``start``, {}) when there is none: tomllib is imported only when there is one."""
    for folder in [start, *start.parents]:
        config = folder / "kpi.toml"
        if config.is_file():
            import tomllib

            return folder, tomllib.loads(config.read_text(encoding="utf-8"))
    return start, {}


def project_files(start: Path) -> dict[str, Path]:
    """Dataset files mapped in a project's kpi.toml (`[datasets] tickets = "exports/t.csv"`),
    found in the folder given or its parents; paths are relative to kpi.toml."""
    folder, config = _project_config(start)
    return {name: (folder / value) for name, value in config.get("datasets", {}).items()}


def project_params(folder: Path) -> dict[str, str]:
    """The params a project's kpi.toml gives (blanks still "?" are left out)."""
    params = _project_config(folder)[1].get("params", {})
    return {name: str(value) for name, value in params.items() if str(value).strip() != "?"}
