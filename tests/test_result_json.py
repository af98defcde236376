"""The people of a JSON result are written by DuckDB (`render.result.people_json_sql`); every value
must come out as the bytes Python's writer (`json_scalar`, `number`) gives. Whole results are
compared byte for byte with the goldens Python wrote in `test_examples.py`."""
import tomllib
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest
from hypothesis import given, settings, strategies as st

from kpi_engine.cli import score_runs
from kpi_engine.execute.run import ResultTable
from kpi_engine.render.result import (RESULT_COLUMNS, _json_texts, json_scalar, number,
                                      python_escapes, result_document, result_json, to_json)

ROOT = Path(__file__).resolve().parents[1]

decimals = st.decimals(min_value=Decimal(-10) ** 18, max_value=Decimal(10) ** 18, places=6,
                       allow_nan=False, allow_infinity=False)
texts = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"))


@settings(max_examples=400, deadline=None)
@given(text=texts, amount=decimals, flag=st.none() | st.booleans())
def test_duckdb_writes_each_value_as_python_does(text, amount, flag):
    # each kind of column a result has, its JSON text chosen by its DuckDB type
    con = duckdb.connect()
    con.execute("CREATE TABLE result AS SELECT ?::VARCHAR AS s, ?::DECIMAL(38, 6) AS d, "
                "?::DECIMAL(38, 18) AS q, round(?::DECIMAL(38, 6))::DECIMAL(38, 0) AS w, ?::BOOLEAN AS b, "
                "NULL::DECIMAL(38, 2) AS n, NULL AS untyped",
                [text, amount, amount / 7, amount, flag])
    types = ResultTable(con, "result").types()
    (_, s, d, q, w, b, n, untyped), = con.execute(_json_texts(types, "result")).fetchall()
    (expected_q, expected_w), = con.execute("SELECT q, w FROM result").fetchall()
    assert python_escapes(s.encode()) == json_scalar(text).encode()
    assert d == json_scalar(number(amount))
    assert q == json_scalar(number(expected_q))
    assert w == json_scalar(number(expected_w))
    assert b == json_scalar(flag)
    assert n == untyped == "null"


@settings(deadline=None)  # a DuckDB connection each: slow on a busy machine
@given(st.text(alphabet="\\u0B1F\"x\x1f\x0b", max_size=12))
def test_only_escapes_duckdb_wrote_are_rewritten(text):
    # a backslash of the text itself is written doubled, so `\\u001F` in the text stays as it is
    con = duckdb.connect()
    written = con.execute("SELECT encode(to_json(?::VARCHAR)::VARCHAR)", [text]).fetchall()[0][0]
    assert python_escapes(written) == json_scalar(text).encode()


def scored_example(tmp_path, copies: int):
    """The runs of seed003's sample data scored with its policy written `copies` times in one file."""
    example = ROOT / "examples" / "seed003_quality_evaluation.kpi"
    case = ROOT / "examples" / "data" / "seed003_quality_evaluation" / "quality_eval"
    text = example.read_text(encoding="utf-8")
    policy = tmp_path / "policies.kpi"
    policy.write_text("\n".join(text.replace("policy quality_eval ", f"policy quality_eval_{n} ", 1)
                                for n in range(copies)), encoding="utf-8")
    period = tomllib.loads((case / "case.toml").read_text(encoding="utf-8"))["period"]
    runs = score_runs(str(policy), str(case), period, (), None, columns=RESULT_COLUMNS)
    assert len(runs) == copies
    return runs


def test_a_file_of_several_policies_is_written_as_python_writes_it(tmp_path):
    # the people sit one level deeper in a list of documents: DuckDB writes them at that level
    runs = scored_example(tmp_path, copies=2)
    assert result_json(runs) == (to_json([result_document(run) for run in runs]) + "\n").encode()


def test_a_result_of_nobody_has_an_empty_list_of_people(tmp_path):
    run, = scored_example(tmp_path, copies=1)
    run.result.con.execute(f"DELETE FROM {run.result.name}")
    assert result_json([run]) == (to_json(result_document(run, people=[])) + "\n").encode()
    assert b'"people": []' in result_json([run])


def test_the_people_written_in_parts_at_once_are_the_people_written_in_one(tmp_path, monkeypatch):
    # a part per DuckDB thread once there are enough rows: here three parts of seed003's people
    run, = scored_example(tmp_path, copies=1)
    whole = result_json([run])
    run.result.con.execute("SET threads = 3")
    monkeypatch.setattr("kpi_engine.execute.run._PART_ROWS", 1)
    parts = []
    run.result.query_parts(lambda rows: parts.append(rows) or "SELECT 1")
    assert len(parts) == 3 and parts[0][0] is None and parts[-1][1] is None
    assert [end for _, end in parts[:-1]] == [first for first, _ in parts[1:]]
    assert result_json([run]) == whole


def test_a_part_that_fails_fails_the_whole(tmp_path, monkeypatch):
    run, = scored_example(tmp_path, copies=1)
    run.result.con.execute("SET threads = 2")
    monkeypatch.setattr("kpi_engine.execute.run._PART_ROWS", 1)
    with pytest.raises(duckdb.BinderException):
        run.result.query_parts(lambda rows: "SELECT 1" if rows[0] is None else "SELECT no_such_column")
