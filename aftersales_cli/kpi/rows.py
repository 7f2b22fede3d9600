"""The rows `kpi` reads: a validated repair report as plain records with their error fields.

Pure: built from what validation returns (a Checked dataset and its findings); no I/O.
"""
from __future__ import annotations

import math
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field, fields
from itertools import repeat
from typing import Any

from ..core.finding import Finding

_DATES = ("service_date", "completion_date")


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

    # keys for matching and grouping, set by `report_rows` once per distinct value of the column
    phone_key: str | None = None               # 联系电话 as formats.md normalises it (hyphens removed)
    address_key: str | None = None             # 服务地址, NFKC, white space removed (match_keys)
    model_key: str | None = None               # 产品型号, likewise
    fault_key: str | None = None               # 故障描述, likewise

    @property
    def pos(self) -> tuple[int, int]:
        return (self.source, self.row)


#: The keys a Row carries besides its values: (key field, the column it is made from, how).
KEYS = (("phone_key", "phone", "phone"), ("address_key", "address", "text"), ("model_key", "product_model", "text"),
        ("fault_key", "fault", "text"))
#: The repair-report columns a Row carries (format keys, formats/repair_report.yaml), in field order.
FIELDS = tuple(f.name for f in fields(Row))[6:-len(KEYS)]


@dataclass
class ReportRows:
    """A report's rows in sheet order (Row objects — what `kpi` lists — and the same rows as
    columns, `table`: kpi.table.Table, what the figures are computed from) and where they came from."""
    rows: list[Row]
    file: str = ""
    sheet: str = ""
    period: str = ""
    notes: list[str] = field(default_factory=list)
    table: Any = None


def _text_key_of(value: Any) -> str | None:
    return None if _missing(value) else _text(str(value))


def _text(text: str) -> str | None:
    """NFKC, then every white space character removed (str.split's white space is re's \\s)."""
    return "".join(unicodedata.normalize("NFKC", text).split()) or None


def phone_key(value: Any) -> str | None:
    """联系电话 as formats.md normalises it (+86/0086 and spaces are gone after validation;
    hyphens removed here); None for a blank phone."""
    return value.replace("-", "") if value else None


def match_keys(column: list[Any], how: str) -> list[Any]:
    """The matching key of each value of a column (kpi.md "Repeat repair", "Faults"), same length:
    `how` "phone" — 联系电话 without hyphens (`phone_key`); "text" — NFKC with every white space
    removed (服务地址, 产品型号, 故障描述). None for a blank (None) value or an empty key. Computed
    once per distinct value: a city's phones, addresses and models repeat over many rows."""
    if how == "phone":
        known = {v: phone_key(v) for v in set(column)}
    else:
        known = {v: None if v is None else _text(v) if type(v) is str else _text_key_of(v) for v in set(column)}
    return [known[v] for v in column]


def report_rows(checked, findings: Iterable[Finding], source: int, keep_codes: Iterable[str] = (),
                period: str = "", rows: bool = True) -> ReportRows:
    """A validated repair report (validate.context.Checked) → ReportRows; without `rows` only its
    `table` (the city totals of `batch` need no Row objects).

    A row's `errors` are the fields with an error finding whose code is not in `keep_codes`
    (kpi.md: a technician not on the roster, RR003, sets nothing aside).
    """
    import numpy as np

    from .table import Table

    ds = checked.ds
    key_of = {letter: key for key, letter in ds.letters.items()}
    keep = set(keep_codes)
    by_row: dict[int, list[Finding]] = {}
    for f in findings:
        if f.dataset == ds.name and f.file == ds.file and f.sheet == ds.sheet and f.row is not None:
            by_row.setdefault(f.row, []).append(f)
    excel_rows = checked.rows()
    found = [tuple(by_row.get(r, ())) for r in excel_rows] if by_row else [()] * len(excel_rows)
    none: frozenset[str] = frozenset()
    errors = [frozenset(key_of[f.column] for f in fs if f.column in key_of and f.code not in keep
                        and f.severity == "error") if fs else none for fs in found]
    file, sheet = ds.file, ds.sheet
    table = Table.of(checked, errors, source)
    if not rows:
        return ReportRows([], file, sheet, period, table=table)
    columns: list[list[Any]] = []
    for key in FIELDS:
        if key in table.cols:                     # converted once, by Table.of
            columns.append(table.cols[key].tolist())
            continue
        if not checked.has(key):
            columns.append([None] * len(excel_rows))
            continue
        cells = np.array(checked.col(key).dt.date if key in _DATES else checked.arrays[key], dtype=object)
        cells[~checked.present(key)] = None       # NaN, NaT and None all become None
        columns.append(cells.tolist())
    for _, column, how in KEYS:
        columns.append(match_keys(columns[FIELDS.index(column)], how))
    made = list(map(Row, repeat(source), excel_rows, errors, found, repeat(file), repeat(sheet), *columns))
    return ReportRows(made, file, sheet, period, table=table)


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
