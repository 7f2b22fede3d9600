"""The parameters of `aftersales kpi` (kpi.md, first section): a shipped YAML file, checked strictly.

Sources, later ones winning key by key (maps merge, lists and numbers replace):
1. `params.yaml` shipped beside this module (every key; the defaults of kpi.md);
2. the `kpi:` map of the city's entry in the `cities.yaml` above the city folder;
3. `--rates FILE`: a YAML map 服务类型 → 元 that replaces `piece_rates`;
4. `--params KEY=VALUE` (dotted keys: `piece_rates.安装=60`).

Every problem is an AftersalesError (exit 2) naming the file and line (`err.kpi_params`) or the
`--params` item (`err.kpi_param`).
"""
from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from importlib import resources
from pathlib import Path
from typing import Any

from ..cities import KPI_KEY as CITY_KEY
from ..errors import AftersalesError
from ..yamlio import load_untrusted, problem_at, yaml_error

PARAMS_FILE = "params.yaml"
KEYS = ("piece_rates", "on_time_days", "repeat_window_days", "top_faults", "roles", "keep_codes")


@dataclass(frozen=True)
class KpiParams:
    """The merged parameters. `roles[column][role]` are values of that repair-report column."""
    piece_rates: dict[str, Any]
    on_time_days: dict[str, int]
    repeat_window_days: int
    top_faults: int
    roles: dict[str, dict[str, list[str]]]
    keep_codes: list[str]
    rates_source: str = ""        # the file (or --params / --rates) that last set piece_rates

    def rate(self, service_type: str) -> Fraction:
        return Fraction(str(self.piece_rates[service_type]))

    def role(self, column: str, role: str) -> list[str]:
        return self.roles[column][role]

    def to_dict(self) -> dict[str, Any]:
        return {"piece_rates": dict(self.piece_rates), "on_time_days": dict(self.on_time_days),
                "repeat_window_days": self.repeat_window_days, "top_faults": self.top_faults,
                "roles": {k: dict(v) for k, v in self.roles.items()}, "keep_codes": list(self.keep_codes)}


#: role → which column of the repair report it names values of, and which roles a file must give.
REQUIRED_ROLES = {"status": ("completed", "cancelled"), "service_type": ("repair", "install"),
                  "satisfaction": ("satisfied", "dissatisfied", "call_back")}


def default_params_path() -> Path:
    return Path(str(resources.files(__package__).joinpath(PARAMS_FILE)))


def load_params(rates: Path | None = None, pairs: list[str] | None = None,
                city_file: Path | None = None, city: str | None = None, formats: Any = None) -> KpiParams:
    """The checked, merged parameters (sources in the module docstring's order).

    Keys and role values are checked against `formats` — the run's formats (`--formats DIR`),
    the shipped ones when None. A user source (cities.yaml, --rates, --params) naming a 服务类型
    or a role value the format does not have is an error with its file and line; the shipped
    file's rates and on-time limits for a 服务类型 the run's format does not have are dropped
    (they are defaults for another format), and its role values are checked once the user sources
    are merged (a user source may replace them), naming params.yaml and the line.
    """
    fmt = _repair_format(formats)
    city_part = {}
    if city_file is not None and city is not None and city_file.is_file():
        city_part = city_fragment(city_file, city, fmt)
    return _assemble(fmt, city_part, city_file, rates, pairs)


def _assemble(fmt, city_part: dict[str, Any], city_file: Path | None, rates: Path | None,
              pairs: list[str] | None) -> KpiParams:
    """`load_params` once the city's checked `kpi:` map ({}: none) is known."""
    shipped = default_params_path()
    merged: dict[str, Any] = {}
    source = str(shipped)
    _merge(merged, _known_types(_shipped(shipped), fmt))
    users: list[dict[str, Any]] = []
    if city_part:
        users.append(city_part)
        _merge(merged, city_part)
        source = str(city_file) if "piece_rates" in city_part else source
    if rates is not None:
        rates_map = _read_fragment(Path(rates), fmt, wrap="piece_rates")
        users.append(rates_map)
        merged["piece_rates"] = rates_map["piece_rates"]
        source = str(rates)
    for pair in pairs or []:
        part = _pair_fragment(pair, fmt)
        users.append(part)
        _merge(merged, part)
        source = "--params" if "piece_rates" in part else source
    missing = [k for k in KEYS if k not in merged]
    if missing:
        raise AftersalesError("err.kpi_params", shipped, line=1, detail=_text("kpi.params.missing", keys=missing))
    _check_shipped_roles(shipped, merged["roles"], users, fmt)
    return KpiParams(rates_source=source, **merged)


def load_city_params(city_file: Path, cities: list[str], formats: Any = None) -> dict[str, KpiParams]:
    """The parameters of each of `cities` (batch): the shipped ones, merged with the city's `kpi:`
    map in `city_file` when it has one. cities.yaml is parsed once; errors as `load_params`."""
    fmt = _repair_format(formats)
    base = _assemble(fmt, {}, None, None, None)
    text, data = "", None
    if city_file.is_file():
        text = _read_text(city_file)
        data = _parse(city_file, text)
    with_kpi: set[str] = set()
    if isinstance(data, dict):
        with_kpi = {str(c) for c, entry in data.items() if isinstance(entry, dict) and CITY_KEY in entry}
    return {c: _assemble(fmt, _city_part(city_file, text, data, c, fmt), city_file, None, None)
            if c in with_kpi else base for c in cities}


def _repair_format(formats: Any):
    if formats is None:
        from ..formats import load_formats

        formats = load_formats()
    return formats["repair_report"]


def _known_types(data: dict[str, Any], fmt) -> dict[str, Any]:
    """The shipped defaults without the 服务类型 keys the run's format does not have."""
    types = set(fmt.column("service_type").values or [])
    return {k: ({t: v for t, v in data[k].items() if t in types} if k in ("piece_rates", "on_time_days") else data[k])
            for k in data}


def _check_shipped_roles(path: Path, roles: dict[str, dict[str, list[str]]], users: list[dict[str, Any]],
                         fmt) -> None:
    """Role values that still come from the shipped file are values of the run's format."""
    mine = {(c, r) for part in users for c, rs in (part.get("roles") or {}).items() for r in rs}
    for column, by_role in roles.items():
        allowed = list(fmt.column(column).values or [])
        for role, values in by_role.items():
            for i, v in enumerate(values):
                if (column, role) not in mine and v not in allowed:
                    from ..yamlio import line_for, node_lines

                    line = line_for(node_lines(_read_text(path)), ("roles", column, role, i))
                    raise AftersalesError("err.kpi_params", path, line=line, detail=_text(
                        "kpi.params.unknown_value", value=v, allowed="、".join(allowed)))


def city_fragment(path: Path, city: str, fmt=None) -> dict[str, Any]:
    """The checked `kpi:` map of `city` in cities.yaml ({} when the city has none)."""
    text = _read_text(path)
    return _city_part(path, text, _parse(path, text), city, fmt or _repair_format(None))


def _city_part(path: Path, text: str, data: Any, city: str, fmt) -> dict[str, Any]:
    """`city_fragment` of cities.yaml already read (`text`) and parsed (`data`)."""
    if not isinstance(data, dict):
        return {}
    entry = data.get(city)
    if not isinstance(entry, dict) or CITY_KEY not in entry:
        return {}
    return _checked(path, text, entry[CITY_KEY], (city, CITY_KEY), fmt=fmt)


def check_values(params: KpiParams, present: dict[str, set[str]], where: str) -> None:
    """Every 服务类型 in the data has a piece rate and an on-time limit (else exit 2 naming it).

    `present` maps a column key to the values the data holds (from the report and the previous one).
    """
    for value in sorted(present.get("service_type", set())):
        if value not in params.piece_rates:
            raise AftersalesError("err.kpi_no_rate", where, value=value, source=params.rates_source)
        if value not in params.on_time_days:
            raise AftersalesError("err.kpi_no_on_time", where, value=value)


# --- reading and checking one source ---------------------------------------------------------------

def _read_text(path: Path) -> str:
    if not path.is_file():
        raise AftersalesError("err.kpi_params_missing", path)
    try:
        return path.read_text("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        from ..errors import os_reason

        reason = os_reason(exc) if isinstance(exc, OSError) else str(exc)
        raise AftersalesError("err.kpi_params", path, line=1, detail=_text("kpi.params.unreadable", detail=reason)) from exc


def _parse(path: Path, text: str) -> Any:
    """The parsed data; the node tree is built only to report a problem's line (`_checked`)."""
    try:
        return load_untrusted(text)
    except yaml_error() as exc:
        line, problem = problem_at(exc)
        raise AftersalesError("err.kpi_params", path, line=line, detail=_text("kpi.params.yaml", detail=problem)) from exc


def _shipped(path: Path) -> dict[str, Any]:
    """The shipped file, its schema checked once and cached (keyed by its text and the code that
    checks it); its values are checked against the run's formats by `load_params`."""
    from ..yamlio import load_cached

    here = resources.files(__package__)
    salt = "kpi-params\0" + "\0".join(here.joinpath(n).read_text("utf-8") for n in ("schema.py", "params.py"))
    return load_cached(_read_text(path), lambda text: _read_fragment(path, None), salt=salt)


def _read_fragment(path: Path, fmt, wrap: str | None = None) -> dict[str, Any]:
    """A checked source file; `fmt` None checks the schema only (the shipped file)."""
    text = _read_text(path)
    data = _parse(path, text)
    if wrap is not None:   # --rates FILE: the file is the map itself
        data = {wrap: data}
        return _checked(path, text, data, (), wrapped=wrap, fmt=fmt)
    return _checked(path, text, data, (), fmt=fmt)


def _checked(path: Path, text: str, data: Any, prefix: tuple, wrapped: str | None = None,
             fmt=None) -> dict[str, Any]:
    from pydantic import ValidationError

    from ..schema import describe, from_pydantic
    from ..yamlio import line_for, node_lines
    from .schema import Fragment

    def line(loc: tuple) -> int:
        lines = node_lines(text)
        if wrapped is not None and loc and loc[0] == wrapped:
            loc = loc[1:]
        return line_for(lines, prefix + tuple(loc))

    if not isinstance(data, dict):
        raise AftersalesError("err.kpi_params", path, line=line(()), detail=_text("kpi.params.mapping"))
    try:
        checked = Fragment.model_validate(data)
    except ValidationError as exc:
        err = from_pydantic(exc.errors(), data)
        at = line(err.loc)
        if wrapped is not None and err.loc and err.loc[0] == wrapped:   # --rates FILE: the map itself
            err.loc = err.loc[1:]
        err.loc = prefix + err.loc
        raise AftersalesError("err.kpi_params", path, line=at, detail=describe(err)) from exc
    out = checked.model_dump(exclude_none=True)
    problem = _semantic(out, fmt)
    if problem:
        loc, detail = problem
        raise AftersalesError("err.kpi_params", path, line=line(loc), detail=detail)
    return out


def _semantic(fragment: dict[str, Any], fmt) -> tuple[tuple, str] | None:
    """Keys a source may not give: a role column or role kpi does not know and, against the
    repair-report format `fmt` (None: not checked), a 服务类型 that is no value of the column or
    a role value not in its column."""
    types = set(fmt.column("service_type").values or []) if fmt is not None else None
    for key in ("piece_rates", "on_time_days"):
        for name in fragment.get(key) or {}:
            if types is not None and name not in types:
                return (key, name), _text("kpi.params.unknown_type", value=name, allowed="、".join(sorted(types)))
    for column, roles in (fragment.get("roles") or {}).items():
        if column not in REQUIRED_ROLES:
            return ("roles", column), _text("kpi.params.unknown_key", value=column,
                                            allowed=", ".join(REQUIRED_ROLES))
        allowed = list(fmt.column(column).values or []) if fmt is not None else None
        for role, values in roles.items():
            if role not in REQUIRED_ROLES[column]:
                return ("roles", column, role), _text("kpi.params.unknown_key", value=role,
                                                      allowed=", ".join(REQUIRED_ROLES[column]))
            for i, v in enumerate(values):
                if allowed is not None and v not in allowed:
                    return ("roles", column, role, i), _text("kpi.params.unknown_value", value=v,
                                                             allowed="、".join(allowed))
    return None


def _pair_fragment(pair: str, fmt) -> dict[str, Any]:
    """`piece_rates.安装=60` → {"piece_rates": {"安装": 60}}, checked like a file."""
    name, sep, raw = pair.partition("=")
    name = name.strip()
    if not sep or not name or any(not p for p in name.split(".")):
        raise AftersalesError("err.kpi_param", "--params", value=pair, detail=_text("kpi.params.pair"))
    try:
        value = load_untrusted(raw) if raw.strip() else raw
    except yaml_error():
        value = raw
    from pydantic import ValidationError

    from .schema import Fragment

    data: Any = value
    for part in reversed(name.split(".")):
        data = {part: data}
    if not isinstance(data, dict):
        raise AftersalesError("err.kpi_param", "--params", value=pair, detail=_text("kpi.params.pair"))
    try:
        checked = Fragment.model_validate(data)
    except ValidationError as exc:
        from ..schema import describe, from_pydantic

        raise AftersalesError("err.kpi_param", "--params", value=pair,
                              detail=describe(from_pydantic(exc.errors(), data))) from exc
    out = checked.model_dump(exclude_none=True)
    problem = _semantic(out, fmt)
    if problem:
        raise AftersalesError("err.kpi_param", "--params", value=pair, detail=problem[1])
    return out


def _merge(into: dict[str, Any], part: dict[str, Any]) -> None:
    """Maps merge key by key (recursively); anything else replaces."""
    for key, value in part.items():
        if isinstance(value, dict) and isinstance(into.get(key), dict):
            merged = dict(into[key])
            _merge(merged, value)
            into[key] = merged
        else:
            into[key] = value


def _text(key: str, **params: Any) -> dict[str, str]:
    from ..i18n import both

    return both(key, **params)
