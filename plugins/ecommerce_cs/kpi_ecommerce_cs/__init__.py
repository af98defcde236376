"""kpi-ecommerce-cs: the e-commerce customer-service industry (电商客服) for kpi-engine.

Registered through the ``kpi_engine`` entry-point group like any third-party plugin. What it ships
lives in data files inside this package, read with importlib.resources:

- ``datasets.kpi``     the records a 千牛 / 客服工作台 system holds, as `.kpi` dataset blocks
- ``indicators.toml``  the indicator library, each with a full `.kpi` indicator block
- ``presets/*.kpi``    ``ecommerce_cs.small`` / ``.medium`` / ``.large`` (seed 002's three sizes)
- ``adapters.py``      how 千牛 / 客服工作台 exports with Chinese headers map onto the datasets
- ``sample.py``        the deterministic sample-data generator behind ``kpi demo``
"""
from __future__ import annotations

import re
import tomllib
from functools import lru_cache
from importlib.resources import files

from kpi_engine import hookimpl
from kpi_engine.library import DatasetSchema, Industry, LibraryIndicator, Preset

INDUSTRY = "ecommerce_cs"
SIZES = ("small", "medium", "large")

#: Demo values for the blanks (`?`) of each preset, used by `kpi demo`.
SAMPLE_PARAMS = {
    "small": {"conversion_target": "50%", "step_points": "2"},
    "medium": {},
    "large": {},
}

DESCRIPTIONS = {
    "small": "小型店铺: 5项核心指标(响应、转化、满意度、中差评、退款时效), 一人兼售前售后也适用, 简单分档",
    "medium": "中型团队: 通用指标 + 售前/售后组专项指标, 转化率阶梯奖励与绩效奖金系数, 连续低分培训",
    "large": "大型客服中心: 六个维度的完整体系, 质检60%/客户30%/主管10%多维评价, 组内强制分布与排名奖金, "
             "连续3月末位转岗培训, 大促响应时限放宽与权重调整",
}


def _read(name: str) -> str:
    return files(__package__).joinpath(name).read_text(encoding="utf-8")


# ---- datasets ---------------------------------------------------------------------------------

_DATASET = re.compile(r"^dataset (\w+) \"([^\"]*)\".*?^\}", re.MULTILINE | re.DOTALL)


@lru_cache(maxsize=1)
def dataset_blocks() -> dict[str, tuple[str, str]]:
    """Dataset name → (label, `.kpi` declaration) from datasets.kpi, in file order."""
    return {m[1]: (m[2], m[0]) for m in _DATASET.finditer(_read("datasets.kpi"))}


# ---- indicators -------------------------------------------------------------------------------

_HEADER = re.compile(r"^\s*indicator (\w+) \"([^\"]*)\"", re.MULTILINE)


def _line(rule: str, keyword: str) -> str | None:
    """The rest of the block's first `keyword ...` line (a trailing comment removed)."""
    found = re.search(rf"^\s*{keyword} (?!\w+ =)(.*?)\s*(#.*)?$", rule, re.MULTILINE)
    return found[1] if found else None


def _unquote(text: str | None) -> str:
    return text[1:-1] if text and text.startswith('"') else (text or "")


@lru_cache(maxsize=1)
def library_indicators() -> tuple[LibraryIndicator, ...]:
    table = tomllib.loads(_read("indicators.toml"))
    found = []
    for key, entry in table.items():
        rule = entry["rule"].strip("\n")
        header = _HEADER.search(rule)
        if header is None or header[1] != key:
            raise ValueError(f"indicators.toml [{key}]: the rule must be `indicator {key} \"label\" {{ ... }}`")
        found.append(LibraryIndicator(
            id=f"{INDUSTRY}.{key}", industry=INDUSTRY, label=header[2],
            definition=_unquote(_line(rule, "define")), measure=_line(rule, "measure") or "",
            unit=entry["unit"], better=_line(rule, "better") or "higher",
            source=_unquote(_line(rule, "source")), datasets=tuple(entry["datasets"]),
            rule=rule + "\n", seed=entry.get("seed", "")))
    return tuple(found)


# ---- presets ----------------------------------------------------------------------------------

def preset_text(size: str) -> str:
    return _read(f"presets/{size}.kpi")


# ---- hooks ------------------------------------------------------------------------------------

@hookimpl
def register_industries(register):
    register(Industry(INDUSTRY, "电商客服",
                      "电商平台店铺(淘宝/天猫/京东)的售前与售后客服: 千牛/客服工作台的接待、订单、工单、评价、"
                      "DSR、质检与主管评价数据; 30秒响应、询单转化、FCR、中差评与大促期间的考核"))


@hookimpl
def register_datasets(register):
    for name, (label, declaration) in dataset_blocks().items():
        register(DatasetSchema(industry=INDUSTRY, name=name, declaration=declaration + "\n", description=label))


@hookimpl
def register_indicators(register):
    for indicator in library_indicators():
        register(indicator)


@hookimpl
def register_presets(register):
    for size in SIZES:
        register(Preset(name=f"{INDUSTRY}.{size}", industry=INDUSTRY, size=size, text=preset_text(size),
                        description=DESCRIPTIONS[size], sample_params=dict(SAMPLE_PARAMS[size])))


@hookimpl
def register_adapters(register):
    from .adapters import ADAPTERS

    for adapter in ADAPTERS:
        register(adapter)


@hookimpl
def register_sample_data(register):
    from .sample import generate

    register(INDUSTRY, generate)
