"""The standard formats at run time: read-only records built from the checked YAML.

The fields, their types and defaults are declared once, in `model.py` (pydantic, used when a
format file is first read); these classes add only the methods the rest of the code calls.
"""
from __future__ import annotations

from typing import Any

from ..frozen import Localized, Record, kinds_of


class RequiredIf(Record):
    """A conditional requirement: the column is required when `field` is in `in_` (or present)."""


class Column(Record):
    """One column of a dataset."""

    @property
    def names(self) -> list[str]:
        return [self.header, *self.aliases]


#: The rule options that name another column of the rule's own dataset.
FIELD_OPTIONS = ("other", "base", "at", "minuend", "subtrahend", "key")


class Rule(Record):
    """One declarative rule; `rule` names the kind, `code` the finding it raises; the rest are its
    options (read with `option`, since an option may be called `param`)."""

    def options(self) -> dict[str, Any]:
        """The rule's own parameters that are set: every field but rule, field and code."""
        return {k: v for k, v in self.__dict__.items() if k not in ("rule", "field", "code") and v is not None}

    def option(self, name: str, default: Any = None) -> Any:
        return self.options().get(name, default)


class DatasetFormat(Record):
    """One dataset's sheet."""

    @property
    def sheet_names(self) -> list[str]:
        return [self.sheet, *self.aliases]

    @property
    def required(self) -> list[Column]:
        return [c for c in self.columns if c.required]

    def column(self, key: str) -> Column:
        for c in self.columns:
            if c.key == key:
                return c
        raise KeyError(key)

    def role(self, key: str, role: str) -> tuple[str, ...]:
        """The values of column `key` that play `role` (formats.md roles; checked to be declared
        wherever a check or a metric reads it)."""
        return tuple(self.column(key).roles.get(role, ()))


class CountWindow(Record):
    """The stocktake dates that count: `last_days` of the period, `next_days` of the next month."""


class PeriodWindow(Record):
    """Rows that count: dated in the period or the next month's first `next_days` days."""


class Common(Record):
    """What every dataset shares (合计/签字 words, header search)."""


class Formats(Record):
    """Every dataset's format."""

    def __getitem__(self, name: str) -> DatasetFormat:
        return self.datasets[name]


KINDS = kinds_of(globals())   # the tag of each class: its name (Localized comes from frozen)

__all__ = ["FIELD_OPTIONS", "KINDS", "Column", "Common", "DatasetFormat", "Formats", "Localized", "RequiredIf", "Rule"]
