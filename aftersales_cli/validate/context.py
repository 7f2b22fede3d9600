"""What the checks see: every dataset with its normalised values, and a place to put findings."""
from __future__ import annotations

from dataclasses import dataclass, field
from itertools import compress
from typing import Any, Callable

import numpy as np
import pandas as pd

from ..period import Period, within
from ..read.discover import Dataset
from ..core.finding import Finding


@dataclass
class Checked:
    """A dataset after the cell types: `arrays` holds each column's normalised values (an object
    array, or datetime64 for a date column; None/NaT where unusable) in sheet order, `index` the
    sheet row numbers; `col` gives a column as a Series, `values` all of them as one DataFrame.

    The rules and metrics read a column at a time, most of them as a list (`items`) or a mask
    (`present`, `days`, `within`): each is derived once per column and kept, and a Series is
    built only for a column read as one (a DataFrame column access builds a new Series every time).
    """
    ds: Dataset
    arrays: dict[str, np.ndarray]
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
        return self.once(("known", key), lambda: frozenset(compress(self.items(key), self.present(key).tolist())))

    def within(self, key: str, start, end) -> np.ndarray:
        """`period.within` of a date column as a bool array over the rows (read-only), once per
        (column, window)."""
        start, end = pd.Timestamp(start), pd.Timestamp(end)
        return self.once(("within", key, start, end), lambda: _within(self.col(key), start, end))

    def present(self, key: str) -> np.ndarray:
        """A bool array, True where the column has a value (`notna`), once per column (read-only)."""
        return self.once(("present", key), lambda: _notna(self._array(key)))

    def items(self, key: str) -> list:
        """The column's values as a Python list (what the rules' loops walk; a date as a
        Timestamp, NaT where none), once per column (read-only)."""
        return self.once(("items", key), lambda: self._items(key))

    def days(self, key: str) -> np.ndarray:
        """A date column as day numbers (`day_number`; meaningless where not `present`), once per
        column (read-only)."""
        return self.once(("days", key), lambda: day_numbers(self._array(key)))

    def rows_at(self, mask: np.ndarray) -> list[int]:
        """The sheet row numbers where `mask` (a bool array over the rows) holds, in order."""
        rows = self.rows()
        return [rows[p] for p in np.flatnonzero(mask).tolist()]

    def isin(self, key: str, values) -> np.ndarray:
        """A bool array over the rows: True where the column's value is one of `values` (a set
        look-up per row, C-level)."""
        allowed = set(values)
        return np.fromiter(map(allowed.__contains__, self.items(key)), dtype=bool, count=len(self.index))

    def rows(self) -> list[int]:
        """The sheet row number of each row, in order."""
        return self.once(("rows",), lambda: self.index.tolist())

    @property
    def values(self) -> pd.DataFrame:
        """The normalised columns as one DataFrame (row numbers as index), built on first use."""
        return self.once(("values",), lambda: pd.DataFrame({k: self.col(k) for k in self.arrays}, index=self.index))

    def _items(self, key: str) -> list:
        array = self._array(key)
        return array.tolist() if array.dtype == object else self.col(key).tolist()   # datetime64: Timestamps

    def _array(self, key: str) -> np.ndarray:
        found = self.arrays.get(key)
        return found if found is not None else np.full(len(self.index), None, dtype=object)

    @property
    def name(self) -> str:
        return self.ds.name

    def col(self, key: str) -> pd.Series:
        """The column as a Series on the row numbers (object, or datetime64 for a date column; a
        column the sheet does not have: all None), built once (read-only)."""
        return self.once(("col", key), lambda: self._series(key))

    def _series(self, key: str) -> pd.Series:
        found = self.arrays.get(key)
        if found is None:
            return pd.Series([None] * len(self.index), index=self.index, dtype=object)
        return pd.Series(found, index=self.index, dtype=object if found.dtype == object else None, name=key,
                         copy=False)

    def raw(self, key: str, row: int) -> Any:
        """The cell's original value, as found in the file (what every finding shows)."""
        return self.ds.raw.at[row, key] if key in self.ds.raw.columns else None

    def has(self, key: str) -> bool:
        return key in self.arrays

    def error_rows(self, keys: tuple[str, ...] | None = None) -> set[int]:
        """Rows with an error finding on any of `keys` (any field when None)."""
        return {r for r, k in self.error_cells if keys is None or k in keys}


def _notna(array: np.ndarray) -> np.ndarray:
    return ~np.isnat(array) if array.dtype.kind == "M" else ~pd.isna(array)


def day_number(day) -> int:
    """A date (or datetime at midnight) as whole days since 1970-01-01."""
    return int(np.datetime64(day, "D").astype("int64"))


def day_numbers(dates: pd.Series | np.ndarray) -> np.ndarray:
    """A date column (datetime64, NaT for none) as day numbers (`day_number`, an int64 array):
    ints compare as the dates do, the cell types having made a day of every date (a date-time
    cell is read as its date). NaT becomes a meaningless number: callers skip it (`present`)."""
    return np.asarray(dates).astype("datetime64[D]").astype("int64")


def _within(dates: pd.Series, start: pd.Timestamp, end: pd.Timestamp) -> np.ndarray:
    """`period.within` as a bool array; for a datetime64 column the same comparisons on its NumPy
    array (NaT compares False, as `notna` requires), no Series built."""
    values = dates.to_numpy()
    if values.dtype.kind != "M":
        return within(dates, start, end).to_numpy()
    unit = np.datetime_data(values.dtype)[0]
    try:        # the bounds in the column's own unit (a date column may be in seconds: no overflow)
        lo, hi = start.as_unit(unit, round_ok=False), end.as_unit(unit, round_ok=False)
    except ValueError:
        return within(dates, start, end).to_numpy()
    return (values >= lo.to_datetime64()) & (values <= hi.to_datetime64())


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
