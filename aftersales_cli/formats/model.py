"""The standard formats as a validated model.

The YAML files beside this module are the single source of truth for headers, aliases, types,
enums and rules: validation, the blank templates and the 填写说明 sheet are all derived from them.
"""
from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

ColumnType = Literal["text", "date", "int", "money", "enum", "mobile", "phone", "id_card", "code"]


class Localized(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    zh: str
    en: str

    def get(self, lang: str) -> str:
        return self.en if lang == "en" else self.zh


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

    @property
    def names(self) -> list[str]:
        return [self.header, *self.aliases]


class Rule(BaseModel):
    """One declarative rule; `rule` names the kind, `code` the finding it raises."""

    model_config = ConfigDict(extra="allow", frozen=True)
    rule: str
    field: str
    code: str

    def param(self, name: str, default: Any = None) -> Any:
        return (self.model_extra or {}).get(name, default)


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

    def __getitem__(self, name: str) -> DatasetFormat:
        return self.datasets[name]
