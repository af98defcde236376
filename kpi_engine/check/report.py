"""Small helpers the passes share to build diagnostics: spans of headers and name parts, and
"did you mean" hints. Passes yield diagnostics without a source; `check_policy` attaches it."""
from __future__ import annotations

import difflib
from decimal import Decimal
from typing import Iterable

from .. import ast
from ..errors import Diagnostic


def span_of(node) -> ast.Span:
    return node if isinstance(node, ast.Span) else node.span


def error(node, message: str, hint: str | None = None) -> Diagnostic:
    return Diagnostic("error", message, span_of(node), None, hint)


def warning(node, message: str, hint: str | None = None) -> Diagnostic:
    return Diagnostic("warning", message, span_of(node), None, hint)


def note(node, message: str) -> Diagnostic:
    """A note belongs to the error or warning yielded just before it and is printed after it."""
    return Diagnostic("note", message, span_of(node), None, None)


def header(node) -> ast.Span:
    """From a block's keyword to the end of its id: `dimension process`, `policy cs_monthly`."""
    start, ident = node.span, node.id.span
    return ast.Span(start.line, start.column, ident.end_line, ident.end_column, start.start,
                    ident.end)


def keyword(node, word: str) -> ast.Span:
    """The span of the keyword a node starts with (`bands`, `linear`, `map`...)."""
    start = node.span
    return ast.Span(start.line, start.column, start.line, start.column + len(word), start.start,
                    start.start + len(word))


def part_span(name: ast.Name, index: int, text: str | None) -> ast.Span:
    """The span of one part of a dotted name: `csat` in `tickets.csat`."""
    span = name.span
    if index == 0 and len(name.parts) == 1:
        return span
    offset, column = span.start, span.column
    source = text[span.start:span.end] if text and span.end > span.start else ".".join(name.parts)
    position = 0
    for i, part in enumerate(name.parts):
        position = source.find(part, position)
        if position < 0:
            return span
        if i == index:
            return ast.Span(span.line, column + position, span.line, column + position + len(part),
                            offset + position, offset + position + len(part))
        position += len(part)
    return span


def closest(name: str, candidates: Iterable[str]) -> str | None:
    """The known name closest to the one written, if any is close."""
    found = difflib.get_close_matches(name, list(dict.fromkeys(candidates)), n=1, cutoff=0.6)
    return found[0] if found else None


def suggest(name: str, candidates: Iterable[str]) -> str | None:
    """`did you mean limit?` when a known name is close to the one written."""
    found = closest(name, candidates)
    return f"did you mean {found}?" if found else None


def listing(names: Iterable[str], limit: int = 8) -> str:
    names = list(dict.fromkeys(names))
    shown = ", ".join(names[:limit])
    return shown + (", ..." if len(names) > limit else "") if names else "none"


def plain(value: Decimal) -> str:
    """A decimal as people write it: 0.9 → "0.9", 100 → "100" (never "1E+2")."""
    return format(value.normalize(), "f")


def text_of(node, text: str | None) -> str:
    """The source text a node was written as (for quoting it in messages)."""
    span = node.span
    if text and span.end > span.start:
        return " ".join(text[span.start:span.end].split())
    if isinstance(node, (ast.Name, ast.Dotted)):
        return str(node)
    if isinstance(node, ast.Literal):
        return node.text or str(node.value)
    return "this"
