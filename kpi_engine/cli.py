"""The `kpi` command line. Heavy libraries (duckdb, sqlglot) are imported inside the commands
that need them, so `kpi --help` and `kpi check` start fast."""
from __future__ import annotations

import gc
import sys
from pathlib import Path

import click

from . import __version__
from .errors import KpiError, Source


# The largest policy file read (the biggest seed policy is ~20 KB; a generated 1,000-indicator
# policy ~200 KB): anything bigger is refused before parsing, not parsed for minutes.
MAX_POLICY_BYTES = 1_000_000


def read_policy(path: Path) -> str:
    """A policy file's text: UTF-8 (a BOM is fine); anything else is refused by name."""
    try:
        size = path.stat().st_size
        if size > MAX_POLICY_BYTES:
            raise click.ClickException(f"{path}: {size:,} bytes is more than a policy may have "
                                       f"({MAX_POLICY_BYTES:,}); split it into several files")
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
    # A check keeps some 70,000 objects per thousand indicators (the syntax tree, scopes) until
    # it ends and makes next to no cyclic garbage, so the cyclic collector is off meanwhile (its
    # passes over them took some 6% of the run). What the check leaves is then frozen, out of
    # later collections: turned back on, the collector would walk it all once more, and again
    # when the program exits (some 8% more).
    gc.disable()
    try:
        from .check import check_source
        from .errors import Source

        failed = False
        report = []
        for path in policy_paths(paths):
            text = read_policy(path)
            result = check_source(Source(str(path), text), presets_if_needed(text))
            failed |= any(d.is_error for d in result.diagnostics)
            report.extend(result.diagnostics)
    finally:
        gc.freeze()
        gc.enable()
    if output == "json":
        import json

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


def load_policies(path: str, policy_id: str | None, text: str | None = None):
    """Parse and check a policy file (or `text`, as stored from that file); refuse it (printing
    every diagnostic) if it has errors."""
    from .check import check_source
    from .errors import Source

    text = read_policy(Path(path)) if text is None else text
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
        click.option("-q", "--quiet", is_flag=True,
                     help="No progress line on stderr (it shows only on a terminal, after 2 s)."),
    ]):
        command = option(command)
    return command


def score_params(policy, settings) -> dict[str, str]:
    """The params a run uses: kpi.toml's, then --set (which wins)."""
    from .kpitoml import project_params

    given = {name: value for name, value in project_params(Path(policy).resolve().parent).items()}
    given.update((name.strip(), value.strip()) for name, _, value in (item.partition("=") for item in settings))
    return given


def score_runs(policy, data_dir, period, settings, policy_id, ledger_file=None, columns=None, progress=None,
               quarantine=None, engine="duckdb", master=None, plan_cache=False):
    """Score every chosen policy of the file; `ledger_file` (default: the project's ledger)
    supplies stored results for earlier periods whose data is absent; `columns` (a regular
    expression) keeps only the result columns it matches; `progress` is told the stages; given a
    `quarantine` list, rows with bad data are set aside there instead of refusing the run.
    `engine="spark"` runs the same plans on Spark SQL (`master`: the Spark master URL).
    `plan_cache`: use and fill the plan cache (`kpi_engine.plancache`); its runs carry no `Plan`."""
    from .kpitoml import project_files

    files = project_files(Path(policy).resolve().parent)
    data = Path(data_dir) if data_dir else None
    text = read_policy(Path(policy))
    # a policy extending a plugin's preset depends on the plugins' files too: compiled every time
    cache_key = None
    if plan_cache and engine == "duckdb" and "extends" not in text:
        from .plancache import load_plans, plan_key

        cache_key = plan_key(text, policy_id, period, score_params(policy, settings))
        compiled = load_plans(cache_key)
        if compiled is not None:
            from .execute.run import run_compiled, set_aside_rows

            need_data(data, files)
            stage = progress.stage if progress else None
            runs = []
            for plan in compiled:
                before = len(quarantine or [])
                run = run_compiled(plan, data, files, columns=columns, stage=stage, quarantine=quarantine)
                run.warnings[:0] = set_aside_rows((quarantine or [])[before:])
                runs.append(run)
            return runs
    runs = _compile_and_score(policy, text, data, files, period, settings, policy_id, ledger_file, columns,
                              progress, quarantine, engine, master)
    if cache_key is not None and all(len(run.plan.context.periods) == 1 for run in runs):
        # plans looking back on earlier periods may read the results ledger: not cached
        from .execute.engine import compiled_plan
        from .plancache import store_plans

        store_plans(cache_key, [compiled_plan(run.plan) for run in runs])
    return runs


def need_data(data: Path | None, files: dict) -> None:
    if data is None and not files:
        raise click.UsageError("give --data DIR (or map datasets to files in kpi.toml)")


def _compile_and_score(policy, text, data, files, period, settings, policy_id, ledger_file, columns, progress,
                       quarantine, engine, master):
    from .compile.periods import parse_period
    from .ledger import ledger_path, score_policy

    chosen = parse_period(period)
    parse_settings(tuple(settings))   # each --set refused by its own text before merging
    values = parse_settings(tuple(f"{name}={value}" for name, value in score_params(policy, settings).items()))
    need_data(data, files)
    folder = Path(policy).resolve().parent
    source = Source(policy, text)
    if engine == "spark":
        from .compile.plan import compile_policy
        from .execute import spark

        session = spark.session(master)
        return [spark.execute(compile_policy(p, chosen, values, source), data, files, session)
                for p in load_policies(policy, policy_id)]
    ledger_file = Path(ledger_file) if ledger_file else ledger_path(folder)
    stage = progress.stage if progress else None
    return [score_policy(p, chosen, values, source, data, files, ledger_file, columns=columns, stage=stage,
                         quarantine=quarantine)
            for p in load_policies(policy, policy_id)]


@cli.command()
@_score_options
@click.option("--format", "output", type=click.Choice(["table", "json", "csv"]), default="table",
              help="table for people (default), json as LANGUAGE.md specifies, csv for spreadsheets.")
@click.option("-o", "--output-file", type=click.Path(dir_okay=False), help="Write here instead of stdout.")
@click.option("--show-plan", is_flag=True, help="Print the SQL plan to stderr before the result.")
@click.option("--save", is_flag=True, help="Store the run in the results ledger as the period's next version.")
@click.option("--ledger", "ledger_file", type=click.Path(dir_okay=False),
              help="The results ledger (default: kpi.toml's [ledger] path, else kpi-ledger.duckdb beside kpi.toml).")
@click.option("--bad-rows", nargs=2, type=(click.Choice(["quarantine"]), click.Path(dir_okay=False)),
              metavar="quarantine FILE",
              help="Set rows with problems aside into FILE (CSV: file, row, column, reason, record) "
                   "and score the rest; by default any bad row refuses the run.")
@click.option("--engine", type=click.Choice(["duckdb", "spark"]), default="duckdb",
              help="duckdb (embedded, default) or spark (the same plan on Spark SQL; needs the spark extra).")
@click.option("--master", metavar="URL", help="Spark master (local[*], spark://host:7077, yarn); with --engine spark.")
def score(policy, data_dir, period, settings, policy_id, quiet, output, output_file, show_plan, save,
          ledger_file, bad_rows, engine, master):
    """Score a period's data with a policy: every person's indicators, total, outcomes,
    distribution places, payouts and actions."""
    from .progress import Progress
    from .render.result import RESULT_COLUMNS, result_json, to_csv, to_table

    if master and engine != "spark":
        raise click.UsageError("--master is for --engine spark")
    if bad_rows and engine != "duckdb":
        raise click.UsageError("--bad-rows quarantine is for --engine duckdb")
    quarantine = [] if bad_rows else None
    with Progress(quiet) as progress:
        progress.stage("reading")
        runs = guard(score_runs, policy, data_dir, period, settings, policy_id, ledger_file=ledger_file,
                     columns=RESULT_COLUMNS, progress=progress, quarantine=quarantine,
                     engine=engine, master=master, plan_cache=not (save or show_plan))
        progress.stage("writing")
        if bad_rows:
            from .quarantine import quarantine_csv

            write_atomically(Path(bad_rows[1]), quarantine_csv(quarantine))
        if output == "json":
            text = result_json(runs)
        elif output == "csv":
            text = "".join(to_csv(run) for run in runs)
        else:
            text = "\n".join(to_table(run) for run in runs)
    if bad_rows:
        from .quarantine import quarantine_summary

        click.echo(quarantine_summary(quarantine, bad_rows[1]), err=True)
    for run in runs:
        if show_plan:
            click.echo(plan_text(run.plan, engine), err=True)
        for warning in run.warnings:
            click.echo(f"warning: {warning}", err=True)
    if output_file:
        write_atomically(Path(output_file), text)
    else:
        click.echo(text, nl=False)
    if save:
        from .ledger_commands import save_runs
        guard(save_runs, runs, policy, settings, ledger_file)


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
def explain(policy, data_dir, period, settings, policy_id, quiet, person):
    """Explain one person's result: each value with the counts behind it, the band row that
    matched and why the rows above did not, contributions, rescaling, adjustments, veto, the
    rounding of the total, outcomes, places, payouts, actions, and what reaches the next band."""
    from .progress import Progress
    from .render.explain import Explainer

    with Progress(quiet) as progress:
        progress.stage("reading")
        runs = guard(score_runs, policy, data_dir, period, settings, policy_id, progress=progress)
    for run in runs:
        try:
            click.echo(Explainer(run).person(person))
        except LookupError as error:
            raise click.ClickException(str(error)) from None


def guard(function, *args, **kwargs):
    """User-caused errors print as plain messages; anything else is a bug and keeps its traceback."""
    try:
        return function(*args, **kwargs)
    except KpiError as error:
        raise click.ClickException(str(error)) from None


def write_atomically(path: Path, content: str | bytes) -> None:
    """Write beside the target, then rename over it: a crash never leaves half a file.
    Text is written as UTF-8; bytes (a PDF, a DOCX) as they are."""
    temporary = path.with_name(f".{path.name}.kpi-tmp")
    if isinstance(content, bytes):
        temporary.write_bytes(content)
    else:
        temporary.write_text(content, encoding="utf-8")
    temporary.replace(path)
