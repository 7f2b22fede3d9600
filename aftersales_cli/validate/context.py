"""What the checks see: every dataset with its normalised values, and a place to put findings."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np
import pandas as pd

from ..period import Period, within
from ..read.discover import Dataset
from ..core.finding import Finding


@dataclass
class Checked:
    """A dataset after the cell types: `columns` holds each column's normalised values (a Series on
    the sheet's row numbers, `index`; None/NaT where unusable), `values` the same as one DataFrame.

    The rules read a column at a time (`col`): a Series kept per column costs a dict look-up,
    where a DataFrame column access builds a new Series every time (pandas 3, copy-on-write).
    """
    ds: Dataset
    columns: dict[str, pd.Series]
    index: pd.Index
    error_cells: set[tuple[int, str]] = field(default_factory=set)   # (row, key) with an error
    _once: dict[tuple, Any] = field(default_factory=dict, repr=False, compare=False)

    def once(self, key: tuple, make: Callable[[], Any]) -> Any:
        """`make()`, computed once per dataset and kept: what several rules, checks and metrics
        derive from the same columns (a key set, a first-row mapping, an in-period mask, the
        signed ledger movements). `values` never changes after the cell checks, so neither does
        what is derived from it; callers treat the result as read-only."""
        try:
            return self._once[key]
        except KeyError:
            made = self._once[key] = make()
            return made

    def known(self, key: str) -> frozenset:
        """The distinct non-empty values of a column (what a cross check looks values up in)."""
        return self.once(("known", key), lambda: frozenset(self.col(key).dropna()))

    def within(self, key: str, start, end) -> pd.Series:
        """`period.within` of a date column (a bool Series, read-only), once per (column, window)."""
        start, end = pd.Timestamp(start), pd.Timestamp(end)
        return self.once(("within", key, start, end), lambda: _within(self.col(key), start, end))

    def present(self, key: str) -> np.ndarray:
        """A bool array, True where the column has a value (`notna`), once per column (read-only)."""
        return self.once(("present", key), lambda: self.col(key).notna().to_numpy())

    def items(self, key: str) -> list:
        """The column's values as a Python list (what the rules' loops walk), once per column
        (read-only)."""
        return self.once(("items", key), lambda: self.col(key).tolist())

    def days(self, key: str) -> np.ndarray:
        """A date column as day numbers (`day_number`; meaningless where not `present`), once per
        column (read-only)."""
        return self.once(("days", key), lambda: day_numbers(self.col(key)))

    def rows(self) -> list[int]:
        """The sheet row number of each row, in order."""
        return self.once(("rows",), lambda: self.index.tolist())

    @property
    def values(self) -> pd.DataFrame:
        """The normalised columns as one DataFrame (row numbers as index), built on first use."""
        return self.once(("values",), lambda: pd.DataFrame(self.columns, index=self.index))

    @property
    def name(self) -> str:
        return self.ds.name

    def col(self, key: str) -> pd.Series:
        found = self.columns.get(key)
        if found is not None:
            return found
        return pd.Series([None] * len(self.index), index=self.index, dtype=object)

    def raw(self, key: str, row: int) -> Any:
        """The cell's original value, as found in the file (what every finding shows)."""
        return self.ds.raw.at[row, key] if key in self.ds.raw.columns else None

    def has(self, key: str) -> bool:
        return key in self.columns

    def error_rows(self, keys: tuple[str, ...] | None = None) -> set[int]:
        """Rows with an error finding on any of `keys` (any field when None)."""
        return {r for r, k in self.error_cells if keys is None or k in keys}


def day_number(day) -> int:
    """A date (or datetime at midnight) as whole days since 1970-01-01."""
    return int(np.datetime64(day, "D").astype("int64"))


def day_numbers(dates: pd.Series) -> np.ndarray:
    """A date column (datetime64, NaT for none) as day numbers (`day_number`, an int64 array):
    ints compare as the dates do, the cell types having made a day of every date (a date-time
    cell is read as its date). NaT becomes a meaningless number: callers skip it (`present`)."""
    return dates.to_numpy().astype("datetime64[D]").astype("int64")


def _within(dates: pd.Series, start: pd.Timestamp, end: pd.Timestamp) -> pd.Series:
    """`period.within`; for a datetime64 column the same comparisons on its NumPy array (NaT
    compares False, as `notna` requires), one Series built instead of five."""
    values = dates.to_numpy()
    if values.dtype.kind != "M":
        return within(dates, start, end)
    unit = np.datetime_data(values.dtype)[0]
    try:        # the bounds in the column's own unit (a date column may be in seconds: no overflow)
        lo, hi = start.as_unit(unit, round_ok=False), end.as_unit(unit, round_ok=False)
    except ValueError:
        return within(dates, start, end)
    mask = (values >= lo.to_datetime64()) & (values <= hi.to_datetime64())
    return pd.Series(mask, index=dates.index, copy=False)


@dataclass
class Context:
    period: Period
    params: dict[str, Any]
    checklist_codes: tuple[str, ...]
    checked: dict[str, Checked]
    findings: list[Finding] = field(default_factory=list)
    formats: Any = None                 # the run's formats (the other dataset's title in RD010)
    _skipped: set = field(default_factory=set)

    def emit(self, c: Checked, code: str, row: int | None, key: str | None, value: Any = None, /,
             **params: Any) -> None:
        f = c.ds.finding(code, row, key, value, **params)
        self.findings.append(f)
        if row is not None and key is not None and f.severity == "error":
            c.error_cells.add((row, key))

    def other(self, c: Checked, name: str, rule: str) -> Checked | None:
        """The other dataset of a cross check, or None with one info finding saying it was skipped.

        A dataset with a header and no rows counts as not provided (rubric.md "Empty datasets")."""
        found = self.checked.get(name)
        if found is not None and found.ds.rows == 0:
            found = None
        if found is None and (c.name, name, rule) not in self._skipped:
            self._skipped.add((c.name, name, rule))
            self.findings.append(Finding("RD010", dataset=c.name, file=c.ds.file, sheet=c.ds.sheet,
                                         params={"other": self.formats[name].title.to_dict(), "rule": rule}))
        return found

    @property
    def first(self) -> pd.Timestamp:
        return pd.Timestamp(self.period.first)

    @property
    def last(self) -> pd.Timestamp:
        return pd.Timestamp(self.period.last)
