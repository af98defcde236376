"""The results ledger's commands: `kpi history`, `kpi show RUN`, `kpi appeal open|resolve|list`
(申诉), registered through the register_commands hook; `kpi score --save` calls save_runs."""
from __future__ import annotations

from decimal import Decimal, InvalidOperation
from pathlib import Path

import click

from .cli import guard, load_policies, parse_settings, read_policy, score_params
from .errors import KpiError
from .hookspecs import hookimpl

LEDGER_OPTION = click.option(
    "--ledger", "ledger_file", type=click.Path(dir_okay=False),
    help="The results ledger (default: kpi.toml's [ledger] path, else kpi-ledger.duckdb beside kpi.toml, "
         "looked up from the current folder).")


def open_ledger(ledger_file: str | None, start: Path, create: bool):
    from .ledger import Ledger, ledger_path

    return Ledger(Path(ledger_file) if ledger_file else ledger_path(start), create=create)


def save_runs(runs, policy: str, settings, ledger_file: str | None) -> None:
    from .render.result import result_document

    text = read_policy(Path(policy))
    with open_ledger(ledger_file, Path(policy).resolve().parent, create=True) as ledger:
        for run in runs:
            saved = ledger.save_run(run, result_document(run), str(policy), text, score_params(policy, settings))
            click.echo(f"saved run {saved.label} to {ledger.path}", err=True)


def _appeal_line(appeal) -> str:
    line = f"appeal {appeal.appeal_id} on run #{appeal.run_id} by {appeal.person_id}: {appeal.status}"
    if appeal.decision is None:
        return f"{line} (opened by {appeal.opened_by} at {appeal.opened_at}: {appeal.reason})"
    line += f" by {appeal.resolved_by} at {appeal.resolved_at}: {appeal.why}"
    before, after = appeal.before.get("total"), appeal.after.get("total")
    if appeal.new_run_id is not None:
        line += f"; total {before} → {after} in run #{appeal.new_run_id}"
    return line


def rescore_for_appeal(ledger, appeal, data_dir: str | None, adjustment: Decimal | None) -> tuple:
    """Score the appealed run again from what the ledger stored (policy text, period, params),
    with the corrected data and/or the adjustment. Returns (run, evidence)."""
    from .compile.periods import parse_period
    from .errors import Source
    from .ledger import score_policy, sha256_file

    stored = ledger.run(appeal.run_id)
    recorded = {dataset: (Path(path), digest) for dataset, path, digest in ledger.files(stored.run_id)}
    evidence: dict = {}
    if data_dir is None:
        files = {}
        for dataset, (path, digest) in recorded.items():
            if not path.is_file() or sha256_file(path) != digest:
                raise KpiError(f"{path}: not the file run #{stored.run_id} scored (missing or changed since); "
                               f"give the data with --data DIR")
            files[dataset] = path
    else:
        files = {}
    text = ledger.policy_text(stored.run_id)
    policy_file = Path(stored.policy_file)
    # The stored text is parsed as the policy file it came from, so diagnostics name that file.
    policies = load_policies(str(policy_file), stored.policy_id, text)
    values = parse_settings(tuple(f"{name}={value}" for name, value in stored.params.items()))
    adjustments = {appeal.person_id: adjustment} if adjustment is not None else None
    run = score_policy(policies[0], parse_period(stored.period), values, Source(str(policy_file), text),
                       Path(data_dir) if data_dir else None, files, ledger, adjustments)
    if data_dir is not None:
        hashes = {dataset: sha256_file(path) for dataset, path in sorted(run.files.items())}
        changed = sorted(d for d, digest in hashes.items() if recorded.get(d, (None, None))[1] != digest)
        if not changed and adjustment is None:
            raise KpiError(f"{data_dir}: every file is the one run #{stored.run_id} scored; corrected data "
                           f"must correct something")
        evidence["corrected_data"] = {"folder": str(data_dir), "changed": changed, "sha256": hashes}
    if adjustment is not None:
        evidence["adjustment"] = format(adjustment, "f")
    return run, evidence


@hookimpl
def register_commands(cli):
    @cli.command()
    @click.option("--policy", "policy_id", help="Only this policy's runs.")
    @click.option("--period", help="Only this period's runs (2026-10, 2026-Q4, ...).")
    @LEDGER_OPTION
    def history(policy_id, period, ledger_file):
        """List the runs stored in the results ledger, oldest first, with appeal outcomes."""
        with guard(open_ledger, ledger_file, Path.cwd(), False) as ledger:
            runs = ledger.runs(policy_id, period)
            appeals = ledger.appeals()
            if not runs:
                click.echo("no runs stored")
            for run in runs:
                origin = f"  (from appeal {run.appeal_id})" if run.appeal_id else ""
                click.echo(f"{run.label}  saved {run.saved_at} by {run.saved_by}  policy {run.policy_sha256[:12]}  "
                           f"engine {run.engine_version}{origin}")
                for appeal in appeals:
                    if appeal.run_id == run.run_id:
                        click.echo(f"    {_appeal_line(appeal)}")

    @cli.command()
    @click.argument("run_id", metavar="RUN", type=int)
    @click.option("--format", "output", type=click.Choice(["text", "json"]), default="text",
                  help="json prints the stored result document exactly as `kpi score --format json` did.")
    @LEDGER_OPTION
    def show(run_id, output, ledger_file):
        """Show one stored run: its inputs (policy hash, data file hashes, params), every person's
        total, and the appeals against it."""
        with guard(open_ledger, ledger_file, Path.cwd(), False) as ledger:
            run = guard(ledger.run, run_id)
            if output == "json":
                click.echo(ledger.document_text(run_id))
                return
            click.echo(f"run {run.label}")
            click.echo(f"  saved {run.saved_at} by {run.saved_by}, engine {run.engine_version}")
            if run.appeal_id:
                click.echo(f"  re-scored for appeal {run.appeal_id}")
            click.echo(f"  policy {run.policy_file} sha256 {run.policy_sha256}")
            for dataset, path, digest in ledger.files(run_id):
                click.echo(f"  data {dataset}: {path} sha256 {digest}")
            if run.params:
                click.echo("  params " + ", ".join(f"{k}={v}" for k, v in run.params.items()))
            for person_id, total in ledger.totals(run_id):
                click.echo(f"  {person_id}  {'-' if total is None else total}")
            for appeal in ledger.appeals(run_id):
                click.echo(f"  {_appeal_line(appeal)}")

    @cli.group()
    def appeal():
        """Appeals (申诉) against a stored result: open one, resolve it (re-scoring with the
        evidence), list them. Nothing is ever deleted or changed: a resolution adds a new run."""

    @appeal.command(name="open")
    @click.argument("run_id", metavar="RUN", type=int)
    @click.argument("person")
    @click.option("--reason", required=True, help="What the person disputes, in their words.")
    @click.option("--by", "opened_by", help="Who records the appeal (default: the login name).")
    @LEDGER_OPTION
    def appeal_open(run_id, person, reason, opened_by, ledger_file):
        """Open an appeal by PERSON against run RUN."""
        with guard(open_ledger, ledger_file, Path.cwd(), False) as ledger:
            opened = guard(ledger.open_appeal, run_id, person, reason, opened_by)
            click.echo(f"opened appeal {opened.appeal_id} on run #{run_id} for {person}")

    @appeal.command(name="resolve")
    @click.argument("appeal_id", metavar="APPEAL", type=int)
    @click.option("--accept/--reject", "accepted", required=True, help="The decision.")
    @click.option("--why", required=True, help="The grounds for the decision.")
    @click.option("--data", "data_dir", type=click.Path(exists=True, file_okay=False),
                  help="Evidence: the corrected data folder to re-score with.")
    @click.option("--adjust", "adjustment", metavar="AMOUNT",
                  help="Evidence: points added to the person's adjustments (e.g. 5 or -3), justified by --why.")
    @click.option("--by", "resolved_by", help="Who decides (default: the login name).")
    @LEDGER_OPTION
    def appeal_resolve(appeal_id, accepted, why, data_dir, adjustment, resolved_by, ledger_file):
        """Resolve an appeal. --accept re-scores the appealed run with the evidence (corrected
        data and/or an adjustment) and stores the result as the period's next version; --reject
        records the decision alone. Both record who, when, why, and the result before and after."""
        amount = None
        if adjustment is not None:
            try:
                amount = Decimal(adjustment)
            except InvalidOperation:
                amount = None
            if amount is None or not amount.is_finite():
                raise click.BadParameter(f"{adjustment!r} is not a number of points (e.g. 5 or -3)",
                                         param_hint="--adjust")
        with guard(open_ledger, ledger_file, Path.cwd(), False) as ledger:
            chosen = guard(ledger.unresolved_appeal, appeal_id, why)
            if not accepted:
                if data_dir or amount is not None:
                    raise click.UsageError("a rejected appeal changes nothing: leave out --data and --adjust")
                done = guard(ledger.reject_appeal, appeal_id, why, resolved_by)
                click.echo(_appeal_line(done))
                return
            if data_dir is None and amount is None:
                raise click.UsageError("accepting an appeal needs evidence: --data DIR (corrected data) "
                                       "and/or --adjust AMOUNT")
            from .render.result import result_document

            run, evidence = guard(rescore_for_appeal, ledger, chosen, data_dir, amount)
            done = guard(ledger.accept_appeal, appeal_id, why, evidence, run, result_document(run), resolved_by)
            click.echo(_appeal_line(done))
            if done.evidence["others_changed"]:
                click.echo(f"  the re-score also changed the result of: {', '.join(done.evidence['others_changed'])}")

    @appeal.command(name="list")
    @click.option("--run", "run_id", type=int, help="Only the appeals against this run.")
    @click.option("--format", "output", type=click.Choice(["text", "json"]), default="text")
    @LEDGER_OPTION
    def appeal_list(run_id, output, ledger_file):
        """List appeals with their status: open, accepted or rejected."""
        with guard(open_ledger, ledger_file, Path.cwd(), False) as ledger:
            appeals = ledger.appeals(run_id)
            if output == "json":
                from .render.result import to_json
                click.echo(to_json([_appeal_json(a) for a in appeals]))
                return
            if not appeals:
                click.echo("no appeals")
            for item in appeals:
                click.echo(_appeal_line(item))


def _appeal_json(appeal) -> dict:
    fields = ("appeal_id", "run_id", "person_id", "reason", "opened_by", "opened_at", "status", "why",
              "evidence", "resolved_by", "resolved_at", "before", "after", "new_run_id")
    return {name: getattr(appeal, name) for name in fields}
