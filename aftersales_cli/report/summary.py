"""The batch outputs: 汇总.xlsx (ranking, chart, one score sheet per city, findings), summary.json,
summary.csv and findings.csv — each written atomically."""
from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

from .. import i18n
from ..batch import BatchResult
from ..errors import AftersalesError
from ..read.marker import mark
from ..rubric.engine import ItemResult, Scorecard
from .atomic import write_atomic, write_text_atomic
from .cellsafe import csv_safe, set_text
from .names import sheet_name
from .scoresheet import Styles, fill_scoresheet

MAX_FINDING_ROWS = 100_000
FINDING_KEYS = ("city", "severity", "code", "dataset", "file", "sheet", "cell", "header", "value", "message")


def write_outputs(result: BatchResult, out: Path, lang: str) -> list[Path]:
    """Each file goes to a temporary file beside it and is renamed into place; a write that fails
    (disk full, permissions) names the file it was writing and leaves the previous one untouched."""
    steps = [
        ("汇总.xlsx", lambda path: write_atomic(path, lambda tmp: _workbook(result, lang).save(tmp))),
        ("summary.json", lambda path: write_text_atomic(
            path, json.dumps(result.to_dict(), ensure_ascii=False, indent=2) + "\n")),
        ("summary.csv", lambda path: _write_csv(path, _summary_csv(result, lang))),
        ("findings.csv", lambda path: _write_csv(path, _findings_csv(result, lang))),
    ]
    target = out
    try:
        out.mkdir(parents=True, exist_ok=True)
        written = []
        for name, write in steps:
            target = out / name
            written.append(write(target))
    except OSError as exc:
        raise AftersalesError("err.output_unwritable", target, detail=exc.strerror or str(exc)) from exc
    return written


# RFC 4180 line ends. With "\n" as the terminator the csv module leaves a field holding a lone
# "\r" unquoted (it quotes only for the terminator's own characters), and every reader then splits
# that row in two; "\r\n" makes it quote any field with "\r" or "\n" in it.
CSV_LINE_END = "\r\n"


def _write_csv(out: Path, text: str) -> Path:
    """Bytes as built (no newline translation on any platform), atomically."""
    return write_atomic(out, lambda tmp: tmp.write_bytes(text.encode("utf-8")))


def _item_ids(result: BatchResult) -> list[str]:
    return [c.id for _, _, c in result.rubric.criteria()]


def _summary_rows(result: BatchResult, lang: str) -> tuple[list[str], list[list[Any]]]:
    ids = _item_ids(result)
    head = [i18n.text(f"batch.col.{k}", lang) for k in ("rank", "city", "total", "max", "percent")] + ids + [
        i18n.text(f"batch.col.{k}", lang) for k in ("error", "format", "warning", "status", "reason")]
    rows = []
    for c in result.cities:
        scores = {i["id"]: i["score"] for i in c["items"]}
        s = c["findings_summary"]
        rows.append([c["rank"], c["city"], c["total"], c["max"], c["percent"], *[scores.get(i) for i in ids],
                     s["error"], s["format"], s["warning"], i18n.text("batch.status.ok", lang), ""])
    for f in result.failed:
        rows.append(["", f["city"], None, result.rubric.max, None, *[None] * len(ids), None, None, None,
                     i18n.text("batch.status.error", lang), f["error"]])
    return head, rows


def _summary_csv(result: BatchResult, lang: str) -> str:
    head, rows = _summary_rows(result, lang)
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator=CSV_LINE_END)
    w.writerow(head)
    for r in rows:
        w.writerow([csv_safe(v) if v is not None else "" for v in r])
    return "\ufeff" + buf.getvalue()


def _finding_row(f: dict[str, Any], lang: str) -> list[Any]:
    return [f.get("city"), i18n.text(f"severity.{f['severity']}", lang), f["code"], f["dataset"],
            Path(f["file"]).name if f.get("file") else "", f.get("sheet") or "", f.get("cell") or "",
            f.get("header") or "", "" if f.get("value") is None else str(f["value"]), f["message"]]


def _findings_csv(result: BatchResult, lang: str) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator=CSV_LINE_END)
    w.writerow([i18n.text(f"batch.fcol.{k}", lang) for k in FINDING_KEYS])
    for f in result.findings:
        w.writerow([csv_safe(v) for v in _finding_row(f, lang)])
    return "\ufeff" + buf.getvalue()


def card_from_row(row: dict[str, Any], rubric) -> Scorecard:
    items = tuple(ItemResult(id=i["id"], section=i["section"], item_no="", title=i["title"], max=i["max"],
                             score=i["score"], reasons=tuple(i["reasons"]), metrics=i.get("metrics", {}))
                  for i in row["items"])
    return Scorecard(city=row["city"], period=row.get("period") or "", rubric=rubric, items=items,
                     findings_summary=row["findings_summary"])


def _workbook(result: BatchResult, lang: str):
    from openpyxl import Workbook
    from openpyxl.chart import BarChart, Reference
    from openpyxl.formatting.rule import ColorScaleRule
    from openpyxl.styles import Alignment, Font, PatternFill

    wb = Workbook(write_only=False)
    ws = wb.active
    taken: set[str] = set()
    ws.title = sheet_name(i18n.text("batch.sheet.ranking", lang), taken)
    ws.merge_cells("A1:H1")
    set_text(ws["A1"], i18n.text("batch.title", lang, title=result.rubric.title, period=result.period))
    ws["A1"].font = Font(bold=True, size=14)
    head, rows = _summary_rows(result, lang)
    for j, h in enumerate(head, start=1):
        c = ws.cell(2, j)
        set_text(c, h)
        c.font = Font(bold=True)
        c.fill = PatternFill("solid", fgColor="D9E1F2")
        c.alignment = Alignment(horizontal="center", wrap_text=True)
    red = PatternFill("solid", fgColor="F8CBAD")
    for i, r in enumerate(rows, start=3):
        for j, v in enumerate(r, start=1):
            set_text(ws.cell(i, j), v)
        if r[len(head) - 2] == i18n.text("batch.status.error", lang):
            for j in range(1, len(head) + 1):
                ws.cell(i, j).fill = red
    n_ok = len(result.cities)
    ws.freeze_panes = "C3"
    ws.column_dimensions["B"].width = 16
    ws.column_dimensions[ws.cell(2, len(head)).column_letter].width = 50
    if n_ok:
        pct = ws.cell(2, 5).column_letter
        ws.conditional_formatting.add(f"{pct}3:{pct}{n_ok + 2}", ColorScaleRule(
            start_type="num", start_value=0, start_color="F8696B", mid_type="num", mid_value=75,
            mid_color="FFEB84", end_type="num", end_value=100, end_color="63BE7B"))
        chart = BarChart()
        chart.type = "bar"
        chart.title = i18n.text("batch.chart", lang)
        chart.y_axis.title = "%"
        chart.y_axis.scaling.min = 0
        chart.y_axis.scaling.max = 100
        chart.legend = None
        data = Reference(ws, min_col=5, min_row=2, max_row=n_ok + 2)
        cats = Reference(ws, min_col=2, min_row=3, max_row=n_ok + 2)
        chart.add_data(data, titles_from_data=True)
        chart.set_categories(cats)
        chart.height = max(7.5, 0.5 * n_ok)
        chart.width = 18
        ws.add_chart(chart, f"{ws.cell(2, len(head) + 2).column_letter}2")
    styles = Styles()
    for row in result.cities:
        sheet = wb.create_sheet(sheet_name(row["city"], taken))
        fill_scoresheet(sheet, card_from_row(row, result.rubric), lang, styles)
    fs = wb.create_sheet(sheet_name(i18n.text("batch.sheet.findings", lang), taken))
    for j, k in enumerate(FINDING_KEYS, start=1):
        c = fs.cell(1, j)
        set_text(c, i18n.text(f"batch.fcol.{k}", lang))
        c.font = Font(bold=True)
    for i, f in enumerate(result.findings[:MAX_FINDING_ROWS], start=2):
        for j, v in enumerate(_finding_row(f, lang), start=1):
            set_text(fs.cell(i, j), v)
    extra = len(result.findings) - MAX_FINDING_ROWS
    if extra > 0:
        set_text(fs.cell(MAX_FINDING_ROWS + 2, 1), i18n.text("batch.more_findings", lang, n=extra))
    fs.freeze_panes = "A2"
    mark(wb, "summary")
    return wb
