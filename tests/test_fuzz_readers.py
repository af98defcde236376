"""Fuzzing the data readers: CSV bytes, XLSX workbooks, Parquet files and the export adapters, made
by hypothesis. The only outcomes allowed are a result or a user-facing error (``DataError``, each
problem naming a file and saying what is wrong): never a crash, never a table left behind.

CI-sized: ``FUZZ_EXAMPLES`` examples per reader (the whole file runs in well under a minute);
``KPI_FUZZ_EXAMPLES=2000 KPI_FUZZ_RANDOM=1`` hunts longer."""

import datetime as dt
import os
from decimal import Decimal

import duckdb
import openpyxl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, assume, given, settings, strategies as st

from kpi_engine.adapt import convert_export
from kpi_engine.execute.load import DataError, DatasetSpec, FieldSpec, load_datasets
from kpi_engine.library import Adapter, ExportColumn

FUZZ_EXAMPLES = int(os.environ.get("KPI_FUZZ_EXAMPLES", "80"))
# CI runs the same examples every time; KPI_FUZZ_RANDOM=1 explores new ones (for a longer hunt)
fuzz = settings(max_examples=FUZZ_EXAMPLES, deadline=None,
                derandomize=not os.environ.get("KPI_FUZZ_RANDOM"),
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])

TICKETS = DatasetSpec("tickets", "agent_id", "opened_at", (
    FieldSpec("ticket_id", "text", False),
    FieldSpec("wait", "duration", False),
    FieldSpec("ok", "bool", True),
    FieldSpec("score", "number", True),
    FieldSpec("fee", "money", True),
    FieldSpec("due", "date", True),
    FieldSpec("closed", "datetime", True),
), key="ticket_id")
STAFF = DatasetSpec("staff", "employee_id", None, (FieldSpec("name", "text", False),))
HEADER = ["agent_id", "opened_at", "ticket_id", "wait", "ok", "score", "fee", "due", "closed"]

# Cells that reach every path of the typing: good values, near misses, units, Excel serials,
# huge and odd numbers, quotes, separators and line breaks, other encodings' bytes.
CELLS = st.sampled_from([
    "", " ", "E01", "E02", "张三", "T1", "T2", "30", "-5", "0", "1.5", "1e3", "1e999", "inf", "NaN",
    "99999999999999999999999999999999999999", "0.00000000001", "1_000", "1,234", "3分", "2min",
    "true", "false", "1", "是", "2026-10-01", "2026-10-01T09:00:00", "2026-10-01 09:00", "2026-02-30",
    "2999-01-01", "46296", "46296.5", "00046", "99999.99999", "10/01/2026", '"', '""', ",", "\n",
    "\r\n", "=1+1", "\u3000", "\ufeff", "\x00", "\t", "a\"b", "¥12", "12元",
])


def csv_cell(value: str) -> str:
    return '"' + value.replace('"', '""') + '"' if any(c in value for c in ',"\r\n') else value


@st.composite
def csv_bytes(draw) -> bytes:
    header = draw(st.one_of(
        st.just(HEADER), st.permutations(HEADER), st.lists(st.sampled_from(HEADER + ["extra", ""]),
                                                            max_size=10)))
    width = len(header)
    rows = draw(st.lists(st.lists(CELLS, min_size=max(0, width - 1), max_size=width + 1),
                         max_size=8))
    quote = draw(st.booleans())
    lines = [",".join(header)] + [",".join(csv_cell(c) if quote else c for c in r) for r in rows]
    newline = draw(st.sampled_from(["\n", "\r\n", "\r"]))
    text = newline.join(lines) + draw(st.sampled_from(["", newline]))
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "gbk", "gb18030", "utf-16"]))
    data = text.encode(encoding, errors="replace")
    if draw(st.booleans()):  # damage: bytes cut out or dropped in anywhere
        at = draw(st.integers(0, len(data)))
        data = data[:at] + draw(st.binary(max_size=6)) + data[at + draw(st.integers(0, 4)):]
    return data


def assert_result_or_user_error(con, specs, folder, quarantine=None) -> None:
    """The property: tables for every dataset, or a DataError naming files, and nothing left."""
    try:
        load_datasets(con, specs, folder, quarantine=quarantine)
    except DataError as error:
        assert error.problems, "a DataError lists its problems"
        for p in error.problems:
            assert p.file and p.message.strip(), p
            assert p.row is None or p.row >= 1, p
        assert con.execute("SHOW TABLES").fetchall() == []
        return
    tables = sorted(r[0] for r in con.execute("SHOW TABLES").fetchall())
    assert tables == sorted(s.name for s in specs)
    for s in specs:  # every loaded record has its person (and time)
        assert con.execute(f'SELECT count(*) FROM "{s.name}" WHERE __pid IS NULL').fetchall() == [(0,)]
    for aside in quarantine or []:
        assert aside.problem.row is not None and aside.problem.message.strip()


@pytest.fixture
def folder(tmp_path_factory):
    return tmp_path_factory.mktemp("fuzz")


@fuzz
@given(data=csv_bytes(), quarantine=st.booleans())
def test_csv_bytes(folder, data, quarantine):
    (folder / "tickets.csv").write_bytes(data)
    assert_result_or_user_error(duckdb.connect(), [TICKETS], folder, [] if quarantine else None)


@fuzz
@given(data=st.binary(max_size=300))
def test_csv_raw_bytes(folder, data):
    (folder / "staff.csv").write_bytes(data)
    assert_result_or_user_error(duckdb.connect(), [STAFF], folder)


XLSX_CELLS = st.one_of(
    st.none(), CELLS.filter(lambda s: not s.startswith("=")),
    st.integers(-10**20, 10**20), st.floats(allow_nan=False, allow_infinity=False),
    st.booleans(), st.decimals(allow_nan=False, allow_infinity=False, places=4),
    st.datetimes(min_value=dt.datetime(1900, 3, 1), max_value=dt.datetime(9999, 12, 31)),
    st.dates(min_value=dt.date(1900, 3, 1)), st.times(),
    st.timedeltas(min_value=dt.timedelta(0), max_value=dt.timedelta(days=9999)),
)


@fuzz
@given(header=st.one_of(st.just(HEADER), st.lists(st.sampled_from(HEADER + [None, 1, "x"]),
                                                   max_size=10)),
       rows=st.lists(st.lists(XLSX_CELLS, max_size=10), max_size=6), quarantine=st.booleans())
def test_xlsx(folder, header, rows, quarantine):
    wb = openpyxl.Workbook()
    try:
        for row in [header, *rows]:
            wb.active.append(row)
        wb.save(folder / "tickets.xlsx")
    except Exception:  # a value openpyxl itself cannot write is no test of the reader
        assume(False)
    assert_result_or_user_error(duckdb.connect(), [TICKETS], folder, [] if quarantine else None)


def arrow_column(draw, n: int) -> pa.Array:
    kind = draw(st.sampled_from(["string", "int", "float", "bool", "timestamp", "date", "decimal",
                                 "null", "duration"]))
    values = {
        "string": CELLS, "int": st.integers(-2**63, 2**63 - 1),
        "float": st.floats(), "bool": st.booleans(),
        "timestamp": st.datetimes(min_value=dt.datetime(1, 1, 1)), "date": st.dates(),
        "decimal": st.decimals(allow_nan=False, allow_infinity=False, places=10,
                               min_value=Decimal("-1e27"), max_value=Decimal("1e27")),
        "null": st.none(), "duration": st.timedeltas(min_value=dt.timedelta(days=-99999),
                                                     max_value=dt.timedelta(days=99999)),
    }[kind]
    types = {"string": pa.string(), "int": pa.int64(), "float": pa.float64(), "bool": pa.bool_(),
             "timestamp": pa.timestamp("us"), "date": pa.date32(), "decimal": pa.decimal128(38, 10),
             "null": pa.null(), "duration": pa.duration("us")}
    return pa.array(draw(st.lists(st.one_of(st.none(), values), min_size=n, max_size=n)),
                    type=types[kind])


@st.composite
def parquet_tables(draw) -> pa.Table:
    names = draw(st.one_of(st.just(HEADER), st.lists(st.sampled_from(HEADER + ["extra"]),
                                                      unique=True, max_size=10)))
    n = draw(st.integers(0, 6))
    return pa.table({name: arrow_column(draw, n) for name in names}) if names else pa.table({})


@fuzz
@given(table=parquet_tables(), quarantine=st.booleans())
def test_parquet(folder, table, quarantine):
    pq.write_table(table, folder / "tickets.parquet")
    assert_result_or_user_error(duckdb.connect(), [TICKETS], folder, [] if quarantine else None)


ADAPTER = Adapter("fuzz.export", "test", "tickets", "every unit", (
    ExportColumn("agent_id", ("工号",), "text"),
    ExportColumn("opened_at", ("时间",), "datetime"),
    ExportColumn("wait", ("时长",), "seconds"),
    ExportColumn("minutes", ("分钟",), "minutes"),
    ExportColumn("ok", ("是否解决",), "yesno"),
    ExportColumn("rate", ("满意度",), "percent"),
    ExportColumn("fee", ("金额",), "money"),
    ExportColumn("score", ("评分",), "number"),
    ExportColumn("due", ("日期",), "date"),
))
ADAPTER_HEADER = ["工号", "时间", "时长", "分钟", "是否解决", "满意度", "金额", "评分", "日期"]
EXPORT_CELLS = st.one_of(CELLS, st.sampled_from([
    "3分12秒", "1小时2分3秒", "00:03:12", "3:12", "1天2小时", "12.5%", "0.125", "1,234.50元",
    "¥1,234.5", "是", "否", "√", "2026年10月5日 14:03", "2026/10/5", "46300.5854", "１２３",
    "－5", "1 234", "USD 5", "45秒", "1.5小时",
]))


@fuzz
@given(header=st.one_of(st.just(ADAPTER_HEADER), st.permutations(ADAPTER_HEADER)),
       rows=st.lists(st.lists(EXPORT_CELLS, min_size=8, max_size=10), max_size=6),
       encoding=st.sampled_from(["utf-8", "utf-8-sig", "gbk"]), tab=st.booleans())
def test_adapter_exports(folder, header, rows, encoding, tab):
    sep = "\t" if tab else ","
    text = "\n".join([sep.join(header)] + [sep.join(csv_cell(c) for c in r) for r in rows]) + "\n"
    source = folder / "export.csv"
    source.write_bytes(text.encode(encoding, errors="replace"))
    out = folder / "tickets.csv"
    out.unlink(missing_ok=True)
    try:
        convert_export(ADAPTER, source, out)
    except DataError as error:
        assert error.problems and all(p.file and p.message.strip() for p in error.problems)
        assert not out.exists()
        return
    # what an adapter writes, the loader reads (or refuses precisely: a negative duration...)
    spec = DatasetSpec("tickets", "agent_id", "opened_at", (
        FieldSpec("wait", "duration", True), FieldSpec("minutes", "duration", True),
        FieldSpec("ok", "bool", True), FieldSpec("rate", "number", True),
        FieldSpec("fee", "money", True), FieldSpec("score", "number", True),
        FieldSpec("due", "date", True)))
    assert_result_or_user_error(duckdb.connect(), [spec], folder)
