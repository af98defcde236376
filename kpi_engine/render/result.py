"""A run's rows → the result LANGUAGE.md specifies (JSON), a terminal table, or CSV.

Numbers stay Decimal all the way to the text: JSON numbers are written from their decimal digits
(trailing zeros dropped), never through a binary float."""
from __future__ import annotations

import csv
import io
import json
from decimal import Decimal
from json.encoder import encode_basestring as json_string  # keeps non-ASCII text as it is

from ..execute.run import Run


#: The plan's output columns a result (JSON, table, CSV) reads: the person, name, total,
#: adjustments, veto, and each indicator's value, score and contribution, outcomes (o:),
#: distributions (d:), payouts (p:), actions (a:) and the conditions the results ledger stores
#: for actions of later periods (ac:). The others are intermediate stages.
RESULT_COLUMNS = r"^(__pid|name|total|adjustments|vetoed|[vscodpa]:.*|ac:.*)$"


def number(value: Decimal | int | None):
    if value is None:
        return None
    if isinstance(value, bool):
        return value
    value = Decimal(value)
    normal = value.normalize()
    return normal if normal != 0 else Decimal(0)


def person_results(run: Run) -> list[dict]:
    shape = run.shape
    people = []
    has_name = shape.has_name
    no_total = f"no indicator applies to this person in {shape.period} (no data for any measure)"
    # column names built once, not per person (5,000 people x every item)
    indicators = [(item.id, f"v:{item.id}", f"s:{item.id}", f"c:{item.id}", number(item.maximum))
                  for item in shape.indicators]
    outcomes = [(name, f"o:{name}") for name in shape.outcomes]
    distributions = [(name, f"d:{name}") for name in shape.distributions]
    payouts = [(name, f"p:{name}") for name in shape.payouts]
    actions = [(label, f"a:{index}") for index, label in enumerate(shape.actions)]
    for row in run.records():
        total = number(row["total"])
        person = {"id": row["__pid"]}
        if has_name:
            person["name"] = row["name"]
        person["total"] = total
        if total is None:
            person["reason"] = no_total
        scores = {}
        for item, value, score_column, contribution, maximum in indicators:
            score = number(row[score_column])
            entry = {"value": _value(row.get(value)), "score": score, "max": maximum,
                     "contribution": number(row[contribution]) if score is not None and total is not None else None}
            if score is None:
                entry["reason"] = "not applicable: its measure has no value in this period"
            scores[item] = entry
        person["indicators"] = scores
        person["adjustments"] = number(row["adjustments"]) if total is not None else None
        person["vetoed"] = bool(row["vetoed"]) if total is not None else False
        person["outcomes"] = {name: _value(row[column]) for name, column in outcomes}
        person["distributions"] = {name: row[column] for name, column in distributions}
        person["payouts"] = {name: number(row[column]) or Decimal(0) for name, column in payouts}
        person["actions"] = [label for label, column in actions if row.get(column)]
        people.append(person)
    return people


def _value(value):
    if isinstance(value, Decimal):
        return number(value)
    return value


def result_document(run: Run) -> dict:
    document = {"policy": run.shape.policy, "period": run.shape.period,
                "people": person_results(run)}
    if run.warnings:
        document["warnings"] = run.warnings
    return document


def to_json(value, indent: int = 1, level: int = 0) -> str:
    """JSON with Decimals written as exact numbers and Chinese kept readable."""
    parts: list[str] = []
    _write_json(value, parts, indent, level)
    return "".join(parts)


def _write_json(value, parts: list[str], indent: int, level: int) -> None:
    # appends to one list rather than joining strings at every level (5,000 people x ~40 values)
    if isinstance(value, dict) and value:
        inner = ",\n" + " " * (indent * (level + 1))
        separator = "{\n" + inner[2:]
        for key, item in value.items():
            parts.append(separator)
            parts.append(json_string(str(key)))
            parts.append(": ")
            _write_json(item, parts, indent, level + 1)
            separator = inner
        parts.append("\n" + " " * (indent * level) + "}")
    elif isinstance(value, list) and value:
        inner = ",\n" + " " * (indent * (level + 1))
        separator = "[\n" + inner[2:]
        for item in value:
            parts.append(separator)
            _write_json(item, parts, indent, level + 1)
            separator = inner
        parts.append("\n" + " " * (indent * level) + "]")
    elif isinstance(value, dict):
        parts.append("{}")
    elif isinstance(value, list):
        parts.append("[]")
    else:
        parts.append(json_scalar(value))


def json_scalar(value) -> str:
    """One JSON value; the common kinds are written directly (json.dumps per value was a third
    of `kpi score`'s time for 5,000 people)."""
    if isinstance(value, str):
        return json_string(value)
    if value is None:
        return "null"
    if value is True or value is False:
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, int):
        return str(value)
    return json.dumps(value, ensure_ascii=False, default=str)


def _short(value, digits: int = 2) -> str:
    if value is None:
        return "-"
    if isinstance(value, Decimal):
        from decimal import ROUND_HALF_UP
        return format(value.quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP).normalize(), "f")
    return str(value)


def table_rows(run: Run) -> tuple[list[str], list[list[str]]]:
    shape = run.shape
    header = ["id", "name", *(p.label or p.id for p in shape.indicators), "调整", "总分",
              *shape.outcomes, *shape.distributions, *shape.payouts, "actions"]
    body = []
    for person in person_results(run):
        cells = [person["id"], person.get("name", "")]
        cells += [_short(person["indicators"][p.id]["score"]) for p in shape.indicators]
        cells += [_short(person["adjustments"]), _short(person["total"])]
        cells += [_short(person["outcomes"][o]) for o in shape.outcomes]
        cells += [_short(person["distributions"][d]) for d in shape.distributions]
        cells += [_short(person["payouts"][p]) for p in shape.payouts]
        cells += ["; ".join(person["actions"])]
        body.append(cells)
    return header, body


def to_table(run: Run) -> str:
    header, body = table_rows(run)
    widths = [max(_width(row[i]) for row in [header] + body) for i in range(len(header))]
    lines = [f"{run.shape.label or run.shape.policy} · {run.shape.period}"]
    for index, row in enumerate([header] + body):
        lines.append("  ".join(_pad(cell, widths[i]) for i, cell in enumerate(row)).rstrip())
        if index == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines) + "\n"


def to_csv(run: Run) -> str:
    header, body = table_rows(run)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    for row in body:
        writer.writerow([defuse_cell(cell) for cell in row])
    return out.getvalue()


def defuse_cell(cell: str) -> str:
    """Spreadsheets run cells starting with = + - @ as formulas; numbers are safe as they are."""
    if cell and cell[0] in "=+-@" and not _is_number(cell):
        return "'" + cell
    return cell


def _is_number(text: str) -> bool:
    try:
        Decimal(text)
        return True
    except ArithmeticError:
        return False


def _width(text: str) -> int:
    import unicodedata
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in str(text))


def _pad(text: str, width: int) -> str:
    return str(text) + " " * (width - _width(text))
