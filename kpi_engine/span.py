"""Where a piece of a policy is in its file. Its own module so that errors (and with them the
command line) do not import the whole syntax tree, whose many dataclasses take a while to build."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Span:
    line: int
    column: int
    end_line: int
    end_column: int
    start: int
    end: int


NO_SPAN = Span(0, 0, 0, 0, 0, 0)
