"""Tests for kpi_engine.execute.load: data files into typed DuckDB tables, or precise refusals."""

import datetime as dt
from decimal import Decimal
from pathlib import Path

import duckdb
import openpyxl
import pytest
from hypothesis import given, settings, strategies as st

from kpi_engine.execute.load import (
    DataError,
    DataProblem,
    FUTURE_SLACK,
    DatasetSpec,
    FieldSpec,
    load_datasets,
)
from kpi_engine.execute.load import _Col, _ParquetSource

STAFF = DatasetSpec("staff", "employee_id", None, (
    FieldSpec("name", "text", False),
    FieldSpec("team", "text", False),
))
TICKETS = DatasetSpec("tickets", "agent_id", "opened_at", (
    FieldSpec("first_response", "duration", False),
    FieldSpec("resolved_first_contact", "bool", False),
    FieldSpec("channel", "text", False),
    FieldSpec("csat", "number", True),
))
TICKETS_HEADER = "agent_id,opened_at,first_response,resolved_first_contact,channel,csat\n"


@pytest.fixture
def con():
    c = duckdb.connect()
    yield c
    c.close()


@pytest.fixture
def data(tmp_path, monkeypatch):
    """A relative `data` directory, as a user would give it on the command line."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "data").mkdir()
    return Path("data")


def write(path: Path, text: str, encoding="utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def refused(con, specs, data_dir, files=None) -> list[DataProblem]:
    with pytest.raises(DataError) as info:
        load_datasets(con, specs, data_dir, files)
    return info.value.problems


def where(problems):
    """(file, row, column) of each problem."""
    return [(p.file, p.row, p.column) for p in problems]


def tables(con):
    return sorted(r[0] for r in con.execute("SHOW TABLES").fetchall())


def columns(con, table):
    return [(r[0], r[1]) for r in con.execute(f'DESCRIBE "{table}"').fetchall()]


# --------------------------------------------------------------------------------------------------
# Happy paths


def test_csv_happy_path_types_and_values(con, data):
    write(data / "staff.csv", "employee_id,name,team\nE01,张三,A\n E02 , 李四 ,B\n")
    write(data / "tickets.csv", TICKETS_HEADER
          + "E01,2026-10-01T09:00:00,30,true,chat,4.3\n"
          + "E02,2026-10-01 10:30:00,1.5,FALSE,phone,\n"
          + "E01,2026-10-02,0,1,phone, 5 \n"
          + "E02,2026-10-03T08:00,12.345678,0,chat,0.1\n")
    used = load_datasets(con, [STAFF, TICKETS], data)
    assert used == {"staff": data / "staff.csv", "tickets": data / "tickets.csv"}
    assert tables(con) == ["staff", "tickets"]
    assert dict(columns(con, "tickets")) == {
        "__row": "BIGINT", "__pid": "VARCHAR", "__at": "TIMESTAMP",
        "first_response": "DECIMAL(38,6)", "resolved_first_contact": "BOOLEAN",
        "channel": "VARCHAR", "csat": "DECIMAL(38,10)"}
    assert dict(columns(con, "staff")) == {
        "__row": "BIGINT", "__pid": "VARCHAR", "name": "VARCHAR", "team": "VARCHAR"}
    assert con.execute("SELECT __row, __pid, name, team FROM staff ORDER BY __row").fetchall() == [
        (1, "E01", "张三", "A"), (2, "E02", "李四", "B")]
    rows = con.execute("SELECT __row, __pid, __at, first_response, resolved_first_contact, channel,"
                       " csat FROM tickets ORDER BY __row").fetchall()
    assert rows == [
        (1, "E01", dt.datetime(2026, 10, 1, 9), Decimal("30"), True, "chat", Decimal("4.3")),
        (2, "E02", dt.datetime(2026, 10, 1, 10, 30), Decimal("1.5"), False, "phone", None),
        (3, "E01", dt.datetime(2026, 10, 2), Decimal("0"), True, "phone", Decimal("5")),
        (4, "E02", dt.datetime(2026, 10, 3, 8), Decimal("12.345678"), False, "chat", Decimal("0.1")),
    ]
    # exact decimals: no binary floating point anywhere
    assert con.execute("SELECT sum(csat) FROM tickets").fetchall() == [(Decimal("9.4"),)]
    assert con.execute("SELECT csat = 4.3 FROM tickets WHERE __row = 1").fetchall() == [(True,)]


def test_every_field_type(con, data):
    spec = DatasetSpec("记录", "工号", "时间", (
        FieldSpec("金额", "money", False),
        FieldSpec("数量", "number", False),
        FieldSpec("时长", "duration", False),
        FieldSpec("通过", "bool", False),
        FieldSpec("日期", "date", False),
        FieldSpec("时刻", "datetime", False),
        FieldSpec("备注", "text", True),
    ))
    write(data / "记录.csv", "工号,时间,金额,数量,时长,通过,日期,时刻,备注\n"
          "A1,2026-10-01,199.90,-3,86400,True,2026-11-01,2026-11-01T23:59:59,好\n"
          "A2,2026-10-01 00:00:01,0.0001,1e3,0.000001,0,2026-11-02,2026-11-02 00:00:00,\n")
    load_datasets(con, [spec], data)
    assert dict(columns(con, "记录")) == {
        "__row": "BIGINT", "__pid": "VARCHAR", "__at": "TIMESTAMP", "金额": "DECIMAL(38,4)",
        "数量": "DECIMAL(38,10)", "时长": "DECIMAL(38,6)", "通过": "BOOLEAN", "日期": "DATE",
        "时刻": "TIMESTAMP", "备注": "VARCHAR"}
    assert con.execute('SELECT * EXCLUDE (__row) FROM "记录" ORDER BY __row').fetchall() == [
        ("A1", dt.datetime(2026, 10, 1), Decimal("199.9"), Decimal("-3"), Decimal("86400"), True,
         dt.date(2026, 11, 1), dt.datetime(2026, 11, 1, 23, 59, 59), "好"),
        ("A2", dt.datetime(2026, 10, 1, 0, 0, 1), Decimal("0.0001"), Decimal("1000"),
         Decimal("0.000001"), False, dt.date(2026, 11, 2), dt.datetime(2026, 11, 2), None),
    ]


def test_parquet_happy_path(con, data):
    con.execute(f"""COPY (SELECT * FROM (VALUES
        ('E01', TIMESTAMP '2026-10-01 09:00:00', 30, true, 'chat', 4.3::DOUBLE),
        ('E02', TIMESTAMP '2026-10-01 10:00:00', 61, false, 'phone', NULL),
        ('E03', TIMESTAMP '2026-10-02 00:00:00', 2, true, 'chat', 0.1::DOUBLE))
        t(agent_id, opened_at, first_response, resolved_first_contact, channel, csat))
        TO '{data / "tickets.parquet"}' (FORMAT parquet)""")
    assert load_datasets(con, [TICKETS], data) == {"tickets": data / "tickets.parquet"}
    assert con.execute("SELECT __row, __pid, __at, first_response, resolved_first_contact, channel,"
                       " csat FROM tickets ORDER BY __row").fetchall() == [
        (1, "E01", dt.datetime(2026, 10, 1, 9), Decimal("30"), True, "chat", Decimal("4.3")),
        (2, "E02", dt.datetime(2026, 10, 1, 10), Decimal("61"), False, "phone", None),
        (3, "E03", dt.datetime(2026, 10, 2), Decimal("2"), True, "chat", Decimal("0.1")),
    ]
    # an INTEGER duration fits 18 digits at scale 6 (a 64-bit decimal); a DOUBLE goes through its text
    assert dict(columns(con, "tickets")) == {
        "__row": "BIGINT", "__pid": "VARCHAR", "__raw_pid": "VARCHAR", "__at": "TIMESTAMP",
        "first_response": "DECIMAL(18,6)", "resolved_first_contact": "BOOLEAN",
        "channel": "VARCHAR", "csat": "DECIMAL(38,10)"}


def test_parquet_dataset_is_a_view_over_the_file(con, data):
    # typed columns are read in place (no copy); the statistics say nothing is missing, so only the
    # person ids (text, may be blank) are scanned, and the result is the same as a copy's
    con.execute(f"""COPY (SELECT 'E' || i AS agent_id, TIMESTAMP '2026-10-01' + to_seconds(i) AS opened_at,
        i::INTEGER AS first_response, i % 2 = 0 AS resolved_first_contact, 'chat' AS channel,
        CASE WHEN i % 3 = 0 THEN NULL ELSE (i % 5)::TINYINT END AS csat FROM range(1, 1001) r(i))
        TO '{data / "tickets.parquet"}' (FORMAT parquet)""")
    load_datasets(con, [TICKETS], data)
    assert con.execute("SELECT table_type FROM information_schema.tables WHERE table_name = 'tickets'"
                       ).fetchall() == [("VIEW",)]
    assert con.execute("SELECT count(*), sum(first_response), count(csat), max(__row) FROM tickets"
                       ).fetchall() == [(1000, Decimal("500500"), 667, 1000)]


@pytest.mark.parametrize("column, value, message", [
    ("first_response", "NULL::INTEGER", "empty, but first_response is not declared nullable"),
    ("opened_at", "NULL::TIMESTAMP", "empty time"),
    ("agent_id", "'  '", "empty person id"),
    ("first_response", "170141183460469231731687303715884105727::HUGEINT", "expected a duration"),
    ("first_response", "-5", "a negative duration ('-5')"),
    ("opened_at", "TIMESTAMP '2999-01-01 00:00:00'", "the time '2999-01-01 00:00:00' is in the future"),
])
def test_typed_parquet_columns_are_still_checked(con, data, column, value, message):
    # a null, a negative duration or a time in the future shows in the row groups' statistics; a
    # value too large for the field's DECIMAL, or a blank id, can only be found by reading: either
    # way the record is refused
    row = {"agent_id": "'E02'", "opened_at": "TIMESTAMP '2026-10-01 10:00:00'", "first_response": "61"}
    row[column] = value
    con.execute(f"""COPY (SELECT 'E01' AS agent_id, TIMESTAMP '2026-10-01 09:00:00' AS opened_at,
        30::{'HUGEINT' if 'HUGEINT' in value else 'INTEGER'} AS first_response, true AS resolved_first_contact,
        'chat' AS channel, 4::TINYINT AS csat
        UNION ALL SELECT {row['agent_id']}, {row['opened_at']}, {row['first_response']}, false, 'chat', NULL)
        TO '{data / "tickets.parquet"}' (FORMAT parquet)""")
    problems = refused(con, [TICKETS], data)
    assert where(problems) == [("data/tickets.parquet", 2, column)]
    assert problems[0].message.startswith(message)
    assert tables(con) == []


@pytest.mark.parametrize("past_the_last, refused_too", [(0, False), (499, False), (500, True)])
def test_nanosecond_times_are_checked_as_they_load(con, data, past_the_last, refused_too):
    # a TIMESTAMP_NS time loads rounded to the microsecond: 500 ns past the last time allowed
    # rounds up past it, so the row groups' maximum must be read the same way
    now = dt.datetime(2026, 10, 15)
    last = now + FUTURE_SLACK
    times = [f"{last - dt.timedelta(seconds=1)}", f"{last}.000000{past_the_last:03d}"]
    con.execute(f"""COPY (SELECT 'E0' || i AS agent_id, CAST(t AS TIMESTAMP_NS) AS opened_at,
        30 AS first_response, true AS resolved_first_contact, 'chat' AS channel, NULL::TINYINT AS csat
        FROM (VALUES (1, '{times[0]}'), (2, '{times[1]}')) v(i, t))
        TO '{data / "tickets.parquet"}' (FORMAT parquet)""")
    if refused_too:
        with pytest.raises(DataError) as info:
            load_datasets(con, [TICKETS], data, now=now)
        assert where(info.value.problems) == [("data/tickets.parquet", 2, "opened_at")]
        assert "is in the future" in info.value.problems[0].message
    else:
        load_datasets(con, [TICKETS], data, now=now)
        assert con.execute("SELECT max(__at) FROM tickets").fetchall() == [(last,)]


def person_ids_proven(con, path: Path) -> bool:
    """Whether the row groups' statistics of the Parquet file show that no person id in its column
    `id` is blank (so that loading need not read them)."""
    source = _ParquetSource(con, path, "test")
    source.open()
    return source.proven(_Col("person", "id", "text", False, "__pid", index=0))


@pytest.mark.parametrize("ids, proven", [
    (["E01", "E02", "!", "~x"], True),  # from the first printable ASCII character to the last
    (["E01 ", "E 02", "E\u300003"], True),  # blank after the first character: trim keeps that one
    ([" E01", "E02"], False),
    (["", "E02"], False),
    (["E01", "\u3000"], False),  # an ideographic space, which trim() drops
    (["E01", "\x7fE02"], False),
    (["E01", "张三"], False),
    (["E01", None], False),
    (["E" + "0" * 100_000], False),  # DuckDB writes no statistics for a value this long
])
def test_statistics_prove_person_ids_not_blank(con, tmp_path, ids, proven):
    con.execute("CREATE TABLE ids AS SELECT unnest(?::VARCHAR[]) AS id", [ids])
    con.execute(f"COPY ids TO '{tmp_path / 'ids.parquet'}' (FORMAT parquet)")
    assert person_ids_proven(con, tmp_path / "ids.parquet") is proven


def test_statistics_prove_person_ids_not_blank_only_from_every_row_group(con, tmp_path):
    path = tmp_path / "ids.parquet"
    for last, proven in [("'E4999'", True), ("' '", False), ("NULL", False)]:
        con.execute(f"""COPY (SELECT CASE WHEN i = 4999 THEN {last} ELSE 'E' || i END AS id
            FROM range(5000) r(i)) TO '{path}' (FORMAT parquet, ROW_GROUP_SIZE 2048)""")
        assert person_ids_proven(con, path) is proven, last


def write_tickets(con, path: Path, ids: list) -> None:
    """A tickets Parquet file of the given person ids, every other value good."""
    con.execute("CREATE OR REPLACE TEMP TABLE ids AS SELECT unnest(?::VARCHAR[]) AS agent_id", [ids])
    con.execute(f"""COPY (SELECT agent_id, TIMESTAMP '2026-10-01' AS opened_at, 30 AS first_response,
        true AS resolved_first_contact, 'chat ' AS channel, NULL::TINYINT AS csat FROM ids)
        TO '{path}' (FORMAT parquet)""")
    con.execute("DROP TABLE ids")


@pytest.mark.parametrize("ids", [["E01", "E02", "E03"], ["E01", " E02", "E03\u3000"]])
def test_parquet_person_ids_load_trimmed_whether_proven_or_read(con, data, ids):
    write_tickets(con, data / "tickets.parquet", ids)
    load_datasets(con, [TICKETS], data)
    assert con.execute("SELECT __row, __pid, channel FROM tickets ORDER BY __row").fetchall() == [
        (1, "E01", "chat"), (2, "E02", "chat"), (3, "E03", "chat")]


@pytest.mark.parametrize("blank", ["", "  ", "\u3000", "\u3000 \u00a0", None])
def test_blank_parquet_person_ids_are_refused_on_their_record(con, data, blank):
    write_tickets(con, data / "tickets.parquet", ["E01", " E02", blank])
    problems = refused(con, [TICKETS], data)
    assert where(problems) == [("data/tickets.parquet", 3, "agent_id")]
    assert problems[0].message.startswith("empty person id")
    assert tables(con) == []


class Recording:
    """A DuckDB connection that keeps the SQL it is given."""

    def __init__(self, con):
        self.con, self.statements = con, []

    def execute(self, sql, *args):
        self.statements.append(sql)
        return self.con.execute(sql, *args)

    def __getattr__(self, name):
        return getattr(self.con, name)


def test_parquet_whose_statistics_settle_every_check_is_not_read(con, data):
    # no blank id, no null, no negative duration, no time in the future: the footer says so, and
    # loading runs three statements (no setting changed, no record read)
    write_tickets(con, data / "tickets.parquet", ["E01", "E02"])
    recording = Recording(con)
    load_datasets(recording, [TICKETS], data)
    assert [sql.split(" ")[0] for sql in recording.statements] == ["DESCRIBE", "SELECT", "CREATE"]
    assert "parquet_metadata" in recording.statements[1]
    assert recording.statements[2].startswith('CREATE VIEW "tickets"')


@pytest.mark.parametrize("ids, listed", [(["E01", "E02", "E03"], False), (["E01", "E02", "E01 "], True)])
def test_parquet_roster_duplicates_are_listed_only_when_counted(con, data, ids, listed):
    con.execute("CREATE TABLE ids AS SELECT unnest(?::VARCHAR[]) AS employee_id", [ids])
    con.execute(f"""COPY (SELECT employee_id, 'n' AS name, 'T' AS team FROM ids)
        TO '{data / "staff.parquet"}' (FORMAT parquet)""")
    recording = Recording(con)
    if listed:
        problems = refused(recording, [STAFF], data)
        assert [(p.row, p.column, p.message.split(";")[0]) for p in problems] == [
            (3, "employee_id", "person id 'E01' is also on record 1")]
    else:
        load_datasets(recording, [STAFF], data)
    assert sum("GROUP BY \"__pid\"" in sql for sql in recording.statements) == listed


def test_parquet_text_columns_and_refusal(con, data):
    con.execute(f"""COPY (SELECT * FROM (VALUES
        ('E01', '2026-10-01T09:00:00', '30', 'true', 'chat', '4.3'),
        ('E02', '2026-10-01T10:00:00', '3分', 'true', 'chat', 'NaN'))
        t(agent_id, opened_at, first_response, resolved_first_contact, channel, csat))
        TO '{data / "tickets.parquet"}' (FORMAT parquet)""")
    problems = refused(con, [TICKETS], data)
    assert where(problems) == [("data/tickets.parquet", 2, "first_response"),
                               ("data/tickets.parquet", 2, "csat")]
    assert problems[0].message.startswith(
        "expected a duration in seconds (a plain number like 30), found '3分': a unit in the cell")
    assert tables(con) == []


def test_xlsx_happy_path(con, data):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["agent_id", "opened_at", "first_response", "resolved_first_contact", "channel",
               "csat", "备注"])
    ws.append(["E01", dt.datetime(2026, 10, 1, 9), 30, True, "chat", 4.3, "x"])
    ws.append(["E02", "2026-10-01 10:00:00", dt.timedelta(minutes=1, seconds=30), "FALSE", "phone"])
    ws.append([])  # a blank row holds no record
    ws.append([1001, dt.datetime(2026, 10, 3), "12.5", 0, "chat", None])
    wb.save(data / "tickets.xlsx")
    assert load_datasets(con, [TICKETS], data) == {"tickets": data / "tickets.xlsx"}
    assert con.execute("SELECT __row, __pid, __at, first_response, resolved_first_contact, channel,"
                       " csat FROM tickets ORDER BY __row").fetchall() == [
        (1, "E01", dt.datetime(2026, 10, 1, 9), Decimal("30"), True, "chat", Decimal("4.3")),
        (2, "E02", dt.datetime(2026, 10, 1, 10), Decimal("90"), False, "phone", None),
        (3, "1001", dt.datetime(2026, 10, 3), Decimal("12.5"), False, "chat", None),
    ]


def test_xlsx_refusal_reports_sheet_rows(con, data):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["agent_id", "opened_at", "first_response", "resolved_first_contact", "channel"])
    ws.append(["E01", dt.datetime(2026, 10, 1, 9), 30, True, "chat"])
    ws.append([])
    ws.append(["E02", "soon", "3分", "yes", "chat"])
    wb.save(data / "tickets.xlsx")
    problems = refused(con, [TICKETS], data)
    assert [(p.file, p.row, p.column, p.message) for p in problems] == [
        ("data/tickets.xlsx", None, "csat",
         "missing column 'csat', a declared field of dataset tickets; the columns found are: "
         "agent_id, opened_at, first_response, resolved_first_contact, channel"),
        ("data/tickets.xlsx", 4, "opened_at", "expected a time like 2026-10-01T09:00:00, "
                                              "2026-10-01 09:00:00 or 2026-10-01, found 'soon'"),
        ("data/tickets.xlsx", 4, "first_response",
         "expected a duration in seconds (a plain number like 30), found '3分': a unit in the cell "
         "(the column must hold plain numbers in one unit; `kpi import` converts an export that "
         "mixes units like 3分12秒 or 1,234.50元)"),
        ("data/tickets.xlsx", 4, "resolved_first_contact",
         "expected true or false (or 1 or 0), found 'yes'"),
    ]


def test_bom_is_handled(con, data):
    write(data / "staff.csv", "\ufeffemployee_id,name,team\nE01,张三,A\n")
    load_datasets(con, [STAFF], data)
    assert con.execute("SELECT __pid, name FROM staff").fetchall() == [("E01", "张三")]


def test_extra_columns_are_ignored_and_order_does_not_matter(con, data):
    write(data / "staff.csv", "note,team,employee_id,age,name\nhi,A,E01,30,张三\n")
    load_datasets(con, [STAFF], data)
    assert [c for c, _ in columns(con, "staff")] == ["__row", "__pid", "name", "team"]
    assert con.execute("SELECT __pid, name, team FROM staff").fetchall() == [("E01", "张三", "A")]


def test_files_mapping_is_used(con, data, tmp_path):
    (tmp_path / "elsewhere").mkdir()
    write(Path("elsewhere/花名册.csv"), "employee_id,name,team\nE09,王五,C\n")
    write(data / "staff.csv", "employee_id,name,team\nE01,张三,A\n")  # not used
    used = load_datasets(con, [STAFF], data, files={"staff": Path("elsewhere/花名册.csv")})
    assert used == {"staff": Path("elsewhere/花名册.csv")}
    assert con.execute("SELECT __pid FROM staff").fetchall() == [("E09",)]


def test_files_mapping_without_data_dir(con, tmp_path):
    path = write(tmp_path / "people.csv", "employee_id,name,team\nE01,张三,A\n")
    assert load_datasets(con, [STAFF], None, files={"staff": path}) == {"staff": path}


def test_header_only_file_loads_an_empty_table(con, data):
    write(data / "tickets.csv", TICKETS_HEADER)
    load_datasets(con, [TICKETS], data)
    assert con.execute("SELECT count(*) FROM tickets").fetchall() == [(0,)]


def test_row_numbers_follow_the_file(con, data):
    lines = "".join(f"E{i % 7},2026-10-01T09:00:00,{i},true,chat,\n" for i in range(5000))
    write(data / "tickets.csv", TICKETS_HEADER + lines)
    load_datasets(con, [TICKETS], data)
    assert con.execute("SELECT count(*) FROM tickets WHERE first_response <> __row - 1"
                       ).fetchall() == [(0,)]


def test_insertion_order_setting_is_restored(con, data):
    write(data / "staff.csv", "employee_id,name,team\nE01,张三,A\n")
    con.execute("SET preserve_insertion_order = false")
    load_datasets(con, [STAFF], data)
    assert con.execute("SELECT current_setting('preserve_insertion_order')").fetchall() == [(False,)]


# --------------------------------------------------------------------------------------------------
# Refusals


def test_bad_number(con, data):
    write(data / "tickets.csv", TICKETS_HEADER
          + "E01,2026-10-01T09:00:00,30,true,chat,4.3\n"
          + "E01,2026-10-01T09:00:00,30,true,chat,四\n"
          + "E01,2026-10-01T09:00:00,30,true,chat,1_000\n")
    problems = refused(con, [TICKETS], data)
    assert where(problems) == [("data/tickets.csv", 3, "csat"), ("data/tickets.csv", 4, "csat")]
    assert problems[0].message == "expected a number (like 4.5), found '四'"
    assert str(problems[0]) == "data/tickets.csv:3: column csat: expected a number (like 4.5), found '四'"
    assert tables(con) == []


def test_bad_duration(con, data):
    write(data / "tickets.csv", TICKETS_HEADER + "E01,2026-10-01T09:00:00,n/a,true,chat,\n")
    problems = refused(con, [TICKETS], data)
    assert [(p.row, p.column, p.message) for p in problems] == [
        (2, "first_response", "expected a duration in seconds (a plain number like 30), found 'n/a'")]


def test_bad_bool(con, data):
    write(data / "tickets.csv", TICKETS_HEADER
          + "E01,2026-10-01T09:00:00,30,yes,chat,\n"
          + "E01,2026-10-01T09:00:00,30,True,chat,\n"
          + "E01,2026-10-01T09:00:00,30,是,chat,\n")
    problems = refused(con, [TICKETS], data)
    assert [(p.file, p.row, p.column, p.message) for p in problems] == [
        ("data/tickets.csv", 2, "resolved_first_contact",
         "expected true or false (or 1 or 0), found 'yes'"),
        ("data/tickets.csv", 4, "resolved_first_contact",
         "expected true or false (or 1 or 0), found '是'"),
    ]


@pytest.mark.parametrize("value", ["2026/10/01", "10/01/2026", "2026-10-01T09:00:00+08:00",
                                   "2026-02-30", "明天"])
def test_bad_time(con, data, value):
    write(data / "tickets.csv", TICKETS_HEADER + f"E01,{value},30,true,chat,\n")
    problems = refused(con, [TICKETS], data)
    assert [(p.file, p.row, p.column, p.message) for p in problems] == [
        ("data/tickets.csv", 2, "opened_at", "expected a time like 2026-10-01T09:00:00, "
                                             f"2026-10-01 09:00:00 or 2026-10-01, found '{value}'")]


def test_empty_time_and_empty_person(con, data):
    write(data / "tickets.csv", TICKETS_HEADER + " ,,30,true,chat,\n")
    problems = refused(con, [TICKETS], data)
    assert [(p.row, p.column, p.message) for p in problems] == [
        (2, "agent_id", "empty person id (agent_id is the dataset's `by` column; every record "
                        "needs one)"),
        (2, "opened_at", "empty time (opened_at is the dataset's `at` column; every record "
                         "needs one)"),
    ]


def test_bad_date_and_datetime_fields(con, data):
    spec = DatasetSpec("events", "who", None, (FieldSpec("day", "date", True),
                                               FieldSpec("moment", "datetime", True)))
    write(data / "events.csv", "who,day,moment\nA,2026-10-01 09:00:00,2026-10-01 09:00:00\n"
                               "B,2026-10-01,1 Oct 2026\n")
    problems = refused(con, [spec], data)
    assert [(p.row, p.column, p.message) for p in problems] == [
        (2, "day", "expected a date like 2026-10-01, found '2026-10-01 09:00:00'"),
        (3, "moment", "expected a date-time like 2026-10-01T09:00:00 or 2026-10-01 09:00:00, "
                      "found '1 Oct 2026'"),
    ]


def test_empty_non_nullable(con, data):
    write(data / "tickets.csv", TICKETS_HEADER
          + "E01,2026-10-01T09:00:00,,true,chat,\n"
          + "E01,2026-10-01T09:00:00,30,true,  ,\n")
    problems = refused(con, [TICKETS], data)
    assert [(p.file, p.row, p.column, p.message) for p in problems] == [
        ("data/tickets.csv", 2, "first_response",
         "empty, but first_response is not declared nullable (add ? to its type)"),
        ("data/tickets.csv", 3, "channel",
         "empty, but channel is not declared nullable (add ? to its type)"),
    ]


def test_missing_column(con, data):
    write(data / "tickets.csv", "agent_id,opened_at,first_response,channel\n"
                                "E01,2026-10-01T09:00:00,30,chat\n")
    problems = refused(con, [TICKETS], data)
    assert where(problems) == [("data/tickets.csv", None, "resolved_first_contact"),
                               ("data/tickets.csv", None, "csat")]
    assert problems[1].message == (
        "missing column 'csat', a declared field of dataset tickets; the columns found are: "
        "agent_id, opened_at, first_response, channel")


def test_missing_person_and_time_columns(con, data):
    write(data / "tickets.csv", "agent,time,first_response,resolved_first_contact,channel,csat\n")
    problems = refused(con, [TICKETS], data)
    assert where(problems) == [("data/tickets.csv", None, "agent_id"),
                               ("data/tickets.csv", None, "opened_at")]
    assert problems[0].message.startswith(
        "missing column 'agent_id', the person column (`by agent_id`) of dataset tickets")


def test_missing_column_does_not_hide_bad_values(con, data):
    write(data / "tickets.csv", "agent_id,opened_at,first_response,channel,csat\n"
                                "E01,2026-10-01T09:00:00,3分,chat,\n")
    problems = refused(con, [TICKETS], data)
    assert where(problems) == [("data/tickets.csv", None, "resolved_first_contact"),
                               ("data/tickets.csv", 2, "first_response")]


def test_empty_file(con, data):
    write(data / "tickets.csv", "")
    problems = refused(con, [TICKETS], data)
    assert [(p.file, p.row, p.column, p.message) for p in problems] == [
        ("data/tickets.csv", None, None, "empty file: expected a header line naming the columns")]


def test_file_with_only_a_bom_is_empty(con, data):
    write(data / "tickets.csv", "\ufeff\n")
    assert where(refused(con, [TICKETS], data)) == [("data/tickets.csv", None, None)]


def test_duplicate_roster_id(con, data):
    write(data / "staff.csv", "employee_id,name,team\nE01,张三,A\nE02,李四,B\nE01 ,张三,A\n")
    problems = refused(con, [STAFF], data)
    assert [(p.file, p.row, p.column, p.message) for p in problems] == [
        ("data/staff.csv", 4, "employee_id",
         "person id 'E01' is also on line 2; dataset staff has no `at` time, so it needs "
         "exactly one row per person")]


def test_duplicate_roster_id_three_times(con, data):
    write(data / "staff.csv", "employee_id,name,team\nE01,a,A\nE01,b,B\nE02,c,C\nE01,d,D\n")
    problems = refused(con, [STAFF], data)
    assert [(p.row, p.message.split(";")[0]) for p in problems] == [
        (3, "person id 'E01' appears 3 times, on lines 2, 3 and 5")]


def test_duplicates_allowed_in_datasets_with_time(con, data):
    write(data / "tickets.csv", TICKETS_HEADER + "E01,2026-10-01,1,true,c,\n" * 2)
    load_datasets(con, [TICKETS], data)
    assert con.execute("SELECT count(*) FROM tickets").fetchall() == [(2,)]


def test_two_files_for_one_dataset(con, data):
    write(data / "staff.csv", "employee_id,name,team\nE01,张三,A\n")
    write(data / "staff.xlsx", "not really")
    problems = refused(con, [STAFF], data)
    assert [(p.file, p.row, p.column, p.message) for p in problems] == [
        ("data/staff.csv", None, None,
         "more than one file for dataset staff: data/staff.csv and data/staff.xlsx; keep only one")]


def test_no_file(con, data):
    problems = refused(con, [STAFF], data)
    assert [(p.file, p.row, p.column, p.message) for p in problems] == [
        ("data", None, None, "no file for dataset staff: looked for data/staff.csv, "
                             "data/staff.parquet, data/staff.xlsx")]
    assert str(problems[0]) == ("data: no file for dataset staff: looked for data/staff.csv, "
                                "data/staff.parquet, data/staff.xlsx")


def test_no_data_dir_and_no_mapping(con):
    problems = refused(con, [STAFF], None)
    assert problems[0].message == ("no file for dataset staff: no data directory given and no "
                                   "file mapped to it")


def test_mapped_file_not_found(con, data):
    problems = refused(con, [STAFF], data, files={"staff": Path("data/nope.csv")})
    assert [(p.file, p.row, p.message) for p in problems] == [
        ("data/nope.csv", None, "file not found (mapped to dataset staff)")]


def test_unsupported_extension(con, data):
    write(data / "staff.txt", "employee_id\n")
    problems = refused(con, [STAFF], data, files={"staff": data / "staff.txt"})
    assert where(problems) == [("data/staff.txt", None, None)]


# --------------------------------------------------------------------------------------------------
# Everything is reported, nothing is left behind


def test_every_problem_in_every_dataset_and_no_tables_left(con, data):
    write(data / "staff.csv", "employee_id,name,team\nE01,张三,A\n")  # fine on its own
    write(data / "tickets.csv", TICKETS_HEADER
          + "E01,2026-10-01T09:00:00,x,true,chat,\n"
          + "E01,2026-10-01T09:00:00,30,maybe,chat,\n")
    spec3 = DatasetSpec("visits", "engineer", "day", ())
    problems = refused(con, [STAFF, TICKETS, spec3], data)
    assert where(problems) == [
        ("data/tickets.csv", 2, "first_response"),
        ("data/tickets.csv", 3, "resolved_first_contact"),
        ("data", None, None),
    ]
    assert tables(con) == []
    assert con.execute("SELECT count(*) FROM duckdb_tables()").fetchall() == [(0,)]


def parquet(con, path: Path, select: str) -> None:
    con.execute(f"COPY ({select}) TO '{path}' (FORMAT parquet)")


def test_parquet_files_checked_side_by_side_report_in_the_policys_order(con, data):
    # each Parquet file's checks run on a cursor of their own; the problems still come in the
    # datasets' order, and the good file's view is dropped with the rest
    parquet(con, data / "staff.parquet", "SELECT 'E01' AS employee_id, NULL::VARCHAR AS name, 'A' AS team")
    parquet(con, data / "tickets.parquet", "SELECT 'E01' AS agent_id, TIMESTAMP '2026-10-01' AS opened_at, "
                                           "-5 AS first_response, true AS resolved_first_contact, "
                                           "'chat' AS channel, NULL::DOUBLE AS csat")
    visits = DatasetSpec("visits", "engineer", None, ())
    parquet(con, data / "visits.parquet", "SELECT 'E01' AS engineer")
    problems = refused(con, [STAFF, TICKETS, visits], data)
    assert where(problems) == [("data/staff.parquet", 1, "name"), ("data/tickets.parquet", 1, "first_response")]
    assert tables(con) == []
    parquet(con, data / "staff.parquet", "SELECT 'E01' AS employee_id, '张三' AS name, 'A' AS team")
    assert list(load_datasets(con, [STAFF, visits], data)) == ["staff", "visits"]
    assert tables(con) == ["staff", "visits"]


def test_a_failure_while_parquet_files_load_side_by_side_leaves_no_view(con, data):
    parquet(con, data / "staff.parquet", "SELECT 'E01' AS employee_id, 'x' AS name, 'A' AS team")
    parquet(con, data / "visits.parquet", "SELECT 'E01' AS engineer, 1 AS hours")
    strange = DatasetSpec("visits", "engineer", None, (FieldSpec("hours", "furlongs", False),))
    with pytest.raises(ValueError, match="unknown type 'furlongs'"):
        load_datasets(con, [STAFF, strange], data)
    assert tables(con) == []


@pytest.mark.parametrize("fmt", ["csv", "parquet", "xlsx"])
def test_errors_after_a_good_dataset_drop_its_table(con, data, fmt):
    if fmt == "csv":
        write(data / "staff.csv", "employee_id,name,team\nE01,张三,A\n")
    elif fmt == "parquet":
        con.execute(f"COPY (SELECT 'E01' AS employee_id, '张三' AS name, 'A' AS team) "
                    f"TO '{data / 'staff.parquet'}' (FORMAT parquet)")
    else:
        wb = openpyxl.Workbook()
        wb.active.append(["employee_id", "name", "team"])
        wb.active.append(["E01", "张三", "A"])
        wb.save(data / "staff.xlsx")
    write(data / "tickets.csv", "")
    refused(con, [STAFF, TICKETS], data)
    assert tables(con) == []
    load_datasets(con, [STAFF], data)  # and the good one loads on its own
    assert tables(con) == ["staff"]


def test_many_problems_in_a_column_are_capped(con, data):
    write(data / "tickets.csv", TICKETS_HEADER
          + "E01,2026-10-01T09:00:00,bad,true,chat,\n" * 25)
    problems = refused(con, [TICKETS], data)
    assert [p.row for p in problems] == list(range(2, 22)) + [None]
    assert problems[-1].column == "first_response"
    assert problems[-1].message == ("and 5 more rows with a problem in this column (only the first "
                                    "20 are listed)")


def test_lines_are_physical_lines(con, data):
    # a blank line is skipped and a quoted value spans two lines: line numbers still match the file
    write(data / "tickets.csv", TICKETS_HEADER
          + "E01,2026-10-01T09:00:00,30,true,chat,\n"
          + "\n"
          + 'E01,2026-10-01T09:00:00,30,true,"two\nlines",\n'
          + "E01,2026-10-01T09:00:00,oops,true,chat,\n")
    problems = refused(con, [TICKETS], data)
    assert where(problems) == [("data/tickets.csv", 6, "first_response")]


def test_lines_with_wrong_number_of_values(con, data):
    write(data / "tickets.csv", TICKETS_HEADER
          + "E01,2026-10-01T09:00:00,30,true,chat,,surplus\n"
          + "E01,2026-10-01T09:00:00,30\n"
          + "E01,2026-10-01T09:00:00,oops,true,chat,\n")
    problems = refused(con, [TICKETS], data)
    assert [(p.row, p.column, p.message) for p in problems] == [
        (2, None, "expected 6 values like the header, found 7"),
        (3, None, "expected 6 values like the header, found 3"),
        (4, "first_response", "expected a duration in seconds (a plain number like 30), "
                              "found 'oops'"),
    ]


def test_unterminated_quote(con, data):
    write(data / "tickets.csv", TICKETS_HEADER
          + "E01,2026-10-01T09:00:00,30,true,chat,\n"
          + 'E01,2026-10-01T09:00:00,30,true,"chat,\n'
          + "E01,2026-10-01T09:00:00,30,true,chat,\n")
    problems = refused(con, [TICKETS], data)
    assert where(problems) == [("data/tickets.csv", 3, None)]


def test_gbk_is_read_and_neither_utf8_nor_gbk_is_refused(con, data):
    write(data / "staff.csv", "employee_id,name,team\r\nE01,张三,A\r\n", encoding="gbk")
    load_datasets(con, [STAFF], data)
    assert con.execute("SELECT name FROM staff").fetchall() == [("张三",)]
    (data / "staff.csv").write_bytes(b"employee_id,name,team\nE01,\xff\xff,A\n")
    problems = refused(duckdb.connect(), [STAFF], data)
    assert where(problems) == [("data/staff.csv", 2, None)]
    assert "not UTF-8 text, and the file is not GBK/GB18030 text either" in problems[0].message


def test_bad_parquet_and_xlsx_files(con, data):
    write(data / "staff.parquet", "not parquet")
    write(data / "tickets.xlsx", "not a workbook")
    problems = refused(con, [STAFF, TICKETS], data)
    assert where(problems) == [("data/staff.parquet", None, None), ("data/tickets.xlsx", None, None)]


def test_empty_xlsx_sheet(con, data):
    openpyxl.Workbook().save(data / "staff.xlsx")
    problems = refused(con, [STAFF], data)
    assert [(p.file, p.row, p.column) for p in problems] == [("data/staff.xlsx", None, None)]
    assert problems[0].message.startswith("empty sheet")


def test_problem_str_and_error_message():
    assert str(DataProblem("a.csv", 3, "x", "bad")) == "a.csv:3: column x: bad"
    assert str(DataProblem("a.csv", None, "x", "bad")) == "a.csv: column x: bad"
    assert str(DataProblem("a.csv", 3, None, "bad")) == "a.csv:3: bad"
    assert str(DataProblem("a.csv", None, None, "bad")) == "a.csv: bad"
    err = DataError([DataProblem("a.csv", 3, "x", "bad"), DataProblem("b.csv", None, None, "worse")])
    assert str(err) == "2 problems in the data files:\na.csv:3: column x: bad\nb.csv: worse"
    assert len(err.problems) == 2


def test_invalid_utf8_further_down_is_reported_on_its_line(con, data):
    good = "".join(f"E{i},名字{i},A\n" for i in range(5000))  # more than the 64 KiB checked up front
    (data / "staff.csv").write_bytes(("employee_id,name,team\n" + good).encode()
                                     + "E9999,张三,A\n".encode("gbk"))
    problems = refused(con, [STAFF], data)
    assert [(p.row, p.column) for p in problems] == [(5002, "name")]
    assert problems[0].message.startswith("not valid UTF-8 text")


# --------------------------------------------------------------------------------------------------
# Properties

@settings(max_examples=40, deadline=None)
@given(st.lists(st.decimals(min_value=-10**12, max_value=10**12, places=4, allow_nan=False,
                            allow_infinity=False), min_size=1, max_size=20))
def test_numbers_load_exactly(tmp_path_factory, values):
    spec = DatasetSpec("m", "who", None, (FieldSpec("amount", "money", False),
                                          FieldSpec("x", "number", False)))
    folder = tmp_path_factory.mktemp("m")
    lines = "".join(f"P{i},{v},{v}\n" for i, v in enumerate(values))
    (folder / "m.csv").write_text("who,amount,x\n" + lines, encoding="utf-8")
    con = duckdb.connect()
    try:
        load_datasets(con, [spec], folder)
        got = con.execute("SELECT amount, x FROM m ORDER BY __row").fetchall()
        assert got == [(v, v) for v in values]
        assert con.execute("SELECT sum(amount) FROM m").fetchall()[0][0] == sum(values)
    finally:
        con.close()


def test_a_damaged_parquet_file_is_refused_in_words(data):
    # Parquet is read in place, so damage in a page the checks did not need to read shows only
    # while scoring: still a one-line message naming the file, never a traceback
    from click.testing import CliRunner

    from kpi_engine.cli import cli

    root = Path(__file__).resolve().parents[1]
    con = duckdb.connect()
    con.execute(f"""COPY (SELECT 'a' || lpad((i % 50)::VARCHAR, 5, '0') AS agent_id,
        TIMESTAMP '2026-10-01' + to_seconds(i % 2000000) AS opened_at,
        (hash(i) % 100)::INTEGER AS first_response, hash(i) % 2 = 0 AS resolved, false AS reopened,
        false AS escalated, 4::TINYINT AS csat, (hash(i) % 900)::INTEGER AS handle_time
        FROM range(200000) r(i)) TO '{data / "tickets.parquet"}' (FORMAT parquet, COMPRESSION zstd)""")
    con.execute(f"""COPY (SELECT 'a' || lpad(i::VARCHAR, 5, '0') AS employee_id, 'n' AS name, 'T' AS team
        FROM range(50) r(i)) TO '{data / "staff.parquet"}' (FORMAT parquet)""")
    tickets = data / "tickets.parquet"
    with open(tickets, "r+b") as f:
        f.seek(tickets.stat().st_size * 6 // 10)
        f.write(b"\xff" * 5000)
    result = CliRunner().invoke(cli, ["score", str(root / "benchmarks" / "policy.kpi"), "--data", str(data),
                                      "--period", "2026-10", "--format", "csv"])
    assert result.exit_code == 1, result.output
    assert "data/tickets.parquet" in result.output
    assert "cannot read the data" in result.output or "problem" in result.output


@pytest.mark.parametrize("native, kind, typed", [
    ("INTEGER", "duration", "DECIMAL(18,6)"), ("UINTEGER", "money", "DECIMAL(18,4)"),
    ("TINYINT", "number", "DECIMAL(18,10)"), ("INTEGER", "number", "DECIMAL(38,10)"),
    ("BIGINT", "duration", "DECIMAL(38,6)"), ("DECIMAL(10,2)", "number", "DECIMAL(18,10)"),
    ("DECIMAL(12,2)", "number", "DECIMAL(38,10)"), ("HUGEINT", "money", "DECIMAL(38,4)")])
def test_a_parquet_number_gets_18_digits_when_its_type_proves_they_suffice(native, kind, typed):
    from kpi_engine.execute.load import _narrowest_decimal

    assert _narrowest_decimal(native, kind) == typed
