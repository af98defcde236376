"""The documentation cannot drift from the product: every sample in docs/*.md runs here.

- ```kpi blocks are checked with the real checker and must be clean (no error, no warning), unless
  an annotation on the line before the fence says otherwise (see ANNOTATION below);
- ```console blocks are shell sessions: each `$ command` runs (in order, in one temporary folder
  per page that holds the repository's `examples/` and `plugins/`, with `kpi` the installed
  command) and its output must be what the page shows; `...` stands for any text;
- a block annotated `file=PATH` is written to PATH in that folder first, so a page can edit a
  policy or give a data file and the commands after it use it;
- ```python and ```toml blocks must compile / parse. ```sh blocks (installing, building the site)
  are not run: they would install into the environment running the tests; the site build runs below.

The site builds with `mkdocs build --strict`, the CLI reference is what cog generates now, every
hook is documented, and the example plugin of the plugin guide installs and works."""
from __future__ import annotations

import inspect
import os
import re
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from kpi_engine import hookspecs
from kpi_engine.check import check_source
from kpi_engine.errors import Source

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
# `<!-- docs: file=shop/policy.kpi -->`, `<!-- docs: expect-error -->`, `<!-- docs: exit=1 -->`,
# `<!-- docs: fragment -->` (a part of a policy, shown in its context elsewhere: only highlighted),
# `<!-- docs: file=lift/policy.kpi session -->` (extends a preset of the page's own plugin, so it is
# checked in that page's shell session rather than here)
ANNOTATION = re.compile(r"<!--\s*docs:\s*(.*?)\s*-->")
FENCE = re.compile(r"^```(\w*)[^\n]*\n(.*?)^```[ \t]*$", re.S | re.M)
# A whole file shown in a page (pymdownx.snippets), e.g. the example plugin's preset.
SNIPPET = re.compile(r'^--8<-- "([^"]+)"\n', re.M)


@dataclass
class Block:
    page: str
    line: int
    language: str
    text: str
    options: dict = field(default_factory=dict)

    def __str__(self):
        return f"{self.page}:{self.line}"


def blocks(page: Path) -> list[Block]:
    text = page.read_text(encoding="utf-8")
    found = []
    for match in FENCE.finditer(text):
        before = text[:match.start()].rstrip("\n").rsplit("\n", 1)[-1]
        options = {}
        if annotation := ANNOTATION.fullmatch(before.strip()):
            for item in annotation.group(1).split():
                key, _, value = item.partition("=")
                options[key] = value or True
        body = SNIPPET.sub(lambda m: (DOCS / m.group(1)).read_text(encoding="utf-8"), match.group(2))
        found.append(Block(page.name, text.count("\n", 0, match.start()) + 1, match.group(1), body, options))
    return found


def pages() -> list[Path]:
    return sorted(DOCS.glob("*.md"))


def all_blocks(language: str) -> list[Block]:
    return [b for page in pages() for b in blocks(page) if b.language == language]


# ---- policies ----------------------------------------------------------------------------------

@pytest.mark.parametrize("block", [b for b in all_blocks("kpi") if not {"fragment", "session"} & set(b.options)], ids=str)
def test_policy_samples_check_as_the_page_says(block):
    from kpi_engine.cli import presets_if_needed

    result = check_source(Source(str(block), block.text), presets_if_needed(block.text))
    problems = [d.format() for d in result.diagnostics]
    if "expect-error" in block.options:
        assert any(d.is_error for d in result.diagnostics), f"{block} should show an error"
    elif "expect-warning" in block.options:
        assert problems and not any(d.is_error for d in result.diagnostics), "\n".join(problems)
    else:
        assert problems == []


def test_fragments_are_few_and_every_construct_has_a_checked_example():
    samples = all_blocks("kpi")
    checked = "\n".join(b.text for b in samples if "fragment" not in b.options)
    from kpi_engine.highlight import grammar_tokens

    unused = [word for word in grammar_tokens()["keywords"] if not re.search(rf"(?<!\w){word}(?!\w)", checked)]
    assert unused == [], "keywords no checked docs sample uses"
    assert sum("fragment" in b.options for b in samples) <= len(samples) // 3


@pytest.mark.parametrize("block", all_blocks("python") + all_blocks("toml"), ids=str)
def test_python_and_toml_samples_are_valid(block):
    import tomllib

    if block.language == "python":
        compile(block.text, str(block), "exec")
    else:
        tomllib.loads(block.text)


# ---- shell sessions ----------------------------------------------------------------------------

def commands(block: Block) -> list[tuple[str, str]]:
    """The `$ command` lines of a console block, each with the output shown under it."""
    found = []
    for line in block.text.splitlines():
        if line.startswith("$ "):
            found.append([line[2:], []])
        elif found:
            found[-1][1].append(line)
        else:
            raise AssertionError(f"{block}: a console block starts with `$ command`")
    return [(command, "\n".join(output).strip("\n")) for command, output in found]


def expected_pattern(shown: str) -> re.Pattern:
    """The output shown, where `...` alone on a line stands for any lines and inside a line for any text."""
    parts = []
    for line in shown.splitlines():
        if line.strip() == "...":
            parts.append(r"(?:[^\n]*\n?)*?")
        else:
            parts.append(".*?".join(re.escape(piece) for piece in line.rstrip().split("...")) + r"\n")
    return re.compile("".join(parts).removesuffix(r"\n"), re.S)


def normalised(output: str) -> str:
    return "\n".join(line.rstrip() for line in output.strip("\n").splitlines())


@pytest.fixture(scope="module")
def example_plugin(tmp_path_factory) -> Path:
    """The plugin guide's example package, installed with pip into a folder for PYTHONPATH."""
    site = tmp_path_factory.mktemp("example-plugin") / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-build-isolation",
                    "--target", str(site), str(DOCS / "example-plugin")], check=True, capture_output=True)
    return site


def session_env(page: str, request) -> dict:
    env = dict(os.environ, PYTHONUNBUFFERED="1", COLUMNS="100")
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    env.pop("KPI_ENGINE_LOAD_PLUGINS", None)
    if page == "plugins.md":   # the guide's commands run with its example plugin installed
        env["PYTHONPATH"] = str(request.getfixturevalue("example_plugin"))
    return env


@pytest.mark.parametrize("page", [p.name for p in pages() if any(b.language == "console" for b in blocks(p))])
def test_shell_sessions_print_what_the_page_shows(page, tmp_path, request):
    for shared in ("examples", "plugins"):
        (tmp_path / shared).symlink_to(ROOT / shared, target_is_directory=True)
    env = session_env(page, request)
    for block in blocks(DOCS / page):
        if "file" in block.options:
            target = tmp_path / block.options["file"]
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(block.text, encoding="utf-8")
            if block.language == "kpi":
                check = subprocess.run(["kpi", "check", str(target)], cwd=tmp_path, env=env, capture_output=True, text=True)
                assert (check.returncode != 0) == ("expect-error" in block.options), f"{block}:\n{check.stdout}"
        if block.language != "console":
            continue
        for command, shown in commands(block):
            run = subprocess.run(command, shell=True, cwd=tmp_path, env=env, executable="/bin/bash",
                                 stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=300)
            where = f"{block}: $ {command}\n--- printed:\n{run.stdout}"
            assert run.returncode == int(block.options.get("exit", 0)), where
            assert expected_pattern(shown).fullmatch(normalised(run.stdout)), where


def test_the_output_pattern_allows_ellipses_and_nothing_else():
    pattern = expected_pattern("a ... c\n...\nlast")
    assert pattern.fullmatch("a b c\nx\ny\nlast") and pattern.fullmatch("a  c\nlast")
    assert not pattern.fullmatch("a b c\nlast line") and not pattern.fullmatch("a b\nlast")


# ---- the site, the CLI reference, the plugin guide ----------------------------------------------

def test_the_site_builds_without_warnings(tmp_path):
    run = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(tmp_path / "site")],
                         cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    assert "WARNING" not in run.stderr, run.stderr
    page = (tmp_path / "site" / "language" / "index.html").read_text(encoding="utf-8")
    assert 'class="k">indicator</span>' in page, "```kpi blocks are highlighted by the kpi Pygments lexer"


def test_the_cli_reference_is_in_sync_with_the_commands():
    run = subprocess.run([sys.executable, "-m", "cogapp", "--check", "docs/cli.md"], cwd=ROOT,
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, "docs/cli.md is stale: run `cog -r docs/cli.md`\n" + run.stdout + run.stderr


def test_every_hook_is_documented():
    hooks = [name for name, function in inspect.getmembers(hookspecs, inspect.isfunction)
             if hasattr(function, "kpi_engine_spec")]
    guide = (DOCS / "plugins.md").read_text(encoding="utf-8")
    assert hooks and [h for h in hooks if not re.search(rf"^### `{h}\(", guide, re.M)] == []


def test_every_page_is_in_the_navigation():
    import yaml

    nav = yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"))["nav"]
    listed = {next(iter(item.values())) if isinstance(item, dict) else item for item in nav}
    assert {p.name for p in pages()} == listed
