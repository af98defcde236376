"""Diagnostics and the errors that carry them.

A Diagnostic points at a span of a source file and prints like a compiler's:

    policy.kpi:11:7: error: this row can never match ...
       11 |       >= 95% : 120
          |       ^^^^^^^^^^^^
"""
from __future__ import annotations

from dataclasses import dataclass, field

from .span import NO_SPAN, Span


@dataclass(frozen=True)
class Source:
    """A policy text and the path it came from (as the user wrote it)."""
    path: str
    text: str

    def line(self, number: int) -> str:
        lines = self.text.splitlines()
        return lines[number - 1] if 0 < number <= len(lines) else ""


@dataclass(frozen=True)
class Diagnostic:
    severity: str  # "error" | "warning" | "note" (a note explains the diagnostic before it)
    message: str
    span: Span = NO_SPAN
    source: Source | None = field(default=None, compare=False)
    hint: str | None = None

    @property
    def path(self) -> str:
        return self.source.path if self.source else "<policy>"

    @property
    def is_error(self) -> bool:
        return self.severity == "error"

    def excerpt(self) -> str:
        """The source line and a caret under the span (`^^^` up to the line's end)."""
        if not self.source or not self.span.line:
            return ""
        text = self.source.line(self.span.line).replace("\t", " ")
        start = self.span.column
        end = self.span.end_column if self.span.end_line == self.span.line else len(text) + 1
        width = max(1, min(end, len(text) + 1) - start)
        gutter = f"{self.span.line:>5} | "
        pad = "".join("\u3000" if _wide(ch) else " " for ch in text[: start - 1])
        caret = "".join("^^" if _wide(ch) else "^" for ch in text[start - 1: start - 1 + width]) or "^"
        return f"{gutter}{text}\n{' ' * (len(gutter) - 2)}| {pad}{caret}"

    def format(self) -> str:
        head = (f"{self.path}:{self.span.line}:{self.span.column}: {self.severity}: {self.message}"
                if self.span.line else f"{self.severity}: {self.message}")
        parts = [head]
        excerpt = self.excerpt()
        if excerpt:
            parts.append(excerpt)
        if self.hint:
            parts.append(f"      = help: {self.hint}")
        return "\n".join(parts)

    def to_json(self) -> dict:
        return {"path": self.path, "line": self.span.line, "column": self.span.column,
                "end_line": self.span.end_line, "end_column": self.span.end_column,
                "severity": self.severity, "message": self.message, "hint": self.hint}


def _wide(ch: str) -> bool:
    """East Asian wide characters take two terminal columns, so carets under them do too."""
    import unicodedata
    return unicodedata.east_asian_width(ch) in ("W", "F")


def display_width(text: str) -> int:
    """The terminal columns a text takes (a wide character takes two)."""
    return len(text) if text.isascii() else sum(2 if _wide(ch) else 1 for ch in text)


class KpiError(Exception):
    """Base of every error a user can cause; the CLI prints it without a traceback."""


class PolicyError(KpiError):
    """One or more diagnostics with errors in a policy (syntax or meaning)."""

    def __init__(self, diagnostics: list[Diagnostic]):
        self.diagnostics = diagnostics
        super().__init__("\n".join(d.format() for d in diagnostics))


class PolicySyntaxError(PolicyError):
    """The text is not a policy: what was expected, what was found, where."""


class PolicyCheckError(PolicyError):
    """The policy parses but means something wrong (unknown names, weights, bands, types)."""


class ScoringError(KpiError):
    """Scoring refused: a blank without a value, a bad --period, a data problem."""


class PluginError(KpiError):
    """A plugin broke the contract (duplicate ids, bad registrations)."""
