"""The embedded DuckDB a run scores on: which module it comes from, and each run's database.

`import duckdb` takes ~0.1 s, ~0.08 s of it the package's Python side (its relation API, its
version read through importlib.metadata), of which a run uses nothing: connections, their
cursors and the error classes are all in DuckDB's compiled module. Code handing DuckDB a Python
object to scan (`register` of an Arrow table) imports the package first: it sets that scanning up.

Setting up a database takes DuckDB ~20 ms, during which it lets go of Python's lock: `kpi score`
starts it on a thread of its own first thing (`open_early`), and Python imports the rest
meanwhile."""
from __future__ import annotations

import threading


def duckdb_engine():
    """DuckDB's compiled module (before DuckDB 1.4 it is inside the package)."""
    try:
        import _duckdb
    except ImportError:
        import duckdb as _duckdb
    return _duckdb


def connect():
    """A new in-memory database (the one `open_early` opened, if it has not been taken)."""
    if _early:
        return _early.pop().connection()
    return _open()


def open_early() -> None:
    """Start opening the database the next `connect()` returns, on a thread of its own."""
    if not _early:
        _early.append(_Opening())


def _open():
    # DuckDB draws its own progress bar on a terminal; kpi shows its own (kpi_engine.progress);
    # cursors (`parallel.at_once`) start without one. A run reads a Parquet file's footer four
    # times (schema, statistics, view, query): parsed once, on every cursor too (each database has
    # its own cache, and a file changed since is read again).
    con = duckdb_engine().connect(":memory:")
    con.execute("SET enable_progress_bar = false; SET GLOBAL parquet_metadata_cache = true")
    return con


class _Opening:
    """A database being opened by `_open` on a thread; `connection()` waits for it."""

    def __init__(self):
        self._con = self._error = None
        self._thread = threading.Thread(target=self._run, name="kpi-open-duckdb")
        self._thread.start()

    def _run(self) -> None:
        try:
            self._con = _open()
        except BaseException as error:  # raised where the connection is asked for
            self._error = error

    def connection(self):
        self._thread.join()
        if self._error is not None:
            raise self._error
        return self._con


_early: list[_Opening] = []   # list.pop() takes it once, whichever thread asks first
