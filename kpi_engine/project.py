"""A client project on disk: `kpi init` writes a policy that extends an industry preset and a
kpi.toml beside it; `kpi demo` adds a month of generated data and scores it."""
from __future__ import annotations

from pathlib import Path

import tomli_w

from . import ast
from .compile.periods import Period
from .errors import KpiError
from .plugins import registry

SIZES = ("small", "medium", "large")


def preset_for(industry: str, size: str):
    library = registry()
    library.industry(industry)
    name = f"{industry}.{size}"
    if name not in library.presets:
        have = ", ".join(sorted(n for n in library.presets if n.startswith(industry + "."))) or "none"
        raise KpiError(f"the {industry} plugin has no {size} preset (it has: {have})")
    return library.presets[name]


def init_project(folder: Path, industry: str, size: str, params: dict | None = None) -> tuple[Path, Path]:
    """Write folder/policy.kpi (extending the preset) and folder/kpi.toml; refuse to overwrite.
    `params` fills blanks in kpi.toml (the demo's sample values); the rest stay "?" to fill."""
    from .parse import parse

    preset = preset_for(industry, size)
    policy_path, config_path = folder / "policy.kpi", folder / "kpi.toml"
    for path in (policy_path, config_path):
        if path.exists():
            raise KpiError(f"{path} already exists; choose an empty folder")
    base = parse(preset.text, f"<preset {preset.name}>").policies[0]
    blanks = [p for p in base.of(ast.Param) if any(v.value == ast.Literal("blank", None) for v in p.values)]
    period = base.setting(ast.PeriodSetting)
    label = base.label or preset.name
    lines = [f"# {label}: starts from the {preset.name} preset ({registry().industry(industry).label}).",
             "# Items declared here replace the preset's items with the same id; `drop ID` removes one.",
             f'policy client "{label}" extends {preset.name} {{']
    for param in blanks:
        lines.append(f"  # param {param.id.name}: {param.label or ''} is a blank; give it in kpi.toml [params]")
    lines += ["}", ""]
    folder.mkdir(parents=True, exist_ok=True)
    datasets = {d.id.name: f"data/{d.id.name}.csv" for d in base.of(ast.Dataset)}
    config = {
        "project": {"industry": industry, "size": size, "policy": "policy.kpi",
                    "period": period.kind.name if period else "month"},
        "datasets": datasets,
        "params": {p.id.name: str((params or {}).get(p.id.name, "?")) for p in blanks},
        "calendar": {tag.id.name: [f"{r.start}..{r.end}" for r in tag.ranges]
                     for calendar in base.of(ast.Calendar) for tag in calendar.tags},
    }
    policy_path.write_text("\n".join(lines), encoding="utf-8")
    config_path.write_text(tomli_w.dumps(config), encoding="utf-8")
    return policy_path, config_path


def generate_sample(folder: Path, industry: str, period: Period, people: int, seed: int = 1) -> Path:
    library = registry()
    if industry not in library.generators:
        raise KpiError(f"the {industry} plugin registers no sample-data generator")
    out = folder / "data"
    out.mkdir(parents=True, exist_ok=True)
    library.generators[industry](out, period, people, seed)
    return out
