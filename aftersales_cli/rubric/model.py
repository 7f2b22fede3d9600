"""The rubric language's schema: what a rubric file may hold, checked by pydantic.

This schema checks a rubric text when it is first read; at run time the rubric is the records of
`records.py` (same class names and fields, plus the methods), built from the checked data.
Conditions are data, never code: a small closed set of node kinds that the engine interprets.
There is no expression syntax, so nothing is ever `eval`ed; reason templates are `str.format`
templates whose fields must be plain names (no attribute or index access), checked at load time.
"""
from __future__ import annotations

from typing import Any, Union

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from .records import OPS


class RubricProblem(ValueError):
    """A schema problem named by a catalogue key (`rubric.problem.*`), so `rubric check` says it
    in the user's language."""

    def __init__(self, key: str, **params: Any) -> None:
        super().__init__(key)
        self.key, self.params = key, params


class Text(BaseModel):
    """A localised text; a plain string in YAML is used for both languages."""
    model_config = ConfigDict(extra="forbid", frozen=True)
    zh: str
    en: str

    @model_validator(mode="before")
    @classmethod
    def _from_str(cls, data: Any) -> Any:
        if isinstance(data, str):
            return {"zh": data, "en": data}
        return data


class MetricCond(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    metric: str
    lt: float | int | str | None = None
    le: float | int | str | None = None
    gt: float | int | str | None = None
    ge: float | int | str | None = None
    eq: float | int | str | bool | None = None
    ne: float | int | str | bool | None = None

    @model_validator(mode="after")
    def _one_op(self) -> "MetricCond":
        ops = [op for op in OPS if getattr(self, op) is not None]
        if len(ops) != 1:
            raise RubricProblem("one_op", ops=", ".join(OPS))
        return self


class ParamCond(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    param: str
    eq: Any = None
    ne: Any = None


class DatasetCond(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    dataset: str


class AllCond(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    all: list["Condition"]


class AnyCond(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    any: list["Condition"]


class NotCond(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)
    not_: "Condition" = Field(alias="not")


class ChecklistCond(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    checklist: str


Condition = Union[MetricCond, ParamCond, DatasetCond, AllCond, AnyCond, NotCond, ChecklistCond]
for _m in (AllCond, AnyCond, NotCond):
    _m.model_rebuild()


class RuleEntry(BaseModel):
    """One line of a first-match list; no `when` means 'otherwise'."""
    model_config = ConfigDict(extra="forbid", frozen=True)
    when: Condition | None = None
    points: int = Field(ge=0)
    reason: Text
    fix: Text | None = None            # what to do when this rule costs points (fixes.md)


class Requirement(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    when: Condition
    fail: Text
    fix: Text | None = None            # what to do when this requirement fails (fixes.md)


class Criterion(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    id: str
    max: int = Field(ge=0)
    text: str = ""
    needs: list[str] = []
    requires: str | None = None
    checklist: list[str] | None = None
    rules: list[RuleEntry] | None = None
    all_of: list[Requirement] | None = None
    points: int | None = None          # with all_of: the score when every requirement holds
    reason: Text | None = None         # with all_of: the reason when every requirement holds
    evidence: list[str] = []           # extra metrics shown as evidence

    @field_validator("id", mode="before")
    @classmethod
    def _id_text(cls, v: Any) -> Any:
        return str(v) if isinstance(v, (int, float)) else v

    @field_validator("checklist", mode="before")
    @classmethod
    def _codes_text(cls, v: Any) -> Any:
        return [str(c) for c in v] if isinstance(v, list) else v

    @model_validator(mode="after")
    def _one_kind(self) -> "Criterion":
        kinds = [k for k in ("checklist", "rules", "all_of") if getattr(self, k) is not None]
        if len(kinds) != 1:
            raise RubricProblem("one_kind", id=self.id)
        if self.all_of is not None and (self.points is None or self.reason is None):
            raise RubricProblem("all_of_needs", id=self.id)
        return self


class Item(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    seq: int | str
    title: str
    max: int = Field(ge=0)
    criteria: list[Criterion]


class Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    title: str
    max: int = Field(ge=0)
    items: list[Item]


class Rubric(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    name: str
    version: str
    params: dict[str, Any] = {}
    param_choices: dict[str, list[Any]] = {}     # parameters that take one of a few values
    checklist: dict[str, str] = {}
    note: Text | None = None                     # printed below the score sheet's total line
    sections: list[Section]

    @field_validator("version", mode="before")
    @classmethod
    def _version_text(cls, v: Any) -> Any:
        return str(v) if isinstance(v, (int, float)) else v

    @field_validator("checklist", mode="before")
    @classmethod
    def _checklist_keys(cls, v: Any) -> Any:
        return {str(k): str(t) for k, t in v.items()} if isinstance(v, dict) else v
