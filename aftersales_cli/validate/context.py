"""What the checks see: every dataset with its normalised values, and a place to put findings."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

import pandas as pd

from ..period import Period, within
from ..read.discover import Dataset
from ..core.finding import Finding


@dataclass
class Checked:
    """A dataset after the cell types: `values` holds normalised values (None/NaT where unusable)."""
    ds: Dataset
    values: pd.DataFrame
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
        return self.once(("within", key, start, end), lambda: within(self.col(key), start, end))

    @property
    def name(self) -> str:
        return self.ds.name

    def col(self, key: str) -> pd.Series:
        if key in self.values.columns:
            return self.values[key]
        return pd.Series([None] * len(self.values), index=self.values.index, dtype=object)

    def raw(self, key: str, row: int) -> Any:
        """The cell's original value, as found in the file (what every finding shows)."""
        return self.ds.raw.at[row, key] if key in self.ds.raw.columns else None

    def has(self, key: str) -> bool:
        return key in self.values.columns

    def error_rows(self, keys: tuple[str, ...] | None = None) -> set[int]:
        """Rows with an error finding on any of `keys` (any field when None)."""
        return {r for r, k in self.error_cells if keys is None or k in keys}


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
