"""Load the formats: the YAML files in this package, or an edited copy of them (`--formats DIR`).

They are checked the first time a version of them is read — the schema (`model.py`), then
`semantic_problems` (field, dataset and check names, finding codes, roles) — and a problem is an
`err.formats` error naming the file and the line (exit 2), like a broken rubric. The checked data
is cached (JSON, keyed by the files' text and the checking code) and every run converts it into the
same classes of `model.py`, so a warm run does not import PyYAML.
"""
from __future__ import annotations

from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from .. import schema
from ..errors import AftersalesError
from ..yamlio import line_for, load_cached, load_untrusted, node_lines, problem_at, yaml_error
from .model import FIELD_OPTIONS, Column, Common, DatasetFormat, Formats, Localized, Rule

#: Canonical dataset order: the order of formats.md, used in every output.
DATASETS = ("repair_report", "roster", "parts_ledger", "parts_master", "stocktake",
            "parts_plan", "training_log", "inspection")
FILES = ("common", *DATASETS)            # one YAML file each: <name>.yaml

_SEP = "\n\x00\n"          # between the files' texts in the cache key (never inside a YAML file)


def load_formats(folder: Path | str | None = None) -> Formats:
    """The formats of `folder` (None: the shipped ones), checked; cached per process and on disk.

    A folder holds `<name>.yaml` files named like the shipped ones (common, repair_report, …);
    a file it lacks is the shipped one. Raises AftersalesError `err.formats` (file and line) for a
    broken file, `err.formats_folder` for a folder that does not exist or holds an unknown file.
    """
    if folder is None:
        return _shipped()
    paths = _paths(Path(folder))
    texts = []
    for path in paths:
        try:
            texts.append(path.read_text("utf-8"))
        except (OSError, UnicodeDecodeError) as exc:
            from ..errors import os_reason
            reason = os_reason(exc) if isinstance(exc, OSError) else str(exc)
            raise AftersalesError("err.formats", path, line=1, detail=_p("unreadable", detail=reason)) from exc
    return _build(tuple(paths), _SEP.join(texts))      # keyed by the texts: an edited file is read anew


@lru_cache(maxsize=1)
def _shipped() -> Formats:
    paths = _paths(None)
    return _build(tuple(paths), _SEP.join(p.read_text("utf-8") for p in paths))


@lru_cache(maxsize=4)
def _build(paths: tuple[Path, ...], text: str) -> Formats:
    return schema.convert(load_cached(text, lambda t: _checked(list(paths), t), salt=_salt()), Formats)


def _paths(folder: Path | None) -> list[Path]:
    shipped = Path(str(resources.files(__name__)))
    if folder is None:
        return [shipped / f"{name}.yaml" for name in FILES]
    if not folder.is_dir():
        raise AftersalesError("err.formats_folder", folder, detail=_folder_detail("formats.not_a_folder"))
    unknown = sorted(p.name for p in folder.iterdir() if p.suffix.lower() in (".yaml", ".yml")
                     and p.stem not in FILES)
    if unknown:
        raise AftersalesError("err.formats_folder", folder,
                              detail=_folder_detail("formats.unknown_file", name=unknown[0],
                                                    allowed=", ".join(f"{n}.yaml" for n in FILES)))
    return [folder / f"{name}.yaml" if (folder / f"{name}.yaml").is_file() else shipped / f"{name}.yaml"
            for name in FILES]


def _folder_detail(key: str, **params: Any) -> dict[str, str]:
    from ..i18n import both
    return both(key, **params)


def _p(key: str, **params: Any) -> dict[str, str]:
    """A format file's problem in both languages (messages.yaml `formats.problem.*`)."""
    return _folder_detail(f"formats.problem.{key}", **params)


@lru_cache(maxsize=1)
def _salt() -> str:
    """The checking code and the names it checks against: the schema, the registries, the codes."""
    here = resources.files(__name__)
    root = resources.files("aftersales_cli")
    return schema.schema_salt(here.joinpath("model.py").read_bytes(), Path(__file__).read_bytes(),
                              root.joinpath("validate", "rules.py").read_bytes(),
                              root.joinpath("validate", "checks.py").read_bytes(),
                              root.joinpath("metrics", "catalogue.yaml").read_bytes(),
                              root.joinpath("messages.yaml").read_bytes())


def _checked(paths: list[Path], text: str) -> dict[str, Any]:
    """The formats' texts → checked plain data; `err.formats` naming the first problem's line."""
    texts = text.split(_SEP)
    parsed: dict[str, Any] = {}
    for name, path, t in zip(FILES, paths, texts):
        try:
            parsed[name] = schema.convert(_parse(path, t), Common if name == "common" else DatasetFormat)
        except schema.SchemaError as exc:
            raise AftersalesError("err.formats", path, line=line_for(node_lines(t), exc.loc),
                                  detail=schema.describe(exc)) from None
        if name != "common" and parsed[name].name != name:
            raise AftersalesError("err.formats", path, line=line_for(node_lines(t), ("name",)),
                                  detail=_p("name", value=parsed[name].name, file=f"{name}.yaml", expected=name))
    formats = Formats(common=parsed["common"], datasets={d: parsed[d] for d in DATASETS})
    for name, loc, detail in semantic_problems(formats):
        i = FILES.index(name)
        raise AftersalesError("err.formats", paths[i], line=line_for(node_lines(texts[i]), loc), detail=detail)
    import msgspec

    return msgspec.to_builtins(formats)


def _parse(path: Path, text: str) -> Any:
    try:
        data = load_untrusted(text)
    except yaml_error() as exc:
        line, problem = problem_at(exc)
        raise AftersalesError("err.formats", path, line=line, detail=_p("yaml", detail=problem)) from exc
    if not isinstance(data, dict):
        raise AftersalesError("err.formats", path, line=1, detail=_p("not_mapping"))
    return data


def semantic_problems(formats: Formats) -> list[tuple[str, tuple, dict[str, str]]]:
    """What the schema cannot see, as (file name, document path, what is wrong as {"zh", "en"}:
    messages.yaml `formats.problem.*`).

    Every field a rule or a condition names is a column of its dataset (`ref` one of the other
    dataset's); every finding code is in the message catalogue; every rule kind and named check is
    implemented (validate/rules.py RULES, validate/checks.py CHECKS); every role a check or a metric
    reads (checks' `reads`, metrics/catalogue.yaml `reads`) is declared.
    """
    from .. import i18n
    from ..validate.checks import CHECK_READS, CHECKS
    from ..validate.rules import RULE_READS, RULES

    codes = i18n.catalogue()["findings"]
    problems: list[tuple[str, tuple, dict[str, str]]] = []
    # (dataset, column) → the role names something reads (any check or rule, whether or not the
    # file lists it, and the dataset's metrics): a role nothing reads is a typo (`isue: [调拨出库]`
    # beside `issue: [出库]` would silently leave 调拨出库 out of FIFO and the balance).
    any_reads = [n for reads in (*CHECK_READS.values(), *RULE_READS.values()) for n in reads]
    known_roles: dict[tuple[str, str], set[str]] = {}
    for name in DATASETS:
        for need in (*any_reads, *metric_reads().get(name, ())):
            key, dot, role = need.partition(".")
            if dot:
                known_roles.setdefault((name, key), set()).add(role)
    for name in DATASETS:
        fmt = formats.datasets[name]
        keys = {c.key: c for c in fmt.columns}

        def bad(loc: tuple, key: str, **params: Any) -> None:
            problems.append((name, loc, _p(key, **params)))   # noqa: B023 - used at once, inside the loop

        for ci, col in enumerate(fmt.columns):
            for alias, target in col.value_aliases.items():
                if target not in col.values:
                    bad(("columns", ci, "value_aliases", alias), "alias_unknown_value",
                        column=col.key, alias=alias, target=target)
            for role, members in col.roles.items():
                if role not in known_roles.get((name, col.key), ()):
                    known = sorted(known_roles.get((name, col.key), ())) or "-"
                    bad(("columns", ci, "roles", role), "role_unread", column=col.key, role=role, known=known)
                for value in members:
                    if value not in col.values:
                        bad(("columns", ci, "roles", role), "role_unknown_value", column=col.key, role=role,
                            value=value)
            cond = col.required_if
            if cond is None:
                continue
            loc = ("columns", ci, "required_if")
            if cond.field not in keys:
                bad(loc + ("field",), "required_if_field", field=cond.field)
            elif keys[cond.field].values:
                for v in cond.in_ or []:
                    if v not in keys[cond.field].values:
                        bad(loc + ("in",), "required_if_value", value=v, field=cond.field)
        for ri, rule in enumerate(fmt.rules):
            loc = ("rules", ri)
            if rule.rule not in RULES:
                bad(loc + ("rule",), "rule_unimplemented", rule=rule.rule)
            if rule.code not in codes:
                bad(loc + ("code",), "unknown_code", code=rule.code)
            for option in ("field", *FIELD_OPTIONS):
                value = rule.option(option) if option != "field" else rule.field
                if isinstance(value, str) and value not in keys:
                    bad(loc + (option,), "unknown_field", option=option, field=value, dataset=name)
            if rule.option("ref"):
                other, _, ref_key = rule.option("ref").partition(".")
                if other not in formats.datasets:
                    bad(loc + ("ref",), "unknown_dataset", dataset=other)
                else:
                    ref_keys = {c.key for c in formats.datasets[other].columns}
                    for option, value in (("ref", ref_key), ("ref_field", rule.option("ref_field"))):
                        if value is not None and value not in ref_keys:
                            bad(loc + (option,), "unknown_field", option=option, field=value, dataset=other)
            for need in RULE_READS.get(rule.rule, ()):
                problems.extend((name, loc + ("rule",), p) for p in _missing(fmt, need, _p("who.rule", name=rule.rule)))
        for ci, check in enumerate(fmt.checks):
            if check not in CHECKS:
                bad(("checks", ci), "unknown_check", check=check, known=sorted(CHECKS))
            for need in CHECK_READS.get(check, ()):
                problems.extend((name, ("checks", ci), p) for p in _missing(fmt, need, _p("who.check", name=check)))
    for name, needs in metric_reads().items():
        for need in needs:
            problems.extend((name, (), p) for p in _missing(formats.datasets[name], need, _p("who.metrics")))
    return problems


def _missing(fmt: DatasetFormat, need: str, who: dict[str, str]) -> list[dict[str, str]]:
    """`need` is `field.role` (a role of a column) or `count_window` / `period_window`; `who`
    (both languages) is what needs it."""
    if "." not in need:
        return [] if getattr(fmt, need, None) is not None else [_p("needs_setting", who=who, need=need)]
    key, _, role = need.partition(".")
    col = next((c for c in fmt.columns if c.key == key), None)
    if col is None:
        return [_p("needs_column", who=who, column=key)]
    if not col.roles.get(role):
        return [_p("needs_role", who=who, role=role, column=key)]
    return []


@lru_cache(maxsize=1)
def metric_reads() -> dict[str, tuple[str, ...]]:
    """What the metrics read from the formats: dataset → `field.role` / window names (catalogue.yaml)."""
    from ..metrics.catalogue import catalogue

    return {name: tuple(needs) for name, needs in catalogue()["reads"].items()}


def dataset_format(data: dict[str, Any]) -> DatasetFormat:
    """One dataset format from plain data (e.g. a format file's content), checked by the schema;
    schema.SchemaError (a ValueError naming the path) when it does not fit."""
    return schema.convert(data, DatasetFormat)


__all__ = ["DATASETS", "FILES", "Column", "Common", "DatasetFormat", "Formats", "Localized", "Rule",
           "dataset_format", "load_formats", "semantic_problems"]
