"""Deterministic sample data for the ecommerce_cs presets (`kpi demo --industry ecommerce_cs`).

``generate(out_dir, period, people, seed)`` writes one CSV per dataset the presets declare, for the
period and the two periods before it (so `for 3 periods` actions have a history), as the engine
reads them: a header row, ``true``/``false``, durations in seconds, ISO 8601 times, empty = missing.

The shop: ``people`` agents in teams of about ten -- 售前组 and 售后组 alternating, a 综合组 whose
agents do both when there are three teams or more, one 综合组 of 全能客服 for fewer than ten people.
Each agent has a fixed skill, speed and selling talent drawn once from ``random.Random(seed)``, so
the weakest of a team tends to stay last month after month. Records follow the 千牛 flow: sessions
(chats), the orders they convert, the reviews, DSR ratings and satisfaction answers of those orders
and sessions; after-sales tickets and the refunds among them; monthly QA samples, one supervisor
rating per month, occasional complaints, transfers. During the promotions of the large preset's
calendar (the same month-days every year) chat volume rises and responses slow down. One agent in
about twenty-five joined this period (no history, `first_month`), and with twenty or more people one
in about sixty is on leave this period (no records, so no total).

Rows are drawn with one ``random.Random`` in a fixed order and written with the csv module, so the
same arguments write byte-identical files; 5,000 people take a few seconds.
"""
from __future__ import annotations

import csv
import math
import random
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from kpi_engine.compile.periods import Period

#: (month, day) ranges of the promotions (inclusive), as in the large preset's calendar.
PROMOTIONS = (((5, 20), (6, 18)), ((10, 20), (11, 11)), ((12, 8), (12, 12)))

#: The datasets written, with their columns: an id, the person column, the time column, the fields.
COLUMNS = {
    "staff": ("employee_id", "name", "team", "role", "level", "tenure_months", "first_month"),
    "chats": ("chat_id", "agent_id", "started_at", "inquiry", "invalid", "replied", "first_response",
              "avg_response", "converted"),
    "orders": ("order_id", "agent_id", "ordered_at", "amount", "paid"),
    "tickets": ("ticket_id", "agent_id", "opened_at", "category", "first_contact_resolved", "repeated",
                "escalated", "resolution"),
    "refunds": ("refund_id", "agent_id", "applied_at", "kind", "amount", "handle_time", "intervened"),
    "reviews": ("review_id", "agent_id", "reviewed_at", "rating", "mentions_agent"),
    "dsr": ("rating_id", "agent_id", "rated_at", "described", "service", "logistics"),
    "surveys": ("survey_id", "agent_id", "answered_at", "rating"),
    "qa": ("check_id", "agent_id", "checked_at", "score", "red_line"),
    "supervisor": ("review_id", "agent_id", "reviewed_at", "rating"),
    "complaints": ("complaint_id", "agent_id", "received_at", "severity", "verified", "origin"),
    "transfers": ("transfer_id", "agent_id", "asked_at", "response"),
}

T, F = "true", "false"
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许韩冯邓曹彭曾肖田董潘袁蔡蒋余于杜叶程魏苏吕丁任沈"
GIVEN = "欣怡佳琪雨婷思涵梦瑶晓雪诗雨子萱若曦可馨雅静嘉怡婉清心悦一诺语桐安琪美琳慧敏丽娜晨曦俊杰浩然子轩宇航明辉志强"
#: 客单价 ladder: the shop's SKUs (yuan), as the text the CSV holds.
PRICES = tuple(f"{p:.2f}" for p in (39.9, 59, 69.9, 89, 99, 119, 129, 149, 169, 199, 239, 259, 299, 349,
                                     399, 459, 499, 599, 699, 899))
TICKET_CATEGORIES = ("使用咨询", "物流", "物流", "退款", "退款", "退换货", "退换货", "质量问题", "投诉")
REFUND_KINDS = ("仅退款", "退货退款", "退货退款", "换货")
SURVEY_LEVELS = ("非常满意", "满意", "一般", "不满意", "非常不满意")
SECONDS = tuple(f":{s:02d}" for s in range(60))


def _promo(day: date) -> bool:
    return any((start <= (day.month, day.day) <= end) for start, end in PROMOTIONS)


class _Calendar:
    """The days of the three periods, with every working minute of each as ISO text, precomputed."""

    def __init__(self, period):
        periods = [period.previous().previous(), period.previous(), period]
        self.days: list[date] = []
        self.minutes: list[list[str]] = []     # per day: "YYYY-MM-DDTHH:MM" for 09:00 .. 23:59
        self.promo: list[bool] = []
        self.ranges: list[tuple[int, int]] = []  # per period: [first, last) day index
        for p in periods:
            first = len(self.days)
            day = p.start
            while day < p.end:
                stamp = day.isoformat()
                self.days.append(day)
                self.minutes.append([f"{stamp}T{h:02d}:{m:02d}" for h in range(9, 24) for m in range(60)])
                self.promo.append(_promo(day))
                day += timedelta(days=1)
            self.ranges.append((first, len(self.days)))
        # chat volume: a promotion day counts twice
        self.slots = {}
        for key, (lo, hi) in (("all", (0, len(self.days))), ("current", self.ranges[2]),
                              ("history", (0, self.ranges[2][0]))):
            self.slots[key] = [d for d in range(lo, hi) for _ in range(2 if self.promo[d] else 1)]

    def month_ends(self, which: str) -> list[int]:
        """The last day index of each period an agent worked (all three, or only the current)."""
        chosen = self.ranges if which == "all" else self.ranges[2:] if which == "current" else self.ranges[:2]
        return [hi - 1 for lo, hi in chosen if hi > lo]


def _roster(rng: random.Random, people: int):
    width = max(4, len(str(people)))
    teams_n = 1 if people < 10 else max(2, round(people / 10))
    names = []
    if teams_n == 1:
        names.append(("综合组", "全能客服"))
    else:
        # 售前, 售后 alternating; with three teams or more every third is a 综合组 doing both
        kinds = [("综合", "全能客服") if teams_n >= 3 and t % 3 == 2 else
                 ("售前", "售前客服") if t % 3 == 0 else ("售后", "售后客服") for t in range(teams_n)]
        counts: dict[str, int] = {}
        for kind, role in kinds:
            counts[kind] = counts.get(kind, 0) + 1
            names.append((f"{kind}{counts[kind]}组", role))
    staff = []
    for j in range(people):
        team, role = names[j * teams_n // people]
        tenure = 0 if rng.random() < 0.04 else rng.randint(1, 60)
        level = "初级" if tenure < 6 else "中级" if tenure < 18 else "高级" if tenure < 36 else "资深"
        name = rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN)
        staff.append({
            "id": f"cs{j + 1:0{width}d}", "name": name, "team": team, "role": role, "level": level,
            "tenure": tenure, "first_month": tenure == 0,
            "leave": people >= 20 and tenure > 0 and rng.random() < 1 / 60,
            "skill": max(-2.5, min(2.5, rng.gauss(0, 1))),
            "speed": max(-2.5, min(2.5, rng.gauss(0, 1))),
            "sales": max(-2.5, min(2.5, rng.gauss(0, 1))),
            "pace": math.exp(rng.gauss(0, 0.2)),    # how many sessions a day, relative to the team
        })
    # every team of five or more has one agent who keeps struggling (the last place the large
    # preset's 连续3月末位 → 转岗培训 looks for)
    for team, _ in names:
        members = [s for s in staff if s["team"] == team and not (s["first_month"] or s["leave"])]
        if len(members) >= 5:
            weakest = min(members, key=lambda s: s["skill"])
            weakest["skill"] = min(weakest["skill"], -1.6) - 0.4
            weakest["speed"] = min(weakest["speed"], -1.0)
            weakest["sales"] = min(weakest["sales"], -1.0)
    return staff


def _logistic(x: float) -> float:
    return 1 / (1 + math.exp(-x))


def generate(out_dir: Path, period: "Period", people: int, seed: int) -> None:
    """Write staff.csv, chats.csv, ... for `people` agents over `period` and the two before it."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    r = rng.random
    expo = rng.expovariate
    log = math.log
    cal = _Calendar(period)
    staff = _roster(rng, max(1, int(people)))

    handles = {name: (out_dir / f"{name}.csv").open("w", encoding="utf-8", newline="") for name in COLUMNS}
    try:
        w = {name: csv.writer(handle, lineterminator="\n") for name, handle in handles.items()}
        for name, header in COLUMNS.items():
            w[name].writerow(header)
        w["staff"].writerows((s["id"], s["name"], s["team"], s["role"], s["level"], s["tenure"],
                              T if s["first_month"] else F) for s in staff)
        ids = dict.fromkeys(COLUMNS, 0)
        minutes, promo = cal.minutes, cal.promo
        for s in staff:
            which = "current" if s["first_month"] else "history" if s["leave"] else "all"
            slots = cal.slots[which]
            if not slots:
                continue
            L = len(slots)                  # days of work, a promotion day counting twice
            last = slots[-1]                # reviews and ratings arrive while the agent still works
            pid, role, skill, speed, sales, pace = (s["id"], s["role"], s["skill"], s["speed"], s["sales"],
                                                    s["pace"])
            aftersales = role != "售前客服"
            # the agent's rates
            p_reply = 0.93 + 0.06 * _logistic(1.5 * speed + 1)
            mean_first = 8 * math.exp(-0.3 * speed)               # seconds
            p_conv = 0.30 + 0.40 * _logistic(0.9 * sales + 0.3 * skill)
            p_pay = 0.78 + 0.18 * _logistic(0.8 * sales + 0.5)
            upsell = max(0, min(len(PRICES) - 6, int(len(PRICES) / 2 + 3 * sales - 3)))
            p_bad = 0.035 * _logistic(-1.2 * skill - 1)
            p_service5 = 0.70 + 0.28 * _logistic(1.2 * skill + 1)
            p_sat = 0.80 + 0.19 * _logistic(1.3 * skill + 1.2)
            p_fcr = 0.66 + 0.30 * _logistic(1.2 * skill + 0.6)
            p_rep = 0.03 + 0.14 * _logistic(-1.2 * skill - 0.5)
            p_esc = 0.01 + 0.09 * _logistic(-1.2 * skill - 1)
            mean_resolve = 3600 * 9 * math.exp(-0.3 * skill)
            mean_refund = 3600 * 11 * math.exp(-0.35 * (skill + speed) / 2)
            p_inquiry = 0.75 if role == "售前客服" else 0.40 if role == "全能客服" else 0.0
            day_chats = 2.5 if role != "全能客服" else 2.8

            # ---- sessions, and what follows from them -------------------------------------
            chats, orders, reviews, dsr, surveys = [], [], [], [], []
            first_mean = (mean_first, mean_first * 1.8)          # normal day, promotion day
            avg_mean = (mean_first * 1.6, mean_first * 1.6 * 1.8)
            chat_id, order_id = ids["chats"], ids["orders"]
            for _ in range(round(day_chats * pace * L)):
                day = slots[int(r() * L)]
                chat_id += 1
                stamp = minutes[day][int(r() * 900)] + SECONDS[chat_id % 60]
                slow = promo[day]
                invalid = r() < 0.04
                inquiry = r() < p_inquiry
                replied = r() < (0.35 if invalid else p_reply)
                if replied:
                    first = 3 + int(-log(1.0 - r()) * first_mean[slow])
                    avg = 8 + int(first * 0.5 - log(1.0 - r()) * avg_mean[slow])
                else:
                    first = avg = ""
                converted = inquiry and replied and not invalid and r() < p_conv
                chats.append((chat_id, pid, stamp, T if inquiry else F, T if invalid else F,
                              T if replied else F, first, avg, T if converted else F))
                if converted:
                    paid = r() < p_pay
                    order_id += 1
                    orders.append((order_id, pid, stamp, PRICES[upsell + int(r() * 6)], T if paid else F))
                    if paid and r() < 0.45:
                        later = min(day + 2 + int(r() * 8), last)
                        x = r()
                        rating = "差评" if x < p_bad * 0.4 else "中评" if x < p_bad else "好评"
                        ids["reviews"] += 1
                        reviews.append((ids["reviews"], pid, minutes[later][int(r() * 900)] + ":00", rating,
                                        T if rating == "好评" and r() < 0.04 + 0.03 * skill else F))
                    if paid and r() < 0.25:
                        later = min(day + 3 + int(r() * 10), last)
                        x = r()
                        service = 5 if x < p_service5 else 4 if x < p_service5 + (1 - p_service5) * 0.8 else 3
                        ids["dsr"] += 1
                        dsr.append((ids["dsr"], pid, minutes[later][int(r() * 900)] + ":00",
                                    5 if r() < 0.8 else 4, service, 5 if r() < 0.75 else 4 if r() < 0.9 else 3))
                if replied and not invalid and r() < 0.12:
                    x = r()
                    level = 0 if x < p_sat * 0.7 else 1 if x < p_sat else 2 if x < p_sat + (1 - p_sat) * 0.6 else \
                        3 if x < p_sat + (1 - p_sat) * 0.9 else 4
                    ids["surveys"] += 1
                    surveys.append((ids["surveys"], pid, stamp, SURVEY_LEVELS[level]))
            ids["chats"], ids["orders"] = chat_id, order_id
            w["chats"].writerows(chats)
            w["orders"].writerows(orders)
            w["reviews"].writerows(reviews)
            w["dsr"].writerows(dsr)
            w["surveys"].writerows(surveys)

            # ---- after-sales tickets and refunds --------------------------------------------
            if aftersales:
                tickets, refunds = [], []
                per_day = 1.2 if role == "售后客服" else 0.6
                for _ in range(round(per_day * pace * L)):
                    day = slots[int(r() * L)]
                    stamp = minutes[day][int(r() * 900)] + SECONDS[(day + len(tickets)) % 60]
                    category = TICKET_CATEGORIES[int(r() * len(TICKET_CATEGORIES))]
                    resolved = r() < 0.97
                    ids["tickets"] += 1
                    tickets.append((ids["tickets"], pid, stamp, category, T if r() < p_fcr else F,
                                    T if r() < p_rep else F, T if r() < p_esc else F,
                                    60 + int(-log(1.0 - r()) * mean_resolve) if resolved else ""))
                    if category in ("退款", "退换货"):
                        kind = REFUND_KINDS[int(r() * 4)] if category == "退换货" else "仅退款"
                        handled = r() < 0.98
                        ids["refunds"] += 1
                        refunds.append((ids["refunds"], pid, stamp, kind, PRICES[int(r() * len(PRICES))],
                                        120 + int(-log(1.0 - r()) * mean_refund) if handled else "",
                                        T if r() < 0.02 else F))
                w["tickets"].writerows(tickets)
                w["refunds"].writerows(refunds)

            # ---- monthly: QA samples, the supervisor's rating, complaints, transfers -----------
            for end in cal.month_ends(which):
                for k in range(4):
                    day = max(0, end - 3 - 7 * k)
                    ids["qa"] += 1
                    score = max(40, min(100, round(88 + 5 * skill + rng.gauss(0, 3))))
                    w["qa"].writerow((ids["qa"], pid, minutes[day][300 + k] + ":00", score,
                                      T if r() < 0.004 else F))
                mood = skill + rng.gauss(0, 0.6)
                rating = "很满意" if mood > 0.8 else "较满意" if mood > -0.6 else "不满意" if mood > -1.9 else "很不满意"
                ids["supervisor"] += 1
                w["supervisor"].writerow((ids["supervisor"], pid, minutes[end][540] + ":00", rating))
                if r() < 0.10 + 0.08 * _logistic(-skill):
                    x = r()
                    severity = "媒体曝光" if x < 0.005 else "严重" if x < 0.15 else "一般"
                    ids["complaints"] += 1
                    w["complaints"].writerow((ids["complaints"], pid, minutes[max(0, end - 10)][200] + ":00", severity,
                                              T if r() < 0.7 else F, ("买家", "平台", "内部")[int(r() * 3)]))
                for _ in range(4 + int(r() * 4)):
                    day = max(0, end - int(r() * 28))
                    ids["transfers"] += 1
                    w["transfers"].writerow((ids["transfers"], pid, minutes[day][int(r() * 900)] + ":00",
                                             30 + int(expo(1 / (150 * math.exp(-0.4 * skill))))
                                             if r() < 0.97 else ""))
    finally:
        for handle in handles.values():
            handle.close()
