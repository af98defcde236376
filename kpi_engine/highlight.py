"""Syntax highlighting for `.kpi` policies, built from the policy grammar itself.

Two products, one source: `KpiLexer` (Pygments; registered under the `pygments.lexers` entry
point with the alias `kpi`, used by the documentation site) and the TextMate grammar for editors
in `editors/kpi.tmLanguage.json`, written by `python -m kpi_engine.highlight`. Both take the
keywords, operators and literal patterns from the terminals of `grammars/policy.lark`, so a
keyword added to the language is highlighted without touching this file.
"""
from __future__ import annotations

import json
import re
from functools import lru_cache

from pygments import token
from pygments.lexer import RegexLexer

# Keywords that read as values or as operators rather than as structure.
CONSTANT_WORDS = {"true", "false"}
OPERATOR_WORDS = {"and", "or", "not", "in", "is"}
PUNCTUATION = set("{}()[],;:")
# The named terminals of the grammar that are literals, and the token each is shown as. The
# order is the lexer's: a date before a number, a number with a unit before a plain one.
LITERALS = (
    ("DATE", token.Literal.Date, "constant.other.date.kpi"),
    ("PERCENT", token.Number, "constant.numeric.percent.kpi"),
    ("DURATION", token.Number, "constant.numeric.duration.kpi"),
    ("MONEY", token.Number, "constant.numeric.money.kpi"),
    ("NUMBER", token.Number, "constant.numeric.kpi"),
    ("STRING", token.String.Double, "string.quoted.double.kpi"),
)
IDENTIFIER = "ID"
COMMENT = "COMMENT"
BLANK = "BLANK"


@lru_cache(maxsize=1)
def grammar_tokens() -> dict:
    """The grammar's terminals, sorted for highlighting: `patterns` (named terminal → regex),
    `keywords` (the literal words) and `symbols` (the literal operators and punctuation)."""
    from lark.lexer import PatternStr

    from .parse import parser

    patterns, keywords, marks = {}, set(), set()
    for terminal in parser().terminals:
        pattern = terminal.pattern
        if isinstance(pattern, PatternStr) and terminal.name != BLANK:
            (keywords if re.fullmatch(r"\w+", pattern.value) else marks).add(pattern.value)
        else:
            patterns[terminal.name] = pattern.to_regexp()
    # What the grammar `%ignore`s besides comments (Lark names it __IGNORE_n): blanks, tabs, U+3000.
    patterns["SPACE"] = "|".join(p for name, p in patterns.items() if name.startswith("__IGNORE"))
    return {"patterns": patterns, "keywords": sorted(keywords), "symbols": sorted(marks, key=lambda s: (-len(s), s))}


def words(names) -> str:
    """A regex matching any of `names` as a whole word (Unicode letters count as word characters)."""
    return r"(?<!\w)(?:" + "|".join(re.escape(n) for n in sorted(names, key=lambda n: (-len(n), n))) + r")(?!\w)"


def highlight_rules() -> list[tuple[str, object, str | None]]:
    """(regex, Pygments token, TextMate scope) in the order they are tried; the TextMate grammar
    leaves white space unscoped."""
    found = grammar_tokens()
    patterns, keywords = found["patterns"], set(found["keywords"])
    operators = "|".join(re.escape(s) for s in found["symbols"] if s not in PUNCTUATION)
    return [
        (r"\r?\n", token.Whitespace, None),
        (patterns["SPACE"], token.Whitespace, None),
        (patterns[COMMENT], token.Comment.Single, "comment.line.number-sign.kpi"),
        *[(patterns[name], kind, scope) for name, kind, scope in LITERALS],
        (words(CONSTANT_WORDS), token.Keyword.Constant, "constant.language.kpi"),
        (words(OPERATOR_WORDS), token.Operator.Word, "keyword.operator.word.kpi"),
        (words(keywords - CONSTANT_WORDS - OPERATOR_WORDS), token.Keyword, "keyword.other.kpi"),
        (patterns[IDENTIFIER] + r"(?=[ \t]*\()", token.Name.Function, "entity.name.function.kpi"),
        (patterns[IDENTIFIER], token.Name, "variable.other.kpi"),
        (patterns[BLANK], token.Keyword.Pseudo, "constant.language.blank.kpi"),
        (operators, token.Operator, "keyword.operator.kpi"),
        ("[" + re.escape("".join(sorted(PUNCTUATION))) + "]", token.Punctuation, "punctuation.kpi"),
    ]


class KpiLexer(RegexLexer):
    """The `.kpi` policy language of kpi-engine (售后服务绩效考核 policies)."""

    name = "KPI policy"
    aliases = ["kpi"]
    filenames = ["*.kpi"]
    mimetypes = ["text/x-kpi"]
    url = "https://pypi.org/project/kpi-engine/"
    flags = re.MULTILINE | re.UNICODE
    tokens = {"root": [(regex, kind) for regex, kind, _ in highlight_rules()]}


def textmate_grammar() -> dict:
    """The TextMate grammar (VS Code, Sublime Text, GitHub's linguist) with the lexer's rules."""
    return {
        "$schema": "https://raw.githubusercontent.com/martinring/tmlanguage/master/tmlanguage.json",
        "name": "KPI policy",
        "scopeName": "source.kpi",
        "fileTypes": ["kpi"],
        "comment": "Generated from grammars/policy.lark by `python -m kpi_engine.highlight`; do not edit.",
        "patterns": [{"name": scope, "match": regex} for regex, _, scope in highlight_rules() if scope],
    }


def textmate_json() -> str:
    return json.dumps(textmate_grammar(), ensure_ascii=False, indent=2) + "\n"


if __name__ == "__main__":  # pragma: no cover - writes editors/kpi.tmLanguage.json
    import sys

    sys.stdout.write(textmate_json())
