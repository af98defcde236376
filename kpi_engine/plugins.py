"""The plugin manager: built-in features and installed plugins, registered through the same hooks.

Installed plugins are found through the `kpi_engine` entry-point group. Set
KPI_ENGINE_LOAD_PLUGINS=ecommerce_cs,appliance_field to load only those (an empty value loads
none), e.g. to test one plugin alone.
"""
from __future__ import annotations

import importlib
import os
from dataclasses import dataclass, field
from functools import lru_cache

import pluggy

from . import hookspecs
from .errors import PluginError
from .library import Adapter, DatasetSchema, Industry, LibraryIndicator, Preset

ENTRY_POINTS = "kpi_engine"
# Built-in features, registered through the same hooks as everyone else's.
DEFAULT_PLUGINS = ("kpi_engine.default_commands", "kpi_engine.ledger_commands", "kpi_engine.document_commands")


def plugin_manager() -> pluggy.PluginManager:
    pm = pluggy.PluginManager("kpi_engine")
    pm.add_hookspecs(hookspecs)
    for name in DEFAULT_PLUGINS:
        pm.register(importlib.import_module(name), name=name)
    chosen = os.environ.get("KPI_ENGINE_LOAD_PLUGINS")
    if chosen is None:
        pm.load_setuptools_entrypoints(ENTRY_POINTS)
    else:
        from importlib.metadata import entry_points
        wanted = {name.strip() for name in chosen.split(",") if name.strip()}
        for entry in entry_points(group=ENTRY_POINTS):
            if entry.name in wanted and pm.get_plugin(entry.name) is None:
                pm.register(entry.load(), name=entry.name)
    pm.check_pending()
    return pm


@dataclass
class Registry:
    """Everything the plugins registered, with who registered what."""
    industries: dict[str, Industry] = field(default_factory=dict)
    datasets: dict[tuple[str, str], DatasetSchema] = field(default_factory=dict)
    indicators: dict[str, LibraryIndicator] = field(default_factory=dict)
    presets: dict[str, Preset] = field(default_factory=dict)
    adapters: dict[str, Adapter] = field(default_factory=dict)
    generators: dict[str, object] = field(default_factory=dict)
    owner: dict[tuple[str, str], str] = field(default_factory=dict)

    def _add(self, kind: str, key, value, table: dict, plugin: str):
        if key in table:
            first = self.owner[(kind, str(key))]
            raise PluginError(f"{kind} {key!r} is registered twice: by plugin {first} and by plugin {plugin}")
        table[key] = value
        self.owner[(kind, str(key))] = plugin

    def collect(self, pm: pluggy.PluginManager) -> "Registry":
        for hook, kind, table, key in (
            ("register_industries", "industry", self.industries, lambda x: x.id),
            ("register_datasets", "dataset", self.datasets, lambda x: (x.industry, x.name)),
            ("register_indicators", "indicator", self.indicators, lambda x: x.id),
            ("register_presets", "preset", self.presets, lambda x: x.name),
            ("register_adapters", "adapter", self.adapters, lambda x: x.id),
        ):
            for impl in getattr(pm.hook, hook).get_hookimpls():
                plugin = pm.get_name(impl.plugin) or repr(impl.plugin)
                impl.function(register=lambda item, t=table, k=kind, p=plugin, f=key: self._add(k, f(item), item, t, p))
        for impl in pm.hook.register_sample_data.get_hookimpls():
            plugin = pm.get_name(impl.plugin)
            impl.function(register=lambda industry, generate, p=plugin: self._add(
                "sample generator", industry, generate, self.generators, p))
        return self

    def industry(self, industry_id: str) -> Industry:
        if industry_id not in self.industries:
            known = ", ".join(sorted(self.industries)) or "none installed"
            raise PluginError(f"no plugin provides the industry {industry_id!r} (installed: {known})")
        return self.industries[industry_id]


@lru_cache(maxsize=1)
def registry() -> Registry:
    return Registry().collect(plugin_manager())


def preset_policies() -> dict:
    """Preset name → parsed policy, for `extends`."""
    from .parse import parse

    found = {}
    for name, preset in registry().presets.items():
        parsed = parse(preset.text, f"<preset {name}>")
        found[name] = parsed.policies[0]
    return found
