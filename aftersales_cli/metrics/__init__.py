"""Metrics: the facts a rubric refers to by name, computed from validated datasets.

Pure functions of a ValidationResult and the rubric parameters. Counts are ints, ratios are
`Fraction`s (exact comparison with thresholds), texts that go into reasons are `{zh, en}` dicts.

`METRICS` (the catalogue's names and descriptions) is loaded without pandas; `Facts` and
`compute_facts` on first use (`core.lazy`), so that loading a rubric does not import pandas.
"""
from ..core.lazy import exports
from .catalogue import descriptions

__all__ = ["METRICS", "Facts", "compute_facts"]

METRICS: dict[str, str] = descriptions()


__getattr__ = exports(__name__, {"Facts": "compute", "compute_facts": "compute"})
