"""Syntax highlighting: the Pygments lexer and the TextMate grammar tokenize every policy in the
repository (and every `kpi` sample of the docs) with no error token and no unmatched character;
the TextMate grammar is the one `python -m kpi_engine.highlight` generates from the grammar."""
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from pygments import lexers, token

from kpi_engine.highlight import KpiLexer, textmate_json

ROOT = Path(__file__).resolve().parents[1]
EDITORS = ROOT / "editors"
SKIPPED_FOLDERS = {".venv", "node_modules", "site", ".git"}


def repo_policies() -> list[Path]:
    return sorted(p for p in ROOT.rglob("*.kpi")
                  if not SKIPPED_FOLDERS & set(p.relative_to(ROOT).parts) and not p.name.startswith("."))


def docs_samples() -> list[str]:
    fence = re.compile(r"^```kpi[^\n]*\n(.*?)^```", re.S | re.M)
    return [m.group(1) for page in sorted((ROOT / "docs").glob("*.md"))
            for m in fence.finditer(page.read_text(encoding="utf-8"))]


def error_tokens(text: str) -> list[str]:
    return [value for kind, value in KpiLexer().get_tokens(text) if kind in token.Error]


def test_the_repository_has_policies_to_highlight():
    names = {p.name for p in repo_policies()}
    assert {"seed004_kpi_sheets.kpi", "medium.kpi", "datasets.kpi"} <= names
    assert len(docs_samples()) >= 10


@pytest.mark.parametrize("path", repo_policies(), ids=lambda p: str(p.relative_to(ROOT)))
def test_the_lexer_tokenizes_every_policy_in_the_repo(path):
    assert error_tokens(path.read_text(encoding="utf-8-sig")) == []


def test_the_lexer_tokenizes_every_kpi_sample_of_the_docs():
    assert [(sample[:60], error_tokens(sample)) for sample in docs_samples() if error_tokens(sample)] == []


def test_the_lexer_is_registered_for_pygments_and_tells_tokens_apart():
    assert isinstance(lexers.get_lexer_by_name("kpi"), KpiLexer)
    assert isinstance(lexers.get_lexer_for_filename("policy.kpi"), KpiLexer)
    text = 'indicator 响应 "响应及时率" weight 60% { measure share(t where x <= 30min and ok) }  # 注\n'
    kinds = {value: kind for kind, value in KpiLexer().get_tokens(text) if value.strip()}
    assert kinds["indicator"] is token.Keyword and kinds["weight"] is token.Keyword
    assert kinds["响应"] is token.Name and kinds["share"] is token.Name.Function
    assert kinds['"响应及时率"'] is token.String.Double and kinds["and"] is token.Operator.Word
    assert kinds["60%"] is token.Number and kinds["30min"] is token.Number
    assert kinds["<="] is token.Operator and kinds["{"] is token.Punctuation and kinds["# 注"] is token.Comment.Single


def test_the_lexer_marks_what_the_language_does_not_have():
    assert error_tokens("policy p { weight 5% @ 3 }\n") == ["@"]


def test_the_textmate_grammar_is_generated_from_the_policy_grammar():
    committed = (EDITORS / "kpi.tmLanguage.json").read_text(encoding="utf-8")
    assert committed == textmate_json(), "run: python -m kpi_engine.highlight > editors/kpi.tmLanguage.json"


@pytest.fixture(scope="module")
def textmate(tmp_path_factory):
    """Tokenize files with vscode-textmate (installed from editors/package-lock.json by npm ci)."""
    assert shutil.which("node") and shutil.which("npm"), "node and npm come with scripts/setup-system (nodejs)"
    if not (EDITORS / "node_modules" / "vscode-textmate").is_dir():
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=EDITORS, check=True, capture_output=True, timeout=300)

    def tokenize(paths):
        result = subprocess.run(["node", "tokenize.js", "kpi.tmLanguage.json", *map(str, paths)], cwd=EDITORS,
                                capture_output=True, text=True, timeout=120, check=True)
        return json.loads(result.stdout)
    return tokenize


def test_the_textmate_grammar_matches_every_character_of_every_policy(textmate, tmp_path):
    samples = []
    for number, sample in enumerate(docs_samples()):
        samples.append(tmp_path / f"docs-sample-{number}.kpi")
        samples[-1].write_text(sample, encoding="utf-8")
    unmatched = textmate(repo_policies() + samples)
    assert len(unmatched) == len(repo_policies()) + len(samples)
    assert {path: found for path, found in unmatched.items() if found} == {}


def test_the_textmate_grammar_leaves_foreign_characters_unmatched(textmate, tmp_path):
    policy = tmp_path / "bad.kpi"
    policy.write_text('policy p "制度" {\n  weight 5% @ 3\n}\n', encoding="utf-8")
    assert textmate([policy]) == {str(policy): [[2, 12, " @ "]]}
