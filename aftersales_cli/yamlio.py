"""YAML loading: always a safe loader, the C one (libyaml) when PyYAML has it — it is ~10× faster."""
from __future__ import annotations

from typing import Any

import yaml

SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load(text: str) -> Any:
    return yaml.load(text, Loader=SafeLoader)  # noqa: S506 - a safe loader, never yaml.Loader
