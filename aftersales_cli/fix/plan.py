"""Which cells `aftersales fix` changes, and to what (fixes.md §2).

The codes are data (`fixable.yaml`); the standard value of a cell is the one the validator already
computed for it (the normalised value behind the finding, `Checked.values`), never a second parse.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import pandas as pd

from ..core.finding import Finding, display

FIXABLE_FILE = Path(__file__).with_name("fixable.yaml")


@lru_cache(maxsize=1)
def fixable_codes() -> frozenset[str]:
    """The finding codes `fix` corrects: `fixable_codes` of fix/fixable.yaml (fixes.md §2).

    Raises AftersalesError("err.fixable_yaml") naming the file when it is not a list of codes."""
    from ..errors import AftersalesError
    from ..yamlio import load

    data = load(FIXABLE_FILE.read_text(encoding="utf-8"))
    codes = data.get("fixable_codes") if isinstance(data, dict) else None
    if not isinstance(codes, list) or not all(isinstance(c, str) for c in codes):
        raise AftersalesError("err.fixable_yaml", FIXABLE_FILE)
    return frozenset(codes)


@dataclass(frozen=True)
class Change:
    """One cell `fix` writes: where (file, sheet, Excel row, column letter), the header it sits
    under, the original value, the standard value (a `datetime.date`, an int/float or a str) and
    the finding code it answers."""
    file: str
    sheet: str
    row: int
    column: str
    header: str
    before: Any
    after: Any
    code: str

    @property
    def cell(self) -> str:
        return f"{self.column}{self.row}"

    def to_dict(self) -> dict[str, Any]:
        """The JSON form of fixes.md §2: file, sheet, cell, column, before, after, code."""
        return {"file": Path(self.file).name, "sheet": self.sheet, "cell": self.cell, "column": self.header,
                "before": display(self.before), "after": display(self.after), "code": self.code}


def plan_changes(result) -> list[Change]:
    """The changes for every fixable finding of a ValidationResult, in finding order (one per cell).

    The standard value is the dataset's normalised value at the finding's row and field: a date for
    CE021, a number for CE031/CE041, the standard value for CE051, the digit string for CE061/CE063.
    """
    codes = fixable_codes()
    by_place = {(c.ds.file, c.ds.sheet): c for c in result.checked.values()}
    changes: dict[tuple, Change] = {}
    for f in result.findings:
        if f.code not in codes or not f.row or not f.column:
            continue
        change = _change(f, by_place.get((f.file, f.sheet)))
        if change is not None:
            changes.setdefault((change.file, change.sheet, change.cell), change)
    return list(changes.values())


def _change(f: Finding, checked) -> Change | None:
    if checked is None:
        return None
    key = next((k for k, letter in checked.ds.letters.items() if letter == f.column), None)
    if key is None or key not in checked.values.columns or f.row not in checked.values.index:
        return None
    after = standard(checked.values.at[f.row, key])
    if after is None:
        return None
    header = checked.ds.fmt.column(key).header
    return Change(file=f.file, sheet=f.sheet, row=f.row, column=f.column, header=header,
                  before=f.value, after=after, code=f.code)


def standard(value: Any) -> Any:
    """The value to write: a Timestamp as a date, a whole float as an int; None when unusable."""
    if value is None or value is pd.NaT:
        return None
    if isinstance(value, pd.Timestamp):
        return value.date()
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, float):
        if value != value:
            return None
        return int(value) if value.is_integer() and abs(value) < 1e15 else value
    return value
