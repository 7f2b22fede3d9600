"""The trend outputs (trends.md §1): 趋势.xlsx, trend.json and trend.csv, each written atomically.

趋势.xlsx (XlsxWriter: native line charts and print setup for a new workbook; marked as a tool
output by the custom document property `aftersales-cli` = `trend`, realworld.md):
- 总分趋势: one row per city, per month total, percent, change (▲/▼ with the points, green/red)
  and rank; a last column with the change over the whole range; sorted by the latest rank.
- 趋势图: the network's average percent per month with the best and worst five cities of the
  latest month; the share of cities at full marks per section. Each chart fills one landscape page.
- 分项趋势: per criterion, the network's average score per month as a percentage of its max.
- 城市变化: per city and month, the items whose score changed and the finding counts per code
  that changed (新出现 / 已整改).
- 图表数据: the figures the charts draw.
Every sheet prints landscape, A4, fitted to the page width, with its header rows repeated.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

from .. import i18n
from .atomic import write_json, write_set
from .summary import csv_text, write_csv
from .xlsxbook import close_workbook, new_workbook, print_page

WORKBOOK = "趋势.xlsx"
FONT = "等线"
UP, DOWN = "#1E7B34", "#C00000"


def write_trend_outputs(doc: dict[str, Any], extra: dict[str, Any], rubric, out: Path, lang: str) -> list[Path]:
    """Write 趋势.xlsx, trend.json and trend.csv into `out`; returns their paths.

    `doc`: trend.assemble_trend's document; `extra`: {"network", "items", "full_marks", "changes"}
    from trend.py. Written as one set (`report.atomic.write_set`). Raises AftersalesError (naming
    the file) when a file cannot be written."""
    return write_set(out, [
        (WORKBOOK, lambda tmp: _workbook(doc, extra, rubric, tmp, lang)),
        ("trend.json", lambda tmp: write_json(tmp, doc)),
        ("trend.csv", lambda tmp: write_csv(tmp, trend_csv(doc, rubric, lang))),
    ])


def _status(cell: dict[str, Any], lang: str) -> str:
    return i18n.text(f"trend.status.{cell['status']}", lang)


def trend_csv(doc: dict[str, Any], rubric, lang: str) -> str:
    """One row per city × month: city, month, status, total, max, percent, rank, change, reason,
    finding counts, then each criterion's score. UTF-8 with BOM, CRLF (as summary.csv)."""
    ids = [c.id for _, _, c in rubric.criteria()]
    col = lambda k: i18n.text(f"batch.col.{k}", lang)   # noqa: E731
    head = [col("city"), i18n.text("trend.col.month", lang), col("status"), col("total"), col("max"),
            col("percent"), col("rank"), i18n.text("trend.col.change", lang), col("reason"), col("error"),
            col("format"), col("warning"), *ids]
    rows = []
    for c in doc["cities"]:
        for m in doc["months"]:
            v = c["months"][m]
            s = v["findings_summary"]
            rows.append([c["city"], m, _status(v, lang), v["total"], v["max"], v["percent"], v["rank"], v["change"],
                         v.get("error", ""), s.get("error"), s.get("format"), s.get("warning"),
                         *[v["items"].get(i) for i in ids]])
    return csv_text(head, rows)


class _Book:
    def __init__(self, wb, lang: str) -> None:
        self.wb, self.lang = wb, lang
        base = {"font_name": FONT, "font_size": 10, "valign": "vcenter"}
        border = {**base, "border": 1, "border_color": "#BFBFBF"}
        self.f = {
            "title": wb.add_format({**base, "bold": True, "font_size": 14}),
            "note": wb.add_format({**base, "font_color": "#595959"}),
            "head": wb.add_format({**border, "bold": True, "bg_color": "#DDEBF7", "align": "center",
                                   "text_wrap": True}),
            "text": wb.add_format(border),
            "wrap": wb.add_format({**border, "text_wrap": True}),
            "num": wb.add_format({**border, "num_format": "0.##", "align": "center"}),
            "pct": wb.add_format({**border, "num_format": "0.0", "align": "center"}),
            "rank": wb.add_format({**border, "align": "center"}),
            "up": wb.add_format({**border, "font_color": UP, "align": "center"}),
            "down": wb.add_format({**border, "font_color": DOWN, "align": "center"}),
            "same": wb.add_format({**border, "font_color": "#7F7F7F", "align": "center"}),
            "grey": wb.add_format({**border, "font_color": "#7F7F7F", "align": "center"}),
            "red": wb.add_format({**border, "font_color": DOWN, "align": "center"}),
        }

    def t(self, key: str, **params: Any) -> str:
        return i18n.text(key, self.lang, **params)

    def sheet(self, key: str, head_rows: int | None):
        ws = self.wb.add_worksheet(self.t(key)[:31])
        ws.set_landscape()
        print_page(ws, self.t(key))
        if head_rows is not None:
            ws.repeat_rows(0, head_rows)
            ws.freeze_panes(head_rows + 1, 0)
        return ws

    def header(self, ws, row: int, labels: list[str], widths: list[float]) -> None:
        for c, (label, width) in enumerate(zip(labels, widths)):
            ws.write_string(row, c, label, self.f["head"])
            ws.set_column(c, c, width)

    def change(self, ws, row: int, col: int, value: float | None) -> None:
        if value is None:
            ws.write_string(row, col, "", self.f["rank"])
        elif value > 0:
            ws.write_string(row, col, f"▲{value:g}", self.f["up"])
        elif value < 0:
            ws.write_string(row, col, f"▼{-value:g}", self.f["down"])
        else:
            ws.write_string(row, col, "—", self.f["same"])


def _workbook(doc: dict[str, Any], extra: dict[str, Any], rubric, path: Path, lang: str) -> None:
    from ..trend import overall_change

    wb = new_workbook(path, "trend")
    b = _Book(wb, lang)
    months = doc["months"]
    title = b.t("trend.title", title=rubric.title, first=months[0], last=months[-1])
    wb.set_properties({"title": title, "comments": "aftersales-cli trend"})
    _totals(b, doc, title, overall_change)
    charts = b.sheet("trend.sheet.charts", None)     # second in the workbook, filled once the data is
    _items(b, doc, extra)
    _changes(b, extra["changes"])
    _charts(b, charts, doc, _chart_data(b, doc, extra))
    wb.worksheets()[0].activate()
    close_workbook(wb)


def _totals(b: _Book, doc, title: str, overall_change) -> None:
    months = doc["months"]
    ws = b.sheet("trend.sheet.totals", 2)
    ws.write_string(0, 0, title, b.f["title"])
    ws.write_string(1, 0, b.t("trend.note.totals", max=doc["rubric"]["max"]), b.f["note"])
    col = 1
    labels, widths = [b.t("batch.col.city")], [12.0]
    for m in months:
        labels += [f"{m}\n{b.t('batch.col.total')}", b.t("batch.col.percent"), b.t("trend.col.change"),
                   b.t("batch.col.rank")]
        widths += [8.0, 8.0, 7.5, 6.0]
    labels.append(b.t("trend.col.overall"))
    widths.append(9.0)
    b.header(ws, 2, labels, widths)
    ws.set_row(2, 30)
    for r, city in enumerate(doc["cities"], start=3):
        ws.write_string(r, 0, city["city"], b.f["text"])
        col = 1
        for m in months:
            v = city["months"][m]
            if v["status"] == "ok":
                ws.write_number(r, col, v["total"], b.f["num"])
                ws.write_number(r, col + 1, v["percent"], b.f["pct"])
                b.change(ws, r, col + 2, v["change"])
                ws.write_number(r, col + 3, v["rank"], b.f["rank"])
            else:
                ws.write_string(r, col, b.t(f"trend.status.{v['status']}"),
                                b.f["grey" if v["status"] == "missing" else "red"])
                if v["status"] == "error":
                    ws.write_comment(r, col, v.get("error") or "", {"x_scale": 2})
                for k in (1, 2, 3):
                    ws.write_blank(r, col + k, None, b.f["rank"])
            col += 4
        b.change(ws, r, col, overall_change(city, months))
    ws.freeze_panes(3, 1)


def _chart_data(b: _Book, doc, extra) -> dict[str, Any]:
    """The 图表数据 sheet: month rows; columns network average, best five, worst five, then the
    share at full marks per section. Returns the sheet name and column positions."""
    months = doc["months"]
    ws = b.sheet("trend.sheet.data", 0)
    latest = months[-1]
    ranked = [c for c in doc["cities"] if c["months"][latest]["status"] == "ok"]
    best, worst = ranked[:5], [c for c in ranked[-5:] if c not in ranked[:5]]
    series = [(b.t("trend.series.network"), extra["network"]["average"])]
    series += [(c["city"], [c["months"][m]["percent"] for m in months]) for c in best + worst]
    sections = list(extra["full_marks"].items())
    labels = [b.t("trend.col.month")] + [s[0] for s in series] + [s[0] for s in sections]
    b.header(ws, 0, labels, [9.0] + [10.0] * (len(labels) - 1))
    for r, m in enumerate(months, start=1):
        ws.write_string(r, 0, m, b.f["text"])
        for c, (_, values) in enumerate(series + sections, start=1):
            if values[r - 1] is None:
                ws.write_blank(r, c, None, b.f["pct"])
            else:
                ws.write_number(r, c, values[r - 1], b.f["pct"])
    plotted = [v for _, values in series for v in values if v is not None]
    low = max(0, int(min(plotted) // 10 * 10) - 10) if plotted else 0
    return {"name": ws.get_name(), "series": len(series), "low": low, "best": len(best), "sections": len(sections)}


def _charts(b: _Book, ws, doc, data) -> None:
    """Two charts, each on its own landscape page (a manual page break between them; no fit-to-page,
    which would ignore the break)."""
    months = doc["months"]
    n = len(months)
    ws.set_print_scale(85)
    ws.hide_gridlines(2)
    name = data["name"]
    colours = ["#1E7B34", "#2E9E48", "#4CB866", "#7BCB8E", "#A8DDB5",
               "#C00000", "#D9472B", "#E8744F", "#F29E7A", "#F8C6A8"]
    net = b.wb.add_chart({"type": "line"})
    for i in range(data["series"]):
        line = {"name": [name, 0, i + 1], "categories": [name, 1, 0, n, 0], "values": [name, 1, i + 1, n, i + 1],
                "marker": {"type": "circle", "size": 4}}
        if i == 0:
            line.update(line={"color": "#000000", "width": 3}, marker={"type": "diamond", "size": 7,
                                                                      "fill": {"color": "#000000"}})
        else:
            colour = colours[i - 1] if i - 1 < data["best"] else colours[5 + (i - 1 - data["best"])]
            line.update(line={"color": colour, "width": 1.5, "dash_type": "solid" if i <= data["best"] else "dash"},
                        marker={"type": "circle", "size": 4, "fill": {"color": colour}, "border": {"color": colour}})
        net.add_series(line)
    _axes(b, net, b.t("trend.chart.network"), data["low"])
    ws.insert_chart(0, 0, net, CHART_SIZE)
    ws.set_h_pagebreaks([PAGE_ROWS])
    full = b.wb.add_chart({"type": "line"})
    first = data["series"] + 1
    for k in range(data["sections"]):
        full.add_series({"name": [name, 0, first + k], "categories": [name, 1, 0, n, 0],
                         "values": [name, 1, first + k, n, first + k], "marker": {"type": "circle", "size": 4}})
    _axes(b, full, b.t("trend.chart.full_marks"), 0)
    ws.insert_chart(PAGE_ROWS + 1, 0, full, CHART_SIZE)   # a row clear of the break: LibreOffice would
                                                         # also print its clipped top edge on page one
    ws.print_area(0, 0, 2 * PAGE_ROWS, 13)


# a chart of 840 × 576 px from the top-left cell of its page: at 85 % both fit a landscape A4 page
CHART_SIZE = {"x_scale": 1.75, "y_scale": 2.0}
PAGE_ROWS = 31            # rows of 20 px per printed page of the charts sheet (the chart takes 29)


def _axes(b: _Book, chart, title: str, low: int) -> None:
    chart.set_title({"name": title, "name_font": {"name": FONT, "size": 12}})
    chart.set_y_axis({"min": low, "max": 100, "name": "%", "major_gridlines": {"visible": True,
                                                                            "line": {"color": "#E0E0E0"}}})
    chart.set_x_axis({"name": b.t("trend.col.month")})
    chart.set_legend({"position": "right", "font": {"name": FONT, "size": 9}})
    chart.show_blanks_as("gap")


def _items(b: _Book, doc, extra) -> None:
    months = doc["months"]
    ws = b.sheet("trend.sheet.items", 1)
    ws.write_string(0, 0, b.t("trend.note.items"), b.f["note"])
    labels = [b.t("trend.col.item"), b.t("trend.col.section"), b.t("trend.col.item_title"),
              b.t("batch.col.max"), *months, b.t("trend.col.overall")]
    b.header(ws, 1, labels, [7.0, 16.0, 26.0, 6.0, *[9.0] * len(months), 9.0])
    for r, item in enumerate(extra["items"], start=2):
        ws.write_string(r, 0, item["id"], b.f["text"])
        ws.write_string(r, 1, item["section"], b.f["text"])
        ws.write_string(r, 2, item["title"], b.f["wrap"])
        ws.write_number(r, 3, item["max"], b.f["num"])
        for k, value in enumerate(item["percent"]):
            if value is None:
                ws.write_blank(r, 4 + k, None, b.f["pct"])
            else:
                ws.write_number(r, 4 + k, value, b.f["pct"])
        known = [v for v in item["percent"] if v is not None]
        b.change(ws, r, 4 + len(months), round(known[-1] - known[0], 1) if len(known) >= 2 else None)
    last = 1 + len(extra["items"])
    if last >= 2:
        ws.conditional_format(2, 4, last, 3 + len(months), {
            "type": "3_color_scale", "min_type": "num", "min_value": 0, "mid_type": "num", "mid_value": 80,
            "max_type": "num", "max_value": 100, "min_color": "#F8696B", "mid_color": "#FFEB84",
            "max_color": "#FFFFFF"})


def _changes(b: _Book, changes: list[dict[str, Any]]) -> None:
    ws = b.sheet("trend.sheet.changes", 0)
    labels = [b.t("batch.col.city"), b.t("trend.col.month"), b.t("trend.col.what"), b.t("trend.col.item_title"),
              b.t("trend.col.was"), b.t("trend.col.now"), b.t("trend.col.mark"), b.t("trend.col.reason_now")]
    b.header(ws, 0, labels, [12.0, 9.0, 9.0, 22.0, 7.0, 7.0, 9.0, 60.0])
    for r, ch in enumerate(changes, start=1):
        ws.write_string(r, 0, ch["city"], b.f["text"])
        ws.write_string(r, 1, ch["month"], b.f["text"])
        ws.write_string(r, 2, ch["what"], b.f["text"])
        title = ch["title"] if ch["kind"] == "item" else b.t("trend.kind.code")
        ws.write_string(r, 3, title, b.f["wrap"])
        ws.write_number(r, 4, ch["was"], b.f["num"])
        up = ch["now"] > ch["was"]
        good = up if ch["kind"] == "item" else not up
        ws.write_number(r, 5, ch["now"], b.f["up" if good else "down"])
        mark = b.t(f"trend.mark.{ch['mark']}") if ch["mark"] else ""
        ws.write_string(r, 6, mark, b.f["up" if ch["mark"] == "fixed" else "down" if ch["mark"] else "text"])
        ws.write_string(r, 7, ch["reason"], b.f["wrap"])
    if not changes:
        ws.write_string(1, 0, b.t("trend.no_changes"), b.f["note"])
    ws.autofilter(0, 0, max(len(changes), 1), len(labels) - 1)
