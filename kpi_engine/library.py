"""What plugins contribute, as plain records: industries, dataset schemas, library indicators,
preset policies, export adapters. The texts are `.kpi` source, so everything a plugin ships is
checked by the same front end as a user's policy."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field


@dataclass(frozen=True)
class Industry:
    id: str            # the plugin folder's name, used on the command line: ecommerce_cs
    label: str         # 电商客服
    description: str = ""


@dataclass(frozen=True)
class DatasetSchema:
    industry: str
    name: str          # the dataset name policies use: tickets
    declaration: str   # `.kpi` text: dataset tickets "工单" by agent_id at opened_at { ... }
    description: str = ""


@dataclass(frozen=True)
class LibraryIndicator:
    id: str                       # unique across plugins: ecommerce_cs.response_30s
    industry: str
    label: str                    # 30秒响应率
    definition: str               # what it measures, in the consultant's words
    measure: str                  # `.kpi` measure expression: share(chats where first_response <= 30s)
    unit: str                     # percent | duration | money | number | text
    better: str                   # higher | lower
    source: str                   # data source: 千牛客服工作台
    datasets: tuple[str, ...]     # the dataset schemas the measure reads
    rule: str                     # `.kpi` text of a full indicator block with typical bands
    seed: str = ""                # where the practice comes from (a seed document, a sheet)

    def to_json(self) -> dict:
        data = asdict(self)
        data["datasets"] = list(self.datasets)
        return data


@dataclass(frozen=True)
class Preset:
    name: str          # INDUSTRY.SIZE: ecommerce_cs.small
    industry: str
    size: str          # small | medium | large
    text: str          # the policy text; its policy id is the size: `policy small "..." { ... }`
    description: str = ""
    sample_params: dict = field(default_factory=dict)   # values for its blanks in `kpi demo`


@dataclass(frozen=True)
class ExportColumn:
    """One column of a system export and the dataset field it fills."""
    field: str                    # the dataset field (or the person / time column)
    headers: tuple[str, ...]      # header names as systems export them: ("首次响应时长", "首响时长")
    unit: str   # text | number | money | percent | seconds (clock: the same) | minutes | hours | days | yesno | datetime | date


@dataclass(frozen=True)
class Adapter:
    id: str                       # ecommerce_cs.qianniu_chats
    industry: str
    dataset: str                  # the dataset it produces
    description: str              # 千牛客服工作台 → 客服接待明细 (xlsx/csv)
    columns: tuple[ExportColumn, ...] = field(default_factory=tuple)
