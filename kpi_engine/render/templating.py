"""Jinja templates for documents, looked up in order: the user's folder (`--templates DIR`), the
folders plugins register, then the defaults shipped in kpi_engine/templates. A template can
extend the core one as `default:manual.html.j2`. Rendering is sandboxed and autoescaped: a
person's name or a policy's label is text, never markup, and a template cannot reach Python."""
from __future__ import annotations

from pathlib import Path

DEFAULTS = Path(__file__).resolve().parent.parent / "templates"


def plugin_template_folders() -> list[Path]:
    from ..plugins import plugin_manager

    folders: list[Path] = []
    plugin_manager().hook.register_template_folders(register=lambda folder: folders.append(Path(folder)))
    return folders


def environment(user_folder: Path | None = None, plugin_folders: list[Path] | None = None):
    from jinja2 import ChoiceLoader, FileSystemLoader, PrefixLoader, StrictUndefined, select_autoescape
    from jinja2.sandbox import SandboxedEnvironment

    folders = ([user_folder] if user_folder else []) + list(plugin_folders or []) + [DEFAULTS]
    loader = ChoiceLoader([FileSystemLoader([str(f) for f in folders]),
                           PrefixLoader({"default": FileSystemLoader(str(DEFAULTS))}, delimiter=":")])
    env = SandboxedEnvironment(loader=loader, undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True,
                               autoescape=select_autoescape(["html", "svg", "xml", "j2"], default_for_string=True))
    return env


def render(env, name: str, **context) -> str:
    """Render a template; a broken user or plugin template is reported by file and line."""
    from jinja2 import TemplateError, TemplateSyntaxError

    from ..errors import KpiError

    try:
        return env.get_template(name).render(**context)
    except TemplateSyntaxError as error:
        raise KpiError(f"template {error.filename or error.name or name}:{error.lineno}: {error.message}") from None
    except TemplateError as error:
        raise KpiError(f"template {name}: {error.message or error}") from None


def markdown_environment(user_folder: Path | None = None, plugin_folders: list[Path] | None = None):
    """Markdown is not HTML: escaping there would print `&lt;` on the wiki page, so the
    Markdown templates escape Markdown's own specials with the `md` filter instead."""
    env = environment(user_folder, plugin_folders)
    env.autoescape = False
    env.filters["md"] = markdown_text
    return env


def markdown_text(value) -> str:
    """Text safe inside a Markdown table cell or paragraph: no table breaks, no raw HTML."""
    text = str(value).replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")
    return text.replace("<", "&lt;").replace(">", "&gt;")
