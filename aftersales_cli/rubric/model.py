"""The rubric language: what a rubric file may hold, and what a rubric is at run time.

Each class below is the one definition of its concept (msgspec, see `schema.py`): fields, checks
and the methods the engine calls. A rubric is converted leniently like a hand-written file deserves
(`max: "3"` is 3), but every key must be known. Conditions are data, never code: one small closed
set of kinds (`Condition.kind`) that the engine interprets. There is no expression syntax, so
nothing is ever `eval`ed; reason templates are `str.format` templates whose fields must be plain
names (no attribute or index access), checked at load time (`loader.semantic_problems`).
"""
from __future__ import annotations

from typing import Annotated, Any, Union

import msgspec
from msgspec.structs import force_setattr

from ..schema import Localized, Problem, Struct

OPS = ("lt", "le", "gt", "ge", "eq", "ne")
#: The kinds of condition, each named by its one key.
CONDITION_KINDS = ("metric", "param", "dataset", "all", "any", "not", "checklist")
Points = Annotated[int, msgspec.Meta(ge=0)]
#: A number, or the name of a parameter holding one.
Operand = Union[float, int, str, None]


class RubricProblem(Problem):
    """A schema problem named by a `rubric.problem.*` catalogue key (schema.Problem), so
    `rubric check` says it in the user's language."""

    def __init__(self, key: str, **params: Any) -> None:
        super().__init__(f"rubric.problem.{key}", **params)


class Text(Localized):
    """A localised text; a plain string in YAML is used for both languages (see `text`)."""


def text(value: Text | str | None) -> Text | None:
    """A plain string as the same text in both languages."""
    return Text(zh=value, en=value) if isinstance(value, str) else value


def _as_str(value: Any) -> Any:
    """A code or version YAML read as a number (`1.1`, `2.0`) as the text it was written as."""
    return str(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else value


class Condition(Struct):
    """One condition: a metric compared with a number or a parameter (`metric` + one of OPS), a
    parameter equal (or not) to a value (`param` + eq/ne), a dataset found (`dataset`), a checklist
    answer 是 (`checklist`), or every / any / not of other conditions (`all`, `any`, `not`)."""
    metric: str | None = None
    param: str | None = None
    dataset: str | None = None
    checklist: str | None = None
    all: list[Condition] | None = None
    any: list[Condition] | None = None
    not_: Condition | None = msgspec.field(default=None, name="not")
    lt: Operand = None
    le: Operand = None
    gt: Operand = None
    ge: Operand = None
    eq: Any = None
    ne: Any = None

    def __post_init__(self) -> None:
        kinds = [k for k in CONDITION_KINDS if getattr(self, "not_" if k == "not" else k) is not None]
        if len(kinds) != 1:
            raise RubricProblem("one_condition", kinds=", ".join(CONDITION_KINDS))
        ops = [op for op in OPS if getattr(self, op) is not None]
        if kinds[0] == "metric":
            if len(ops) != 1:
                raise RubricProblem("one_op", ops=", ".join(OPS))
            if not isinstance(getattr(self, ops[0]), (bool, int, float, str)):
                raise RubricProblem("operand", op=ops[0])
        allowed = OPS if kinds[0] == "metric" else ("eq", "ne") if kinds[0] == "param" else ()
        for op in ops:
            if op not in allowed:
                raise RubricProblem("op_not_allowed", op=op, kind=kinds[0])

    @property
    def kind(self) -> str:
        """Which condition this is: one of CONDITION_KINDS."""
        return next(k for k in CONDITION_KINDS if getattr(self, "not_" if k == "not" else k) is not None)

    @property
    def op(self) -> tuple[str, Any]:
        """A metric condition's one comparison: (operator, number or parameter name)."""
        op = next(o for o in OPS if getattr(self, o) is not None)
        return op, getattr(self, op)


class RuleEntry(Struct, kw_only=True):
    """One line of a first-match list; no `when` means 'otherwise'."""
    when: Condition | None = None
    points: Points
    reason: Text | str
    fix: Text | str | None = None      # what to do when this rule costs points (fixes.md)

    def __post_init__(self) -> None:
        force_setattr(self, "reason", text(self.reason))
        force_setattr(self, "fix", text(self.fix))


class Requirement(Struct):
    """One requirement of an all_of criterion."""
    when: Condition
    fail: Text | str
    fix: Text | str | None = None      # what to do when this requirement fails (fixes.md)

    def __post_init__(self) -> None:
        force_setattr(self, "fail", text(self.fail))
        force_setattr(self, "fix", text(self.fix))


class Criterion(Struct):
    """One scored line of the sheet: exactly one of `checklist`, `rules`, `all_of`."""
    id: str | int | float
    max: Points
    text: str = ""
    needs: list[str] = []
    requires: str | None = None
    checklist: list[str | int | float] | None = None
    rules: list[RuleEntry] | None = None
    all_of: list[Requirement] | None = None
    points: int | None = None          # with all_of: the score when every requirement holds
    reason: Text | str | None = None   # with all_of: the reason when every requirement holds
    evidence: list[str] = []           # extra metrics shown as evidence

    def __post_init__(self) -> None:
        force_setattr(self, "id", _as_str(self.id))
        if self.checklist is not None:
            force_setattr(self, "checklist", [_as_str(c) for c in self.checklist])
        force_setattr(self, "reason", text(self.reason))
        kinds = [k for k in ("checklist", "rules", "all_of") if getattr(self, k) is not None]
        if len(kinds) != 1:
            raise RubricProblem("one_kind", id=self.id)
        if self.all_of is not None and (self.points is None or self.reason is None):
            raise RubricProblem("all_of_needs", id=self.id)


class Item(Struct):
    """One 序号 of the sheet."""
    seq: int | str
    title: str
    max: Points
    criteria: list[Criterion]


class Section(Struct):
    """One 项目 of the sheet."""
    title: str
    max: Points
    items: list[Item]


class Rubric(Struct, kw_only=True):
    """The whole rubric."""
    name: str
    version: str | int | float
    params: dict[str, Any] = {}
    param_choices: dict[str, list[Any]] = {}     # parameters that take one of a few values
    checklist: dict[str | int | float, str | int | float] = {}
    note: Text | str | None = None               # printed below the score sheet's total line
    sections: list[Section]

    def __post_init__(self) -> None:
        force_setattr(self, "version", _as_str(self.version))
        force_setattr(self, "checklist", {_as_str(k): _as_str(t) for k, t in self.checklist.items()})
        force_setattr(self, "note", text(self.note))

    @property
    def max(self) -> int:
        return sum(s.max for s in self.sections)

    @property
    def title(self) -> str:
        return f"{self.name} {self.version}"

    def criteria(self):
        for s in self.sections:
            for item in s.items:
                for c in item.criteria:
                    yield s, item, c


__all__ = ["CONDITION_KINDS", "OPS", "Condition", "Criterion", "Item", "Requirement", "Rubric", "RuleEntry",
           "Section", "Text", "text"]
