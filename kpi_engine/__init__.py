"""kpi-engine: after-sales service performance assessment policies, checked and scored.

The pipeline, one module (or package) per stage:
grammars/policy.lark → parse.py → check/ → compile/ → execute/ → render/
"""
__version__ = "0.1.0"


def user_cache(kind: str):
    """$XDG_CACHE_HOME/kpi-engine/<kind> (default ~/.cache): the user's cache folder of that kind
    (the plan cache, the parser's tables), never the project's."""
    import os
    from pathlib import Path

    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "kpi-engine" / kind


def __getattr__(name):
    # `from kpi_engine import hookimpl` for plugin authors, without importing pluggy for every command.
    if name in ("hookimpl", "hookspec"):
        from . import hookspecs
        return getattr(hookspecs, name)
    raise AttributeError(name)
