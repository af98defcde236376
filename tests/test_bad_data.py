"""Bad data, one case per row: each malformed input is refused with its file, row and column named,
and what the loader reads without any flag (GBK, UTF-8 with BOM and CRLF, Excel serial dates,
extra columns). Then `--bad-rows quarantine FILE` and records of people not in the roster."""

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

import duckdb
import openpyxl
import pytest
from click.testing import CliRunner

from kpi_engine.cli import cli
from kpi_engine.execute.load import DataError, DatasetSpec, FieldSpec, load_datasets

STAFF = DatasetSpec("staff", "employee_id", None, (FieldSpec("name", "text", False),))
TICKETS = DatasetSpec("tickets", "agent_id", "opened_at", (
    FieldSpec("ticket_id", "text", False),
    FieldSpec("first_response", "duration", False),
    FieldSpec("resolved", "bool", False),
    FieldSpec("csat", "number", True),
), key="ticket_id")
ORDERS = DatasetSpec("orders", "agent_id", "opened_at", (
    FieldSpec("amount", "money", False),
    FieldSpec("due", "date", True),
    FieldSpec("closed", "datetime", True),
))
T = "agent_id,opened_at,ticket_id,first_response,resolved,csat\n"
GOOD = "E01,2026-10-01T09:00:00,T1,30,true,4.5\n"
O = "agent_id,opened_at,amount,due,closed\n"


def xlsx(*rows):
    def write(path: Path):
        wb = openpyxl.Workbook()
        for row in rows:
            wb.active.append(list(row))
        wb.save(path)
    return write


# (case, {file name: text | bytes | writer}, datasets, [(file, row, column, words in the message)])
CASES = [
    ("number of the wrong type", {"tickets.csv": T + "E01,2026-10-01,T1,30,true,good\n"}, [TICKETS],
     [("tickets.csv", 2, "csat", "expected a number (like 4.5), found 'good'")]),
    ("infinity is not a number", {"tickets.csv": T + "E01,2026-10-01,T1,30,true,inf\n"}, [TICKETS],
     [("tickets.csv", 2, "csat", "expected a number")]),
    ("thousands separator", {"tickets.csv": T + 'E01,2026-10-01,T1,30,true,"1,234"\n'}, [TICKETS],
     [("tickets.csv", 2, "csat", "found '1,234'")]),
    ("bool as a Chinese word", {"tickets.csv": T + "E01,2026-10-01,T1,30,是,\n"}, [TICKETS],
     [("tickets.csv", 2, "resolved", "expected true or false (or 1 or 0), found '是'")]),
    ("money with a currency sign", {"orders.csv": O + "E01,2026-10-01,¥12,,\n"}, [ORDERS],
     [("orders.csv", 2, "amount", "expected an amount of money")]),
    ("duration as a word", {"tickets.csv": T + "E01,2026-10-01,T1,n/a,true,\n"}, [TICKETS],
     [("tickets.csv", 2, "first_response", "expected a duration in seconds")]),
    ("duration with a unit", {"tickets.csv": T + "E01,2026-10-01,T1,3分,true,\n"}, [TICKETS],
     [("tickets.csv", 2, "first_response", "found '3分': a unit in the cell")]),
    ("mixed units in one column",
     {"tickets.csv": T + GOOD + "E01,2026-10-02,T2,2min,true,\nE01,2026-10-03,T3,1.5h,true,\n"},
     [TICKETS], [("tickets.csv", 3, "first_response", "found '2min': a unit in the cell"),
                 ("tickets.csv", 4, "first_response", "found '1.5h': a unit in the cell")]),
    ("negative duration", {"tickets.csv": T + "E01,2026-10-01,T1,-5,true,\n"}, [TICKETS],
     [("tickets.csv", 2, "first_response", "a negative duration ('-5')")]),
    ("unparseable time", {"tickets.csv": T + "E01,2026/10/01,T1,30,true,\n"}, [TICKETS],
     [("tickets.csv", 2, "opened_at", "expected a time like 2026-10-01T09:00:00")]),
    ("impossible date", {"tickets.csv": T + "E01,2026-02-30,T1,30,true,\n"}, [TICKETS],
     [("tickets.csv", 2, "opened_at", "found '2026-02-30'")]),
    ("time with a zone", {"tickets.csv": T + "E01,2026-10-01T09:00:00+08:00,T1,30,true,\n"},
     [TICKETS], [("tickets.csv", 2, "opened_at", "expected a time like")]),
    ("number too short for an Excel serial date", {"tickets.csv": T + "E01,4630,T1,30,true,\n"},
     [TICKETS], [("tickets.csv", 2, "opened_at", "found '4630'")]),
    ("time in the future", {"tickets.csv": T + "E01,2999-01-01,T1,30,true,\n"}, [TICKETS],
     [("tickets.csv", 2, "opened_at", "the time '2999-01-01' is in the future")]),
    ("date field holding a time of day", {"orders.csv": O + "E01,2026-10-01,5,2026-10-01 09:00,\n"},
     [ORDERS], [("orders.csv", 2, "due", "expected a date like 2026-10-01")]),
    ("datetime field as a word", {"orders.csv": O + "E01,2026-10-01,5,,yesterday\n"}, [ORDERS],
     [("orders.csv", 2, "closed", "expected a date-time")]),
    ("duplicate record id", {"tickets.csv": T + GOOD + "E02,2026-10-02,T1,30,true,\n"}, [TICKETS],
     [("tickets.csv", 3, "ticket_id", "ticket_id 'T1' is also on line 2; ticket_id is the key")]),
    ("duplicate roster id", {"staff.csv": "employee_id,name\nE01,张三\nE01,李四\n"}, [STAFF],
     [("staff.csv", 3, "employee_id", "person id 'E01' is also on line 2")]),
    ("empty person id", {"tickets.csv": T + " ,2026-10-01,T1,30,true,\n"}, [TICKETS],
     [("tickets.csv", 2, "agent_id", "empty person id")]),
    ("empty time", {"tickets.csv": T + "E01,,T1,30,true,\n"}, [TICKETS],
     [("tickets.csv", 2, "opened_at", "empty time")]),
    ("empty cell of a field that is not nullable", {"tickets.csv": T + "E01,2026-10-01,T1,,true,\n"},
     [TICKETS], [("tickets.csv", 2, "first_response", "not declared nullable")]),
    ("empty file", {"staff.csv": ""}, [STAFF], [("staff.csv", None, None, "empty file")]),
    ("file of blank lines", {"staff.csv": "\n \n"}, [STAFF], [("staff.csv", None, None, "empty file")]),
    ("blank first line", {"staff.csv": "\nemployee_id,name\nE01,张三\n"}, [STAFF],
     [("staff.csv", 1, None, "line 1 is empty")]),
    ("missing column", {"tickets.csv": "agent_id,opened_at,ticket_id,first_response,csat\n"},
     [TICKETS], [("tickets.csv", None, "resolved", "missing column 'resolved'")]),
    ("missing person column", {"staff.csv": "工号,name\nE01,张三\n"}, [STAFF],
     [("staff.csv", None, "employee_id", "missing column 'employee_id', the person column")]),
    ("a column named twice", {"staff.csv": "employee_id,name,name\nE01,a,b\n"}, [STAFF],
     [("staff.csv", None, "name", "more than once (columns 2 and 3)")]),
    ("too few values", {"tickets.csv": T + GOOD + "E01,2026-10-02,T2,30,true\n"}, [TICKETS],
     [("tickets.csv", 3, None, "expected 6 values like the header, found 5")]),
    ("too many values", {"tickets.csv": T + GOOD + "E01,2026-10-02,T2,30,true,,x\n"}, [TICKETS],
     [("tickets.csv", 3, None, "expected 6 values like the header, found 7")]),
    ("unclosed quote", {"staff.csv": 'employee_id,name\nE01,"张三\nE02,李四\n'}, [STAFF],
     [("staff.csv", 2, None, "cannot split this line")]),
    ("neither UTF-8 nor GBK", {"staff.csv": b"employee_id,name\nE01,\xff\xfe\n"}, [STAFF],
     [("staff.csv", 2, None, "not UTF-8 text, and the file is not GBK/GB18030 text either")]),
    ("a bad value in a GBK file names its line",
     {"tickets.csv": (T + "E01,2026-10-01,T1,30,是,\r\n").encode("gbk")}, [TICKETS],
     [("tickets.csv", 2, "resolved", "found '是'")]),
    ("xlsx cell of the wrong type",
     {"tickets.xlsx": xlsx(T.strip().split(","), [], ["E01", "2026-10-01", "T1", 30, "yes"])},
     [TICKETS], [("tickets.xlsx", 3, "resolved", "found 'yes'")]),
    ("xlsx duplicate record id",
     {"tickets.xlsx": xlsx(T.strip().split(","), ["E01", "2026-10-01", "T1", 30, True],
                           ["E01", "2026-10-02", "T1", 30, True])},
     [TICKETS], [("tickets.xlsx", 3, "ticket_id", "ticket_id 'T1' is also on row 2")]),
    ("xlsx empty sheet", {"staff.xlsx": xlsx()}, [STAFF], [("staff.xlsx", None, None, "empty sheet")]),
    ("not a workbook", {"staff.xlsx": "plain text"}, [STAFF],
     [("staff.xlsx", None, None, "cannot be read as an Excel .xlsx workbook")]),
    ("not a parquet file", {"staff.parquet": "plain text"}, [STAFF],
     [("staff.parquet", None, None, "cannot be read as a Parquet file")]),
    ("no file for a dataset", {}, [STAFF], [("", None, None, "no file for dataset staff")]),
    ("two files for one dataset",
     {"staff.csv": "employee_id,name\nE01,a\n", "staff.xlsx": xlsx(["employee_id", "name"])},
     [STAFF], [("staff.csv", None, None, "more than one file for dataset staff")]),
]


@pytest.mark.parametrize("files, specs, expected", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_bad_input_is_refused_naming_file_row_and_column(tmp_path, files, specs, expected):
    for name, content in files.items():
        if callable(content):
            content(tmp_path / name)
        else:
            (tmp_path / name).write_bytes(content if isinstance(content, bytes) else content.encode())
    con = duckdb.connect()
    with pytest.raises(DataError) as info:
        load_datasets(con, specs, tmp_path)
    problems = info.value.problems
    assert [(p.file, p.row, p.column) for p in problems] == [
        (str(tmp_path / f) if f else str(tmp_path), row, col) for f, row, col, _ in expected]
    for p, (*_, words) in zip(problems, expected):
        assert words in p.message
        assert words in str(info.value)  # the message the user sees names the place too
    assert con.execute("SHOW TABLES").fetchall() == []  # nothing half-loaded


def test_at_least_25_cases():
    assert len(CASES) >= 25


# --------------------------------------------------------------------------------------------------
# Read without any flag


@pytest.mark.parametrize("encoding, newline", [("gbk", "\r\n"), ("gb18030", "\r\n"), ("gb18030", "\n"),
                                               ("utf-8-sig", "\r\n"), ("utf-8", "\r\n")])
def test_excel_encodings_and_line_ends_read_without_a_flag(tmp_path, encoding, newline):
    text = "employee_id,name,备注\nE01,张三,甲\nE02,\"李,四\",\n"
    name = "𠀀" if encoding == "gb18030" else "王五"  # a character only GB18030 (not GBK) has
    text += f"E03,{name},\n"
    (tmp_path / "staff.csv").write_bytes(text.replace("\n", newline).encode(encoding))
    con = duckdb.connect()
    load_datasets(con, [STAFF], tmp_path)
    assert con.execute("SELECT __row, __pid, name FROM staff ORDER BY __row").fetchall() == [
        (1, "E01", "张三"), (2, "E02", "李,四"), (3, "E03", name)]


def test_excel_serial_dates_and_extra_columns(tmp_path):
    (tmp_path / "orders.csv").write_text(
        "agent_id,opened_at,amount,due,closed,不用的列\n"
        "E01,46296,1.50,46297,46296.5,x\n"
        "E01,46296.3750000001,2,,,y\n")
    con = duckdb.connect()
    load_datasets(con, [ORDERS], tmp_path)
    assert con.execute("SELECT __at, amount, due, closed FROM orders ORDER BY __row").fetchall() == [
        (dt.datetime(2026, 10, 1), Decimal("1.5"), dt.date(2026, 10, 2), dt.datetime(2026, 10, 1, 12)),
        (dt.datetime(2026, 10, 1, 9), Decimal("2"), None, None)]
    assert [r[0] for r in con.execute("DESCRIBE orders").fetchall()] == [
        "__row", "__pid", "__at", "amount", "due", "closed"]


def test_a_serial_date_with_a_fraction_is_not_a_date(tmp_path):
    (tmp_path / "orders.csv").write_text(O + "E01,2026-10-01,1,46296.5,\n")
    with pytest.raises(DataError) as info:
        load_datasets(duckdb.connect(), [ORDERS], tmp_path)
    assert [(p.row, p.column) for p in info.value.problems] == [(2, "due")]


def test_the_future_is_measured_from_the_run(tmp_path):
    (tmp_path / "tickets.csv").write_text(T + "E01,2027-10-01T06:00:00,T1,30,true,\n")
    start = dt.datetime(2026, 10, 1, 7)  # a year of slack: data may lie ahead of the clock
    load_datasets(duckdb.connect(), [TICKETS], tmp_path, now=start)
    with pytest.raises(DataError) as info:
        load_datasets(duckdb.connect(), [TICKETS], tmp_path, now=dt.datetime(2026, 9, 30))
    assert "more than a year after this run started (2026-09-30)" in info.value.problems[0].message


# --------------------------------------------------------------------------------------------------
# Through the command line: the key declaration, quarantine, people not in the roster

POLICY = """
policy p "测试" {
  period month
  subject staff
  dataset staff by employee_id { name: text }
  dataset tickets by agent_id at opened_at key ticket_id {
    ticket_id: text
    first_response: duration
    resolved: bool
    csat: number?
  }
  indicator n "工单数" weight 100% {
    measure count(tickets)
    formula value
  }
}
"""


@pytest.fixture
def project(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    Path("p.kpi").write_text(POLICY, encoding="utf-8")
    Path("data").mkdir()
    Path("data/staff.csv").write_text("employee_id,name\nE01,张三\nE02,李四\n", encoding="utf-8")
    Path("data/tickets.csv").write_text(
        T + GOOD
        + "E01,2026-10-02,T1,30,true,\n"       # line 3: T1 again
        + "E02,2026-10-03,T3,-1,true,\n"       # line 4: negative
        + "E02,2026-10-04,T4,30,true\n"        # line 5: a value short
        + "E02,2026-10-05,T5,30,maybe,\n"      # line 6: not a bool
        + "E02,2026-10-06,T6,30,false,\n"      # line 7: fine
        + "E09,2026-10-07,T7,30,false,\n"      # line 8: nobody in the roster
        + "E09,2026-10-08,T8,30,false,\n",     # line 9: nobody in the roster
        encoding="utf-8")
    return tmp_path


def score(*args):
    return CliRunner().invoke(cli, ["score", "p.kpi", "--data", "data", "--period", "2026-10",
                                    "--format", "json", *args])


def test_without_quarantine_any_bad_row_refuses_the_run(project):
    result = score()
    assert result.exit_code == 1
    assert "4 problems in the data files" in result.output
    for place in ("data/tickets.csv:3: column ticket_id", "data/tickets.csv:4: column first_response",
                  "data/tickets.csv:5: expected 6 values", "data/tickets.csv:6: column resolved"):
        assert place in result.output


def test_quarantine_sets_bad_rows_aside_and_scores_the_rest(project):
    result = score("--bad-rows", "quarantine", "rejected.csv")
    assert result.exit_code == 0, result.output
    assert ("bad rows: 5 rows set aside and not scored (5 from data/tickets.csv); the reasons are "
            "in rejected.csv") in result.stderr
    document = json.loads(result.stdout)
    totals = {p["id"]: p["indicators"]["n"]["score"] for p in document["people"]}
    assert totals == {"E01": 0, "E02": 1}  # both copies of T1 are set aside: which one is right?
    # the result itself says what it was computed without
    assert document["warnings"][0] == ("data/tickets.csv: 5 row(s) with bad data were set aside and "
                                       "not scored (lines/rows 2, 3, 4, 5, 6)")
    lines = Path("rejected.csv").read_text(encoding="utf-8").splitlines()
    assert lines == [
        "file,row,column,reason,record",
        "data/tickets.csv,2,ticket_id,\"ticket_id 'T1' appears 2 times, on lines 2 and 3; ticket_id "
        "is the key of dataset tickets, so no two records may share it\","
        "\"E01,2026-10-01T09:00:00,T1,30,true,4.5\"",
        "data/tickets.csv,3,ticket_id,\"ticket_id 'T1' appears 2 times, on lines 2 and 3; ticket_id "
        "is the key of dataset tickets, so no two records may share it\",\"E01,2026-10-02,T1,30,true,\"",
        "data/tickets.csv,4,first_response,a negative duration ('-1'): a duration is 0 seconds or "
        "more,\"E02,2026-10-03,T3,-1,true,\"",
        "data/tickets.csv,5,,\"expected 6 values like the header, found 5\",\"E02,2026-10-04,T4,30,true\"",
        "data/tickets.csv,6,resolved,\"expected true or false (or 1 or 0), found 'maybe'\","
        "\"E02,2026-10-05,T5,30,maybe,\"",
    ]
    # records of people not in the roster are not scored, and said so with where they are
    assert ("warning: data/tickets.csv: column agent_id: 2 record(s) of 1 person(s) not in the "
            "roster staff were not scored: E09 (lines 8, 9)") in result.stderr


def test_quarantine_does_not_excuse_a_broken_file(project):
    Path("data/staff.csv").write_text("工号,name\nE01,张三\n", encoding="utf-8")
    result = score("--bad-rows", "quarantine", "rejected.csv")
    assert result.exit_code == 1
    assert "data/staff.csv: column employee_id: missing column 'employee_id'" in result.output
    assert not Path("rejected.csv").exists()


def test_a_key_must_be_a_declared_field(tmp_path):
    path = tmp_path / "k.kpi"
    path.write_text(POLICY.replace("key ticket_id", "key ticket_no"), encoding="utf-8")
    result = CliRunner().invoke(cli, ["check", str(path)])
    assert result.exit_code == 1
    assert "the key of tickets must be one of its fields; it has no field ticket_no" in result.output


def test_quarantine_file_cells_never_run_as_formulas(project):
    Path("data/staff.csv").write_text("employee_id,name\nE01,张三\n=cmd|'/c calc'!A1,x\n"
                                      "=cmd|'/c calc'!A1,y\n", encoding="utf-8")
    result = score("--bad-rows", "quarantine", "rejected.csv")
    assert result.exit_code == 0, result.output
    text = Path("rejected.csv").read_text(encoding="utf-8")
    assert "\"'=cmd|'/c calc'!A1,x\"" in text and ",=" not in text


def test_quarantine_of_xlsx_and_parquet_rows_names_sheet_rows_and_records(tmp_path):
    xlsx(T.strip().split(","), ["E01", "2026-10-01", "T1", 30, True], [],
         ["E01", "2026-10-02", "T2", "3分", True], ["E02", 46296.5, "T3", 5, False])(
        tmp_path / "tickets.xlsx")
    duck = duckdb.connect()
    duck.execute(f"""COPY (SELECT * FROM (VALUES ('E01', 'a'), ('E01', 'b'), ('E02', 'c'))
                     t(employee_id, name)) TO '{tmp_path / "staff.parquet"}' (FORMAT parquet)""")
    set_aside = []
    load_datasets(duck, [STAFF, TICKETS], tmp_path, quarantine=set_aside)
    assert [(Path(s.problem.file).name, s.problem.row, s.problem.column, s.record)
            for s in set_aside] == [
        ("staff.parquet", 1, "employee_id", "E01,a"), ("staff.parquet", 2, "employee_id", "E01,b"),
        ("tickets.xlsx", 4, "first_response", "E01,2026-10-02,T2,3分,true,")]
    assert duck.execute("SELECT __row, __pid FROM staff").fetchall() == [(3, "E02")]
    assert duck.execute("SELECT __row, ticket_id, __at FROM tickets ORDER BY __row").fetchall() == [
        (1, "T1", dt.datetime(2026, 10, 1)), (3, "T3", dt.datetime(2026, 10, 1, 12))]


def test_quarantine_keeps_a_line_that_cannot_be_split(tmp_path):
    (tmp_path / "staff.csv").write_text("employee_id,name\nE01,张三\nE02,李四,多余\n", encoding="utf-8")
    set_aside = []
    con = duckdb.connect()
    load_datasets(con, [STAFF], tmp_path, quarantine=set_aside)
    assert [(s.problem.row, s.problem.column, s.record) for s in set_aside] == [
        (3, None, "E02,李四,多余")]
    assert con.execute("SELECT __pid FROM staff").fetchall() == [("E01",)]


def test_records_of_people_not_in_the_roster_are_named_by_sheet_row(project):
    Path("data/tickets.csv").unlink()
    xlsx(T.strip().split(","), ["E01", "2026-10-01", "T1", 30, True], [],
         ["E09", "2026-10-02", "T2", 30, True], ["E08", "2026-09-30", "T3", 30, True])(
        Path("data/tickets.xlsx"))
    result = score()
    assert result.exit_code == 0, result.output
    # E08's record is in September: outside the period, so not a concern of this run
    assert result.stderr == ("warning: data/tickets.xlsx: column agent_id: 1 record(s) of 1 "
                             "person(s) not in the roster staff were not scored: E09 (row 4)\n")
