"""The standard formats: what a format file may hold, and what a format is at run time.

The YAML files beside this module are the single source of truth for headers, aliases, types,
enums, roles and rules: validation, the blank templates and the 填写说明 sheet are all derived from
them. Each class below is the one definition of its concept (msgspec, see `schema.py`): the fields
with their strict types, the checks, and the methods the rest of the code calls. Every class
forbids keys it does not declare; each rule kind is its own class, chosen by its `rule:` (a tagged
union), so a misspelt option is an error with its line, never ignored. What the schema cannot see
(names of fields, datasets, finding codes, checks and roles) is checked by `semantic_problems` in
`formats/__init__.py`.
"""
from __future__ import annotations

from typing import Annotated, Any, Literal, Union

import msgspec

from ..schema import Localized, Problem, Struct

ColumnType = Literal["text", "date", "int", "money", "enum", "mobile", "phone", "id_card", "code"]
Days = Annotated[int, msgspec.Meta(ge=0, le=31)]
Share = Annotated[float, msgspec.Meta(gt=0, le=1)]
Ref = Annotated[str, msgspec.Meta(pattern=r"^[a-z_]+\.[a-z_]+$")]       # dataset.field


class RequiredIf(Struct):
    """A conditional requirement: the column is required when `field` is in `in` (or present)."""
    field: str
    in_: list[str] | None = msgspec.field(default=None, name="in")
    present: bool | None = None


class Column(Struct, kw_only=True):
    """One column of a dataset."""
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

    def __post_init__(self) -> None:
        if self.type == "enum" and not self.values:
            raise Problem("formats.problem.enum_values", column=self.key)

    @property
    def names(self) -> list[str]:
        return [self.header, *self.aliases]


# --- the rules: one class per kind (validate/rules.py implements each) --------------------------

#: The rule options that name another column of the rule's own dataset.
FIELD_OPTIONS = ("other", "base", "at", "minuend", "subtrahend", "key")


class Rule(Struct, tag_field="rule"):
    """One declarative rule; `rule` names the kind (its class), `code` the finding it raises; the
    rest are its options (read with `option`, since an option may be called `param`)."""
    field: str
    code: str

    @property
    def rule(self) -> str:
        return self.__struct_config__.tag

    def options(self) -> dict[str, Any]:
        """The rule's own parameters that are set: every field but field and code."""
        return {name: value for name in self.__struct_fields__ if name not in ("field", "code")
                and (value := getattr(self, name)) is not None}

    def option(self, name: str, default: Any = None) -> Any:
        return self.options().get(name, default)


class InPeriodRule(Rule, tag="in_period"):
    pass


class UniqueRule(Rule, tag="unique"):
    within_period: bool | None = None


class ExistsInRule(Rule, tag="exists_in"):
    ref: Ref


class MatchesRefRule(Rule, tag="matches_ref"):
    key: str
    ref: Ref
    ref_field: str


class NotBeforeRule(Rule, tag="not_before"):
    other: str


class NotAfterRule(Rule, tag="not_after"):
    other: str
    at: str | None = None


class MaxLagRule(Rule, tag="max_lag"):
    base: str
    param: str


class CountWindowRule(Rule, tag="count_window"):
    pass


class DifferenceRule(Rule, tag="difference"):
    minuend: str
    subtrahend: str


class ChecklistCodeRule(Rule, tag="checklist_code"):
    pass


AnyRule = Union[InPeriodRule, UniqueRule, ExistsInRule, MatchesRefRule, NotBeforeRule, NotAfterRule,
                MaxLagRule, CountWindowRule, DifferenceRule, ChecklistCodeRule]


class CountWindow(Struct):
    """The stocktake dates that count: the period's last `last_days` days or the next month's first."""
    last_days: Annotated[int, msgspec.Meta(ge=1, le=31)]
    next_days: Days


class PeriodWindow(Struct):
    """Rows that count: dated in the period or in the next month's first `next_days` days."""
    next_days: Days


class DatasetFormat(Struct, kw_only=True):
    """One dataset's sheet."""
    name: str
    title: Localized
    sheet: str
    aliases: list[str] = []
    columns: list[Column]
    rules: list[AnyRule] = []
    checks: list[str] = []
    count_window: CountWindow | None = None
    period_window: PeriodWindow | None = None

    def __post_init__(self) -> None:
        keys = [c.key for c in self.columns]
        if len(set(keys)) != len(keys):
            raise Problem("formats.problem.duplicate_keys", name=self.name)

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


class Common(Struct, kw_only=True):
    """What every dataset shares (合计/签字 words, header search)."""
    header_search_rows: Annotated[int, msgspec.Meta(ge=1)] = 20
    header_match_share: Share = 0.6
    signature_match_share: Share = 0.6
    totals_words: list[str]
    signoff_words: list[str]


class Formats(Struct):
    """Every dataset's format."""
    common: Common
    datasets: dict[str, DatasetFormat]

    def __getitem__(self, name: str) -> DatasetFormat:
        return self.datasets[name]


__all__ = ["FIELD_OPTIONS", "AnyRule", "Column", "ColumnType", "Common", "CountWindow", "DatasetFormat", "Formats",
           "Localized", "PeriodWindow", "RequiredIf", "Rule"]
