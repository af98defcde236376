"""Built-in commands for client projects and plugins (init, demo, import, plugins, indicators),
registered through the same register_commands hook a third-party plugin uses."""
from __future__ import annotations

import json
from pathlib import Path

import click

from .cli import guard, score_runs, write_atomically
from .hookspecs import hookimpl


@hookimpl
def register_commands(cli):
    @cli.command()
    @click.option("--format", "output", type=click.Choice(["text", "json"]), default="text")
    def plugins(output):
        """List the installed plugins and what each contributes."""
        from .plugins import plugin_manager, registry

        library = guard(registry)
        pm = plugin_manager()
        rows = []
        for name, plugin in sorted(pm.list_name_plugin()):
            owned = [kind for (kind, key), owner in library.owner.items() if owner == name]
            rows.append({"name": name, "module": getattr(plugin, "__name__", str(plugin)),
                         "hooks": sorted(h.name for h in pm.get_hookcallers(plugin) or []),
                         "contributes": {kind: owned.count(kind) for kind in sorted(set(owned))}})
        if output == "json":
            click.echo(json.dumps(rows, ensure_ascii=False, indent=1))
            return
        if not rows:
            click.echo("no plugins installed")
        for row in rows:
            counts = ", ".join(f"{n} {kind}(s)" for kind, n in row["contributes"].items())
            click.echo(f"{row['name']} ({row['module']}): {counts}")

    @cli.command()
    @click.option("--industry", help="Only this industry's indicators.")
    @click.option("--format", "output", type=click.Choice(["text", "json"]), default="text")
    def indicators(industry, output):
        """List the library indicators plugins provide (JSON: a list of indicator objects)."""
        from .plugins import registry

        library = guard(registry)
        if industry:
            guard(library.industry, industry)
        chosen = [i for i in library.indicators.values() if industry in (None, i.industry)]
        if output == "json":
            click.echo(json.dumps([i.to_json() for i in chosen], ensure_ascii=False, indent=1))
            return
        for item in chosen:
            click.echo(f"{item.id:<36} {item.label}  [{item.unit}, {item.better} is better]  {item.measure}")

    @cli.command()
    @click.option("--industry", required=True, help="The plugin folder name: automotive_4s, ecommerce_cs, appliance_field.")
    @click.option("--size", type=click.Choice(["small", "medium", "large"]), required=True)
    @click.argument("folder", type=click.Path(file_okay=False))
    def init(industry, size, folder):
        """Start a client project: FOLDER/policy.kpi extending the industry's preset for the
        company's size, and FOLDER/kpi.toml with the data mapping and the params to fill."""
        from .project import init_project

        policy_path, config_path = guard(init_project, Path(folder), industry, size)
        click.echo(f"wrote {policy_path} and {config_path}")

    @cli.command()
    @click.option("--industry", required=True, help="automotive_4s, ecommerce_cs or appliance_field.")
    @click.option("--size", type=click.Choice(["small", "medium", "large"]), default="medium", show_default=True)
    @click.option("--out", "folder", required=True, type=click.Path(file_okay=False), help="An empty folder for the demo.")
    @click.option("--period", default="2026-10", show_default=True)
    @click.option("--people", default=30, show_default=True, help="How many people the sample data has.")
    def demo(industry, size, folder, period, people):
        """The whole job on sample data: init a project, generate a month of data, score it, and
        write the result."""
        from .compile.periods import parse_period
        from .project import generate_sample, init_project, preset_for
        from .render.result import result_json, to_table

        target = Path(folder)
        preset = guard(preset_for, industry, size)
        policy_path, config_path = guard(init_project, target, industry, size, preset.sample_params)
        chosen = guard(parse_period, period)
        data = guard(generate_sample, target, industry, chosen, people)
        runs = guard(score_runs, str(policy_path), str(data), period, (), None)
        result_path = target / "result.json"
        write_atomically(result_path, result_json(runs))
        for run in runs:
            click.echo(to_table(run))
        click.echo(f"policy: {policy_path}\nproject: {config_path}\ndata: {data}\nresult: {result_path}")

    @cli.command(name="import")
    @click.argument("export", type=click.Path(exists=True, dir_okay=False))
    @click.option("--adapter", "adapter_id", help="The adapter to use (default: the one whose headers the file has).")
    @click.option("--out", "folder", required=True, type=click.Path(file_okay=False),
                  help="The data folder: writes <dataset>.csv there.")
    def import_command(export, adapter_id, folder):
        """Turn a real system export (XLSX or CSV with Chinese headers, as a DMS, 千牛 or a
        field-service system saves it) into a dataset file `kpi score` reads."""
        from .adapt import convert_export, match_adapters
        from .plugins import registry

        adapters = guard(registry).adapters
        if adapter_id:
            if adapter_id not in adapters:
                raise click.ClickException(f"no adapter {adapter_id!r} (installed: {', '.join(sorted(adapters)) or 'none'})")
            adapter = adapters[adapter_id]
        else:
            matches = guard(match_adapters, adapters.values(), Path(export))
            if not matches:
                raise click.ClickException(f"{export}: no installed adapter knows these headers; name one with --adapter")
            if len(matches) > 1 and len(matches[0].columns) == len(matches[1].columns):
                raise click.ClickException(f"{export}: several adapters fit ({', '.join(a.id for a in matches)}); choose with --adapter")
            adapter = matches[0]
        target = Path(folder) / f"{adapter.dataset}.csv"
        target.parent.mkdir(parents=True, exist_ok=True)
        converted = guard(convert_export, adapter, Path(export), target)
        click.echo(f"{export} → {target}: {converted.rows} record(s) with adapter {adapter.id}")
