"""Sets of values as unions of intervals, in exact decimal arithmetic (never floats).

`Values` answers what band analysis asks: is this row's set inside what the rows above cover,
what is left uncovered, and a readable value inside a gap. A set may live on a lattice (`step`):
counts are whole numbers (step 1) and rounded totals have `round` decimals (step 0.01), so
`>= 3` and `= 2` leave no gap between them among counts.
"""
from __future__ import annotations

from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal, InvalidOperation
from typing import Iterable, NamedTuple

INF = Decimal("Infinity")


class Interval(NamedTuple):
    """From lo to hi; an infinite end is never closed in a `Values`."""
    lo: Decimal
    hi: Decimal
    lo_closed: bool = True
    hi_closed: bool = True

    def is_empty(self) -> bool:
        return self.lo > self.hi or (self.lo == self.hi and not (self.lo_closed and self.hi_closed))

    def contains(self, value: Decimal) -> bool:
        above = value > self.lo or (value == self.lo and self.lo_closed)
        below = value < self.hi or (value == self.hi and self.hi_closed)
        return above and below


class Values:
    """A set of decimal values: sorted, disjoint, non-empty intervals (optionally on a lattice)."""
    __slots__ = ("parts", "step")

    def __init__(self, parts: Iterable[Interval] = (), step: Decimal | None = None):
        self.step = step
        self.parts = _normalize(parts, step)

    @classmethod
    def _of(cls, parts: tuple[Interval, ...], step) -> "Values":
        """From parts already sorted, disjoint, non-empty and on the lattice."""
        made = cls.__new__(cls)
        made.parts, made.step = parts, step
        return made

    @classmethod
    def between(cls, lo=-INF, hi=INF, lo_closed=True, hi_closed=True, step=None) -> "Values":
        # one interval: nothing to sort or merge
        part = Interval(lo, hi, lo_closed and lo != -INF, hi_closed and hi != INF)
        if step is not None:
            part = _snap(part, step)
        return cls._of(() if part.is_empty() else (part,), step)

    @classmethod
    def compare(cls, op: str, bound: Decimal, step=None) -> "Values":
        """The values for which `value OP bound` holds."""
        if op == "!=":
            return cls([Interval(-INF, bound, False, False), Interval(bound, INF, False, False)], step)
        return cls.between(*_COMPARISONS[op](bound), step)

    def __bool__(self) -> bool:
        return bool(self.parts)

    def __repr__(self) -> str:
        return f"Values({self.parts!r}, step={self.step})"

    @property
    def lo(self) -> Decimal:
        return self.parts[0].lo if self.parts else INF

    @property
    def hi(self) -> Decimal:
        return self.parts[-1].hi if self.parts else -INF

    def hull(self) -> Interval:
        first, last = self.parts[0], self.parts[-1]
        return Interval(first.lo, last.hi, first.lo_closed, last.hi_closed)

    def union(self, other: "Values") -> "Values":
        return Values(self.parts + other.parts, self.step)

    def intersect(self, other: "Values") -> "Values":
        # pieces of two sets of disjoint, separated intervals are disjoint and separated too
        found = []
        for a in self.parts:
            for b in other.parts:
                if a.hi < b.lo or b.hi < a.lo:
                    continue
                lo, lo_closed = _tighter_lo(a, b)
                hi, hi_closed = _tighter_hi(a, b)
                part = Interval(lo, hi, lo_closed, hi_closed)
                if not part.is_empty():
                    found.append(part)
        found.sort()
        return Values._of(tuple(found), self.step)

    def complement(self) -> "Values":
        found = []
        lo, lo_closed = -INF, False
        for part in self.parts:
            found.append(Interval(lo, part.lo, lo_closed, not part.lo_closed))
            lo, lo_closed = part.hi, not part.hi_closed
        found.append(Interval(lo, INF, lo_closed, False))
        if self.step is not None:
            return Values(found, self.step)
        # the gaps between sorted, separated intervals are sorted and separated already
        return Values._of(tuple([p for p in found if not p.is_empty()]), None)

    def minus(self, other: "Values") -> "Values":
        return self.intersect(other.complement())

    def issubset(self, other: "Values") -> bool:
        return all(any(_within(a, b) for b in other.parts) for a in self.parts)

    def intersects(self, other: "Values") -> bool:
        return any(_overlap(a, b) for a in self.parts for b in other.parts)


# The interval `value OP bound` is (lo, hi, lo_closed, hi_closed).
_COMPARISONS = {
    ">=": lambda bound: (bound, INF, True, False),
    ">": lambda bound: (bound, INF, False, False),
    "<=": lambda bound: (-INF, bound, False, True),
    "<": lambda bound: (-INF, bound, False, False),
    "=": lambda bound: (bound, bound, True, True),
}


def _within(a: Interval, b: Interval) -> bool:
    low_ok = a.lo > b.lo or (a.lo == b.lo and (b.lo_closed or not a.lo_closed))
    high_ok = a.hi < b.hi or (a.hi == b.hi and (b.hi_closed or not a.hi_closed))
    return low_ok and high_ok


def _overlap(a: Interval, b: Interval) -> bool:
    lo, lo_closed = _tighter_lo(a, b)
    hi, hi_closed = _tighter_hi(a, b)
    return lo < hi or (lo == hi and lo_closed and hi_closed)


def _tighter_lo(a: Interval, b: Interval):
    if a.lo != b.lo:
        return (a.lo, a.lo_closed) if a.lo > b.lo else (b.lo, b.lo_closed)
    return a.lo, a.lo_closed and b.lo_closed


def _tighter_hi(a: Interval, b: Interval):
    if a.hi != b.hi:
        return (a.hi, a.hi_closed) if a.hi < b.hi else (b.hi, b.hi_closed)
    return a.hi, a.hi_closed and b.hi_closed


def _snap(part: Interval, step: Decimal) -> Interval:
    """The same interval with its ends moved onto the lattice (both ends then closed)."""
    lo, hi = part.lo, part.hi
    if lo.is_finite():
        k = (lo / step).to_integral_value(ROUND_CEILING)
        if not part.lo_closed and k * step == lo:
            k += 1
        lo = k * step
    if hi.is_finite():
        k = (hi / step).to_integral_value(ROUND_FLOOR)
        if not part.hi_closed and k * step == hi:
            k -= 1
        hi = k * step
    return Interval(lo, hi, lo.is_finite(), hi.is_finite())


def _touches(a: Interval, b: Interval, step) -> bool:
    """Whether b (starting at or after a's start) overlaps or continues a."""
    if step is not None:
        return b.lo <= a.hi + step
    return a.hi > b.lo or (a.hi == b.lo and (a.hi_closed or b.lo_closed))


def _normalize(parts, step) -> tuple[Interval, ...]:
    cleaned = []
    for part in parts:
        if step is not None:
            part = _snap(part, step)
        if not part.is_empty():
            cleaned.append(part)
    cleaned.sort(key=lambda p: (p.lo, not p.lo_closed))
    merged: list[Interval] = []
    for part in cleaned:
        if merged and _touches(merged[-1], part, step):
            last = merged[-1]
            if (part.hi, part.hi_closed) > (last.hi, last.hi_closed):
                merged[-1] = Interval(last.lo, part.hi, last.lo_closed, part.hi_closed)
        else:
            merged.append(part)
    return tuple(merged)


def example(values: Values, unit: Decimal) -> Decimal:
    """A readable member of a non-empty set: next to a bound of its first interval, preferring
    its top end (just below the row that starts there), e.g. 84% in [0%, 85%)."""
    part = values.parts[0]
    candidates = []
    if part.hi.is_finite():
        candidates += [part.hi - unit, part.hi] if not part.hi_closed else [part.hi]
        candidates.append(part.hi - unit / 10)
    if part.lo.is_finite():
        candidates += [part.lo + unit, part.lo]
    if part.lo.is_finite() and part.hi.is_finite():
        candidates.append((part.lo + part.hi) / 2)
    for value in candidates:
        if part.contains(value):
            return value
    return Decimal(0) if part.contains(Decimal(0)) else part.lo if part.lo.is_finite() else part.hi - unit


# ---- interval arithmetic, for the range an expression can take ---------------------------------

def add(a: Interval, b: Interval) -> Interval:
    return _safe(lambda: Interval(a.lo + b.lo, a.hi + b.hi))


def sub(a: Interval, b: Interval) -> Interval:
    return _safe(lambda: Interval(a.lo - b.hi, a.hi - b.lo))


def mul(a: Interval, b: Interval) -> Interval:
    def corners():
        products = [x * y for x in (a.lo, a.hi) for y in (b.lo, b.hi)
                    if not ((x.is_infinite() and y == 0) or (y.is_infinite() and x == 0))]
        return Interval(min(products), max(products)) if products else EVERYTHING
    return _safe(corners)


def div(a: Interval, b: Interval) -> Interval:
    if b.lo == b.hi and b.lo.is_finite() and b.lo != 0:
        return mul(a, Interval(1 / b.lo, 1 / b.lo))
    if a.lo >= 0 and b.lo >= 0:
        return Interval(Decimal(0), INF)
    return EVERYTHING


EVERYTHING = Interval(-INF, INF)


def _safe(build) -> Interval:
    try:
        return build()
    except InvalidOperation:
        return EVERYTHING
