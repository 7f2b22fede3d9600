"""The standard formats at run time: read-only records built from the checked YAML.

The fields, their types and defaults are declared once, in `model.py` (pydantic, used when a
format file is first read); these classes add only the methods the rest of the code calls.
"""
from __future__ import annotations

from typing import Any

from ..frozen import Localized, Record, kinds_of


class RequiredIf(Record):
    """A conditional requirement: the column is required when `field` is in `in_` (or present)."""
    field: str
    in_: list[str] | None
    present: bool | None


class Column(Record):
    key: str
    header: str
    aliases: list[str]
    type: str
    required: bool
    required_if: RequiredIf | None
    values: list[str]
    value_aliases: dict[str, str]
    min: int | None
    width: int
    note: Localized | None

    @property
    def names(self) -> list[str]:
        return [self.header, *self.aliases]


class Rule(Record):
    """One declarative rule; `rule` names the kind, `code` the finding it raises; the rest are its
    options (read with `option`, since an option may be called `param`)."""
    rule: str
    field: str
    code: str

    def options(self) -> dict[str, Any]:
        """The rule's own parameters: every field but rule, field and code."""
        return {k: v for k, v in self.__dict__.items() if k not in ("rule", "field", "code")}

    def option(self, name: str, default: Any = None) -> Any:
        return self.options().get(name, default)


class DatasetFormat(Record):
    name: str
    title: Localized
    sheet: str
    aliases: list[str]
    columns: list[Column]
    rules: list[Rule]
    checks: list[str]
    directions: dict[str, int]
    count_window: dict[str, int]
    period_window: dict[str, int]

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


class Common(Record):
    header_search_rows: int
    header_match_share: float
    signature_match_share: float
    totals_words: list[str]
    signoff_words: list[str]


class Formats(Record):
    common: Common
    datasets: dict[str, DatasetFormat]

    def __getitem__(self, name: str) -> DatasetFormat:
        return self.datasets[name]


KINDS = kinds_of(globals())
