"""Finding, loading and checking rubric files.

A broken rubric is rejected before any data is read, with the file, the line and what is wrong.
Line numbers come from PyYAML's node tree (the safe loader), matched to the schema's error location.
"""
from __future__ import annotations

import string
from importlib import resources
from pathlib import Path

from .. import schema
from ..errors import RubricError
from ..yamlio import line_for, load_cached, load_untrusted, node_lines, yaml_error, yaml_problem
from .model import Rubric

DEFAULT_RUBRIC = "hegii-2.0.yaml"


def default_rubric_path() -> Path:
    """The shipped rubric: inside the installed package, or `rubrics/` of a source checkout."""
    packaged = resources.files("aftersales_cli").joinpath("rubrics", DEFAULT_RUBRIC)
    if packaged.is_file():
        return Path(str(packaged))
    return Path(__file__).resolve().parents[2] / "rubrics" / DEFAULT_RUBRIC


def _fail(path: Path, line: int, detail: str) -> RubricError:
    return RubricError("err.rubric", path, line=line, detail=detail)


def load_rubric(path: Path | None = None):
    """Load and fully check a rubric; raise RubricError (exit 2) naming file and line.

    The first read of a rubric text checks it (YAML, the schema of `model.py`, then
    `semantic_problems`); the checked data is cached, keyed by the text and by the code that
    checks it, so later runs only convert that JSON into the same classes (no YAML).
    """
    from ..formats import DATASETS
    from ..metrics import METRICS

    path = Path(path) if path else default_rubric_path()
    if not path.is_file():
        raise RubricError("err.rubric_missing", path)
    try:
        text = path.read_text("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise _fail(path, 1, f"cannot read: {exc}") from exc
    here = resources.files(__package__)
    salt = schema.schema_salt(here.joinpath("model.py").read_bytes(), here.joinpath("loader.py").read_bytes(),
                              ",".join(sorted(METRICS)), ",".join(DATASETS))
    return schema.convert(load_cached(text, lambda t: _checked(path, t), salt=salt), Rubric, strict=False)


def _checked(path: Path, text: str) -> dict:
    """A rubric text → checked plain data; RubricError naming the line of the first problem."""
    import msgspec

    try:
        data = load_untrusted(text)
    except yaml_error() as exc:
        raise _fail(path, *yaml_problem(exc)) from exc
    if not isinstance(data, dict):
        raise _fail(path, 1, "not a mapping (expected name, version, params, sections)")

    def lines() -> dict[tuple, int]:   # the node tree is built only to report a problem's line
        return node_lines(text)

    try:
        rubric = schema.convert(data, Rubric, strict=False)
    except schema.SchemaError as exc:
        raise _fail(path, line_for(lines(), exc.loc), str(exc)) from None
    problems = semantic_problems(rubric)
    if problems:
        loc, detail = problems[0]
        raise _fail(path, line_for(lines(), loc), detail)
    return msgspec.to_builtins(rubric)


def semantic_problems(rubric) -> list[tuple[tuple, str]]:
    """What the schema cannot see: unknown names, points that do not add up, bad templates."""
    from ..formats import DATASETS
    from ..metrics import METRICS

    problems: list[tuple[tuple, str]] = []
    params = set(rubric.params)
    names = set(METRICS) | params
    seen: set[str] = set()

    def cond(c, loc):
        if c.kind == "metric":
            if c.metric not in METRICS:
                problems.append((loc + ("metric",), f"unknown metric '{c.metric}'"))
            op, value = c.op
            if isinstance(value, str) and value not in params:
                problems.append((loc + (op,), f"'{value}' is neither a number nor a parameter"))
        elif c.kind == "param":
            if c.param not in params:
                problems.append((loc + ("param",), f"unknown parameter '{c.param}'"))
        elif c.kind == "dataset":
            if c.dataset not in DATASETS:
                problems.append((loc + ("dataset",), f"unknown dataset '{c.dataset}'"))
        elif c.kind == "checklist":
            if c.checklist not in rubric.checklist:
                problems.append((loc + ("checklist",), f"unknown checklist code '{c.checklist}'"))
        elif c.kind in ("all", "any"):
            for i, sub in enumerate(getattr(c, c.kind)):
                cond(sub, loc + (c.kind, i))
        elif c.kind == "not":
            cond(c.not_, loc + ("not",))

    def template(text, loc):
        for lang in ("zh", "en"):
            try:
                fields = [f for _, f, _, _ in string.Formatter().parse(getattr(text, lang)) if f is not None]
            except ValueError as exc:
                problems.append((loc, f"bad reason template: {exc}"))
                continue
            for f in fields:
                if not f.isidentifier():
                    problems.append((loc, f"reason field '{{{f}}}' must be a plain name"))
                elif f not in names:
                    problems.append((loc, f"reason names unknown metric or parameter '{f}'"))

    for name, allowed in rubric.param_choices.items():
        if name not in params:
            problems.append((("param_choices", name), f"choices for unknown parameter '{name}'"))
        elif rubric.params[name] not in allowed:
            problems.append((("params", name), f"default of '{name}' is not one of its choices"))
    for si, section in enumerate(rubric.sections):
        sloc = ("sections", si)
        total = sum(item.max for item in section.items)
        if total != section.max:
            problems.append((sloc + ("max",), f"section '{section.title}': items add up to {total}, not {section.max}"))
        for ii, item in enumerate(section.items):
            iloc = sloc + ("items", ii)
            if sum(c.max for c in item.criteria) < item.max:
                problems.append((iloc + ("max",), f"item {item.seq}: criteria add up to less than {item.max}"))
            for ci, c in enumerate(item.criteria):
                cloc = iloc + ("criteria", ci)
                if c.id in seen:
                    problems.append((cloc + ("id",), f"criterion id '{c.id}' is used twice"))
                if c.max > item.max:
                    problems.append((cloc + ("max",), f"criterion {c.id} is worth {c.max}, more than its item's {item.max}"))
                if c.requires is not None and c.requires not in seen:
                    problems.append((cloc + ("requires",), f"criterion {c.id} requires '{c.requires}', which is not an earlier criterion"))
                seen.add(c.id)
                for d in c.needs:
                    if d not in DATASETS:
                        problems.append((cloc + ("needs",), f"unknown dataset '{d}'"))
                for code in c.checklist or []:
                    if code not in rubric.checklist:
                        problems.append((cloc + ("checklist",), f"unknown checklist code '{code}'"))
                for e in c.evidence:
                    if e not in METRICS:
                        problems.append((cloc + ("evidence",), f"unknown metric '{e}'"))
                for ri, r in enumerate(c.rules or []):
                    rloc = cloc + ("rules", ri)
                    if r.points > c.max:
                        problems.append((rloc + ("points",), f"criterion {c.id}: {r.points} points, more than its max {c.max}"))
                    if r.when is not None:
                        cond(r.when, rloc + ("when",))
                    template(r.reason, rloc + ("reason",))
                for ai, a in enumerate(c.all_of or []):
                    cond(a.when, cloc + ("all_of", ai, "when"))
                    template(a.fail, cloc + ("all_of", ai, "fail"))
                if c.all_of is not None:
                    if c.points > c.max:
                        problems.append((cloc + ("points",), f"criterion {c.id}: {c.points} points, more than its max {c.max}"))
                    template(c.reason, cloc + ("reason",))
    return problems
