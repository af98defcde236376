"""kpi-elevator: the elevator-maintenance industry (电梯维保) for kpi-engine, a complete example plugin.

It implements every hook: the industry, its dataset schemas, a library indicator, a preset
(`elevator.small`), an adapter for the maintenance system's export, a sample-data generator (so
`kpi demo --industry elevator --size small` works with it installed) and a command,
`kpi elevator-template`, that writes the header row the maintenance system's export must have.
"""
from __future__ import annotations

import csv
import random
import re
from datetime import datetime, timedelta
from importlib.resources import files
from pathlib import Path

import click

from kpi_engine import hookimpl
from kpi_engine.library import Adapter, DatasetSchema, ExportColumn, Industry, LibraryIndicator, Preset

INDUSTRY = "elevator"
PRESET = files(__package__).joinpath("small.kpi").read_text(encoding="utf-8")


def block(keyword: str, name: str) -> str:
    """One `dataset` or `indicator` block of the preset, so the library and the preset agree."""
    found = re.search(rf"^  {keyword} {name} .*?^  \}}", PRESET, re.MULTILINE | re.DOTALL)
    return found.group(0).replace("\n  ", "\n").strip()


@hookimpl
def register_industries(register):
    register(Industry(INDUSTRY, "电梯维保", "电梯维护保养公司: 半月保养与急修"))


@hookimpl
def register_datasets(register):
    for name in ("staff", "visits"):
        register(DatasetSchema(INDUSTRY, name, block("dataset", name)))


@hookimpl
def register_indicators(register):
    register(LibraryIndicator(
        id="elevator.on_schedule", industry=INDUSTRY, label="保养及时率",
        definition="按计划日期完成的半月保养 / 全部半月保养",
        measure='count(visits where kind = "半月保养" and on_time) / count(visits where kind = "半月保养")', unit="percent", better="higher",
        source="维保管理系统 · 维保工单", datasets=("visits",), rule=block("indicator", "on_schedule"),
        seed="TSG T5002 电梯维护保养规则: 半月保养"))


@hookimpl
def register_presets(register):
    register(Preset(name="elevator.small", industry=INDUSTRY, size="small", text=PRESET,
                    description="两项核心指标(保养及时率、急修到场及时率)与困人超时一票否决"))


VISIT_EXPORT = Adapter(
    id="elevator.visit_export", industry=INDUSTRY, dataset="visits",
    description="维保管理系统 → 维保工单明细 (xlsx/csv)",
    columns=(
        ExportColumn("engineer_id", ("维保人员工号", "工号"), "text"),
        ExportColumn("arrived_at", ("到场时间",), "datetime"),
        ExportColumn("kind", ("工单类型",), "text"),
        ExportColumn("on_time", ("是否按期",), "yesno"),
        ExportColumn("response", ("响应时长(分钟)",), "minutes"),
        ExportColumn("trapped", ("是否困人",), "yesno"),
    ),
)


@hookimpl
def register_adapters(register):
    register(VISIT_EXPORT)


@hookimpl
def register_sample_data(register):
    register(INDUSTRY, generate)


def generate(out_dir, period, people, seed):
    """A month of visits: two scheduled services per lift, an emergency call now and then."""
    draw = random.Random(seed)
    staff = [(f"el{n:03d}", f"维保员{n}", f"第{n % 3 + 1}站") for n in range(1, people + 1)]
    with open(out_dir / "staff.csv", "w", newline="", encoding="utf-8") as file:
        csv.writer(file).writerows([("employee_id", "name", "station"), *staff])
    days = (period.end - period.start).days
    rows = [("engineer_id", "arrived_at", "kind", "on_time", "response", "trapped")]
    for employee_id, _, _ in staff:
        diligence = draw.uniform(0.94, 1.0)
        for _ in range(draw.randint(20, 30)):
            day = datetime.combine(period.start, datetime.min.time()) + timedelta(days=draw.randrange(days), hours=9)
            if draw.random() < 0.15:
                minutes = draw.randint(8, 36)
                trapped = draw.random() < 0.1
                rows.append((employee_id, day.isoformat(), "急修", "true", minutes * 60, str(trapped).lower()))
            else:
                on_time = draw.random() < diligence
                rows.append((employee_id, day.isoformat(), "半月保养", str(on_time).lower(), "", "false"))
    with open(out_dir / "visits.csv", "w", newline="", encoding="utf-8") as file:
        csv.writer(file).writerows(rows)


@hookimpl
def register_commands(cli):
    @cli.command(name="elevator-template")
    @click.argument("path", type=click.Path(dir_okay=False))
    def elevator_template(path):
        """Write an empty export (the header row) for the maintenance system to fill."""
        from kpi_engine.cli import write_atomically

        write_atomically(Path(path), ",".join(column.headers[0] for column in VISIT_EXPORT.columns) + "\n")
        click.echo(f"wrote {path}: export the 维保工单 with these columns, then `kpi import {path} --out data`")
