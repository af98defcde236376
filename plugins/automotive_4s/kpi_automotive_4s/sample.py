"""Deterministic sample data for the automotive_4s presets, behind `kpi demo --industry automotive_4s`.

`generate(out_dir, period, people, seed)` writes one CSV per dataset the presets declare, in the
form `kpi score` reads (a header row; `true`/`false`; durations in seconds; ISO 8601 times; an
empty cell is missing), for the period and the two periods before it (so `for N periods` actions
have history). Everything comes from one `random.Random(seed)` consumed in a fixed order: the same
arguments always give the same files.

The dealership is simulated the way a DMS sees it. People sit in stores (门店) of 20: 6 服务顾问,
11 维修技师 in 机电一组 / 机电二组 / 钣喷组, 3 配件员. Each technician fills his attendance hours
with jobs up to his utilisation; each job is a repair order received by one of the store's
advisors, may need parts from one of its parts clerks, and once the car is delivered gets a 回访.
A person's hidden skill (and a monthly drift) moves every rate they are scored on, so totals
spread across the bands. A store too small to have technicians has its advisors repair the cars
themselves (一人多岗), as small shops do.
"""
from __future__ import annotations

import csv
import math
import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from kpi_engine.compile.periods import Period

MINUTE, HOUR, DAY = 60, 3600, 86400

#: Columns of each file: the person column, the time column, then the declared fields.
COLUMNS: dict[str, tuple[str, ...]] = {
    "staff": ("employee_id", "name", "branch", "team", "role", "level", "hired_on", "tenure_months",
              "first_month"),
    "repair_orders": ("order_no", "advisor_id", "opened_at", "kind", "closed_at", "cycle", "reception",
                      "labour_amount", "parts_amount", "output", "gross_profit", "sold_hours",
                      "appointment", "comeback", "fixed_first_time", "bay"),
    "jobs": ("order_no", "technician_id", "finished_at", "kind", "cycle", "sold_hours", "clocked_hours",
             "labour_amount", "comeback", "fixed_first_time", "qc_passed", "bay"),
    "followups": ("order_no", "advisor_id", "delivered_at", "visited", "within_48h", "csi", "recommend"),
    "complaints": ("complaint_no", "employee_id", "received_at", "kind", "severity", "valid",
                   "handled_in_time", "resolved"),
    "parts_requests": ("request_no", "employee_id", "requested_at", "order_no", "amount", "from_stock",
                       "supplied_in_time", "wait", "quality_issue"),
    "attendance": ("employee_id", "month", "scheduled_days", "present_days", "absent_days", "late_times",
                   "hours"),
    "ratings": ("employee_id", "rated_at", "rater", "score"),
    "bays": ("employee_id", "month", "bay", "bay_type", "open_days", "vehicles"),
    "targets": ("employee_id", "month", "output_target", "orders_target", "hours_target"),
    "praises": ("employee_id", "recorded_at", "kind"),
}

ADVISOR, TECHNICIAN, PARTS = "服务顾问", "维修技师", "配件员"

#: The 20 places of a store, in the order people fill them: (role, 班组).
STORE_PLAN: tuple[tuple[str, str], ...] = (
    (ADVISOR, "服务顾问组"), (TECHNICIAN, "机电一组"), (TECHNICIAN, "钣喷组"), (PARTS, "配件组"),
    (ADVISOR, "服务顾问组"), (TECHNICIAN, "机电二组"), (TECHNICIAN, "机电一组"), (ADVISOR, "服务顾问组"),
    (TECHNICIAN, "钣喷组"), (TECHNICIAN, "机电二组"), (ADVISOR, "服务顾问组"), (TECHNICIAN, "机电一组"),
    (PARTS, "配件组"), (TECHNICIAN, "机电二组"), (ADVISOR, "服务顾问组"), (TECHNICIAN, "钣喷组"),
    (TECHNICIAN, "机电一组"), (ADVISOR, "服务顾问组"), (TECHNICIAN, "机电二组"), (PARTS, "配件组"),
)

CITIES = ("成都", "重庆", "西安", "武汉", "长沙", "杭州", "苏州", "南京", "合肥", "郑州", "济南", "青岛",
          "天津", "石家庄", "太原", "沈阳", "大连", "长春", "哈尔滨", "南昌", "福州", "厦门", "广州", "深圳",
          "佛山", "东莞", "南宁", "昆明", "贵阳", "兰州")
SITES = ("城南店", "城北店", "高新店", "东湖店", "西站店", "开发区店", "滨江店", "机场店")
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰飞鹏辉建国志文斌俊峰浩宇晨博凯鑫宁欣雪婷琳佳颖昊天翔亮波海龙"
TECH_LEVELS = ("初级工", "中级工", "高级工", "技师", "高级技师")
ADVISOR_LEVELS = ("一星", "二星", "三星")

COMPLAINT_KINDS = {ADVISOR: ("服务态度", "收费", "等待时间"), TECHNICIAN: ("维修质量", "等待时间"),
                   PARTS: ("配件", "等待时间")}


@dataclass
class Person:
    id: str
    name: str
    branch: str
    team: str
    role: str
    level: str
    hired_on: date
    skill: float
    bay: str = ""
    drift: float = 0.0


@dataclass
class Store:
    name: str
    rate: float                       # 工时单价 元/小时
    people: list[Person] = field(default_factory=list)

    def of(self, role: str) -> list[Person]:
        return [p for p in self.people if p.role == role]


# ---- helpers --------------------------------------------------------------------------------

def _clamp(x: float, lo: float, hi: float) -> float:
    return lo if x < lo else hi if x > hi else x


def _money(x: float) -> str:
    return f"{x:.2f}"


def _hours(x: float) -> str:
    return f"{x:.1f}"


def _bool(x: bool) -> str:
    return "true" if x else "false"


TF = ("false", "true")   # TF[flag]: a bool as CSV text


def _chunks(period: Period) -> list[tuple[date, date]]:
    """The months of a period (a week is one chunk): [(first day, day after the last)]."""
    if period.kind == "week":
        return [(period.start, period.end)]
    found, start = [], period.start
    while start < period.end:
        end = date(start.year + (start.month == 12), start.month % 12 + 1, 1)
        found.append((start, min(end, period.end)))
        start = end
    return found


def _count(rng: random.Random, mean: float) -> int:
    """A small count with the given mean (geometric), capped at 5."""
    n, stop = 0, mean / (1 + mean)
    while n < 5 and rng.random() < stop:
        n += 1
    return n


# ---- the roster ------------------------------------------------------------------------------

def _roster(rng: random.Random, people: int, period: Period) -> list[Store]:
    stores: list[Store] = []
    for i in range(people):
        number, place = divmod(i, len(STORE_PLAN))
        if place == 0:
            city, site = CITIES[number % len(CITIES)], SITES[(number // len(CITIES)) % len(SITES)]
            lap = number // (len(CITIES) * len(SITES))
            stores.append(Store(f"{city}{site}" + (f"{lap + 1}" if lap else ""), rate=rng.choice((280, 320, 360, 400))))
        store = stores[-1]
        role, team = STORE_PLAN[place]
        if place >= 3 and rng.random() < 0.03:     # a few people joined this period (入职首月)
            hired = period.start + timedelta(days=rng.randrange(0, 10))
        else:
            hired = period.start - timedelta(days=rng.randrange(45, 12 * 365))
        if role == TECHNICIAN:
            level = rng.choice(TECH_LEVELS)
        elif role == ADVISOR:
            level = rng.choice(ADVISOR_LEVELS)
        else:
            level = ""                             # 配件员 carry no level: an empty (missing) cell
        name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))
        person = Person(f"E{i + 1:05d}", name, store.name, f"{store.name}{team}", role, level, hired,
                        skill=_clamp(rng.gauss(0, 1), -2.5, 2.5))
        if role == TECHNICIAN:
            person.bay = f"{'P' if team == '钣喷组' else 'A'}{place + 1:02d}"
        store.people.append(person)
    return stores


def _months_between(start: date, end: date) -> int:
    return max(0, (end.year - start.year) * 12 + end.month - start.month - (end.day < start.day))


# ---- one store, one chunk of time ----------------------------------------------------------------

class Writer:
    """One CSV per dataset; rows are buffered and written a chunk at a time."""

    def __init__(self, out_dir: Path, origin: date, last: date):
        self.files, self.writers = {}, {}
        self.rows: dict[str, list] = {name: [] for name in COLUMNS}
        for name, columns in COLUMNS.items():
            handle = open(out_dir / f"{name}.csv", "w", encoding="utf-8", newline="")
            self.files[name] = handle
            self.writers[name] = csv.writer(handle, lineterminator="\n")
            self.writers[name].writerow(columns)
        # times are whole seconds since `origin`; ISO text from two lookup tables
        self.days = [(origin + timedelta(days=d)).isoformat() + "T" for d in range((last - origin).days + 8)]
        self.clock = [f"{h:02d}:{m:02d}:{s:02d}" for h in range(24) for m in range(60) for s in range(60)]

    def iso(self, seconds: int) -> str:
        day, rest = divmod(seconds, DAY)
        return self.days[day] + self.clock[rest]

    def flush(self) -> None:
        for name, rows in self.rows.items():
            if rows:
                self.writers[name].writerows(rows)
                rows.clear()

    def close(self) -> None:
        self.flush()
        for handle in self.files.values():
            handle.close()


def _kind(rng: random.Random, bodyshop: bool) -> str:
    if bodyshop:
        return "钣喷"
    r = rng.random()
    return "保养" if r < 0.42 else "机修" if r < 0.86 else "索赔"


def _store_chunk(rng: random.Random, w: Writer, store: Store, start: date, end: date, origin: date,
                 cutoff: int, serial: list[int]) -> None:
    days = (end - start).days
    begin = (start - origin).days * DAY                      # the chunk's first second
    active = {p.id: p.hired_on < end for p in store.people}
    advisors, technicians, clerks = ([p for p in store.of(role) if active[p.id]]
                                     for role in (ADVISOR, TECHNICIAN, PARTS))
    workers = technicians or advisors    # a store without technicians: its advisors repair (一人多岗)
    first_day = {p.id: max(0, (p.hired_on - start).days) for p in store.people}
    present: dict[str, tuple[int, float]] = {}              # person id -> (days present, hours)
    month = start.isoformat()
    rows, iso = w.rows, w.iso
    random_, randrange, gauss, uniform, choice = rng.random, rng.randrange, rng.gauss, rng.uniform, rng.choice

    for person in store.people:
        person.drift = gauss(0, 0.35)
        if not active[person.id]:
            continue
        scheduled = round((days - first_day[person.id]) * 26 / 30)
        absent = 1 if random_() < 0.03 else 0
        days_present = max(0, scheduled - choice((0, 0, 0, 1, 2)) - absent)
        hours = days_present * 8.0
        present[person.id] = (days_present, hours)
        rows["attendance"].append((person.id, month, scheduled, days_present, absent, _count(rng, 0.4),
                                   _hours(hours)))

    output_sum = {p.id: 0.0 for p in store.people}
    order_count = {p.id: 0 for p in store.people}
    sold_sum = {p.id: 0.0 for p in store.people}
    vehicles = {p.id: 0 for p in store.people}
    for worker in workers:
        eff = worker.skill + worker.drift
        part_time = 1.0 if worker.role == TECHNICIAN else 0.4
        capacity = present[worker.id][1] * part_time * _clamp(0.78 + 0.07 * eff + gauss(0, 0.04), 0.45, 0.97)
        speed = _clamp(1.05 + 0.08 * eff + gauss(0, 0.06), 0.75, 1.4)      # sold / clocked hours
        bodyshop = worker.team.endswith("钣喷组")
        comeback_p = _clamp(0.016 - 0.007 * eff, 0.002, 0.08)
        fixed_p = _clamp(0.975 + 0.012 * eff, 0.85, 0.999)
        qc_p = _clamp(0.965 + 0.015 * eff, 0.85, 0.999)
        window = max(1, days - first_day[worker.id]) * DAY
        offset = begin + first_day[worker.id] * DAY
        clocked_total = 0.0
        while clocked_total < capacity:
            kind = _kind(rng, bodyshop)
            if kind == "保养":
                sold, parts = uniform(1.0, 3.0), uniform(280, 950)
                cycle = gauss(1.7 - 0.15 * eff, 0.45) * HOUR
            elif kind == "机修":
                sold = uniform(2, 9)
                parts = uniform(150, 3500) if random_() < 0.85 else 0.0
                cycle = math.exp(gauss(10.3 - 0.15 * eff, 0.6))            # e^10.3 s ≈ 8.2 h
            elif kind == "索赔":
                sold, parts = uniform(2, 8), uniform(300, 3000)
                cycle = math.exp(gauss(11.2, 0.5))                         # ≈ 20 h
            else:
                sold, parts = uniform(5, 16), uniform(400, 4800)
                cycle = math.exp(gauss(12.16 - 0.1 * eff, 0.35))           # ≈ 2.2 d
            clocked = sold / speed
            clocked_total += clocked
            cycle = int(max(cycle, clocked * HOUR * 0.8, 40 * MINUTE))
            # a car arrives on a working day between 08:00 and 17:00
            opened = offset + (randrange(window) // DAY) * DAY + randrange(8 * HOUR, 17 * HOUR)
            advisor = choice(advisors) if advisors else worker
            adv = advisor.skill + advisor.drift
            parts = round(parts * (1 + 0.06 * adv), 2)
            labour = round(sold * store.rate, 2)
            other = choice((0, 0, 0, 0, 30, 60, 120))
            output = labour + parts + other
            profit = (labour * uniform(0.55, 0.7) + parts * uniform(0.15, 0.25) + other * 0.5) * (1 + 0.03 * adv)
            comeback = random_() < comeback_p
            fixed = not comeback and random_() < fixed_p
            closed = opened + cycle
            done = closed < cutoff
            serial[0] += 1
            order = f"RO{serial[0]:08d}"
            labour_text, parts_text, sold_text = f"{labour:.2f}", f"{parts:.2f}", f"{sold:.1f}"
            rows["repair_orders"].append((
                order, advisor.id, iso(opened), kind, iso(closed) if done else "", cycle if done else "",
                int(_clamp(gauss(11 - 2.5 * adv, 3), 2, 45) * MINUTE), labour_text, parts_text,
                f"{output:.2f}", f"{profit:.2f}", sold_text, TF[random_() < _clamp(0.5 + 0.1 * adv, 0.1, 0.9)],
                TF[comeback], TF[fixed], worker.bay))
            output_sum[advisor.id] += output
            order_count[advisor.id] += 1
            if parts > 0 and clerks and kind != "保养":      # 保养 kits are picked in advance
                clerk = choice(clerks)
                ceff = clerk.skill + clerk.drift
                requested = opened + randrange(15 * MINUTE, 90 * MINUTE)
                if requested < cutoff:
                    stock = random_() < _clamp(0.9 + 0.03 * ceff, 0.6, 0.995)
                    wait = randrange(5 * MINUTE, 35 * MINUTE) if stock else randrange(4 * HOUR, 3 * DAY)
                    in_time = random_() < (_clamp(0.975 + 0.015 * ceff, 0.8, 0.999) if stock else 0.75)
                    rows["parts_requests"].append((
                        f"PR{serial[0]:08d}", clerk.id, iso(requested), order, parts_text, TF[stock],
                        TF[in_time], wait, TF[random_() < 0.005]))
            if not done:
                continue
            finished = max(opened + int(clocked * HOUR * 0.8), closed - randrange(10 * MINUTE, 50 * MINUTE))
            rows["jobs"].append((order, worker.id, iso(finished), kind, cycle, sold_text, f"{clocked:.1f}",
                                 labour_text, TF[comeback], TF[fixed], TF[random_() < qc_p], worker.bay))
            sold_sum[worker.id] += sold
            vehicles[worker.id] += 1
            visited = random_() < _clamp(0.965 + 0.02 * adv, 0.7, 0.998)
            if visited:
                fast = random_() < _clamp(0.95 + 0.03 * adv, 0.6, 1.0)
                csi = f"{round(_clamp(gauss(88 + 4 * adv, 5), 50, 100)) / 100:.2f}"
                recommend = round(_clamp(gauss(8.4 + 0.7 * adv, 1.4), 0, 10))
                rows["followups"].append((order, advisor.id, iso(closed), "true", TF[fast], csi, recommend))
            else:
                rows["followups"].append((order, advisor.id, iso(closed), "false", "false", "", ""))

    # the month's summaries: work bays, targets, ratings, complaints, praises
    outputs = [output_sum[a.id] for a in advisors if order_count[a.id]]
    counts = [order_count[a.id] for a in advisors if order_count[a.id]]
    rated = w.iso(begin + days * DAY - 7 * HOUR)                  # the last day, 17:00
    for person in store.people:
        if not active[person.id]:
            continue
        eff = person.skill + person.drift
        if person.role == TECHNICIAN:
            bay_type = "机电工位" if person.bay.startswith("A") else "烤漆房" if person.bay in ("P03", "P09") else "钣金工位"
            rows["bays"].append((person.id, month, person.bay, bay_type, present[person.id][0], vehicles[person.id]))
            target = present[person.id][1] * 0.8 * uniform(0.95, 1.1)
            rows["targets"].append((person.id, month, "", "", _hours(target)))
        elif person.role == ADVISOR and outputs:
            output_target = round(sum(outputs) / len(outputs) * uniform(0.9, 1.1), -3)
            orders_target = round(sum(counts) / len(counts) * uniform(0.9, 1.1))
            rows["targets"].append((person.id, month, _money(output_target), orders_target, ""))
        for rater, spread in (("质检", 5), ("客户", 6), ("主管", 4)):
            rows["ratings"].append((person.id, rated, rater, round(_clamp(gauss(84 + 5 * eff, spread), 40, 100), 1)))
        mean = {ADVISOR: 0.3, TECHNICIAN: 0.12, PARTS: 0.08}[person.role] * (1 - 0.2 * eff)
        for _ in range(_count(rng, max(mean, 0.01))):
            received = begin + randrange(days * DAY)
            if received >= cutoff:
                continue
            r = random_()
            severity = "媒体曝光" if r < 0.003 else "重大" if r < 0.08 else "一般"
            serial[0] += 1
            rows["complaints"].append((
                f"TS{serial[0]:08d}", person.id, w.iso(received), choice(COMPLAINT_KINDS[person.role]), severity,
                _bool(random_() < 0.8), _bool(random_() < _clamp(0.88 + 0.05 * eff, 0.5, 1)),
                _bool(random_() < 0.85)))
        for kind, chance in (("客户表扬", 0.15), ("锦旗", 0.02), ("合理化建议", 0.05)):
            if random_() < chance:
                moment = begin + randrange(days * DAY)
                if moment < cutoff:
                    rows["praises"].append((person.id, w.iso(moment), kind))
    w.flush()


def generate(out_dir: Path, period: Period, people: int, seed: int) -> None:
    """Write the automotive_4s datasets for `period` and the two periods before it into out_dir."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    stores = _roster(rng, people, period)
    periods = (period.previous().previous(), period.previous(), period)
    origin = periods[0].start
    writer = Writer(out_dir, origin, period.end)
    try:
        for store in stores:
            for person in store.people:
                writer.rows["staff"].append((
                    person.id, person.name, person.branch, person.team, person.role, person.level,
                    person.hired_on.isoformat(), _months_between(person.hired_on, period.end),
                    _bool(person.hired_on >= period.start)))
        cutoff = (period.end - origin).days * DAY      # the data is pulled when the period ends
        serial = [0]
        for scored in periods:
            for start, end in _chunks(scored):
                for store in stores:
                    _store_chunk(rng, writer, store, start, end, origin, cutoff, serial)
    finally:
        writer.close()
