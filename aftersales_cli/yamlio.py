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


def problem_at(exc: Exception) -> tuple[int, str]:
    """A YAMLError's 1-based line (1 when it has no mark) and what is wrong."""
    mark = getattr(exc, "problem_mark", None)
    return (mark.line + 1) if mark else 1, getattr(exc, "problem", None) or str(exc)


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


def cache_base():
    """The tool's cache folder: AFTERSALES_CACHE, else $XDG_CACHE_HOME/aftersales-cli, else
    ~/.cache/aftersales-cli (checked YAML as JSON here; batch results under `results/`)."""
    import os
    from pathlib import Path

    return Path(os.environ.get("AFTERSALES_CACHE") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache"), "aftersales-cli"))


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

    base = cache_base()
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


def _duplicate_error(key: str, mark: Any) -> Exception:
    """A key given twice in one mapping: PyYAML would silently keep the last value (a second
    `kpi:` under a city would drop the first one's piece rates without a word)."""
    err = yaml_error()(f"duplicate key {key!r}")
    err.problem = f"duplicate key '{key}' / 重复的键「{key}」"
    err.problem_mark = mark
    return err


def load_untrusted(text: str) -> Any:
    """Files a user edits (rubric, cities.yaml, formats, kpi parameters): safe loader, no
    aliases and no key given twice in one mapping (a YAMLError at the offending line)."""
    import yaml

    stack: list[list | None] = []        # per open collection: [keys seen, at a key?] or None (a list)

    def node_done() -> None:
        if stack and stack[-1] is not None:
            stack[-1][1] = not stack[-1][1]

    for event in yaml.parse(text, Loader=safe_loader()):
        if isinstance(event, yaml.AliasEvent):
            raise _alias_error(event.start_mark)
        if isinstance(event, yaml.MappingStartEvent):
            stack.append([set(), True])
        elif isinstance(event, yaml.SequenceStartEvent):
            stack.append(None)
        elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            stack.pop()
            node_done()
        elif isinstance(event, yaml.ScalarEvent):
            top = stack[-1] if stack else None
            if top is not None and top[1]:
                if event.value in top[0]:
                    raise _duplicate_error(event.value, event.start_mark)
                top[0].add(event.value)
            node_done()
    return load(text)


def node_lines(text: str) -> dict[tuple, int]:
    """Every path of a YAML document (mapping keys and list indexes) → its 1-based line."""
    import yaml

    out: dict[tuple, int] = {}

    def walk(node: "yaml.Node", path: tuple) -> None:
        out[path] = node.start_mark.line + 1
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                out[path + (key.value,)] = key.start_mark.line + 1
                walk(value, path + (key.value,))
        elif isinstance(node, yaml.SequenceNode):
            for i, value in enumerate(node.value):
                walk(value, path + (i,))

    try:
        root = yaml.compose(text, Loader=safe_loader())
    except yaml.YAMLError:
        return {}
    if root is not None:
        walk(root, ())
    return out


def line_for(lines: dict[tuple, int], loc: tuple) -> int:
    """The line of `loc`, or of its nearest enclosing path that is in the document (else 1)."""
    loc = tuple(loc)
    while loc and loc not in lines:
        loc = loc[:-1]
    return lines.get(loc, 1)
