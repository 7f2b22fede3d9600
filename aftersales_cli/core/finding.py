"""The Finding: one problem found in the data, with its exact location and original value."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .. import i18n
from .cells import col_index

SEVERITIES = ("error", "format", "warning", "info")


@dataclass(frozen=True, slots=True)
class Finding:
    code: str                      # "RR002": key into messages.yaml, never reused
    dataset: str
    file: str | None = None
    sheet: str | None = None
    row: int | None = None         # as Excel shows it (1-based)
    column: str | None = None      # column letter, "F"
    header: str | None = None      # the header text as found in the file
    value: Any = None              # the cell's original value
    params: dict = field(default_factory=dict, compare=False, hash=False)

    @property
    def severity(self) -> str:
        return i18n.severity_of(self.code)

    @property
    def name(self) -> str:
        return i18n.finding_entry(self.code)["name"]

    @property
    def cell(self) -> str | None:
        return f"{self.column}{self.row}" if self.row and self.column else None

    def key(self) -> tuple:
        """(code, sheet, cell): what tests compare."""
        return (self.code, self.sheet, self.cell)

    def message(self, lang: str | None = None) -> str:
        params = {"value": display(self.value), "header": self.header or "", "row": self.row,
                  "sheet": self.sheet or "", **self.params}
        return i18n.finding_text(self.code, lang, params)

    def sort_key(self) -> tuple:
        return (self.file or "", self.sheet or "", self.row or 0, col_index(self.column), self.code)

    def to_dict(self, lang: str | None = None) -> dict[str, Any]:
        return {"code": self.code, "name": self.name, "severity": self.severity,
                "dataset": self.dataset, "file": self.file, "sheet": self.sheet, "row": self.row,
                "column": self.column, "header": self.header, "cell": self.cell,
                "value": json_value(self.value), "message": self.message(lang)}


def display(value: Any) -> str:
    """The value as a person would read it in the cell (cli.md "Validation output": the value as
    found): a logical cell reads TRUE / FALSE, as Excel, WPS and LibreOffice show it."""
    import datetime as dt

    if value is None:
        return ""
    if value is True or value is False:
        return "TRUE" if value else "FALSE"
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S") if (value.hour or value.minute or value.second) \
            else value.strftime("%Y-%m-%d")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return str(value)


def json_value(value: Any) -> Any:
    if value is None or isinstance(value, (bool, int, float, str)):
        if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
            return int(value)
        return value
    return display(value)


def summarize(findings) -> dict[str, int]:
    counts = dict.fromkeys(SEVERITIES, 0)
    for f in findings:
        counts[f.severity] += 1
    return counts
