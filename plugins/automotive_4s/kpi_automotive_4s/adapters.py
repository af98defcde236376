"""Adapters for what a DMS (经销商管理系统) exports, with its Chinese headers and units, onto the
automotive_4s datasets. Header alternatives cover the names common DMS products use for the same
column; `kpi_engine.adapt.convert_export` does the conversion (units: "3小时20分", "1,234.50元",
"¥856", "95%", 是/否, "2026/10/05 14:03", Excel date cells)."""
from __future__ import annotations

from kpi_engine.library import Adapter, ExportColumn as C

INDUSTRY = "automotive_4s"

REPAIR_ORDERS = Adapter(
    id="automotive_4s.dms_repair_orders",
    industry=INDUSTRY,
    dataset="repair_orders",
    description="DMS 维修工单明细 (xlsx/csv): 每张工单一行, 服务顾问工号、进厂/交车时间、工时费、配件费、产值、毛利、预约、返修",
    columns=(
        C("order_no", ("工单号", "维修工单号", "委托书号"), "text"),
        C("advisor_id", ("服务顾问工号", "顾问工号", "服务顾问编号"), "text"),
        C("opened_at", ("进厂时间", "进店时间", "开单时间"), "datetime"),
        C("kind", ("维修类型", "维修类别", "业务类型"), "text"),
        C("closed_at", ("交车时间", "出厂时间"), "datetime"),
        C("cycle", ("维修时长", "在厂时长"), "seconds"),
        C("reception", ("接车时长", "接待时长"), "seconds"),
        C("labour_amount", ("工时费", "工时费用"), "money"),
        C("parts_amount", ("配件费", "材料费", "配件费用"), "money"),
        C("output", ("产值", "维修产值", "产值(不含税)"), "money"),
        C("gross_profit", ("毛利", "毛利额"), "money"),
        C("sold_hours", ("工时", "售出工时", "工时数"), "number"),
        C("appointment", ("是否预约", "预约"), "yesno"),
        C("comeback", ("是否返修", "返修"), "yesno"),
        C("fixed_first_time", ("一次修复", "是否一次修复"), "yesno"),
        C("bay", ("工位", "工位号"), "text"),
    ),
)

JOBS = Adapter(
    id="automotive_4s.dms_jobs",
    industry=INDUSTRY,
    dataset="jobs",
    description="DMS 派工完工明细 (xlsx/csv, often GBK): 每个完工派工一行, 技师工号、完工时间、派工/实际工时、返修、终检",
    columns=(
        C("order_no", ("工单号", "维修工单号", "委托书号"), "text"),
        C("technician_id", ("技师工号", "主修技师工号", "维修技师工号"), "text"),
        C("finished_at", ("完工时间", "竣工时间"), "datetime"),
        C("kind", ("维修类型", "维修类别", "业务类型"), "text"),
        C("cycle", ("维修周期(小时)", "维修周期"), "hours"),
        C("sold_hours", ("派工工时", "标准工时"), "number"),
        C("clocked_hours", ("实际工时", "作业工时"), "number"),
        C("labour_amount", ("工时费", "工时费用"), "money"),
        C("comeback", ("是否返修", "返修"), "yesno"),
        C("fixed_first_time", ("一次修复", "是否一次修复"), "yesno"),
        C("qc_passed", ("终检一次合格", "终检合格"), "yesno"),
        C("bay", ("工位", "工位号"), "text"),
    ),
)

FOLLOWUPS = Adapter(
    id="automotive_4s.dms_followups",
    industry=INDUSTRY,
    dataset="followups",
    description="DMS/呼叫中心 回访记录 (csv/xlsx): 每台交车一行, 是否回访、48小时内回访、满意度(95%)、推荐意愿(0-10)",
    columns=(
        C("order_no", ("工单号", "维修工单号", "委托书号"), "text"),
        C("advisor_id", ("服务顾问工号", "顾问工号", "服务顾问编号"), "text"),
        C("delivered_at", ("交车时间", "出厂时间"), "datetime"),
        C("visited", ("是否回访", "回访成功"), "yesno"),
        C("within_48h", ("48小时内回访", "是否48小时内回访"), "yesno"),
        C("csi", ("满意度", "客户满意度", "满意度得分"), "percent"),
        C("recommend", ("推荐意愿", "推荐意愿(0-10)", "NPS评分"), "number"),
    ),
)

ADAPTERS = (REPAIR_ORDERS, JOBS, FOLLOWUPS)
