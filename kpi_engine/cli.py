"""The `kpi` command line. Heavy libraries (duckdb, sqlglot) are imported inside the commands
that need them, so `kpi --help` and `kpi check` start fast."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from . import __version__
from .errors import KpiError


def policy_paths(paths: tuple[str, ...]) -> list[Path]:
    """The files named, and every `.kpi` file under the folders named."""
    found: list[Path] = []
    for name in paths:
        path = Path(name)
        found.extend(sorted(path.rglob("*.kpi")) if path.is_dir() else [path])
    return found


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="kpi")
def cli():
    """kpi: after-sales service performance assessment (售后服务绩效考核).

    Write a scoring policy in the .kpi language, check it like a compiler, and score a period's
    ticket and work-order data with it.
    """


@cli.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True))
@click.option("--format", "output", type=click.Choice(["text", "json"]), default="text",
              help="text for people (default), json for tools.")
def check(paths, output):
    """Check policies: syntax, names, types and units, weights, bands.

    Prints each problem as PATH:LINE:COL: error|warning: message, with the source line and a
    caret. Exits 1 when any policy has an error, 0 otherwise (warnings alone do not fail).
    """
    from .check import check_source
    from .errors import Source

    failed = False
    report = []
    for path in policy_paths(paths):
        result = check_source(Source(str(path), path.read_text(encoding="utf-8")))
        failed |= any(d.is_error for d in result.diagnostics)
        report.extend(result.diagnostics)
    if output == "json":
        click.echo(json.dumps([d.to_json() for d in report], ensure_ascii=False, indent=1))
    else:
        for diagnostic in report:
            click.echo(diagnostic.format(), err=False)
        errors = sum(d.is_error for d in report)
        warnings = len(report) - errors
        if report:
            click.echo(f"{errors} error(s), {warnings} warning(s)", err=True)
    sys.exit(1 if failed else 0)


@cli.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True))
@click.option("--check", "check_only", is_flag=True, help="Only report files that would change (exit 1 if any).")
@click.option("--stdout", "to_stdout", is_flag=True, help="Print the formatted text instead of writing files.")
def fmt(paths, check_only, to_stdout):
    """Rewrite policies in the one canonical layout, keeping comments.

    Formatting never changes what a policy means, and formatting twice changes nothing more.
    """
    from .fmt import format_text

    changed = []
    for path in policy_paths(paths):
        text = path.read_text(encoding="utf-8")
        try:
            formatted = format_text(text, str(path))
        except KpiError as error:
            click.echo(str(error), err=True)
            sys.exit(1)
        if to_stdout:
            click.echo(formatted, nl=False)
        elif formatted != text:
            changed.append(path)
            if check_only:
                click.echo(f"would reformat {path}")
            else:
                _write_atomically(path, formatted)
                click.echo(f"reformatted {path}")
    if check_only and changed:
        sys.exit(1)


def _write_atomically(path: Path, text: str) -> None:
    """Write beside the target, then rename over it: a crash never leaves half a file."""
    temporary = path.with_name(f".{path.name}.kpi-tmp")
    temporary.write_text(text, encoding="utf-8")
    temporary.replace(path)


def main():  # pragma: no cover - console entry for `python -m kpi_engine`
    try:
        cli(standalone_mode=True)
    except KpiError as error:
        click.echo(str(error), err=True)
        sys.exit(1)
