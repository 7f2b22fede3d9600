"""Load the standard formats (the YAML files in this package)."""
from __future__ import annotations

from functools import lru_cache
from importlib import resources

from ..yamlio import load_cached as load

from .model import Column, Common, DatasetFormat, Formats, Localized, Rule

#: Canonical dataset order: the order of formats.md, used in every output.
DATASETS = ("repair_report", "roster", "parts_ledger", "parts_master", "stocktake",
            "parts_plan", "training_log", "inspection")


@lru_cache(maxsize=1)
def load_formats() -> Formats:
    """Read and validate every format file shipped in the package (cached per process)."""
    pkg = resources.files(__name__)
    common = Common.model_validate(load(pkg.joinpath("common.yaml").read_text("utf-8")))
    datasets = {}
    for name in DATASETS:
        data = load(pkg.joinpath(f"{name}.yaml").read_text("utf-8"))
        datasets[name] = DatasetFormat.model_validate(data)
    return Formats(common=common, datasets=datasets)


__all__ = ["DATASETS", "Column", "Common", "DatasetFormat", "Formats", "Localized", "Rule", "load_formats"]
