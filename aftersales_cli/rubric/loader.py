"""Finding and loading rubric files."""
from __future__ import annotations

from functools import lru_cache
from importlib import resources
from pathlib import Path

import yaml

DEFAULT_RUBRIC = "hegii-2.0.yaml"


def default_rubric_path() -> Path:
    """The shipped rubric: inside the installed package, or `rubrics/` of a source checkout."""
    packaged = resources.files("aftersales_cli").joinpath("rubrics", DEFAULT_RUBRIC)
    if packaged.is_file():
        return Path(str(packaged))
    return Path(__file__).resolve().parents[2] / "rubrics" / DEFAULT_RUBRIC


@lru_cache(maxsize=1)
def default_checklist_codes() -> tuple[str, ...]:
    """The checklist codes the shipped rubric reads from the inspection sheet."""
    path = default_rubric_path()
    if not path.is_file():
        return ()
    data = yaml.safe_load(path.read_text("utf-8")) or {}
    return tuple(str(c) for c in data.get("checklist", {}) or {})
