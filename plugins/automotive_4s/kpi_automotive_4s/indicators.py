"""The 4S after-sales indicator library: what each KPI means, how it is measured over the DMS
datasets, and a typical scoring rule. The `rule` text is generated from the same measure, so the
two cannot drift apart; thresholds are typical dealer-group values (示例), to be tuned per brand."""
from __future__ import annotations

from kpi_engine.library import LibraryIndicator

INDUSTRY = "automotive_4s"

INDICATORS: list[LibraryIndicator] = []


def _indicator(key: str, label: str, *, definition: str, measure: str, unit: str, better: str,
               source: str, datasets: tuple[str, ...], scoring: str, seed: str = "") -> None:
    body = "\n".join("  " + line for line in scoring.strip("\n").splitlines())
    rule = (f'indicator {key} "{label}" {{\n'
            f'  define "{definition}"\n'
            f'  source "{source}"\n'
            f"  better {better}\n"
            f"  measure {measure}\n"
            f"{body}\n"
            f"}}")
    INDICATORS.append(LibraryIndicator(
        id=f"{INDUSTRY}.{key}", industry=INDUSTRY, label=label, definition=definition, measure=measure,
        unit=unit, better=better, source=source, datasets=datasets, rule=rule, seed=seed))


# ---- 客户满意 ----------------------------------------------------------------------------------

_indicator(
    "csi", "售后服务客户满意度",
    definition="交车后回访的满意度平均(95% 即95分); 目标值60分, 60分及以下得0分, 60分以上每增加1分加2.5分",
    measure="avg(followups.csi)", unit="percent", better="higher", source="客户回访(满意度调研)",
    datasets=("followups",),
    scoring="linear 0 at 60%, +2.5 per 1%, min 0, max 100",
    seed="004 售后服务岗绩效考核指标: 售后服务客户满意度")

_indicator(
    "complaint_timely", "投诉处理及时率",
    definition="24小时内响应并处理的投诉 / 投诉总数",
    measure="share(complaints where handled_in_time)", unit="percent", better="higher",
    source="客户投诉台账", datasets=("complaints",),
    scoring="""
bands {
  >= 100% : 100
  >= 90% : 80
  >= 80% : 60
  else : 0
}""",
    seed="004 4S店售后KPI考核细则: 投诉处理及时率")

_indicator(
    "complaint_resolved", "投诉有效处理率",
    definition="客户认可处理结果的有效投诉 / 有效投诉总数; 目标值100%",
    measure="count(complaints where valid and resolved) / count(complaints where valid)", unit="percent",
    better="higher", source="客户投诉台账", datasets=("complaints",),
    scoring="""
bands {
  >= 100% : 100
  >= 90% : 80
  >= 80% : 60
  else : 0
}""",
    seed="004 顾客质量投诉有效处理率")

_indicator(
    "followup_rate", "售后回访率",
    definition="完成回访的交车台次 / 交车台次",
    measure="share(followups where visited)", unit="percent", better="higher", source="客户回访",
    datasets=("followups",),
    scoring="""
bands {
  >= 95% : 100
  >= 90% : 80
  >= 80% : 60
  else : 0
}""",
    seed="004 4s店售后kpi考核方案: 售后回访率")

_indicator(
    "followup_48h", "48小时回访率",
    definition="交车后48小时内完成回访的台次 / 交车台次",
    measure="share(followups where within_48h)", unit="percent", better="higher", source="客户回访",
    datasets=("followups",),
    scoring="""
bands {
  >= 100% : 100
  >= 90% : 80
  >= 80% : 60
  else : 0
}""",
    seed="003 48小时内回访率")

_indicator(
    "nps", "客户净推荐值(NPS)",
    definition="(推荐者 9-10分 - 贬损者 0-6分) / 完成回访数; -100%..100%",
    measure="(count(followups where recommend >= 9) - count(followups where recommend <= 6)) / count(followups where visited)",
    unit="percent", better="higher", source="客户回访", datasets=("followups",),
    scoring="""
bands {
  >= 50% : 100
  >= 30% : 80
  >= 10% : 60
  else : 0
}""",
    seed="000 客户净推荐值(NPS)")

# ---- 故障维修效率 ------------------------------------------------------------------------------

_indicator(
    "repair_cycle", "故障维修周期",
    definition="机修(故障维修)工单从进厂到交车的平均时长",
    measure='avg(jobs.cycle where kind = "机修")', unit="duration", better="lower", source="DMS维修派工",
    datasets=("jobs",),
    scoring="""
bands {
  <= 8h : 100
  <= 1d : 80
  <= 2d : 60
  else : 0
}""",
    seed="004 4S店售后KPI考核细则: 故障维修周期")

_indicator(
    "comeback", "返修率",
    definition="因同一故障返厂的台次 / 维修台次",
    measure="share(jobs where comeback)", unit="percent", better="lower", source="DMS维修派工",
    datasets=("jobs",),
    scoring="""
bands {
  <= 1% : 100
  <= 2% : 80
  <= 3% : 60
  else : 0
}""",
    seed="004 4S店售后KPI考核细则: 故障返修率")

_indicator(
    "first_time_fix", "一次修复率",
    definition="一次修复(无需返工或二次进厂)的台次 / 维修台次",
    measure="share(jobs where fixed_first_time)", unit="percent", better="higher", source="DMS维修派工",
    datasets=("jobs",),
    scoring="""
bands {
  >= 98% : 100
  >= 95% : 80
  >= 90% : 60
  else : 0
}""",
    seed="004 售前售后的kpi考核工作内容: 一次维修成功率")

_indicator(
    "qc_pass", "质检一次合格率",
    definition="终检一次合格的台次 / 完工台次",
    measure="share(jobs where qc_passed)", unit="percent", better="higher", source="DMS终检记录",
    datasets=("jobs",),
    scoring="""
bands {
  >= 98% : 100
  >= 95% : 80
  >= 90% : 60
  else : 0
}""",
    seed="004 4S店售后KPI考核细则(二): 维修合格率")

# ---- 配件供应 ----------------------------------------------------------------------------------

_indicator(
    "parts_on_time", "配件供应及时率",
    definition="承诺时间内送到工位的配件需求 / 配件需求总数",
    measure="share(parts_requests where supplied_in_time)", unit="percent", better="higher",
    source="DMS配件出库", datasets=("parts_requests",),
    scoring="""
bands {
  >= 98% : 100
  >= 95% : 80
  >= 90% : 60
  else : 0
}""",
    seed="004 4S店售后KPI考核细则: 配件供应及时性")

_indicator(
    "parts_fill_rate", "配件一次满足率",
    definition="库存一次满足的配件需求 / 配件需求总数",
    measure="share(parts_requests where from_stock)", unit="percent", better="higher",
    source="DMS配件出库", datasets=("parts_requests",),
    scoring="""
bands {
  >= 95% : 100
  >= 90% : 80
  >= 85% : 60
  else : 0
}""")

_indicator(
    "parts_quality", "配件质量问题率",
    definition="装车后发现质量问题的配件需求 / 配件需求总数",
    measure="share(parts_requests where quality_issue)", unit="percent", better="lower",
    source="DMS配件出库、索赔记录", datasets=("parts_requests",),
    scoring="""
bands {
  <= 0.5% : 100
  <= 1% : 80
  <= 2% : 60
  else : 0
}""",
    seed="004 4S店售后KPI考核细则: 配件质量")

# ---- 售后服务效率 ------------------------------------------------------------------------------

_indicator(
    "labour_utilisation", "工时利用率",
    definition="维修技师实际作业工时 / 出勤工时 (只计维修技师的出勤)",
    measure='sum(jobs.clocked_hours) / sum(attendance.hours where role = "维修技师")', unit="percent",
    better="higher", source="DMS维修派工、考勤月报", datasets=("jobs", "attendance", "staff"),
    scoring="""
bands {
  >= 85% : 100
  >= 75% : 80
  >= 65% : 60
  else : 0
}""",
    seed="004 4S店售后KPI考核细则: 维修工时利用率")

_indicator(
    "labour_efficiency", "工时效率",
    definition="派工(售出)工时 / 实际作业工时",
    measure="sum(jobs.sold_hours) / sum(jobs.clocked_hours)", unit="percent", better="higher",
    source="DMS维修派工", datasets=("jobs",),
    scoring="""
bands {
  >= 110% : 100
  >= 100% : 80
  >= 90% : 60
  else : 0
}""",
    seed="004 维修工时标准完成率")

_indicator(
    "bay_turnover", "车间车位周转率",
    definition="每个机电工位每个开工日的平均修车台次 (当期每日平均修车台数 / 车间修车车位数)",
    measure='sum(bays.vehicles where bay_type = "机电工位") / sum(bays.open_days where bay_type = "机电工位")',
    unit="number", better="higher", source="车间工位月报", datasets=("bays",),
    scoring="""
bands {
  >= 2 : 100
  >= 1.5 : 80
  >= 1 : 60
  else : 0
}""",
    seed="004 汽车4S店售后服务部门KPI: 车间车位周转率")

_indicator(
    "booking_rate", "维修预约率",
    definition="办理预约的进厂台次 / 总进厂台次",
    measure="share(repair_orders where appointment)", unit="percent", better="higher",
    source="DMS维修工单", datasets=("repair_orders",),
    scoring="""
bands {
  >= 60% : 100
  >= 50% : 80
  >= 40% : 60
  else : 0
}""",
    seed="004 汽车售后服务KPI指标解析: 维修预约率")

_indicator(
    "reception_time", "服务接待时长",
    definition="客户到店至开出工单的平均时长",
    measure="avg(repair_orders.reception)", unit="duration", better="lower", source="DMS维修工单",
    datasets=("repair_orders",),
    scoring="""
bands {
  <= 10min : 100
  <= 15min : 80
  <= 20min : 60
  else : 0
}""",
    seed="004 4S店售后KPI考核细则: 服务接待效率")

_indicator(
    "visits", "进厂台次",
    definition="当期开出的维修工单数(进厂车辆台次)",
    measure="count(repair_orders)", unit="number", better="higher", source="DMS维修工单",
    datasets=("repair_orders",),
    scoring="""
bands {
  >= 150 : 100
  >= 120 : 80
  >= 90 : 60
  else : 0
}""",
    seed="004 汽车4S店售后服务部门KPI: 进厂车辆台数")

# ---- 售后服务收入 ------------------------------------------------------------------------------

_indicator(
    "output", "售后产值",
    definition="当期维修工单产值(不含税,工时费 + 配件费 + 其他)合计",
    measure="sum(repair_orders.output)", unit="money", better="higher", source="DMS维修工单",
    datasets=("repair_orders",),
    scoring="""
bands {
  >= 300000元 : 100
  >= 250000元 : 80
  >= 200000元 : 60
  else : 0
}""",
    seed="004 售后服务收入额")

_indicator(
    "output_achievement", "售后产值达成率",
    definition="当期售后产值 / 当期产值目标",
    measure="sum(repair_orders.output) / sum(targets.output_target)", unit="percent", better="higher",
    source="DMS维修工单、月度目标", datasets=("repair_orders", "targets"),
    scoring="linear 0 at 0%, +1 per 1%, min 0, max 100",
    seed="004 售后目标达成率")

_indicator(
    "ticket", "客单价",
    definition="维修产值(不含税) / 进厂台次",
    measure="sum(repair_orders.output) / count(repair_orders)", unit="money", better="higher",
    source="DMS维修工单", datasets=("repair_orders",),
    scoring="""
bands {
  >= 3000元 : 100
  >= 2500元 : 80
  >= 2000元 : 60
  else : 0
}""",
    seed="004 客单价(税后)")

_indicator(
    "gross_margin", "服务毛利率",
    definition="服务毛利 / 服务收入(产值)",
    measure="sum(repair_orders.gross_profit) / sum(repair_orders.output)", unit="percent",
    better="higher", source="DMS维修工单、财务", datasets=("repair_orders",),
    scoring="""
bands {
  >= 40% : 100
  >= 35% : 80
  >= 30% : 60
  else : 0
}""",
    seed="004 服务毛利率")

_indicator(
    "labour_parts_ratio", "工时/配件收入比",
    definition="维修工时收入 / 维修配件收入",
    measure="sum(repair_orders.labour_amount) / sum(repair_orders.parts_amount)", unit="percent",
    better="higher", source="DMS维修工单", datasets=("repair_orders",),
    scoring="""
bands {
  >= 60% : 100
  >= 50% : 80
  >= 40% : 60
  else : 0
}""",
    seed="004 工时/零部件收入比")

# ---- 纪律 ----------------------------------------------------------------------------------------

_indicator(
    "attendance_rate", "出勤率",
    definition="实际出勤天数 / 应出勤天数",
    measure="sum(attendance.present_days) / sum(attendance.scheduled_days)", unit="percent",
    better="higher", source="考勤月报", datasets=("attendance",),
    scoring="""
bands {
  >= 100% : 100
  >= 95% : 80
  >= 90% : 60
  else : 0
}""")
