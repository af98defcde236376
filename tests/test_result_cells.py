"""The table and CSV a run prints, written by DuckDB from the result table: golden files for two
examples (written by the earlier Python writer and reviewed), and CSV that reads back as the cells,
whatever the text in them."""
import csv
import io
import os
import tomllib
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from kpi_engine.cli import cli
from kpi_engine.execute.run import IndicatorShape, ResultShape, ResultTable, Run, connect
from kpi_engine.render.result import defuse_cell, to_csv, to_table

ROOT = Path(__file__).resolve().parents[1]
GOLDEN = Path(__file__).parent / "fixtures" / "results"


@pytest.mark.parametrize("output", ["csv", "table"])
@pytest.mark.parametrize("case", ["seed002_policy_template.large", "seed004_kpi_sheets.field_rep"])
def test_example_prints_its_golden(case, output):
    """Actions that hold, payouts (0 for none), negative adjustments and scores, '-' for a score
    with no value, Chinese labels padded by their display width."""
    file, policy = case.split(".")
    folder = ROOT / "examples" / "data" / file / policy
    config = tomllib.loads((folder / "case.toml").read_text(encoding="utf-8"))
    result = CliRunner().invoke(cli, ["score", str(ROOT / "examples" / f"{file}.kpi"), "--policy", policy,
                                      "--data", str(folder), "--period", config["period"], "--format", output])
    assert result.exit_code == 0, result.output
    golden = GOLDEN / f"{case}.{output}"
    if os.environ.get("KPI_UPDATE_GOLDEN"):
        golden.write_text(result.stdout, encoding="utf-8")
    assert result.stdout == golden.read_text(encoding="utf-8")


SHAPE = ResultShape("p", "考核", "2026-10", True, (IndicatorShape("x", "指标", Decimal(100)),),
                    ("grade",), ("place",), ("bonus",), ("约谈",))
TEXT = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)).filter(lambda c: c != "\x00"), max_size=8)
SCORE = st.none() | st.decimals(min_value=-1000, max_value=1000, places=6)


def run_of(people) -> Run:
    con = connect()
    con.execute('CREATE TABLE result ("__pid" VARCHAR, "name" VARCHAR, "s:x" DECIMAL(38,18), "adjustments" '
                'DECIMAL(38,2), "total" DECIMAL(38,2), "o:grade" VARCHAR, "d:place" VARCHAR, '
                '"p:bonus" DECIMAL(38,2), "a:0" BOOLEAN)')
    if people:
        con.executemany("INSERT INTO result VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", people)
    return Run(None, [], ResultTable(con, "result"), shape=SHAPE)


def short(value) -> str:
    """A number as the table shows it: rounded half-up to 2 decimals, no trailing zeros."""
    if value is None:
        return "-"
    from decimal import ROUND_HALF_UP
    rounded = value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return format(rounded.normalize(), "f") if rounded else "0"


@settings(max_examples=80, deadline=None)
@given(st.lists(st.tuples(TEXT.filter(str.strip), TEXT, SCORE, SCORE, SCORE, st.none() | TEXT, st.none() | TEXT,
                          SCORE, st.booleans()), max_size=4))
def test_csv_reads_back_as_the_defused_cells(people):
    """Whatever the text (commas, quotes, line breaks, a formula), a CSV reader gets each cell
    back exactly, a carriage return included (Python's csv module with "\\n" lines leaves that one
    bare); a cell a spreadsheet would run as a formula comes back neutralised."""
    people = [(pid, name, s, adj, total.quantize(Decimal("0.01")) if total is not None else None, grade, place,
               bonus, acted) for pid, name, s, adj, total, grade, place, bonus, acted in people]
    expected = [["id", "name", "指标", "调整", "总分", "grade", "place", "bonus", "actions"]]
    for pid, name, s, adj, total, grade, place, bonus, acted in people:
        cells = [pid, name, short(s), short(adj) if total is not None else "-", short(total),
                 "-" if grade is None else grade, "-" if place is None else place,
                 short(bonus) if bonus is not None else "0", "约谈" if acted else ""]
        expected.append([defuse_cell(cell) for cell in cells])
    text = to_csv(run_of(people))
    assert list(csv.reader(io.StringIO(text, newline=""))) == expected
    if not any("\r" in cell for row in expected for cell in row):
        written = io.StringIO()
        csv.writer(written, lineterminator="\n").writerows(expected)
        assert text == written.getvalue()


def test_table_pads_by_display_width():
    table = to_table(run_of([("E1", "张三", Decimal("91.675"), None, Decimal("91.68"), "优秀", None, None, True),
                             ("E22", "Li", None, None, None, None, "A", Decimal("-5.5"), False)]))
    assert table.splitlines()[1:] == [
        "id   name  指标   调整  总分   grade  place  bonus  actions",
        "---  ----  -----  ----  -----  -----  -----  -----  -------",
        "E1   张三  91.68  -     91.68  优秀   -      0      约谈",
        "E22  Li    -      -     -      -      A      -5.5"]


@pytest.mark.parametrize("cell, kept", [("-", True), ("-x", False), ("-5", True), ("+1.5e3", True), ("=SUM(A1)", False),
                                        ("@x", False), ("-Infinity", False), ("优秀", True), ("", True)])
def test_defuse_cell_leaves_numbers_and_plain_text(cell, kept):
    assert (defuse_cell(cell) == cell) is kept
