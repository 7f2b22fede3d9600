"""The schema of a kpi parameter source (params.yaml, a city's `kpi:` map, --rates, --params).

Imported only when a source has to be checked: the shipped file's checked data is cached.
"""
from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StrictFloat, StrictInt, StrictStr

Number = Annotated[StrictInt, Field(ge=0)] | Annotated[StrictFloat, Field(ge=0, allow_inf_nan=False)]
Days = Annotated[StrictInt, Field(ge=0)]
Values = Annotated[list[StrictStr], Field(min_length=1)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class Fragment(_Strict):
    """One source's parameters: any subset of the keys (the shipped file must give all)."""
    piece_rates: dict[StrictStr, Number] | None = None
    on_time_days: dict[StrictStr, Days] | None = None
    repeat_window_days: Days | None = None
    top_faults: Annotated[StrictInt, Field(ge=1)] | None = None
    roles: dict[StrictStr, dict[StrictStr, Values]] | None = None
    keep_codes: list[StrictStr] | None = None
