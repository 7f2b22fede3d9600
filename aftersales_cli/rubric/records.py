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
    """A comparison of a metric with a number or a parameter."""

    @property
    def op(self) -> tuple[str, Any]:
        """The one comparison given: (operator, number or parameter name)."""
        op = next(o for o in OPS if getattr(self, o, None) is not None)
        return op, getattr(self, op)


class ParamCond(Record):
    """A parameter equal (or not) to a value."""


class DatasetCond(Record):
    """A dataset was found."""


class AllCond(Record):
    """Every condition holds."""


class AnyCond(Record):
    """At least one condition holds."""


class NotCond(Record):
    """The condition does not hold."""


class ChecklistCond(Record):
    """A checklist answer is 是."""


Condition = Union[MetricCond, ParamCond, DatasetCond, AllCond, AnyCond, NotCond, ChecklistCond]


class RuleEntry(Record):
    """One line of a first-match list; no `when` means 'otherwise'."""


class Requirement(Record):
    """One requirement of an all_of criterion."""


class Criterion(Record):
    """One scored line of the sheet."""


class Item(Record):
    """One 序号 of the sheet."""


class Section(Record):
    """One 项目 of the sheet."""


class Rubric(Record):
    """The whole rubric."""

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


KINDS = kinds_of(globals())   # the tag of each class: its name (Text is frozen.Localized)

__all__ = ["KINDS", "OPS", "AllCond", "AnyCond", "ChecklistCond", "Condition", "Criterion", "DatasetCond", "Item",
           "MetricCond", "NotCond", "ParamCond", "Requirement", "Rubric", "RuleEntry", "Section", "Text"]
