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
from ..yamlio import load_untrusted, safe_loader, yaml_error

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
                city_file: Path | None = None, city: str | None = None) -> KpiParams:
    """The checked, merged parameters (sources in the module docstring's order)."""
    shipped = default_params_path()
    merged: dict[str, Any] = {}
    source = str(shipped)
    _merge(merged, _shipped(shipped))
    if city_file is not None and city is not None and city_file.is_file():
        city_part = city_fragment(city_file, city)
        if city_part:
            _merge(merged, city_part)
            source = str(city_file) if "piece_rates" in city_part else source
    if rates is not None:
        rates_map = _read_fragment(Path(rates), wrap="piece_rates")
        merged["piece_rates"] = rates_map["piece_rates"]
        source = str(rates)
    for pair in pairs or []:
        part = _pair_fragment(pair)
        _merge(merged, part)
        source = "--params" if "piece_rates" in part else source
    missing = [k for k in KEYS if k not in merged]
    if missing:
        raise AftersalesError("err.kpi_params", shipped, line=1, detail=f"missing: {', '.join(missing)}")
    return KpiParams(rates_source=source, **merged)


def city_fragment(path: Path, city: str) -> dict[str, Any]:
    """The checked `kpi:` map of `city` in cities.yaml ({} when the city has none)."""
    text = _read_text(path)
    data, node = _parse(path, text)
    if not isinstance(data, dict):
        return {}
    entry = data.get(city)
    if not isinstance(entry, dict) or CITY_KEY not in entry:
        return {}
    import yaml

    prefix: tuple = ()
    for key, value in node.value:
        if str(key.value) == city and isinstance(value, yaml.MappingNode):
            prefix = (key.value, CITY_KEY)
    return _checked(path, text, entry[CITY_KEY], node, prefix)


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
        raise AftersalesError("err.kpi_params", path, line=1, detail=str(exc)) from exc


def _parse(path: Path, text: str):
    try:
        import yaml

        data = load_untrusted(text)
        node = yaml.compose(text, Loader=safe_loader())
    except yaml_error() as exc:
        mark = getattr(exc, "problem_mark", None)
        raise AftersalesError("err.kpi_params", path, line=(mark.line + 1) if mark else 1,
                              detail=f"YAML: {getattr(exc, 'problem', None) or exc}") from exc
    return data, node


def _shipped(path: Path) -> dict[str, Any]:
    """The shipped file, checked once and cached (keyed by its text and the code that checks it)."""
    from ..yamlio import load_cached

    here = resources.files(__package__)
    formats = resources.files("aftersales_cli.formats")
    salt = "kpi-params\0" + "\0".join(here.joinpath(n).read_text("utf-8") for n in ("schema.py", "params.py")) + \
        formats.joinpath("repair_report.yaml").read_text("utf-8")
    return load_cached(_read_text(path), lambda text: _read_fragment(path), salt=salt)


def _read_fragment(path: Path, wrap: str | None = None) -> dict[str, Any]:
    text = _read_text(path)
    data, node = _parse(path, text)
    if wrap is not None:   # --rates FILE: the file is the map itself
        data = {wrap: data}
        return _checked(path, text, data, node, (), wrapped=wrap)
    return _checked(path, text, data, node, ())


def _checked(path: Path, text: str, data: Any, node, prefix: tuple, wrapped: str | None = None) -> dict[str, Any]:
    from pydantic import ValidationError

    from ..yamlio import line_for, node_lines
    from .schema import Fragment

    def line(loc: tuple) -> int:
        lines = node_lines(text) if node is not None else {}
        if wrapped is not None and loc and loc[0] == wrapped:
            loc = loc[1:]
        return line_for(lines, prefix + tuple(loc))

    if not isinstance(data, dict):
        raise AftersalesError("err.kpi_params", path, line=line(()), detail=_text("kpi.params.mapping"))
    try:
        checked = Fragment.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = tuple(err["loc"])
        raise AftersalesError("err.kpi_params", path, line=line(loc),
                              detail=f"{'.'.join(map(str, loc))}: {err['msg']}") from exc
    problem = _semantic(checked)
    if problem:
        loc, detail = problem
        raise AftersalesError("err.kpi_params", path, line=line(loc), detail=detail)
    return checked.model_dump(exclude_none=True)


def _semantic(fragment) -> tuple[tuple, str] | None:
    """Keys the format does not know: a 服务类型 that is no value of the column, a role value."""
    from ..formats import load_formats

    fmt = load_formats()["repair_report"]
    types = set(fmt.column("service_type").values or [])
    for key in ("piece_rates", "on_time_days"):
        for name in getattr(fragment, key) or {}:
            if name not in types:
                return (key, name), _text("kpi.params.unknown_type", value=name, allowed="、".join(sorted(types)))
    for column, roles in (fragment.roles or {}).items():
        if column not in REQUIRED_ROLES:
            return ("roles", column), _text("kpi.params.unknown_key", value=column,
                                            allowed=", ".join(REQUIRED_ROLES))
        allowed = set(fmt.column(column).values or [])
        for role, values in roles.items():
            if role not in REQUIRED_ROLES[column]:
                return ("roles", column, role), _text("kpi.params.unknown_key", value=role,
                                                      allowed=", ".join(REQUIRED_ROLES[column]))
            for i, v in enumerate(values):
                if v not in allowed:
                    return ("roles", column, role, i), _text("kpi.params.unknown_value", value=v,
                                                             allowed="、".join(fmt.column(column).values))
    return None


def _pair_fragment(pair: str) -> dict[str, Any]:
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
        err = exc.errors()[0]
        raise AftersalesError("err.kpi_param", "--params", value=pair,
                              detail=f"{'.'.join(map(str, err['loc']))}: {err['msg']}") from exc
    problem = _semantic(checked)
    if problem:
        raise AftersalesError("err.kpi_param", "--params", value=pair, detail=problem[1])
    return checked.model_dump(exclude_none=True)


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
