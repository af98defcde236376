#!/usr/bin/env python3
"""Writes the sample data for the example policies: one folder per policy,
examples/data/<file stem>/<policy id>/, holding one CSV per dataset and a case.toml.

Deterministic (no randomness): running it again rewrites the same files. Each person's figures are
chosen so that the policy's rules are exercised -- different band rows, a not-applicable indicator,
ties where ranks are used, earlier periods where an action looks back `for N periods`. The comments
next to each person say what the figures are meant to hit.

usage: python examples/data/generate.py
"""
from __future__ import annotations

import csv
from pathlib import Path

HERE = Path(__file__).resolve().parent
MINUTE, HOUR, DAY = 60, 3600, 86400


# ---- helpers --------------------------------------------------------------------------------

def spread(n: int, k: int) -> list[bool]:
    """n flags of which exactly k are true, spread evenly (k = 0 .. n)."""
    return [(i + 1) * k // n != i * k // n for i in range(n)]


def ts(month: str, day: int, hour: int = 9, minute: int = 0) -> str:
    """An ISO 8601 time in `month` ("2026-10"), the day clamped to the month's length."""
    mon = month.split("-")[1]
    day = min(day, 28 if mon == "02" else 30 if mon in ("04", "06", "09", "11") else 31)
    return f"{month}-{day:02d}T{hour:02d}:{minute:02d}:00"


def mean_values(n: int, mean: float, step: float) -> list[float]:
    """n values around `mean` whose average is exactly `mean`: mean-step, mean+step, ..., (mean)."""
    out = []
    for i in range(n // 2):
        d = step * (1 + i % 3)
        out += [mean - d, mean + d]
    if n % 2:
        out.append(mean)
    return out


def num(x) -> str:
    """A number as CSV text without a trailing .0."""
    if isinstance(x, bool):
        return "true" if x else "false"
    if isinstance(x, float) and x.is_integer():
        return str(int(x))
    if isinstance(x, float):
        return f"{x:.4f}".rstrip("0").rstrip(".")
    return str(x)


class Case:
    """One policy's data folder."""

    def __init__(self, stem: str, policy: str, period: str, sets: dict[str, str] | None = None):
        self.dir = HERE / stem / policy
        self.period = period
        self.sets = sets or {}
        self.tables: dict[str, tuple[list[str], list[list]]] = {}
        self.counters: dict[str, int] = {}

    def table(self, name: str, header: list[str]):
        self.tables.setdefault(name, (header, []))
        return self.tables[name][1]

    def add(self, name: str, header: list[str], *values, prefix: str | None = None):
        """Append a row; when `prefix` is given an id column (first in header) is numbered."""
        rows = self.table(name, header)
        if prefix is not None:
            self.counters[name] = self.counters.get(name, 0) + 1
            values = (f"{prefix}{self.counters[name]:04d}",) + values
        rows.append(list(values))

    def write(self):
        self.dir.mkdir(parents=True, exist_ok=True)
        for old in self.dir.glob("*.csv"):
            old.unlink()
        for name, (header, rows) in self.tables.items():
            with open(self.dir / f"{name}.csv", "w", encoding="utf-8", newline="") as f:
                w = csv.writer(f, lineterminator="\n")
                w.writerow(header)
                for row in rows:
                    w.writerow(["" if v is None else num(v) for v in row])
        lines = [f'period = "{self.period}"']
        if self.sets:
            lines += ["", "[set]"] + [f'{k} = "{v}"' for k, v in self.sets.items()]
        (self.dir / "case.toml").write_text("\n".join(lines) + "\n", encoding="utf-8")


CASES: list = []


def case(fn):
    CASES.append(fn)
    return fn


# ---- seed 000 -------------------------------------------------------------------------------

STAFF_000 = [("E01", "张三", "一组"), ("E02", "李四", "一组"), ("E03", "王五", "一组"),
             ("E04", "赵六", "二组"), ("E05", "孙七", "二组"), ("E06", "周八", "二组")]


def seed000_month(c: Case, month: str, pid: str, on: int, fcr: int, res_h: float, csat: list,
                  nps: list, collab_h: list, shares: int, insp: tuple[int, int], n: int = 20,
                  boundary: bool = False):
    """One person's month: n tickets, `on` of them answered within 30 min, `fcr` resolved at first
    contact, resolution averaging `res_h` hours (the last ticket still open)."""
    on_flags, fcr_flags = spread(n, on), spread(n, fcr)[::-1]
    resolutions = [h * HOUR for h in mean_values(n - 1, res_h, 2)] + [None]
    for i in range(n):
        if on_flags[i]:
            first = 30 * MINUTE if boundary and i == 0 else 600 + 60 * (i % 19)
        else:
            first = 40 * MINUTE + 5 * MINUTE * (i % 5)
        c.add("tickets", ["ticket_id", "agent_id", "opened_at", "first_response", "first_contact_resolved", "resolution"],
              pid, ts(month, 1 + i * 3 // 2, 9 + i % 8), first, fcr_flags[i], resolutions[i], prefix="T")
    k, total = insp
    for i, ok in enumerate(spread(total, k)):
        c.add("inspections", ["check_id", "agent_id", "checked_at", "followed"], pid, ts(month, 3 + 2 * i, 15), ok, prefix="Q")
    for i, (s, p) in enumerate(zip(csat + [None] * (len(nps) - len(csat)), nps + [None] * (len(csat) - len(nps)))):
        c.add("surveys", ["survey_id", "agent_id", "answered_at", "csat", "nps"], pid, ts(month, 2 + 4 * i, 11), s, p, prefix="S")
    for i, h in enumerate(collab_h):
        c.add("collabs", ["collab_id", "agent_id", "opened_at", "elapsed"], pid, ts(month, 5 + 6 * i, 10), h * HOUR, prefix="C")
    for i in range(shares):
        c.add("shares", ["share_id", "agent_id", "shared_at", "title"], pid, ts(month, 8 + 7 * i, 16), f"{month}案例{i + 1}", prefix="K")


@case
def seed000_service_monthly():
    c = Case("seed000_service_framework", "service_monthly", "2026-10")
    for pid, name, team in STAFF_000:
        c.add("staff", ["employee_id", "name", "team"], pid, name, team)
    good = dict(on=19, fcr=18, res_h=20, csat=[5, 5, 4, 5, 4], nps=[10, 9, 9, 10, 8], collab_h=[8, 12], shares=3, insp=(10, 10))
    fair = dict(on=18, fcr=17, res_h=30, csat=[4, 4, 5, 4, 4], nps=[9, 7, 6, 10, 8], collab_h=[18, 22], shares=2, insp=(9, 10))
    # 2026-08 and 2026-09: history for "连续2个月考核<70分"
    for month in ("2026-08", "2026-09"):
        seed000_month(c, month, "E01", **good)
        seed000_month(c, month, "E06", **good)
        seed000_month(c, month, "E02", **fair)
        seed000_month(c, month, "E03", **fair)
        seed000_month(c, month, "E04", **fair)          # ≥70 in September: no action in October
    seed000_month(c, "2026-08", "E05", **fair)
    # E05 September: 60 + 0 + 0 + 0 + 80 + 60 -> 26 (<70)
    seed000_month(c, "2026-09", "E05", on=17, fcr=15, res_h=75, csat=[3, 3, 4], nps=[6, 5, 9], collab_h=[20], shares=1, insp=(7, 10))
    m = "2026-10"
    # E01: every indicator in its top row (95% exactly, one response at exactly 30 min) -> 100
    seed000_month(c, m, "E01", **good, boundary=True)
    # E02: every indicator in its second row -> 80
    seed000_month(c, m, "E02", **fair)
    # E03: 85% -> 60, fcr 95% -> 100, 50 h -> 60, CSAT exactly 4.5 -> 100, 30 h -> 60, 1 share -> 60: 78
    seed000_month(c, m, "E03", on=17, fcr=19, res_h=50, csat=[5, 4, 5, 4, 5, 4], nps=[9, 9, 10, 6], collab_h=[28, 32], shares=1, insp=(8, 10))
    # E04: mostly bottom rows -> 36
    seed000_month(c, m, "E04", on=16, fcr=16, res_h=60, csat=[4, 3, 4, 3, 4], nps=[5, 6, 7, 9], collab_h=[38, 42], shares=0, insp=(6, 10))
    # E05: no cross-department work this month (跨部门协作效率 not applicable, rescaled); <70 again -> training
    seed000_month(c, m, "E05", on=18, fcr=16, res_h=80, csat=[3, 4, 3, 4, 3], nps=[6, 6, 8], collab_h=[], shares=2, insp=(7, 10))
    # E06: no surveys and no inspections this month (CSAT, NPS, 规范执行率 not applicable); 24 h exactly
    seed000_month(c, m, "E06", on=20, fcr=18, res_h=24, csat=[], nps=[], collab_h=[12], shares=4, insp=(0, 0))
    c.write()


@case
def seed000_service_annual():
    c = Case("seed000_service_framework", "service_annual", "2026")
    for pid, name, team in STAFF_000:
        c.add("staff", ["employee_id", "name", "team"], pid, name, team)
    # five tickets a month over the year; shares per month drive the 月均 measure
    plans = {
        "E01": dict(on=5, fcr=5, res_h=20, csat=[5, 4], nps=[10, 9], collab_h=[10], shares=3),   # 100
        "E02": dict(on=5, fcr=4, res_h=30, csat=[4, 4], nps=[9, 7], collab_h=[20], shares=2),    # fcr 80% -> 60
        "E03": dict(on=4, fcr=5, res_h=40, csat=[5, 4], nps=[9, 6], collab_h=[30], shares=2),
        "E04": dict(on=4, fcr=4, res_h=60, csat=[4, 3], nps=[6, 7], collab_h=[40], shares=1),
        "E05": dict(on=5, fcr=4, res_h=26, csat=[4, 4], nps=[8, 9], collab_h=[], shares=1),      # no 协作 all year
        "E06": dict(on=5, fcr=5, res_h=22, csat=[5, 4], nps=[10, 10], collab_h=[11], shares=3),  # ties E01 at 100
    }
    for mon in range(1, 13):
        month = f"2026-{mon:02d}"
        for pid, plan in plans.items():
            seed000_month(c, month, pid, n=5, insp=(0, 0), **plan)
    for name in ("inspections",):
        c.tables.pop(name, None)
    c.write()


# ---- seed 001 -------------------------------------------------------------------------------

PRESALES = [("P01", "林一", "售前一组"), ("P02", "陈二", "售前一组"), ("P03", "黄三", "售前一组"),
            ("P04", "何四", "售前一组"), ("P05", "罗五", "售前一组"), ("P06", "高六", "售前一组")]
AFTERSALES = [("A01", "郭一", "售后一组"), ("A02", "马二", "售后一组"), ("A03", "梁三", "售后一组"),
              ("A04", "宋四", "售后一组"), ("A05", "唐五", "售后一组"), ("A06", "许六", "售后一组")]


def seed001_roster(c: Case, main: list, role: str, other: tuple, other_role: str):
    header = ["employee_id", "name", "team", "role"]
    for pid, name, team in main:
        c.add("staff", header, pid, name, team, role)
    c.add("staff", header, *other, other_role)       # a person of the other role: not scored here


def response_times(n: int, ok: int, relief: int, ok_value: int, promo_from: int) -> list[int]:
    """n response times in seconds: `relief` of them 50 s from index promo_from on (records that fall
    on promotion days: on time only under the 60 s limit), `ok` in ok_value s, the rest 75 s (late
    in any case), the late ones spread over the month."""
    relief_slots = set(range(promo_from, promo_from + relief))
    others = [s for s in range(n) if s not in relief_slots]
    late_slots = {s for s, late in zip(others, spread(len(others), n - ok - relief)) if late}
    return [50 if s in relief_slots else 75 if s in late_slots else ok_value for s in range(n)]


def seed001_common(c: Case, month: str, pid: str, qa: list, csat: list, review: int | None,
                   assists: tuple[int, int]):
    for i, s in enumerate(qa):
        c.add("qa", ["check_id", "agent_id", "checked_at", "score"], pid, ts(month, 4 + 9 * i, 14), s, prefix="Q")
    for i, s in enumerate(csat):
        c.add("surveys", ["survey_id", "agent_id", "answered_at", "score"], pid, ts(month, 3 + 7 * i, 20), s, prefix="S")
    if review is not None:
        c.add("reviews", ["review_id", "agent_id", "reviewed_at", "score"], pid, ts(month, 28, 17), review, prefix="R")
    k, n = assists
    for i, ok in enumerate(spread(n, k)):
        c.add("assists", ["assist_id", "agent_id", "asked_at", "response"], pid, ts(month, 2 + 5 * i, 15),
              (4 + i % 5) * MINUTE if ok else 25 * MINUTE, prefix="X")


def presales_month(c: Case, month: str, pid: str, replied: int, ok: int, relief: int, ok_value: int,
                   ordered: int, paid: int, qa: list, csat: list, review: int | None,
                   assists: tuple[int, int], valid: int = 50, ads: int = 3):
    header = ["consult_id", "agent_id", "started_at", "kind", "replied", "first_response", "ordered", "paid"]
    times = response_times(replied, ok, relief, ok_value, promo_from=31)   # index 31 on: 20th on
    replied_flags = [True] * replied + [False] * (valid - replied)
    ordered_flags, t = spread(valid, ordered), iter(times)
    paid_flags = iter(spread(ordered, paid))
    for i in range(valid):
        day = 1 + i * 31 // valid
        o = ordered_flags[i]
        c.add("consults", header, pid, ts(month, day, 10 + i % 10, i % 60), "有效咨询", replied_flags[i],
              next(t) if replied_flags[i] else None, o, next(paid_flags) if o else False, prefix="W")
    for i in range(ads):
        c.add("consults", header, pid, ts(month, 5 + 9 * i, 13), "广告", False, None, False, False, prefix="W")
    seed001_common(c, month, pid, qa, csat, review, assists)


@case
def seed001_presales_cs():
    c = Case("seed001_customer_service", "presales_cs", "2026-10")
    seed001_roster(c, PRESALES, "售前客服", AFTERSALES[0], "售后客服")
    plan = {
        # replied, on time (≤30s), promo relief (50 s on promo days), on-time value, ordered, paid
        "P01": dict(replied=50, ok=47, relief=0, ok_value=22, ordered=36, paid=34, qa=[95, 92, 94], csat=[5, 5, 4, 5], review=92, assists=(10, 10)),
        "P02": dict(replied=49, ok=44, relief=0, ok_value=12, ordered=31, paid=27, qa=[90, 88, 86], csat=[4, 5, 4, 4], review=85, assists=(9, 10)),
        "P03": dict(replied=48, ok=38, relief=8, ok_value=20, ordered=26, paid=24, qa=[85, 82, 88], csat=[4, 4, 4, 5], review=80, assists=(8, 10)),
        "P04": dict(replied=47, ok=36, relief=0, ok_value=28, ordered=20, paid=15, qa=[78, 80, 75], csat=[3, 4, 4, 3], review=75, assists=(7, 10)),
        "P05": dict(replied=50, ok=45, relief=0, ok_value=25, ordered=30, paid=27, qa=[88, 90, 86], csat=[], review=82, assists=(0, 0)),
        "P06": dict(replied=46, ok=30, relief=0, ok_value=35, ordered=22, paid=16, qa=[65, 70, 62], csat=[3, 2, 3, 3], review=60, assists=(6, 10)),
    }
    for month in ("2026-08", "2026-09", "2026-10"):
        for pid, p in plan.items():
            if month != "2026-10" and pid == "P05":
                p = {**p, "csat": [4, 4, 5], "assists": (9, 10)}
            presales_month(c, month, pid, **p)
    c.write()


def aftersales_month(c: Case, month: str, pid: str, fcr: int, repeated: int, complaints: int,
                     escalated: int, ok: int, relief: int, qa: list, csat: list, review: int | None,
                     assists: tuple[int, int], valid: int = 40, ads: int = 2):
    header = ["ticket_id", "agent_id", "opened_at", "kind", "first_response", "first_call_resolved", "repeated", "escalated"]
    times = response_times(valid, ok, relief, 18, promo_from=25)          # index 25 on: 20th on
    kinds = ["投诉" if f else "咨询" for f in spread(valid, complaints)]
    esc = iter(spread(complaints, escalated))
    fcr_flags, rep_flags = spread(valid, fcr), spread(valid, repeated)[::-1]
    for i in range(valid):
        day = 1 + i * 31 // valid
        c.add("tickets", header, pid, ts(month, day, 9 + i % 9, (7 * i) % 60), kinds[i], times[i], fcr_flags[i],
              rep_flags[i], next(esc) if kinds[i] == "投诉" else False, prefix="T")
    for i in range(ads):
        c.add("tickets", header, pid, ts(month, 6 + 11 * i, 12), "广告", None, False, False, False, prefix="T")
    seed001_common(c, month, pid, qa, csat, review, assists)


@case
def seed001_aftersales_cs():
    c = Case("seed001_customer_service", "aftersales_cs", "2026-10")
    seed001_roster(c, AFTERSALES, "售后客服", PRESALES[0], "售前客服")
    plan = {
        "A01": dict(fcr=37, repeated=2, complaints=8, escalated=0, ok=38, relief=0, qa=[94, 96, 92], csat=[5, 5, 4], review=90, assists=(10, 10)),
        "A02": dict(fcr=34, repeated=4, complaints=8, escalated=1, ok=36, relief=0, qa=[88, 86, 90], csat=[4, 4, 5], review=85, assists=(9, 10)),
        "A03": dict(fcr=32, repeated=5, complaints=6, escalated=0, ok=33, relief=3, qa=[84, 80, 82], csat=[4, 3, 4], review=78, assists=(8, 10)),
        "A04": dict(fcr=30, repeated=3, complaints=10, escalated=2, ok=31, relief=0, qa=[76, 80, 78], csat=[3, 4, 3], review=72, assists=(7, 10)),
        "A05": dict(fcr=36, repeated=3, complaints=0, escalated=0, ok=37, relief=0, qa=[90, 88, 91], csat=[4, 5, 5], review=88, assists=(10, 10)),
        "A06": dict(fcr=28, repeated=6, complaints=9, escalated=2, ok=29, relief=0, qa=[66, 70, 64], csat=[3, 2, 3], review=58, assists=(5, 10)),
    }
    for month in ("2026-08", "2026-09", "2026-10"):
        for pid, p in plan.items():
            aftersales_month(c, month, pid, **p)
    c.write()



# ---- seed 002 -------------------------------------------------------------------------------

def tickets_002(c: Case, month: str, pid: str, res_h: float, first_min: float = 20, n: int = 10):
    """n tickets with resolution averaging res_h hours (the last one open) and first responses
    averaging first_min minutes."""
    resolutions = [h * HOUR for h in mean_values(n - 1, res_h, 3)] + [None]
    firsts = [m * MINUTE for m in mean_values(n, first_min, 5)]
    for i in range(n):
        c.add("tickets", ["ticket_id", "agent_id", "opened_at", "first_response", "resolution"],
              pid, ts(month, 1 + 3 * i, 9 + i % 8), firsts[i], resolutions[i], prefix="T")


def surveys_002(c: Case, month: str, pid: str, scores: list):
    for i, s in enumerate(scores):
        c.add("surveys", ["survey_id", "agent_id", "answered_at", "score"], pid, ts(month, 4 + 6 * i, 19), s, prefix="S")


@case
def seed002_small():
    c = Case("seed002_policy_template", "small", "2026-10")
    m = "2026-10"
    people = [
        ("S01", "钱一", "售后客服", [5, 5, 4, 5], 20),     # 4.75 -> 100, 20 h -> 100
        ("S02", "钱二", "维修人员", [4, 4, 4, 4], 30),     # 4.0 -> 80,   30 h -> 80
        ("S03", "钱三", "售后客服", [4, 3, 4, 3], 60),     # 3.5 -> 60,   60 h -> 60
        ("S04", "钱四", "维修人员", [3, 4, 3, 3], 80),     # 3.25 -> 0,   80 h -> 0
        ("S05", "钱五", "售后客服", [], 48),               # no questionnaires: 满意度 not applicable; 48 h -> 80
    ]
    for pid, name, role, scores, res_h in people:
        c.add("staff", ["employee_id", "name", "role"], pid, name, role)
        tickets_002(c, m, pid, res_h)
        surveys_002(c, m, pid, scores)
    c.write()


LEVELS = ["很满意", "较满意", "不满意", "很不满意"]


@case
def seed002_medium():
    c = Case("seed002_policy_template", "medium", "2026-10")
    m = "2026-10"
    people = [
        # id, name, role, csat, res h, (answered, calls) or (fixed, repairs), supervisor's level
        ("M01", "孔一", "售后客服", [5, 5, 4, 5], 20, (24, 25), "很满意"),   # 接听率 96%
        ("M02", "孔二", "售后客服", [4, 4, 5, 4], 30, (41, 45), "较满意"),   # 91.1%
        ("M03", "孔三", "售后客服", [4, 3, 4, 4], 30, (18, 20), "不满意"),   # 90% exactly
        ("M04", "孔四", "维修人员", [5, 4, 5, 4], 22, (20, 20), "较满意"),   # 修复成功率 100%
        ("M05", "孔五", "维修人员", [3, 4, 3, 4], 70, (22, 25), "很不满意"), # 88%
        ("M06", "孔六", "维修人员", [4, 4, 3, 4], 40, (16, 20), None),       # 80%; no rating this month
    ]
    for pid, name, role, scores, res_h, (k, n), level in people:
        c.add("staff", ["employee_id", "name", "role"], pid, name, role)
        tickets_002(c, m, pid, res_h)
        surveys_002(c, m, pid, scores)
        for i, ok in enumerate(spread(n, k)):
            if role == "售后客服":
                c.add("calls", ["call_id", "agent_id", "rang_at", "answered"], pid, ts(m, 1 + i * 30 // n, 10 + i % 7), ok, prefix="C")
            else:
                c.add("repairs", ["repair_id", "technician_id", "finished_at", "fixed"], pid, ts(m, 1 + i * 30 // n, 14), ok, prefix="R")
        if level:
            # an earlier rating in the month is overridden by the last one
            c.add("reviews", ["review_id", "employee_id", "reviewed_at", "level"], pid, ts(m, 15, 17), "较满意", prefix="V")
            c.add("reviews", ["review_id", "employee_id", "reviewed_at", "level"], pid, ts(m, 30, 17), level, prefix="V")
    c.write()


@case
def seed002_large():
    c = Case("seed002_policy_template", "large", "2026-10")
    m = "2026-10"
    people = [
        # id, name, role, csat scores, res h, first response min, complaints (causes),
        # repairs (first fix, n, avg cost, reasonable), ratings by rater, level
        ("L01", "韩一", "售后客服", [5, 5, 4, 5, 5, 4, 5, 5, 5, 5], 20, 20, [], None, (95, 90, 92), "很满意"),
        ("L02", "韩二", "售后客服", [5, 4, 4, 5, 4, 4, 5, 4, 3, 4], 36, 50, ["时效"], None, (85, 80, 78), "较满意"),
        ("L03", "韩三", "售后客服", [4, 3, 4, 4, 3, 4, 4, 4, 4, 3], 80, 100, ["服务态度", "时效"], None, (70, 72, 65), "不满意"),
        ("L04", "韩四", "维修人员", [5, 5, 5, 4, 5, 5, 5, 5, 5, 4], 22, 25, [], (19, 20, 180, 20), (92, 94, 90), "很满意"),
        ("L05", "韩五", "维修人员", [4, 4, 5, 4, 4, 4, 3, 4, 4, 4], 30, 45, ["维修质量"], (18, 20, 260, 19), (84, 82, 86), "较满意"),
        ("L06", "韩六", "维修人员", [4, 3, 4, 3, 4, 4, 3, 4, 4, 3], 60, 150, ["服务态度"], (15, 20, 450, 17), (68, 70, 60), None),
    ]
    for pid, name, role, scores, res_h, first_min, causes, repairs, ratings, level in people:
        c.add("staff", ["employee_id", "name", "role"], pid, name, role)
        tickets_002(c, m, pid, res_h, first_min, n=50)
        surveys_002(c, m, pid, scores)
        for i, cause in enumerate(causes):
            c.add("complaints", ["complaint_id", "agent_id", "received_at", "cause"], pid, ts(m, 9 + 8 * i, 16), cause, prefix="P")
        if repairs:
            first, n, cost, reasonable = repairs
            costs = mean_values(n, cost, 20)
            fix_flags, ok_flags = spread(n, first), spread(n, reasonable)[::-1]
            for i in range(n):
                c.add("repairs", ["repair_id", "technician_id", "finished_at", "first_visit_fixed", "cost", "parts_reasonable"],
                      pid, ts(m, 1 + i * 3 // 2, 15), fix_flags[i], costs[i], ok_flags[i], prefix="R")
        for rater, score in zip(("客服人员", "主管", "客户"), ratings):
            c.add("ratings", ["rating_id", "employee_id", "rated_at", "rater", "score"], pid, ts(m, 29, 10), rater, score, prefix="G")
        if level:
            c.add("reviews", ["review_id", "employee_id", "reviewed_at", "level"], pid, ts(m, 30, 17), level, prefix="V")
    c.write()


# ---- seed 003 -------------------------------------------------------------------------------

@case
def seed003_quality_eval():
    c = Case("seed003_quality_evaluation", "quality_eval", "2026-Q4")
    months = ("2026-10", "2026-11", "2026-12")
    people = [
        # id, name, team, in time (of 50), fully resolved (of 50), followed up ≤48h (of 45 closed),
        # correct diagnoses (of 20), praised (of 20)
        ("Q01", "冯一", "华东", 48, 48, 45, 19, 17),   # every indicator in its 10-point row -> 100
        ("Q02", "冯二", "华东", 46, 46, 43, 17, 14),   # every indicator in its 8-point row -> 80
        ("Q03", "冯三", "华东", 47, 44, 41, 16, 12),   # 94% and 80% -> 8 (tier gap), 88% -> 5: 74 合格
        ("Q04", "冯四", "华南", 42, 40, 30, 15, 10),   # every indicator in its 5-point row -> 50
        ("Q05", "冯五", "华南", 49, 46, 42, 18, None), # no customer feedback: 沟通耐心度 not applicable
        ("Q06", "冯六", "华南", 45, 48, 45, 19, 16),
    ]
    for pid, name, team, in_time, full, followed, correct, praised in people:
        c.add("staff", ["employee_id", "name", "team"], pid, name, team)
        in_flags, full_flags = spread(50, in_time), spread(50, full)[::-1]
        closed_flags = [i % 10 != 9 for i in range(50)]              # 45 closed, 5 still open
        follow = iter(spread(45, followed))
        for i in range(50):
            month = months[i % 3]
            delay = None
            if closed_flags[i]:
                delay = (6 + (i * 7) % 40) * HOUR if next(follow) else (60 + i % 30) * HOUR if i % 2 else None
            c.add("tickets", ["ticket_id", "agent_id", "opened_at", "responded_in_time", "fully_resolved", "closed", "followup_delay"],
                  pid, ts(month, 1 + (i // 3) * 2 % 28, 9 + i % 8), in_flags[i], full_flags[i], closed_flags[i], delay, prefix="T")
        for i, ok in enumerate(spread(20, correct)):
            c.add("diagnoses", ["check_id", "agent_id", "checked_at", "correct"], pid, ts(months[i % 3], 5 + i, 15), ok, prefix="D")
        if praised is not None:
            for i, ok in enumerate(spread(20, praised)):
                c.add("feedback", ["feedback_id", "agent_id", "given_at", "praised"], pid, ts(months[i % 3], 3 + i, 20), ok, prefix="F")
    c.write()


# ---- seed 004 -------------------------------------------------------------------------------

@case
def seed004_support_kpi():
    c = Case("seed004_kpi_sheets", "support_kpi", "2026-10")
    m = "2026-10"
    people = [
        # id, name, (voice contacts, within 30 s), (text contacts, within 1 h), first-contact
        # resolved, resolved within 24 h, voice scores, text scores, evaluations
        ("K01", "严一", (40, 38), (10, 10), 42, 48, [5, 5, 4, 5], [4, 4], (90, 85, 88)),
        ("K02", "严二", (40, 34), (10, 8), 38, 46, [5, 4, 5, 4], [4, 3], (80, 82, 75)),
        ("K03", "严三", (40, 37), (0, 0), 32, 38, [4, 5, 5, 4], [], (85, 90, 80)),      # phone only: 短信/邮件 not applicable; 80% and 95% exactly
        ("K04", "严四", (30, 18), (20, 12), 30, 40, [4, 4, 4, 5], [4, 4, 3], (60, 55, 58)),
        ("K05", "严五", (35, 33), (15, 14), 41, 49, [5, 5, 5, 4], [5, 4], (88, 92, None)),  # 团队合作 not yet evaluated
    ]
    header = ["contact_id", "agent_id", "received_at", "channel", "first_response", "first_contact_resolved", "resolution"]
    for pid, name, (nv, okv), (nt, okt), fcr, within, sv, st, evals in people:
        c.add("staff", ["employee_id", "name"], pid, name)
        n = nv + nt
        fcr_flags, within_flags = spread(n, fcr), spread(n, within)[::-1]
        ok_v, ok_t = spread(nv, okv), spread(nt, okt)
        for i in range(n):
            voice = i < nv
            channel = ("电话", "在线")[i % 2] if voice else ("短信", "邮件")[i % 2]
            if voice:
                first = 8 + i % 20 if ok_v[i] else 45 + i % 30
            else:
                first = (10 + 3 * (i % 15)) * MINUTE if ok_t[i - nv] else (80 + i % 60) * MINUTE
            resolution = (2 + i % 20) * HOUR if within_flags[i] else ((30 + i % 40) * HOUR if i % 3 else None)
            c.add("contacts", header, pid, ts(m, 1 + i * 30 // n, 9 + i % 9, i % 60), channel, first, fcr_flags[i], resolution, prefix="K")
        for i, s in enumerate(sv):
            c.add("surveys", ["survey_id", "agent_id", "answered_at", "channel", "score"], pid, ts(m, 3 + 6 * i, 20), ("电话", "在线")[i % 2], s, prefix="S")
        for i, s in enumerate(st):
            c.add("surveys", ["survey_id", "agent_id", "answered_at", "channel", "score"], pid, ts(m, 5 + 6 * i, 21), ("短信", "邮件")[i % 2], s, prefix="S")
        for item, s in zip(("服务态度", "知识掌握程度", "团队合作"), evals):
            if s is not None:
                c.add("evaluations", ["evaluation_id", "employee_id", "evaluated_at", "item", "score"], pid, ts(m, 28, 16), item, s, prefix="E")
    c.write()


@case
def seed004_dealer_4s():
    c = Case("seed004_kpi_sheets", "dealer_4s", "2026-10")
    m = "2026-10"
    teams = [
        # id, name, store, survey scores, (resolved, complaints), (avg cycle h, comebacks of 50),
        # (on time, defective, parts), (sold, available hours), avg wait min, (revenue, cost)
        ("D01", "机电一组", "成都一店", [92, 95, 90, 93], (4, 4), (20, 0), (98, 0, 100), (3600, 3900), 8, (1300000, 720000)),
        ("D02", "钣喷组", "成都一店", [88, 86, 85, 87], (9, 10), (40, 1), (92, 1, 100), (3300, 3900), 15, (1150000, 700000)),
        ("D03", "机电二组", "成都二店", [82, 80, 84, 81], (4, 5), (60, 1), (87, 2, 100), (2800, 3900), 25, (1000000, 650000)),
        ("D04", "快保组", "成都二店", [80, 82, 79, 81], (0, 0), (80, 3), (80, 3, 100), (2500, 3900), 40, (900000, 660000)),   # no complaints: 投诉处理 not applicable
        ("D05", "机电组", "绵阳店", [90, 91, 89, 92], (7, 10), (24, 1), (95, 1, 100), (3520, 3900), 10, (1200000, 780000)),
    ]
    for tid, name, store, scores, (resolved, nc), (cycle_h, comeback), (on_time, defective, nparts), (sold, avail), wait, (rev, cost) in teams:
        c.add("teams", ["team_id", "name", "store"], tid, name, store)
        for i, s in enumerate(scores):
            c.add("surveys", ["survey_id", "team_id", "answered_at", "score"], tid, ts(m, 3 + 7 * i, 18), s, prefix="S")
        for i, ok in enumerate(spread(nc, resolved)):
            c.add("complaints", ["complaint_id", "team_id", "received_at", "resolved"], tid, ts(m, 6 + 5 * i, 11), ok, prefix="C")
        for i, (h, back) in enumerate(zip(mean_values(50, cycle_h, 4), spread(50, comeback))):
            c.add("repairs", ["repair_id", "team_id", "delivered_at", "cycle", "comeback"], tid, ts(m, 1 + i * 3 // 5, 17), h * HOUR, back, prefix="R")
        for i, (ok, bad) in enumerate(zip(spread(nparts, on_time), spread(nparts, defective)[::-1])):
            c.add("parts", ["part_id", "team_id", "needed_at", "on_time", "defective"], tid, ts(m, 1 + i * 30 // nparts, 9 + i % 8), ok, bad, prefix="P")
        for d in range(26):
            s_share = sold // 26 + (sold % 26 if d == 0 else 0)
            a_share = avail // 26 + (avail % 26 if d == 0 else 0)
            c.add("labor", ["labor_id", "team_id", "work_date", "sold_hours", "available_hours"], tid, ts(m, 1 + d, 18), s_share, a_share, prefix="L")
        for i, w in enumerate(mean_values(30, wait, 3)):
            c.add("receptions", ["reception_id", "team_id", "arrived_at", "wait"], tid, ts(m, 1 + i, 8 + i % 3), w * MINUTE, prefix="J")
        for week in range(4):
            c.add("finance", ["entry_id", "team_id", "booked_at", "revenue", "cost"], tid, ts(m, 7 + 7 * week, 20), rev // 4, cost // 4, prefix="F")
    c.write()


POSTS = [("G01", "蒋一", "成都分公司"), ("G02", "蒋二", "重庆分公司"), ("G03", "蒋三", "西安分公司"),
         ("G04", "蒋四", "昆明分公司"), ("G05", "蒋五", "贵阳分公司")]


@case
def seed004_post_monthly():
    c = Case("seed004_kpi_sheets", "post_monthly", "2026-10",
             {"complaint_step": "2", "conduct_target": "95%", "conduct_up": "1", "conduct_down": "2",
              "cost_target": "8%", "cost_step": "5", "info_step": "3"})
    m = "2026-10"
    plan = {
        # (handled, quality complaints), (followed, spot checks), (service cost, sales revenue),
        # (archived, records), info delays in days
        "G01": ((10, 10), (20, 20), (48000, 800000), (30, 30), [0, 0, 0]),     # 100% -> 100; 执行率 above target -> 105; 6% -> 110
        "G02": ((19, 20), (19, 20), (64000, 800000), (28, 30), [1, 0]),        # 95% -> 90; on target -> 100; 8% -> 100
        "G03": ((8, 10), (18, 20), (80000, 800000), (24, 30), [2, 1, 0]),      # 80% -> 60; 90% -> 90; 10% -> 90
        "G04": ((0, 0), (17, 20), (96000, 800000), (27, 30), []),              # no quality complaints: not applicable
        "G05": ((7, 10), (15, 20), (240000, 800000), (15, 30), [3, 4]),        # 30% cost rate: clamped at 0
    }
    for pid, name, branch in POSTS:
        c.add("staff", ["employee_id", "name", "branch"], pid, name, branch)
        (handled, nq), (followed, ns), (cost, revenue), (archived, nr), delays = plan[pid]
        for i, ok in enumerate(spread(nq, handled)):
            c.add("quality_complaints", ["complaint_id", "employee_id", "received_at", "handled"], pid, ts(m, 2 + 3 * i, 10), ok, prefix="C")
        for i, ok in enumerate(spread(ns, followed)):
            c.add("spot_checks", ["check_id", "employee_id", "checked_at", "followed"], pid, ts(m, 1 + i, 15), ok, prefix="S")
        for i in range(2):
            c.add("finance", ["entry_id", "employee_id", "booked_at", "service_cost", "sales_revenue"], pid, ts(m, 15 + 15 * i, 18), cost // 2, revenue // 2, prefix="F")
        for i, ok in enumerate(spread(nr, archived)):
            c.add("archive", ["record_id", "employee_id", "recorded_at", "archived"], pid, ts(m, 1 + i, 16), ok, prefix="A")
        for i, d in enumerate(delays):
            c.add("info_requests", ["request_id", "employee_id", "requested_at", "delay"], pid, ts(m, 5 + 8 * i, 11), d * DAY, prefix="I")
    c.write()


@case
def seed004_post_quarterly():
    c = Case("seed004_kpi_sheets", "post_quarterly", "2026-Q4", {"issue_step": "5"})
    months = ("2026-10", "2026-11", "2026-12")
    plan = {
        "G01": ([88, 92, 90], [0, 0]),          # 90 -> 75; no delay -> 100
        "G02": ([100, 98, 102], [1]),           # 100 -> capped at 100; 1 day -> 95
        "G03": ([58, 60, 56], [2, 1, 0]),       # 58 -> 0 (60分及以下为0, min 0)
        "G04": ([], []),                        # no 满意度抽查 this quarter: not applicable; no issues -> 100
        "G05": ([70, 75, 72.5], [0.5, 4]),      # 72.5 -> 31.25; 4.5 days -> 77.5
    }
    for pid, name, branch in POSTS:
        c.add("staff", ["employee_id", "name", "branch"], pid, name, branch)
        scores, delays = plan[pid]
        for i, s in enumerate(scores):
            c.add("sat_checks", ["check_id", "employee_id", "checked_at", "score"], pid, ts(months[i], 25, 10), s, prefix="S")
        for i, d in enumerate(delays):
            c.add("issues", ["issue_id", "employee_id", "found_at", "delay"], pid, ts(months[i % 3], 10 + 5 * i, 14), d * DAY, prefix="I")
    c.write()


@case
def seed004_taobao_cs():
    c = Case("seed004_kpi_sheets", "taobao_cs", "2026-10")
    m = "2026-10"
    staff = [
        # id, name, role, (质量与素质, 执行力), complaints [(cause, deduction)], 旷工 days, typing
        # speeds, violations, praises {kind: count}, 中差评提升
        ("B01", "曹一", "售后客服", (20, 20), [], 0, [75, 72], [], {"客户来电表扬": 2, "好评点名": 5, "表现突出": 1}, None),   # 125 特级
        ("B02", "曹二", "售后客服", (18, 18), [], 0, [66], [], {"好评点名": 4}, None),                                        # 100 高级
        ("B03", "曹三", "售后客服", (16, 17), [("客服", None)], 0, [65], [], {}, None),                                       # 88 中级
        ("B04", "曹四", "售后客服", (17, 16), [], 1, [61, 58], [], {"好评点名": 3}, None),                                      # 86
        ("B05", "曹五", "查表岗位", (15, 15), [], 0, [55], ["钻展直通车未充满"], {}, None),                                    # typing < 60; 65 初级
        ("B06", "曹六", "中差评小组", (14, 15), [("售后", 12)], 0, [62], [], {"好评点名": 3}, 0.15),                           # +20 for 0.15%: 100, ties B02
        ("B07", "曹七", "中差评小组", (12, 12), [("客服", None), ("客服", None), ("售后", 20)], 2, [60], [], {}, 0.10),          # item 3 at -10; 34 底级
        ("B08", "曹八", "售后客服", (16, 16), [], 0, [], ["浏览无关网页"], {}, None),                                           # no typing test: 打字速度 not applicable; 90 - 20 = 70
    ]
    for pid, name, role, (quality, execution), complaints, absent, speeds, violations, praises, fix in staff:
        c.add("staff", ["employee_id", "name", "dept", "role"], pid, name, "售后部", role)
        for item, s in (("售后服务质量与素质", quality), ("售后执行力和团体精神", execution)):
            c.add("reviews", ["review_id", "employee_id", "reviewed_at", "item", "score"], pid, ts(m, 31, 18), item, s, prefix="R")
        for i, (cause, deduction) in enumerate(complaints):
            c.add("complaints", ["complaint_id", "employee_id", "received_at", "cause", "deduction"], pid, ts(m, 6 + 7 * i, 15), cause, deduction, prefix="C")
        absent_days = set(range(7, 7 + 5 * absent, 5))
        for d in range(1, 27):
            status = "旷工" if d in absent_days else "请假" if (pid == "B02" and d == 12) else "出勤"
            c.add("attendance", ["attendance_id", "employee_id", "day", "status"], pid, ts(m, d, 8, 30), status, prefix="D")
        for i, s in enumerate(speeds):
            c.add("typing", ["test_id", "employee_id", "tested_at", "speed"], pid, ts(m, 10 + 10 * i, 16), s, prefix="Y")
        for i, kind in enumerate(violations):
            c.add("violations", ["violation_id", "employee_id", "found_at", "kind"], pid, ts(m, 14 + i, 19, 45), kind, prefix="V")
        day = 3
        for kind, count in praises.items():
            for _ in range(count):
                c.add("praises", ["praise_id", "employee_id", "recorded_at", "kind"], pid, ts(m, day, 14), kind, prefix="P")
                day += 3
        if fix is not None:
            c.add("review_fix", ["review_id", "employee_id", "reviewed_at", "improvement"], pid, ts(m, 31, 20), fix, prefix="F")
    c.write()


FIELD_STAFF = [
    # id, name, branch, role, first month
    ("R1", "周一", "成都", "客服代表", False), ("R2", "吴二", "成都", "客服代表", False),
    ("R3", "郑三", "成都", "客服代表", False), ("R4", "冯四", "成都", "客服代表", True),
    ("R5", "陈五", "成都", "客服代表", False), ("R6", "褚六", "绵阳", "客服代表", False),
    ("R7", "卫七", "绵阳", "客服代表", False),
    ("N1", "蒋工", "成都", "上门服务工程师", False), ("N2", "沈工", "成都", "上门服务工程师", False),
    ("N3", "韩工", "成都", "上门服务工程师", True), ("N4", "杨工", "绵阳", "上门服务工程师", False),
]


def field_roster(c: Case):
    for row in FIELD_STAFF:
        c.add("staff", ["employee_id", "name", "branch", "role", "first_month"], *row)


def field_orders(c: Case, month: str, person_col: str, pid: str, days: list, open_ages: list, kinds=None):
    """Work orders: one per entry of `days` (the day it was completed on), plus open ones of the
    given ages."""
    header = ["order_id", person_col, "dispatched_at", "done", "done_day", "age_days"]
    if kinds is not None:
        header.insert(3, "kind")
    i = 0
    for d in days:
        row = [pid, ts(month, 1 + i % 20, 9 + i % 8), True, d, d + 2]
        if kinds is not None:
            row.insert(2, kinds[i % len(kinds)])
        c.add("orders", header, *row, prefix="O")
        i += 1
    for age in open_ages:
        row = [pid, ts(month, 1 + i % 20, 9 + i % 8), False, None, age]
        if kinds is not None:
            row.insert(2, kinds[0])
        c.add("orders", header, *row, prefix="O")
        i += 1


@case
def seed004_field_rep():
    c = Case("seed004_kpi_sheets", "field_rep", "2026-10")
    m = "2026-10"
    field_roster(c)
    plan = {
        # visits, feedback scores, CRM actions, days at work, survey scores, completion days,
        # open orders' ages, penalties
        "R1": (40, [4, 4, 2, 2], 300, 22, [95, 95], [1] * 12 + [2] * 4 + [3, 3, 4, 9], [], ["上门后补单", "上门后补单"]),
        "R2": (40, [3, 3, 3], 264, 22, [96, 94], [1] * 10 + [2] * 5 + [3] * 3 + [5, 6], [], ["一般投诉"]),    # ties R3 on 反馈率, R1 on 满意度
        "R3": (40, [5, 4], 240, 20, [], [1] * 8 + [2] * 6 + [3] * 2 + [4, 8, 12], [35], ["虚假完单"]),     # no survey: 满意度 not applicable
        "R4": (30, [2, 2, 2], 100, 10, [88], [1] * 6 + [2] * 3 + [3], [], []),                              # first month: 工作量 20
        "R5": (30, [1, 2], 220, 22, [80, 84], [1] * 9 + [2] * 6 + [4] * 3 + [7, 10], [], ["媒体曝光投诉"]),  # veto
        "R6": (20, [3, 2], 250, 22, [90], [1] * 10 + [2] * 5 + [3] * 5, [], ["内部个人投诉"]),
        # 绵阳 has two reps: R7 is both rank 2 and rank -1 there; the first matching payout row wins
        "R7": (20, [], 150, 15, [92, 92], [1] * 5 + [2] * 5 + [3] * 4 + [9] * 2, [40, 45], ["重大投诉"]),     # no feedback at all: 反馈率 0
    }
    for pid, (visits, feedbacks, actions, workdays, surveys, days, open_ages, penalties) in plan.items():
        for i in range(visits):
            c.add("visits", ["visit_id", "rep_id", "visited_at", "engineer"], pid, ts(m, 1 + i * 30 // visits, 9 + i % 8), f"工程师{i % 5 + 1}", prefix="V")
        for i, s in enumerate(feedbacks):
            c.add("feedbacks", ["feedback_id", "rep_id", "reported_at", "engineer", "score"], pid, ts(m, 3 + 6 * i, 16), f"工程师{i % 5 + 1}", s, prefix="F")
        kinds = ["受理", "派工", "反馈完单", "回访"]
        for i in range(actions):
            c.add("actions", ["action_id", "rep_id", "done_at", "kind"], pid, ts(m, 1 + i * 28 // actions, 9 + i % 9, i % 60), kinds[i % 4], prefix="A")
        first_day = 31 - workdays if pid == "R4" else 1
        for d in range(first_day, 32):
            present = d - first_day < workdays
            c.add("attendance", ["attendance_id", "rep_id", "day", "present"], pid, ts(m, d, 8, 30), present, prefix="D")
        for i, s in enumerate(surveys):
            c.add("surveys", ["survey_id", "rep_id", "surveyed_at", "score"], pid, ts(m, 20 + i, 10), s, prefix="S")
        field_orders(c, m, "rep_id", pid, days, open_ages)
        for i, kind in enumerate(penalties):
            c.add("penalties", ["penalty_id", "rep_id", "recorded_at", "kind"], pid, ts(m, 15 + i, 11), kind, prefix="P")
    c.write()


@case
def seed004_field_engineer():
    c = Case("seed004_kpi_sheets", "field_engineer", "2026-10")
    m = "2026-10"
    field_roster(c)
    kinds = ["上门维修", "用户机内修", "上门安装", "上门调试"]
    plan = {
        "N1": ([95, 97, 93], [1] * 14 + [2] * 4 + [3, 4], [], ["其他", "其他"]),
        "N2": ([95, 95], [1] * 10 + [2] * 6 + [3] * 2 + [5, 8], [33], []),      # ties N1 on 满意度 (95)
        "N3": ([], [1] * 6 + [2] * 6 + [3] * 4 + [6, 7, 9, 11], [], []),       # no 回访 yet: 满意度 not applicable
        "N4": ([91], [1] * 8 + [2] * 2, [], []),                                # alone in 绵阳: top of the rank range
    }
    for pid, (surveys, days, open_ages, extra) in plan.items():
        for i, s in enumerate(surveys):
            c.add("surveys", ["survey_id", "engineer_id", "surveyed_at", "score"], pid, ts(m, 18 + i, 10), s, prefix="S")
        field_orders(c, m, "engineer_id", pid, days, open_ages, kinds)
        for i, kind in enumerate(extra):     # orders of other kinds are not assessed
            c.add("orders", ["order_id", "engineer_id", "dispatched_at", "kind", "done", "done_day", "age_days"],
                  pid, ts(m, 25 + i, 10), kind, False, None, 40, prefix="O")
    c.write()


@case
def seed004_service_center():
    c = Case("seed004_kpi_sheets", "service_center", "2026-10")
    m = "2026-10"
    items = ["能力项1", "人际交往能力", "沟通能力", "表达能力", "协调能力",
             "工作责任心", "工作积极性", "学习意识", "团队意识", "工作勤勉度"]
    people = [
        # id, name, work quality reviews, (good forms, forms), (reported, faults), (done, visits), ratings
        ("C01", "朱一", [92, 95, 90, 93], (12, 12), (3, 3), (4, 4), [90, 88, 92, 85, 90, 95, 90, 88, 92, 94]),
        ("C02", "朱二", [85, 80, 88, 83], (10, 12), (4, 5), (3, 4), [80, 82, 78, 75, 80, 85, 80, 82, 78, 80]),
        ("C03", "朱三", [75, 78, 70, 73], (8, 12), (0, 0), (2, 4), [70, 72, 75, 68, 70, 78, 72, 70, 75, 80]),   # no faults: 质量信息呈报 not applicable
        ("C04", "朱四", [60, 65, 62, 58], (6, 10), (1, 4), (1, 3), [60, 62, 58, 55, 60, 65, 60, 58, 62, 66]),
        ("C05", "朱五", [88, 86, 90, 84], (11, 11), (2, 2), (0, 0), [85, 80, 84, 82, 86, 88, 86, 84, 80, 82]),  # no 大客户 planned
    ]
    bases = ["工作总结", "服务反馈表", "客户反馈意见", "部门反馈意见"]
    for pid, name, reviews, (good, forms), (reported, faults), (done, visits), ratings in people:
        c.add("staff", ["employee_id", "name"], pid, name)
        for basis, s in zip(bases, reviews):
            c.add("work_reviews", ["review_id", "employee_id", "reviewed_at", "basis", "score"], pid, ts(m, 30, 15), basis, s, prefix="W")
        for i, ok in enumerate(spread(forms, good)):
            c.add("services", ["service_id", "employee_id", "served_at", "complete", "signed"], pid, ts(m, 1 + 2 * i, 14), ok or i % 2 == 0, ok, prefix="S")
        for i, ok in enumerate(spread(faults, reported)):
            c.add("faults", ["fault_id", "employee_id", "found_at", "reported"], pid, ts(m, 4 + 6 * i, 11), ok, prefix="F")
        for i, ok in enumerate(spread(visits, done)):
            c.add("key_visits", ["visit_id", "employee_id", "planned_at", "done"], pid, ts(m, 6 + 7 * i, 10), ok, prefix="K")
        for item, s in zip(items, ratings):
            c.add("ratings", ["rating_id", "employee_id", "rated_at", "item", "score"], pid, ts(m, 31, 16), item, s, prefix="R")
    c.write()


@case
def seed004_dealer_kpi():
    c = Case("seed004_kpi_sheets", "dealer_kpi", "2026-10",
             {"margin_target": "35%", "booking_target": "40%", "ticket_target": "1500元", "turnover_target": "1.2"})
    m = "2026-10"
    dealers = [
        # id, name, city, repair orders, booked, avg output, gross margin, sales target, bays, open days
        ("V01", "蓉城4S店", "成都", 300, 135, 1600, 0.38, 470000, 8, 30),    # every ratio at or above target
        ("V02", "锦江4S店", "成都", 230, 81, 1500, 0.35, 400000, 7, 30),     # margin and 客单价 exactly on target
        ("V03", "涪城4S店", "绵阳", 160, 48, 1350, 0.30, 280000, 6, 26),
        ("V04", "雁塔4S店", "西安", 150, 30, 1200, 0.28, None, 8, 30),       # no sales target set: 达成率 not applicable
    ]
    for did, name, city, n, booked, avg_output, margin, target, bays, days in dealers:
        c.add("dealers", ["dealer_id", "name", "city"], did, name, city)
        outputs = mean_values(n, avg_output, 200)
        for i, (out, b) in enumerate(zip(outputs, spread(n, booked))):
            labor = round(out * 0.4)
            c.add("ros", ["ro_id", "dealer_id", "settled_at", "booked", "output", "labor_revenue", "parts_revenue", "gross_profit"],
                  did, ts(m, 1 + i * days // n, 9 + i % 9, i % 60), b, out, labor, out - labor, round(out * margin, 2), prefix="RO")
        if target is not None:
            c.add("targets", ["target_id", "dealer_id", "month", "sales_target"], did, ts(m, 1, 0), target, prefix="TG")
        c.add("workshop", ["workshop_id", "dealer_id", "month", "bays", "open_days"], did, ts(m, 1, 0), bays, days, prefix="WS")
    c.write()


@case
def seed004_service_template():
    c = Case("seed004_kpi_sheets", "service_template", "2026-10")
    m = "2026-10"
    people = [
        # id, name, survey scores, avg handling hours, (resolved, tickets), repeated, team level
        ("T01", "秦一", [85, 90, 88], 20, (19, 20), 1, "优秀"),     # 优秀 on every indicator
        ("T02", "秦二", [70, 75, 72], 36, (17, 20), 2, "良好"),     # repeated 10% exactly -> 良好
        ("T03", "秦三", [55, 60, 50], 60, (15, 20), 5, "待改进"),
        ("T04", "秦四", [80, 80, 80], 24, (18, 20), 4, "良好"),     # 80 and 24 h and 90% exactly -> 优秀; 20% -> 良好
        ("T05", "秦五", [78, 82], 30, (16, 20), 0, None),           # not yet assessed on 团队协作
    ]
    for pid, name, scores, hours, (resolved, n), repeated, level in people:
        c.add("staff", ["employee_id", "name"], pid, name)
        for i, s in enumerate(scores):
            c.add("surveys", ["survey_id", "employee_id", "answered_at", "score"], pid, ts(m, 5 + 9 * i, 20), s, prefix="S")
        handle = [h * HOUR for h in mean_values(n, hours, 4)]
        for i, (h, ok, rep) in enumerate(zip(handle, spread(n, resolved), spread(n, repeated)[::-1])):
            c.add("tickets", ["ticket_id", "employee_id", "received_at", "handle_time", "resolved", "repeated"], pid, ts(m, 1 + i * 3 // 2, 10), h, ok, rep, prefix="T")
        if level:
            c.add("team_reviews", ["review_id", "employee_id", "reviewed_at", "level"], pid, ts(m, 30, 17), level, prefix="R")
    c.write()


@case
def seed004_quarterly_kpi():
    c = Case("seed004_kpi_sheets", "quarterly_kpi", "2026-Q4")
    months = ("2026-10", "2026-11", "2026-12")
    people = [
        # id, name, branch, (qualified, tasks), (negative, users), (handled, complaints), (collected, receivables)
        ("U01", "许一", "成都分公司", (19, 20), (2, 50), (10, 10), (18, 20)),   # 30 + 30 + 20 + 20 = 100
        ("U02", "许二", "重庆分公司", (17, 20), (4, 50), (9, 10), (15, 20)),    # 85% -> 23, 92% -> 23, 90% -> 14, 75% -> 14
        ("U03", "许三", "西安分公司", (0, 0), (8, 50), (7, 10), (13, 20)),      # 未提交工作计划: 0; 84% -> 17; 70% -> 5; 65% -> 5
        ("U04", "许四", "昆明分公司", (13, 20), (15, 50), (0, 0), (14, 20)),    # 65% -> 10; 70% -> 5; no complaints: not applicable
        ("U05", "许五", "贵阳分公司", (18, 20), (5, 50), (9, 10), (11, 20)),    # 回收率 55% < 60%: 不得分 (67)
        ("U06", "许六", "南宁分公司", (18, 20), (1, 50), (8, 10), (16, 20)),    # 90% -> 30; 98% -> 30; 80% -> 14; 80% -> 20
    ]
    for pid, name, branch, (q, nt), (neg, nu), (h, nc), (col, nr) in people:
        c.add("staff", ["employee_id", "name", "branch"], pid, name, branch)
        for i, ok in enumerate(spread(nt, q)):
            c.add("tasks", ["task_id", "employee_id", "planned_at", "qualified"], pid, ts(months[0], 1 + i, 9), ok, prefix="TK")
        for i, bad in enumerate(spread(nu, neg)):
            c.add("users", ["survey_id", "employee_id", "surveyed_at", "negative"], pid, ts(months[2], 15 + i % 15, 10), bad, prefix="US")
        for i, ok in enumerate(spread(nc, h)):
            c.add("complaints", ["complaint_id", "employee_id", "received_at", "handled"], pid, ts(months[i % 3], 4 + 2 * i, 15), ok, prefix="CP")
        for i, ok in enumerate(spread(nr, col)):
            c.add("receivables", ["receivable_id", "employee_id", "due_at", "collected"], pid, ts(months[i % 3], 28, 12), ok, prefix="RV")
    c.write()


@case
def seed004_post_sheet():
    c = Case("seed004_kpi_sheets", "post_sheet", "2026-Q4")
    months = ("2026-10", "2026-11", "2026-12")
    people = [
        # id, name, (invalid, services), complaints, (in PLM, documents), (submitted, on time, reports),
        # supervisor's level, (covered, points), trainee exam scores
        ("H01", "吕一", (0, 120), 2, (40, 40), (16, 16, 16), "很满意", (20, 20), [95, 92]),      # 0% -> 10; full marks
        ("H02", "吕二", (1, 100), 3, (38, 40), (15, 14, 16), "较满意", (17, 20), [90]),          # 1% -> 9; 报告提交率 93.75% -> 14.25
        ("H03", "吕三", (7, 200), 5, (36, 40), (14, 13, 16), "不满意", (15, 20), []),            # 3.5% -> 6; 5 complaints -> 13; no new staff
        ("H04", "吕四", (8, 100), 0, (30, 40), (12, 10, 16), "很不满意", (16, 20), [88, 93]),     # 8% -> 2.8; 75% -> 6; one failed -> 4 - 5 = -1
        ("H05", "吕五", (28, 140), 20, (20, 40), (8, 6, 16), None, (10, 20), [91]),             # 20% -> 0.89; 20 complaints -> -2
    ]
    for pid, name, (bad, ns), complaints, (plm, nd), (sub, on_time, nrep), level, (cov, npts), exams in people:
        c.add("staff", ["employee_id", "name"], pid, name)
        for i, inv in enumerate(spread(ns, bad)):
            c.add("services", ["service_id", "employee_id", "served_at", "invalid"], pid, ts(months[i % 3], 1 + (i // 3) % 28, 9 + i % 8), inv, prefix="SV")
        for i in range(complaints):
            c.add("complaints", ["complaint_id", "employee_id", "received_at", "about"], pid, ts(months[i % 3], 3 + i, 14), ("服务", "工作质量")[i % 2], prefix="CP")
        for i, ok in enumerate(spread(nd, plm)):
            c.add("documents", ["document_id", "employee_id", "created_at", "in_plm"], pid, ts(months[i % 3], 2 + i % 26, 11), ok, prefix="DC")
        sub_flags = spread(nrep, sub)
        on_flags = iter(spread(sub, on_time))
        for i, s in enumerate(sub_flags):
            c.add("reports", ["report_id", "employee_id", "due_at", "submitted", "on_time"], pid, ts(months[i % 3], 5 + 7 * (i // 3) % 26, 18), s, next(on_flags) if s else False, prefix="RP")
        if level:
            c.add("task_reviews", ["review_id", "employee_id", "reviewed_at", "level"], pid, ts(months[2], 28, 17), level, prefix="TR")
        for i, ok in enumerate(spread(npts, cov)):
            c.add("knowledge_points", ["point_id", "employee_id", "planned_at", "covered"], pid, ts(months[0], 1 + i, 9), ok, prefix="KP")
        for i, score in enumerate(exams):
            c.add("trainees", ["trainee_id", "employee_id", "confirmed_at", "exam"], pid, ts(months[1], 10 + 5 * i, 10), score, prefix="NT")
    c.write()

# ---- main -----------------------------------------------------------------------------------

if __name__ == "__main__":
    for make in CASES:
        make()
    print(f"wrote {len(CASES)} cases under {HERE.name}/")
