"""What a dealer management system (DMS, 经销商管理系统) holds, as `.kpi` dataset declarations.

One repair order (维修工单) has two people: the 服务顾问 who received the car and sold the work, and
the 主修技师 who repaired it. A dataset has one person column, so the DMS gives two datasets:
`repair_orders` (the 维修工单明细, every order opened, by the advisor: what the customer bought) and
`jobs` (the 派工完工明细, every finished job, by the technician: the work done).

Every preset declares the datasets it uses with these exact texts (a test holds them together).
"""
from __future__ import annotations

# name -> (label, description, declaration)
DATASETS: dict[str, tuple[str, str, str]] = {}


def _add(name: str, label: str, description: str, declaration: str) -> None:
    DATASETS[name] = (label, description, declaration.strip("\n"))


_add("staff", "售后人员花名册", "DMS/HR 人员档案: 门店、班组、岗位、入职; the subject roster of every preset.", '''
dataset staff "售后人员花名册" by employee_id {
  name: text
  branch: text  # 门店
  team: text  # 班组, unique across the group: 城南店机电一组
  role: text  # 服务顾问 | 维修技师 | 配件员
  level: text?  # 技师等级 / 顾问星级
  hired_on: date
  tenure_months: number  # 司龄(月)
  first_month: bool  # 入职首月
}''')

_add("repair_orders", "维修工单", "DMS 维修工单 by 服务顾问: one row per order, timed by 进厂时间.", '''
dataset repair_orders "维修工单" by advisor_id at opened_at {
  order_no: text  # 工单号
  kind: text  # 保养 | 机修 | 钣喷 | 索赔
  closed_at: datetime?  # 交车时间; empty while the car is in the workshop
  cycle: duration?  # 维修时长: 进厂到交车
  reception: duration?  # 接车时长: 客户到店至开单
  labour_amount: money  # 工时费
  parts_amount: money  # 配件费
  output: money  # 产值(不含税) = 工时费 + 配件费 + 其他
  gross_profit: money  # 毛利
  sold_hours: number  # 售出工时
  appointment: bool  # 是否预约
  comeback: bool  # 是否返修: the car came back for the same fault
  fixed_first_time: bool?  # 一次修复; empty until the car is delivered
  bay: text?  # 工位
}''')

_add("jobs", "维修派工", "DMS 派工完工明细 by 主修技师: the finished jobs of the same orders, timed by 完工时间.", '''
dataset jobs "维修派工" by technician_id at finished_at {
  order_no: text  # 工单号
  kind: text  # 保养 | 机修 | 钣喷 | 索赔
  cycle: duration  # 维修周期: 进厂到完工
  sold_hours: number  # 派工(售出)工时
  clocked_hours: number  # 实际作业工时
  labour_amount: money  # 工时费
  comeback: bool  # 返修
  fixed_first_time: bool  # 一次修复
  qc_passed: bool  # 终检一次合格
  bay: text  # 工位
}''')

_add("followups", "客户回访", "DMS/呼叫中心 交车后回访 by 服务顾问, timed by 交车时间.", '''
dataset followups "客户回访" by advisor_id at delivered_at {
  order_no: text  # 工单号
  visited: bool  # 已回访: reached and the questionnaire done
  within_48h: bool  # 交车后48小时内完成回访
  csi: number?  # 满意度 as a fraction (95% = 0.95, i.e. 95分); empty when not reached
  recommend: number?  # 推荐意愿 0-10 (NPS)
}''')

_add("complaints", "客户投诉", "客户投诉台账 by 责任人.", '''
dataset complaints "客户投诉" by employee_id at received_at {
  kind: text  # 服务态度 | 维修质量 | 配件 | 收费 | 等待时间
  severity: text  # 一般 | 重大 | 媒体曝光
  valid: bool  # 经核实的有效投诉
  handled_in_time: bool  # 24小时内响应并处理
  resolved: bool  # 客户认可处理结果
}''')

_add("parts_requests", "配件需求", "配件出库/领料记录 by 配件员.", '''
dataset parts_requests "配件需求" by employee_id at requested_at {
  order_no: text  # 工单号
  amount: money  # 配件金额
  from_stock: bool  # 库存一次满足
  supplied_in_time: bool  # 承诺时间内送到工位
  wait: duration?  # 从需求到发料
  quality_issue: bool  # 装车后发现配件质量问题
}''')

_add("attendance", "考勤月报", "HR 考勤月报, one row per person and month.", '''
dataset attendance "考勤月报" by employee_id at month {
  scheduled_days: number  # 应出勤天数
  present_days: number  # 实际出勤天数
  absent_days: number  # 旷工天数
  late_times: number  # 迟到次数
  hours: number  # 出勤工时
}''')

_add("ratings", "多维评价", "质检、客户、主管 评分, one row per rater and month.", '''
dataset ratings "多维评价" by employee_id at rated_at {
  rater: text  # 质检 | 客户 | 主管
  score: number  # 百分制
}''')

_add("bays", "工位月报", "车间工位月报 by 工位负责技师.", '''
dataset bays "工位月报" by employee_id at month {
  bay: text  # 工位号
  bay_type: text  # 机电工位 | 钣金工位 | 烤漆房
  open_days: number  # 开工天数
  vehicles: number  # 修车台次
}''')

_add("targets", "月度目标", "售后经理下达的个人月度目标.", '''
dataset targets "月度目标" by employee_id at month {
  output_target: money?  # 产值目标 (服务顾问)
  orders_target: number?  # 台次目标 (服务顾问)
  hours_target: number?  # 售出工时目标 (维修技师)
}''')

_add("praises", "表扬与加分", "客户表扬、锦旗、合理化建议 by 员工.", '''
dataset praises "表扬与加分" by employee_id at recorded_at {
  kind: text  # 客户表扬 | 锦旗 | 合理化建议
}''')
