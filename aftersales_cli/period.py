"""The period: one calendar month, written YYYY-MM."""
from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass

from .errors import AftersalesError

_PERIOD = re.compile(r"^(\d{4})-(\d{2})$")


@dataclass(frozen=True, order=True)
class Period:
    year: int
    month: int

    @classmethod
    def parse(cls, text: str) -> "Period":
        m = _PERIOD.match(text.strip()) if isinstance(text, str) else None
        if not m or not 1 <= int(m.group(2)) <= 12:
            raise AftersalesError("err.bad_period", value=text)
        return cls(int(m.group(1)), int(m.group(2)))

    @property
    def label(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    @property
    def first(self) -> dt.date:
        return dt.date(self.year, self.month, 1)

    @property
    def last(self) -> dt.date:
        return dt.date(self.year, self.month, calendar.monthrange(self.year, self.month)[1])

    def next(self) -> "Period":
        return Period(self.year + self.month // 12, self.month % 12 + 1)

    def previous(self) -> "Period":
        return Period(self.year - (self.month == 1), (self.month - 2) % 12 + 1)

    def __str__(self) -> str:
        return self.label


def within(dates, start, end):
    """The one in-period rule: a bool Series, True where a date (datetime64 Series, NaT for none)
    lies from START to END, both days included; NaT is never within."""
    import pandas as pd   # only the callers that hold Series pay for it

    return dates.notna() & (dates >= pd.Timestamp(start)) & (dates <= pd.Timestamp(end))


def is_period_name(name: str) -> bool:
    m = _PERIOD.match(name)
    return bool(m and 1 <= int(m.group(2)) <= 12)
