"""Metrics: the facts a rubric refers to by name, computed from validated datasets.

Pure functions of a ValidationResult and the rubric parameters. Counts are ints, ratios are
`Fraction`s (exact comparison with thresholds), texts that go into reasons are `{zh, en}` dicts.
"""
from .compute import METRICS, Facts, compute_facts

__all__ = ["METRICS", "Facts", "compute_facts"]
