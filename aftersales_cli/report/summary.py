"""The batch outputs: 汇总.xlsx (ranking, chart, one score sheet per city, findings), summary.json,
summary.csv and findings.csv — each written atomically."""
from __future__ import annotations

import csv
import io
import re
from pathlib import Path
from typing import Any

from .. import i18n
from ..core.collector import one_unit
from ..core.finding import SEVERITIES, display
from ..core.results import BatchResult
from ..paths import readable
from ..rubric.engine import ItemResult, Scorecard
from .atomic import write_json, write_set
from .cellsafe import csv_safe, wrapped_lines
from .fixlist import below_scoresheet
from .names import sheet_name
from .scoresheet import fill_scoresheet
from .xlsxbook import (Looks, SheetCells, close_workbook, column_width, merge_value, new_workbook, print_setup,
                       write_value)

MAX_FINDING_ROWS = 100_000
FINDING_KEYS = ("city", "severity", "code", "dataset", "file", "sheet", "cell", "header", "value", "message")


@one_unit
def write_outputs(result: BatchResult, out: Path, lang: str, sheets: ScoreSheets | None = None) -> list[Path]:
    """汇总.xlsx, summary.json, summary.csv and findings.csv written into `out` as one set
    (`report.atomic.write_set`): each to a temporary file beside it, then all renamed into place;
    a write that fails (disk full, permissions) or is interrupted names the file it was writing and
    leaves every earlier output untouched.
    `sheets`: the score sheets already filled while the batch ran (`ScoreSheets`), else none.
    One unit of `core.collector` (the collector paused): 汇总.xlsx's cells are tens of thousands of
    containers the collector would walk and never free (a 40-city batch's write 0.222 → 0.180 s,
    median of five, README "Issue 16 — session 10")."""
    return write_set(out, [
        ("汇总.xlsx", lambda tmp: write_workbook(result, tmp, lang, sheets)),
        ("summary.json", lambda tmp: write_json(tmp, result.to_dict())),
        ("summary.csv", lambda tmp: write_csv(tmp, _summary_csv(result, lang))),
        ("findings.csv", lambda tmp: write_csv(tmp, _findings_csv(result, lang))),
    ])


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


def write_csv(path: Path, text: str) -> None:
    """A CSV output's text (`csv_text`) as its bytes: no newline translation on any platform."""
    path.write_bytes(text.encode("utf-8"))


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
            f.get("header") or "", display(f.get("value")), f["message"]]


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
RED = "#F8CBAD"             # a failed city's row on the ranking sheet


def _fit(width: float, text: str, room: int = 1) -> float:
    """`width`, or wider when a word of `text` in Latin letters would not fit on a line of it
    (a spreadsheet breaks such a word inside: "Percen" over "t"); `room`: characters kept for the
    cell's padding (and an autofilter's button). CJK text wraps between characters: not counted."""
    return max([width, *(len(w) + room for w in _LATIN_WORD.findall(text))])


_LATIN_WORD = re.compile(r"[!-~]+")


class ScoreSheets:
    """The score sheets of 汇总.xlsx, built while the batch runs (issue 16).

    `add` is the batch's `on_done`: the main process, otherwise idle while the workers score, builds
    an `ok` city's sheet content (`SheetCells`: plain Python, no workbook yet) as its row arrives.
    `write_workbook` then writes each one in rank order under its title, so the workbook does not
    depend on the order the rows arrived in. A city name that arrives twice is built again at the
    end (its sheet is not kept: which row it belongs to would be ambiguous).
    """

    def __init__(self, rubric, lang: str) -> None:
        import xlsxwriter  # noqa: F401 - imported now, while the workers start, not after the last city
        self.rubric, self.lang = rubric, lang
        self._by_city: dict[str, SheetCells] = {}
        self._twice: set[str] = set()

    def add(self, row: dict[str, Any]) -> None:
        if row.get("status") != "ok":
            return
        city = readable(row["city"])
        if city in self._by_city or city in self._twice:
            self._twice.add(city)
            self._by_city.pop(city, None)
            return
        self._by_city[city] = city_sheet({**row, "city": city}, self.rubric, self.lang)

    def take(self, city: str) -> SheetCells | None:
        """The sheet built for `city` (None: build it now)."""
        return self._by_city.pop(city, None)


def city_sheet(row: dict[str, Any], rubric, lang: str) -> SheetCells:
    """One city's sheet of 汇总.xlsx: its score sheet, then its fix list below it."""
    sheet = SheetCells()
    fill_scoresheet(sheet, card_from_row(row, rubric), lang)
    below_scoresheet(sheet, row.get("fixes") or (), lang)
    return sheet


def write_workbook(result: BatchResult, path: Path, lang: str, sheets: ScoreSheets | None = None) -> None:
    """汇总.xlsx at `path`: 排名 (ranking, two header rows: item names over ids), 得分率图 (the chart
    on its own sheet, rank 1 on top), one score sheet per city in rank order, 问题明细 — every sheet
    landscape, fitted to width, its header rows repeated on each printed page (cli.md "Batch");
    marked `summary`. `sheets`: score sheets built while the batch ran; the others are built here."""
    wb = new_workbook(path, "summary")
    looks = Looks(wb)
    taken: set[str] = set()
    ranking = wb.add_worksheet(sheet_name(i18n.text("batch.sheet.ranking", lang), taken))
    _ranking(ranking, looks, result, lang)
    if result.cities:
        chart = wb.add_worksheet(sheet_name(i18n.text("batch.sheet.chart", lang), taken))
        _chart_sheet(wb, chart, ranking.name, result, lang)
    findings_name = sheet_name(i18n.text("batch.sheet.findings", lang), taken)   # before a city takes it
    for row in result.cities:
        ws = wb.add_worksheet(sheet_name(row["city"], taken))
        cells = sheets.take(row["city"]) if sheets is not None else None
        (cells or city_sheet(row, result.rubric, lang)).emit(ws, looks)
    findings = wb.add_worksheet(findings_name)
    _findings_sheet(findings, looks, result, lang)
    close_workbook(wb)


def _ranking(ws, looks: Looks, result: BatchResult, lang: str) -> None:
    head, rows = _summary_rows(result, lang)
    ids = _item_ids(result)
    n_fixed = 5 + len(KPI_COLUMNS)
    keys = ["rank", "city", "total", "max", "percent", *["kpi"] * len(KPI_COLUMNS), *["item"] * len(ids),
            "error", "format", "warning", "status", "reason"]
    width = len(keys)
    head_look = looks("column")
    title = i18n.text("batch.title", lang, title=result.rubric.title, period=result.period)
    merge_value(ws, 0, 0, 0, width - 1, title, looks("sheet_title"))
    ws.set_row(0, 26)
    # two header rows: item names (merged over their criteria) above the ids; the other columns span both
    for j, (key, text) in enumerate(zip(keys, head)):
        if key == "item":
            write_value(ws, 2, j, text, head_look)
        else:
            merge_value(ws, 1, j, 2, j, text, head_look)
    col = n_fixed
    for _section, item, criteria in _items(result.rubric):
        if len(criteria) > 1:
            merge_value(ws, 1, col, 1, col + len(criteria) - 1, item, head_look)
        else:
            write_value(ws, 1, col, item, head_look)
        col += len(criteria)
    ws.set_row(1, 62)
    error_text = i18n.text("batch.status.error", lang)
    for i, r in enumerate(rows, start=3):
        fill = {"bg_color": RED} if r[-2] == error_text else {}
        for j, (key, v) in enumerate(zip(keys, r)):
            extra = dict(fill)
            if key == "kpi" and v == KPI_NONE:
                extra["align"] = "center"
            if key in RANK_FORMATS:
                extra["num_format"] = RANK_FORMATS[key]
            if key == "reason" and v:          # a failure reason wraps within its column, not past the table
                extra["text_wrap"] = True      # bottom-aligned like the rest of the row
                ws.set_row(i, min(15 * wrapped_lines(str(v), _fit(RANK_WIDTHS[key], head[j])) + 3, 409))
            write_value(ws, i, j, v, looks(None, **extra))
    for j, (key, text) in enumerate(zip(keys, head), start=1):
        column_width(ws, j, ITEM_WIDTH if key == "item" else _fit(RANK_WIDTHS[key], text))
    n_ok = len(result.cities)
    end_row = 3 + max(len(rows), 1)
    ws.freeze_panes(3, 2)
    ws.autofilter(2, 0, end_row - 1, width - 1)
    if n_ok:
        ws.conditional_format(3, 4, n_ok + 2, 4, {
            "type": "3_color_scale", "min_type": "num", "min_value": 0, "min_color": "#F8696B",
            "mid_type": "num", "mid_value": 75, "mid_color": "#FFEB84",
            "max_type": "num", "max_value": 100, "max_color": "#63BE7B"})
    print_setup(ws, (2, 3), i18n.text("sheet.page_footer", lang))


def _items(rubric) -> list[tuple[str, str, list[str]]]:
    """(section title, item title, criterion ids) in the rubric's order."""
    return [(s.title, item.title, [c.id for c in item.criteria]) for s in rubric.sections for item in s.items]


#: The chart's size in centimetres: the width of a landscape A4 page's print area; the height grows
#: with the cities up to one page.
CHART_WIDTH_CM = 24


def _chart_sheet(wb, ws, ranking: str, result: BatchResult, lang: str) -> None:
    """The cities' percentages as horizontal bars, rank 1 on top, on a sheet of their own that
    prints on one landscape page."""
    n_ok = len(result.cities)
    chart = wb.add_chart({"type": "bar"})
    chart.add_series({"values": [ranking, 3, 4, n_ok + 2, 4], "categories": [ranking, 3, 1, n_ok + 2, 1],
                      "data_labels": {"value": True}})
    chart.set_title({"name": i18n.text("batch.chart_title", lang, title=i18n.text("batch.chart", lang),
                                       period=result.period)})
    # a bar chart's x axis is the value axis (horizontal), its y axis the categories
    chart.set_x_axis({"name": "%", "num_format": "0", "min": 0, "max": 100})
    chart.set_y_axis({"reverse": True})          # categories top-down: rank 1 first
    chart.set_legend({"none": True})
    width, height = _cm_to_px(CHART_WIDTH_CM), _cm_to_px(min(max(8.0, 0.6 * n_ok + 3), 15.5))
    chart.set_size({"width": width, "height": height})
    # XlsxWriter anchors the chart to the cells it spans. Rows are sized in points, which every
    # reader agrees on; a column's width is in characters, which LibreOffice turns into more pixels
    # than Excel. So the chart lies within one column A wider than itself (its right edge is then an
    # offset in A, exact everywhere) over rows of a written height (18 pt = 24 px).
    for r in range(height // 24 + 2):
        ws.set_row(r, 18)
    column_width(ws, 1, width / 7 + 2)
    ws.insert_chart(0, 0, chart)
    print_setup(ws, None, i18n.text("sheet.page_footer", lang))
    ws.fit_to_pages(1, 1)


def _cm_to_px(cm: float) -> int:
    return round(cm / 2.54 * 96)


def _findings_sheet(fs, looks: Looks, result: BatchResult, lang: str) -> None:
    head = looks("column")
    for j, k in enumerate(FINDING_KEYS):
        text = i18n.text(f"batch.fcol.{k}", lang)
        write_value(fs, 0, j, text, head)
        values = [i18n.text(f"severity.{s}", lang) for s in SEVERITIES] if k == "severity" else []
        column_width(fs, j + 1, max([_fit(FINDING_WIDTHS[j], text, room=2), *(_fit(0, v) for v in values)]))
    shown = result.findings[:MAX_FINDING_ROWS]
    wrap, last = looks("top_wrap"), len(FINDING_KEYS) - 1
    for i, f in enumerate(shown, start=1):
        for j, v in enumerate(_finding_row(f, lang)):
            write_value(fs, i, j, v, wrap if j == last else None)
    extra = len(result.findings) - MAX_FINDING_ROWS
    if extra > 0:
        write_value(fs, MAX_FINDING_ROWS + 1, 0, i18n.text("batch.more_findings", lang, n=extra))
    fs.freeze_panes(1, 0)
    fs.autofilter(0, 0, max(len(shown), 1), last)
    print_setup(fs, (1, 1), i18n.text("sheet.page_footer", lang))
