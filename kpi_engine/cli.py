"""The `kpi` command line. Heavy libraries (duckdb, sqlglot) are imported inside the commands
that need them, so `kpi --help` and `kpi check` start fast."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from . import __version__
from .errors import KpiError, Source


def read_policy(path: Path) -> str:
    """A policy file's text: UTF-8 (a BOM is fine); anything else is refused by name."""
    try:
        return path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise click.ClickException(f"{path}: not UTF-8 text (byte {error.start}); save the policy as UTF-8") from None
    except OSError as error:
        raise click.ClickException(f"{path}: {error.strerror}") from None


def policy_paths(paths: tuple[str, ...]) -> list[Path]:
    """The files named, and every `.kpi` file under the folders named."""
    found: list[Path] = []
    for name in paths:
        path = Path(name)
        found.extend(sorted(path.rglob("*.kpi")) if path.is_dir() else [path])
    return found


class KpiGroup(click.Group):
    """The `kpi` group. Commands from plugins (the built-in project commands included) are added
    through the register_commands hook the first time a command is not found or the commands
    are listed, so `kpi check` and `kpi score` never pay for loading plugins."""

    plugins_loaded = False

    def load_plugin_commands(self):
        if not self.plugins_loaded:
            self.plugins_loaded = True
            from .plugins import plugin_manager
            plugin_manager().hook.register_commands(cli=self)

    def get_command(self, ctx, name):
        command = super().get_command(ctx, name)
        if command is None:
            self.load_plugin_commands()
            command = super().get_command(ctx, name)
        return command

    def list_commands(self, ctx):
        self.load_plugin_commands()
        return super().list_commands(ctx)


@click.group(cls=KpiGroup, context_settings={"help_option_names": ["-h", "--help"]})
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
        text = read_policy(path)
        result = check_source(Source(str(path), text), presets_if_needed(text))
        failed |= any(d.is_error for d in result.diagnostics)
        report.extend(result.diagnostics)
    if output == "json":
        click.echo(json.dumps([d.to_json() for d in report], ensure_ascii=False, indent=1))
    else:
        for diagnostic in report:
            click.echo(diagnostic.format(), err=False)
        errors = sum(d.is_error for d in report)
        warnings = sum(d.severity == "warning" for d in report)
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
        text = read_policy(path)
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
                write_atomically(path, formatted)
                click.echo(f"reformatted {path}")
    if check_only and changed:
        sys.exit(1)


def load_policies(path: str, policy_id: str | None):
    """Parse and check a policy file; refuse it (printing every diagnostic) if it has errors."""
    from .check import check_source
    from .errors import Source

    text = read_policy(Path(path))
    presets = presets_if_needed(text)
    result = check_source(Source(path, text), presets)
    errors = [d for d in result.diagnostics if d.is_error]
    if errors:
        for diagnostic in errors:
            click.echo(diagnostic.format(), err=True)
        raise click.ClickException(f"{path} has {len(errors)} error(s); run `kpi check {path}`")
    policies = list(result.file.policies)
    if presets:
        from .check.scope import merge_preset
        policies = [merge_preset(presets[str(p.extends)], p) if p.extends else p for p in policies]
    if policy_id is not None:
        policies = [p for p in policies if p.id.name == policy_id]
        if not policies:
            names = ", ".join(p.id.name for p in result.file.policies)
            raise click.ClickException(f"{path} has no policy {policy_id!r} (it has: {names})")
    return policies


def presets_if_needed(text: str):
    """The plugins' presets, loaded only for a policy that `extends` one."""
    if "extends" not in text:
        return None
    from .plugins import preset_policies
    return guard(preset_policies)


def parse_settings(values: tuple[str, ...]) -> dict:
    from .parse import parse_value

    settings = {}
    for item in values:
        name, sep, text = item.partition("=")
        if not sep or not name.strip():
            raise click.BadParameter(f"{item!r}: write NAME=VALUE, e.g. --set step_penalty=2", param_hint="--set")
        try:
            settings[name.strip()] = parse_value(text.strip(), f"--set {name.strip()}")
        except KpiError as error:
            raise click.BadParameter(str(error).removeprefix("error: "), param_hint="--set") from None
    return settings


def _score_options(command):
    for option in reversed([
        click.argument("policy", type=click.Path(exists=True, dir_okay=False)),
        click.option("--data", "data_dir", type=click.Path(exists=True, file_okay=False),
                     help="Folder with one file per dataset: <dataset>.csv, .parquet or .xlsx."),
        click.option("--period", required=True, help="2026-10 (month), 2026-Q4, 2026 or 2026-W44."),
        click.option("--set", "settings", multiple=True, metavar="NAME=VALUE",
                     help="Give a param its value (fills a blank `?`); repeatable."),
        click.option("--policy", "policy_id", help="Which policy of the file (default: every one)."),
    ]):
        command = option(command)
    return command


def score_runs(policy, data_dir, period, settings, policy_id, engine="duckdb", master=None):
    from .compile.periods import parse_period
    from .compile.plan import compile_policy
    from .execute.engine import execute, project_files

    from .project import project_params

    chosen = parse_period(period)
    given = [f"{name}={value}" for name, value in project_params(Path(policy).resolve().parent).items()]
    values = parse_settings(tuple(given) + tuple(settings))   # --set wins over kpi.toml
    files = project_files(Path(policy).resolve().parent)
    data = Path(data_dir) if data_dir else None
    if data is None and not files:
        raise click.UsageError("give --data DIR (or map datasets to files in kpi.toml)")
    source = Source(policy, read_policy(Path(policy)))
    plans = [compile_policy(p, chosen, values, source) for p in load_policies(policy, policy_id)]
    if engine == "spark":
        from .execute import spark
        session = spark.session(master)
        return [spark.execute(plan, data, files, session) for plan in plans]
    return [execute(plan, data, files) for plan in plans]


@cli.command()
@_score_options
@click.option("--format", "output", type=click.Choice(["table", "json", "csv"]), default="table",
              help="table for people (default), json as LANGUAGE.md specifies, csv for spreadsheets.")
@click.option("-o", "--output-file", type=click.Path(dir_okay=False), help="Write here instead of stdout.")
@click.option("--show-plan", is_flag=True, help="Print the SQL plan to stderr before the result.")
@click.option("--engine", type=click.Choice(["duckdb", "spark"]), default="duckdb",
              help="duckdb (embedded, default) or spark (the same plan on Spark SQL; needs the spark extra).")
@click.option("--master", metavar="URL", help="Spark master (local[*], spark://host:7077, yarn); with --engine spark.")
def score(policy, data_dir, period, settings, policy_id, output, output_file, show_plan, engine, master):
    """Score a period's data with a policy: every person's indicators, total, outcomes,
    distribution places, payouts and actions."""
    from .render.result import result_document, to_csv, to_json, to_table

    if master and engine != "spark":
        raise click.UsageError("--master is for --engine spark")
    runs = guard(score_runs, policy, data_dir, period, settings, policy_id, engine, master)
    for run in runs:
        if show_plan:
            click.echo(plan_text(run.plan, engine), err=True)
        for warning in run.warnings:
            click.echo(f"warning: {warning}", err=True)
    if output == "json":
        documents = [result_document(run) for run in runs]
        text = to_json(documents[0] if len(documents) == 1 else documents) + "\n"
    elif output == "csv":
        text = "".join(to_csv(run) for run in runs)
    else:
        text = "\n".join(to_table(run) for run in runs)
    if output_file:
        write_atomically(Path(output_file), text)
    else:
        click.echo(text, nl=False)


def plan_text(plan, engine: str) -> str:
    if engine == "spark":
        from .execute.spark import spark_sql
        return spark_sql(plan.query, pretty=True)
    return plan.sql()


@cli.command(name="compile")
@click.argument("policy", type=click.Path(exists=True, dir_okay=False))
@click.option("--period", required=True, help="The period the plan scores (2026-10, 2026-Q4, 2026, 2026-W44).")
@click.option("--set", "settings", multiple=True, metavar="NAME=VALUE", help="Give a param its value.")
@click.option("--policy", "policy_id", help="Which policy of the file (default: every one).")
def compile_command(policy, period, settings, policy_id):
    """Print the SQL plan a policy compiles to, for audit."""
    from .compile.periods import parse_period
    from .compile.plan import compile_policy

    def plans():
        chosen, values = parse_period(period), parse_settings(settings)
        source = Source(policy, read_policy(Path(policy)))
        return [compile_policy(p, chosen, values, source) for p in load_policies(policy, policy_id)]

    for plan in guard(plans):
        click.echo(f"-- policy {plan.policy.id.name}, period {plan.period.label}")
        click.echo(plan.sql() + ";")


@cli.command()
@_score_options
@click.option("--person", required=True, help="The person's id in the roster.")
def explain(policy, data_dir, period, settings, policy_id, person):
    """Explain one person's result: each value with the counts behind it, the band row that
    matched and why the rows above did not, contributions, rescaling, adjustments, veto, the
    rounding of the total, outcomes, places, payouts, actions, and what reaches the next band."""
    from .render.explain import Explainer

    for run in guard(score_runs, policy, data_dir, period, settings, policy_id):
        try:
            click.echo(Explainer(run).person(person))
        except LookupError as error:
            raise click.ClickException(str(error)) from None


def guard(function, *args):
    """User-caused errors print as plain messages; anything else is a bug and keeps its traceback."""
    try:
        return function(*args)
    except KpiError as error:
        raise click.ClickException(str(error)) from None


def write_atomically(path: Path, text: str) -> None:
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

