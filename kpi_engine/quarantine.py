"""`kpi score --bad-rows quarantine FILE`: the records set aside, written for a person to fix."""
from __future__ import annotations

import csv
import io
from collections.abc import Sequence

from .execute.load import SetAside

COLUMNS = ("file", "row", "column", "reason", "record")


def _unique(set_aside: Sequence[SetAside]) -> list[SetAside]:
    """Each problem once: several policies in one file load the same data files again."""
    seen = {(s.problem.file, s.problem.row, s.problem.column, s.problem.message): s
            for s in reversed(set_aside)}
    return list(reversed(seen.values()))


def quarantine_csv(set_aside: Sequence[SetAside]) -> str:
    """One line per problem: where it is, what is wrong, and the record as the file holds it."""
    text = io.StringIO()
    out = csv.writer(text, lineterminator="\n")
    out.writerow(COLUMNS)
    for s in _unique(set_aside):
        p = s.problem
        out.writerow([_inert(p.file), p.row, _inert(p.column or ""), p.message, _inert(s.record)])
    return text.getvalue()


def _inert(cell: str) -> str:
    """A spreadsheet runs a cell starting with = + - @ as a formula: the data is untrusted."""
    return "'" + cell if cell[:1] in ("=", "+", "-", "@") else cell


def quarantine_summary(set_aside: Sequence[SetAside], path: str) -> str:
    """How many rows were set aside, from which file (a row with two problems counts once)."""
    rows: dict[str, set] = {}
    for s in _unique(set_aside):
        rows.setdefault(s.problem.file, set()).add(s.problem.row)
    if not rows:
        return f"bad rows: none set aside (wrote an empty {path})"
    total = sum(len(r) for r in rows.values())
    per_file = ", ".join(f"{len(r)} from {file}" for file, r in rows.items())
    return (f"bad rows: {total} row{'s' if total != 1 else ''} set aside and not scored "
            f"({per_file}); the reasons are in {path}")
