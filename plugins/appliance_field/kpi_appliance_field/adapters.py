"""Adapters for the exports of a field-service system (CRM 工单明细, 上门签到, 回访记录, 工作量日报).

Header names are those the systems print, with the variants seen between vendors and versions
(工单编号 / 工单号 / 服务单号). Units say how a system writes a value: 派工时间 "2026/10/05 14:03"
(datetime), 是否一次修复 "是/否" (yesno), 上门时长 "1小时20分" (seconds: a written-out duration),
完工时长(小时) "26.5" (hours), 服务费 "120元" (money), 满意度 "95%" (percent → 0.95).
The conversion itself is the engine's (``kpi_engine.adapt.convert_export``).
"""
from __future__ import annotations

from kpi_engine.library import Adapter, ExportColumn

INDUSTRY = "appliance_field"


def _c(field: str, unit: str, *headers: str) -> ExportColumn:
    return ExportColumn(field=field, headers=tuple(headers), unit=unit)


ORDER_EXPORT = Adapter(
    id="appliance_field.order_export",
    industry=INDUSTRY,
    dataset="orders",
    description="CRM 工单明细导出 (xlsx/csv) → orders: 一行一张工单,含派工/预约/上门/完工时间、一次修复、返修、补单、虚假完单、服务费、回访满意度",
    columns=(
        _c("engineer_id", "text", "工程师工号", "服务工程师工号", "服务工程师编号"),
        _c("dispatched_at", "datetime", "派工时间", "派单时间"),
        _c("order_id", "text", "工单编号", "工单号", "服务单号"),
        _c("rep_id", "text", "派工客服工号", "受理客服工号", "客服工号"),
        _c("network", "text", "服务网点", "网点名称", "网点"),
        _c("kind", "text", "服务类型", "工单类型"),
        _c("product", "text", "产品品类", "产品大类", "品类"),
        _c("status", "text", "工单状态", "状态"),
        _c("appointment_at", "datetime", "预约时间", "预约上门时间"),
        _c("arrived_at", "datetime", "上门时间", "首次上门时间", "签到时间"),
        _c("completed_at", "datetime", "完工时间", "完成时间"),
        _c("done", "yesno", "是否完工", "已完工"),
        _c("done_day", "number", "完单天数", "第几天完单"),
        _c("age_days", "number", "工单天数", "工单时长(天)"),
        _c("lead_time", "hours", "完工时长(小时)", "完工用时(小时)"),
        _c("fixed_first_visit", "yesno", "是否一次修复", "一次修复"),
        _c("reopened", "yesno", "是否返修", "返修"),
        _c("late_entry", "yesno", "是否补单", "上门后补单"),
        _c("false_completion", "yesno", "是否虚假完单", "虚假完单"),
        _c("satisfaction", "percent", "满意度", "回访满意度"),
        _c("fee", "money", "服务费", "服务费用", "收费金额"),
    ),
)

VISIT_EXPORT = Adapter(
    id="appliance_field.visit_export",
    industry=INDUSTRY,
    dataset="visits",
    description="上门签到记录导出 (APP 签到/签退) → visits: 一行一次上门,含预约时间、是否准时、上门时长",
    columns=(
        _c("engineer_id", "text", "工程师工号", "服务工程师工号"),
        _c("arrived_at", "datetime", "签到时间", "到达时间"),
        _c("order_id", "text", "工单编号", "工单号"),
        _c("visit_no", "number", "上门次数", "第几次上门"),
        _c("appointment_at", "datetime", "预约时间", "预约上门时间"),
        _c("on_time", "yesno", "是否准时", "准时上门"),
        _c("onsite", "seconds", "上门时长", "服务时长"),
        _c("fixed", "yesno", "本次是否解决", "是否解决"),
    ),
)

SURVEY_EXPORT = Adapter(
    id="appliance_field.survey_export",
    industry=INDUSTRY,
    dataset="surveys",
    description="满意度回访记录导出 → surveys: 一行一次回访,含是否接通、评价、满意度评分",
    columns=(
        _c("engineer_id", "text", "服务工程师工号", "工程师工号"),
        _c("surveyed_at", "datetime", "回访时间"),
        _c("order_id", "text", "工单编号", "工单号"),
        _c("rep_id", "text", "回访客服工号", "客服工号"),
        _c("reached", "yesno", "是否接通", "接通"),
        _c("rating", "text", "用户评价", "满意度评价"),
        _c("score", "number", "满意度评分", "评分"),
    ),
)

CRM_DAILY_EXPORT = Adapter(
    id="appliance_field.crm_daily_export",
    industry=INDUSTRY,
    dataset="crm_daily",
    description="CRM 客服工作量日报导出 → crm_daily: 一行一人一天,含出勤与受理/派工/反馈完单/回访量",
    columns=(
        _c("rep_id", "text", "客服工号", "员工工号"),
        _c("day", "date", "日期", "统计日期"),
        _c("present", "yesno", "是否出勤", "出勤"),
        _c("accepted", "number", "受理量"),
        _c("dispatched", "number", "派工量"),
        _c("closed", "number", "反馈完单量", "完单量"),
        _c("callbacks", "number", "回访量"),
    ),
)

ADAPTERS: tuple[Adapter, ...] = (ORDER_EXPORT, VISIT_EXPORT, SURVEY_EXPORT, CRM_DAILY_EXPORT)
