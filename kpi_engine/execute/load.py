"""Load the data files of a policy's datasets into DuckDB tables, or refuse them precisely.

Each dataset becomes one TABLE, named exactly as the dataset, with the columns

    __pid  VARCHAR     the person id (trimmed)
    __at   TIMESTAMP   the record's time (only for datasets with `at`)
    __row  BIGINT      the record's position among the file's data rows (1-based)
    <field> ...        one column per declared field, typed (see ``SQL_TYPES``)

Typing and validation are set-based SQL: the file is read once (DuckDB's parallel CSV reader with
every column as VARCHAR, ``read_parquet``, or an XLSX sheet turned into an Arrow table of strings)
into a typed table that also carries one "bad" flag per nullable typed field; one aggregate query
then counts the problems per column, and only failing columns are looked at row by row (at most
``MAX_PER_COLUMN`` rows each, their raw text fetched again from the file). A Parquet file is read
in place, not copied, and the checks its footer's statistics settle are not run. Numbers go from
text straight to DECIMAL, never through DOUBLE.

Besides unreadable cells, a record is refused for a negative duration, a time more than
``FUTURE_SLACK`` after the run, or an id it shares with another record (the person id of a dataset
without `at`, the declared `key`). CSVs in GBK/GB18030 are read through a UTF-8 copy; a date or
time may be an Excel serial number.

Every row either loads or is reported: if anything is wrong in any dataset, ``DataError`` is raised
with every problem found and no table created by this call is left behind. With a ``quarantine``
list, records with problems of their own are set aside there instead (all of them, not the first
``MAX_PER_COLUMN``) and the rest loads; problems of a whole file still refuse.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import datetime as _dt
import io
import re
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import partial
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, NamedTuple

from ..errors import KpiError
from .parallel import at_once
from .sqltext import first_line, ident, lit, lit_list

if TYPE_CHECKING:
    import tempfile

__all__ = ["FieldSpec", "DatasetSpec", "DataProblem", "DataError", "SetAside", "load_datasets",
           "record_places", "SQL_TYPES"]

#: How each declared field type is stored.
SQL_TYPES = {
    "text": "VARCHAR",
    "number": "DECIMAL(38,10)",
    "money": "DECIMAL(38,4)",
    "duration": "DECIMAL(38,6)",
    "bool": "BOOLEAN",
    "date": "DATE",
    "datetime": "TIMESTAMP",
}

#: Problems listed per column (and per kind of file-level problem) before summarising the rest.
MAX_PER_COLUMN = 20

#: How far past the run's start a record's time may be before it is refused as in the future: a
#: year, so that a mistyped year (2062 for 2026) is caught while the scoring stays independent of
#: the day it runs on (example data and plans may lie ahead of the clock, and clocks differ by
#: time zone).
FUTURE_SLACK = _dt.timedelta(days=366)

#: Lines DuckDB keeps when it cannot split them (enough to report; any rejected line fails the load).
_REJECTS_LIMIT = 1000

#: Extensions looked for in the data directory, in this order.
EXTENSIONS = (".csv", ".parquet", ".xlsx")

_DATETIME_FORMATS = (
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d",
    "%Y-%m-%dT%H:%M:%S.%f",
    "%Y-%m-%d %H:%M:%S.%f",
    "%Y-%m-%dT%H:%M",
    "%Y-%m-%d %H:%M",
)
# A date may also come as midnight of a date-time (Excel and Parquet timestamps).
_DATE_FORMATS = ("%Y-%m-%d", "%Y-%m-%d 00:00:00", "%Y-%m-%dT00:00:00")

_EXPECTED = {
    "number": "a number (like 4.5)",
    "money": "an amount of money (a plain number like 199.90, no currency sign)",
    "duration": "a duration in seconds (a plain number like 30)",
    "bool": "true or false (or 1 or 0)",
    "date": "a date like 2026-10-01",
    "datetime": "a date-time like 2026-10-01T09:00:00 or 2026-10-01 09:00:00",
}
_EXPECTED_AT = "a time like 2026-10-01T09:00:00, 2026-10-01 09:00:00 or 2026-10-01"

# A number followed by a unit ("3分", "2min", "1.5h", "200元"): the column mixes units.
_WITH_UNIT = re.compile(r"\s*[+-]?\d+(?:\.\d+)?\s*[^\d\s.,:/-][^\d]*")


# --------------------------------------------------------------------------------------------------
# The interface


# Plain records are NamedTuples: cheaper to define at import than frozen dataclasses (see run.py).
class FieldSpec(NamedTuple):
    name: str
    type: str  # one of: text number bool duration date datetime money
    nullable: bool  # declared with `?`: an empty cell is allowed (missing)


class DatasetSpec(NamedTuple):
    name: str  # dataset name; the DuckDB table created has this name
    person: str  # column holding the person id (the `by` column)
    at: str | None  # time column (`at`), None for the roster
    fields: tuple[FieldSpec, ...]
    key: str | None = None  # a field no two records may share (`key`), e.g. a ticket number


@dataclass
class DataProblem:
    """One refusal, precise enough to fix the file."""

    file: str  # path as the user gave it
    row: int | None  # CSV line (header = 1), XLSX sheet row, Parquet record (1-based); None: whole file
    column: str | None
    message: str

    def __str__(self) -> str:
        where = self.file if self.row is None else f"{self.file}:{self.row}"
        col = "" if self.column is None else f"column {self.column}: "
        return f"{where}: {col}{self.message}"


class SetAside(NamedTuple):
    """A record left out under ``--bad-rows quarantine``: the problem and the record as the file
    holds it (its values as one CSV line, in the file's column order)."""

    problem: DataProblem
    record: str


class DataError(KpiError):
    """The data files were refused; ``.problems`` lists every problem found."""

    def __init__(self, problems: Sequence[DataProblem]):
        self.problems: list[DataProblem] = list(problems)
        n = len(self.problems)
        head = f"{n} problem{'s' if n != 1 else ''} in the data files"
        super().__init__(head + ":\n" + "\n".join(str(p) for p in self.problems))


def load_datasets(con, specs: Sequence[DatasetSpec], data_dir: Path | None,
                  files: Mapping[str, Path] | None = None, *,
                  quarantine: list[SetAside] | None = None,
                  now: _dt.datetime | None = None) -> dict[str, Path]:
    """Create one table per dataset in ``con``; return {dataset name: file used}.

    ``files[name]`` wins over ``data_dir/<name>.csv|.parquet|.xlsx``. Raises ``DataError`` with every
    problem found in every dataset; in that case no table created here is left behind. Given a
    ``quarantine`` list, records with problems of their own (a cell, a duplicated id, a line that
    cannot be split) are appended to it and left out instead; problems of a whole file still
    refuse. ``now`` (default: the clock) is when the run starts: record times more than
    ``FUTURE_SLACK`` later are refused.
    """
    now = now or _dt.datetime.now()
    problems: list[DataProblem] = []
    created: list[str] = []
    used: dict[str, Path] = {}
    tag = uuid.uuid4().hex[:8]
    saved_order = None  # the connection's preserve_insertion_order, once this load changed it
    ok = False

    def load(i: int, spec: DatasetSpec, create: bool, set_aside, con) -> list[DataProblem]:
        source = _open_source(con, used[spec.name], f"{tag}_{i}")
        try:
            found = _load_one(con, spec, source, f"__kpi_stage_{tag}_{i}", create=create,
                              quarantine=set_aside, now=now)
        finally:
            source.close()
        if create and not found:
            created.append(spec.name)
        return found

    try:
        missing = [[] for _ in specs]
        for spec, problems_here in zip(specs, missing):
            path = _find_file(spec, data_dir, files, problems_here)
            if path is not None:
                used[spec.name] = path
        # Parquet files are read in place (views over the file): their checks, a few statements
        # each, run side by side (0.007 s of 0.017 s at 200k records).
        in_place = [i for i, spec in enumerate(specs) if spec.name in used and reads_in_place(used[spec.name])]
        set_aside = {i: [] if quarantine is not None else None for i in in_place}
        create = not any(missing)
        found = dict(zip(in_place, at_once(con, [partial(load, i, specs[i], create, set_aside[i])
                                                 for i in in_place])))
        for i, spec in enumerate(specs):
            problems += missing[i]
            if set_aside.get(i):
                quarantine.extend(set_aside[i])
            if spec.name not in used:
                continue
            if i not in found:
                if saved_order is None:
                    # A file copied into a table numbers its rows by the table's rowid, which
                    # follows the file only when insertion order is preserved.
                    saved_order = con.execute("SELECT current_setting('preserve_insertion_order')"
                                              ).fetchall()[0][0]
                    con.execute("SET preserve_insertion_order = true")
                found[i] = load(i, spec, not problems, quarantine, con)
            problems += found[i]
        if problems:
            raise DataError(problems)
        ok = True
        return used
    finally:
        if not ok:
            for name in created:
                _drop(con, name)
        if saved_order is not None:
            con.execute(f"SET preserve_insertion_order = {'true' if saved_order else 'false'}")


def record_places(con, path: Path, rows: set[int]) -> tuple[str, dict[int, int]]:
    """("line", "row" or "record", {data row: its CSV line, sheet row or Parquet record}) for rows
    of a file ``load_datasets`` loaded (its ``__row``), to name them in a message. Reads the file
    again, so it is for the few rows a warning names."""
    source = _open_source(con, Path(path), uuid.uuid4().hex[:8])
    try:
        if source.problems:
            return _UNIT.get(type(source), "record"), {}
        n_rows = con.execute(f"SELECT count(*) FROM {source.relation('stage')}").fetchall()[0][0]
        source.after_scan(n_rows, None)
        return _UNIT.get(type(source), "record"), source.lines(rows)
    finally:
        source.close()


# --------------------------------------------------------------------------------------------------
# Finding the file


def _find_file(spec: DatasetSpec, data_dir: Path | None, files: Mapping[str, Path] | None,
               problems: list[DataProblem]) -> Path | None:
    if files and spec.name in files:
        path = Path(files[spec.name])
        if not path.is_file():
            problems.append(DataProblem(str(path), None, None,
                                        f"file not found (mapped to dataset {spec.name})"))
            return None
        return path
    if data_dir is None:
        problems.append(DataProblem(spec.name, None, None,
                                    f"no file for dataset {spec.name}: no data directory given "
                                    "and no file mapped to it"))
        return None
    candidates = [Path(data_dir) / f"{spec.name}{ext}" for ext in EXTENSIONS]
    existing = [p for p in candidates if p.is_file()]
    if not existing:
        looked = ", ".join(str(p) for p in candidates)
        problems.append(DataProblem(str(data_dir), None, None,
                                    f"no file for dataset {spec.name}: looked for {looked}"))
        return None
    if len(existing) > 1:
        names = " and ".join(str(p) for p in existing)
        problems.append(DataProblem(str(existing[0]), None, None,
                                    f"more than one file for dataset {spec.name}: {names}; "
                                    "keep only one"))
        return None
    return existing[0]


# --------------------------------------------------------------------------------------------------
# Sources: a file as a SQL relation of raw columns


class _Source:
    """A file seen as a SQL relation; ``problems`` holds what made it unreadable."""

    def __init__(self, con, path: Path, tag: str):
        self.con = con
        self.path = path
        self.file = str(path)
        self.tag = tag
        self.problems: list[DataProblem] = []
        self.header: list[str] = []  # column names as the user wrote them (stripped)
        self.sql_names: list[str] = []  # the same columns as named in the relation
        self.types: list[str] = []  # DuckDB type of each column in the relation
        self.row_expr: str | None = None  # SQL giving each record's 1-based data row, if known

    def relation(self, purpose: str) -> str:
        raise NotImplementedError

    def lasting(self) -> bool:
        """The relation stays readable after the load (the file, not something registered)."""
        return False

    def proven(self, c: "_Col") -> bool:
        """The file itself shows that no value of column ``c`` can be refused (no scan needed)."""
        return False

    def within(self, c: "_Col", low=None, high=None) -> bool:
        """The file itself shows that every typed value of column ``c`` is at least ``low`` and
        at most ``high`` (no scan needed)."""
        return False

    rejected_text: dict[int, str] = {}  # the text of each row the reader could not split

    def after_scan(self, n_rows: int | None, limit: int | None) -> list[DataProblem]:
        """Problems the reader noticed while scanning (CSV rows it could not split), the first
        ``limit`` listed (None: all); ``n_rows``: the rows read (None: a file read in place that
        nothing needed to read)."""
        return []

    def raw_values(self, rows: set[int], cols: list[int]) -> dict[int, list]:
        """{data row: [raw text of each col]} for the given 1-based data rows."""
        raise NotImplementedError

    def lines(self, rows: set[int]) -> dict[int, int]:
        """{data row: the row number to report} (CSV line, sheet row, Parquet record)."""
        return {r: r for r in rows}

    def close(self) -> None:
        pass

    def problem(self, row, column, message) -> None:
        self.problems.append(DataProblem(self.file, row, column, message))


def _open_source(con, path: Path, tag: str) -> _Source:
    suffix = path.suffix.lower()
    if suffix == ".csv":
        src: _Source = _CsvSource(con, path, tag)
    elif suffix == ".parquet":
        src = _ParquetSource(con, path, tag)
    elif suffix == ".xlsx":
        src = _XlsxSource(con, path, tag)
    else:
        src = _Source(con, path, tag)
        src.problem(None, None, f"cannot read {suffix or 'extension-less'} files: "
                                "use .csv, .parquet or .xlsx")
        return src
    src.open()
    return src


class _CsvSource(_Source):
    _n_lines: int | None = None  # physical lines in the file, counted when first needed
    _copy_dir: tempfile.TemporaryDirectory | None = None

    def open(self) -> None:
        self.text_path = self.path  # the UTF-8 file DuckDB and Python's csv module read
        with open(self.path, "rb") as f:
            head = f.read(1 << 16)
        if head.startswith(codecs.BOM_UTF8):
            head = head[len(codecs.BOM_UTF8):]
        try:
            codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
        except UnicodeDecodeError as e:
            # Excel in China saves "CSV" as GBK (GB18030 is its superset): read a UTF-8 copy.
            import tempfile   # only here: importing it is ~5 ms of every run

            self._copy_dir = tempfile.TemporaryDirectory(prefix="kpi-load-")
            copy = Path(self._copy_dir.name) / "utf8.csv"
            bad = decodes(self.path, "gb18030", copy)
            if bad is not None:
                line = head[:e.start].count(b"\n") + 1
                self.problem(line, None, "not UTF-8 text, and the file is not GBK/GB18030 text "
                                         f"either (line {bad} is not); save it as UTF-8, e.g. "
                                         "Excel's 'CSV UTF-8'")
                return
            self.text_path = copy
            head = copy.read_bytes()[:1 << 16]
        if not head.strip():
            self.problem(None, None, "empty file: expected a header line naming the columns")
            return
        if head[:1] in (b"\n", b"\r"):
            self.problem(1, None, "line 1 is empty: the first line must be the header naming the "
                                  "columns")
            return
        with open(self.text_path, encoding="utf-8-sig", errors="replace", newline="") as f:
            header = next(csv.reader(f), [])
        try:
            described = self.con.execute(f"DESCRIBE SELECT * FROM {self.relation('describe')}"
                                         ).fetchall()
        except Exception as e:  # duckdb.Error: the file cannot be split into rows at all
            self._diagnose(e)
            return
        finally:
            self._drop_rejects("describe")
        names = [d[0] for d in described]
        self.header = [h.strip() for h in header]
        if len(names) != len(self.header):  # should not happen; trust DuckDB's names then
            self.header = [n.strip() for n in names]
        self.sql_names = names
        self.types = ["VARCHAR"] * len(names)

    def relation(self, purpose: str) -> str:
        rt, rs = self._rejects_names(purpose)
        return (f"read_csv({lit(str(self.text_path))}, header = true, all_varchar = true, "
                "encoding = 'utf-8', delim = ',', quote = '\"', escape = '\"', skip = 0, "
                "comment = '', null_padding = false, store_rejects = true, "
                f"rejects_table = {lit(rt)}, rejects_scan = {lit(rs)}, "
                f"rejects_limit = {_REJECTS_LIMIT})")

    def _rejects_names(self, purpose: str) -> tuple[str, str]:
        return f"__kpi_rej_{self.tag}_{purpose}", f"__kpi_rejscan_{self.tag}_{purpose}"

    def _drop_rejects(self, purpose: str) -> None:
        for name in self._rejects_names(purpose):
            self.con.execute(f"DROP TABLE IF EXISTS {ident(name)}")

    def close(self) -> None:
        for purpose in ("describe", "stage", "values"):
            self._drop_rejects(purpose)
        if self._copy_dir is not None:
            self._copy_dir.cleanup()

    def _diagnose(self, error: Exception) -> None:
        """DuckDB could not read the file: find the line with Python's csv module, or quote DuckDB."""
        prev = 0
        try:
            with open(self.text_path, encoding="utf-8-sig", errors="replace", newline="") as f, \
                    big_fields():
                reader = csv.reader(f, strict=True)
                for _ in reader:
                    prev = reader.line_num
        except csv.Error as e:
            self.problem(prev + 1, None, f"cannot split this line into CSV values ({e}); values "
                                         "holding commas, quotes or line breaks must be enclosed "
                                         "in double quotes, with inner quotes doubled")
            return
        self.problem(None, None, "cannot be read as a CSV file (comma-separated, UTF-8): "
                                 + first_line(error))

    def after_scan(self, n_rows: int, limit: int | None) -> list[DataProblem]:
        rt, _ = self._rejects_names("stage")
        try:
            # one row per line: DuckDB lists a short line once per missing column
            rejects = self.con.execute(
                "SELECT line, arg_min(column_name, column_idx), arg_min(error_type, column_idx), "
                "arg_min(error_message, column_idx), sum(count(*)) OVER (), "
                "arg_min(csv_line, column_idx) "
                f"FROM {ident(rt)} GROUP BY line ORDER BY line").fetchall()
        except Exception:  # no rejects table: nothing was rejected
            rejects = []
        self._reject_lines = sorted({int(r[0]) for r in rejects})
        self._n_rows = n_rows
        self._limit_hit = bool(rejects) and rejects[0][4] >= _REJECTS_LIMIT
        limit = MAX_PER_COLUMN if limit is None and self._limit_hit else limit
        found = []
        for line, column, kind, message, _, text in rejects[:limit]:
            found.append((int(line), column if kind == "INVALID ENCODING" else None,
                          _reject_message(kind, message), text))
        if not found:
            return []
        physical = self._physical_lines(set(), {f[0] for f in found})[1]
        out = [DataProblem(self.file, physical.get(line, line), col, msg)
               for line, col, msg, _ in found]
        self.rejected_text = {physical.get(f[0], f[0]): f[3] for f in found}
        if len(rejects) > len(found):
            more = "at least " if self._limit_hit else ""
            out.append(DataProblem(self.file, None, None,
                                   f"and {more}{len(rejects) - len(found)} more lines that could "
                                   f"not be read (only the first {len(found)} are listed)"))
        return out

    def raw_values(self, rows: set[int], cols: list[int]) -> dict[int, list]:
        if not rows:
            return {}
        sel = ", ".join(ident(self.sql_names[c]) for c in cols)
        wanted = ", ".join(str(r) for r in sorted(rows))
        sql = (f"SELECT __r, {sel} FROM (SELECT row_number() OVER () AS __r, {sel} "
               f"FROM {self.relation('values')}) WHERE __r IN ({wanted})")
        return {int(r[0]): list(r[1:]) for r in self.con.execute(sql).fetchall()}

    def lines(self, rows: set[int]) -> dict[int, int]:
        return self._physical_lines(rows, set())[0]

    def _physical_lines(self, rows: set[int], reject_lines: set[int]):
        """Map data rows (DuckDB's output order) and DuckDB's record numbers to physical lines.

        DuckDB skips blank lines (unless the file has one column), numbers rejected lines by
        record, and counts a quoted value spanning lines as one. If the file has exactly one line per
        record, the mapping is arithmetic; otherwise Python's csv module walks the file.
        """
        rejected = self._reject_lines
        if self._n_lines is None:
            n_lines, last = 0, b"\n"
            with open(self.text_path, "rb") as f:
                while chunk := f.read(1 << 20):
                    n_lines += chunk.count(b"\n")
                    last = chunk[-1:]
            self._n_lines = n_lines + (last != b"\n")
        if not self._limit_hit and self._n_lines == 1 + self._n_rows + len(rejected):
            # one physical line per record: data row r is the r-th record after the header that
            # DuckDB did not reject
            out, k, i = {}, 1, 0
            for r in sorted(rows):
                k = r + 1 + i
                while i < len(rejected) and rejected[i] <= k:
                    i += 1
                    k += 1
                out[r] = k
            return out, {k: k for k in reject_lines}
        out_rows: dict[int, int] = {}
        out_rejects: dict[int, int] = {}
        rejected_set = set(rejected)
        one_column = len(self.sql_names) == 1
        need = len(rows) + len(reject_lines)
        prev = k = r = 0
        with open(self.text_path, encoding="utf-8-sig", errors="replace", newline="") as f, \
                big_fields():
            reader = csv.reader(f)
            try:
                for rec in reader:
                    start, prev = prev + 1, reader.line_num
                    k += 1
                    if k == 1:
                        continue
                    if k in reject_lines:
                        out_rejects[k] = start
                    if k in rejected_set or (not rec and not one_column):
                        continue
                    r += 1
                    if r in rows:
                        out_rows[r] = start
                    if len(out_rows) + len(out_rejects) >= need:
                        break
            except csv.Error:
                pass
        return out_rows, out_rejects


@contextlib.contextmanager
def big_fields():
    """Let Python's csv module read values as long as DuckDB's (it stops at 128 KiB by default)."""
    old = csv.field_size_limit(1 << 30)
    try:
        yield
    finally:
        csv.field_size_limit(old)


def decodes(path: Path, encoding: str, copy: Path | None = None) -> int | None:
    """None if the whole file decodes with ``encoding`` (written to ``copy`` as UTF-8 if given);
    else the line where it fails. Chunks end at line ends, which no multi-byte character of UTF-8
    or GB18030 contains."""
    line = 1
    with open(path, "rb") as f, \
            (open(copy, "w", encoding="utf-8", newline="") if copy else contextlib.nullcontext()) \
            as out:
        while chunk := f.read(1 << 20):
            chunk += f.readline()
            try:
                text = chunk.decode(encoding)
            except UnicodeDecodeError as e:
                return line + chunk.count(b"\n", 0, e.start)
            if out is not None:
                out.write(text)
            line += chunk.count(b"\n")
    return None


def _reject_message(kind: str, message: str) -> str:
    m = re.search(r"Expected Number of Columns: (\d+) Found: (\d+)", message or "")
    if kind in ("MISSING COLUMNS", "TOO MANY COLUMNS") and m:
        return f"expected {m.group(1)} values like the header, found {m.group(2)}"
    if kind == "INVALID ENCODING":
        return "not valid UTF-8 text; save the file as UTF-8, e.g. Excel's 'CSV UTF-8'"
    if kind == "UNQUOTED VALUE":
        return ("a quote inside a value that is not enclosed in quotes; enclose the value in "
                "double quotes and double the inner quotes")
    return f"cannot read this line ({(message or kind).strip()})"


class _ColumnStats(NamedTuple):
    """What the row groups' statistics of a Parquet file say about one of its columns."""

    nulls: int | None = None  # nulls in all; None when a row group does not say
    # every value starts with a printable ASCII character other than a space, so trim() leaves it
    # non-empty: each row group's exact min and max do, and values sort bytewise between them
    printable: bool = False
    # {field type: (least, greatest)}: the row groups' min and max typed as a field of that type
    # that takes the column as it is (see ``_ranged_kind``); absent when a row group does not say
    bounds: Mapping[str, tuple] = MappingProxyType({})


class _ParquetSource(_Source):
    _stats: dict[str, _ColumnStats] | None = None

    def open(self) -> None:
        try:
            described = self.con.execute(f"DESCRIBE SELECT * FROM {self.relation('')}").fetchall()
        except Exception as e:  # duckdb.Error
            self.problem(None, None, f"cannot be read as a Parquet file: {first_line(e)}")
            return
        described = [d for d in described if d[0] != "file_row_number"]
        self.sql_names = [d[0] for d in described]
        self.header = [n.strip() for n in self.sql_names]
        self.types = [d[1] for d in described]
        self.row_expr = "file_row_number + 1"

    def stats(self) -> dict[str, _ColumnStats]:
        """{column: what the row groups' statistics say about it}, read when first asked. (Not a
        functools.cached_property: before Python 3.12 its lock is one for all instances, and the
        files' checks run side by side.)"""
        if self._stats is None:
            self._stats = self._read_stats()
        return self._stats

    def _read_stats(self) -> dict[str, _ColumnStats]:
        # One statement: reading the footer's statistics costs ~7 ms at 82 row groups, and a
        # statement per column and question cost 1-3 ms each. The min and max are typed only as
        # the field types whose range ``within`` can check on some column of this file.
        kinds = sorted({kind for kind in map(_ranged_kind, (t.upper() for t in self.types)) if kind})
        all_nulls = "CASE WHEN count(*) = count(stats_null_count) THEN sum(stats_null_count) END"
        all_printable = ("count(*) = count_if(min_is_exact AND max_is_exact "
                         "AND ascii(stats_min_value) BETWEEN 33 AND 126 "
                         "AND ascii(stats_max_value) BETWEEN 33 AND 126)")
        bounds = []
        for kind in kinds:
            least, greatest = (_typed_stat(kind, f"stats_{m}_value") for m in ("min", "max"))
            bounds.append(f"CASE WHEN count(*) = count({least}) AND count(*) = count({greatest}) "
                          f"THEN [min({least}), max({greatest})] END")
        rows = self.con.execute(
            f"SELECT path_in_schema, {', '.join([all_nulls, all_printable] + bounds)} "
            f"FROM parquet_metadata({lit(str(self.path))}) GROUP BY path_in_schema").fetchall()
        return {path: _ColumnStats(nulls, printable,
                                   {kind: tuple(b) for kind, b in zip(kinds, typed) if b is not None})
                for path, nulls, printable, *typed in rows}

    def _column_stats(self, c: "_Col") -> _ColumnStats:
        # a nested column's statistics are its leaves': nothing is known of it as a whole
        return self.stats().get(self.sql_names[c.index], _ColumnStats())

    def relation(self, purpose: str) -> str:
        return f"read_parquet({lit(str(self.path))}, file_row_number = true)"

    def lasting(self) -> bool:
        return True

    def proven(self, c: "_Col") -> bool:
        # No nulls unless the field is nullable, and a typing that cannot fail: a typed column's
        # own, or text none of whose values is blank (at 10M person ids, trimming each cost 40 ms).
        stats = self._column_stats(c)
        if not (c.nullable or stats.nulls == 0):
            return False
        native = self.types[c.index].upper()
        if c.type == "text" and native == "VARCHAR":
            return stats.printable
        return _cannot_fail(native, c.type)

    def within(self, c: "_Col", low=None, high=None) -> bool:
        # The row groups' min and max, where the typed value is the file's own (a number, a
        # time): at 10M records the range checks were a scan of their columns each.
        if _ranged_kind(self.types[c.index].upper()) != c.type:
            return False
        bounds = self._column_stats(c).bounds.get(c.type)
        return (bounds is not None and (low is None or bounds[0] >= low)
                and (high is None or bounds[1] <= high))

    def raw_values(self, rows: set[int], cols: list[int]) -> dict[int, list]:
        if not rows:
            return {}
        sel = ", ".join(f"CAST({ident(self.sql_names[c])} AS VARCHAR)" for c in cols)
        wanted = ", ".join(str(r) for r in sorted(rows))
        sql = (f"SELECT file_row_number + 1, {sel} FROM read_parquet({lit(str(self.path))}, "
               f"file_row_number = true) WHERE file_row_number + 1 IN ({wanted})")
        return {int(r[0]): list(r[1:]) for r in self.con.execute(sql).fetchall()}


class _XlsxSource(_Source):
    """First sheet, first row is the header; registered as an Arrow table of strings."""

    def open(self) -> None:
        import duckdb  # noqa: F401 (sets up the scanning of Arrow tables; see .database)
        import openpyxl
        import pyarrow as pa

        try:
            wb = openpyxl.load_workbook(self.path, read_only=True, data_only=True)
        except Exception as e:  # zipfile.BadZipFile, InvalidFileException, KeyError...
            self.problem(None, None, f"cannot be read as an Excel .xlsx workbook: {e}")
            return
        try:
            ws = wb.worksheets[0]
            ws.reset_dimensions()  # some writers record wrong dimensions; read every cell there is
            rows = ws.iter_rows(values_only=True)
            header = next(rows, None)
            if header is None or all(cell_text(v) is None for v in header):
                self.problem(None, None, "empty sheet: expected a header row naming the columns "
                                         "in row 1 of the first sheet")
                return
            self.header = [(cell_text(v) or "").strip() for v in header]
            width = len(self.header)
            columns: list[list] = [[] for _ in range(width)]
            self._sheet_rows: list[int] = []
            for number, row in enumerate(rows, start=2):
                cells = [cell_text(v) for v in row]
                if all(c is None or not c.strip() for c in cells):
                    continue  # a blank row holds no record
                cells = (cells + [None] * width)[:width]
                for j in range(width):
                    columns[j].append(cells[j])
                self._sheet_rows.append(number)
        finally:
            wb.close()
        self._columns = columns
        self.sql_names = [f"c{j}" for j in range(width)]
        self.types = ["VARCHAR"] * width
        self._view = f"__kpi_xlsx_{self.tag}"
        table = pa.table({"__row": pa.array(range(1, len(self._sheet_rows) + 1), pa.int64()),
                          **{name: pa.array(col, pa.string())
                             for name, col in zip(self.sql_names, columns)}})
        self.row_expr = "__row"
        self.con.register(self._view, table)
        self._registered = True

    def relation(self, purpose: str) -> str:
        return ident(self._view)

    def raw_values(self, rows: set[int], cols: list[int]) -> dict[int, list]:
        return {r: [self._columns[c][r - 1] for c in cols] for r in rows}

    def lines(self, rows: set[int]) -> dict[int, int]:
        return {r: self._sheet_rows[r - 1] for r in rows}

    def close(self) -> None:
        if getattr(self, "_registered", False):
            self.con.unregister(self._view)


#: How each kind of file numbers its rows in messages.
_UNIT = {_CsvSource: "line", _XlsxSource: "row"}


def seconds_text(span: _dt.timedelta) -> str:
    """A [h]:mm:ss cell as seconds, exactly (durations load as seconds)."""
    seconds = Decimal(span.days * 86400 + span.seconds) + Decimal(span.microseconds) / 1000000
    return format(seconds.normalize(), "f")


def cell_text(v, span_text=seconds_text) -> str | None:
    """An XLSX cell as the text a CSV would hold; `span_text` writes a time-span cell."""
    if v is None:
        return None
    if isinstance(v, str):
        return v
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        return str(int(v)) if v.is_integer() and abs(v) < 1e15 else repr(v)
    if isinstance(v, _dt.datetime):
        if v.time() == _dt.time(0):
            return v.date().isoformat()
        return v.isoformat(sep="T")
    if isinstance(v, (_dt.date, _dt.time)):
        return v.isoformat()
    if isinstance(v, _dt.timedelta):
        return span_text(v)
    return str(v)


# --------------------------------------------------------------------------------------------------
# Typing and validation


@dataclass
class _Col:
    """One column to load: the person id, the time, or a declared field."""

    role: str  # "person", "at" or "field"
    name: str  # the column name in the file
    type: str  # a field type; "datetime" for the time column, "text" for the person id
    nullable: bool
    out: str  # name in the staging table
    index: int | None = None  # position in the source, None when missing
    flag: str | None = None  # staging column flagging unreadable non-empty cells (nullable fields)


def _load_one(con, spec: DatasetSpec, source: _Source, stage: str, create: bool,
              quarantine: list[SetAside] | None, now: _dt.datetime) -> list[DataProblem]:
    if source.problems:
        return source.problems
    cols = [_Col("person", spec.person, "text", False, "__pid")]
    if spec.at is not None:
        cols.append(_Col("at", spec.at, "datetime", False, "__at"))
    for j, f in enumerate(spec.fields):
        if f.type not in SQL_TYPES:
            raise ValueError(f"dataset {spec.name}: field {f.name} has unknown type {f.type!r}")
        cols.append(_Col("field", f.name, f.type, f.nullable, f.name))

    problems: list[DataProblem] = []
    positions: dict[str, list[int]] = {}
    for i, h in enumerate(source.header):
        positions.setdefault(h, []).append(i)
    found = ", ".join(h for h in source.header if h) or "(no column names)"
    for c in cols:
        at = positions.get(c.name)
        if not at:
            what = {"person": f"the person column (`by {c.name}`) of dataset {spec.name}",
                    "at": f"the time column (`at {c.name}`) of dataset {spec.name}",
                    "field": f"a declared field of dataset {spec.name}"}[c.role]
            problems.append(DataProblem(source.file, None, c.name,
                                        f"missing column {c.name!r}, {what}; the columns found are: "
                                        f"{found}"))
        elif len(at) > 1:
            places = " and ".join(str(i + 1) for i in at)
            problems.append(DataProblem(source.file, None, c.name,
                                        f"the header names column {c.name!r} more than once "
                                        f"(columns {places})"))
        else:
            c.index = at[0]

    # The staging table holds the typed values plus one flag per nullable typed field (a non-empty
    # cell that did not convert). When the source knows its row numbers (Parquet, XLSX) it is built
    # directly as the dataset's table and the flags are dropped afterwards; a CSV's row numbers are
    # the staging table's rowids, copied into the dataset's table once the data is accepted.
    direct = source.row_expr is not None and create and not problems
    table = spec.name if direct else stage
    # A Parquet dataset is a VIEW over the file rather than a copy: the file already holds typed
    # columns, and at 10M records copying them cost more than the scoring query. The checks below
    # run the same, as queries over the file; the view is made once the data is accepted.
    as_view = direct and source.lasting()
    present = [c for c in cols if c.index is not None]
    inner, values, flags = [], [], []  # inner: typed values (and emptiness) from the file
    if source.row_expr is not None:
        inner.append(f"CAST({source.row_expr} AS BIGINT) AS __row")
        values.append("__row")
    for j, c in enumerate(present):
        raw = ident(source.sql_names[c.index])
        typed, nonempty = _typed(raw, source.types[c.index].upper(), c.type)
        inner.append(f"{typed} AS {ident(c.out)}")
        values.append(ident(c.out))
        if c.role == "person" and as_view:
            inner.append(f"{raw} AS {RAW_PERSON}")
            values.append(RAW_PERSON)
        if c.nullable and c.type != "text":
            c.flag = f"__kpi_bad_{j}"
            inner.append(f"{nonempty} AS __kpi_set_{j}")
            flags.append(f"({ident(c.out)} IS NULL AND __kpi_set_{j}) AS {c.flag}")
    inner = inner or ["NULL AS __nothing"]
    values = values or ["__nothing"]
    outer = values + flags  # the values and their bad flags
    typed_rows = f"SELECT {', '.join(inner)} FROM {source.relation('stage')}"
    checked_rows = f"SELECT {', '.join(outer)} FROM ({typed_rows})"

    if as_view:
        staged = f"({checked_rows})"
    else:
        try:
            kind = "TABLE" if direct else "TEMP TABLE"
            con.execute(f"CREATE {kind} {ident(table)} AS {checked_rows}")
        except Exception as e:  # duckdb.Error raised while reading the whole file
            if isinstance(source, _CsvSource):
                source._diagnose(e)
            else:
                source.problem(None, None, f"cannot be read: {first_line(e)}")
            return problems + source.problems
        staged = ident(table)
    keep = as_view  # until the data is accepted there is no view to drop
    try:
        row = "__row" if source.row_expr is not None else "rowid + 1"
        limit = None if quarantine is not None else MAX_PER_COLUMN
        try:
            found = _validate(con, spec, source, staged, row, cols, present, limit, now)
        except Exception as e:  # duckdb.Error: a view reads the file only now
            if not as_view:
                raise
            source.problem(None, None, f"cannot be read: {first_line(e)}")
            return problems + source.problems
        rejected = [(f.row, f.problem) for f in found if quarantine is not None and f.of_record]
        problems += [f.problem for f in found if quarantine is None or not f.of_record]
        if not problems and create:
            if rejected:  # lines the reader could not split are not in the table: only reported
                quarantine.extend(_set_aside(source, rejected))
            left_out = sorted({r for r, _ in rejected if r is not None})
            if as_view:
                kept = f" WHERE __row NOT IN ({_numbers(left_out)})" if left_out else ""
                con.execute(f"CREATE VIEW {ident(table)} AS SELECT {', '.join(values)} "
                            f"FROM ({typed_rows}){kept}")
            elif direct:
                for c in present:
                    if c.flag:
                        con.execute(f"ALTER TABLE {ident(table)} DROP COLUMN {c.flag}")
                if left_out:
                    con.execute(f"DELETE FROM {ident(table)} WHERE __row IN ({_numbers(left_out)})")
            else:
                outs = [f"CAST({row} AS BIGINT) AS __row"] + [ident(c.out) for c in cols]
                kept = f" WHERE {row} NOT IN ({_numbers(left_out)})" if left_out else ""
                con.execute(f"CREATE TABLE {ident(spec.name)} AS SELECT {', '.join(outs)} "
                            f"FROM {ident(table)}{kept}")
            keep = direct
        return problems
    finally:
        if not keep:
            _drop(con, table)


def _drop(con, name: str) -> None:
    """Drop the dataset's table or view, if there is one."""
    kinds = con.execute("SELECT table_type FROM information_schema.tables WHERE table_name = ?",
                        [name]).fetchall()
    for (kind,) in kinds:
        con.execute(f"DROP {'VIEW' if kind == 'VIEW' else 'TABLE'} IF EXISTS {ident(name)}")


#: A dataset read in place (a Parquet file, see ``reads_in_place``) also gives each record's
#: person as the file has it, untrimmed: grouping 10M records by it and the few thousand groups by
#: ``text_value`` of it costs less than trimming each record's (see execute.engine.by_raw_person).
RAW_PERSON = "__raw_pid"


def reads_in_place(path: Path) -> bool:
    """The dataset of this file is a view over it (with ``RAW_PERSON``), not a copy."""
    return path.suffix.lower() == ".parquet"


def text_value(text: str) -> str:
    """SQL giving a cell's value from its text (SQL of a VARCHAR): trimmed, NULL when blank. The
    person id of any person column is the value of its text (``CAST(raw AS VARCHAR)``)."""
    # trim() drops spaces, including no-break and ideographic ones (trim with an explicit set of
    # characters is about three times slower on 10M rows)
    return f"nullif(trim({text}), '')"


def _typed(raw: str, native: str, kind: str) -> tuple[str, str]:
    """(SQL typing the raw column as ``kind``, SQL true when the raw cell is not empty)."""
    if native == "VARCHAR":
        s = text_value(raw)
        nonempty = f"{s} IS NOT NULL"
    else:  # a typed Parquet column
        nonempty = f"{raw} IS NOT NULL"
        base = native.split("(")[0]
        if kind in ("number", "money", "duration") and _exact_number(native):
            return f"TRY_CAST({raw} AS {_narrowest_decimal(native, kind)})", nonempty
        if kind == "bool" and base == "BOOLEAN":
            return raw, nonempty
        if kind == "bool" and base in _INTEGER_TYPES:
            return f"CASE {raw} WHEN 1 THEN true WHEN 0 THEN false END", nonempty
        if kind == "datetime" and base in _TIME_TYPES:
            return f"CAST({raw} AS TIMESTAMP)", nonempty
        if kind == "date" and base == "DATE":
            return raw, nonempty
        # anything else (DOUBLE, TIMESTAMP WITH TIME ZONE, ...) goes through its text
        s = text_value(f"CAST({raw} AS VARCHAR)")
    if kind == "text":
        return s, nonempty
    if kind in ("number", "money", "duration"):
        # DuckDB accepts digit separators ('1_000'); a data file should not.
        return f"CASE WHEN strpos({s}, '_') = 0 THEN TRY_CAST({s} AS {SQL_TYPES[kind]}) END", nonempty
    if kind == "bool":
        return (f"CASE lower({s}) WHEN 'true' THEN true WHEN '1' THEN true "
                f"WHEN 'false' THEN false WHEN '0' THEN false END"), nonempty
    if kind == "datetime":
        return (f"coalesce(try_strptime({s}, {lit_list(_DATETIME_FORMATS)}), "
                f"{_excel_serial(s, _EXCEL_SERIAL)})"), nonempty
    if kind == "date":
        return (f"CAST(coalesce(try_strptime({s}, {lit_list(_DATE_FORMATS)}), "
                f"{_excel_serial(s, _EXCEL_DAY)}) AS DATE)"), nonempty
    raise ValueError(kind)


#: Parquet column types a datetime field takes as they are (cast to TIMESTAMP).
_TIME_TYPES = {"TIMESTAMP", "DATE", "TIMESTAMP_S", "TIMESTAMP_MS", "TIMESTAMP_NS"}

# Excel writes a date it does not recognise as such as its serial number: days since 1899-12-30,
# the fraction a time of day. Five digits cover 1927..2173; a date takes whole days only.
_EXCEL_SERIAL = r"\d{5}(\.\d{1,18})?"
_EXCEL_DAY = r"\d{5}"


def _excel_serial(s: str, pattern: str) -> str:
    """SQL: the text ``s`` read as an Excel serial date, to the nearest second (NULL if it is not)."""
    seconds = f"CAST(round(CAST({s} AS DECIMAL(38,18)) * 86400, 0) AS BIGINT)"
    return (f"CASE WHEN regexp_full_match({s}, {lit(pattern)}) "
            f"THEN TIMESTAMP '1899-12-30' + to_seconds({seconds}) END")


#: Integer digits of a value of each Parquet integer type (a DECIMAL's are its precision - scale).
_INTEGER_DIGITS = {"TINYINT": 3, "UTINYINT": 3, "SMALLINT": 5, "USMALLINT": 5, "INTEGER": 10, "UINTEGER": 10,
                   "BIGINT": 19, "UBIGINT": 20, "HUGEINT": 39, "UHUGEINT": 39}
_INTEGER_TYPES = set(_INTEGER_DIGITS)


def _exact_number(native: str) -> bool:
    """A Parquet integer or decimal column (read as a number field as it is)."""
    return native.startswith("DECIMAL(") or native in _INTEGER_TYPES


def _integer_digits(native: str) -> int:
    if native.startswith("DECIMAL("):
        precision, own_scale = (int(x) for x in native[len("DECIMAL("):-1].split(","))
        return precision - own_scale
    return _INTEGER_DIGITS[native.split("(")[0]]


def _scale(kind: str) -> int:
    return int(SQL_TYPES[kind].split(",")[1].rstrip(")"))


def _narrowest_decimal(native: str, kind: str) -> str:
    """The field's DECIMAL at its scale, 18 digits wide (a 64-bit integer to DuckDB) when the file's
    own type proves every value fits, else 38 (128-bit): summing and comparing 10M records'
    64-bit decimals is ~15% faster. The plan reads either alike (same scale; its aggregates are
    cast to 38 digits per person)."""
    return f"DECIMAL({18 if _integer_digits(native) + _scale(kind) <= 18 else 38},{_scale(kind)})"


def _ranged_kind(native: str) -> str | None:
    """The field type that takes a Parquet column of this type as it is and has its range checked
    (a duration from a number, a datetime from a time), if any."""
    if _exact_number(native):
        return "duration"
    base = native.split("(")[0]
    return "datetime" if base in _TIME_TYPES else None


def _typed_stat(kind: str, text: str) -> str:
    """SQL: a row group's min or max (``text``) typed as field type ``kind`` types the column's own
    values. A time goes through TIMESTAMP_NS, which rounds to TIMESTAMP as ``_typed`` does (from
    text a fraction is cut instead); out of its range (1677-2262) it is NULL, i.e. not known."""
    if kind == "datetime":
        return f"TRY_CAST(TRY_CAST({text} AS TIMESTAMP_NS) AS {SQL_TYPES[kind]})"
    return f"TRY_CAST({text} AS {SQL_TYPES[kind]})"


def _cannot_fail(native: str, kind: str) -> bool:
    """Typing a non-null value of this Parquet type as ``kind`` (see ``_typed``) always succeeds."""
    base = native.split("(")[0]
    if kind in ("number", "money", "duration"):
        return _exact_number(native) and _integer_digits(native) + _scale(kind) <= 38
    return ((kind == "bool" and base == "BOOLEAN") or (kind == "date" and base == "DATE")
            or (kind == "datetime" and base in _TIME_TYPES))


def _bad(c: _Col) -> str | None:
    """SQL over the staging table: this row has a problem in column ``c`` (None: cannot fail)."""
    if c.flag is not None:
        return ident(c.flag)
    if c.nullable:
        return None  # nullable text
    return f"{ident(c.out)} IS NULL"


class _Check(NamedTuple):
    """One way a record can be wrong in one column."""

    col: _Col
    pred: str  # SQL over the staging table: the row fails
    message: Callable[[object], str]  # the raw cell -> what is wrong with it


def _checks(source: _Source, present: list[_Col], now: _dt.datetime) -> list[_Check]:
    checks = []
    latest = now + FUTURE_SLACK
    for c in present:
        bad = _bad(c)
        if bad is not None and not source.proven(c):
            checks.append(_Check(c, bad, lambda value, c=c: _cell_message(c, value)))
        if c.type == "duration" and not source.within(c, low=0):
            checks.append(_Check(c, f"{ident(c.out)} < 0", _negative_duration))
        if c.role == "at" and not source.within(c, high=latest):
            checks.append(_Check(c, f"__at > {lit(latest.isoformat(sep=' '))}::TIMESTAMP",
                                 lambda value, t=now: _future(value, t)))
    return checks


def _negative_duration(value) -> str:
    return f"a negative duration ({value!r}): a duration is 0 seconds or more"


def _future(value, now: _dt.datetime) -> str:
    return (f"the time {value!r} is in the future: more than a year after this run started "
            f"({now.date().isoformat()}); is the year mistyped?")


def _unique(spec: DatasetSpec, cols: list[_Col]) -> list[_Col]:
    """Columns no two rows may share: the person id of a dataset without `at` (the roster), the
    declared key."""
    unique = [cols[0]] if spec.at is None else []
    unique += [c for c in cols if c.role == "field" and c.name == spec.key]
    return [c for c in unique if c.index is not None]


class _Found(NamedTuple):
    problem: DataProblem
    of_record: bool  # one record is wrong (it could be set aside), not the whole file
    row: int | None = None  # the record's data row; None for a line the reader could not split


def _validate(con, spec, source, staged, row, cols, present, limit, now) -> list[_Found]:
    """Every problem, in order; ``staged``: the typed rows and their bad flags (a table, or a
    query over a file read in place); ``limit``: records listed per check (None: every one)."""
    checks = _checks(source, present, now)
    unique = _unique(spec, cols)
    # One scan counts each check's failing rows and each unique column's surplus copies; a file
    # read in place whose statistics settled every check and that has no unique column is not
    # read at all (its rows are not counted: only a reader's own problems need the count).
    counted = ([f"count_if({k.pred})" for k in checks]
               + [f"count({ident(c.out)}) - count(DISTINCT {ident(c.out)})" for c in unique])
    n_rows, counts, surplus = None, [0] * len(checks), [0] * len(unique)
    if counted or not source.lasting():
        n_rows, *counts = con.execute(
            f"SELECT {', '.join(['count(*)'] + counted)} FROM {staged}").fetchall()[0]
        counts, surplus = counts[:len(checks)], counts[len(checks):]
    top = "" if limit is None else f"LIMIT {limit}"
    # "and N more lines ..." (row None) sums up lines not listed
    found = [_Found(p, p.row is not None) for p in source.after_scan(n_rows, limit)]

    # rows to look at: (check, data rows) for failing checks, the first `limit` each
    failing: list[tuple[_Check, list[int], int]] = []
    for k, n in zip(checks, counts):
        if n:
            rows = [r for (r,) in con.execute(
                f"SELECT {row} AS r FROM {staged} WHERE {k.pred} ORDER BY r {top}"
            ).fetchall()]
            failing.append((k, rows, n))

    duplicates = []  # (column, value, data rows, groups in all)
    for c in (c for c, n in zip(unique, surplus) if n):
        duplicates += [(c, *found) for found in con.execute(
            f"SELECT {ident(c.out)}, list({row} ORDER BY {row}), count(*) OVER () "
            f"FROM {staged} WHERE {ident(c.out)} IS NOT NULL GROUP BY {ident(c.out)} "
            f"HAVING count(*) > 1 ORDER BY min({row}) {top}").fetchall()]

    if failing or duplicates:
        all_rows = {r for _, rows, _ in failing for r in rows}
        all_rows |= {r for _, _, rows, _ in duplicates for r in rows}
        lines = source.lines(all_rows)
        raw_cols = sorted({k.col.index for k, _, _ in failing})
        raw = source.raw_values({r for _, rows, _ in failing for r in rows}, raw_cols)
        for k, rows, n in failing:
            j = raw_cols.index(k.col.index)
            for r in rows:
                value = raw.get(r, [None] * len(raw_cols))[j]
                found.append(_Found(DataProblem(source.file, lines.get(r, r), k.col.name,
                                                k.message(value)), True, r))
            if n > len(rows):
                found.append(_Found(DataProblem(
                    source.file, None, k.col.name, f"and {n - len(rows)} more rows with a problem "
                    f"in this column (only the first {len(rows)} are listed)"), False))
        unit = _UNIT.get(type(source), "record")
        for c, value, rows, _ in duplicates:
            where = [lines.get(r, r) for r in rows]
            if len(where) == 2 and limit is not None:  # named on the second copy only
                seen = f"is also on {unit} {where[0]}"
            else:
                seen = (f"appears {len(where)} times, on {unit}s "
                        + ", ".join(str(w) for w in where[:-1]) + f" and {where[-1]}")
            if c.role == "person":
                message = (f"person id {value!r} {seen}; dataset {spec.name} has no `at` time, so "
                           "it needs exactly one row per person")
            else:
                message = (f"{c.name} {value!r} {seen}; {c.name} is the key of dataset "
                           f"{spec.name}, so no two records may share it")
            # refused: named once, on its second row; set aside: every copy (which one is right?)
            copies = zip(rows, where) if limit is None else [(rows[1], where[1])]
            for r, w in copies:
                found.append(_Found(DataProblem(source.file, w, c.name, message), True, r))
        for c in {d[0].name: d[0] for d in duplicates}.values():
            groups = next(d[3] for d in duplicates if d[0] is c)
            shown = sum(1 for d in duplicates if d[0] is c)
            if groups > shown:
                found.append(_Found(DataProblem(
                    source.file, None, c.name, f"and {groups - shown} more duplicated values "
                    f"(only the first {shown} are listed)"), False))
    return found


def _set_aside(source: _Source, rejected: list[tuple[int | None, DataProblem]]) -> list[SetAside]:
    """The rejected records with their values as the file holds them."""
    rows = {r for r, _ in rejected if r is not None}
    values = source.raw_values(rows, list(range(len(source.header))))
    out = []
    for r, problem in sorted(rejected, key=lambda x: (x[1].row or 0, x[1].column or "")):
        if r is None:  # a line that could not be split: keep its text
            record = source.rejected_text.get(problem.row, "")
        else:
            record = _csv_line(values.get(r, []))
        out.append(SetAside(problem, record))
    return out


def _csv_line(values: Sequence) -> str:
    text = io.StringIO()
    csv.writer(text, lineterminator="").writerow(["" if v is None else v for v in values])
    return text.getvalue()


def _numbers(values: Sequence[int]) -> str:
    return ", ".join(str(int(v)) for v in values)


def _cell_message(c: _Col, value) -> str:
    empty = value is None or not str(value).strip()
    if c.role == "person":
        if empty:
            return f"empty person id ({c.name} is the dataset's `by` column; every record needs one)"
        return f"unreadable person id {value!r}"  # not reached: any text is an id
    if c.role == "at":
        if empty:
            return f"empty time ({c.name} is the dataset's `at` column; every record needs one)"
        return f"expected {_EXPECTED_AT}, found {value!r}"
    if empty and not c.nullable:
        return f"empty, but {c.name} is not declared nullable (add ? to its type)"
    if c.type in ("number", "money", "duration") and _WITH_UNIT.fullmatch(str(value)):
        return (f"expected {_EXPECTED[c.type]}, found {value!r}: a unit in the cell (the column "
                "must hold plain numbers in one unit; `kpi import` converts an export that mixes "
                "units like 3分12秒 or 1,234.50元)")
    return f"expected {_EXPECTED[c.type]}, found {value!r}"


# --------------------------------------------------------------------------------------------------
# SQL text helpers








