"""Finding, loading and checking rubric files.

A broken rubric is rejected before any data is read, with the file, the line and what is wrong.
Line numbers come from PyYAML's node tree (the safe loader), matched to the schema's error location.
"""
from __future__ import annotations

import string
from importlib import resources
from pathlib import Path

from .. import schema
from ..errors import RubricError, os_reason
from ..yamlio import line_for, load_cached, load_untrusted, node_lines, problem_at, yaml_error
from .model import Rubric

DEFAULT_RUBRIC = "hegii-2.0.yaml"


def default_rubric_path() -> Path:
    """The shipped rubric: inside the installed package, or `rubrics/` of a source checkout."""
    packaged = resources.files("aftersales_cli").joinpath("rubrics", DEFAULT_RUBRIC)
    if packaged.is_file():
        return Path(str(packaged))
    return Path(__file__).resolve().parents[2] / "rubrics" / DEFAULT_RUBRIC


def _fail(path: Path, line: int, detail) -> RubricError:
    return RubricError("err.rubric", path, line=line, detail=detail)


def _p(key: str, **params) -> dict[str, str]:
    """A rubric problem in both languages (messages.yaml `rubric.problem.*`)."""
    from .. import i18n
    return i18n.both(f"rubric.problem.{key}", **params)


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
        raise _fail(path, 1, _p("unreadable", detail=os_reason(exc) if isinstance(exc, OSError) else str(exc))) from exc
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
        line, problem = problem_at(exc)
        raise _fail(path, line, _p("yaml", detail=problem)) from exc
    if not isinstance(data, dict):
        raise _fail(path, 1, _p("not_mapping"))

    def lines() -> dict[tuple, int]:   # the node tree is built only to report a problem's line
        return node_lines(text)

    try:
        rubric = schema.convert(data, Rubric, strict=False)
    except schema.SchemaError as exc:
        raise _fail(path, line_for(lines(), exc.loc), schema.describe(exc)) from None
    problems = semantic_problems(rubric)
    if problems:
        loc, detail = problems[0]
        raise _fail(path, line_for(lines(), loc), detail)
    return msgspec.to_builtins(rubric)


def failing_branches(c) -> list[int]:
    """The indexes of the rules (or all_of requirements) that can be a cause in the fix list
    (fixes.md "Causes"): every rule with a `when` down to the first rule worth the criterion's
    max (all of them when none is), every requirement; each needs a `fix` text."""
    if c.all_of is not None:
        return list(range(len(c.all_of)))
    out = []
    for i, r in enumerate(c.rules or []):
        if r.when is not None:
            out.append(i)
        if r.points >= c.max:
            break
    return out


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
                problems.append((loc + ("metric",), _p("unknown_metric", name=c.metric)))
            op, value = c.op
            if isinstance(value, str) and value not in params:
                problems.append((loc + (op,), _p("not_number_or_param", value=value)))
        elif c.kind == "param":
            if c.param not in params:
                problems.append((loc + ("param",), _p("unknown_param", name=c.param)))
        elif c.kind == "dataset":
            if c.dataset not in DATASETS:
                problems.append((loc + ("dataset",), _p("unknown_dataset", name=c.dataset)))
        elif c.kind == "checklist":
            if c.checklist not in rubric.checklist:
                problems.append((loc + ("checklist",), _p("unknown_code", name=c.checklist)))
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
                problems.append((loc, _p("bad_template", detail=str(exc))))
                continue
            for f in fields:
                if not f.isidentifier():
                    problems.append((loc, _p("plain_name", name="{" + f + "}")))
                elif f not in names:
                    problems.append((loc, _p("unknown_field", name=f)))

    for name, allowed in rubric.param_choices.items():
        if name not in params:
            problems.append((("param_choices", name), _p("choices_unknown", name=name)))
        elif rubric.params[name] not in allowed:
            problems.append((("params", name), _p("default_not_choice", name=name)))
    for si, section in enumerate(rubric.sections):
        sloc = ("sections", si)
        total = sum(item.max for item in section.items)
        if total != section.max:
            problems.append((sloc + ("max",), _p("section_sum", title=section.title, total=total, max=section.max)))
        for ii, item in enumerate(section.items):
            iloc = sloc + ("items", ii)
            if sum(c.max for c in item.criteria) < item.max:
                problems.append((iloc + ("max",), _p("item_sum", seq=item.seq, max=item.max)))
            for ci, c in enumerate(item.criteria):
                cloc = iloc + ("criteria", ci)
                if c.id in seen:
                    problems.append((cloc + ("id",), _p("id_twice", id=c.id)))
                if c.max > item.max:
                    problems.append((cloc + ("max",), _p("criterion_over_item", id=c.id, max=c.max, item_max=item.max)))
                if c.requires is not None and c.requires not in seen:
                    problems.append((cloc + ("requires",), _p("requires_later", id=c.id, requires=c.requires)))
                seen.add(c.id)
                for d in c.needs:
                    if d not in DATASETS:
                        problems.append((cloc + ("needs",), _p("unknown_dataset", name=d)))
                for code in c.checklist or []:
                    if code not in rubric.checklist:
                        problems.append((cloc + ("checklist",), _p("unknown_code", name=code)))
                for e in c.evidence:
                    if e not in METRICS:
                        problems.append((cloc + ("evidence",), _p("unknown_metric", name=e)))
                for ri in failing_branches(c):
                    if (c.rules[ri] if c.rules is not None else c.all_of[ri]).fix is None:
                        kind = "rules" if c.rules is not None else "all_of"
                        problems.append((cloc + (kind, ri), _p("fix_missing", id=c.id)))
                for ri, r in enumerate(c.rules or []):
                    rloc = cloc + ("rules", ri)
                    if r.points > c.max:
                        problems.append((rloc + ("points",), _p("points_over_max", id=c.id, points=r.points, max=c.max)))
                    if r.when is not None:
                        cond(r.when, rloc + ("when",))
                    template(r.reason, rloc + ("reason",))
                for ai, a in enumerate(c.all_of or []):
                    cond(a.when, cloc + ("all_of", ai, "when"))
                    template(a.fail, cloc + ("all_of", ai, "fail"))
                if c.all_of is not None:
                    if c.points > c.max:
                        problems.append((cloc + ("points",), _p("points_over_max", id=c.id, points=c.points, max=c.max)))
                    template(c.reason, cloc + ("reason",))
    return problems
