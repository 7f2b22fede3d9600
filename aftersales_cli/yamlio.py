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


def load_cached(text: str, loader=None) -> Any:
    """`load`, remembered as JSON in the user's cache folder, keyed by the text's hash.

    Building Python objects from YAML costs ~0.1 s per run for the package's own files (formats,
    messages, rubric); JSON parses in C. The cache holds plain data (JSON, never pickle) and is
    only an optimisation: any problem with it falls back to YAML.
    """
    import hashlib
    import json
    import os
    import tempfile
    from pathlib import Path

    base = os.environ.get("AFTERSALES_CACHE") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache"), "aftersales-cli")
    key = hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]
    path = Path(base) / f"{key}.json"
    try:
        return json.loads(path.read_text("utf-8"))
    except (OSError, ValueError):
        pass
    data = (loader or load)(text)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(data, fh, ensure_ascii=False)
        os.replace(tmp, path)
    except (OSError, TypeError, ValueError):
        pass
    return data


def load_untrusted(text: str) -> Any:
    """Files a user edits (rubric, cities.yaml): safe loader, and no aliases."""
    for event in yaml.parse(text, Loader=SafeLoader):
        if isinstance(event, yaml.AliasEvent):
            raise AliasError(event.start_mark)
    return load(text)


def load_untrusted_cached(text: str) -> Any:
    """`load_untrusted` with the same cache: a text is cached only once it passed the alias check."""
    return load_cached(text, load_untrusted)
