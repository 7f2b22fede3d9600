"""The rubric at run time: read-only records built from the checked YAML.

The fields and every rule about them are declared once, in `model.py` (pydantic, used when a rubric
text is first read); these classes add only the methods the engine calls. A condition is one of a
closed set of kinds, told apart by its class: data, never code.
"""
from __future__ import annotations

from typing import Any, Union

from ..frozen import Localized as Text
from ..frozen import Record, kinds_of

OPS = ("lt", "le", "gt", "ge", "eq", "ne")


class MetricCond(Record):
    metric: str

    @property
    def op(self) -> tuple[str, Any]:
        """The one comparison given: (operator, number or parameter name)."""
        op = next(o for o in OPS if getattr(self, o, None) is not None)
        return op, getattr(self, op)


class ParamCond(Record):
    param: str
    eq: Any
    ne: Any


class DatasetCond(Record):
    dataset: str


class AllCond(Record):
    all: list["Condition"]


class AnyCond(Record):
    any: list["Condition"]


class NotCond(Record):
    not_: "Condition"


class ChecklistCond(Record):
    checklist: str


Condition = Union[MetricCond, ParamCond, DatasetCond, AllCond, AnyCond, NotCond, ChecklistCond]


class RuleEntry(Record):
    """One line of a first-match list; no `when` means 'otherwise'."""
    when: Condition | None
    points: int
    reason: Text


class Requirement(Record):
    when: Condition
    fail: Text


class Criterion(Record):
    id: str
    max: int
    text: str
    needs: list[str]
    requires: str | None
    checklist: list[str] | None
    rules: list[RuleEntry] | None
    all_of: list[Requirement] | None
    points: int | None
    reason: Text | None
    evidence: list[str]


class Item(Record):
    seq: int | str
    title: str
    max: int
    criteria: list[Criterion]


class Section(Record):
    title: str
    max: int
    items: list[Item]


class Rubric(Record):
    name: str
    version: str
    params: dict[str, Any]
    param_choices: dict[str, list[Any]]
    checklist: dict[str, str]
    sections: list[Section]

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


KINDS = kinds_of(globals())
