"""The standard formats' schema: what a format file may hold, checked by pydantic.

The YAML files beside this module are the single source of truth for headers, aliases, types,
enums, roles and rules: validation, the blank templates and the 填写说明 sheet are all derived from
them. This schema checks them when they are first read (`aftersales formats check`); at run time
they are the records of `records.py` (same field names, plus the methods), built from the checked
data. Every model forbids keys it does not declare; each rule kind is its own model, chosen by its
`rule:` (a discriminated union), so a misspelt option is an error with its line, never ignored.
What pydantic cannot see (names of fields, datasets, finding codes, checks and roles) is checked by
`semantic_problems` in `formats/__init__.py`.
"""
from __future__ import annotations

from typing import Annotated, ClassVar, Literal, Union

from pydantic import BaseModel, ConfigDict, Field, model_validator

ColumnType = Literal["text", "date", "int", "money", "enum", "mobile", "phone", "id_card", "code"]
_STRICT = ConfigDict(extra="forbid", frozen=True, strict=True, populate_by_name=True)


class Localized(BaseModel):
    model_config = _STRICT
    zh: str
    en: str


class RequiredIf(BaseModel):
    """A conditional requirement: the column is required when `field` is in `in` (or present)."""

    model_config = _STRICT
    field: str
    in_: list[str] | None = Field(default=None, alias="in")
    present: bool | None = None


class Column(BaseModel):
    model_config = _STRICT
    key: str
    header: str
    aliases: list[str] = []
    type: ColumnType
    required: bool = False
    required_if: RequiredIf | None = None
    values: list[str] = []
    value_aliases: dict[str, str] = {}
    #: role name → the values that play it (e.g. the ledger types that subtract), formats.md roles
    roles: dict[str, list[str]] = {}
    min: int | None = None
    width: int = 12
    note: Localized | None = None

    @model_validator(mode="after")
    def _enum_has_values(self) -> "Column":
        if self.type == "enum" and not self.values:
            raise ValueError(f"column {self.key}: an enum needs `values`")
        return self


# --- the rules: one model per kind (validate/rules.py implements each) --------------------------

class _Rule(BaseModel):
    model_config = _STRICT
    RECORD: ClassVar[str] = "Rule"          # the run-time record class (formats/records.py)
    field: str
    code: str


class InPeriodRule(_Rule):
    rule: Literal["in_period"]


class UniqueRule(_Rule):
    rule: Literal["unique"]
    within_period: bool | None = None


class ExistsInRule(_Rule):
    rule: Literal["exists_in"]
    ref: str = Field(pattern=r"^[a-z_]+\.[a-z_]+$")


class MatchesRefRule(_Rule):
    rule: Literal["matches_ref"]
    key: str
    ref: str = Field(pattern=r"^[a-z_]+\.[a-z_]+$")
    ref_field: str


class NotBeforeRule(_Rule):
    rule: Literal["not_before"]
    other: str


class NotAfterRule(_Rule):
    rule: Literal["not_after"]
    other: str
    at: str | None = None


class MaxLagRule(_Rule):
    rule: Literal["max_lag"]
    base: str
    param: str


class CountWindowRule(_Rule):
    rule: Literal["count_window"]


class DifferenceRule(_Rule):
    rule: Literal["difference"]
    minuend: str
    subtrahend: str


class ChecklistCodeRule(_Rule):
    rule: Literal["checklist_code"]


Rule = Annotated[Union[InPeriodRule, UniqueRule, ExistsInRule, MatchesRefRule, NotBeforeRule, NotAfterRule,
                       MaxLagRule, CountWindowRule, DifferenceRule, ChecklistCodeRule],
                 Field(discriminator="rule")]


class CountWindow(BaseModel):
    """The stocktake dates that count: the period's last `last_days` days or the next month's first."""
    model_config = _STRICT
    last_days: int = Field(ge=1, le=31)
    next_days: int = Field(ge=0, le=31)


class PeriodWindow(BaseModel):
    """Rows that count: dated in the period or in the next month's first `next_days` days."""
    model_config = _STRICT
    next_days: int = Field(ge=0, le=31)


class DatasetFormat(BaseModel):
    model_config = _STRICT
    name: str
    title: Localized
    sheet: str
    aliases: list[str] = []
    columns: list[Column]
    rules: list[Rule] = []
    checks: list[str] = []
    count_window: CountWindow | None = None
    period_window: PeriodWindow | None = None

    @model_validator(mode="after")
    def _unique_keys(self) -> "DatasetFormat":
        keys = [c.key for c in self.columns]
        if len(set(keys)) != len(keys):
            raise ValueError(f"{self.name}: duplicate column keys")
        return self


class Common(BaseModel):
    model_config = _STRICT
    header_search_rows: int = Field(default=20, ge=1)
    header_match_share: float = Field(default=0.6, gt=0, le=1)
    signature_match_share: float = Field(default=0.6, gt=0, le=1)
    totals_words: list[str]
    signoff_words: list[str]


class Formats(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    common: Common
    datasets: dict[str, DatasetFormat]
