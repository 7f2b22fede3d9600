"""Per-city rubric parameter overrides: ROOT/cities.yaml (cli.md "Batch")."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from .errors import AftersalesError

CITIES_FILE = "cities.yaml"


def load_cities(path: Path, known_params: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """city → {param: value}; an unknown parameter is an error naming file and line."""
    if not path.is_file():
        return {}
    try:
        text = path.read_text("utf-8")
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise AftersalesError("err.cities_yaml", path, line=(mark.line + 1) if mark else 1,
                              detail=getattr(exc, "problem", None) or str(exc)) from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise AftersalesError("err.cities_yaml", path, line=1, detail=str(exc)) from exc
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise AftersalesError("err.cities_yaml", path, line=1, detail="应为 城市: {参数: 值} / expected city: {param: value}")
    out: dict[str, dict[str, Any]] = {}
    for key_node, value_node in node.value:
        city = str(key_node.value)
        values = data.get(key_node.value) if key_node.value in data else data.get(city)
        if values is None:
            out[city] = {}
            continue
        if not isinstance(values, dict):
            raise AftersalesError("err.cities_yaml", path, line=key_node.start_mark.line + 1,
                                  detail=f"{city}: 应为 参数: 值 / expected param: value")
        for pk, _ in value_node.value:
            if str(pk.value) not in known_params:
                raise AftersalesError("err.cities_yaml", path, line=pk.start_mark.line + 1,
                                      detail=f"未知参数 unknown parameter '{pk.value}' "
                                             f"(可用 known: {', '.join(known_params)})")
        out[city] = {str(k): v for k, v in values.items()}
    return out


def parse_overrides(pairs: list[str], known_params: dict[str, Any]) -> dict[str, Any]:
    """--params KEY=VALUE … (values read as YAML scalars: 200, 0.05, average)."""
    out: dict[str, Any] = {}
    for pair in pairs:
        name, sep, raw = pair.partition("=")
        name = name.strip()
        if not sep or not name:
            raise AftersalesError("err.bad_param", value=pair)
        if name not in known_params:
            raise AftersalesError("err.unknown_param", "--params", name=name, allowed=", ".join(known_params))
        try:
            out[name] = yaml.safe_load(raw)
        except yaml.YAMLError:
            out[name] = raw
    return out
