"""Sample data for the appliance field-service presets: one CSV per dataset they declare.

``generate(out_dir, period, people, seed)`` writes a plausible company -- branches (分公司) of
客服代表 and service networks (网点) of 上门工程师, some people doing both -- with the period's
records and those of the two periods before it (the large preset's actions look back three
periods). Everything is drawn from one ``random.Random(seed)`` in a fixed order, so the same
arguments write the same bytes. Times are derived from each other (dispatch → appointment →
arrival → completion → call-back), so flags such as ``done_day`` agree with the times.

Files follow the engine's CSV conventions: a header row, ``true``/``false``, durations in
seconds, ISO 8601 times, money as plain yuan, an empty cell for a missing value.
"""
from __future__ import annotations

import csv
import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from kpi_engine.compile.periods import Period

HOUR, DAY = 3600, 86400

BRANCHES = ("成都", "重庆", "西安", "武汉", "长沙", "郑州", "济南", "南京", "杭州", "合肥", "福州", "南昌",
            "广州", "深圳", "南宁", "昆明", "贵阳", "石家庄", "太原", "沈阳", "长春", "哈尔滨", "天津", "北京",
            "上海", "苏州", "无锡", "宁波", "厦门", "青岛", "大连", "兰州", "乌鲁木齐", "呼和浩特", "银川",
            "西宁", "海口", "拉萨", "温州", "佛山")
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国志红鹏飞宇浩然欣怡子涵梓轩晨曦嘉琪"
KINDS = (("上门维修", 55), ("上门安装", 30), ("上门调试", 10), ("用户机内修", 5))
PRODUCTS = ("空调", "冰箱", "洗衣机", "电视", "热水器", "厨电")
RATINGS = (("很满意", 100), ("满意", 90), ("一般", 75), ("不满意", 50), ("很不满意", 20))
ISSUES = ("乱收费", "服务态度", "上门超时", "虚假完单", "其他")
ISSUE_SCORE = {"乱收费": 5, "服务态度": 3, "上门超时": 2, "虚假完单": 5, "其他": 1}
REP, ENGINEER, BOTH = "客服代表", "上门工程师", "客服兼工程师"

#: dataset → CSV header (the `by` column, the `at` column, then the fields).
HEADERS = {
    "staff": ("employee_id", "name", "role", "branch", "network", "first_month", "hired_on", "tenure_months"),
    "reps": ("rep_id", "name", "branch", "first_month", "hired_on", "tenure_months"),
    "orders": ("engineer_id", "dispatched_at", "order_id", "rep_id", "network", "kind", "product", "status",
               "appointment_at", "arrived_at", "completed_at", "done", "done_day", "age_days", "lead_time",
               "fixed_first_visit", "reopened", "late_entry", "false_completion", "satisfaction", "fee"),
    "dispatches": ("rep_id", "dispatched_at", "order_id", "visited", "done", "done_day", "age_days", "called_back"),
    "visits": ("engineer_id", "arrived_at", "order_id", "visit_no", "appointment_at", "on_time", "onsite", "fixed"),
    "surveys": ("engineer_id", "surveyed_at", "order_id", "rep_id", "reached", "rating", "score"),
    "rep_surveys": ("rep_id", "surveyed_at", "score"),
    "feedbacks": ("rep_id", "reported_at", "engineer_id", "issue", "score"),
    "crm_daily": ("rep_id", "day", "present", "accepted", "dispatched", "closed", "callbacks"),
    "penalties": ("employee_id", "recorded_at", "kind", "order_id", "note"),
    "reviews": ("employee_id", "reviewed_at", "rater", "score"),
}


@dataclass
class Person:
    id: str
    name: str
    role: str
    branch: str
    network: str
    hired_on: date
    skill: float              # 0..1, persists across periods: how well this person works
    pace: float               # 0.5..1.3: how much work this person takes on
    orders: list = field(default_factory=list)

    @property
    def engineer(self) -> bool:
        return self.role in (ENGINEER, BOTH)

    @property
    def rep(self) -> bool:
        return self.role in (REP, BOTH)


def _b(flag: bool) -> str:
    return "true" if flag else "false"


def _t(moment: datetime | None) -> str:
    return "" if moment is None else moment.isoformat(timespec="seconds")


def _working_hours(moment: datetime) -> datetime:
    """Appointments are made between 08:00 and 20:00: an earlier one moves to 09:00 that day, a
    later one to 09:00 the next day."""
    if moment.hour < 8:
        return moment.replace(hour=9, minute=0, second=0, microsecond=0)
    if moment.hour >= 20:
        return (moment + timedelta(days=1)).replace(hour=9, minute=0, second=0, microsecond=0)
    return moment


def _b(flag: bool) -> str:
    return "true" if flag else "false"


class _Clock:
    """Times as whole seconds from midnight of ``base``, printed as ISO 8601 from two tables (a
    date per day, a clock per second of the day): datetime arithmetic and isoformat() per value
    would make 5,000 people several times slower."""

    def __init__(self, base: date, days: int):
        self.base = base
        self.dates = [(base + timedelta(days=k)).isoformat() for k in range(days)]
        self.clock = [f"T{h:02d}:{m:02d}:{s:02d}" for h in range(24) for m in range(60) for s in range(60)]

    def at(self, day: date) -> int:
        return (day - self.base).days * DAY

    def text(self, seconds: int) -> str:
        return self.dates[seconds // DAY] + self.clock[seconds % DAY]


def _working_hours(moment: int) -> int:
    """Appointments are made between 08:00 and 20:00: an earlier one moves to 09:00 that day, a
    later one to 09:00 the next day."""
    day, clock = divmod(moment, DAY)
    if clock < 8 * HOUR:
        return day * DAY + 9 * HOUR
    if clock >= 20 * HOUR:
        return (day + 1) * DAY + 9 * HOUR
    return moment


def _fraction(score) -> str:
    """A 0-100 score as the fraction an export's "95%" becomes: 95 → 0.95 (exact text)."""
    if score == "":
        return ""
    return "1" if score >= 100 else f"0.{score:02d}".rstrip("0").rstrip(".") or "0"


def _between(rng: random.Random, low: int, high: int) -> int:
    """An integer in [low, high): rng.randrange without its argument checks (it is the hot path)."""
    return low + int(rng.random() * (high - low))


def _pick(rng: random.Random, weighted) -> str:
    roll = rng.random() * sum(w for _, w in weighted)
    for value, weight in weighted:
        roll -= weight
        if roll < 0:
            return value
    return weighted[-1][0]


def _months_between(first: date, later: date) -> int:
    return max(0, (later.year - first.year) * 12 + later.month - first.month)


def _roster(rng: random.Random, period: Period, people: int) -> list[Person]:
    """`people` persons: 25% 客服代表, 10% 客服兼工程师, the rest 上门工程师, spread over branches."""
    n_branches = max(1, min(len(BRANCHES), people // 15))
    branches = [f"{city}分公司" for city in BRANCHES[:n_branches]]
    reps = max(1, round(people * 0.25)) if people > 1 else 0
    both = round(people * 0.10) if people > 2 else 0
    roles = [REP] * reps + [BOTH] * both + [ENGINEER] * (people - reps - both)
    if people == 1:
        roles = [BOTH]
    # Each role is dealt round-robin over the branches, so every branch gets its share of each.
    dealt: list[tuple[str, str]] = []
    for role in (REP, BOTH, ENGINEER):
        for k in range(roles.count(role)):
            dealt.append((role, branches[k % n_branches]))
    rng.shuffle(dealt)
    engineers_in = {b: sum(1 for r, br in dealt if br == b and r != REP) for b in branches}
    networks_in = {b: max(1, engineers_in[b] // 6) for b in branches}
    seen: dict[str, int] = {b: 0 for b in branches}
    roster = []
    for i, (role, branch) in enumerate(dealt):
        if role == REP:
            network = f"{branch}本部"
        else:
            network = f"{branch.removesuffix('分公司')}{seen[branch] % networks_in[branch] + 1:02d}号网点"
            seen[branch] += 1
        if rng.random() < 0.04:   # joined this period: 入职首月
            hired = period.start + timedelta(days=rng.randrange(0, min(10, (period.end - period.start).days)))
        else:
            hired = period.start - timedelta(days=rng.randrange(95, 3000))
        name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2, 2))))
        skill = min(1.0, max(0.0, rng.betavariate(5, 2)))
        roster.append(Person(id=f"E{10001 + i}", name=name, role=role, branch=branch, network=network,
                             hired_on=hired, skill=skill, pace=rng.uniform(0.5, 1.3)))
    return roster


class _Writer:
    """One open CSV writer per dataset."""

    def __init__(self, out_dir: Path):
        out_dir.mkdir(parents=True, exist_ok=True)
        self.files, self.writers = {}, {}
        for name, header in HEADERS.items():
            handle = open(out_dir / f"{name}.csv", "w", encoding="utf-8", newline="")
            self.files[name] = handle
            self.writers[name] = csv.writer(handle, lineterminator="\n")
            self.writers[name].writerow(header)

    def row(self, name: str, *values) -> None:
        self.writers[name].writerow(values)

    def close(self) -> None:
        for handle in self.files.values():
            handle.close()


def generate(out_dir: Path, period: Period, people: int, seed: int) -> None:
    """Write one CSV per dataset of the appliance_field presets into ``out_dir``."""
    rng = random.Random(seed)
    periods = [period.previous().previous(), period.previous(), period]
    clock = _Clock(periods[0].start, (period.end - periods[0].start).days + 90)
    as_of = clock.at(period.end)            # 统计日: midnight after the period's last day
    roster = _roster(rng, period, people)
    reps_by_branch: dict[str, list[Person]] = {}
    engineers_by_branch: dict[str, list[Person]] = {}
    for person in roster:
        if person.rep:
            reps_by_branch.setdefault(person.branch, []).append(person)
        if person.engineer:
            engineers_by_branch.setdefault(person.branch, []).append(person)
    any_rep = [p for p in roster if p.rep] or roster

    out = _Writer(Path(out_dir))
    try:
        for p in roster:
            first_month = p.hired_on >= period.start
            tenure = _months_between(p.hired_on, period.start)
            out.row("staff", p.id, p.name, p.role, p.branch, p.network, _b(first_month), p.hired_on.isoformat(), tenure)
            if p.rep:
                out.row("reps", p.id, p.name, p.branch, _b(first_month), p.hired_on.isoformat(), tenure)
        sequence = 0
        for current in periods:
            days = (current.end - current.start).days
            start = clock.at(current.start)
            summer = current.start.month in (6, 7, 8)
            prefix = f"GD{current.start.year}{current.start.month:02d}"
            for p in roster:
                if p.hired_on >= current.end:
                    continue
                first_day = max(0, (p.hired_on - current.start).days)
                active = days - first_day
                if p.engineer:
                    per_month = rng.uniform(10, 22) * p.pace * (0.5 if p.role == BOTH else 1) * (1.3 if summer else 1)
                    branch_reps = reps_by_branch.get(p.branch) or any_rep
                    for _ in range(max(1, round(per_month * active / 30))):
                        sequence += 1
                        moment = start + (first_day + _between(rng, 0, active)) * DAY + _between(rng, 8 * HOUR, 20 * HOUR)
                        _order(rng, out, clock, p, rng.choice(branch_reps), moment, as_of,
                               f"{prefix}{sequence:07d}", summer)
                if p.rep:
                    _desk(rng, out, clock, p, current, first_day, engineers_by_branch.get(p.branch, []), as_of)
                _reviews_and_complaints(rng, out, clock, p, current, first_day, as_of)
    finally:
        out.close()


def _order(rng, out, clock: _Clock, engineer: Person, rep: Person, dispatched: int, as_of: int,
           order_id: str, summer: bool) -> None:
    """One work order with its visits, call-back survey, the rep's view of it and penalties."""
    t = clock.text
    q = engineer.skill
    kind = _pick(rng, KINDS)
    product = "空调" if summer and rng.random() < 0.5 else rng.choice(PRODUCTS)
    soon = rng.random() < 0.72 + 0.27 * q                       # 用户约在24小时内上门
    half_hours = round(rng.uniform(2, 36) if soon else rng.uniform(36, 120))
    appointment = _working_hours((dispatched + half_hours * HOUR // 2) // (HOUR // 2) * (HOUR // 2))
    stuck = rng.random() < 0.004 + 0.03 * (1 - q) ** 2          # 待配件, never finished
    visits = []                                                  # (arrival, appointment, on_time, onsite, fixed)
    first_fixed = kind != "上门维修" or rng.random() < 0.62 + 0.36 * q
    visit_appointment = appointment
    for visit_no in (1, 2, 3):
        late = rng.random() < 0.01 + 0.10 * (1 - q)
        arrival = visit_appointment + (_between(rng, 35 * 60, 150 * 60) if late else _between(rng, -25 * 60, 28 * 60))
        onsite = _between(rng, 20 * 60, (150 if kind == "上门安装" else 100) * 60)
        fixed = (visit_no == 1 and first_fixed) or (visit_no > 1 and rng.random() < 0.85) or visit_no == 3
        visits.append((arrival, visit_appointment, not late, onsite, fixed and not stuck))
        if fixed or stuck:
            break
        wait = _between(rng, DAY, int((4 + 8 * (1 - q)) * DAY))       # 等配件, 二次上门
        visit_appointment = _working_hours((arrival + wait) // HOUR * HOUR)
    last_arrival, _, _, last_onsite, last_fixed = visits[-1]
    completed = last_arrival + last_onsite if last_fixed else None
    done = completed is not None and completed <= as_of
    arrived = [v for v in visits if v[0] <= as_of]
    if done:
        status = "已完工"
    elif stuck and arrived:
        status = "待配件"
    else:
        status = "维修中" if arrived else "待上门"
    lead = completed - dispatched if done else None
    done_day = lead // DAY + 1 if done else None
    age_days = (as_of - dispatched) // DAY
    reopened = done and rng.random() < 0.005 + 0.05 * (1 - q)
    late_entry = rng.random() < 0.005 + 0.04 * (1 - q)
    false_completion = done and rng.random() < 0.002 + 0.012 * (1 - q)
    if kind == "上门维修":
        fee = rng.choice((0, 0, 0, 50, 80, 120, 150, 200, 260))
    elif kind == "上门安装":
        fee = rng.choice((0, 0, 100))
    else:
        fee = rng.choice((0, 30, 60))
    called_back, survey = False, None
    if done and rng.random() < 0.80 + 0.18 * rep.skill:
        surveyed = completed + _between(rng, 2 * HOUR, 30 * HOUR)
        if surveyed <= as_of:
            called_back = True
            reached = rng.random() < 0.88
            rating = score = ""
            if reached:
                good = 0.72 + 0.27 * q - (0.3 if reopened or false_completion else 0)
                roll = rng.random()
                rating, best = (RATINGS[0] if roll < good * 0.7 else RATINGS[1] if roll < good
                                else RATINGS[2] if roll < good + (1 - good) * 0.6 else
                                RATINGS[3] if roll < good + (1 - good) * 0.9 else RATINGS[4])
                score = max(0, best - rng.randint(0, 5))
            survey = (t(surveyed), _b(reached), rating, score)
    out.row("orders", engineer.id, t(dispatched), order_id, rep.id, engineer.network, kind, product, status,
            t(appointment), t(arrived[0][0]) if arrived else "", t(completed) if done else "", _b(done),
            "" if done_day is None else done_day, age_days, "" if lead is None else lead,
            _b(first_fixed) if done else "", _b(reopened), _b(late_entry), _b(false_completion),
            _fraction(survey[3]) if survey else "", fee)
    for visit_no, (arrival, appt, on_time, onsite, fixed) in enumerate(arrived, start=1):
        out.row("visits", engineer.id, t(arrival), order_id, visit_no, t(appt), _b(on_time), onsite, _b(fixed))
    if survey is not None:
        surveyed_at, reached, rating, score = survey
        out.row("surveys", engineer.id, surveyed_at, order_id, rep.id, reached, rating, score)
    out.row("dispatches", rep.id, t(dispatched), order_id, _b(bool(arrived)), _b(done),
            "" if done_day is None else done_day, age_days, _b(called_back))
    if late_entry or false_completion:
        recorded = t(min(as_of - HOUR, (completed or dispatched) + _between(rng, DAY, 6 * DAY)))
        if late_entry:
            out.row("penalties", rep.id, recorded, "上门后补单", order_id, "上门后才建单")
        if false_completion:
            for person in (engineer, rep):
                out.row("penalties", person.id, recorded, "虚假完单", order_id, "回访核实未完工")


def _desk(rng, out, clock: _Clock, rep: Person, current: Period, first_day: int, engineers: list[Person],
          as_of: int) -> None:
    """A 客服代表's period: CRM daily workload, problems reported, headquarters' satisfaction score."""
    share = 0.5 if rep.role == BOTH else 1.0
    days = (current.end - current.start).days
    start = clock.at(current.start)
    weekday = current.start.weekday()
    for offset in range(first_day, days):
        present = rng.random() < (0.78 if (weekday + offset) % 7 < 6 else 0.5)
        if present:
            accepted = round(rng.uniform(18, 34) * rep.pace * share)
            dispatched = round(accepted * rng.uniform(0.75, 0.95))
            closed = round(dispatched * rng.uniform(0.7, 1.0))
            callbacks = round(closed * rng.uniform(0.6, 1.1) * (0.7 + 0.3 * rep.skill))
        else:
            accepted = dispatched = closed = callbacks = 0
        out.row("crm_daily", rep.id, clock.dates[start // DAY + offset], _b(present),
                accepted, dispatched, closed, callbacks)
    for _ in range(_between(rng, 0, 2 + round(6 * rep.skill * days / 30))):
        if not engineers:
            break
        issue = rng.choice(ISSUES)
        moment = start + _between(rng, first_day * DAY, days * DAY)
        out.row("feedbacks", rep.id, clock.text(moment), rng.choice(engineers).id, issue, ISSUE_SCORE[issue])
    surveyed = min(as_of - HOUR, start + (days - 1) * DAY + 10 * HOUR)
    out.row("rep_surveys", rep.id, clock.text(surveyed), round(70 + 25 * rep.skill + rng.uniform(-4, 4), 1))


def _reviews_and_complaints(rng, out, clock: _Clock, p: Person, current: Period, first_day: int,
                            as_of: int) -> None:
    """The period's multi-rater scores and the complaints and deductions recorded against a person."""
    days = (current.end - current.start).days
    start = clock.at(current.start)
    reviewed = clock.text(min(as_of - 2 * HOUR, start + (days - 1) * DAY + 16 * HOUR))
    raters = [("主管", 1)] + ([("质检", rng.choice((1, 2))), ("工程师", rng.choice((2, 3)))] if p.rep else [])
    for rater, times in raters:
        for _ in range(times):
            out.row("reviews", p.id, reviewed, rater, round(min(100, max(40, rng.gauss(62 + 34 * p.skill, 6)))))
    scale = (1.6 - p.skill) * days / 30
    for kind, chance in (("一般投诉", 0.06), ("重大投诉", 0.012), ("内部个人投诉", 0.03), ("违规异常", 0.02),
                         ("日常工作执行力", 0.05 if p.rep else 0.0), ("媒体曝光投诉", 0.002)):
        if rng.random() < chance * scale:
            moment = min(as_of - HOUR, start + _between(rng, first_day * DAY, days * DAY))
            out.row("penalties", p.id, clock.text(moment), kind, "",
                    "总部判定" if kind in ("一般投诉", "重大投诉", "媒体曝光投诉") else "内部受理")
