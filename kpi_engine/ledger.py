"""The results ledger: every saved run, its inputs and every person's result, in one DuckDB file.

Append-only by construction: this module only ever INSERTs (a test scans it for any other
statement), keys make a stored row impossible to replace, and an appeal's status is the presence
of its resolution row rather than an updated column. Scoring a period again adds version n+1.
Each run is written in one transaction, so a process killed mid-write leaves no trace of it.
"""
from __future__ import annotations

import hashlib
import json
import os
import sys
import time
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from decimal import Decimal
from pathlib import Path

from .errors import KpiError

DEFAULT_FILE = "kpi-ledger.duckdb"
# Test hook for the crash-safety test: seconds to sleep inside the open transaction of a save.
PAUSE_INSIDE_SAVE = "KPI_LEDGER_TEST_PAUSE"

SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
  run_id INTEGER PRIMARY KEY,
  policy_id VARCHAR NOT NULL,
  period VARCHAR NOT NULL,
  version INTEGER NOT NULL,
  policy_file VARCHAR NOT NULL,
  policy_text VARCHAR NOT NULL,
  policy_sha256 VARCHAR NOT NULL,
  params VARCHAR NOT NULL,
  engine_version VARCHAR NOT NULL,
  saved_at TIMESTAMP NOT NULL,
  saved_by VARCHAR NOT NULL,
  appeal_id INTEGER,
  document VARCHAR NOT NULL,
  UNIQUE (policy_id, period, version)
);
CREATE TABLE IF NOT EXISTS run_files (
  run_id INTEGER NOT NULL REFERENCES runs (run_id),
  dataset VARCHAR NOT NULL,
  path VARCHAR NOT NULL,
  sha256 VARCHAR NOT NULL,
  PRIMARY KEY (run_id, dataset)
);
CREATE TABLE IF NOT EXISTS results (
  run_id INTEGER NOT NULL REFERENCES runs (run_id),
  person_id VARCHAR NOT NULL,
  position INTEGER NOT NULL,
  total VARCHAR,
  PRIMARY KEY (run_id, person_id)
);
CREATE TABLE IF NOT EXISTS action_conditions (
  run_id INTEGER NOT NULL REFERENCES runs (run_id),
  person_id VARCHAR NOT NULL,
  action_label VARCHAR NOT NULL,
  held BOOLEAN NOT NULL,
  PRIMARY KEY (run_id, person_id, action_label)
);
CREATE TABLE IF NOT EXISTS appeals (
  appeal_id INTEGER PRIMARY KEY,
  run_id INTEGER NOT NULL REFERENCES runs (run_id),
  person_id VARCHAR NOT NULL,
  reason VARCHAR NOT NULL,
  opened_by VARCHAR NOT NULL,
  opened_at TIMESTAMP NOT NULL
);
CREATE TABLE IF NOT EXISTS appeal_resolutions (
  appeal_id INTEGER PRIMARY KEY REFERENCES appeals (appeal_id),
  decision VARCHAR NOT NULL CHECK (decision IN ('accepted', 'rejected')),
  why VARCHAR NOT NULL,
  evidence VARCHAR NOT NULL,
  resolved_by VARCHAR NOT NULL,
  resolved_at TIMESTAMP NOT NULL,
  before_result VARCHAR NOT NULL,
  after_result VARCHAR NOT NULL,
  new_run_id INTEGER REFERENCES runs (run_id)
);
"""


@dataclass(frozen=True)
class RunRecord:
    run_id: int
    policy_id: str
    period: str
    version: int
    policy_file: str
    policy_sha256: str
    params: dict
    engine_version: str
    saved_at: datetime
    saved_by: str
    appeal_id: int | None

    @property
    def label(self) -> str:
        return f"#{self.run_id} {self.policy_id} {self.period} v{self.version}"


@dataclass(frozen=True)
class AppealRecord:
    appeal_id: int
    run_id: int
    person_id: str
    reason: str
    opened_by: str
    opened_at: datetime
    decision: str | None = None
    why: str | None = None
    evidence: dict | None = None
    resolved_by: str | None = None
    resolved_at: datetime | None = None
    before: dict | None = None
    after: dict | None = None
    new_run_id: int | None = None

    @property
    def status(self) -> str:
        return self.decision or "open"


RUN_COLUMNS = ("run_id, policy_id, period, version, policy_file, policy_sha256, params, engine_version, "
               "saved_at, saved_by, appeal_id")
APPEAL_COLUMNS = ("a.appeal_id, a.run_id, a.person_id, a.reason, a.opened_by, a.opened_at, r.decision, r.why, "
                  "r.evidence, r.resolved_by, r.resolved_at, r.before_result, r.after_result, r.new_run_id")


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def sha256_text(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def now() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None, microsecond=0)


def current_user() -> str:
    import getpass
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


def ledger_path(start: Path) -> Path:
    """kpi.toml's `[ledger] path` (relative to kpi.toml), else kpi-ledger.duckdb beside kpi.toml,
    found in `start` or its parents; with no kpi.toml, kpi-ledger.duckdb in `start`."""
    import tomllib

    for folder in [start, *start.parents]:
        config = folder / "kpi.toml"
        if config.is_file():
            try:
                settings = tomllib.loads(config.read_text(encoding="utf-8")).get("ledger", {})
            except tomllib.TOMLDecodeError as error:
                raise KpiError(f"{config}: {error}") from None
            return folder / settings.get("path", DEFAULT_FILE)
    return start / DEFAULT_FILE


class Ledger:
    """One open ledger file. Use as a context manager; it is closed on exit."""

    def __init__(self, path: Path, create: bool = True, read_only: bool = False):
        import duckdb

        self.path = Path(path)
        if not create and not self.path.exists():
            raise KpiError(f"{self.path}: no ledger here yet (`kpi score --save` creates it)")
        if create:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self.con = duckdb.connect(str(self.path), read_only=read_only)
            if not read_only:
                self.con.execute(SCHEMA)
            self.con.execute("SELECT count(*) FROM runs")
        except duckdb.Error as error:
            raise KpiError(f"{self.path}: cannot open the ledger: {error}") from None

    def __enter__(self) -> "Ledger":
        return self

    def __exit__(self, *exc) -> None:
        self.con.close()

    # -- writing ---------------------------------------------------------------------------
    @contextmanager
    def _transaction(self):
        """All or nothing: a failure (or a kill) before COMMIT leaves nothing behind."""
        self.con.execute("BEGIN TRANSACTION")
        try:
            yield
        except BaseException:
            self.con.execute("ROLLBACK")
            raise
        self.con.execute("COMMIT")

    def save_run(self, run, document: dict, policy_file: str, policy_text: str, params: dict,
                 saved_by: str | None = None) -> RunRecord:
        """Store one scored run (a kpi_engine.execute.engine.Run and its result document) as the
        next version of its policy and period."""
        with self._transaction():
            return self._insert_run(run, document, policy_file, policy_text, params, saved_by, None)

    def _insert_run(self, run, document, policy_file, policy_text, params, saved_by, appeal_id) -> RunRecord:
        from . import __version__
        from .render.result import to_json

        policy_id, period = document["policy"], document["period"]
        files = [(dataset, str(Path(path).resolve()), sha256_file(path)) for dataset, path in sorted(run.files.items())]
        run_id, version = self.con.execute(
            "SELECT coalesce((SELECT max(run_id) FROM runs), 0) + 1, "
            "coalesce((SELECT max(version) FROM runs WHERE policy_id = ? AND period = ?), 0) + 1",
            [policy_id, period]).fetchall()[0]
        saved = RunRecord(run_id, policy_id, period, version, policy_file, sha256_text(policy_text),
                          params, __version__, now(), saved_by or current_user(), appeal_id)
        self.con.execute("INSERT INTO runs VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                         [run_id, policy_id, period, version, policy_file, policy_text, saved.policy_sha256,
                          json.dumps(params, ensure_ascii=False, sort_keys=True), __version__,
                          saved.saved_at, saved.saved_by, appeal_id, to_json(document)])
        if files:
            self.con.executemany("INSERT INTO run_files VALUES (?, ?, ?, ?)", [(run_id, *row) for row in files])
        people = document["people"]
        self._insert_columns("results", run_id, {
            "person_id": [person["id"] for person in people],
            "position": list(range(len(people))),
            "total": [None if person["total"] is None else format(person["total"], "f") for person in people]})
        self._insert_columns("action_conditions", run_id, action_conditions(run))
        self._pause_for_crash_test()
        return saved

    def _insert_columns(self, table: str, run_id: int, columns: dict[str, list]) -> None:
        """Insert a run's rows column-wise through Arrow: one statement, not one per person."""
        import pyarrow

        rows = pyarrow.table(columns)
        if rows.num_rows:
            self.con.register("__ledger_rows", rows)
            try:
                self.con.execute(f"INSERT INTO {table} SELECT ?, * FROM __ledger_rows", [run_id])
            finally:
                self.con.unregister("__ledger_rows")

    def _pause_for_crash_test(self) -> None:
        seconds = os.environ.get(PAUSE_INSIDE_SAVE)
        if seconds:
            print("ledger: inside the save transaction", file=sys.stderr, flush=True)
            time.sleep(float(seconds))

    def open_appeal(self, run_id: int, person_id: str, reason: str, opened_by: str | None = None) -> AppealRecord:
        self.run(run_id)
        self.person_result(run_id, person_id)
        if not reason.strip():
            raise KpiError("an appeal needs a reason (--reason)")
        with self._transaction():
            appeal_id = self.con.execute("SELECT coalesce(max(appeal_id), 0) + 1 FROM appeals").fetchall()[0][0]
            self.con.execute("INSERT INTO appeals VALUES (?, ?, ?, ?, ?, ?)",
                             [appeal_id, run_id, person_id, reason, opened_by or current_user(), now()])
        return self.appeal(appeal_id)

    def reject_appeal(self, appeal_id: int, why: str, resolved_by: str | None = None) -> AppealRecord:
        appeal = self.unresolved_appeal(appeal_id, why)
        unchanged = self.person_result(appeal.run_id, appeal.person_id)
        with self._transaction():
            self._insert_resolution(appeal_id, "rejected", why, {}, resolved_by, unchanged, unchanged, None)
        return self.appeal(appeal_id)

    def accept_appeal(self, appeal_id: int, why: str, evidence: dict, run, document: dict,
                      resolved_by: str | None = None) -> AppealRecord:
        """Store the re-scored run as the period's next version and the resolution that links it,
        with the person's result before and after and who else the re-score changed."""
        appeal = self.unresolved_appeal(appeal_id, why)
        appealed = self.run(appeal.run_id)
        before = self.person_result(appeal.run_id, appeal.person_id)
        with self._transaction():
            saved = self._insert_run(run, document, appealed.policy_file, self.policy_text(appealed.run_id),
                                     appealed.params, resolved_by, appeal_id)
            after = self.person_result(saved.run_id, appeal.person_id)
            evidence = {**evidence, "others_changed": self.changed_people(appeal.run_id, saved.run_id, appeal.person_id)}
            self._insert_resolution(appeal_id, "accepted", why, evidence, resolved_by, before, after, saved.run_id)
        return self.appeal(appeal_id)

    def unresolved_appeal(self, appeal_id: int, why: str) -> AppealRecord:
        appeal = self.appeal(appeal_id)
        if appeal.decision is not None:
            raise KpiError(f"appeal {appeal_id} was already {appeal.decision} by {appeal.resolved_by} "
                           f"at {appeal.resolved_at}; a resolution is never changed (open a new appeal)")
        if not why.strip():
            raise KpiError("a resolution needs its grounds (--why)")
        return appeal

    def _insert_resolution(self, appeal_id, decision, why, evidence, resolved_by, before, after, new_run_id):
        from .render.result import to_json

        self.con.execute("INSERT INTO appeal_resolutions VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                         [appeal_id, decision, why, json.dumps(evidence, ensure_ascii=False, sort_keys=True),
                          resolved_by or current_user(), now(), to_json(before), to_json(after), new_run_id])

    # -- reading ---------------------------------------------------------------------------
    def _run_record(self, row) -> RunRecord:
        *head, params, engine, saved_at, saved_by, appeal_id = row
        return RunRecord(*head, json.loads(params), engine, saved_at, saved_by, appeal_id)

    def runs(self, policy_id: str | None = None, period: str | None = None) -> list[RunRecord]:
        rows = self.con.execute(
            f"SELECT {RUN_COLUMNS} FROM runs WHERE (? IS NULL OR policy_id = ?) AND (? IS NULL OR period = ?) "
            "ORDER BY run_id", [policy_id, policy_id, period, period]).fetchall()
        return [self._run_record(row) for row in rows]

    def run(self, run_id: int) -> RunRecord:
        rows = self.con.execute(f"SELECT {RUN_COLUMNS} FROM runs WHERE run_id = ?", [run_id]).fetchall()
        if not rows:
            raise KpiError(f"{self.path}: no run #{run_id} (see `kpi history`)")
        return self._run_record(rows[0])

    def latest(self, policy_id: str, period: str) -> RunRecord | None:
        found = self.runs(policy_id, period)
        return found[-1] if found else None

    def policy_text(self, run_id: int) -> str:
        return self.con.execute("SELECT policy_text FROM runs WHERE run_id = ?", [run_id]).fetchall()[0][0]

    def document_text(self, run_id: int) -> str:
        """The run's result document exactly as `kpi score --format json` printed it."""
        self.run(run_id)
        return self.con.execute("SELECT document FROM runs WHERE run_id = ?", [run_id]).fetchall()[0][0]

    def files(self, run_id: int) -> list[tuple[str, str, str]]:
        return self.con.execute("SELECT dataset, path, sha256 FROM run_files WHERE run_id = ? ORDER BY dataset",
                                [run_id]).fetchall()

    def people(self, run_id: int) -> dict[str, dict]:
        """Every person's stored result in a run (from its document), by person id."""
        return {person["id"]: person for person in load_json(self.document_text(run_id))["people"]}

    def person_result(self, run_id: int, person_id: str) -> dict:
        found = self.people(run_id).get(person_id)
        if found is None:
            raise KpiError(f"run #{run_id} has no person {person_id!r}")
        return found

    def changed_people(self, old_run: int, new_run: int, except_person: str) -> list[str]:
        """People other than one whose stored result differs between two runs (places and
        payouts move when one person's total does)."""
        old, new = self.people(old_run), self.people(new_run)
        return [pid for pid, result in old.items() if pid != except_person and new.get(pid) != result]

    def totals(self, run_id: int) -> list[tuple[str, str | None]]:
        return self.con.execute("SELECT person_id, total FROM results WHERE run_id = ? ORDER BY position",
                                [run_id]).fetchall()

    def stored_conditions(self, policy_id: str, periods: dict[int, str], actions: list[str]):
        """For history periods (index → label), the latest stored run of each and, as an Arrow
        table in the shape the plan reads (compile.context.STORED_CONDITIONS), whether each
        action's condition held for each person in it."""
        import pyarrow

        stored = {index: run for index, label in periods.items() if (run := self.latest(policy_id, label))}
        held = ", ".join(f'bool_or(held) FILTER (WHERE action_label = ?) AS "__ledger_ac_{n}"'
                         for n in range(len(actions)))
        chosen = ", ".join(f"({run.run_id}, {index})" for index, run in stored.items()) or "(0, 0)"
        result = self.con.execute(
            f"SELECT person_id AS __ledger_pid, chosen.period_index AS __ledger_period, {held} "
            f"FROM action_conditions JOIN (VALUES {chosen}) chosen (run_id, period_index) USING (run_id) "
            f"GROUP BY ALL", list(actions))
        names, rows = [column[0] for column in result.description], result.fetchall()
        return stored, pyarrow.table({name: [row[i] for row in rows] for i, name in enumerate(names)})

    def appeals(self, run_id: int | None = None) -> list[AppealRecord]:
        rows = self.con.execute(
            f"SELECT {APPEAL_COLUMNS} FROM appeals a LEFT JOIN appeal_resolutions r USING (appeal_id) "
            "WHERE ? IS NULL OR a.run_id = ? ORDER BY a.appeal_id", [run_id, run_id]).fetchall()
        return [_appeal_record(row) for row in rows]

    def appeal(self, appeal_id: int) -> AppealRecord:
        rows = self.con.execute(
            f"SELECT {APPEAL_COLUMNS} FROM appeals a LEFT JOIN appeal_resolutions r USING (appeal_id) "
            "WHERE a.appeal_id = ?", [appeal_id]).fetchall()
        if not rows:
            raise KpiError(f"{self.path}: no appeal {appeal_id} (see `kpi appeal list`)")
        return _appeal_record(rows[0])


def _appeal_record(row) -> AppealRecord:
    *head, evidence, resolved_by, resolved_at, before, after, new_run_id = row
    return AppealRecord(*head, load_json(evidence), resolved_by, resolved_at, load_json(before), load_json(after),
                        new_run_id)


def load_json(text: str | None):
    """Stored JSON back with its numbers as exact Decimals, never binary floats."""
    return None if text is None else json.loads(text, parse_float=Decimal)


def action_conditions(run) -> dict[str, list]:
    """Per person and action, whether its condition held in the scored period (column-wise), for
    later runs whose earlier periods' data is gone."""
    index = {name: i for i, name in enumerate(run.columns)}
    columns = {"person_id": [], "action_label": [], "held": []}
    for n, label in enumerate(run.plan.actions):
        columns["person_id"] += [row[index["__pid"]] for row in run.rows]
        columns["action_label"] += [label] * len(run.rows)
        columns["held"] += [bool(row[index[f"ac:{n}"]]) for row in run.rows]
    return columns


def score_policy(policy, period, values: dict, source, data_dir: Path | None, files: dict,
                 ledger: "Ledger | Path | None" = None, appeal_adjustments: dict | None = None,
                 columns: str | None = None, stage=None, quarantine: list | None = None):
    """Compile and run one policy. Earlier periods an action looks back on that have no data
    take their conditions from the latest run the ledger (an open Ledger, or a file opened
    read-only if it exists) stored for them, and the run's warnings say which (LANGUAGE.md:
    "computed from the same data or from stored results"). Given a `quarantine` list, rows with
    bad data are set aside there, and the warnings say which. Given `columns` (a regular expression
    of the result's columns to keep), the plan leaves out the columns only `kpi explain` reads."""
    from .execute.run import set_aside_rows

    before = len(quarantine or [])
    run = _score_policy(policy, period, values, source, data_dir, files, ledger, appeal_adjustments,
                        columns, stage, quarantine)
    run.warnings[:0] = set_aside_rows((quarantine or [])[before:])
    return run


def _score_policy(policy, period, values, source, data_dir, files, ledger, appeal_adjustments, columns, stage,
                  quarantine):
    from .compile.context import STORED_CONDITIONS
    from .compile.plan import compile_policy
    from .execute.engine import connect, dataset_specs, execute, periods_with_data
    from .execute.load import load_datasets

    # a run keeping only the result's columns has no use for those explaining them
    explained = columns is None
    plan = compile_policy(policy, period, values, source, appeal_adjustments=appeal_adjustments, explained=explained)
    history = plan.context.periods
    if len(history) == 1 or ledger is None or not (isinstance(ledger, Ledger) or Path(ledger).is_file()):
        return execute(plan, data_dir, files, columns=columns, stage=stage, quarantine=quarantine)
    con = connect()
    used = load_datasets(con, dataset_specs(plan.policy), data_dir, files, quarantine=quarantine)
    present = periods_with_data(con, plan)
    absent = {index: history[index].label for index in range(1, len(history)) if index not in present}
    if not absent:
        return execute(plan, None, con=con, loaded=used, columns=columns, stage=stage)
    if isinstance(ledger, Ledger):
        stored, conditions = ledger.stored_conditions(policy.id.name, absent, plan.actions)
    else:
        with Ledger(ledger, create=False, read_only=True) as opened:
            stored, conditions = opened.stored_conditions(policy.id.name, absent, plan.actions)
    notes = [f"period {absent[i]} has no data here: its action conditions come from the results "
             f"ledger (run #{run.run_id} v{run.version})" for i, run in sorted(stored.items())]
    notes += [f"period {label} has no data here and no run in the results ledger: "
              f"actions looking back on it do not hold" for i, label in absent.items() if i not in stored]
    if stored:
        import duckdb  # noqa: F401 (sets up the scanning of Arrow tables; see execute.database)

        con.register("__ledger_arrow", conditions)
        con.execute(f"CREATE TABLE {STORED_CONDITIONS} AS SELECT * FROM __ledger_arrow")
        con.unregister("__ledger_arrow")
        plan = compile_policy(policy, period, values, source, tuple(stored), appeal_adjustments, explained)
    run = execute(plan, None, con=con, loaded=used, columns=columns, stage=stage)
    run.warnings[:0] = notes
    return run
