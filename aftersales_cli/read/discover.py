"""Find each dataset in a submission, its header row and its data rows.

A dataset is claimed by sheet name (canonical or alias), else by file name for a single-sheet
file, else by header signature (formats.md "Where the data comes from").
"""
from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from operator import itemgetter
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..formats import DATASETS, DatasetFormat, Formats, load_formats
from ..core.cells import col_letter, is_blank
from ..core.finding import Finding
from ..i18n import both
from .files import (
    EPOCH_1900,
    EPOCH_1904,
    KIND_SUFFIXES,
    RawSheet,
    find_workbooks,
    open_workbook,
    unread_files,
)
from .guard import Limits

_SPACE = re.compile(r"[\s\u00a0\u1680\u180e\u2000-\u200f\u2028-\u202f\u205f-\u2064\u3000\ufeff]+")


def norm(value: Any) -> str:
    """Header/label normalisation: NFKC, every kind of white space removed, `*` markers stripped."""
    if value is None:
        return ""
    text = unicodedata.normalize("NFKC", str(value))
    text = _SPACE.sub("", text)
    return text.strip("*").strip()


@dataclass
class Dataset:
    """One dataset as read: raw cells by field key, indexed by the Excel row number."""
    name: str
    fmt: DatasetFormat
    file: str
    sheet: str
    header_row: int
    is_csv: bool
    raw: pd.DataFrame
    letters: dict[str, str]
    headers: dict[str, str]
    bad_cells: dict[tuple[int, str], tuple[str, str]] = field(default_factory=dict)
    date1904: bool = False

    @property
    def rows(self) -> int:
        return len(self.raw)

    @property
    def epoch(self) -> dt.date:
        """Day 0 of the workbook's serial dates: 1899-12-30, or 1904-01-01 in the 1904 date system."""
        return EPOCH_1904 if self.date1904 else EPOCH_1900

    def finding(self, code: str, row: int | None = None, key: str | None = None,
                value: Any = None, /, **params: Any) -> Finding:
        """A finding at (row, key). Its `header` field is the header as found in the file; the
        message quotes the standard name (「服务日期」, not the file's 「*服务日期」)."""
        if key and "header" not in params and key in self.letters:
            params["header"] = self.fmt.column(key).header
        return Finding(code=code, dataset=self.name, file=self.file, sheet=self.sheet, row=row,
                       column=self.letters.get(key) if key else None,
                       header=self.headers.get(key) if key else None, value=value, params=params)


@dataclass
class Submission:
    path: str
    files: list[str]
    datasets: dict[str, Dataset]
    findings: list[Finding]
    sheets: list[RawSheet] = field(default_factory=list, repr=False)


def read_submission(path: Path, formats: Formats | None = None, limits: Limits | None = None,
                    only: tuple[str, ...] | None = None, files: list[Path] | None = None,
                    period: Any = None) -> Submission:
    """Open every workbook of a submission and locate its datasets (`only` limits which)."""
    formats = formats or load_formats()
    files = files if files is not None else find_workbooks(path)
    sheets: list[RawSheet] = []
    for f in files:
        sheets.extend(open_workbook(f, limits))
    return locate(str(path), [str(f) for f in files], sheets, formats, only, period)


def locate(path: str, files: list[str], sheets: list[RawSheet], formats: Formats,
           only: tuple[str, ...] | None = None, period: Any = None, first: str | None = None) -> Submission:
    """Claim each sheet for at most one dataset and build the datasets (formats.md, realworld.md).

    `period` (a Period, or None) picks the sheet of a workbook that keeps one sheet per month.
    `first` (a file path) is the file a `validate-*` command was given: a dataset it holds comes
    from it, and another copy in its folder is the RD008's second.
    Files of the folder that are not read, files whose extension lies and the tool's own outputs
    are each named in a finding (RD014, RD015, RD017/RD018).
    """
    wanted = [d for d in DATASETS if only is None or d in only]
    findings: list[Finding] = _file_findings(path, sheets)
    claims: dict[str, list[RawSheet]] = {d: [] for d in DATASETS}
    unclaimed: list[RawSheet] = []
    by_name = {norm(n): d for d in DATASETS for n in formats[d].sheet_names}
    # the tool's own outputs come last, so an unmarked file supplying the same dataset wins
    ordered = [s for s in sheets if not s.marked] + [s for s in sheets if s.marked]
    ordered, by_month = _pick_months(ordered, by_name, formats, period, findings)
    skipped_outputs: set[str] = set()

    helpers = _helper_sheets()
    for sheet in ordered:
        if norm(sheet.name) in helpers:
            continue  # the 填写说明 / 下拉选项 sheets `aftersales template` adds: not data, not "unrecognised"
        if not any(any(c not in ("", None) for c in row) for row in sheet.rows[:formats.common.header_search_rows + 1]) \
                and not any(any(c not in ("", None) for c in row) for row in sheet.rows):
            continue  # an empty sheet holds nothing to claim
        ds = by_month.get(id(sheet)) or _named(sheet, by_name)
        if ds is not None and sheet.marked and any(not s.marked for s in claims[ds]):
            skipped_outputs.add(sheet.file)
        elif ds is not None:
            claims[ds].append(sheet)
        else:
            unclaimed.append(sheet)

    for sheet in unclaimed:  # header signature: each sheet to at most one dataset not yet found
        open_ds = [d for d in DATASETS if not claims[d]]
        shares = _signatures(sheet, open_ds, formats)
        if not shares or shares[0][0] < formats.common.signature_match_share:
            copy = _copy_of(sheet, [d for d in DATASETS if claims[d]], formats)
            if copy is not None and not (sheet.marked and not claims[copy][0].marked):
                claims[copy].append(sheet)        # `维修日报表 (2)`: RD008 names both, never a silent pick
            elif copy is not None:
                skipped_outputs.add(sheet.file)
            elif not sheet.marked:
                findings.append(Finding("RD013", dataset="", file=sheet.file, sheet=sheet.name))
            else:
                skipped_outputs.add(sheet.file)     # a score sheet or summary: RD017 names the file once
            continue
        if len(shares) > 1 and shares[1][0] == shares[0][0]:
            findings.append(Finding("RD009", dataset=shares[0][1], file=sheet.file, sheet=sheet.name,
                                    params={"first": _title(formats[shares[0][1]]),
                                            "second": _title(formats[shares[1][1]])}))
            continue
        claims[shares[0][1]].append(sheet)

    used_outputs = {s.file for found in claims.values() for s in found[:1] if s.marked}
    for file in sorted(used_outputs | skipped_outputs):
        kind = next(s.marked for s in sheets if s.file == file)
        findings.append(Finding("RD018" if file in used_outputs else "RD017", dataset="", file=file,
                                params={"name": Path(file).name, "kind": kind}))

    datasets: dict[str, Dataset] = {}
    for name in wanted:
        fmt = formats[name]
        found = sorted(claims[name], key=lambda s: s.file != first) if first else claims[name]
        if not found:
            findings.append(Finding("RD001", dataset=name, params={
                "title": _title(fmt), "names": list(fmt.sheet_names)}))
            continue
        for dup in found[1:]:
            if dup.marked and not found[0].marked:
                continue            # a tool output beside the file it was made from: RD017 said so
            findings.append(Finding("RD008", dataset=name, file=dup.file, sheet=dup.name, params={
                "title": _title(fmt), "first": f"{found[0].file} / {found[0].name}",
                "second": f"{dup.file} / {dup.name}"}))
        sheet = found[0]
        if sheet.hidden:
            findings.append(Finding("RD007", dataset=name, file=sheet.file, sheet=sheet.name))
        ds, more = build_dataset(sheet, fmt, formats)
        findings.extend(more)
        if ds is not None:
            datasets[name] = ds
    return Submission(path=path, files=files, datasets=datasets, findings=findings, sheets=sheets)


def _helper_sheets() -> set[str]:
    """Names of the sheets a blank template carries beside its dataset, and the 修改记录 sheet
    `aftersales fix` adds (messages.yaml)."""
    from ..i18n import LANGS, text
    return {norm(text(key, lang)) for key in ("template.notes_sheet", "template.lists_sheet", "fix.log_sheet")
            for lang in LANGS}


def _signatures(sheet: RawSheet, candidates, formats: Formats) -> list[tuple[float, str]]:
    """(header signature share, dataset) for each candidate dataset, best first."""
    return sorted(((signature_share(sheet, formats[d], formats), d) for d in candidates), reverse=True)


def _copy_of(sheet: RawSheet, claimed: list[str], formats: Formats) -> str | None:
    """The dataset, already found elsewhere, whose header this sheet carries (a copy of it), or None."""
    shares = _signatures(sheet, claimed, formats)
    if not shares or shares[0][0] < formats.common.signature_match_share:
        return None
    if len(shares) > 1 and shares[1][0] == shares[0][0]:
        return None
    return shares[0][1]


def _named(sheet: RawSheet, by_name: dict[str, str]) -> str | None:
    """The dataset a sheet's name (or, for a single-sheet file, its file name) claims."""
    ds = by_name.get(norm(sheet.name))
    if ds is None and sheet.single:
        ds = by_name.get(norm(Path(sheet.file).stem))
    return ds


_KIND_LABELS = {"xlsx": ".xlsx", "xlsb": ".xlsb", "ods": ".ods", "xls": ".xls (Excel 97-2003)"}


def _file_findings(path: str, sheets: list[RawSheet]) -> list[Finding]:
    """RD015 for each file read as what it is under a lying extension; RD014 for each file not read."""
    findings = []
    seen: set[str] = set()
    for sheet in sheets:
        if sheet.file in seen or sheet.kind not in KIND_SUFFIXES:
            continue
        seen.add(sheet.file)
        if Path(sheet.file).suffix.lower() not in KIND_SUFFIXES[sheet.kind]:
            findings.append(Finding("RD015", dataset="", file=sheet.file, params={
                "name": Path(sheet.file).name, "kind": _KIND_LABELS[sheet.kind]}))
    for other in unread_files(Path(path)):
        findings.append(Finding("RD014", dataset="", file=str(other), params={"name": other.name}))
    return findings


# --- one sheet per month (realworld.md "Where the dataset is") ---------------------------------

_CN_MONTHS = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10,
              "十一": 11, "十二": 12}
_EN_MONTHS = {m: i + 1 for i, m in enumerate(
    ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"))}
_MONTH_PATTERNS = (
    re.compile(r"(?:(?P<y>\d{4})年?)?(?P<m>\d{1,2})月份?$"),
    re.compile(r"(?P<y>\d{4})[-_./](?P<m>\d{1,2})$"),
    re.compile(r"(?P<y>\d{4})(?P<m>\d{2})$"),
    re.compile(r"(?P<cn>十[一二]?|[一二三四五六七八九])月份?$"),
    re.compile(r"(?P<en>jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?$", re.IGNORECASE),
)


def month_of(name: str) -> tuple[str, int | None, int] | None:
    """(what precedes the month, year or None, month) for a sheet named by a month, else None.

    `11月`, `2026年11月`, `2026-11`, `202611`, `十一月`, `Nov`, `维修日报表11月` … .
    """
    text = norm(name)
    for pattern in _MONTH_PATTERNS:
        m = pattern.search(text)
        if not m:
            continue
        groups = m.groupdict()
        if groups.get("cn"):
            month = _CN_MONTHS[groups["cn"]]
        elif groups.get("en"):
            if text[:m.start()] and text[m.start() - 1].isalpha():
                continue            # "Summary" is no month
            month = _EN_MONTHS[groups["en"].lower()]
        else:
            month = int(groups["m"])
        if not 1 <= month <= 12:
            continue
        year = int(groups["y"]) if groups.get("y") else None
        return text[:m.start()].rstrip("-_.()（）"), year, month
    return None


def _dominant_year(sheet: RawSheet) -> int | None:
    """The year most of a sheet's date cells fall in (a month sheet named without its year)."""
    years = Counter(c.year for row in sheet.rows for c in row if isinstance(c, dt.date))
    return max(years.items(), key=lambda kv: (kv[1], kv[0]))[0] if years else None


def _pick_months(sheets: list[RawSheet], by_name: dict[str, str], formats: Formats, period: Any,
                 findings: list[Finding]) -> tuple[list[RawSheet], dict[int, str]]:
    """Of the sheets naming months of one dataset, the one naming the period; the rest get RD016.

    Without a period, the latest month so named. A dataset with one such sheet keeps it.
    Returns the sheets left and, by id, the dataset each kept month sheet is claimed for.
    """
    groups: dict[str, list[tuple[tuple[int, int], RawSheet]]] = {}
    for sheet in sheets:
        found = month_of(sheet.name)
        if found is None:
            continue
        rest, year, month = found
        ds = by_name.get(rest) if rest else None
        if ds is None and not rest:
            shares = _signatures(sheet, DATASETS, formats)
            if shares[0][0] >= formats.common.signature_match_share:
                ds = shares[0][1]
        if ds is not None:
            if year is None:
                year = period.year if period is not None else _dominant_year(sheet)
            groups.setdefault(ds, []).append(((year or 0, month), sheet))
    dropped: set[int] = set()
    claimed: dict[int, str] = {}
    for ds, named in groups.items():
        if len(named) < 2:
            continue
        if period is not None:
            match = [s for (y, m), s in named if (y, m) == (period.year, period.month)]
        else:
            match = []
        (ky, km), keep = next(item for item in named if item[1] is match[0]) if match else max(named, key=lambda item: item[0])
        for (y, m), sheet in named:
            if sheet is keep:
                continue
            dropped.add(id(sheet))
            findings.append(Finding("RD016", dataset=ds, file=sheet.file, sheet=sheet.name, params={
                "title": _title(formats[ds]), "month": f"{y}-{m:02d}" if y else f"{m}月",
                "period": period.label if period is not None else f"{ky}-{km:02d}" if ky else keep.name}))
        claimed[id(keep)] = ds
    return [s for s in sheets if id(s) not in dropped], claimed


def _title(fmt: DatasetFormat) -> dict[str, str]:
    return {"zh": fmt.title.zh, "en": fmt.title.en}


_NAME_INDEX: dict[int, tuple[DatasetFormat, dict[str, str]]] = {}


def _name_index(fmt: DatasetFormat) -> dict[str, str]:
    """Normalised column name or alias → format key (read-only), built once per format: the
    header search and build_dataset ask for it for every sheet of every city. Kept by id with
    the format itself, so an id is never taken for another format's."""
    held = _NAME_INDEX.get(id(fmt))
    if held is not None and held[0] is fmt:
        return held[1]
    index: dict[str, str] = {}
    for col in fmt.columns:
        for n in col.names:
            index.setdefault(norm(n), col.key)
    _NAME_INDEX[id(fmt)] = (fmt, index)
    return index


def _row_share(row: list[Any], fmt: DatasetFormat, index: dict[str, str]) -> float:
    keys = {index.get(norm(c)) for c in row if c not in ("", None)}
    required = [c.key for c in fmt.required]
    return sum(k in keys for k in required) / len(required) if required else 0.0


def signature_share(sheet: RawSheet, fmt: DatasetFormat, formats: Formats) -> float:
    index = _name_index(fmt)
    return max((_row_share(r, fmt, index) for r in sheet.rows[:formats.common.header_search_rows]), default=0.0)


def find_header(sheet: RawSheet, fmt: DatasetFormat, formats: Formats) -> tuple[int | None, int, float]:
    """(header row index or None, closest row index, its share)."""
    index = _name_index(fmt)
    best, best_share = 0, -1.0
    for i, row in enumerate(sheet.rows[:formats.common.header_search_rows]):
        share = _row_share(row, fmt, index)
        if share >= formats.common.header_match_share:
            return i, i, share
        if share > best_share:
            best, best_share = i, share
    return None, best, best_share


def header_cells(sheet: RawSheet, h: int, index: dict[str, str]) -> tuple[list[Any], int]:
    """(the header's cells, the index of its last row): one row, or two under merged group cells.

    realworld.md "Two-row headers": when the header row holds horizontally merged group cells, or
    sits under such a row, both rows form the header. A column's name is the group joined to the
    sub-header when that names a column or an alias (a trailing 信息 dropped from the group first),
    else the sub-header, else the group (a cell merged down over both rows). The two rows are
    taken only when they name more columns than the header row alone.
    """
    rows = sheet.rows
    single = list(rows[h])
    groups = [m for m in sheet.merged or () if m[0][1] < m[1][1]]
    for top in (h, h - 1):
        if top < 0 or top + 1 >= len(rows) or not any(r0 == top for (r0, _), _ in groups):
            continue
        combined = _two_rows(rows[top], rows[top + 1], [m for m in groups if m[0][0] == top], index)
        known = sum(index.get(norm(c)) is not None for c in combined)
        if known > sum(index.get(norm(c)) is not None for c in single):
            return combined, top + 1
    return single, h


def _two_rows(upper: list[Any], lower: list[Any], merges, index: dict[str, str]) -> list[Any]:
    width = max(len(upper), len(lower))
    group = [upper[j] if j < len(upper) else None for j in range(width)]
    for (_, c0), (_, c1) in merges:
        for c in range(c0 + 1, min(c1, width - 1) + 1):
            group[c] = group[c0]
    names = []
    for j in range(width):
        sub = lower[j] if j < len(lower) else None
        top = group[j]
        if is_blank(sub):
            names.append(top)
            continue
        stem = norm(top)
        stem = stem[:-2] if stem.endswith("信息") and len(stem) > 2 else stem
        joined = stem + norm(sub)
        names.append(joined if stem and joined in index else sub)
    return names


_NOTHING = {"zh": "", "en": ""}      # an empty message parameter


def build_dataset(sheet: RawSheet, fmt: DatasetFormat, formats: Formats) -> tuple[Dataset | None, list[Finding]]:
    findings: list[Finding] = []
    h, closest, _ = find_header(sheet, fmt, formats)
    if h is None:
        row = sheet.rows[closest] if closest < len(sheet.rows) else []
        best = " | ".join(str(c) for c in row if not is_blank(c))[:120] or both("read.blank_row")
        findings.append(Finding("RD002", dataset=fmt.name, file=sheet.file, sheet=sheet.name, params={
            "rows": formats.common.header_search_rows, "expected": [c.header for c in fmt.required],
            "best_row": closest + 1, "best": best,
            "read_as": both("detail.csv_read_as", encoding=sheet.encoding) if sheet.encoding else _NOTHING}))
        return None, findings

    index = _name_index(fmt)
    header, h = header_cells(sheet, h, index)
    columns: dict[str, int] = {}
    headers: dict[str, str] = {}
    for j, cell in enumerate(header):
        if is_blank(cell):
            continue
        key = index.get(norm(cell))
        if key is None:
            findings.append(Finding("RD004", dataset=fmt.name, file=sheet.file, sheet=sheet.name,
                                    row=h + 1, column=col_letter(j), header=str(cell), value=cell))
        elif key in columns:
            findings.append(Finding("RD003", dataset=fmt.name, file=sheet.file, sheet=sheet.name,
                                    row=h + 1, column=col_letter(j), header=str(cell), value=cell,
                                    params={"other": col_letter(columns[key]), "field": fmt.column(key).header}))
        else:
            columns[key] = j
            headers[key] = str(cell).strip()
    for col in fmt.columns:
        if col.required and col.key not in columns:
            findings.append(Finding("RD011", dataset=fmt.name, file=sheet.file, sheet=sheet.name,
                                    row=h + 1, header=col.header, params={"names": list(col.names)}))

    rows = sheet.rows
    _fill_merged(rows, sheet.merged, h)
    totals = tuple(norm(w) for w in formats.common.totals_words)
    signoff = tuple(norm(w) for w in formats.common.signoff_words)
    kept: list[int] = []
    skipped: list[tuple[int, str, int, Any]] = []
    initials = {w[0] for w in totals if w}
    for i in range(h + 1, len(rows)):
        row = rows[i]
        c0 = row[0] if row else None
        if c0 is not None and c0.__class__ is not str:      # a number or date first: a data row
            kept.append(i)
            continue
        if c0 and not c0[0].isspace() and c0[0] not in initials and c0[0] not in _ODD_STARTS:
            kept.append(i)
            continue
        j, first = _first_cell(row)
        if first is None:
            if any((i, j) in sheet.bad_cells for j in columns.values()):
                kept.append(i)
            continue
        if isinstance(first, str) and norm(first).startswith(totals):
            skipped.append((i, "RD005", j, first))
            continue
        kept.append(i)
    # trailing sign-off rows: from the end, rows whose first cell names a signature
    while kept:
        i = kept[-1]
        j, first = _first_cell(rows[i])
        if isinstance(first, str) and any(w in norm(first) for w in signoff):
            skipped.append((i, "RD006", j, first))
            kept.pop()
        else:
            break
    for i, code, j, value in sorted(skipped):   # the finding names the cell holding the word
        findings.append(Finding(code, dataset=fmt.name, file=sheet.file, sheet=sheet.name, row=i + 1,
                                column=col_letter(j), value=value))

    picked = list(map(rows.__getitem__, kept))
    width = max(map(len, picked), default=0)
    if picked and min(map(len, picked)) < width:      # rows added for bad cells only, CSV lines
        picked = [r if len(r) == width else list(r) + [None] * (width - len(r)) for r in picked]
    raw = _frame(picked, columns, width, pd.Index(np.asarray(kept, dtype=np.int64) + 1, name="row"))
    letters = {key: col_letter(j) for key, j in columns.items()}
    bad = {}
    if sheet.bad_cells:
        by_col = {j: key for key, j in columns.items()}
        kept_set = set(kept)
        for (r, c), what in sheet.bad_cells.items():
            if c in by_col and r in kept_set:
                bad[(r + 1, by_col[c])] = what
    ds = Dataset(name=fmt.name, fmt=fmt, file=sheet.file, sheet=sheet.name, header_row=h + 1,
                 is_csv=sheet.is_csv, raw=raw, letters=letters, headers=headers, bad_cells=bad,
                 date1904=sheet.date1904)
    if not kept:
        findings.append(ds.finding("RD012", title=_title(fmt)))
    return ds, findings


#: From this many rows on, the raw frame's columns are gathered from one table of all the rows
#: (`_frame`); below it a `fromiter` per column costs less than building that table.
TABLE_ROWS = 512


def _frame(rows: list[list[Any]], columns: dict[str, int], width: int, index: pd.Index) -> pd.DataFrame:
    """The raw frame: column `key` is column j of the equally long rows (`columns`: key → j, None
    for a j at or past the rows' width), every cell the very object of the rows, dtype object,
    all in one block (fields × rows) made here.

    Large sheets: the rows become one object table in pandas' own C-level loop (`DataFrame(rows,
    dtype=object)` converts nothing at that dtype) and the wanted columns are gathered from it in
    one copy. Small ones: a `fromiter` per column fills the block. Either costs about half of
    what a pandas column per field costs, or less (README "Issue 16 — read path")."""
    if not columns:
        return pd.DataFrame({}, index=index, dtype=object, copy=False)
    n = len(rows)
    js = list(columns.values())
    if n >= TABLE_ROWS and max(js) < width:
        block = pd.DataFrame(rows, dtype=object).to_numpy().T[js]    # a fresh C-ordered array
    else:
        block = np.empty((len(js), n), dtype=object)                 # None everywhere
        for i, j in enumerate(js):
            if j < width:
                block[i] = np.fromiter(map(itemgetter(j), rows), dtype=object, count=n)
    return pd.DataFrame(block.T, index=index, columns=list(columns), dtype=object, copy=False)


_ODD_STARTS = frozenset("\u200b\u200c\u200d\u200e\u200f\u2060\ufeff\u3000\u00a0")


def _first_cell(row: list[Any]) -> tuple[int, Any]:
    """(column index, value) of the first non-empty cell of a row; (-1, None) for a blank row."""
    return next(((j, c) for j, c in enumerate(row) if not is_blank(c)), (-1, None))


def _fill_merged(rows: list[list[Any]], merged, header_index: int) -> None:
    """A merged range inside the data: its value belongs to every cell of the range."""
    for (r0, c0), (r1, c1) in merged or ():
        if r1 <= header_index or r0 >= len(rows):
            continue
        top = rows[r0][c0] if c0 < len(rows[r0]) else None
        for r in range(max(r0, header_index + 1), min(r1, len(rows) - 1) + 1):
            row = rows[r]
            for c in range(c0, min(c1, len(row) - 1) + 1):
                if (r, c) != (r0, c0):
                    row[c] = top
