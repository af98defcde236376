"""Tests for kpi_engine.adapt: real system exports (CSV in UTF-8/BOM/GBK, XLSX) into the canonical
dataset CSV, every unit format converted exactly, every refusal precise."""

import datetime as dt
from decimal import Decimal
from pathlib import Path

import duckdb
import openpyxl
import pytest
from hypothesis import given, settings, strategies as st

from kpi_engine.adapt import Converted, convert_export, detect_adapter, match_adapters
from kpi_engine.execute.load import DataError, DatasetSpec, FieldSpec, load_datasets
from kpi_engine.library import Adapter, ExportColumn as Col


def adapter(*columns, id="test.export", dataset="tickets") -> Adapter:
    return Adapter(id, "test", dataset, "a test export", tuple(columns))


def one_unit(unit: str, header: str = "值") -> Adapter:
    return adapter(Col("agent_id", ("工号",), "text"), Col("v", (header,), unit))


def write_csv(path: Path, text: str, encoding="utf-8", newline="\n") -> Path:
    path.write_bytes(text.replace("\n", newline).encode(encoding))
    return path


def convert_values(tmp_path, unit, values, header="值") -> str:
    """Convert a two-column CSV export (工号, <header>) holding ``values``; return the output."""
    src = write_csv(tmp_path / "export.csv",
                    f"工号,{header}\n" + "".join(f"{i},{_q(v)}\n" for i, v in enumerate(values, 1)))
    out = tmp_path / "out.csv"
    convert_export(one_unit(unit, header), src, out)
    return out.read_text(encoding="utf-8")


def expected_csv(values) -> str:
    return "agent_id,v\n" + "".join(f"{i},{v}\n" for i, v in enumerate(values, 1))


def _q(v: str) -> str:
    return '"' + v.replace('"', '""') + '"' if any(c in v for c in ',"\n') else v


def refused(adapter_, src, out=None):
    out = out or src.with_name("out.csv")
    with pytest.raises(DataError) as info:
        convert_export(adapter_, src, out)
    assert not out.exists()
    return info.value.problems


# --------------------------------------------------------------------------------------------------
# Every unit format, exactly

UNIT_CASES = {
    "text": [(" 张三 ", "张三"), ("\u3000李四\u00a0", "李四"), ("a, b", '"a, b"'), ("", "")],
    "number": [("1,234", "1234"), ("1 234", "1234"), ("12.50", "12.50"), ("-3", "-3"),
               ("+7", "7"), ("１２３", "123"), ("1,234,567.5", "1234567.5"), ("", "")],
    "money": [("1,234.50元", "1234.50"), ("¥1,234.5", "1234.5"), ("￥12", "12"),
              ("12.5 元", "12.5"), ("-50元", "-50"), ("-¥50", "-50"), ("¥-50", "-50"),
              ("RMB 1,000", "1000"), ("88人民币", "88"), ("0.5", "0.5"), ("", "")],
    "seconds": [("3分12秒", "192"), ("1小时2分3秒", "3723"), ("45秒", "45"), ("2分", "120"),
                ("1.5小时", "5400"), ("00:03:12", "192"), ("3:12", "192"), ("1天2小时", "93600"),
                ("192", "192"), ("3m12s", "192"), ("1h 2min 3sec", "3723"), ("2分钟", "120"),
                ("0.5秒", "0.5"), ("1天 02:00:00", "93600"), ("3分 12秒", "192"),
                ("12.5", "12.5"), ("3：12", "192"), ("", "")],
    "clock": [("00:03:12", "192"), ("1:02:03", "3723"), ("3:12", "192"), ("192", "192")],
    "minutes": [("30", "1800"), ("1.5", "90"), ("3分12秒", "192"), ("30:00", "1800"),
                ("1小时", "3600")],
    "hours": [("2", "7200"), ("1.5", "5400"), ("1:30", "5400"), ("1小时30分", "5400"),
              ("0.25", "900")],
    "days": [("1", "86400"), ("0.5", "43200"), ("1天2小时", "93600")],
    "yesno": [("是", "true"), ("否", "false"), ("Y", "true"), ("N", "false"), ("y", "true"),
              ("n", "false"), ("是的", "true"), ("不是", "false"), ("true", "true"),
              ("FALSE", "false"), ("1", "true"), ("0", "false"), ("√", "true"), ("×", "false"),
              ("yes", "true"), ("No", "false"), ("", "")],
    "datetime": [("2026/10/05 14:03", "2026-10-05T14:03:00"),
                 ("2026-10-05 14:03:00", "2026-10-05T14:03:00"),
                 ("2026-10-05T14:03", "2026-10-05T14:03:00"),
                 ("2026年10月5日 14:03", "2026-10-05T14:03:00"),
                 ("2026年10月5日14:03:09", "2026-10-05T14:03:09"),
                 ("2026/10/5", "2026-10-05T00:00:00"),
                 ("2026.10.05 14:03", "2026-10-05T14:03:00"),
                 ("2026-10-05 9:03", "2026-10-05T09:03:00"),
                 ("2026-10-05 14:03:00.5", "2026-10-05T14:03:00.500000"),
                 ("46300.585416667", "2026-10-05T14:03:00"),
                 ("46300.5854", "2026-10-05T14:02:59"),  # 0.5854 day = 14:02:58.56: nearest second
                 ("46300", "2026-10-05T00:00:00"), ("", "")],
    "date": [("2026/10/05", "2026-10-05"), ("2026-10-05", "2026-10-05"),
             ("2026/10/5", "2026-10-05"),
             ("2026年10月5日", "2026-10-05"), ("2026.10.05", "2026-10-05"), ("46300", "2026-10-05"),
             ("2026-10-05 00:00:00", "2026-10-05"), ("", "")],
}


@pytest.mark.parametrize("unit", sorted(UNIT_CASES))
def test_every_unit_format_converts_exactly(tmp_path, unit):
    cases = UNIT_CASES[unit]
    got = convert_values(tmp_path, unit, [raw for raw, _ in cases])
    assert got == expected_csv([want for _, want in cases])


def test_percent_with_sign_becomes_a_fraction(tmp_path):
    got = convert_values(tmp_path, "percent", ["12.5%", "100%", "0%", "-5%", "12 %", "１２．５％",
                                               "0.5%", "1,250%", ""])
    assert got == expected_csv(["0.125", "1", "0", "-0.05", "0.12", "0.125", "0.005", "12.5", ""])


def test_percent_column_of_fractions_without_sign(tmp_path):
    # no value has % and all lie within [-1, 1]: the column is read as fractions
    got = convert_values(tmp_path, "percent", ["0.125", "1", "0", "0.50", ""])
    assert got == expected_csv(["0.125", "1", "0", "0.5", ""])


def test_percent_without_sign_is_ambiguous_when_the_column_is_not_all_fractions(tmp_path):
    src = write_csv(tmp_path / "e.csv", "工号,满意率\n1,12.5%\n2,12.5\n3,0.5\n")
    problems = refused(one_unit("percent", "满意率"), src)
    assert [(p.file, p.row, p.column) for p in problems] == [
        (str(src), 3, "满意率"), (str(src), 4, "满意率")]
    assert "found '12.5' without %" in problems[0].message
    assert "12.5%" in problems[0].message

    src = write_csv(tmp_path / "e.csv", "工号,满意率\n1,95\n2,0.5\n")
    problems = refused(one_unit("percent", "满意率"), src)
    assert [p.row for p in problems] == [2, 3]


# --------------------------------------------------------------------------------------------------
# Encodings and files


EXPORT = ("客服ID,接待时间,首次响应时长,是否解决,订单金额,满意率\n"
          "kf001,2026/10/05 14:03,3分12秒,是,\"1,234.50元\",12.5%\n"
          "kf002,2026年10月5日 9:30,45秒,否,￥12,100%\n")
EXPORT_OUT = ("agent_id,opened_at,first_response,resolved,amount,satisfaction\n"
              "kf001,2026-10-05T14:03:00,192,true,1234.50,0.125\n"
              "kf002,2026-10-05T09:30:00,45,false,12,1\n")
QIANNU = adapter(
    Col("agent_id", ("客服ID", "客服"), "text"),
    Col("opened_at", ("接待时间", "咨询时间"), "datetime"),
    Col("first_response", ("首次响应时长", "首响时长"), "seconds"),
    Col("resolved", ("是否解决",), "yesno"),
    Col("amount", ("订单金额",), "money"),
    Col("satisfaction", ("满意率",), "percent"),
    id="ecommerce_cs.qianniu_chats")


@pytest.mark.parametrize("encoding,newline", [
    ("utf-8", "\n"), ("utf-8-sig", "\r\n"), ("gbk", "\r\n"), ("gb18030", "\n")])
def test_csv_encodings(tmp_path, encoding, newline):
    src = write_csv(tmp_path / "export.csv", EXPORT, encoding, newline)
    out = tmp_path / "tickets.csv"
    result = convert_export(QIANNU, src, out)
    assert out.read_text(encoding="utf-8") == EXPORT_OUT
    assert result == Converted(rows=2, columns={
        "agent_id": "客服ID", "opened_at": "接待时间", "first_response": "首次响应时长",
        "resolved": "是否解决", "amount": "订单金额", "satisfaction": "满意率"})


def test_gbk_problems_name_the_original_file_and_line(tmp_path):
    src = write_csv(tmp_path / "export.csv", EXPORT + "kf003,2026-10-05 10:00,三分钟,是,1,1%\n",
                    "gbk")
    [p] = refused(QIANNU, src)
    assert (p.file, p.row, p.column) == (str(src), 4, "首次响应时长")
    assert p.message.startswith("expected a duration like 3分12秒")
    assert p.message.endswith("found '三分钟'")


def test_neither_utf8_nor_gbk_is_refused_with_its_line(tmp_path):
    src = tmp_path / "export.csv"
    src.write_bytes("工号,值\n1,2\n".encode() + b"3,\xff\xff\n")
    [p] = refused(one_unit("number"), src)
    assert (p.row, p.column) == (3, None)
    assert p.message.startswith("not UTF-8 text, and the file is not GBK/GB18030 text either")


def test_xlsx_with_datetime_cells_serial_numbers_and_typed_cells(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["客服ID", "接待时间", "首次响应时长", "是否解决", "订单金额", "满意率"])
    ws.append(["kf001", dt.datetime(2026, 10, 5, 14, 3), dt.time(0, 3, 12), True, 1234.5, 0.125])
    ws.append([])  # a blank row: skipped, but the sheet rows keep counting
    ws.append(["kf002", 46300.585416667, dt.timedelta(hours=1, minutes=2, seconds=3), "否",
               "￥12", 1])
    ws.append(["kf003", "2026/10/5 9:30", "3分12秒", 0, 12, 0.5])
    ws.append(["kf004", 46300, 192, "Y", None, None])
    ws.cell(2, 6).number_format = "0.0%"
    src = tmp_path / "export.xlsx"
    wb.save(src)
    out = tmp_path / "tickets.csv"
    result = convert_export(QIANNU, src, out)
    assert result.rows == 4
    assert out.read_text(encoding="utf-8") == (
        "agent_id,opened_at,first_response,resolved,amount,satisfaction\n"
        "kf001,2026-10-05T14:03:00,192,true,1234.5,0.125\n"
        "kf002,2026-10-05T14:03:00,3723,false,12,1\n"
        "kf003,2026-10-05T09:30:00,192,false,12,0.5\n"
        "kf004,2026-10-05T00:00:00,192,true,,\n")


def test_xlsx_problems_name_the_sheet_row(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["工号", "值"])
    ws.append(["a", "3分"])
    ws.append([None, None])
    ws.append(["b", "三分钟"])
    src = tmp_path / "export.xlsx"
    wb.save(src)
    [p] = refused(one_unit("seconds"), src)
    assert (p.file, p.row, p.column) == (str(src), 4, "值")
    assert "'三分钟'" in p.message


def test_blank_rows_and_multiline_values_keep_line_numbers_right(tmp_path):
    src = write_csv(tmp_path / "e.csv",
                    '工号,备注,时长\n1,"two\nlines",3分\n\n,,\n2,ok,三分钟\n', newline="\r\n")
    a = adapter(Col("agent_id", ("工号",), "text"), Col("note", ("备注",), "text"),
                Col("v", ("时长",), "seconds"))
    [p] = refused(a, src)
    assert (p.row, p.column) == (6, "时长")
    src = write_csv(tmp_path / "e.csv", '工号,备注,时长\n1,"two\nlines",3分\n\n,,\n2,ok,3秒\n')
    out = tmp_path / "out.csv"
    assert convert_export(a, src, out).rows == 2
    assert out.read_text(encoding="utf-8") == 'agent_id,note,v\n1,"two\nlines",180\n2,ok,3\n'


def test_a_line_with_the_wrong_number_of_values_is_refused(tmp_path):
    src = write_csv(tmp_path / "e.csv", "工号,值\n1,2\n3,4,5\n6\n")
    problems = refused(one_unit("number"), src)
    assert [(p.row, p.message) for p in problems] == [
        (3, "expected 2 values like the header, found 3"),
        (4, "expected 2 values like the header, found 1")]


def test_unsupported_and_missing_files(tmp_path):
    [p] = refused(one_unit("number"), write_csv(tmp_path / "e.xls", "x"))
    assert "save the export as .xlsx or .csv" in p.message
    [p] = refused(one_unit("number"), tmp_path / "nope.csv")
    assert p.message == "file not found"
    [p] = refused(one_unit("number"), write_csv(tmp_path / "e.csv", ""))
    assert p.row == 1 and "header" in p.message


# --------------------------------------------------------------------------------------------------
# Headers


def test_headers_match_after_trimming_and_bracket_variants(tmp_path):
    a = adapter(Col("agent_id", ("工号",), "text"), Col("v", ("时长(秒)",), "seconds"),
                Col("w", ("金额【元】",), "money"))
    src = write_csv(tmp_path / "e.csv", "\ufeff 工号 ,时长（秒）,金额 [元]\n1,3,4元\n")
    out = tmp_path / "out.csv"
    result = convert_export(a, src, out)
    assert result.columns == {"agent_id": "工号", "v": "时长（秒）", "w": "金额 [元]"}
    assert out.read_text(encoding="utf-8") == "agent_id,v,w\n1,3,4\n"


def test_missing_columns_name_the_headers_found_and_looked_for(tmp_path):
    src = write_csv(tmp_path / "e.csv", "客服,时间\nkf1,2026-10-05\n")
    problems = refused(QIANNU, src)
    missing = [p for p in problems if p.message.startswith("missing column")]
    assert [p.column for p in missing] == ["接待时间", "首次响应时长", "是否解决", "订单金额", "满意率"]
    p = missing[1]
    assert p.file == str(src) and p.row is None
    assert "looked for '首次响应时长' or '首响时长'" in p.message
    assert "the headers found are: '客服', '时间'" in p.message
    assert "field first_response" in p.message


def test_a_field_matched_by_two_columns_is_refused(tmp_path):
    src = write_csv(tmp_path / "e.csv", "客服ID,客服,接待时间,首次响应时长,是否解决,订单金额,满意率\n")
    [p] = refused(QIANNU, src)
    assert p.row == 1 and "columns 1 ('客服ID') and 2 ('客服')" in p.message


def test_adapter_mistakes_are_programming_errors(tmp_path):
    src = write_csv(tmp_path / "e.csv", "工号,值\n1,2\n")
    with pytest.raises(ValueError, match="unknown unit 'furlongs'"):
        convert_export(one_unit("furlongs"), src, tmp_path / "out.csv")


# --------------------------------------------------------------------------------------------------
# Refusals: file, line, header, value, expectation


REFUSED = {
    "number": ["abc", "1,23", "1.2.3", "12%", "1e5"],
    "money": ["$12", "12美元", "-¥-5", "1.2万", "(50)"],
    "percent": ["abc", "12.5%%"],
    "seconds": ["三分钟", "3:75", "-5", "3分12", "1:02:75", "3小时后"],
    "yesno": ["已解决", "未解决", "x", "ok"],
    "datetime": ["2026-02-30 10:00", "10/05/2026", "2026-10-05 25:00", "昨天", "2026-10"],
    "date": ["2026-10-05 14:03", "46300.5", "2026-13-01", "20261005"],
}


@pytest.mark.parametrize("unit", sorted(REFUSED))
def test_cells_that_do_not_convert_are_refused_precisely(tmp_path, unit):
    values = REFUSED[unit]
    src = write_csv(tmp_path / "export.csv",
                    "工号,值\n0,\n" + "".join(f"{i},{_q(v)}\n" for i, v in enumerate(values, 1)))
    problems = refused(one_unit(unit), src)
    assert [(p.file, p.row, p.column) for p in problems] == [
        (str(src), i + 2, "值") for i in range(1, len(values) + 1)]
    for p, v in zip(problems, values):
        assert p.message.startswith("expected "), p.message
        assert f"found {v!r}" in p.message


def test_yesno_refusal_names_the_words(tmp_path):
    values = ["是"] + ["已解决"] * 15 + ["未解决"] * 10
    src = write_csv(tmp_path / "e.csv",
                    "工号,是否解决\n" + "".join(f"{i},{v}\n" for i, v in enumerate(values)))
    problems = refused(one_unit("yesno", "是否解决"), src)
    assert len(problems) == 21
    assert problems[0].message == ("expected yes or no (是/否, Y/N, 是的/不是, true/false, 1/0, "
                                   "√/×), found '已解决': this word is not understood")
    assert problems[0].row == 3
    last = problems[-1]
    assert (last.row, last.column) == (None, "是否解决")
    assert last.message == ("and 5 more cells that do not convert in this column (only the first "
                            "20 are listed); the words not understood are: '已解决' (15 rows), "
                            "'未解决' (10 rows)")


def test_every_problem_is_collected_capped_per_column(tmp_path):
    rows = "".join(f"{i},bad{i},x,2026-10-05\n" for i in range(30))
    src = write_csv(tmp_path / "e.csv", "客服,首响时长,是否解决,时间\n" + rows)
    problems = refused(QIANNU, src)
    by_column = {}
    for p in problems:
        by_column.setdefault(p.column, []).append(p)
    assert len(by_column["首响时长"]) == 21 and len(by_column["是否解决"]) == 21
    assert [p.row for p in by_column["首响时长"][:3]] == [2, 3, 4]
    assert by_column["首响时长"][-1].message.startswith("and 10 more cells")
    assert {"订单金额", "满意率"} <= set(by_column)  # the missing columns too


def test_a_refused_export_never_leaves_an_output(tmp_path):
    out = tmp_path / "tickets.csv"
    out.write_text("previous\n", encoding="utf-8")
    src = write_csv(tmp_path / "e.csv", "工号,值\n1,三分钟\n")
    with pytest.raises(DataError):
        convert_export(one_unit("seconds"), src, out)
    assert out.read_text(encoding="utf-8") == "previous\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["e.csv", "tickets.csv"]


def test_a_given_connection_is_left_as_found(tmp_path):
    con = duckdb.connect()
    con.execute("SET preserve_insertion_order = false")
    before = con.execute("SELECT count(*) FROM duckdb_tables()").fetchall()
    src = write_csv(tmp_path / "e.csv", EXPORT, "gbk")
    convert_export(QIANNU, src, tmp_path / "out.csv", con=con)
    with pytest.raises(DataError):
        convert_export(one_unit("seconds"), write_csv(tmp_path / "f.csv", "工号,值\n1,x\n"),
                       tmp_path / "out2.csv", con=con)
    wb = openpyxl.Workbook()
    wb.active.append(["工号", "值"])
    wb.active.append(["1", "3"])
    wb.save(tmp_path / "g.xlsx")
    convert_export(one_unit("seconds"), tmp_path / "g.xlsx", tmp_path / "out3.csv", con=con)
    def one(sql):
        return con.execute(sql).fetchall()

    assert one("SELECT count(*) FROM duckdb_tables()") == before
    assert one("SELECT count(*) FROM duckdb_views() WHERE NOT internal") == [(0,)]
    assert one("SELECT current_setting('preserve_insertion_order')") == [(False,)]


# --------------------------------------------------------------------------------------------------
# Detecting the adapter


GENERIC = adapter(Col("agent_id", ("客服ID", "客服"), "text"),
                  Col("opened_at", ("接待时间",), "datetime"), id="generic")
OTHER = adapter(Col("agent_id", ("工号",), "text"), Col("x", ("工单号",), "text"), id="other")


def test_detect_adapter_picks_the_most_specific(tmp_path):
    src = write_csv(tmp_path / "e.csv", EXPORT, "gbk")
    assert detect_adapter([GENERIC, QIANNU, OTHER], src) is QIANNU
    assert detect_adapter([GENERIC, OTHER], src) is GENERIC
    assert detect_adapter([OTHER], src) is None
    assert match_adapters([GENERIC, QIANNU, OTHER], src) == [QIANNU, GENERIC]


def test_detect_adapter_reads_xlsx_headers_and_refuses_ties(tmp_path):
    wb = openpyxl.Workbook()
    wb.active.append(["工号", "工单号", "接待时间 ", "客服"])
    src = tmp_path / "e.xlsx"
    wb.save(src)
    assert detect_adapter([GENERIC, OTHER], src) is None  # both match two columns: ambiguous
    assert detect_adapter([OTHER], src) is OTHER


# --------------------------------------------------------------------------------------------------
# The output is what the loader reads


def test_output_loads_with_the_loader(tmp_path):
    src = write_csv(tmp_path / "e.csv", EXPORT, "gbk", "\r\n")
    out = tmp_path / "data" / "tickets.csv"
    convert_export(QIANNU, src, out)
    spec = DatasetSpec("tickets", "agent_id", "opened_at", (
        FieldSpec("first_response", "duration", False),
        FieldSpec("resolved", "bool", False),
        FieldSpec("amount", "money", True),
        FieldSpec("satisfaction", "number", True),
    ))
    con = duckdb.connect()
    load_datasets(con, [spec], tmp_path / "data")
    rows = con.execute("SELECT __pid, __at, first_response, resolved, amount, satisfaction "
                       "FROM tickets ORDER BY __row").fetchall()
    assert rows == [
        ("kf001", dt.datetime(2026, 10, 5, 14, 3), Decimal("192"), True, Decimal("1234.5"),
         Decimal("0.125")),
        ("kf002", dt.datetime(2026, 10, 5, 9, 30), Decimal("45"), False, Decimal("12"),
         Decimal("1")),
    ]


def test_units_output_loads_with_the_loader(tmp_path):
    # every converted value of every unit reads back with the loader's types
    kinds = {"number": "number", "money": "money", "seconds": "duration", "minutes": "duration",
             "hours": "duration", "days": "duration", "clock": "duration", "yesno": "bool",
             "datetime": "datetime", "date": "date", "text": "text"}
    for unit, kind in kinds.items():
        d = tmp_path / unit
        d.mkdir()
        convert_values(d, unit, [raw for raw, _ in UNIT_CASES[unit]])
        (d / "out.csv").rename(d / "t.csv")
        spec = DatasetSpec("t", "agent_id", None, (FieldSpec("v", kind, True),))
        con = duckdb.connect()
        load_datasets(con, [spec], d)
        n = con.execute("SELECT count(v) FROM t").fetchall()[0][0]
        assert n == sum(1 for _, want in UNIT_CASES[unit] if want), unit


# --------------------------------------------------------------------------------------------------
# More shapes of real exports


def test_tab_separated_csv_and_header_only_export(tmp_path):
    src = write_csv(tmp_path / "e.csv", "工号\t值\n1\t3分12秒\n2\t\n", "gbk")
    out = tmp_path / "out.csv"
    assert convert_export(one_unit("seconds"), src, out).rows == 2
    assert out.read_text(encoding="utf-8") == "agent_id,v\n1,192\n2,\n"
    src = write_csv(tmp_path / "e.csv", "工号,值\n\n")
    assert convert_export(one_unit("seconds"), src, out).rows == 0
    assert out.read_text(encoding="utf-8") == "agent_id,v\n"


def test_a_broken_xlsx_is_refused(tmp_path):
    src = tmp_path / "e.xlsx"
    src.write_bytes(b"not a zip")
    [p] = refused(one_unit("seconds"), src)
    assert p.file == str(src) and "cannot be read as an Excel .xlsx workbook" in p.message


@settings(max_examples=60, deadline=None)
@given(parts=st.lists(st.tuples(st.integers(0, 400), st.integers(0, 23), st.integers(0, 59),
                                st.integers(0, 59), st.integers(0, 99)), min_size=1, max_size=8))
def test_durations_and_amounts_are_exact(tmp_path_factory, parts):
    tmp = tmp_path_factory.mktemp("exact")
    lines, want = [], []
    for d, h, m, s, c in parts:
        amount = f"¥{d * 1000003 + h:,}.{c:02d}"
        lines.append(f"{d}天{h}小时{m}分{s}.{c:02d}秒,{d}:{h:02d}:{m:02d},\"{amount}\"")
        secs = Decimal(d * 86400 + h * 3600 + m * 60 + s) + Decimal(c) / 100
        want.append(f"{format(secs.normalize(), 'f')},{(d * 60 + h) * 60 + m},"
                    f"{d * 1000003 + h}.{c:02d}")
    src = write_csv(tmp / "e.csv", "a,b,c\n" + "\n".join(lines) + "\n")
    a = adapter(Col("x", ("a",), "seconds"), Col("y", ("b",), "clock"), Col("z", ("c",), "money"))
    out = tmp / "out.csv"
    convert_export(a, src, out)
    assert out.read_text(encoding="utf-8") == "x,y,z\n" + "".join(w + "\n" for w in want)
