"""The metric catalogue (`catalogue.yaml`): each metric's description and the finding codes it
counts, the roles of the formats the metrics read, and the groups of report_issue_breakdown."""
from __future__ import annotations

from functools import lru_cache
from importlib import resources
from typing import Any


@lru_cache(maxsize=1)
def catalogue() -> dict[str, Any]:
    """The catalogue as plain data: {reads, metrics, report_issue_kinds} (see catalogue.yaml)."""
    from ..yamlio import load_cached

    return load_cached(resources.files(__package__).joinpath("catalogue.yaml").read_text("utf-8"))


def descriptions() -> dict[str, str]:
    """Every metric a rubric may name → what it measures."""
    return {name: entry["description"] for name, entry in catalogue()["metrics"].items()}


def counted_codes(name: str) -> tuple[str, tuple[str, ...]]:
    """(dataset, finding codes) a counting metric counts."""
    entry = catalogue()["metrics"][name]
    return entry["dataset"], tuple(entry["codes"])
