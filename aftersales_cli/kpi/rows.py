"""The rows `kpi` reads: a validated repair report as plain records with their error fields.

Pure: built from what validation returns (a Checked dataset and its findings); no I/O.
"""
from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field, fields
from functools import lru_cache
from typing import Any

from ..core.finding import Finding

_DATES = ("service_date", "completion_date")
_SPACE = re.compile(r"\s+")


@dataclass(eq=False, slots=True)
class Row:
    """One data row. `source` orders rows across reports: 0 the previous report, 1 the report.

    The value fields hold the normalised values of the columns of the same name (None when unusable).
    """
    source: int
    row: int                                   # the Excel row number
    errors: frozenset[str]                     # field keys with an error finding that sets rows aside
    findings: tuple[Finding, ...]              # every finding on the row (what 待核实 shows)
    file: str
    sheet: str
    order_no: Any = None
    tech_id: Any = None
    tech_name: Any = None
    customer_name: Any = None
    phone: Any = None
    address: Any = None
    product_model: Any = None
    service_type: Any = None
    fault: Any = None
    action: Any = None
    part_code: Any = None
    part_qty: Any = None
    status: Any = None
    satisfaction: Any = None
    service_date: Any = None
    completion_date: Any = None

    @property
    def pos(self) -> tuple[int, int]:
        return (self.source, self.row)

    @property
    def phone_key(self) -> str | None:
        """联系电话 as formats.md normalises it (+86/0086, spaces, hyphens removed)."""
        return self.phone.replace("-", "") if self.phone else None

    @property
    def address_key(self) -> str | None:
        return text_key(self.address)

    @property
    def model_key(self) -> str | None:
        return text_key(self.product_model)

    @property
    def fault_key(self) -> str | None:
        return text_key(self.fault)


#: The repair-report columns a Row carries (format keys, formats/repair_report.yaml), in field order.
FIELDS = tuple(f.name for f in fields(Row))[6:]


@dataclass
class ReportRows:
    """A report's rows in sheet order, where they came from, and the roster names by 工号."""
    rows: list[Row]
    file: str = ""
    sheet: str = ""
    period: str = ""
    notes: list[str] = field(default_factory=list)


def text_key(value: Any) -> str | None:
    """Text for matching and grouping: NFKC, all white space removed (kpi.md, formats.md)."""
    if value is None:
        return None
    return _text_key(value) if type(value) is str else _text_key_of(value)


@lru_cache(maxsize=1 << 14)
def _text_key(value: str) -> str | None:
    """`text_key` of a text, remembered: the repeat search compares the same addresses and models
    many times, and a city's models and faults repeat on many rows."""
    return _text_key_of(value)


def _text_key_of(value: Any) -> str | None:
    if _missing(value):
        return None
    text = _SPACE.sub("", unicodedata.normalize("NFKC", str(value)))
    return text or None


def report_rows(checked, findings: Iterable[Finding], source: int, keep_codes: Iterable[str] = (),
                period: str = "") -> ReportRows:
    """A validated repair report (validate.context.Checked) → ReportRows.

    A row's `errors` are the fields with an error finding whose code is not in `keep_codes`
    (kpi.md: a technician not on the roster, RR003, sets nothing aside).
    """
    ds = checked.ds
    key_of = {letter: key for key, letter in ds.letters.items()}
    keep = set(keep_codes)
    by_row: dict[int, list[Finding]] = {}
    for f in findings:
        if f.dataset == ds.name and f.file == ds.file and f.sheet == ds.sheet and f.row is not None:
            by_row.setdefault(f.row, []).append(f)
    values = checked.values
    columns: list[list[Any]] = []
    for key in FIELDS:
        if key not in values.columns:
            columns.append([None] * len(values))
            continue
        series = values[key]
        missing = series.isna().tolist()
        items = series.dt.date.tolist() if key in _DATES else series.tolist()
        columns.append([None if m else v for v, m in zip(items, missing)] if any(missing) else items)
    rows = []
    none: frozenset[str] = frozenset()
    file, sheet = ds.file, ds.sheet
    for excel_row, cells in zip(values.index.tolist(), zip(*columns)):
        found = tuple(by_row.get(excel_row, ()))
        errors = frozenset(key_of[f.column] for f in found
                           if f.column in key_of and f.code not in keep and f.severity == "error") if found else none
        rows.append(Row(source, int(excel_row), errors, found, file, sheet, *cells))
    return ReportRows(rows, file, sheet, period)


def _missing(value: Any) -> bool:
    """None, NaN or pandas' NaT (told by its type's name: the batch's main process imports this
    package for the kpi parameters and does not import pandas)."""
    return value is None or (isinstance(value, float) and math.isnan(value)) or type(value).__name__ == "NaTType"


def roster_names(checked) -> dict[str, dict[str, Any]]:
    """工号 → {name, category, unit} from a validated roster (the first row of each 工号)."""
    if checked is None:
        return {}
    out: dict[str, dict[str, Any]] = {}
    keys = ("name", "category", "unit")
    values = [checked.col(k).tolist() for k in keys]      # one list per column, not a pandas lookup per cell
    for i, tech in enumerate(checked.col("tech_id").tolist()):
        if _missing(tech) or tech in out:
            continue
        out[str(tech)] = {k: (None if _missing(column[i]) else column[i]) for k, column in zip(keys, values)}
    return out
