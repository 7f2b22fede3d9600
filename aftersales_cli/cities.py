"""Per-city rubric parameter overrides: ROOT/cities.yaml (cli.md "Batch")."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from .errors import AftersalesError, os_reason
from .i18n import both
from .yamlio import load_untrusted, problem_at, safe_loader, yaml_error

CITIES_FILE = "cities.yaml"
KPI_KEY = "kpi"   # a city's `kpi:` map holds `aftersales kpi` parameters (kpi.md); the rubric ignores it


def load_cities(path: Path, known_params: dict[str, Any],
                choices: dict[str, list[Any]] | None = None) -> dict[str, dict[str, Any]]:
    """city → {param: value}; an unknown parameter is an error naming file and line."""
    if not path.is_file():
        return {}
    try:
        text = path.read_text("utf-8")
        data = load_untrusted(text)
        import yaml

        node = yaml.compose(text, Loader=safe_loader())
    except yaml_error() as exc:
        line, problem = problem_at(exc)
        raise AftersalesError("err.cities_yaml", path, line=line, detail=problem) from exc
    except OSError as exc:
        raise AftersalesError("err.cities_yaml", path, line=1, detail=os_reason(exc)) from exc
    except UnicodeDecodeError as exc:
        raise AftersalesError("err.cities_yaml", path, line=1, detail=str(exc)) from exc
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise AftersalesError("err.cities_yaml", path, line=1, detail=both("param.expected_mapping"))
    out: dict[str, dict[str, Any]] = {}
    for key_node, value_node in node.value:
        city = str(key_node.value)
        values = data.get(key_node.value) if key_node.value in data else data.get(city)
        if values is None:
            out[city] = {}
            continue
        if not isinstance(values, dict):
            raise AftersalesError("err.cities_yaml", path, line=key_node.start_mark.line + 1,
                                  detail={k: f"{city}: {v}" for k, v in both("param.expected_values").items()})
        for pk, _ in value_node.value:
            if str(pk.value) not in known_params and str(pk.value) != KPI_KEY:
                raise AftersalesError("err.cities_yaml", path, line=pk.start_mark.line + 1,
                                      detail=both("param.unknown", name=_show(pk.value),
                                                  allowed=", ".join(known_params)))
        lines = {str(pk.value): pk.start_mark.line + 1 for pk, _ in value_node.value}
        values = {k: v for k, v in values.items() if str(k) != KPI_KEY}
        for name, value in values.items():
            problem = value_problem(value, known_params[str(name)], (choices or {}).get(str(name)))
            if problem:
                raise AftersalesError("err.cities_yaml", path, line=lines.get(str(name), key_node.start_mark.line + 1),
                                      detail={k: f"{city}.{name}: {v}" for k, v in problem.items()})
        out[city] = {str(k): v for k, v in values.items()}
    return out


def value_problem(value: Any, default: Any, choices: list[Any] | None = None) -> dict[str, str] | None:
    """Why `value` cannot stand for a parameter whose rubric default is `default` (None when it can).

    A wrongly typed threshold would otherwise never match (a number compared with text is False)
    and the city would silently keep the points. The text comes in both languages.
    """
    from .i18n import both

    def number(v: Any) -> bool:
        return isinstance(v, (int, float)) and not isinstance(v, bool)

    if choices and value not in choices:
        return both("param.not_a_choice", value=_show(value), allowed=", ".join(map(str, choices)))
    if number(default):
        return None if number(value) else both("param.not_number", value=_show(value))
    if isinstance(default, bool):
        return None if isinstance(value, bool) else both("param.not_bool", value=_show(value))
    if isinstance(default, str):
        return None if isinstance(value, str) else both("param.not_text", value=_show(value))
    if default is None:
        return None if value is None or isinstance(value, (str, int, float, bool)) else \
            both("param.not_single", kind=type(value).__name__)
    return None if isinstance(value, type(default)) else \
        both("param.wrong_kind", expected=type(default).__name__, kind=type(value).__name__)


def _show(value: Any) -> str:
    """A value for a message: scalars as written (bounded), containers by kind only (never expanded)."""
    if value is None or isinstance(value, (str, int, float, bool)):
        text = repr(value)
        return text if len(text) <= 60 else text[:57] + "..."
    return type(value).__name__


def parse_overrides(pairs: list[str], known_params: dict[str, Any],
                    choices: dict[str, list[Any]] | None = None) -> dict[str, Any]:
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
            value = load_untrusted(raw)
        except yaml_error():
            value = raw
        problem = value_problem(value, known_params[name], (choices or {}).get(name))
        if problem:
            raise AftersalesError("err.bad_param_value", "--params", name=name, detail=problem)
        out[name] = value
    return out
