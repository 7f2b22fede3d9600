"""YAML loading: always a safe loader, the C one (libyaml) when PyYAML has it — it is ~10× faster."""
from __future__ import annotations

from typing import Any

import yaml

SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class AliasError(yaml.YAMLError):
    """User-edited YAML may not use anchors and aliases: nested aliases multiply into a
    "billion laughs" document that any code walking it (validation, line lookup) would expand."""

    def __init__(self, mark: Any) -> None:
        super().__init__("anchors/aliases (&, *) are not allowed")
        self.problem = "anchors/aliases (&, *) are not allowed / 不允许使用锚点和别名"
        self.problem_mark = mark


def load(text: str) -> Any:
    """Trusted package files (formats, messages)."""
    return yaml.load(text, Loader=SafeLoader)  # noqa: S506 - a safe loader, never yaml.Loader


def load_untrusted(text: str) -> Any:
    """Files a user edits (rubric, cities.yaml): safe loader, and no aliases."""
    for event in yaml.parse(text, Loader=SafeLoader):
        if isinstance(event, yaml.AliasEvent):
            raise AliasError(event.start_mark)
    return load(text)
