"""Load the standard formats (the YAML files in this package).

They are checked by the pydantic schema (`model.py`) the first time a version of them is read; the
checked data is cached (JSON, keyed by the files' text and the schema's source) and every run builds
the read-only records of `records.py` from it, so a warm run does not import pydantic.
"""
from __future__ import annotations

from functools import lru_cache
from importlib import resources
from typing import Any

from .. import frozen
from ..yamlio import load_cached
from .records import KINDS, Column, Common, DatasetFormat, Formats, Localized, Rule

#: Canonical dataset order: the order of formats.md, used in every output.
DATASETS = ("repair_report", "roster", "parts_ledger", "parts_master", "stocktake",
            "parts_plan", "training_log", "inspection")

_SEP = "\n\x00\n"          # between the files' texts in the cache key (never inside a YAML file)


@lru_cache(maxsize=1)
def load_formats() -> Formats:
    """Every format file shipped in the package, checked (cached per process and on disk)."""
    pkg = resources.files(__name__)
    texts = [pkg.joinpath(f"{name}.yaml").read_text("utf-8") for name in ("common", *DATASETS)]
    salt = frozen.schema_salt(pkg.joinpath("model.py").read_bytes())
    return frozen.build(load_cached(_SEP.join(texts), _checked, salt=salt), KINDS)


def _checked(text: str) -> dict[str, Any]:
    """The formats' texts → checked, tagged data (pydantic; only when the cache has no entry)."""
    from ..yamlio import load
    from . import model

    common, *rest = text.split(_SEP)
    datasets = {name: model.DatasetFormat.model_validate(load(t)) for name, t in zip(DATASETS, rest)}
    return frozen.tag(model.Formats(common=model.Common.model_validate(load(common)), datasets=datasets))


def dataset_format(data: dict[str, Any]) -> DatasetFormat:
    """One dataset format from plain data (e.g. a format file's content), checked by the schema."""
    from . import model

    return frozen.build(frozen.tag(model.DatasetFormat.model_validate(data)), KINDS)


__all__ = ["DATASETS", "Column", "Common", "DatasetFormat", "Formats", "Localized", "Rule", "dataset_format",
           "load_formats"]
