"""kpi-engine: after-sales service performance assessment policies, checked and scored.

The pipeline, one module (or package) per stage:
grammars/policy.lark → parse.py → check/ → compile/ → execute/ → render/
"""
__version__ = "0.1.0"
