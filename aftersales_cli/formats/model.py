"""The standard formats' schema: what a format file may hold, checked by pydantic.

The YAML files beside this module are the single source of truth for headers, aliases, types,
enums and rules: validation, the blank templates and the 填写说明 sheet are all derived from them.
This schema checks them when they are first read; at run time they are the records of
`records.py` (same class names, same fields, plus the methods), built from the checked data.
"""
from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

ColumnType = Literal["text", "date", "int", "money", "enum", "mobile", "phone", "id_card", "code"]


class Localized(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    zh: str
    en: str


class RequiredIf(BaseModel):
    """A conditional requirement: the column is required when `field` is in `in` (or present)."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)
    field: str
    in_: list[str] | None = Field(default=None, alias="in")
    present: bool | None = None


class Column(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    key: str
    header: str
    aliases: list[str] = []
    type: ColumnType
    required: bool = False
    required_if: RequiredIf | None = None
    values: list[str] = []
    value_aliases: dict[str, str] = {}
    min: int | None = None
    width: int = 12
    note: Localized | None = None

    @model_validator(mode="after")
    def _enum_has_values(self) -> "Column":
        if self.type == "enum" and not self.values:
            raise ValueError(f"column {self.key}: an enum needs `values`")
        for alias, target in self.value_aliases.items():
            if target not in self.values:
                raise ValueError(f"column {self.key}: alias {alias!r} maps to unknown value {target!r}")
        return self


class Rule(BaseModel):
    """One declarative rule; `rule` names the kind, `code` the finding it raises."""

    model_config = ConfigDict(extra="allow", frozen=True)
    rule: str
    field: str
    code: str

    @model_validator(mode="after")
    def _options_do_not_hide_methods(self) -> "Rule":
        taken = {"option", "options", "replace", "to_dict"} & set(self.model_extra or {})
        if taken:
            raise ValueError(f"rule {self.rule}: an option may not be called {', '.join(sorted(taken))}")
        return self


class DatasetFormat(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    name: str
    title: Localized
    sheet: str
    aliases: list[str] = []
    columns: list[Column]
    rules: list[Rule] = []
    checks: list[str] = []
    directions: dict[str, int] = {}
    count_window: dict[str, int] = {}
    period_window: dict[str, int] = {}

    @model_validator(mode="after")
    def _consistent(self) -> "DatasetFormat":
        keys = [c.key for c in self.columns]
        if len(set(keys)) != len(keys):
            raise ValueError(f"{self.name}: duplicate column keys")
        for col in self.columns:
            if col.required_if and col.required_if.field not in keys:
                raise ValueError(f"{self.name}.{col.key}: required_if names unknown field {col.required_if.field}")
        for rule in self.rules:
            if rule.field not in keys:
                raise ValueError(f"{self.name}: rule {rule.rule} names unknown field {rule.field}")
        return self


class Common(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    header_search_rows: int = 20
    header_match_share: float = 0.6
    signature_match_share: float = 0.6
    totals_words: list[str]
    signoff_words: list[str]


class Formats(BaseModel):
    model_config = ConfigDict(frozen=True)
    common: Common
    datasets: dict[str, DatasetFormat]
