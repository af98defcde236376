"""Library indicators of appliance field service (家电上门服务).

Each has a measure over the datasets in ``datasets.py`` and a full `.kpi` indicator block: the seed
004 rule where the seed gives one (创维 客服代表/上门服务工程师 办法), else typical bands marked
示例. Every block carries `points`: its score's range, so it can be pasted into a policy whose
points add up (the tests check each one inside a policy of that scale).
"""
from __future__ import annotations

from kpi_engine.library import LibraryIndicator

INDUSTRY = "appliance_field"
SEED004 = "seed 004: 创维公司售后部分岗位绩效考核办法"

_DAYS = ("done_day = 1", "done_day = 2", "done_day = 3", "done_day = 4", "done_day = 5",
         "done_day = 6", "done_day = 7")
_WEIGHTS = (20, 17, 14, 11, 8, 5, 2)


def _day_weighted(dataset: str) -> str:
    """完单及时率 as one expression: Σ 第n天完单率 × w_n − 超7天 × 15 − 超30天未完单 × 150."""
    terms = [f"share({dataset} where {cond}) * {w}" for cond, w in zip(_DAYS, _WEIGHTS)]
    return (" + ".join(terms) + f" - share({dataset} where done_day > 7) * 15"
            f" - share({dataset} where not done and age_days > 30) * 150")


def _day_weighted_block(ident: str, label: str, dataset: str, source: str, define: str) -> str:
    lines = [f'indicator {ident} "{label}" points 20 {{',
             f'  define "{define}"',
             f'  source "{source}"',
             "  better higher"]
    for n, cond in enumerate(_DAYS, start=1):
        lines.append(f"  measure d{n} = share({dataset} where {cond})")
    lines += [f"  measure over7 = share({dataset} where done_day > 7)",
              f"  measure over30 = share({dataset} where not done and age_days > 30)",
              "  formula d1 * 20 + d2 * 17 + d3 * 14 + d4 * 11 + d5 * 8 + d6 * 5 + d7 * 2"
              " - over7 * 15 - over30 * 150",
              "}"]
    return "\n".join(lines)


_TIMELY_DEFINE = ("完单及时率得分 = 第1天完单率×20 + 第2天×17 + 第3天×14 + 第4天×11 + 第5天×8 + 第6天×5"
                  " + 第7天×2 − 超7天完单率×15 − 超30天未完单率×150 (可为负)")

_REPAIR_DONE = 'kind = "上门维修" and done'
_COMPLAINTS = '("一般投诉", "重大投诉", "内部个人投诉", "媒体曝光投诉")'


def _indicator(ident, label, *, definition, measure, unit, better, source, datasets, rule, seed=""):
    return LibraryIndicator(id=f"{INDUSTRY}.{ident}", industry=INDUSTRY, label=label,
                            definition=definition, measure=measure, unit=unit, better=better,
                            source=source, datasets=tuple(datasets), rule=rule.strip("\n"), seed=seed)


INDICATORS: tuple[LibraryIndicator, ...] = (
    _indicator(
        "timely_completion", "完单及时率",
        definition=_TIMELY_DEFINE + "; 以服务工程师为计算单位",
        measure=_day_weighted("orders"), unit="number", better="higher", source="CRM工单系统",
        datasets=("orders",), seed=SEED004,
        rule=_day_weighted_block("timely_completion", "完单及时率", "orders", "CRM工单系统",
                                 _TIMELY_DEFINE + "; 以服务工程师为计算单位")),
    _indicator(
        "rep_timely_completion", "辖区完单及时率(客服代表)",
        definition=_TIMELY_DEFINE + "; 以客服代表辖区工单为计算单位",
        measure=_day_weighted("dispatches"), unit="number", better="higher", source="CRM工单系统",
        datasets=("dispatches",), seed=SEED004,
        rule=_day_weighted_block("rep_timely_completion", "完单及时率", "dispatches", "CRM工单系统",
                                 _TIMELY_DEFINE + "; 以客服代表辖区工单为计算单位")),
    _indicator(
        "feedback_rate", "工程师问题反馈率",
        definition="客服代表发现工程师问题总分 / 辖区上门总量; 分公司内按比率排名,在[0分,20分]范围内等比例得分",
        measure="sum(feedbacks.score) / count(dispatches where visited)", unit="number",
        better="higher", source="CRM系统", datasets=("feedbacks", "dispatches"), seed=SEED004,
        rule='''
indicator feedback_rate "工程师问题反馈率" points 20 {
  define "客服代表发现工程师问题总分 / 辖区上门总量; 分公司内按比率排名,在[0分,20分]范围内等比例得分"
  source "CRM系统"
  better higher
  measure sum(feedbacks.score) / count(dispatches where visited)
  rank within branch from 0 to 20
}'''),
    _indicator(
        "saturation", "工作饱和度",
        definition=("工作饱和度 = 工作量(CRM受理量+派工量+反馈完单量+回访量) / 实际上班天数 / 年度个人最高饱和度"
                    "(此处示例 60 件/天; 预设中为参数 peak_saturation); 分公司内排名,在[0分,40分]范围内等比例得分,首月计20分"),
        measure=("(sum(crm_daily.accepted) + sum(crm_daily.dispatched) + sum(crm_daily.closed)"
                 " + sum(crm_daily.callbacks)) / count(crm_daily where present) / 60"),
        unit="number", better="higher", source="CRM系统、考勤", datasets=("crm_daily",), seed=SEED004,
        rule='''
indicator saturation "工作饱和度" points 40 {
  define "工作量 / 实际上班天数 / 年度个人最高饱和度(示例 60 件/天); 分公司内排名,在[0分,40分]范围内等比例得分,首月计20分"
  source "CRM系统、考勤"
  better higher
  measure (sum(crm_daily.accepted) + sum(crm_daily.dispatched) + sum(crm_daily.closed) + sum(crm_daily.callbacks)) / count(crm_daily where present) / 60
  rank within branch from 0 to 40 {
    when first_month : 20
  }
}'''),
    _indicator(
        "rep_satisfaction", "辖区工程师满意度",
        definition="总部考评的辖区工程师整体满意度,在分公司范围内排名,在[0分,20分]范围内等比例得分",
        measure="avg(rep_surveys.score)", unit="number", better="higher", source="总部考评",
        datasets=("rep_surveys",), seed=SEED004,
        rule='''
indicator rep_satisfaction "满意度" points 20 {
  define "总部考评的辖区工程师整体满意度,在分公司范围内排名,在[0分,20分]范围内等比例得分"
  source "总部考评"
  better higher
  measure avg(rep_surveys.score)
  rank within branch from 0 to 20
}'''),
    _indicator(
        "site_satisfaction", "上门满意度",
        definition="回访接通的工单中,用户评价为很满意或满意的占比",
        measure='count(surveys where rating in ("很满意", "满意")) / count(surveys where reached)',
        unit="percent", better="higher", source="满意度回访系统", datasets=("surveys",),
        seed="seed 004: 满意率≥95% 30分; 90-95% 23分; 80-90% 17分; 60-80% 5分",
        rule='''
indicator site_satisfaction "上门满意度" points 30 {
  define "回访接通的工单中,用户评价为很满意或满意的占比"
  source "满意度回访系统"
  better higher
  measure count(surveys where rating in ("很满意", "满意")) / count(surveys where reached)
  bands {
    >= 95% : 30
    >= 90% : 23
    >= 80% : 17
    >= 60% : 5
    else : 0
  }
}'''),
    _indicator(
        "survey_score", "回访满意度得分",
        definition="回访接通工单的平均满意度得分(0-100); 60分为底线,每高1分加2.5分",
        measure="avg(surveys.score where reached)", unit="number", better="higher",
        source="满意度回访系统", datasets=("surveys",),
        seed="seed 004: 目标值60分, 60分及以下得分为0, 60分以上每增加1分加2.5分",
        rule='''
indicator survey_score "回访满意度得分" points 100 {
  define "回访接通工单的平均满意度得分(0-100); 60分及以下为0分,60分以上每增加1分加2.5分"
  source "满意度回访系统"
  better higher
  measure avg(surveys.score where reached)
  linear 0 at 60, +2.5 per 1, min 0, max 100
}'''),
    _indicator(
        "order_satisfaction", "工单回访满意度",
        definition="工单明细中回访满意度(百分比)的平均; 未回访的工单不计",
        measure="avg(orders.satisfaction)", unit="percent", better="higher", source="CRM工单系统(回访结果)",
        datasets=("orders",), seed="seed 004: 电话/在线满意度评分; 满意率≥95% 30分",
        rule='''
indicator order_satisfaction "工单回访满意度" points 100 {
  define "工单明细中回访满意度(百分比)的平均; 未回访的工单不计"
  source "CRM工单系统(回访结果)"
  better higher
  measure avg(orders.satisfaction)
  bands {
    >= 95% : 100
    >= 90% : 80 ~ 100
    >= 80% : 60 ~ 80
    else : 0
  }
}'''),
    _indicator(
        "late_entry", "上门后补单",
        definition="上门服务后才在系统中补建的工单条数; 每条扣0.5分",
        measure="count(orders where late_entry)", unit="number", better="lower",
        source="CRM工单系统", datasets=("orders",), seed=SEED004 + " 扣分考核: 上门后补单扣0.5分/条",
        rule='''
indicator late_entry "上门后补单" points 10 {
  define "上门服务后才在系统中补建的工单条数; 满分10分,每条扣0.5分"
  source "CRM工单系统"
  better lower
  measure count(orders where late_entry)
  linear 10 at 0, -0.5 per 1, min 0, max 10
}'''),
    _indicator(
        "false_completion", "虚假完单",
        definition="回访核实未完工却在系统中完单的工单条数; 每条扣1分",
        measure="count(orders where false_completion)", unit="number", better="lower",
        source="回访核实", datasets=("orders",), seed=SEED004 + " 扣分考核: 违规异常、虚假完单扣1分/条",
        rule='''
indicator false_completion "虚假完单" points 10 {
  define "回访核实未完工却在系统中完单的工单条数; 满分10分,每条扣1分"
  source "回访核实"
  better lower
  measure count(orders where false_completion)
  linear 10 at 0, -1 per 1, min 0, max 10
}'''),
    _indicator(
        "first_fix_rate", "一次修复率",
        definition="已完工的上门维修单中,首次上门即修复的占比",
        measure=f"count(orders where {_REPAIR_DONE} and fixed_first_visit) / count(orders where {_REPAIR_DONE})",
        unit="percent", better="higher", source="CRM工单系统", datasets=("orders",),
        seed="seed 004: 一次维修成功率; 首次解决率应达到80%以上",
        rule=f'''
indicator first_fix_rate "一次修复率" points 100 {{
  define "已完工的上门维修单中,首次上门即修复的占比"
  source "CRM工单系统"
  better higher
  measure count(orders where {_REPAIR_DONE} and fixed_first_visit) / count(orders where {_REPAIR_DONE})
  bands {{
    >= 90% : 100
    >= 85% : 80
    >= 80% : 60
    else : 0
  }}
}}'''),
    _indicator(
        "appointment_punctuality", "预约准时率",
        definition="在预约时段内到达用户家的上门次数占全部上门次数的比例",
        measure="share(visits where on_time)", unit="percent", better="higher",
        source="上门签到(APP定位)", datasets=("visits",), seed="seed 004: 服务准时率",
        rule='''
indicator appointment_punctuality "预约准时率" points 100 {
  define "在预约时段内到达用户家的上门次数占全部上门次数的比例"
  source "上门签到(APP定位)"
  better higher
  measure share(visits where on_time)
  bands {
    >= 98% : 100
    >= 95% : 80
    >= 90% : 60
    else : 0
  }
}'''),
    _indicator(
        "repeat_repair_rate", "返修率",
        definition="已完工工单中,完工后30天内同一故障再次报修的占比",
        measure="count(orders where done and reopened) / count(orders where done)",
        unit="percent", better="lower", source="CRM工单系统", datasets=("orders",),
        seed="seed 004: 故障返修率; ≤2% 8-10分, 2%-5% 5-7分, 5%-10% 2-4分, 10%以上 0-1分",
        rule='''
indicator repeat_repair_rate "返修率" points 10 {
  define "已完工工单中,完工后30天内同一故障再次报修的占比"
  source "CRM工单系统"
  better lower
  measure count(orders where done and reopened) / count(orders where done)
  bands {
    <= 2% : 10
    <= 5% : 7
    <= 10% : 4
    else : 1
  }
}'''),
    _indicator(
        "done_24h", "24小时完单率",
        definition="派工后24小时内完工的工单占全部派工工单的比例",
        measure="count(orders where done and lead_time <= 24h) / count(orders)",
        unit="percent", better="higher", source="CRM工单系统", datasets=("orders",),
        seed="seed 004: 24小时内解决率应达到95%以上",
        rule='''
indicator done_24h "24小时完单率" points 100 {
  define "派工后24小时内完工的工单占全部派工工单的比例"
  source "CRM工单系统"
  better higher
  measure count(orders where done and lead_time <= 24h) / count(orders)
  bands {
    >= 95% : 100
    >= 90% : 80
    >= 80% : 60
    else : 0
  }
}'''),
    _indicator(
        "avg_completion_time", "平均完单时长",
        definition="已完工工单从派工到完工的平均时长",
        measure="avg(orders.lead_time where done)", unit="duration", better="lower",
        source="CRM工单系统", datasets=("orders",), seed="seed 004: 故障维修周期; 问题解决时长",
        rule='''
indicator avg_completion_time "平均完单时长" points 100 {
  define "已完工工单从派工到完工的平均时长"
  source "CRM工单系统"
  better lower
  measure avg(orders.lead_time where done)
  bands {
    <= 24h : 100
    <= 48h : 80
    <= 72h : 60
    else : 0
  }
}'''),
    _indicator(
        "over30_open_rate", "超30天未完单率",
        definition="派工超过30天仍未完工的工单占全部派工工单的比例",
        measure="share(orders where not done and age_days > 30)", unit="percent", better="lower",
        source="CRM工单系统", datasets=("orders",), seed=SEED004 + " 完单及时率: 超30天未完单率×150分",
        rule='''
indicator over30_open_rate "超30天未完单率" points 100 {
  define "派工超过30天仍未完工的工单占全部派工工单的比例"
  source "CRM工单系统"
  better lower
  measure share(orders where not done and age_days > 30)
  bands {
    = 0 : 100
    <= 1% : 60
    <= 3% : 20
    else : 0
  }
}'''),
    _indicator(
        "callback_rate", "回访率",
        definition="已完工的辖区工单中,客服代表完成回访的占比",
        measure="count(dispatches where done and called_back) / count(dispatches where done)",
        unit="percent", better="higher", source="CRM回访记录", datasets=("dispatches",),
        seed="seed 003/004: 48小时内回访率100% 10分; 90%-99% 8分; 售后回访率",
        rule='''
indicator callback_rate "回访率" points 10 {
  define "已完工的辖区工单中,客服代表完成回访的占比"
  source "CRM回访记录"
  better higher
  measure count(dispatches where done and called_back) / count(dispatches where done)
  bands {
    >= 100% : 10
    >= 90% : 8
    >= 80% : 5
    else : 0
  }
}'''),
    _indicator(
        "complaint_rate", "投诉率",
        definition="投诉(一般、重大、内部个人、媒体曝光)条数 / 已完工工单数",
        measure=f"count(penalties where kind in {_COMPLAINTS}) / count(orders where done)",
        unit="percent", better="lower", source="投诉管理系统", datasets=("penalties", "orders"),
        seed="seed 004: 售后服务投诉率 = 投诉数量 / 总维修数量",
        rule=f'''
indicator complaint_rate "投诉率" points 100 {{
  define "投诉(一般、重大、内部个人、媒体曝光)条数 / 已完工工单数"
  source "投诉管理系统"
  better lower
  measure count(penalties where kind in {_COMPLAINTS}) / count(orders where done)
  bands {{
    = 0 : 100
    <= 1% : 80
    <= 3% : 60
    else : 0
  }}
}}'''),
    _indicator(
        "order_volume", "工单量",
        definition=("已完工工单数,在网点内排名,在[60分,100分]范围内等比例得分; 计数没有空值,"
                    "花名册中不上门的人会以0单参与排名,宜用于只含上门工程师的花名册"),
        measure="count(orders where done)", unit="number", better="higher", source="CRM工单系统",
        datasets=("orders",), seed="seed 004: 工单处理量; 工作量按排名等比例得分",
        rule='''
indicator order_volume "工单量" points 100 {
  define "已完工工单数,在网点内排名,在[60分,100分]范围内等比例得分; 首月计80分"
  source "CRM工单系统"
  better higher
  measure count(orders where done)
  rank within network from 60 to 100 {
    when first_month : 80
  }
}'''),
    _indicator(
        "service_fee", "服务费收入",
        definition="已完工工单收取的服务费合计",
        measure="sum(orders.fee where done)", unit="money", better="higher", source="结算系统",
        datasets=("orders",), seed="seed 004: 售后服务收入额",
        rule='''
indicator service_fee "服务费收入" points 100 {
  define "已完工工单收取的服务费合计(示例档位)"
  source "结算系统"
  better higher
  measure sum(orders.fee where done)
  bands {
    >= 3000元 : 100
    >= 2000元 : 80
    >= 1000元 : 60
    else : 40
  }
}'''),
    _indicator(
        "supervisor_rating", "主管评价",
        definition="主管对服务态度、执行力的评分(0-100)的平均",
        measure='avg(reviews.score where rater = "主管")', unit="number", better="higher",
        source="主管评分表", datasets=("reviews",), seed="seed 001/002: 主管评价; 定性考核",
        rule='''
indicator supervisor_rating "主管评价" points 100 {
  define "主管对服务态度、执行力的评分(0-100)的平均; 未评分为0分"
  source "主管评分表"
  better higher
  measure avg(reviews.score where rater = "主管")
  bands {
    missing : 0
    >= 90 : 100
    >= 80 : 80 ~ 100
    >= 60 : 60 ~ 80
    else : 0
  }
}'''),
    _indicator(
        "onsite_time", "平均上门时长",
        definition="每次上门在用户家停留的平均时长; 时长越短单位时间服务产能越高",
        measure="avg(visits.onsite)", unit="duration", better="lower", source="上门签到/签退",
        datasets=("visits",), seed="seed 004: 维修工时利用率; 服务效率",
        rule='''
indicator onsite_time "平均上门时长" points 100 {
  define "每次上门在用户家停留的平均时长(示例档位)"
  source "上门签到/签退"
  better lower
  measure avg(visits.onsite)
  bands {
    <= 1h : 100
    <= 90min : 80
    <= 2h : 60
    else : 40
  }
}'''),
)
