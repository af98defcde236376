"""The plugin contract: every hook a plugin may implement, in the order the engine uses them.

Plugins are found through the `kpi_engine` entry-point group, exactly like the industry plugins
this project ships (`plugins/automotive_4s`, `plugins/ecommerce_cs`, `plugins/appliance_field`).
Hooks take a `register` callback rather than returning lists, so the engine can check each
contribution as it arrives and name the plugin that made it (two plugins registering the same
indicator id is an error, not a silent override).

    from kpi_engine import hookimpl

    @hookimpl
    def register_indicators(register):
        register(LibraryIndicator(id="fcr", industry="ecommerce_cs", ...))
"""
import pluggy

hookspec = pluggy.HookspecMarker("kpi_engine")
hookimpl = pluggy.HookimplMarker("kpi_engine")


# ---- what an industry is ---------------------------------------------------------------------

@hookspec
def register_industries(register):
    """Register the industries this plugin covers.

    :param register: call with a :class:`kpi_engine.library.Industry` (its ``id`` is the
        name used on the command line, e.g. ``ecommerce_cs``).
    """


@hookspec
def register_datasets(register):
    """Register dataset schemas: the records an industry's systems hold.

    :param register: call with a :class:`kpi_engine.library.DatasetSchema`, whose ``declaration``
        is the `.kpi` text of a ``dataset`` block (so the schema and the policy language agree).
    """


@hookspec
def register_indicators(register):
    """Register library indicators: definition, measure, unit, direction, source, typical bands.

    :param register: call with a :class:`kpi_engine.library.LibraryIndicator`. Its ``rule`` is
        the `.kpi` text of an ``indicator`` block; ids must be unique across all plugins.
    """


@hookspec
def register_presets(register):
    """Register preset policies that users `extends` (``ecommerce_cs.small``).

    :param register: call with a :class:`kpi_engine.library.Preset`: a name ``INDUSTRY.SIZE``,
        the size (small, medium, large) and the policy text.
    """


# ---- data in ------------------------------------------------------------------------------------

@hookspec
def register_adapters(register):
    """Register adapters that turn a real system export into a dataset's records.

    :param register: call with a :class:`kpi_engine.library.Adapter`: which dataset it fills,
        the export's header names, and how each column maps (units such as "3分12秒", "是/否",
        "12.5%", "1,234.50元").
    """


@hookspec
def register_sample_data(register):
    """Register a deterministic sample-data generator for an industry's presets.

    :param register: call with ``(industry_id, generate)`` where
        ``generate(out_dir: Path, period: Period, people: int, seed: int) -> None`` writes one
        CSV per dataset the industry's presets declare.
    """


# ---- documents ---------------------------------------------------------------------------------

@hookspec
def register_template_folders(register):
    """Register folders of Jinja templates for `kpi manual` and `kpi report` (industry wording,
    a consultancy's letterhead). A template found there overrides the built-in one of the same
    file name; a user's ``--templates DIR`` overrides both. A template can extend the built-in
    one as ``default:manual.html.j2``.

    :param register: call with a :class:`pathlib.Path` to a folder.
    """


# ---- the command line ----------------------------------------------------------------------------

@hookspec
def register_commands(cli):
    """Add click commands to the ``kpi`` group.

    :param cli: the :class:`click.Group` behind ``kpi``.
    """
