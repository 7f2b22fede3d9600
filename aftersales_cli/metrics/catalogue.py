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


def behind(name: str) -> dict[str, dict[str, tuple[str, ...]]]:
    """The findings that lie behind a metric (fixes.md "Causes"): dataset → {"codes": (...),
    "severities": (...)} — a finding lies behind it when its dataset is listed and its code or
    its severity is. Declared in catalogue.yaml by `codes` (with `dataset`), `findings` and
    `from`; KeyError for a metric the catalogue does not hold."""
    entry = catalogue()["metrics"][name]
    out: dict[str, dict[str, tuple[str, ...]]] = {}

    def add(dataset: str, codes=(), severities=()) -> None:
        have = out.setdefault(dataset, {"codes": (), "severities": ()})
        have["codes"] = tuple(dict.fromkeys(have["codes"] + tuple(codes)))
        have["severities"] = tuple(dict.fromkeys(have["severities"] + tuple(severities)))

    if entry.get("codes"):
        add(entry["dataset"], entry["codes"])
    for dataset, spec in (entry.get("findings") or {}).items():
        if isinstance(spec, dict):
            add(dataset, severities=spec.get("severities", ()))
        else:
            add(dataset, spec)
    for other in entry.get("from") or ():
        for dataset, spec in behind(other).items():
            add(dataset, spec["codes"], spec["severities"])
    return out


def cell_editable(name: str) -> bool:
    """False for a metric no cell edit can change (`cells: false`, a turnover rate): the causes
    that read it have regain null (fixes.md)."""
    entry = catalogue()["metrics"][name]
    return entry.get("cells", True) and all(cell_editable(m) for m in entry.get("from") or ())
