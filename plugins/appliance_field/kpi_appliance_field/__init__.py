"""kpi-engine plugin for appliance field service (家电上门服务): an appliance maker's branches
(分公司) of 客服代表 and service networks (网点) of 上门工程师, as in seed 004's 创维 sheets.

Registered through the ``kpi_engine`` entry-point group (see pyproject.toml), exactly like any
third-party plugin: the industry, its datasets, library indicators, the small/medium/large presets
(``appliance_field.small`` ...), adapters for the work-order system's exports and a sample-data
generator for ``kpi demo``.
"""
from __future__ import annotations

from importlib.resources import files

from kpi_engine import hookimpl
from kpi_engine.library import DatasetSchema, Industry, Preset

from .adapters import ADAPTERS
from .datasets import DATASETS
from .indicators import INDICATORS, INDUSTRY

__version__ = "0.1.0"

SIZES = ("small", "medium", "large")

DESCRIPTIONS = {
    "small": "小型公司: 4个核心指标(24小时完单率、一次修复率、上门满意度、回访率)简单分档,一人兼多岗按实际工作折算; 投诉扣分、媒体曝光否决、等级",
    "medium": "中型公司: 服务效率/服务质量/客服受理三个维度,网点内工单量排名,完单及时率公式,预约准时率按空白扣分标准; 扣分考核; 等级→奖金系数、网点星级奖励、网点内强制分布",
    "large": "大型公司: seed 004 客服代表全套办法(分公司内排名计分、首月计20分、完单及时率公式、扣分考核、媒体曝光否决、前二名奖励后二名罚款) + 多方评价、强制分布、连续期改进措施、空调旺季权重方案",
}

#: Values for the presets' blanks (`?`) in `kpi demo`.
SAMPLE_PARAMS = {
    "small": {},
    "medium": {"punctuality_step": "5"},
    "large": {"execution_penalty": "2"},
}


def preset_text(size: str) -> str:
    """The `.kpi` text of a preset, read from the package (works from a wheel or a zip)."""
    return files(__name__).joinpath("presets", f"{size}.kpi").read_text(encoding="utf-8")


@hookimpl
def register_industries(register):
    register(Industry(INDUSTRY, "家电上门服务",
                      "家电厂家售后: 分公司客服代表受理、派工、回访,网点上门工程师安装维修"
                      "(seed 004 创维公司售后部分岗位绩效考核办法)"))


@hookimpl
def register_datasets(register):
    for name, (declaration, description) in DATASETS.items():
        register(DatasetSchema(industry=INDUSTRY, name=name, declaration=declaration, description=description))


@hookimpl
def register_indicators(register):
    for indicator in INDICATORS:
        register(indicator)


@hookimpl
def register_presets(register):
    for size in SIZES:
        register(Preset(name=f"{INDUSTRY}.{size}", industry=INDUSTRY, size=size, text=preset_text(size),
                        description=DESCRIPTIONS[size], sample_params=dict(SAMPLE_PARAMS[size])))


@hookimpl
def register_adapters(register):
    for adapter in ADAPTERS:
        register(adapter)


@hookimpl
def register_sample_data(register):
    from .sample import generate

    register(INDUSTRY, generate)
