"""Adapters for 千牛 / 客服工作台 exports: Chinese headers, units as the systems print them.

Each adapter names the dataset it fills and, per column, the headers the export may use and the
unit of its cells; `kpi_engine.adapt` does the conversion. Sample exports for each are under
``tests/exports/``.
"""
from __future__ import annotations

from kpi_engine.library import Adapter, ExportColumn as C

INDUSTRY = "ecommerce_cs"

ADAPTERS = (
    Adapter(
        id="ecommerce_cs.qianniu_chats", industry=INDUSTRY, dataset="chats",
        description="千牛客服工作台 → 客服接待明细 (csv/xlsx): one row per received session",
        columns=(
            C("agent_id", ("客服昵称", "旺旺名", "接待客服", "客服子账号"), "text"),
            C("started_at", ("接待时间", "咨询时间", "会话开始时间"), "datetime"),
            C("inquiry", ("是否询单", "询单"), "yesno"),
            C("invalid", ("是否广告", "无效咨询", "是否无效咨询"), "yesno"),
            C("replied", ("是否回复", "已回复"), "yesno"),
            C("first_response", ("首次响应时长", "首响时长", "首次响应时间"), "seconds"),
            C("avg_response", ("平均响应时长", "平均响应时间"), "seconds"),
            C("converted", ("是否转化", "询单转化", "是否下单"), "yesno"),
        )),
    Adapter(
        id="ecommerce_cs.qianniu_performance", industry=INDUSTRY, dataset="cs_daily",
        description="千牛 → 客服绩效报表 (按日, xlsx/csv): 接待人数、询单转化率 \"12.5%\"、客单价 \"1,234.50元\"",
        columns=(
            C("agent_id", ("客服昵称", "旺旺名", "客服"), "text"),
            C("day", ("日期", "统计日期"), "date"),
            C("received", ("接待人数", "咨询人数"), "number"),
            C("inquiries", ("询单人数",), "number"),
            C("paid_buyers", ("询单->最终付款人数", "询单→最终付款人数", "最终付款人数"), "number"),
            C("sales", ("客服销售额", "销售额"), "money"),
            C("conversion", ("询单->最终付款转化率", "询单转化率", "咨询转化率"), "percent"),
            C("avg_order_value", ("客单价", "客服客单价"), "money"),
            C("first_response", ("平均首次响应时长", "首次响应时长", "平均首响"), "seconds"),
            C("reply_rate", ("回复率",), "percent"),
        )),
    Adapter(
        id="ecommerce_cs.qianniu_reviews", industry=INDUSTRY, dataset="reviews",
        description="千牛 → 评价管理 → 评价明细导出 (csv): 好评/中评/差评 per order, with the serving agent",
        columns=(
            C("agent_id", ("接待客服", "客服昵称", "落实客服"), "text"),
            C("reviewed_at", ("评价时间",), "datetime"),
            C("rating", ("评价结果", "评价等级"), "text"),
            C("mentions_agent", ("点名表扬客服", "是否点名客服"), "yesno"),
        )),
    Adapter(
        id="ecommerce_cs.workbench_tickets", industry=INDUSTRY, dataset="tickets",
        description="客服工作台 → 工单明细 (xlsx): 工单类型、是否首次解决、是否重复进线、是否升级、处理时长(小时)",
        columns=(
            C("agent_id", ("处理客服", "受理客服", "客服昵称"), "text"),
            C("opened_at", ("创建时间", "工单创建时间", "受理时间"), "datetime"),
            C("category", ("工单类型", "问题类型"), "text"),
            C("first_contact_resolved", ("是否首次解决", "一次解决"), "yesno"),
            C("repeated", ("是否重复进线", "重复工单"), "yesno"),
            C("escalated", ("是否升级", "升级处理"), "yesno"),
            C("resolution", ("处理时长(小时)", "解决时长(小时)"), "hours"),
        )),
    Adapter(
        id="ecommerce_cs.qianniu_refunds", industry=INDUSTRY, dataset="refunds",
        description="千牛 → 退款管理 → 导出 (csv): 退款类型、退款金额 \"¥128.00\"、处理时长(分钟)、小二介入",
        columns=(
            C("agent_id", ("处理客服", "客服昵称"), "text"),
            C("applied_at", ("申请时间", "退款申请时间"), "datetime"),
            C("kind", ("退款类型", "售后类型"), "text"),
            C("amount", ("退款金额", "退款金额(元)"), "money"),
            C("handle_time", ("处理时长(分钟)", "卖家处理时长(分钟)"), "minutes"),
            C("intervened", ("小二介入", "是否小二介入"), "yesno"),
        )),
)
