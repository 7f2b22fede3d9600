"""YAML loading: always a safe loader, the C one (libyaml) when PyYAML has it."""
from __future__ import annotations

from typing import Any

# PyYAML is imported on first use: with the JSON cache warm (the usual run) it is never needed.


def safe_loader():
    """The safe loader: the C one (libyaml) when PyYAML has it — it is ~10× faster."""
    import yaml

    return getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def yaml_error() -> type[Exception]:
    """PyYAML's error class, for `except yaml_error():` (evaluated only when something is raised)."""
    import yaml

    return yaml.YAMLError


def _alias_error(mark: Any) -> Exception:
    """User-edited YAML may not use anchors and aliases: nested aliases multiply into a
    "billion laughs" document that any code walking it (validation, line lookup) would expand."""
    err = yaml_error()("anchors/aliases (&, *) are not allowed")
    err.problem = "anchors/aliases (&, *) are not allowed / 不允许使用锚点和别名"
    err.problem_mark = mark
    return err


def load(text: str) -> Any:
    """Trusted package files (formats, messages)."""
    import yaml

    return yaml.load(text, Loader=safe_loader())  # noqa: S506 - a safe loader, never yaml.Loader


def load_cached(text: str, loader=None, salt: str = "") -> Any:
    """`loader(text)` (default `load`), remembered as JSON in the user's cache folder.

    The key is the hash of the text and of `salt` (which names the code the result depends on,
    e.g. the schema's source). Building Python objects from YAML, and checking them, costs far
    more per run than JSON, which parses in C. The cache holds plain data (JSON, never pickle) and
    is only an optimisation: any problem with it falls back to the loader. Data JSON cannot hold
    (a YAML date, say) is simply not cached.
    """
    import hashlib
    import json
    import os
    import tempfile
    from pathlib import Path

    base = os.environ.get("AFTERSALES_CACHE") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache"), "aftersales-cli")
    key = hashlib.sha256(f"{salt}\0{text}".encode() if salt else text.encode("utf-8")).hexdigest()[:32]
    path = Path(base) / f"{key}.json"
    try:
        return json.loads(path.read_text("utf-8"))
    except (OSError, ValueError):
        pass
    data = (loader or load)(text)
    tmp = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(data, fh, ensure_ascii=False)
        os.replace(tmp, path)
    except (OSError, TypeError, ValueError):
        if tmp is not None:
            try:
                os.unlink(tmp)
            except OSError:
                pass
    return data


def load_untrusted(text: str) -> Any:
    """Files a user edits (rubric, cities.yaml): safe loader, and no aliases."""
    import yaml

    for event in yaml.parse(text, Loader=safe_loader()):
        if isinstance(event, yaml.AliasEvent):
            raise _alias_error(event.start_mark)
    return load(text)


def load_untrusted_cached(text: str) -> Any:
    """`load_untrusted` with the same cache: a text is cached only once it passed the alias check."""
    return load_cached(text, load_untrusted)
