"""Quoting for the few SQL statements the data readers write as text (file paths and column names
from the user's files go in only through these)."""
from __future__ import annotations

from collections.abc import Sequence


def ident(name: str) -> str:
    """A quoted identifier: any column or table name, Chinese or with quotes in it."""
    return '"' + name.replace('"', '""') + '"'


def lit(text: str) -> str:
    """A quoted string literal."""
    return "'" + text.replace("'", "''") + "'"


def lit_list(items: Sequence[str]) -> str:
    return "[" + ", ".join(lit(i) for i in items) + "]"


def first_line(error: Exception) -> str:
    """The first line of a DuckDB error, for a one-line problem message."""
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__
