"""Run a compiled plan on Spark SQL: the same sqlglot tree the DuckDB plan comes from, written in
the Spark dialect after a few named transforms, over the datasets Spark reads itself.

Decimal semantics: the plan gives every number an explicit DECIMAL(38, s); Spark keeps those
scales when `spark.sql.decimalOperations.allowPrecisionLoss` is off (sums, products and CASE
branches stay at the scale DuckDB gives) and, with ANSI mode on, an overflow is an error instead
of a silent NULL. HUGEINT (the long division's unscaled integers) becomes DECIMAL(38, 0), whose
`div` truncates toward zero and whose `%` keeps the dividend's sign, as DuckDB's do.

pyspark is imported only here, and this module only for `kpi score --engine spark`.
"""
from __future__ import annotations

import csv
import os
from collections.abc import Mapping, Sequence
from pathlib import Path

from sqlglot import exp

from ..compile.numbers import ONE_STEP
from ..compile.plan import Plan
from ..errors import KpiError
from .engine import Run, dataset_specs, result_shape, unmatched_queries
from .run import ResultTable, unmatched_records
from .load import (_DATE_FORMATS, _DATETIME_FORMATS, _EXPECTED, _EXPECTED_AT, MAX_PER_COLUMN, SQL_TYPES,
                   DataError, DataProblem, DatasetSpec, _find_file)

#: Session settings the plan's semantics depend on (see the module docstring).
SESSION_CONF = {
    "spark.sql.ansi.enabled": "true",
    "spark.sql.decimalOperations.allowPrecisionLoss": "false",
    "spark.sql.session.timeZone": "UTC",      # file times and the plan's period bounds are both naive
    "spark.sql.caseSensitive": "true",        # dataset fields are matched by exact name
    "spark.ui.showConsoleProgress": "false",
}


class SparkError(KpiError):
    """Spark could not be started or refused the query."""


# -- the Spark dialect of the plan -----------------------------------------------------------------

def _hugeint_as_decimal(node: exp.Expression) -> exp.Expression:
    """HUGEINT has no Spark type; DECIMAL(38, 0) holds the same integers exactly."""
    if isinstance(node, exp.DataType) and node.this in (exp.DataType.Type.INT128, exp.DataType.Type.UINT128):
        return exp.DataType.build("DECIMAL(38, 0)")
    return node


def _struct_pack_as_named_struct(node: exp.Expression) -> exp.Expression:
    """DuckDB's struct_pack(t := a, n := b) (the ordering key of first/last) is Spark's
    named_struct('t', a, 'n', b); structs compare field by field in both."""
    if isinstance(node, exp.Anonymous) and node.name.lower() == "struct_pack":
        args = []
        for field in node.expressions:
            args += [exp.Literal.string(field.this.name), field.expression]
        return exp.Anonymous(this="named_struct", expressions=args)
    return node


def _median_exactly(node: exp.Expression) -> exp.Expression:
    """Spark's median() is a DOUBLE; the plan's median of DECIMAL(38, s) values is the mean of the
    middle two at scale s (the plan already gave it one more digit than the field): take them from
    the sorted list of the values and halve their sum by multiplying with 0.5, which is exact."""
    if not isinstance(node, exp.Median):
        return node
    value = node.this
    values = exp.Anonymous(this="sort_array", expressions=[exp.Anonymous(this="collect_list", expressions=[value])])
    size = exp.Anonymous(this="size", expressions=[values.copy()])
    one, two = exp.Literal.number(1), exp.Literal.number(2)
    lower = _element(values.copy(), exp.IntDiv(this=exp.Paren(this=exp.Add(this=size.copy(), expression=one.copy())),
                                               expression=two.copy()))
    upper = _element(values.copy(), exp.Add(this=exp.IntDiv(this=size.copy(), expression=two.copy()), expression=one.copy()))
    half = exp.Cast(this=exp.Literal.number("0.5"), to=exp.DataType.build("DECIMAL(38, 1)"))
    middle = exp.Mul(this=exp.Paren(this=exp.Add(this=lower, expression=upper)), expression=half)
    # no values: NULL, as DuckDB's median
    return exp.Case(ifs=[exp.If(this=exp.GT(this=size, expression=exp.Literal.number(0)), true=middle)])


def _element(values: exp.Expression, index: exp.Expression) -> exp.Expression:
    """values[index], NULL past the end. Spark fails on index 0 even inside a CASE branch that is
    not taken (subexpression elimination may evaluate it first), so the index is at least 1: the
    callers' CASE gives the NULL an index 0 stands for."""
    at_least_one = exp.func("greatest", exp.Cast(this=index, to=exp.DataType.build("INT")), exp.Literal.number(1))
    return exp.Anonymous(this="try_element_at", expressions=[values, at_least_one])


def _lists_as_arrays(node: exp.Expression) -> exp.Expression:
    """percentile(): DuckDB's list/list_sort/list_extract are Spark's collect_list/sort_array/
    try_element_at; index 0 (no values) is NULL, as on DuckDB."""
    if isinstance(node, exp.List):
        return exp.Anonymous(this="collect_list", expressions=node.expressions)
    if isinstance(node, exp.Anonymous) and node.name.lower() == "list_sort":
        node.set("this", "sort_array")
    if isinstance(node, exp.Anonymous) and node.name.lower() == "list_extract":
        values, index = node.expressions
        return exp.Case(ifs=[exp.If(this=exp.GT(this=index.copy(), expression=exp.Literal.number(0)),
                                    true=_element(values, index.copy()))])
    return node


def _long_division_only(tree: exp.Expression) -> exp.Expression:
    """A quotient's one-step branch (`numbers.div`) needs a 128-bit integer quotient; Spark's
    `div` gives 64 bits, so Spark takes the long division for every quotient: each branch marked
    ONE_STEP gives way to what its mark holds (the long division, or nothing where it follows)."""
    while True:   # a long division put in place may hold quotients marked in turn
        marked = [case for case in tree.find_all(exp.Case)
                  if any(ONE_STEP in branch.meta for branch in case.args.get("ifs") or [])]
        if not marked:
            return tree
        for case in marked:
            kept = [branch.meta[ONE_STEP] if ONE_STEP in branch.meta else branch for branch in case.args["ifs"]]
            case.set("ifs", [branch.copy() for branch in kept if branch is not None])


TRANSFORMS = (_hugeint_as_decimal, _struct_pack_as_named_struct, _median_exactly, _lists_as_arrays)


def spark_sql(query: exp.Expression, pretty: bool = False) -> str:
    """The plan (or any query built like it) as Spark SQL text."""
    tree = _long_division_only(query.copy())
    # children before parents, so a rewritten node's arguments are rewritten too
    for node in reversed(list(tree.dfs())):
        new = node
        for transform in TRANSFORMS:
            new = transform(new)
        if new is not node:
            if node is tree:
                tree = new
            else:
                node.replace(new)
    return tree.sql(dialect="spark", pretty=pretty)


# -- the session -----------------------------------------------------------------------------------

def session(master: str | None = None):
    """A Spark session with the settings the plan needs (an existing one is reused and set)."""
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    try:
        from pyspark import SparkConf
        from pyspark.sql import SparkSession
    except ImportError:
        raise SparkError("--engine spark needs PySpark: pip install 'kpi-engine[spark]' (and Java 17)") from None
    builder = SparkSession.builder.appName("kpi score")
    for key, value in SESSION_CONF.items():
        builder = builder.config(key, value)
    try:
        if master:
            builder = builder.master(master)
        elif not os.environ.get("SPARK_REMOTE") and not SparkConf().contains("spark.master"):
            # no master from spark-submit or spark-defaults.conf: this machine's cores
            builder = builder.master("local[*]")
        spark = builder.getOrCreate()
    except Exception as error:  # JVM missing, master unreachable: py4j and Spark raise many kinds
        raise SparkError(f"could not start Spark ({master or 'local'}): {str(error).strip().splitlines()[0]}") from None
    for key, value in SESSION_CONF.items():
        if not key.startswith("spark.ui."):
            spark.conf.set(key, value)
    if hasattr(spark, "sparkContext") and not os.environ.get("SPARK_REMOTE"):
        # kpi reports Spark's refusals itself; the JVM's own error logs would repeat them at length
        spark.sparkContext.setLogLevel("FATAL")
    return spark


# -- reading the datasets --------------------------------------------------------------------------

def _strptime_to_spark(pattern: str) -> str:
    """A load.py strptime format as a Spark datetime pattern (fractions: 1 to 6 digits)."""
    for duck, java in (("%Y", "yyyy"), ("%m", "MM"), ("%d", "dd"), ("%H", "HH"), ("%M", "mm"),
                       ("%S", "ss"), ("%f", "[SSSSSS]"), ("T", "\\'T\\'")):
        pattern = pattern.replace(duck, java)
    return pattern


def _text(raw: str) -> str:
    # Like DuckDB's trim(): Unicode spaces too (no-break, ideographic), not only ' '.
    return f"nullif(regexp_replace({raw}, '^[\\\\s\\\\p{{Z}}]+|[\\\\s\\\\p{{Z}}]+$', ''), '')"


def _typed(raw: str, native: str, kind: str) -> str:
    """Spark SQL typing one raw column as a field type, NULL where a value does not convert:
    the same accepted forms as load.py's DuckDB typing."""
    if native != "string":
        if kind in ("number", "money", "duration") and (native.startswith("decimal") or native in _INTEGER_TYPES):
            return f"try_cast({raw} AS {SQL_TYPES[kind]})"
        if kind == "bool" and native == "boolean":
            return raw
        if kind == "bool" and native in _INTEGER_TYPES:
            return f"CASE {raw} WHEN 1 THEN true WHEN 0 THEN false END"
        if kind == "datetime" and native in ("timestamp", "timestamp_ntz", "date"):
            return f"CAST({raw} AS TIMESTAMP)"
        if kind == "date" and native == "date":
            return raw
        raw = f"CAST({raw} AS STRING)"
    s = _text(raw)
    if kind == "text":
        return s
    if kind in ("number", "money", "duration"):
        plain = f"{s} RLIKE '^[+-]?([0-9]+[.]?[0-9]*|[.][0-9]+)([eE][+-]?[0-9]+)?$'"
        return f"CASE WHEN {plain} THEN try_cast({s} AS {SQL_TYPES[kind]}) END"
    if kind == "bool":
        return (f"CASE lower({s}) WHEN 'true' THEN true WHEN '1' THEN true "
                f"WHEN 'false' THEN false WHEN '0' THEN false END")
    formats = _DATETIME_FORMATS if kind == "datetime" else _DATE_FORMATS
    parsed = "coalesce(" + ", ".join(f"try_to_timestamp({s}, '{_strptime_to_spark(f)}')" for f in formats) + ")"
    return parsed if kind == "datetime" else f"CAST({parsed} AS DATE)"


_INTEGER_TYPES = {"tinyint", "smallint", "int", "bigint"}


def _read(spark, spec: DatasetSpec, path: Path, problems: list[DataProblem]):
    """The file as a DataFrame of raw columns (c0, c1, …), its header, and the SQL giving each
    record's position; None when Spark cannot read it."""
    from pyspark.sql.types import StringType, StructField, StructType

    suffix = path.suffix.lower()
    file = str(path)
    if suffix == ".csv":
        first = spark.read.text(file).limit(1).collect()
        if not first or not first[0][0].strip():
            problems.append(DataProblem(file, 1 if first else None, None,
                                        "empty file or empty line 1: the first line must be the header naming the columns"))
            return None
        header = [h.strip() for h in next(csv.reader([first[0][0].lstrip("\ufeff")]))]
        schema = StructType([StructField(f"c{i}", StringType()) for i in range(len(header))])
        # multiLine: quoted values may hold line breaks (the file is then read by one task);
        # FAILFAST: a line that cannot be split is an error, never a row of NULLs.
        frame = spark.read.csv(file, schema=schema, header=True, enforceSchema=True, multiLine=True,
                               encoding="UTF-8", quote='"', escape='"', mode="FAILFAST")
        # One unsplit file is one partition, so the id counts its records in file order (the
        # roster's order is the result's order; first/last break ties on time by it).
        return frame, header, "monotonically_increasing_id() + 1"
    if suffix == ".parquet":
        frame = spark.read.parquet(file)
        header = list(frame.columns)
        frame = frame.select(*[frame[f"`{name}`"].alias(f"c{i}") for i, name in enumerate(header)], "_metadata.row_index")
        return frame, header, "row_index + 1"
    problems.append(DataProblem(file, None, None, f"the Spark engine reads .csv and .parquet files, not {suffix or 'extension-less'} ones: "
                                                  "save the sheet as CSV UTF-8, or score it with --engine duckdb"))
    return None


def _load_one(spark, spec: DatasetSpec, path: Path) -> list[DataProblem]:
    """Type one dataset into a temporary view named as the dataset, or return its problems."""
    problems: list[DataProblem] = []
    try:
        read = _read(spark, spec, path, problems)
    except Exception as error:
        return [DataProblem(str(path), None, None, f"cannot be read: {_first_line(error)}")]
    if read is None:
        return problems
    frame, header, row_sql = read
    file = str(path)
    wanted = [("__pid", spec.person, "text", False, "person")]
    if spec.at is not None:
        wanted.append(("__at", spec.at, "datetime", False, "at"))
    wanted += [(f.name, f.name, f.type, f.nullable, "field") for f in spec.fields]
    found = ", ".join(h for h in header if h) or "(no column names)"
    natives = dict(frame.dtypes)
    typed, checks = [f"CAST({row_sql} AS BIGINT) AS __row"], []
    for out, name, kind, nullable, role in wanted:
        places = [i for i, h in enumerate(header) if h == name]
        if not places:
            what = {"person": f"the person column (`by {name}`)", "at": f"the time column (`at {name}`)",
                    "field": "a declared field"}[role]
            problems.append(DataProblem(file, None, name, f"missing column {name!r}, {what} of dataset {spec.name}; "
                                                          f"the columns found are: {found}"))
            continue
        if len(places) > 1:
            problems.append(DataProblem(file, None, name, f"the header names column {name!r} more than once "
                                                          f"(columns {' and '.join(str(i + 1) for i in places)})"))
            continue
        raw = f"c{places[0]}"
        value = _typed(raw, natives[raw], kind)
        typed.append(f"{value} AS `{out}`")
        if not (nullable and kind == "text"):
            # a problem: a non-empty cell that did not convert, or an empty one where none is allowed
            empty = f"{_text(raw)} IS NULL" if natives[raw] == "string" else f"{raw} IS NULL"
            bad = f"`{out}` IS NULL AND NOT ({empty})" if nullable else f"`{out}` IS NULL"
            checks.append((name, kind, role, nullable, raw, bad))
    if problems:
        return problems
    frame.createOrReplaceTempView("__kpi_raw")
    staged = spark.sql(f"SELECT {', '.join(typed)}, * FROM __kpi_raw")
    staged.createOrReplaceTempView("__kpi_staged")
    # Spark decodes bytes that are not UTF-8 as U+FFFD instead of failing: count those rows too.
    is_csv = path.suffix.lower() == ".csv"
    undecodable = (f"count_if(concat_ws('', {', '.join(f'c{i}' for i in range(len(header)))}) LIKE '%\ufffd%')"
                   if is_csv else "0")
    counts = spark.sql("SELECT " + ", ".join([f"count_if({bad})" for *_, bad in checks] + [undecodable])
                       + " FROM __kpi_staged").collect()[0]
    if counts[-1]:
        problems.append(DataProblem(file, None, None, f"the file is not UTF-8 text (it may be GBK): {counts[-1]} line(s) "
                                                      "do not decode; save it as UTF-8, e.g. Excel's 'CSV UTF-8'"))
        counts = [0] * len(checks)    # the values of a misread file say nothing more
    for (name, kind, role, nullable, raw, bad), count in zip(checks, counts):
        if not count:
            continue
        examples = spark.sql(f"SELECT __row, {raw} FROM __kpi_staged WHERE {bad} ORDER BY __row LIMIT {MAX_PER_COLUMN}").collect()
        shown = ", ".join("empty" if value is None or not str(value).strip() else repr(value) for _, value in examples)
        expected = {"person": "a person id", "at": _EXPECTED_AT}.get(role) or _EXPECTED.get(kind, kind)
        rule = "" if nullable else f" ({name} is not declared nullable: add ? to its type to allow empty cells)"
        where = ("for line numbers score it once with --engine duckdb" if is_csv
                 else f"records {', '.join(str(r) for r, _ in examples)}")
        problems.append(DataProblem(file, None, name, f"{count} value(s) are not {expected}{rule}: {shown}"
                                                      f"{' …' if count > len(examples) else ''} ({where})"))
    if spec.at is None:
        duplicates = spark.sql("SELECT __pid, count(*) FROM __kpi_staged WHERE __pid IS NOT NULL GROUP BY __pid "
                               f"HAVING count(*) > 1 ORDER BY __pid LIMIT {MAX_PER_COLUMN}").collect()
        for pid, count in duplicates:
            problems.append(DataProblem(file, None, spec.person, f"person id {pid!r} appears {count} times; dataset "
                                                                 f"{spec.name} has no `at` time, so it needs exactly one row per person"))
    if not problems:
        columns = ["__row"] + [f"`{out}`" for out, *_ in wanted]
        spark.sql(f"SELECT {', '.join(columns)} FROM __kpi_staged").cache().createOrReplaceTempView(spec.name)
    spark.catalog.dropTempView("__kpi_staged")
    spark.catalog.dropTempView("__kpi_raw")
    return problems


def load_datasets(spark, specs: Sequence[DatasetSpec], data_dir: Path | None,
                  files: Mapping[str, Path] | None = None) -> dict[str, Path]:
    """One temporary view per dataset, typed and checked as load.py does; DataError otherwise."""
    problems: list[DataProblem] = []
    used: dict[str, Path] = {}
    for spec in specs:
        path = _find_file(spec, data_dir, files, problems)
        if path is not None:
            used[spec.name] = path
            problems += _load_one(spark, spec, path)
    if problems:
        for spec in specs:
            spark.catalog.dropTempView(spec.name)
        raise DataError(problems)
    return used


# -- running the plan ------------------------------------------------------------------------------

def execute(plan: Plan, data_dir: Path | None, files: dict[str, Path] | None = None, spark=None) -> Run:
    spark = spark or session()
    used = load_datasets(spark, dataset_specs(plan.policy), data_dir, files or {})
    try:
        warnings = unmatched_records(lambda sql: [tuple(row) for row in spark.sql(sql).collect()],
                                     plan.context.roster.id.name, unmatched_queries(plan, spark_sql), used)
        frame = spark.sql(spark_sql(plan.query))
        result = ResultTable.of_arrow(frame.toArrow())
    except Exception as error:
        if isinstance(error, KpiError):
            raise
        raise SparkError(f"Spark refused the plan of policy {plan.policy.id.name}: {_first_line(error)}") from None
    finally:
        for name in used:
            spark.catalog.dropTempView(name)
    return Run(plan, frame.columns, result, warnings, used, result_shape(plan))


def _first_line(error: Exception) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__
