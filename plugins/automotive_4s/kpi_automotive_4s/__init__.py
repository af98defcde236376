"""kpi-automotive-4s: car-dealership after-sales assessment (汽车4S店售后) for kpi-engine.

Registered through the ``kpi_engine`` entry-point group like any third-party plugin:

- ``datasets.py``   what a DMS (dealer management system) holds, as `.kpi` dataset declarations
- ``indicators.py`` the indicator library (``automotive_4s.csi`` ...), each with a full indicator block
- ``presets/*.kpi`` ``automotive_4s.small`` / ``.medium`` / ``.large`` (seed 002's three sizes;
  large is seed 004's five-dimension 4S system), read with importlib.resources
- ``adapters.py``   DMS 维修工单 and 回访 exports with Chinese headers → the datasets
- ``sample.py``     the deterministic sample-data generator behind ``kpi demo``
"""
from __future__ import annotations

from importlib.resources import files

from kpi_engine import hookimpl
from kpi_engine.library import DatasetSchema, Industry, Preset

from .adapters import ADAPTERS
from .datasets import DATASETS
from .indicators import INDICATORS, INDUSTRY
from .sample import generate

SIZES = ("small", "medium", "large")

#: Demo values for each preset's blanks (`?`), used by `kpi demo`.
SAMPLE_PARAMS = {
    "small": {"ticket_target": "3000元"},
    "medium": {},
    "large": {},
}

DESCRIPTIONS = {
    "small": "小型店/一人多岗: 6项核心指标(满意度、投诉、返修、维修周期、客单价、配件及时), 简单分档, "
             "只按本人做过的岗位计分; 客单价目标留空由门店填写",
    "medium": "中型店: 核心指标 + 服务顾问/机电/钣喷/配件班组专项指标, 班组内业绩排名, 等级A-E与奖金系数, "
              "连续低分导师带教",
    "large": "大型集团: 满意度20%/维修效率25%/配件15%/服务效率20%/收入20%的完整体系, 质检60%/客户30%/主管10%"
             "多维评价, 门店内强制分布, 班组排名奖罚, 连续低分培训与末位转岗, 售后服务月权重调整",
}


def preset_text(size: str) -> str:
    return files(__package__).joinpath("presets", f"{size}.kpi").read_text(encoding="utf-8")


@hookimpl
def register_industries(register):
    register(Industry(INDUSTRY, "汽车4S店售后",
                      "汽车4S店售后服务部: 服务顾问、维修技师、配件员; 数据来自DMS维修工单、派工、回访、配件出库"))


@hookimpl
def register_datasets(register):
    for name, (label, description, declaration) in DATASETS.items():
        register(DatasetSchema(INDUSTRY, name, declaration, f"{label}: {description}"))


@hookimpl
def register_indicators(register):
    for indicator in INDICATORS:
        register(indicator)


@hookimpl
def register_presets(register):
    for size in SIZES:
        register(Preset(f"{INDUSTRY}.{size}", INDUSTRY, size, preset_text(size), DESCRIPTIONS[size],
                        dict(SAMPLE_PARAMS[size])))


@hookimpl
def register_adapters(register):
    for adapter in ADAPTERS:
        register(adapter)


@hookimpl
def register_sample_data(register):
    register(INDUSTRY, generate)
