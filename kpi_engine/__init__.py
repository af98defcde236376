"""kpi-engine: after-sales service performance assessment policies, checked and scored.

The pipeline, one module (or package) per stage:
grammars/policy.lark → parse.py → check/ → compile/ → execute/ → render/
"""
__version__ = "0.1.0"


def __getattr__(name):
    # `from kpi_engine import hookimpl` for plugin authors, without importing pluggy for every command.
    if name in ("hookimpl", "hookspec"):
        from . import hookspecs
        return getattr(hookspecs, name)
    raise AttributeError(name)
