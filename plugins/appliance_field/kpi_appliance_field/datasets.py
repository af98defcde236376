"""The records a field-service system (CRM + 工单系统 + 回访系统) holds, as `.kpi` dataset blocks.

Two kinds of people are assessed from one set of work orders: the 客服代表 who accept, dispatch,
close and call back orders in a branch (分公司), and the 上门工程师 of a service network (网点) who
go to the customer. So the same orders appear twice: ``orders`` keyed by the engineer who did the
job, ``dispatches`` keyed by the 客服代表 responsible for it (a project's kpi.toml may point both at
one export). ``staff`` is everyone (small companies, where one person often does both jobs);
``reps`` is the 客服代表 roster the large preset ranks within each branch.

The presets declare these blocks verbatim; a test keeps them identical.
"""
from __future__ import annotations

#: dataset name → (`.kpi` declaration, a one-line description)
DATASETS: dict[str, tuple[str, str]] = {
    "staff": ('''\
dataset staff "服务人员花名册" by employee_id {
  name: text
  role: text  # 客服代表 | 上门工程师 | 客服兼工程师
  branch: text  # 分公司
  network: text  # 网点; 客服代表 为 分公司本部
  first_month: bool  # 入职首月
  hired_on: date
  tenure_months: number  # 司龄(月)
}''', "Everyone assessed: 客服代表, 上门工程师 and people doing both, with branch and network."),

    "reps": ('''\
dataset reps "客服代表花名册" by rep_id {
  name: text
  branch: text  # 分公司
  first_month: bool  # 入职首月
  hired_on: date
  tenure_months: number  # 司龄(月)
}''', "The 客服代表 (customer-service representatives) of each branch."),

    "orders": ('''\
dataset orders "工单(按服务工程师)" by engineer_id at dispatched_at {
  order_id: text
  rep_id: text  # 受理/派工的客服代表
  network: text  # 服务网点
  kind: text  # 上门维修 | 上门安装 | 用户机内修 | 上门调试
  product: text  # 空调 | 冰箱 | 洗衣机 | 电视 | 热水器 | 厨电
  status: text  # 已完工 | 待上门 | 维修中 | 待配件
  appointment_at: datetime?  # 预约上门时间
  arrived_at: datetime?  # 首次上门时间
  completed_at: datetime?  # 完工时间
  done: bool  # 已完工
  done_day: number?  # 第几天完单: 派工后24小时内为第1天; 未完工为空
  age_days: number  # 派工至统计日的天数
  lead_time: duration?  # 派工到完工的时长; 未完工为空
  fixed_first_visit: bool?  # 一次修复(维修单); 未完工为空
  reopened: bool  # 返修: 完工后30天内同一故障再次报修
  late_entry: bool  # 上门后补单
  false_completion: bool  # 虚假完单(回访核实)
  satisfaction: number?  # 回访满意度, 0-1 (导出为 95% 记为 0.95); 未回访为空
  fee: money  # 服务费
}''', "Work orders, one per order, keyed by the service engineer who did it."),

    "dispatches": ('''\
dataset dispatches "辖区工单(按客服代表)" by rep_id at dispatched_at {
  order_id: text
  visited: bool  # 工程师已上门
  done: bool
  done_day: number?  # 第几天完单; 未完工为空
  age_days: number  # 派工至统计日的天数
  called_back: bool  # 完工后已回访
}''', "The same work orders keyed by the 客服代表 responsible for them."),

    "visits": ('''\
dataset visits "上门记录" by engineer_id at arrived_at {
  order_id: text
  visit_no: number  # 第几次上门
  appointment_at: datetime?  # 预约时间
  on_time: bool  # 在预约时段内到达
  onsite: duration  # 上门时长
  fixed: bool  # 本次上门解决
}''', "Every visit to a customer (an order may need several)."),

    "surveys": ('''\
dataset surveys "满意度回访" by engineer_id at surveyed_at {
  order_id: text
  rep_id: text  # 回访的客服代表
  reached: bool  # 回访接通
  rating: text?  # 很满意 | 满意 | 一般 | 不满意 | 很不满意; 未接通为空
  score: number?  # 满意度 0-100; 未接通为空
}''', "Customer call-backs after completion, keyed by the engineer whose visit is rated."),

    "rep_surveys": ('''\
dataset rep_surveys "辖区工程师满意度(总部考评)" by rep_id at surveyed_at {
  score: number  # 0-100
}''', "Headquarters' satisfaction score of the engineers in a 客服代表's area."),

    "feedbacks": ('''\
dataset feedbacks "工程师问题反馈" by rep_id at reported_at {
  engineer_id: text
  issue: text  # 乱收费 | 服务态度 | 上门超时 | 虚假完单 | 其他
  score: number  # 按工程师问题反馈计分参考标准
}''', "Engineer problems a 客服代表 found and reported, with their points."),

    "crm_daily": ('''\
dataset crm_daily "CRM工作量日报" by rep_id at day {
  present: bool  # 当日出勤
  accepted: number  # 受理量
  dispatched: number  # 派工量
  closed: number  # 反馈完单量
  callbacks: number  # 回访量(含经销商和服务商回访)
}''', "A 客服代表's daily CRM workload: accepted, dispatched, closed, called back."),

    "penalties": ('''\
dataset penalties "扣分记录" by employee_id at recorded_at {
  kind: text  # 上门后补单 | 违规异常 | 虚假完单 | 一般投诉 | 重大投诉 | 内部个人投诉 | 媒体曝光投诉 | 日常工作执行力
  order_id: text?
  note: text?
}''', "Deductions and complaints recorded against a person (总部判定 / 内部受理)."),

    "reviews": ('''\
dataset reviews "多方评价" by employee_id at reviewed_at {
  rater: text  # 主管 | 质检 | 工程师
  score: number  # 0-100
}''', "Ratings of a person by the supervisor, quality inspection and engineers (multi-rater)."),
}


def declaration(name: str) -> str:
    return DATASETS[name][0]
