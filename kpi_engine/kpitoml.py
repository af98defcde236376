"""What a client project's kpi.toml says a run reads: its dataset files and its params (found in
the policy's folder or a parent). Light on imports: a `kpi score` whose plan is in the plan cache
needs only these."""
from __future__ import annotations

import tomllib
from pathlib import Path


def project_files(start: Path) -> dict[str, Path]:
    """Dataset files mapped in a project's kpi.toml (`[datasets] tickets = "exports/t.csv"`),
    found in the folder given or its parents; paths are relative to kpi.toml."""
    for folder in [start, *start.parents]:
        config = folder / "kpi.toml"
        if config.is_file():
            mapping = tomllib.loads(config.read_text(encoding="utf-8")).get("datasets", {})
            return {name: (folder / value) for name, value in mapping.items()}
    return {}


def project_params(folder: Path) -> dict[str, str]:
    """The params a project's kpi.toml gives (blanks still "?" are left out)."""
    for candidate in [folder, *folder.parents]:
        config = candidate / "kpi.toml"
        if config.is_file():
            params = tomllib.loads(config.read_text(encoding="utf-8")).get("params", {})
            return {name: str(value) for name, value in params.items() if str(value).strip() != "?"}
    return {}
