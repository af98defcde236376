"""`kpi manual` and `kpi report`: the policy as a printable 制度 document, and a period's results as
a team report. Registered through the register_commands hook like the other built-in commands."""
from __future__ import annotations

from pathlib import Path

import click

from .cli import _score_options, guard, load_policies, parse_settings, read_policy, score_runs, write_atomically
from .hookspecs import hookimpl


def document_policies(name: str, policy_id: str | None) -> list[tuple[object, str]]:
    """(policy, its source text) for a policy file, or for a preset named like `ecommerce_cs.medium`."""
    path = Path(name)
    if path.is_file():
        return [(policy, read_policy(path)) for policy in load_policies(name, policy_id)]
    if path.suffix == ".kpi" or "." not in name:
        raise click.BadParameter(f"{name}: no such file (give a .kpi file or a preset such as ecommerce_cs.medium)",
                                 param_hint="POLICY")
    from .parse import parse
    from .plugins import registry

    presets = guard(registry).presets
    if name not in presets:
        raise click.BadParameter(f"{name}: no such file, and no installed preset of that name "
                                 f"(presets: {', '.join(sorted(presets)) or 'none'})", param_hint="POLICY")
    text = presets[name].text
    return [(guard(parse, text, f"<preset {name}>").policies[0], text)]


def preset_text(policy) -> str | None:
    """The text of the preset a policy extends, for the manual's appendix."""
    if policy.extends is None:
        return None
    from .plugins import registry

    return guard(registry).presets[str(policy.extends)].text


def template_environments(folder: str | None):
    from .render.templating import environment, markdown_environment, plugin_template_folders

    user = Path(folder) if folder else None
    plugins = plugin_template_folders()
    return environment(user, plugins), markdown_environment(user, plugins)


def output_path(output_file: str, runs: int, index: int, name: str) -> Path:
    """One file per policy: the name given, or NAME-<policy>.EXT when a file holds several."""
    path = Path(output_file)
    return path if runs == 1 else path.with_name(f"{path.stem}-{name}{path.suffix}")


_templates_option = click.option("--templates", "templates", type=click.Path(exists=True, file_okay=False),
                                  help="A folder of templates that override the built-in ones (by file name).")


@hookimpl
def register_commands(cli):
    @cli.command()
    @click.argument("policy")
    @click.option("--format", "output", type=click.Choice(["html", "pdf", "docx", "md"]), default="html",
                  show_default=True)
    @click.option("--lang", type=click.Choice(["zh", "en"]), default="zh", show_default=True)
    @click.option("-o", "--output-file", required=True, type=click.Path(dir_okay=False), help="The file to write.")
    @click.option("--policy", "policy_id", help="Which policy of the file (default: every one).")
    @click.option("--set", "settings", multiple=True, metavar="NAME=VALUE", help="Give a param its value.")
    @click.option("--doc-version", help="The version printed on the cover (default: the policy text's fingerprint).")
    @click.option("--effective", help="The effective date printed on the cover (default: a blank to fill in).")
    @_templates_option
    def manual(policy, output, lang, output_file, policy_id, settings, doc_version, effective, templates):
        """Write the policy as the manual a client signs (制度文件): 总则, 考核周期, 指标体系,
        评分标准 in words, 加减分与否决项, 结果应用, 时间节点, 申诉, a blank scorecard and the
        policy's text as an appendix.

        POLICY is a .kpi file or a preset name such as ecommerce_cs.medium."""
        from .render.formats import write_manual
        from .render.manual import build_manual

        values = parse_settings(settings)
        env, markdown_env = template_environments(templates)
        chosen = document_policies(policy, policy_id)
        for index, (node, text) in enumerate(chosen):
            document = guard(build_manual, node, text, lang, values, doc_version, effective, preset_text(node))
            target = output_path(output_file, len(chosen), index, node.id.name)
            write_atomically(target, guard(write_manual, document, output, env, markdown_env))
            click.echo(f"wrote {target}")

    @cli.command()
    @_score_options
    @click.option("--format", "output", type=click.Choice(["html", "pdf", "xlsx"]), default="html",
                  show_default=True)
    @click.option("--lang", type=click.Choice(["zh", "en"]), default="zh", show_default=True)
    @click.option("-o", "--output-file", required=True, type=click.Path(dir_okay=False), help="The file to write.")
    @_templates_option
    def report(policy, data_dir, period, settings, policy_id, quiet, output, lang, output_file, templates):
        """Score a period and write the team report: score distribution, grades, an
        indicator-by-person heatmap, the points lost by indicator (Pareto), rankings per group,
        each person's scorecard with its derivation, and the actions."""
        from .progress import Progress
        from .render.formats import write_report
        from .render.report import build_report

        with Progress(quiet) as progress:
            progress.stage("reading")
            runs = guard(score_runs, policy, data_dir, period, settings, policy_id, progress=progress)
        env, _ = template_environments(templates)
        for index, run in enumerate(runs):
            for warning in run.warnings:
                click.echo(f"warning: {warning}", err=True)
            document = guard(build_report, run, lang)
            target = output_path(output_file, len(runs), index, run.plan.policy.id.name)
            write_atomically(target, guard(write_report, document, output, env))
            click.echo(f"wrote {target}")
