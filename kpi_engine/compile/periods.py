"""Periods: `2026-10` (month), `2026-Q4` (quarter), `2026` (year), `2026-W44` (ISO week)."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from ..errors import ScoringError

KINDS = ("month", "quarter", "year", "week")


@dataclass(frozen=True)
class Period:
    kind: str
    start: date   # first day
    end: date     # the day after the last day

    @property
    def last_day(self) -> date:
        return self.end - timedelta(days=1)

    @property
    def label(self) -> str:
        if self.kind == "month":
            return f"{self.start.year}-{self.start.month:02d}"
        if self.kind == "quarter":
            return f"{self.start.year}-Q{(self.start.month - 1) // 3 + 1}"
        if self.kind == "year":
            return f"{self.start.year}"
        year, week, _ = self.start.isocalendar()
        return f"{year}-W{week:02d}"

    def previous(self) -> "Period":
        if self.kind == "week":
            return Period("week", self.start - timedelta(days=7), self.start)
        if self.kind == "year":
            return Period("year", date(self.start.year - 1, 1, 1), self.start)
        months = 1 if self.kind == "month" else 3
        year, month = self.start.year, self.start.month - months
        if month < 1:
            year, month = year - 1, month + 12
        return Period(self.kind, date(year, month, 1), self.start)

    def overlaps(self, first: date, last: date) -> bool:
        return first < self.end and last >= self.start


def parse_period(text: str) -> Period:
    text = text.strip()
    try:
        if m := re.fullmatch(r"(\d{4})-(\d{1,2})", text):
            year, month = int(m[1]), int(m[2])
            start = date(year, month, 1)
            end = date(year + (month == 12), month % 12 + 1, 1)
            return Period("month", start, end)
        if m := re.fullmatch(r"(\d{4})-[Qq]([1-4])", text):
            year, quarter = int(m[1]), int(m[2])
            start = date(year, 3 * quarter - 2, 1)
            end = date(year + (quarter == 4), (3 * quarter) % 12 + 1, 1)
            return Period("quarter", start, end)
        if m := re.fullmatch(r"(\d{4})", text):
            year = int(m[1])
            return Period("year", date(year, 1, 1), date(year + 1, 1, 1))
        if m := re.fullmatch(r"(\d{4})-W(\d{1,2})", text, re.IGNORECASE):
            start = date.fromisocalendar(int(m[1]), int(m[2]), 1)
            return Period("week", start, start + timedelta(days=7))
    except ValueError as error:
        raise ScoringError(f"--period {text}: {error}") from None
    raise ScoringError(f"--period {text!r} is not a period: write 2026-10 (month), 2026-Q4 (quarter), "
                       f"2026 (year) or 2026-W44 (ISO week)")


def history(period: Period, count: int) -> list[Period]:
    """The period and the count-1 periods before it, newest first."""
    periods = [period]
    while len(periods) < count:
        periods.append(periods[-1].previous())
    return periods
