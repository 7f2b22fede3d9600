"""The batch outputs: 汇总.xlsx (ranking, chart, one score sheet per city, findings), summary.json,
summary.csv and findings.csv — each written atomically."""
from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

from .. import i18n
from ..core.results import BatchResult
from ..paths import readable
from ..read.marker import mark
from ..rubric.engine import ItemResult, Scorecard
from .atomic import ensure_folder, write_atomic, write_text_atomic
from .cellsafe import csv_safe, set_text
from .names import sheet_name
from .fixlist import below_scoresheet
from .scoresheet import Styles, fill_scoresheet, print_setup

MAX_FINDING_ROWS = 100_000
FINDING_KEYS = ("city", "severity", "code", "dataset", "file", "sheet", "cell", "header", "value", "message")


def write_outputs(result: BatchResult, out: Path, lang: str, sheets: ScoreSheets | None = None) -> list[Path]:
    """Each file goes to a temporary file beside it and is renamed into place; a write that fails
    (disk full, permissions) names the file it was writing and leaves the previous one untouched.
    `sheets`: the score sheets already filled while the batch ran (`ScoreSheets`), else none."""
    steps = [
        ("汇总.xlsx", lambda path: write_atomic(path, lambda tmp: _workbook(result, lang, sheets).save(tmp))),
        ("summary.json", lambda path: write_text_atomic(
            path, json.dumps(result.to_dict(), ensure_ascii=False, indent=2) + "\n")),
        ("summary.csv", lambda path: _write_csv(path, _summary_csv(result, lang))),
        ("findings.csv", lambda path: _write_csv(path, _findings_csv(result, lang))),
    ]
    ensure_folder(out)
    return [write(out / name) for name, write in steps]


# RFC 4180 line ends. With "\n" as the terminator the csv module leaves a field holding a lone
# "\r" unquoted (it quotes only for the terminator's own characters), and every reader then splits
# that row in two; "\r\n" makes it quote any field with "\r" or "\n" in it.
CSV_LINE_END = "\r\n"


def csv_text(head: list[str], rows) -> str:
    """A CSV output's text: UTF-8 BOM, CRLF, the header row, then each row with its text made safe
    from formula injection (`csv_safe`) and None as an empty field."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator=CSV_LINE_END)
    w.writerow(head)
    for r in rows:
        w.writerow([csv_safe(v) if v is not None else "" for v in r])
    return "\ufeff" + buf.getvalue()


def _write_csv(out: Path, text: str) -> Path:
    """Bytes as built (no newline translation on any platform), atomically."""
    return write_atomic(out, lambda tmp: tmp.write_bytes(text.encode("utf-8")))


def _item_ids(result: BatchResult) -> list[str]:
    return [c.id for _, _, c in result.rubric.criteria()]


#: The kpi figures beside the score (kpi.md Outputs, `batch`): summary.json's `kpi` keys. A ratio
#: whose denominator is 0 is shown "—"; a city without a report (`kpi` null) leaves them blank.
KPI_COLUMNS = ("completion_rate", "satisfaction_rate", "repeat_rate")
KPI_NONE = "—"


def kpi_percent(value: float) -> float:
    """A kpi ratio as the ranking sheet and summary.csv show it: a percent rounded half-up to 0.1
    (kpi.md), from the ratio summary.json holds."""
    from decimal import ROUND_HALF_UP, Decimal

    return float((Decimal(repr(value)) * 100).quantize(Decimal("0.1"), ROUND_HALF_UP))


def _summary_rows(result: BatchResult, lang: str) -> tuple[list[str], list[list[Any]]]:
    """Header and rows of the ranking (sheet and CSV): rank, city, total, max, percent, the three
    kpi percents (None: "—" / no report), each criterion's score, finding counts, status, reason."""
    ids = _item_ids(result)
    head = [i18n.text(f"batch.col.{k}", lang) for k in ("rank", "city", "total", "max", "percent", *KPI_COLUMNS)] \
        + ids + [i18n.text(f"batch.col.{k}", lang) for k in ("error", "format", "warning", "status", "reason")]
    rows = []
    for c in result.cities:
        scores = {i["id"]: i["score"] for i in c["items"]}
        s = c["findings_summary"]
        kpi = c.get("kpi")
        shown = [None] * len(KPI_COLUMNS) if kpi is None else [
            KPI_NONE if kpi.get(k) is None else kpi_percent(kpi[k]) for k in KPI_COLUMNS]
        rows.append([c["rank"], c["city"], c["total"], c["max"], c["percent"], *shown, *[scores.get(i) for i in ids],
                     s["error"], s["format"], s["warning"], i18n.text("batch.status.ok", lang), ""])
    for f in result.failed:
        rows.append(["", f["city"], None, result.rubric.max, None, *[None] * len(KPI_COLUMNS), *[None] * len(ids),
                     None, None, None, i18n.text("batch.status.error", lang), f["error"]])
    return head, rows


def _summary_csv(result: BatchResult, lang: str) -> str:
    return csv_text(*_summary_rows(result, lang))


def _finding_row(f: dict[str, Any], lang: str) -> list[Any]:
    return [f.get("city"), i18n.text(f"severity.{f['severity']}", lang), f["code"], _dataset_title(f["dataset"], lang),
            Path(f["file"]).name if f.get("file") else "", f.get("sheet") or "", f.get("cell") or "",
            f.get("header") or "", "" if f.get("value") is None else str(f["value"]), f["message"]]


def _dataset_title(key: str, lang: str) -> str:
    """维修日报表 for repair_report (the format's title in the user's language); '' stays ''."""
    if not key:
        return ""
    from ..formats import load_formats
    from ..formats import DATASETS
    return load_formats()[key].title.get(lang) if key in DATASETS else key


def _findings_csv(result: BatchResult, lang: str) -> str:
    return csv_text([i18n.text(f"batch.fcol.{k}", lang) for k in FINDING_KEYS],
                    (_finding_row(f, lang) for f in result.findings))


def card_from_row(row: dict[str, Any], rubric) -> Scorecard:
    items = tuple(ItemResult(id=i["id"], section=i["section"], item_no="", title=i["title"], max=i["max"],
                             score=i["score"], reasons=tuple(i["reasons"]), metrics=i.get("metrics", {}))
                  for i in row["items"])
    return Scorecard(city=row["city"], period=row.get("period") or "", rubric=rubric, items=items,
                     findings_summary=row["findings_summary"], fixes=tuple(row.get("fixes") or ()))


# Column widths (characters) and number formats of the ranking sheet; one format per column.
RANK_WIDTHS = {"rank": 5, "city": 12, "total": 6, "max": 6, "percent": 7, "kpi": 11, "error": 7, "format": 7,
               "warning": 7, "status": 6, "reason": 28}
RANK_FORMATS = {"rank": "0", "total": "0", "max": "0", "percent": "0.0", "kpi": "0.0", "error": "0", "format": "0",
                "warning": "0", "item": "0"}
ITEM_WIDTH = 5.5
FINDING_WIDTHS = (10, 6, 7, 11, 20, 12, 7, 12, 16, 60)
HEAD_FILL = "D9E1F2"


class ScoreSheets:
    """The score sheets of 汇总.xlsx, filled while the batch runs (issue 16).

    `add` is the batch's `on_done`: the main process, otherwise idle while the workers score, fills
    an `ok` city's sheet as its row arrives, under a provisional title. `_workbook` then gives each
    sheet its title and place in rank order, so the workbook's cells do not depend on the order the
    rows arrived in. A city name that arrives twice is filled again at the end (its sheet is not
    kept: which row it belongs to would be ambiguous).
    """

    def __init__(self, rubric, lang: str) -> None:
        from openpyxl import Workbook

        self.wb = Workbook(write_only=False)
        self.rubric, self.lang, self.styles = rubric, lang, Styles()
        self._by_city: dict[str, Any] = {}
        self._twice: set[str] = set()

    def add(self, row: dict[str, Any]) -> None:
        if row.get("status") != "ok":
            return
        city = readable(row["city"])
        if city in self._by_city or city in self._twice:
            self._twice.add(city)
            old = self._by_city.pop(city, None)
            if old is not None:
                self.wb.remove(old)
            return
        # a provisional title that no final one can equal: sheet_name never keeps a control character
        sheet = self.wb.create_sheet(f"\x01{len(self.wb.worksheets)}")
        _fill(sheet, {**row, "city": city}, self.rubric, self.lang, self.styles)
        self._by_city[city] = sheet

    def take(self, city: str):
        """The sheet filled for `city` (None: fill it now)."""
        return self._by_city.pop(city, None)


def _fill(sheet, row: dict[str, Any], rubric, lang: str, styles: Styles) -> None:
    fill_scoresheet(sheet, card_from_row(row, rubric), lang, styles)
    below_scoresheet(sheet, row.get("fixes") or (), lang, styles)


def _workbook(result: BatchResult, lang: str, sheets: ScoreSheets | None = None):
    """汇总.xlsx: 排名 (ranking, two header rows: item names over ids), 得分率图 (the chart on its own
    sheet, rank 1 on top), one score sheet per city, 问题明细 — every sheet landscape, fitted to width,
    its header rows repeated on each printed page (cli.md "Batch"). `sheets`: score sheets filled
    while the batch ran; the others are filled here."""
    from openpyxl import Workbook

    wb = sheets.wb if sheets is not None else Workbook(write_only=False)
    taken: set[str] = set()
    ws = wb.worksheets[0]
    ws.title = sheet_name(i18n.text("batch.sheet.ranking", lang), taken)
    order = [ws]
    _ranking(ws, result, lang)
    if result.cities:
        chart = wb.create_sheet(sheet_name(i18n.text("batch.sheet.chart", lang), taken))
        _chart_sheet(chart, ws, result, lang)
        order.append(chart)
    styles = sheets.styles if sheets is not None else Styles()
    for row in result.cities:
        title = sheet_name(row["city"], taken)
        sheet = sheets.take(row["city"]) if sheets is not None else None
        if sheet is None:
            sheet = wb.create_sheet(title)
            _fill(sheet, row, result.rubric, lang, styles)
        else:
            sheet.title = title
        order.append(sheet)
    findings = wb.create_sheet(sheet_name(i18n.text("batch.sheet.findings", lang), taken))
    _findings_sheet(findings, result, lang)
    order.append(findings)
    for sheet in [s for s in wb.worksheets if all(s is not o for o in order)]:
        wb.remove(sheet)        # a city filled while running that is not in the result (none expected)
    for place, sheet in enumerate(order):
        wb.move_sheet(sheet, place - wb.worksheets.index(sheet))
    mark(wb, "summary")
    return wb


def _head(cell, text: str) -> None:
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

    set_text(cell, text)
    thin = Side(style="thin", color="808080")
    cell.font = Font(bold=True)
    cell.fill = PatternFill("solid", fgColor=HEAD_FILL)
    cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    cell.border = Border(left=thin, right=thin, top=thin, bottom=thin)


def _ranking(ws, result: BatchResult, lang: str) -> None:
    from openpyxl.formatting.rule import ColorScaleRule
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    head, rows = _summary_rows(result, lang)
    ids = _item_ids(result)
    n_fixed = 5 + len(KPI_COLUMNS)
    keys = ["rank", "city", "total", "max", "percent", *["kpi"] * len(KPI_COLUMNS), *["item"] * len(ids),
            "error", "format", "warning", "status", "reason"]
    width = len(keys)
    last = get_column_letter(width)
    ws.merge_cells(f"A1:{last}1")
    set_text(ws["A1"], i18n.text("batch.title", lang, title=result.rubric.title, period=result.period))
    ws["A1"].font = Font(bold=True, size=14)
    ws["A1"].alignment = Alignment(vertical="center")
    ws.row_dimensions[1].height = 26
    # two header rows: item names (merged over their criteria) above the ids; the other columns span both
    for j, (key, text) in enumerate(zip(keys, head), start=1):
        if key == "item":
            _head(ws.cell(3, j), text)
        else:
            _head(ws.cell(2, j), text)
            _head(ws.cell(3, j), "")
            ws.merge_cells(start_row=2, start_column=j, end_row=3, end_column=j)
    col = n_fixed + 1
    for _section, item, criteria in _items(result.rubric):
        _head(ws.cell(2, col), item)
        for k in range(1, len(criteria)):
            _head(ws.cell(2, col + k), "")
        if len(criteria) > 1:
            ws.merge_cells(start_row=2, start_column=col, end_row=2, end_column=col + len(criteria) - 1)
        col += len(criteria)
    ws.row_dimensions[2].height = 62
    red = PatternFill("solid", fgColor="F8CBAD")
    error_text = i18n.text("batch.status.error", lang)
    for i, r in enumerate(rows, start=4):
        for j, (key, v) in enumerate(zip(keys, r), start=1):
            cell = ws.cell(i, j)
            set_text(cell, v)
            if key == "kpi" and v == KPI_NONE:
                cell.alignment = Alignment(horizontal="center")
            if key in RANK_FORMATS:
                cell.number_format = RANK_FORMATS[key]
            if r[-2] == error_text:
                cell.fill = red
    for j, key in enumerate(keys, start=1):
        ws.column_dimensions[get_column_letter(j)].width = RANK_WIDTHS.get(key, ITEM_WIDTH)
    n_ok = len(result.cities)
    end_row = 3 + max(len(rows), 1)
    ws.freeze_panes = "C4"
    ws.auto_filter.ref = f"A3:{last}{end_row}"
    if n_ok:
        pct = get_column_letter(5)
        ws.conditional_formatting.add(f"{pct}4:{pct}{n_ok + 3}", ColorScaleRule(
            start_type="num", start_value=0, start_color="F8696B", mid_type="num", mid_value=75,
            mid_color="FFEB84", end_type="num", end_value=100, end_color="63BE7B"))
    print_setup(ws, "2:3", lang)


def _items(rubric) -> list[tuple[str, str, list[str]]]:
    """(section title, item title, criterion ids) in the rubric's order."""
    return [(s.title, item.title, [c.id for c in item.criteria]) for s in rubric.sections for item in s.items]


def _chart_sheet(ws, ranking, result: BatchResult, lang: str) -> None:
    """The cities' percentages as horizontal bars, rank 1 on top, on a sheet of their own that
    prints on one landscape page."""
    from openpyxl.chart import BarChart, Reference
    from openpyxl.chart.label import DataLabelList

    n_ok = len(result.cities)
    chart = BarChart()
    chart.type = "bar"
    chart.title = i18n.text("batch.chart_title", lang, title=i18n.text("batch.chart", lang), period=result.period)
    chart.y_axis.title = "%"
    chart.y_axis.number_format = "0"
    chart.y_axis.scaling.min = 0
    chart.y_axis.scaling.max = 100
    chart.x_axis.scaling.orientation = "maxMin"     # categories top-down: rank 1 first
    chart.x_axis.delete = False
    chart.y_axis.delete = False
    chart.legend = None
    chart.add_data(Reference(ranking, min_col=5, min_row=4, max_row=n_ok + 3), titles_from_data=False)
    chart.set_categories(Reference(ranking, min_col=2, min_row=4, max_row=n_ok + 3))
    chart.dataLabels = DataLabelList()
    chart.dataLabels.showVal = True
    chart.dataLabels.showCatName = chart.dataLabels.showSerName = chart.dataLabels.showLegendKey = False
    chart.width = 24                                # cm: the width of a landscape A4 page's print area
    chart.height = min(max(8.0, 0.6 * n_ok + 3), 15.5)
    ws.add_chart(chart, "A1")
    print_setup(ws, None, lang)
    ws.page_setup.fitToHeight = 1


def _findings_sheet(fs, result: BatchResult, lang: str) -> None:
    from openpyxl.styles import Alignment
    from openpyxl.utils import get_column_letter

    for j, k in enumerate(FINDING_KEYS, start=1):
        _head(fs.cell(1, j), i18n.text(f"batch.fcol.{k}", lang))
        fs.column_dimensions[get_column_letter(j)].width = FINDING_WIDTHS[j - 1]
    shown = result.findings[:MAX_FINDING_ROWS]
    wrap = Alignment(wrap_text=True, vertical="top")
    for i, f in enumerate(shown, start=2):
        for j, v in enumerate(_finding_row(f, lang), start=1):
            set_text(fs.cell(i, j), v)
        fs.cell(i, len(FINDING_KEYS)).alignment = wrap
    extra = len(result.findings) - MAX_FINDING_ROWS
    if extra > 0:
        set_text(fs.cell(MAX_FINDING_ROWS + 2, 1), i18n.text("batch.more_findings", lang, n=extra))
    fs.freeze_panes = "A2"
    fs.auto_filter.ref = f"A1:{get_column_letter(len(FINDING_KEYS))}{max(len(shown), 1) + 1}"
    print_setup(fs, "1:1", lang)
