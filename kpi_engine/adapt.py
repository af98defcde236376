"""Turn a real system export (CSV or XLSX) into a dataset's canonical CSV, or refuse it precisely.

An :class:`~kpi_engine.library.Adapter` says which export column fills which dataset field and in
what unit the system writes it ("3分12秒", "是/否", "12.5%", "1,234.50元", "2026年10月5日 14:03").
:func:`convert_export` finds each column by any of its header names, converts every cell in DuckDB
SQL over the whole column (regular expressions, ``try_strptime``, exact DECIMAL arithmetic: only
multiplications by DECIMAL constants, never a division) and writes the CSV the loader
(:mod:`kpi_engine.execute.load`) reads:

===========  ===================================================================================
unit         accepted (after trimming; full-width digits and ``：．，％＋－（）`` read as ASCII)
===========  ===================================================================================
text         anything, trimmed
number       ``1234``, ``-12.50``, ``1,234.5``, ``1 234`` (separators only in groups of three)
money        a number with ``¥``/``￥``/``RMB``/``CNY`` before or ``元``/``RMB``/``CNY``/``人民币``
             after it: ``1,234.50元``, ``¥1,234.5``, ``-50元``; other currencies are refused
percent      ``12.5%`` → ``0.125``. A value without % is ambiguous (12.5%? 1250%?) and refused,
             unless no value of the column has % and every value is between -1 and 1: then the
             column is read as fractions (``0.125`` → ``0.125``)
seconds      a duration: ``3分12秒``, ``1小时2分3秒``, ``1天2小时``, ``1.5小时``, ``45秒``, ``2分``,
clock        ``3m12s``, ``1h 2min``; a clock ``00:03:12`` (h:mm:ss, optionally after ``1天``) or
             ``3:12`` (m:ss); a plain number is a number of seconds
minutes,     the same forms; a plain number counts minutes / hours / days, and in hours and days
hours, days  columns a two-part clock ``1:30`` is h:mm
yesno        true: 是 是的 y yes true 1 √ ✓ ✔ — false: 否 不是 n no false 0 × ✗ ✘ (any case);
             any other word (已解决, 未解决, ...) is refused, never guessed
datetime     ``2026-10-05 14:03[:00]``, ``2026-10-05T14:03``, ``2026/10/5 14:03``, ``2026.10.05
             14:03``, ``2026年10月5日 14:03``, a date alone (midnight), an Excel serial number
             (5 digits, like ``46300.5854``, rounded to the nearest second), an XLSX date cell
date         the same forms, whose time of day (if any) is midnight
===========  ===================================================================================

The output holds ISO 8601 times (``2026-10-05T14:03:00``), durations in seconds, ``true``/``false``,
plain decimals (no separators, no units, percents as fractions; computed values without trailing
zeros) and empty cells for missing values. Rows whose every cell is empty are skipped.

Nothing is lost: a non-empty cell that does not convert is a :class:`DataProblem` naming the export
file, its line (header = 1; the sheet row for XLSX), the export header, the value found and what was
expected. Every problem is collected (at most ``MAX_PER_COLUMN`` cells listed per column) and raised
as one :class:`DataError`; ``out_csv`` is then left untouched (the output is written beside it under
a temporary name and renamed only when complete).
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import io
import os
import re
import tempfile
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from .execute.load import MAX_PER_COLUMN, DataError, DataProblem, big_fields as _big_fields, \
    cell_text, decodes as _decodes
from .execute.sqltext import first_line, ident, lit
from .library import Adapter, ExportColumn

__all__ = ["Converted", "convert_export", "detect_adapter", "match_adapters", "read_header",
           "UNITS"]


@dataclass
class Converted:
    rows: int                 # records written
    columns: dict[str, str]   # dataset field -> the export header it came from


#: The units an ExportColumn may declare.
UNITS = ("text", "number", "money", "percent", "seconds", "clock", "minutes", "hours", "days",
         "yesno", "datetime", "date")

_DURATION_FACTOR = {"seconds": 1, "clock": 1, "minutes": 60, "hours": 3600, "days": 86400}

_EXPECTED = {
    "number": "a number like 1234.5 or 1,234.5",
    "money": "an amount of money like 1,234.50元, ¥1,234.5 or -50",
    "percent": "a percentage like 12.5%",
    "seconds": "a duration like 3分12秒, 1小时2分3秒, 00:03:12 or a number of seconds like 192",
    "clock": "a duration like 00:03:12, 3分12秒 or a number of seconds like 192",
    "minutes": "a duration like 3分12秒, 1小时2分, 00:03:12 or a number of minutes like 30",
    "hours": "a duration like 1小时30分, 1:30 (h:mm) or a number of hours like 1.5",
    "days": "a duration like 1天2小时 or a number of days like 2",
    "yesno": "yes or no (是/否, Y/N, 是的/不是, true/false, 1/0, √/×)",
    "datetime": "a date-time like 2026-10-05 14:03, 2026/10/5 14:03, 2026年10月5日 14:03 or an "
                "Excel serial number like 46300.5854",
    "date": "a date like 2026-10-05, 2026/10/5, 2026年10月5日 or an Excel serial number like 46300",
}

_YES = ("是", "是的", "y", "yes", "true", "1", "√", "✓", "✔")
_NO = ("否", "不是", "n", "no", "false", "0", "×", "✗", "✘")

# Spaces a cell may carry around (or, for numbers, inside) its value: ASCII whitespace, no-break
# spaces, the ideographic space, zero-width spaces and a stray byte-order mark.
_WS = r"[\s\x{00A0}\x{1680}\x{2000}-\x{200B}\x{202F}\x{205F}\x{3000}\x{FEFF}]"
# Full-width forms Chinese input methods produce, read as their ASCII twins.
_FULL_WIDTH = {**{chr(0xFF10 + i): str(i) for i in range(10)},
               "．": ".", "，": ",", "：": ":", "％": "%", "＋": "+", "－": "-", "−": "-",
               "（": "(", "）": ")", "Ｙ": "Y", "Ｎ": "N", "ｙ": "y", "ｎ": "n"}
_INT = r"(\d{1,3}(?:,\d{3})+|\d{1,3}(?: \d{3})+|\d+)"  # separators only in groups of three
_N = r"(\d{1,12}(?:\.\d{1,12})?)"  # a duration component (bounded: no DECIMAL overflow)


# --------------------------------------------------------------------------------------------------
# The interface


def convert_export(adapter: Adapter, source: Path, out_csv: Path, con=None) -> Converted:
    """Convert the export ``source`` (.csv or .xlsx) with ``adapter`` into ``out_csv``.

    Raises :class:`DataError` listing every problem (missing columns, cells that do not convert,
    unreadable lines); ``out_csv`` is then not written.
    """
    _check_adapter(adapter)
    source, out_csv = Path(source), Path(out_csv)
    own = con is None
    if own:
        import duckdb

        con = duckdb.connect()
        con.execute("SET enable_progress_bar = false")
    tag = uuid.uuid4().hex[:10]
    try:
        with _Export(con, source, tag) as export:
            if export.problems:
                raise DataError(export.problems)
            return _convert(con, adapter, export, out_csv, tag)
    finally:
        if own:
            con.close()


def read_header(source: Path) -> list[str]:
    """The header row of an export (cells as written, trimmed); raises DataError if unreadable."""
    source = Path(source)
    problems: list[DataProblem] = []
    header, _ = _read_header(source, problems)
    if problems:
        raise DataError(problems)
    return header


def match_adapters(adapters: Iterable[Adapter], source: Path) -> list[Adapter]:
    """Every adapter whose columns all appear in the export's header row, most columns first."""
    keys = {_header_key(h) for h in read_header(source)}
    found = [a for a in adapters if a.columns
             and all(any(_header_key(h) in keys for h in c.headers) for c in a.columns)]
    return sorted(found, key=lambda a: -len(a.columns))


def detect_adapter(adapters: Iterable[Adapter], source: Path) -> Adapter | None:
    """The adapter whose headers all appear in the file's header row; the one with the most
    columns wins (the most specific). None when none matches, or when the best matches tie (then
    the user must name the adapter). Raises DataError if the file's header cannot be read."""
    found = match_adapters(adapters, source)
    if not found:
        return None
    if len(found) > 1 and len(found[1].columns) == len(found[0].columns):
        return None
    return found[0]


# --------------------------------------------------------------------------------------------------
# Headers


_BRACKETS = str.maketrans({"（": "(", "）": ")", "【": "[", "】": "]", "［": "[", "］": "]",
                           "〔": "(", "〕": ")"})


def _header_key(h: str) -> str:
    """A header as compared: trimmed, full-width brackets as ASCII, no spaces around brackets."""
    key = (h or "").strip().strip("\ufeff").strip().translate(_BRACKETS)
    for b in "([":
        while f" {b}" in key or f"{b} " in key:
            key = key.replace(f" {b}", b).replace(f"{b} ", b)
    for b in ")]":
        while f" {b}" in key:
            key = key.replace(f" {b}", b)
    return key


def _check_adapter(adapter: Adapter) -> None:
    if not adapter.columns:
        raise ValueError(f"adapter {adapter.id}: no columns")
    seen = set()
    for c in adapter.columns:
        if c.unit not in UNITS:
            raise ValueError(f"adapter {adapter.id}: column {c.field} has unknown unit {c.unit!r} "
                             f"(known: {', '.join(UNITS)})")
        if not c.headers:
            raise ValueError(f"adapter {adapter.id}: column {c.field} names no header")
        if c.field in seen:
            raise ValueError(f"adapter {adapter.id}: field {c.field} is filled twice")
        seen.add(c.field)


# --------------------------------------------------------------------------------------------------
# Reading the export: a relation of text columns c0, c1, ... with a record number __r


def _read_header(source: Path, problems: list[DataProblem]) -> tuple[list[str], str]:
    """(the header row, trimmed; the CSV delimiter: a comma, or a tab when the header line has
    tabs and no comma)."""
    delim = ","
    suffix = source.suffix.lower()
    file = str(source)
    if not source.is_file():
        problems.append(DataProblem(file, None, None, "file not found"))
        return [], delim
    if suffix == ".csv":
        with open(source, "rb") as f:
            head = f.read(1 << 16)
        encoding = "utf-8-sig"
        try:
            codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
        except UnicodeDecodeError:
            encoding = "gb18030"
        text = head.decode(encoding, errors="replace")
        first = text.split("\n", 1)[0]
        if "\t" in first and "," not in first:
            delim = "\t"
        row = next(csv.reader(io.StringIO(text, newline=""), delimiter=delim), [])
    elif suffix == ".xlsx":
        import openpyxl

        try:
            wb = openpyxl.load_workbook(source, read_only=True, data_only=True)
        except Exception as e:  # BadZipFile, InvalidFileException, KeyError...
            problems.append(DataProblem(file, None, None,
                                        f"cannot be read as an Excel .xlsx workbook: {e}"))
            return [], delim
        try:
            ws = wb.worksheets[0]
            ws.reset_dimensions()
            first = next(ws.iter_rows(max_row=1, values_only=True), ())
            row = [_cell_text(v) or "" for v in first]
        finally:
            wb.close()
    else:
        problems.append(DataProblem(file, None, None,
                                    f"cannot read {suffix or 'extension-less'} files: save the "
                                    "export as .xlsx or .csv"))
        return [], delim
    header = [h.strip().strip("\ufeff").strip() for h in row]
    if not any(header):
        problems.append(DataProblem(file, 1, None, "no header: the first row must name the "
                                                   "columns"))
    return header, delim


class _Export:
    """The export as a SQL relation ``self.rel`` with __r (1-based record number) and c0..cN."""

    def __init__(self, con, source: Path, tag: str):
        self.con = con
        self.path = source
        self.file = str(source)
        self.tag = tag
        self.problems: list[DataProblem] = []
        self.header: list[str] = []
        self.delim = ","
        self.rel = ""
        self._drop: list[str] = []  # temp tables to drop
        self._views: list[str] = []  # registered Arrow tables
        self._tmpdir: tempfile.TemporaryDirectory | None = None
        self._csv_path: Path | None = None  # the UTF-8 file DuckDB reads
        self._lines: list[int] | None = None  # XLSX: sheet row of each record
        self._n_rows = 0

    def __enter__(self):
        self.header, self.delim = _read_header(self.path, self.problems)
        if self.problems:
            return self
        if self.path.suffix.lower() == ".csv":
            self._open_csv()
        else:
            self._open_xlsx()
        return self

    def __exit__(self, *exc):
        for name in self._drop:
            self.con.execute(f"DROP TABLE IF EXISTS {ident(name)}")
        for name in self._views:
            with contextlib.suppress(Exception):
                self.con.unregister(name)
        if self._tmpdir is not None:
            self._tmpdir.cleanup()
        return False

    # ---- CSV

    def _open_csv(self) -> None:
        path = self._utf8_file()
        if path is None:
            return
        self._csv_path = path
        width = len(self.header)
        columns = "{" + ", ".join(f"'c{j}': 'VARCHAR'" for j in range(width)) + "}"
        table = f"__kpi_adapt_raw_{self.tag}"
        saved = self.con.execute("SELECT current_setting('preserve_insertion_order')"
                                 ).fetchall()[0][0]
        self.con.execute("SET preserve_insertion_order = true")  # rowid follows the file's order
        try:
            self._drop.append(table)
            self.con.execute(
                f"CREATE TEMP TABLE {ident(table)} AS SELECT * FROM read_csv({lit(str(path))}, "
                f"header = true, columns = {columns}, auto_detect = false, "
                f"delim = {lit(self.delim)}, quote = '\"', escape = '\"', encoding = 'utf-8', "
                "comment = '', "
                "null_padding = false, strict_mode = true)")
        except Exception as e:  # duckdb.Error: a line DuckDB cannot split
            self._diagnose(path, e)
            return
        finally:
            self.con.execute(f"SET preserve_insertion_order = {'true' if saved else 'false'}")
        self.rel = f"(SELECT rowid + 1 AS __r, * FROM {ident(table)})"
        self._n_rows = self.con.execute(f"SELECT count(*) FROM {ident(table)}").fetchall()[0][0]

    def _utf8_file(self) -> Path | None:
        """The file itself if it is UTF-8 (with or without BOM); else a UTF-8 copy of its GB18030
        (GBK) text; None (with a problem) if it is neither."""
        bad_utf8 = _decodes(self.path, "utf-8")
        if bad_utf8 is None:
            return self.path
        self._tmpdir = tempfile.TemporaryDirectory(prefix="kpi-adapt-")
        copy = Path(self._tmpdir.name) / "export.csv"
        bad = _decodes(self.path, "gb18030", copy)
        if bad is not None:
            self.problems.append(DataProblem(
                self.file, bad_utf8, None,
                f"not UTF-8 text, and the file is not GBK/GB18030 text either (line {bad} is not); "
                "save it as CSV UTF-8 or as .xlsx"))
            return None
        return copy

    def _diagnose(self, path: Path, error: Exception) -> None:
        """DuckDB could not split the file: find the lines with Python's csv module."""
        width = len(self.header)
        found = 0
        with _big_fields(), open(path, encoding="utf-8-sig", newline="") as f:
            reader = csv.reader(f, strict=True, delimiter=self.delim)
            prev = 0
            try:
                for k, rec in enumerate(reader):
                    start, prev = prev + 1, reader.line_num
                    if k == 0 or (not rec and width > 1) or len(rec) == width:
                        continue
                    found += 1
                    if found <= MAX_PER_COLUMN:
                        self.problems.append(DataProblem(
                            self.file, start, None,
                            f"expected {width} values like the header, found {len(rec)}"))
            except csv.Error as e:
                self.problems.append(DataProblem(
                    self.file, prev + 1, None,
                    f"cannot split this line into CSV values ({e}); values holding commas, quotes "
                    "or line breaks must be enclosed in double quotes, with inner quotes doubled"))
                return
        if found > MAX_PER_COLUMN:
            self.problems.append(DataProblem(
                self.file, None, None, f"and {found - MAX_PER_COLUMN} more lines with the wrong "
                                       f"number of values (only the first {MAX_PER_COLUMN} are "
                                       "listed)"))
        if not found:
            self.problems.append(DataProblem(self.file, None, None,
                                             "cannot be read as a CSV file: " + first_line(error)))

    # ---- XLSX

    def _open_xlsx(self) -> None:
        import openpyxl
        import pyarrow as pa

        wb = openpyxl.load_workbook(self.path, read_only=True, data_only=True)
        try:
            ws = wb.worksheets[0]
            ws.reset_dimensions()  # some writers record wrong dimensions; read every cell there is
            rows = ws.iter_rows(values_only=True)
            next(rows, None)  # the header, read by _read_header
            width = len(self.header)
            columns: list[list] = [[] for _ in range(width)]
            lines: list[int] = []
            # The one Python loop over rows: openpyxl hands cells over one by one.
            for number, row in enumerate(rows, start=2):
                cells = [_cell_text(v) for v in row[:width]]
                if all(c is None or not c.strip() for c in cells):
                    continue  # a blank row holds no record
                cells += [None] * (width - len(cells))
                for j in range(width):
                    columns[j].append(cells[j])
                lines.append(number)
        finally:
            wb.close()
        self._lines = lines
        self._n_rows = len(lines)
        view = f"__kpi_adapt_xlsx_{self.tag}"
        table = pa.table({"__r": pa.array(range(1, len(lines) + 1), pa.int64()),
                          **{f"c{j}": pa.array(col, pa.string()) for j, col in enumerate(columns)}})
        self.con.register(view, table)
        self._views.append(view)
        self.rel = ident(view)

    # ---- Where a record is

    def lines(self, rows: set[int]) -> dict[int, int]:
        """{record number: file line (header = 1), or sheet row}."""
        if self._lines is not None:
            return {r: self._lines[r - 1] for r in rows}
        path = self._csv_path
        n_lines, last = 0, b"\n"
        with open(path, "rb") as f:
            while chunk := f.read(1 << 20):
                n_lines += chunk.count(b"\n")
                last = chunk[-1:]
        n_lines += last != b"\n"
        if n_lines == 1 + self._n_rows:  # one line per record: arithmetic
            return {r: r + 1 for r in rows}
        # blank lines (which DuckDB skips) or values spanning lines: walk the records
        out: dict[int, int] = {}
        width = len(self.header)
        with _big_fields(), open(path, encoding="utf-8-sig", newline="") as f:
            reader = csv.reader(f, delimiter=self.delim)
            prev = r = 0
            for k, rec in enumerate(reader):
                start, prev = prev + 1, reader.line_num
                if k == 0 or (not rec and width > 1):
                    continue
                r += 1
                if r in rows:
                    out[r] = start
                    if len(out) == len(rows):
                        break
        return out


def _clock_text(span) -> str:
    """A time-span cell as a clock, which every duration unit reads: 1:02:03."""
    total = span.days * 86400 + span.seconds
    text = f"{total // 3600}:{total // 60 % 60:02d}:{total % 60:02d}"
    return text + (f".{span.microseconds:06d}" if span.microseconds else "")


def _cell_text(v) -> str | None:
    return cell_text(v, _clock_text)


# --------------------------------------------------------------------------------------------------
# Converting


@dataclass
class _Mapped:
    col: ExportColumn
    index: int        # position in the export
    header: str       # the export's header text


def _find_columns(adapter: Adapter, export: _Export) -> tuple[list[_Mapped], list[DataProblem]]:
    keys: dict[str, list[int]] = {}
    for i, h in enumerate(export.header):
        if h:
            keys.setdefault(_header_key(h), []).append(i)
    found = ", ".join(repr(h) for h in export.header if h) or "(none)"
    mapped, problems = [], []
    for c in adapter.columns:
        at = sorted({i for h in c.headers for i in keys.get(_header_key(h), [])})
        looked = " or ".join(repr(h) for h in c.headers)
        if not at:
            problems.append(DataProblem(
                export.file, None, c.headers[0],
                f"missing column for field {c.field} (adapter {adapter.id}): looked for {looked}; "
                f"the headers found are: {found}"))
        elif len(at) > 1:
            where = " and ".join(f"{i + 1} ({export.header[i]!r})" for i in at)
            problems.append(DataProblem(
                export.file, 1, export.header[at[0]],
                f"more than one column for field {c.field}: columns {where} all match {looked}; "
                "keep only one"))
        else:
            mapped.append(_Mapped(c, at[0], export.header[at[0]]))
    return mapped, problems


def _convert(con, adapter: Adapter, export: _Export, out_csv: Path, tag: str) -> Converted:
    mapped, problems = _find_columns(adapter, export)
    width = len(export.header)
    # every cell trimmed (NULL when empty); rows with no value at all are not records
    cells = ", ".join(f"c{j}" for j in range(width))
    blank = f"regexp_full_match(coalesce(concat_ws('', {cells}), ''), '{_WS}*')"
    first = ["__r"] + [f"{_trim(f'c{m.index}')} AS s{k}" for k, m in enumerate(mapped)]
    base = f"__kpi_adapt_base_{tag}"
    export._drop.append(base)
    con.execute(f"CREATE TEMP TABLE {ident(base)} AS SELECT {', '.join(first)} "
                f"FROM {export.rel} WHERE NOT {blank}")

    # Each column is converted once per distinct value (exports repeat their values a lot: the
    # same durations, flags, amounts), then joined back to the records.
    fractions: dict[int, bool] = {}
    select, joins = ["b.__r"], []
    for k, m in enumerate(mapped):
        layers, fin = _converter(m.col.unit, "s", "x_")
        if not layers:  # text
            select += [f"b.s{k}", f"b.s{k} AS v{k}"]
            continue
        sql = f"SELECT DISTINCT s{k} AS s FROM {ident(base)} WHERE s{k} IS NOT NULL"
        for layer in layers:
            sql = f"SELECT *, {', '.join(f'{e} AS {n}' for n, e in layer)} FROM ({sql})"
        distinct = f"__kpi_adapt_d{k}_{tag}"
        export._drop.append(distinct)
        con.execute(f"CREATE TEMP TABLE {ident(distinct)} AS {sql}")
        if m.col.unit == "percent":  # is the column written as fractions (no % anywhere)?
            fractions[k] = con.execute(
                "SELECT count_if(x_num IS NOT NULL AND x_pct) = 0 AND "
                f"coalesce(bool_and(abs(x_num) <= 1), false) FROM {ident(distinct)}"
            ).fetchall()[0][0]
            fin = fin.replace("{fractions}", "true" if fractions[k] else "false")
        joins.append(f"LEFT JOIN (SELECT s, {fin} AS v FROM {ident(distinct)}) d{k} "
                     f"ON b.s{k} = d{k}.s")
        select += [f"b.s{k}", f"d{k}.v AS v{k}"]
    values = f"__kpi_adapt_values_{tag}"
    export._drop.append(values)
    con.execute(f"CREATE TEMP TABLE {ident(values)} AS SELECT {', '.join(select)} "
                f"FROM {ident(base)} b {' '.join(joins)}")

    problems += _cell_problems(con, export, mapped, values)
    if problems:
        raise DataError(problems)

    n_rows = con.execute(f"SELECT count(*) FROM {ident(values)}").fetchall()[0][0]
    out_csv.parent.mkdir(parents=True, exist_ok=True)
    tmp = out_csv.with_name(f".{out_csv.name}.{tag}.tmp")
    select = ", ".join(f"v{k} AS {ident(m.col.field)}" for k, m in enumerate(mapped))
    try:
        con.execute(f"COPY (SELECT {select} FROM {ident(values)} ORDER BY __r) "
                    f"TO {lit(str(tmp))} (FORMAT csv, HEADER true, DELIMITER ',')")
        os.replace(tmp, out_csv)
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
    return Converted(rows=n_rows, columns={m.col.field: m.header for m in mapped})


def _cell_problems(con, export: _Export, mapped: list[_Mapped], values: str) -> list[DataProblem]:
    if not mapped:
        return []
    bad = [f"s{k} IS NOT NULL AND v{k} IS NULL" for k in range(len(mapped))]
    counts = con.execute("SELECT " + ", ".join(f"count_if({b})" for b in bad)
                         + f" FROM {ident(values)}").fetchall()[0]
    found: list[tuple[int, list[tuple[int, str]], int]] = []
    for k, n in enumerate(counts):
        if n:
            rows = con.execute(f"SELECT __r, s{k} FROM {ident(values)} WHERE {bad[k]} "
                               f"ORDER BY __r LIMIT {MAX_PER_COLUMN}").fetchall()
            found.append((k, rows, n))
    if not found:
        return []
    lines = export.lines({r for _, rows, _ in found for r, _ in rows})
    problems = []
    for k, rows, n in found:
        m = mapped[k]
        unit = m.col.unit
        for r, value in rows:
            problems.append(DataProblem(export.file, lines.get(r, r), m.header,
                                        _message(unit, value)))
        if n > len(rows):
            more = (f"and {n - len(rows)} more cells that do not convert in this column (only the "
                    f"first {len(rows)} are listed)")
            if unit == "yesno":
                words = con.execute(
                    f"SELECT s{k}, count(*) AS n FROM {ident(values)} WHERE {bad[k]} "
                    f"GROUP BY s{k} ORDER BY n DESC, s{k} LIMIT 11").fetchall()
                named = ", ".join(f"{w!r} ({c} rows)" for w, c in words[:10])
                more += f"; the words not understood are: {named}" + (
                    ", ..." if len(words) > 10 else "")
            problems.append(DataProblem(export.file, None, m.header, more))
    return problems


def _message(unit: str, value: str) -> str:
    if unit == "percent":
        if re.fullmatch(r"[+-]?[\d,. ]+", value.translate(str.maketrans(_FULL_WIDTH))):
            return (f"expected a percentage like 12.5%, found {value!r} without %: ambiguous "
                    "(12.5%? a fraction?). Write the % sign; a column is read as fractions only "
                    "when none of its values has % and all are between -1 and 1")
    if unit == "yesno":
        return f"expected {_EXPECTED[unit]}, found {value!r}: this word is not understood"
    if unit == "date" and any(ch == ":" for ch in value):
        return (f"expected {_EXPECTED[unit]}, found {value!r} (a date column takes no time of "
                "day other than midnight)")
    return f"expected {_EXPECTED[unit]}, found {value!r}"


# --------------------------------------------------------------------------------------------------
# SQL per unit: (middle-layer columns over the trimmed cell s, final expression over them)


def _converter(unit: str, s: str, p: str) -> tuple[list[list[tuple[str, str]]], str]:
    """(layers, final) for one column: ``layers[i]`` lists (name, SQL) computed over the trimmed
    text column ``s`` and the names of earlier layers (names start with ``p``); ``final`` is the
    canonical text (VARCHAR) over all of them, NULL when the cell does not convert."""
    if unit == "text":
        return [], s
    if unit in ("number", "money"):
        n, g = f"{p}n", f"{p}g"
        if unit == "number":
            pattern = rf"^([+-]?)() ?{_INT}(\.\d+)?$"
        else:
            pattern = (rf"^([+-]?) ?(?:¥|￥|RMB|CNY)? ?([+-]?) ?{_INT}(\.\d+)? ?"
                       r"(?:元|RMB|CNY|人民币)?$")
        text = (f"CASE WHEN {_f(g, 's1')} = '-' OR {_f(g, 's2')} = '-' THEN '-' ELSE '' END || "
                f"replace(replace({_f(g, 'int')}, ',', ''), ' ', '') || {_f(g, 'frac')}")
        ok = (f"regexp_full_match({n}, {lit(pattern)}) AND "
              f"({_f(g, 's1')} = '' OR {_f(g, 's2')} = '') "
              f"AND TRY_CAST({text} AS DECIMAL(38,10)) IS NOT NULL")
        return [[(n, _spaced(s, upper=unit == "money"))],
                [(g, f"regexp_extract({n}, {lit(pattern)}, ['s1', 's2', 'int', 'frac'])")]], \
            f"CASE WHEN {ok} THEN {text} END"
    if unit == "percent":
        n, g = f"{p}n", f"{p}g"
        pattern = rf"^([+-]?){_INT}(\.\d+)? ?(%)?$"
        num = (f"TRY_CAST({_f(g, 'sign')} || replace(replace({_f(g, 'int')}, ',', ''), ' ', '') "
               f"|| {_f(g, 'frac')} AS DECIMAL(38,16))")
        layers = [[(n, _spaced(s))],
                  [(g, f"regexp_extract({n}, {lit(pattern)}, ['sign', 'int', 'frac', 'pct'])"),
                   (f"{p}m", f"regexp_full_match({n}, {lit(pattern)})")],
                  [(f"{p}num", f"CASE WHEN {p}m THEN {num} END"),
                   (f"{p}pct", f"{_f(g, 'pct')} = '%'")]]
        # {fractions}: filled in once the whole column has been looked at
        fin = (f"CASE WHEN {p}pct THEN {_plain(f'{p}num * 0.01::DECIMAL(3,2)')} "
               f"WHEN {{fractions}} THEN {_plain(f'{p}num')} END")
        return layers, fin
    if unit in _DURATION_FACTOR:
        return _duration(unit, s, p)
    if unit == "yesno":
        n = (f"lower(translate(regexp_replace({s}, '{_WS}+', '', 'g'), {lit(_FW_FROM)}, "
             f"{lit(_FW_TO)}))")
        yes = ", ".join(lit(w) for w in _YES)
        no = ", ".join(lit(w) for w in _NO)
        return [[(f"{p}n", n)]], (f"CASE WHEN {p}n IN ({yes}) THEN 'true' "
                                  f"WHEN {p}n IN ({no}) THEN 'false' END")
    if unit in ("datetime", "date"):
        return _datetime(unit, s, p)
    raise ValueError(unit)


def _duration(unit: str, s: str, p: str):
    n, w, c, t = f"{p}n", f"{p}w", f"{p}c", f"{p}t"
    words = (rf"^(?:{_N}(?:天|日|d|days?))?(?:{_N}(?:小时|小時|时|時|h|hrs?|hours?))?"
             rf"(?:{_N}(?:分钟|分鐘|分|m|mins?|minutes?))?(?:{_N}(?:秒钟|秒鐘|秒|s|secs?|seconds?))?$")
    clock3 = r"^(?:(\d{1,9})(?:天|日|d))?(\d{1,12}):([0-5]?\d):([0-5]?\d(?:\.\d{1,9})?)$"
    clock2 = r"^(\d{1,12}):([0-5]?\d(?:\.\d{1,9})?)$"
    plain = rf"^{_N}$"
    layers = [[(n, f"lower(translate(regexp_replace({s}, '{_WS}+', '', 'g'), {lit(_FW_FROM)}, "
                   f"{lit(_FW_TO)}))")],
              [(w, f"regexp_extract({n}, {lit(words)}, ['d', 'h', 'm', 's'])"),
               (f"{w}m", f"regexp_full_match({n}, {lit(words)})"),
               (c, f"regexp_extract({n}, {lit(clock3)}, ['d', 'h', 'm', 's'])"),
               (f"{c}m", f"regexp_full_match({n}, {lit(clock3)})"),
               (t, f"regexp_extract({n}, {lit(clock2)}, ['a', 'b'])"),
               (f"{t}m", f"regexp_full_match({n}, {lit(clock2)})"),
               (f"{p}pm", f"regexp_full_match({n}, {lit(plain)})")]]

    def dec(x):
        return f"coalesce(CAST(nullif({x}, '') AS DECIMAL(38,12)), 0::DECIMAL(38,12))"

    def k(factor):
        return f"{factor}::DECIMAL({len(str(factor))},0)"

    def spans(g):
        return (f"{dec(_f(g, 'd'))} * {k(86400)} + {dec(_f(g, 'h'))} * {k(3600)} + "
                f"{dec(_f(g, 'm'))} * {k(60)} + {dec(_f(g, 's'))}")

    a, b = dec(_f(t, "a")), dec(_f(t, "b"))
    if unit in ("hours", "days"):  # 1:30 is h:mm
        two = f"{a} * {k(3600)} + {b} * {k(60)}"
    else:  # 3:12 is m:ss
        two = f"{a} * {k(60)} + {b}"
    fin = (f"CASE WHEN {w}m THEN {spans(w)} WHEN {c}m THEN {spans(c)} WHEN {t}m THEN {two} "
           f"WHEN {p}pm THEN {dec(n)} * {k(_DURATION_FACTOR[unit])} END")
    return layers, _plain(fin)


def _datetime(unit: str, s: str, p: str):
    n, g, e, ts = f"{p}n", f"{p}g", f"{p}e", f"{p}ts"
    # 年/月 as '-', 日/号 as a space, spaces collapsed
    norm = (f"trim(regexp_replace(regexp_replace(regexp_replace(translate({s}, {lit(_FW_FROM)}, "
            f"{lit(_FW_TO)}), '[年月]', '-', 'g'), '[日号]', ' ', 'g'), '{_WS}+', ' ', 'g'))")
    text = (r"^(\d{4}) ?[-/.] ?(\d{1,2}) ?[-/.] ?(\d{1,2})"
            r"(?:(?: ?[Tt] ?| )(\d{1,2}):(\d{1,2})(?::(\d{1,2})(\.\d{1,6})?)?)?$")
    serial = r"^(\d{5})(\.\d{1,18})?$"

    def part(name, default=None):
        x = _f(g, name)
        return f"coalesce(nullif({x}, ''), {lit(default)})" if default else x

    built = (f"{part('y')} || '-' || {part('mo')} || '-' || {part('d')} || ' ' || {part('h', '0')} "
             f"|| ':' || {part('mi', '0')} || ':' || {part('s', '0')} || {part('f')}")
    from_text = f"try_strptime({built}, ['%Y-%m-%d %H:%M:%S', '%Y-%m-%d %H:%M:%S.%f'])"
    seconds = (f"CAST(round(CAST('0' || {_f(e, 'frac')} AS DECIMAL(38,18)) * 86400::DECIMAL(5,0), "
               "0) AS BIGINT)")
    from_serial = (f"TIMESTAMP '1899-12-30' + to_days(CAST({_f(e, 'days')} AS INTEGER)) + "
                   f"to_seconds({seconds})")
    layers = [[(n, norm)],
              [(g, f"regexp_extract({n}, {lit(text)}, ['y', 'mo', 'd', 'h', 'mi', 's', 'f'])"),
               (f"{g}m", f"regexp_full_match({n}, {lit(text)})"),
               (e, f"regexp_extract({n}, {lit(serial)}, ['days', 'frac'])"),
               (f"{e}m", f"regexp_full_match({n}, {lit(serial)})")],
              [(ts, f"CASE WHEN {g}m THEN {from_text} WHEN {e}m THEN {from_serial} END")]]
    if unit == "date":
        return layers, (f"CASE WHEN {ts} = date_trunc('day', {ts}) "
                        f"THEN strftime({ts}, '%Y-%m-%d') END")
    return layers, (f"CASE WHEN {ts} = date_trunc('second', {ts}) "
                    f"THEN strftime({ts}, '%Y-%m-%dT%H:%M:%S') "
                    f"ELSE strftime({ts}, '%Y-%m-%dT%H:%M:%S.%f') END")


def _f(struct: str, name: str) -> str:
    return f"struct_extract({struct}, {lit(name)})"


_FW_FROM = "".join(_FULL_WIDTH)
_FW_TO = "".join(_FULL_WIDTH.values())


def _trim(col: str) -> str:
    return f"nullif(regexp_replace({col}, '^{_WS}+|{_WS}+$', '', 'g'), '')"


def _spaced(s: str, upper: bool = False) -> str:
    """Full-width forms as ASCII, every run of spaces as one ASCII space (for 1 234)."""
    x = f"regexp_replace(translate({s}, {lit(_FW_FROM)}, {lit(_FW_TO)}), '{_WS}+', ' ', 'g')"
    return f"upper({x})" if upper else x


def _plain(dec_sql: str) -> str:
    """A DECIMAL with a positive scale as plain text without trailing zeros: 0.125000 -> 0.125,
    5400.000 -> 5400 (its text always has a decimal point, so only fraction zeros are cut)."""
    return f"rtrim(rtrim(CAST({dec_sql} AS VARCHAR), '0'), '.')"






