"""`kpi check`: a policy checked like a compiler checks a program.

    result = check_source(Source("policy.kpi", text))
    for diagnostic in result.diagnostics:      # every problem, sorted by position
        print(diagnostic.format())

Each pass is a plain function `(policy, scope) -> Iterator[Diagnostic]` in a module of its own,
listed in `RULES` in the order they run (as sqlglot lists its optimizer rules). Passes yield
diagnostics without a source; a "note" follows the error it explains and stays with it.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Callable, Iterable, Iterator, Mapping

from .. import ast
from ..errors import Diagnostic, PolicySyntaxError, Source
from ..parse import parse
from .advice import check_advice
from .bands import check_bands
from .declarations import check_declarations
from .names import check_names
from .report import error, suggest
from .rules import check_rules
from .scope import Scope, infer_type, merge_preset
from .tree import check_tree
from .types import check_types

__all__ = ["CheckResult", "RULES", "Scope", "check_policy", "check_source", "infer_type"]

Rule = Callable[[ast.Policy, Scope], Iterator[Diagnostic]]

RULES: tuple[Rule, ...] = (
    check_declarations,  # settings, datasets, params, calendar, duplicate ids, extends / drop
    check_names,         # every name resolves; functions and their arguments
    check_rules,         # one scoring rule per indicator, with its measure; rows of the right kind
    check_types,         # types and units of expressions, bounds, scores, settings
    check_tree,          # weights and points add up
    check_bands,         # unreachable rows, gaps, interpolation, scores against `better`
    check_advice,        # warnings: blanks, scores above the max, `is missing` that cannot be
)

_SEVERITY = {"error": 0, "warning": 1, "note": 2}


@dataclass
class CheckResult:
    """The parsed file (None when it does not parse) and every diagnostic, sorted by position."""
    file: ast.PolicyFile | None
    diagnostics: list[Diagnostic]

    @property
    def ok(self) -> bool:
        """True when there is no error (warnings allowed)."""
        return not any(d.is_error for d in self.diagnostics)


def check_source(source: Source, presets: Mapping[str, ast.Policy] | None = None) -> CheckResult:
    """Parse and check every policy of a file; a syntax error becomes the diagnostic list."""
    try:
        file = parse(source.text, source.path)
    except PolicySyntaxError as failure:
        return CheckResult(None, list(failure.diagnostics))
    found: list[Diagnostic] = []
    first: dict[str, ast.Policy] = {}
    for policy in file.policies:
        earlier = first.setdefault(policy.id.name, policy)
        if earlier is not policy:
            found.append(replace(error(policy.id, f"policy {policy.id.name} is already declared on line "
                                                  f"{earlier.span.line}"), source=source))
        found.extend(check_policy(policy, source, presets))
    return CheckResult(file, _sorted(found))


def check_policy(policy: ast.Policy, source: Source | None = None,
                 presets: Mapping[str, ast.Policy] | None = None,
                 rules: Iterable[Rule] = RULES) -> list[Diagnostic]:
    """Every problem of one policy, sorted by position.

    `presets` maps preset names (`ecommerce_cs.small`) to the policies plugins ship; a policy that
    `extends` one is checked merged with it, and preset content is reported at `extends`.
    """
    found: list[Diagnostic] = []
    preset = None
    if policy.extends is not None:
        name = str(policy.extends)
        preset = (presets or {}).get(name)
        if preset is None:
            found.append(error(policy.extends, f"no plugin provides the preset {name}",
                               suggest(name, presets or ()) or
                               "install and enable the plugin that ships it, or remove `extends`"))
        else:
            policy = merge_preset(preset, policy, anchor=policy.extends.span)
    scope = Scope(policy, source.text if source else None, preset=preset,
                  incomplete=policy.extends is not None and preset is None)
    for rule in rules:
        found.extend(rule(policy, scope))
    if source is not None:
        found = [replace(d, source=source) for d in found]
    return _sorted(found)


def _sorted(diagnostics: list[Diagnostic]) -> list[Diagnostic]:
    """By position; a note stays right after the diagnostic it belongs to."""
    groups: list[list[Diagnostic]] = []
    for diagnostic in diagnostics:
        if diagnostic.severity == "note" and groups:
            groups[-1].append(diagnostic)
        else:
            groups.append([diagnostic])
    groups.sort(key=lambda g: (g[0].span.line, g[0].span.column, _SEVERITY.get(g[0].severity, 3)))
    return [d for group in groups for d in group]
