"""Test helpers: a real city made by `aftersales sample`, edited cell by cell with openpyxl."""
from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

import openpyxl
from typer.testing import CliRunner

from aftersales_cli.cli import app
from aftersales_cli.formats import load_formats
from aftersales_cli.sample import generate
from aftersales_cli.validate.cells import id_check_digit

RUNNER = CliRunner()
OUTPUTS = ("汇总.xlsx", "summary.json", "summary.csv", "findings.csv")   # what batch writes
TRIGGERS = ("=", "+", "-", "@", "\t", "\r")                           # what starts a spreadsheet formula
D = dt.date


@dataclass
class Run:
    code: int
    stdout: str
    stderr: str


def cli(*args: str) -> Run:
    """Run a command in-process; it must never end in an exception other than exit, nor a traceback."""
    result = RUNNER.invoke(app, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.stdout + result.stderr
    return Run(result.exit_code, result.stdout, result.stderr)


EXE = Path(sys.executable).with_name("aftersales")


def installed(*args, encoding: str = "utf-8", cwd: Path | None = None, env: dict | None = None) -> subprocess.CompletedProcess:
    """The installed command line; stdout/stderr as bytes decoded with the console's encoding."""
    environ = {**os.environ, "PYTHONIOENCODING": encoding, "COLUMNS": "200", **(env or {})}
    environ.pop("AFTERSALES_LANG", None)
    proc = subprocess.run([str(EXE), *map(str, args)], capture_output=True, env=environ, cwd=cwd, timeout=300)
    proc.out = proc.stdout.decode(encoding)   # raises if the stream is not in the console's encoding
    proc.err = proc.stderr.decode(encoding)
    assert "Traceback" not in proc.err, proc.err
    return proc


def scoring_log(tmp_path: Path, monkeypatch):
    """A cache folder of the test's own (AFTERSALES_CACHE) and the scoring log (AFTERSALES_CACHE_LOG,
    one line per city-month actually scored); returns a reader: the (city, period) pairs scored
    since the last call, sorted."""
    monkeypatch.setenv("AFTERSALES_CACHE", str(tmp_path / "cache"))
    log = tmp_path / "scored.log"
    monkeypatch.setenv("AFTERSALES_CACHE_LOG", str(log))

    def scored() -> list[tuple[str, str]]:
        lines = log.read_text("utf-8").splitlines() if log.exists() else []
        log.unlink(missing_ok=True)
        return sorted(tuple(line.split("\t")[1:]) for line in lines)
    return scored


LOCKED = '''
import errno, os
_replace = os.replace
def _locked(src, dst, *args, **kw):      # Windows refuses to replace a file open in Excel
    if "locked" in os.fspath(dst):
        raise PermissionError(errno.EACCES, "Permission denied", os.fspath(src), None, os.fspath(dst))
    return _replace(src, dst, *args, **kw)
os.replace = _locked
'''


def locked_outputs(tmp_path: Path) -> dict[str, str]:
    """The environment for a subprocess in which any output whose path holds "locked" is 'open in
    Excel': a sitecustomize (in tmp_path/hooks) makes os.replace onto it fail with EACCES."""
    hooks = tmp_path / "hooks"
    hooks.mkdir()
    (hooks / "sitecustomize.py").write_text(LOCKED, "utf-8")
    return {"PYTHONPATH": str(hooks)}


def clean_city(root: Path, orders: int = 60, seed: int = 7, city: str = "测试市", defects: float = 0.0) -> Path:
    """A clean city month folder (root/<city>/2026-11) in the standard layout."""
    return generate(root, cities=1, orders=orders, period="2026-11", seed=seed, city_names=[city],
                    defects=defects)[0]


def months_root(root: Path, cities: list[str], orders: int, months: int, seed: int) -> Path:
    """root holding `months` month folders up to 2026-11 per city (`sample --months`, standard layout)."""
    from aftersales_cli.period import Period
    from aftersales_cli.sample.months import generate_months, months_until
    generate_months(root, cities, orders, months_until(Period.parse("2026-11"), months), seed=seed,
                    layout="standard")
    return root


class Table:
    """One dataset's sheet, addressed by header text (header on row 1, data below)."""

    def __init__(self, ws) -> None:
        self.ws = ws
        self.cols = {str(c.value).strip("*"): c.column for c in ws[1] if c.value is not None}

    @property
    def rows(self) -> list[int]:
        return [r for r in range(2, self.ws.max_row + 1) if self.ws.cell(r, 1).value is not None]

    def get(self, row: int, header: str) -> Any:
        value = self.ws.cell(row, self.cols[header]).value
        return value.date() if isinstance(value, dt.datetime) else value

    def set(self, row: int, header: str, value: Any) -> None:
        cell = self.ws.cell(row, self.cols[header])
        cell.value = value
        if isinstance(value, (dt.date, dt.datetime)):
            cell.number_format = "yyyy-mm-dd"

    def set_all(self, header: str, value: Any) -> None:
        """The same value in `header` on every data row."""
        for r in self.rows:
            self.set(r, header, value)

    def delete(self, rows: list[int]) -> None:
        for r in sorted(rows, reverse=True):
            self.ws.delete_rows(r)

    def clear(self) -> None:
        if self.ws.max_row > 1:
            self.ws.delete_rows(2, self.ws.max_row - 1)

    def append(self, values: dict[str, Any]) -> int:
        row = self.ws.max_row + 1
        for header, value in values.items():
            self.set(row, header, value)
        return row

    def where(self, header: str, value: Any) -> list[int]:
        return [r for r in self.rows if self.get(r, header) == value]


def workbook_path(month: Path, dataset: str) -> Path:
    return month / f"{load_formats()[dataset].sheet}.xlsx"


def workbook_cells(path: Path) -> dict[str, list[tuple]]:
    """Every sheet of a workbook by title: its rows as tuples of cell values."""
    wb = openpyxl.load_workbook(path)
    return {ws.title: [tuple(c.value for c in row) for row in ws.iter_rows()] for ws in wb.worksheets}


@contextlib.contextmanager
def edit(month: Path, dataset: str) -> Iterator[Table]:
    path = workbook_path(month, dataset)
    wb = openpyxl.load_workbook(path)
    yield Table(wb.active)
    wb.save(path)


def score(path: Path, *args: str) -> dict:
    result = RUNNER.invoke(app, ["score", str(path), "--format", "json", *args])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def item(card: dict, id: str) -> dict:
    return next(i for i in card["items"] if i["id"] == id)


def scores(card: dict) -> dict[str, int]:
    return {i["id"]: i["score"] for i in card["items"]}


def valid_id(n: int, birth: str = "19900101") -> str:
    first = f"330106{birth}{n:03d}"
    return first + id_check_digit(first)


ROSTER_UPDATED = D(2026, 11, 27)


def set_roster(month: Path, people: list[tuple[dt.date, dt.date | None]],
               update: dt.date = ROSTER_UPDATED) -> None:
    """Rewrite the roster with one valid technician per (入职日期, 离职日期)."""
    with edit(month, "roster") as t:
        template = {h: t.get(t.rows[0], h) for h in t.cols}
        t.clear()
        for i, (hire, leave) in enumerate(people, start=1):
            row = dict(template)
            row.update({"工号": f"T{i:03d}", "姓名": f"技师{i}", "身份证号": valid_id(i),
                        "手机号": f"139{i:08d}", "入职日期": hire, "离职日期": leave,
                        "在职状态": "离职" if leave is not None and leave <= update else "在职",
                        "更新日期": update})
            t.append(row)


def assert_scoresheet_looks(ws) -> None:
    """Title, column heads, criterion rows and totals each keep their look (shared by batch's sheets)."""
    assert ws["A1"].font.b and ws["A1"].font.sz == 16 and ws["A1"].alignment.horizontal == "center"
    head = ws.cell(3, 5)
    assert head.font.b and head.fill.fgColor.rgb.endswith("D9E1F2") and head.border.left.style == "thin"
    first, text = ws.cell(4, 1), ws.cell(4, 5)
    assert first.alignment.horizontal == "center" and not first.font.b and first.border.bottom.style == "thin"
    assert text.alignment.wrap_text and text.alignment.horizontal is None and text.border.top.style == "thin"
    total = next(r for r in ws.iter_rows(min_row=4, max_col=8) if r[1].value == "合计")   # the fix list may follow, wider
    assert all(c.font.b and c.border.right.style == "thin" for c in total)
