"""Statements run side by side on one DuckDB database. DuckDB runs a query over a small input (a
roster, 5,000 people's results: one row group) on one thread, so independent statements of a run
(each Parquet file's checks, the parts of the people's JSON) left the other core idle. Each runs
on a cursor (a connection of its own to the same database) on a thread of its own: DuckDB lets go
of Python's lock while a statement runs."""
from __future__ import annotations

import threading
from typing import Callable, Sequence


def at_once(con, tasks: Sequence[Callable]) -> list:
    """Each task's value (``task(connection)``), in order: the first task runs on ``con`` in this
    thread, the others each on a cursor of ``con`` and a thread of their own, all at once. A task
    that raises makes this raise it, once every task has ended (the first task's exception
    first). The tasks see the database's tables and views, not ``con``'s temporary ones."""
    values: list = [None] * len(tasks)
    failures: list[tuple[int, BaseException]] = []

    def run(index: int, connection) -> None:
        try:
            values[index] = tasks[index](connection)
        except BaseException as failure:  # raised again in the calling thread
            failures.append((index, failure))

    cursors = [con.cursor() for _ in tasks[1:]]
    helpers = [threading.Thread(target=run, args=(index, cursor)) for index, cursor in enumerate(cursors, 1)]
    for helper in helpers:
        helper.start()
    if tasks:
        run(0, con)
    for helper, cursor in zip(helpers, cursors):
        helper.join()
        cursor.close()
    if failures:
        raise min(failures, key=lambda failure: failure[0])[1]
    return values
