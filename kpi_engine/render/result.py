"""A run's rows → the result LANGUAGE.md specifies (JSON), a terminal table, or CSV.

Numbers stay Decimal all the way to the text: JSON numbers are written from their decimal digits
(trailing zeros dropped), never through a binary float."""
from __future__ import annotations

import json
import re
from decimal import Decimal
from functools import partial
from json.encoder import encode_basestring as json_string  # keeps non-ASCII text as it is

from ..errors import display_width
from ..execute.run import ResultTable, Rows, Run, rows_where
from ..execute.sqltext import ident, lit


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


# ---- each person's result, written by DuckDB -----------------------------------------------
# The people are the bulk of a result (5,000 people x 6 indicators: 150,000 values); one query over
# the run's result table writes the whole list of people, indented where it goes, so no value passes
# through Python on the way to `kpi score --format json`. The table and CSV are written from the same
# columns (`table_cells_sql`); everything else reads the people back from that text
# (`person_results`), so there is one definition of a person's result.

def _json_value(column: str, type_: str) -> str:
    """SQL writing a column's value as JSON text, as `json_scalar(number(value))` does: DuckDB's
    own JSON, decimals with a fraction without its trailing zeros, null for NULL. The decimal's
    own text and one regular expression take 19 ms for 60,000 decimals, `to_json` and two `rtrim`s
    31 ms."""
    if _scale(type_):
        text = _without_trailing_zeros(ident(column))
    else:
        text = f"to_json({ident(column)})::VARCHAR"
    return f"coalesce({text}, 'null')"


def _scale(type_: str) -> int:
    """The decimal places of a DuckDB DECIMAL type, 0 for any other type."""
    found = re.fullmatch(r"DECIMAL\(\d+,\s*(\d+)\)", type_)
    return int(found[1]) if found else 0


def _without_trailing_zeros(decimal: str) -> str:
    """SQL writing a decimal with a fraction (scale > 0) as text without its trailing zeros."""
    return f"regexp_replace(CAST({decimal} AS VARCHAR), '\\.?0+$', '')"


def _json_texts(types: dict[str, str], table: str, rows: Rows = (None, None)) -> str:
    """The columns of the result table (name: DuckDB type) as JSON text, with the result's order
    (`__order`), for the rows in `rows`."""
    texts = ", ".join(f"{_json_value(column, type_)} AS {ident(column)}" for column, type_ in types.items())
    return f"SELECT rowid AS __order, {texts} FROM {table}{rows_where(rows)}"


def _constant(value) -> str:
    return lit(json_scalar(value))


class _Object:
    """The SQL writing one JSON object at `level` (indent 1) from the columns' JSON texts, as the
    pieces of one `concat` (chains of `||` copy the growing text at every step); an entry given a
    condition is written only where it holds (never the first)."""

    def __init__(self, level: int):
        self.level, self.pieces = level, []

    def add(self, key: str, value: "str | _Object", when: str | None = None) -> "_Object":
        opening = "{" if not self.pieces else ","
        separator = lit(opening + "\n" + " " * (self.level + 1) + json_string(key) + ": ")
        if when:
            self.pieces.append(f"CASE WHEN {when} THEN {separator} || {value} ELSE '' END")
        elif isinstance(value, _Object):
            self.pieces += [separator, *value.written()]
        else:
            self.pieces += [separator, value]
        return self

    def written(self) -> list[str]:
        if not self.pieces:
            return ["'{}'"]
        return [*self.pieces, lit("\n" + " " * self.level + "}")]

    def sql(self) -> str:
        return f"concat({', '.join(self.written())})"


def people_json_sql(shape, table: str, types: dict[str, str], level: int = 0, rows: Rows = (None, None)) -> str:
    """The query over a run's result table (its columns: name -> DuckDB type) giving the people
    whose rows are in `rows` as JSON text written at `level` (indent 1), each an item of the list
    `people_json` makes of them, NULL when there are none; the keys as LANGUAGE.md gives them. An
    indicator without a measure has no value column."""
    no_total = f"no indicator applies to this person in {shape.period} (no data for any measure)"
    not_applicable = "not applicable: its measure has no value in this period"
    scored = """"total" <> 'null'"""
    person = _Object(level + 1).add("id", ident("__pid"))
    if shape.has_name:
        person.add("name", ident("name"))
    person.add("total", ident("total")).add("reason", _constant(no_total), f"NOT {scored}")
    indicators = _Object(level + 2)
    for item in shape.indicators:
        value, score, contribution = (ident(f"{kind}:{item.id}") for kind in "vsc")
        entry = _Object(level + 3).add("value", value if f"v:{item.id}" in types else "'null'").add("score", score)
        entry.add("max", _constant(number(item.maximum)))
        entry.add("contribution",
                  f"CASE WHEN {score} <> 'null' AND {scored} THEN {contribution} ELSE 'null' END")
        indicators.add(item.id, entry.add("reason", _constant(not_applicable), f"{score} = 'null'"))
    person.add("indicators", indicators)
    person.add("adjustments", f"""CASE WHEN {scored} THEN "adjustments" ELSE 'null' END""")
    person.add("vetoed", f"""CASE WHEN {scored} AND "vetoed" = 'true' THEN 'true' ELSE 'false' END""")
    person.add("outcomes", _columns(shape.outcomes, "o:", level + 2))
    person.add("distributions", _columns(shape.distributions, "d:", level + 2))
    payouts = _Object(level + 2)
    for name in shape.payouts:
        paid = ident(f"p:{name}")
        payouts.add(name, f"CASE WHEN {paid} = 'null' THEN '0' ELSE {paid} END")
    person.add("payouts", payouts)
    held = [(f"a:{i}", label) for i, label in enumerate(shape.actions) if f"a:{i}" in types]
    person.add("actions", _actions(held, level + 2))
    texts = _json_texts({c: t for c, t in types.items() if re.match(RESULT_COLUMNS, c)}, table, rows)
    # one string, not one per person: the people joined in the result's order
    return f"SELECT encode(string_agg({person.sql()}, {lit(_between(level))} ORDER BY __order)) FROM ({texts})"


def _between(level: int) -> str:
    """What separates the items of a list at `level`."""
    return ",\n" + " " * (level + 1)


def _columns(names, prefix: str, level: int) -> _Object:
    found = _Object(level)
    for name in names:
        found.add(name, ident(prefix + name))
    return found


def _actions(actions, level: int) -> str:
    """The labels of the actions that hold (their columns true), as a JSON list at `level`."""
    if not actions:
        return "'[]'"
    held = _held_labels(actions, lambda label: lit(json_string(label)))
    between, inside = _between(level), "\n" + " " * level
    return (f"CASE WHEN len({held}) = 0 THEN '[]' ELSE {lit('[' + between[1:])} || "
            f"array_to_string({held}, {lit(between)}) || {lit(inside + ']')} END")


def _held_labels(actions, label) -> str:
    """SQL listing the labels (each written by `label`) of the actions whose columns are true."""
    held = ", ".join(f"CASE WHEN {ident(column)} = 'true' THEN {label(text)} END" for column, text in actions)
    return f"list_filter([{held}], lambda x: x IS NOT NULL)"


def people_json(run: Run, level: int = 0) -> bytes:
    """The list of people of a run's result, as JSON text (UTF-8) written at `level`, its parts
    written at once (`ResultTable.query_parts`). Fetched as bytes: decoding 5,000 people's text to
    write it encoded again took a quarter of the writing."""
    types = run.result.types()
    texts = [text for text in run.result.query_parts(
        lambda rows: people_json_sql(run.shape, run.result.name, types, level, rows)) if text is not None]
    if not texts:
        return b"[]"
    between = _between(level).encode()
    return python_escapes(b"".join([b"[" + between[1:], between.join(texts), b"\n" + b" " * level + b"]"]))


# DuckDB writes the control characters without a short escape as \u001F, Python as \u001f.
_UPPER_ESCAPE = re.compile(rb"(?<!\\)((?:\\\\)*)\\u00([0-9A-F]{2})")


def python_escapes(text: bytes) -> bytes:
    """DuckDB's JSON text (UTF-8) written with Python's escapes, so both write the same bytes."""
    # a text without a backslash is the common case, and one byte is found by memchr: 0.1 ms
    # for 5,000 people, where looking for the escape itself took 3 ms
    if b"\\" not in text or b"\\u00" not in text:
        return text
    return _UPPER_ESCAPE.sub(lambda m: m[1] + b"\\u00" + m[2].lower(), text)


class JsonAtLevel:
    """JSON text (UTF-8) written by `write(level)` at the level where `result_json` puts it."""

    def __init__(self, write):
        self.write = write


def person_results(run: Run) -> list[dict]:
    """Each person's result as Python values (numbers as Decimal), read from `people_json`."""
    return json.loads(people_json(run), parse_float=Decimal, parse_int=Decimal)


def result_document(run: Run, people=None) -> dict:
    """The result LANGUAGE.md specifies; `people` default to `person_results`."""
    document = {"policy": run.shape.policy, "period": run.shape.period,
                "people": person_results(run) if people is None else people}
    if run.warnings:
        document["warnings"] = run.warnings
    return document


def result_json(runs: list[Run]) -> bytes:
    """The JSON result (UTF-8) of one run, or a list of them (a file of several policies), as
    `to_json` writes it; the people come as DuckDB wrote them, never decoded."""
    documents = [result_document(run, JsonAtLevel(partial(people_json, run))) for run in runs]
    parts: list[str | bytes] = []
    _write_json(documents[0] if len(documents) == 1 else documents, parts, 0)
    parts.append("\n")
    return b"".join(part if isinstance(part, bytes) else part.encode() for part in parts)


def to_json(value) -> str:
    """JSON (indent 1) with Decimals written as exact numbers and Chinese kept readable."""
    parts: list[str] = []
    _write_json(value, parts, 0)
    return "".join(parts)


def _write_json(value, parts: list[str | bytes], level: int) -> None:
    # appends to one list rather than joining strings at every level (5,000 people x ~40 values)
    if isinstance(value, JsonAtLevel):
        parts.append(value.write(level))
    elif isinstance(value, dict) and value:
        inner = ",\n" + " " * (level + 1)
        separator = "{\n" + inner[2:]
        for key, item in value.items():
            parts.append(separator)
            parts.append(json_string(str(key)))
            parts.append(": ")
            _write_json(item, parts, level + 1)
            separator = inner
        parts.append("\n" + " " * level + "}")
    elif isinstance(value, list) and value:
        inner = ",\n" + " " * (level + 1)
        separator = "[\n" + inner[2:]
        for item in value:
            parts.append(separator)
            _write_json(item, parts, level + 1)
            separator = inner
        parts.append("\n" + " " * level + "]")
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


# ---- the table and CSV: the cells, written by DuckDB -------------------------------------------

#: A cell starting with + or - that CSV leaves as it is: a number as kpi writes it, or the lone
#: "-" of no value (nothing a spreadsheet would run).
SAFE = r"^([+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?|-)$"


def _cell(column: str, types: dict[str, str], none: str = "-") -> str:
    """SQL writing a result column as a table cell: numbers rounded half-up (四舍五入) to 2
    decimals without trailing zeros, text as it is, `none` for NULL or a column the result lacks."""
    if column not in types:
        return lit(none)
    value, scale = ident(column), _scale(types[column])
    if scale:
        text = _without_trailing_zeros(f"round({value}, 2)" if scale > 2 else value)
    else:
        text = f"CAST({value} AS VARCHAR)"
    return f"coalesce({text}, {lit(none)})"


def table_header(shape) -> list[str]:
    return ["id", "name", *(p.label or p.id for p in shape.indicators), "调整", "总分",
            *shape.outcomes, *shape.distributions, *shape.payouts, "actions"]


def table_cells_sql(shape, table: str, types: dict[str, str]) -> str:
    """The query giving each person's cells under `table_header` as text (c0, c1, ...) and their
    place in the result (`__order`): the JSON result's figures, as the table and CSV show them."""
    cells = [ident("__pid"), f"coalesce({ident('name')}, '')" if shape.has_name else "''"]
    cells += [_cell(f"s:{item.id}", types) for item in shape.indicators]
    cells += [f"""CASE WHEN "total" IS NULL THEN '-' ELSE {_cell("adjustments", types)} END""",
              _cell("total", types)]
    cells += [_cell(f"o:{name}", types) for name in shape.outcomes]
    cells += [_cell(f"d:{name}", types) for name in shape.distributions]
    cells += [_cell(f"p:{name}", types, none="0") for name in shape.payouts]
    held = [(f"a:{i}", label) for i, label in enumerate(shape.actions) if f"a:{i}" in types]
    cells.append(f"array_to_string({_held_labels(held, lit)}, '; ')" if held else "''")
    return f"SELECT {', '.join(f'{cell} AS c{i}' for i, cell in enumerate(cells))}, rowid AS __order FROM {table}"


def to_table(run: Run) -> str:
    """The people as an aligned table for a terminal (a wide character takes two columns)."""
    header = table_header(run.shape)
    cells = table_cells_sql(run.shape, run.result.name, run.result.types())
    rows = run.result.query(f"SELECT * EXCLUDE (__order) FROM ({cells}) ORDER BY __order")
    width = {cell: display_width(cell) for cell in {*header, *(cell for row in rows for cell in row)}}
    widths = [max(width[row[i]] for row in [header, *rows]) for i in range(len(header))]
    lines = [f"{run.shape.label or run.shape.policy} · {run.shape.period}"]
    for index, row in enumerate([header, *rows]):
        lines.append("  ".join(cell + " " * (widths[i] - width[cell]) for i, cell in enumerate(row)).rstrip())
        if index == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines) + "\n"


def to_csv(run: Run) -> str:
    """The table's cells as CSV, written by DuckDB: quoted where Python's csv module quotes, and
    text a spreadsheet would run as a formula (= + - @) neutralised as `defuse_cell` does."""
    header = table_header(run.shape)
    cells = table_cells_sql(run.shape, run.result.name, run.result.types())
    body = _csv_line([_defused(f"c{i}") for i in range(len(header))])
    (text,), = run.result.query(f"SELECT {_csv_line([lit(h) for h in header])} || chr(10) || "
                                f"coalesce(string_agg({body}, chr(10) ORDER BY __order) || chr(10), '') "
                                f"FROM ({cells})")
    return text


def _csv_line(texts: list[str]) -> str:
    """SQL joining texts into one CSV line, each quoted where it holds a comma, a quote or a line break."""
    return " || ',' || ".join(
        f"""CASE WHEN regexp_matches({text}, '[,"\\r\\n]') THEN '"' || replace({text}, '"', '""') || '"' """
        f"ELSE {text} END" for text in texts)


def _defused(text: str) -> str:
    """SQL writing a cell as `defuse_cell` does."""
    quote = lit("'")
    return (f"CASE WHEN regexp_matches({text}, '^[=+@-]') AND NOT regexp_matches({text}, {lit(SAFE)}) "
            f"THEN {quote} || {text} ELSE {text} END")


def defuse_cell(cell: str) -> str:
    """Spreadsheets run cells starting with = + - @ as formulas; numbers and "-" are safe as they are."""
    if cell and cell[0] in "=+-@" and not re.match(SAFE, cell):
        return "'" + cell
    return cell
