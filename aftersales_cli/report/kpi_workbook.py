"""`kpi --xlsx OUT.xlsx`: the manager's month as a workbook (kpi.md "Outputs").

Sheets: 概览 (headline figures and three native charts), 技师绩效, 计件工资 (A4, printable, for
finance: one row per technician, counts and amounts per 服务类型, a 合计 row, signature lines),
返修明细, 不满意回访, 故障统计, 待核实. Written with XlsxWriter (native charts and print setup for a
new workbook), atomically, with every string from the inputs written as a string — never a
formula — and marked as a tool output by the custom document property `aftersales-cli` = `kpi`
(realworld.md "The tool's own outputs").
"""
from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

from .. import i18n
from ..kpi.compute import Kpi
from .atomic import refuse_inputs, write_atomic
from .cellsafe import text_units
from .xlsxbook import close_workbook, new_workbook, print_page

FONT = "等线"
RATIO = "0.0%"


def _round(value: Fraction | None, places: str) -> float | None:
    """The value rounded half-up as kpi.md displays it (the cell shows exactly the table's figure)."""
    if value is None:
        return None
    d = (Decimal(value.numerator) / Decimal(value.denominator)).quantize(Decimal(places), ROUND_HALF_UP)
    return float(d)


class _Book:
    """Formats and small writing helpers over one xlsxwriter Workbook."""

    def __init__(self, wb, lang: str) -> None:
        self.wb, self.lang = wb, lang
        base = {"font_name": FONT, "font_size": 10, "valign": "vcenter"}
        cell = {**base, "border": 1}
        self.f = {
            "title": wb.add_format({**base, "bold": True, "font_size": 16, "align": "center"}),
            "subtitle": wb.add_format({**base, "font_size": 10, "align": "center", "font_color": "#595959"}),
            "head": wb.add_format({**cell, "bold": True, "bg_color": "#D9E1F2", "align": "center",
                                   "text_wrap": True}),
            "text": wb.add_format({**cell, "text_wrap": True}),
            "int": wb.add_format({**cell, "num_format": "0"}),
            "ratio": wb.add_format({**cell, "num_format": RATIO}),
            "days": wb.add_format({**cell, "num_format": "0.0"}),
            "yuan": wb.add_format({**cell, "num_format": "#,##0.00"}),
            "dash": wb.add_format({**cell, "align": "center"}),
            "shown": wb.add_format({**cell, "align": "right"}),
            "date": wb.add_format({**cell, "num_format": "yyyy-mm-dd", "align": "center"}),
            "total_text": wb.add_format({**cell, "bold": True, "bg_color": "#F2F2F2", "align": "center"}),
            "total_int": wb.add_format({**cell, "bold": True, "bg_color": "#F2F2F2", "num_format": "0"}),
            "total_yuan": wb.add_format({**cell, "bold": True, "bg_color": "#F2F2F2", "num_format": "#,##0.00"}),
            "label": wb.add_format({**cell, "bold": True, "bg_color": "#F2F2F2"}),
            "plain": wb.add_format(base),
            "note": wb.add_format({**base, "font_color": "#595959", "text_wrap": True}),
            "sign": wb.add_format({**base, "font_size": 11}),
        }

    def t(self, key: str, **params: Any) -> str:
        return i18n.text(key, self.lang, **params)

    def sheet(self, key: str):
        ws = self.wb.add_worksheet(self.t(key)[:31])
        print_page(ws, self.t(key))
        ws.center_horizontally()
        return ws

    def title(self, ws, text: str, width: int, row: int = 0) -> None:
        ws.merge_range(row, 0, row, max(width - 1, 0), text, self.f["title"])
        ws.set_row(row, 28)

    def header(self, ws, row: int, labels: list[str], widths: list[float] | None = None) -> None:
        for c, label in enumerate(labels):
            ws.write_string(row, c, label, self.f["head"])
            if widths:
                ws.set_column(c, c, widths[c])
        ws.set_row(row, 30)

    def value(self, ws, row: int, col: int, value: Any, kind: str = "text") -> None:
        """One cell: None → "—"; strings always as strings (never a formula); numbers in their format."""
        if value is None:
            ws.write_string(row, col, "—", self.f["dash"])
        elif kind == "text":
            ws.write_string(row, col, str(value), self.f["text"])
        elif kind == "date":
            ws.write_datetime(row, col, dt.datetime.combine(value, dt.time()), self.f["date"])
        else:
            ws.write_number(row, col, value, self.f[kind])


def write_kpi_workbook(kpi: Kpi, out: Path, lang: str = "zh", inputs=()) -> Path:
    """Write the KPI workbook to `out` (.xlsx) atomically; AftersalesError for a bad output path."""
    from ..errors import AftersalesError

    out = Path(out)
    if out.suffix.lower() != ".xlsx":
        raise AftersalesError("err.output_suffix", out)
    refuse_inputs(out, inputs)
    return write_atomic(out, lambda tmp: _write(kpi, tmp, lang))


def _write(kpi: Kpi, path: Path, lang: str) -> None:
    wb = new_workbook(path, "kpi")
    b = _Book(wb, lang)
    title = b.t("kpi.title", city=kpi.city, period=kpi.period.label)
    wb.set_properties({"title": title, "comments": "aftersales-cli kpi"})
    overview = b.sheet("kpi.sheet.overview")      # first in the workbook, filled last (its charts
    for write in (_technicians, _piece, _repeats, _calls, _faults, _set_aside):   # read the other sheets)
        write(b, kpi)
    _overview(b, overview, kpi, title)
    overview.activate()
    close_workbook(wb)


# --- 概览 ---------------------------------------------------------------------------------------------

def _overview(b: _Book, ws, kpi: Kpi, title: str) -> None:
    from .kpi_table import headline

    b.title(ws, title, 4)
    ws.fit_to_pages(1, 1)
    ws.set_column(0, 0, 18)
    ws.set_column(1, 1, 14)
    ws.set_column(2, 3, 12)
    ws.set_landscape()
    ws.merge_range(1, 0, 1, 3, b.t("kpi.xlsx.generated", date=dt.date.today().isoformat()), b.f["note"])
    row = 2
    for key, shown in headline(kpi):
        ws.write_string(row, 0, b.t(key), b.f["label"])
        ws.write_string(row, 1, shown, b.f["shown"])
        row += 1
    for note in kpi.notes:
        ws.merge_range(row, 0, row, 3, i18n.text(note["key"], b.lang, **{k: v for k, v in note.items() if k != "key"}),
                       b.f["note"])
        ws.set_row(row, 30)
        row += 1
    # the satisfaction distribution: its own small table (the pie chart's data)
    row += 1
    dist_head = row
    b.header(ws, row, [b.t("kpi.col.satisfaction"), b.t("kpi.col.count")])
    rated = kpi.city_totals.rated
    from ..formats import load_formats

    values = load_formats()["repair_report"].column("satisfaction").values or []
    for value in values:
        row += 1
        ws.write_string(row, 0, value, b.f["text"])
        ws.write_number(row, 1, rated.get(value, 0), b.f["int"])
    wb = b.wb
    n = len(kpi.technicians)
    tech_sheet = b.t("kpi.sheet.technicians")
    if n:
        chart = wb.add_chart({"type": "column"})
        chart.add_series({"name": b.t("kpi.fig.completed"),
                          "categories": [tech_sheet, 2, 0, 1 + n, 0], "values": [tech_sheet, 2, 5, 1 + n, 5],
                          "data_labels": {"value": True}, "fill": {"color": "#4472C4"}})
        chart.set_title({"name": b.t("kpi.chart.completed"), "name_font": {"name": FONT, "size": 11}})
        chart.set_legend({"none": True})
        chart.set_x_axis({"num_font": {"name": FONT, "size": 8}})
        ws.insert_chart(1, 5, chart, {"x_scale": 1.3, "y_scale": 1.0})
    pie = wb.add_chart({"type": "pie"})
    pie.add_series({"name": b.t("kpi.chart.satisfaction"), "categories": [ws.name, dist_head + 1, 0, dist_head + len(values), 0],
                    "values": [ws.name, dist_head + 1, 1, dist_head + len(values), 1],
                    "data_labels": {"percentage": True, "category": True, "leader_lines": True}})
    pie.set_title({"name": b.t("kpi.chart.satisfaction"), "name_font": {"name": FONT, "size": 11}})
    pie.set_legend({"position": "right", "font": {"name": FONT, "size": 9}})
    ws.insert_chart(17, 5, pie, {"x_scale": 1.0, "y_scale": 1.0})
    nf = len(kpi.faults)
    if nf:
        fault_sheet = b.t("kpi.sheet.faults")
        bars = wb.add_chart({"type": "column"})
        bars.add_series({"name": b.t("kpi.col.count"), "categories": [fault_sheet, 2, 7, 1 + nf, 7],
                         "values": [fault_sheet, 2, 3, 1 + nf, 3], "fill": {"color": "#ED7D31"}})
        line = wb.add_chart({"type": "line"})
        line.add_series({"name": b.t("kpi.col.cumulative"), "categories": [fault_sheet, 2, 7, 1 + nf, 7],
                         "values": [fault_sheet, 2, 5, 1 + nf, 5], "y2_axis": True,
                         "marker": {"type": "circle", "size": 4}, "line": {"color": "#404040"}})
        bars.combine(line)
        bars.show_hidden_data()        # the category labels live in a hidden column of 故障统计
        bars.set_title({"name": b.t("kpi.chart.pareto"), "name_font": {"name": FONT, "size": 11}})
        bars.set_x_axis({"num_font": {"name": FONT, "size": 7, "rotation": -45}})
        line.set_y2_axis({"min": 0, "max": 1, "num_format": "0%"})
        bars.set_legend({"position": "bottom", "font": {"name": FONT, "size": 9}})
        ws.insert_chart(33, 0, bars, {"x_scale": 2.0, "y_scale": 1.1})


# --- 技师绩效 -------------------------------------------------------------------------------------------

TECH_COLUMNS = (("tech_id", "text", 9), ("name", "text", 9), ("category", "text", 8), ("unit", "text", 22),
                ("orders", "int", 7), ("completed", "int", 7), ("completion_rate", "ratio", 8),
                ("on_time_rate", "ratio", 9), ("mean_days", "days", 8), ("median_days", "days", 8),
                ("satisfaction_rate", "ratio", 8), ("dissatisfied", "int", 7), ("follow_up_rate", "ratio", 8),
                ("repeats", "int", 7), ("repeat_rate", "ratio", 8), ("piece_total", "yuan", 11))


def _technicians(b: _Book, kpi: Kpi):
    ws = b.sheet("kpi.sheet.technicians")
    ws.set_landscape()
    b.title(ws, b.t("kpi.xlsx.technicians_title", city=kpi.city, period=kpi.period.label), len(TECH_COLUMNS))
    b.header(ws, 1, [b.t(f"kpi.fig.{k}") for k, _, _ in TECH_COLUMNS], [w for _, _, w in TECH_COLUMNS])
    ws.repeat_rows(1)
    ws.freeze_panes(2, 2)
    rows = [(tech, who, f) for tech, who, f in kpi.technicians]
    for i, (tech, who, f) in enumerate(rows, start=2):
        values = {"tech_id": tech, "name": who.get("name"), "category": who.get("category"), "unit": who.get("unit"),
                  "orders": f.orders, "completed": f.completed,
                  "completion_rate": _round(f.completion_rate, "0.001"), "on_time_rate": _round(f.on_time_rate, "0.001"),
                  "mean_days": _round(f.mean_days, "0.1"), "median_days": _round(f.median_days, "0.1"),
                  "satisfaction_rate": _round(f.satisfaction_rate, "0.001"), "dissatisfied": f.dissatisfied,
                  "follow_up_rate": _round(f.follow_up_rate, "0.001"), "repeats": f.repeats,
                  "repeat_rate": _round(f.repeat_rate, "0.001"), "piece_total": _round(f.piece_total, "0.01")}
        for c, (key, kind, _) in enumerate(TECH_COLUMNS):
            value = values[key]
            if value is None and kind == "text":
                ws.write_blank(i, c, None, b.f["text"])
            else:
                b.value(ws, i, c, value, kind)
    return ws


# --- 计件工资 -------------------------------------------------------------------------------------------

def _piece(b: _Book, kpi: Kpi):
    """One row per technician: 件数 and 金额 per 服务类型, 合计金额, 其中返修; a 合计 row; signatures."""
    ws = b.sheet("kpi.sheet.piece")
    types = list(kpi.params.piece_rates)
    ncols = 3 + 2 * len(types) + 2
    ws.set_landscape() if len(types) > 4 else ws.set_portrait()
    b.title(ws, b.t("kpi.xlsx.piece_title", city=kpi.city, period=kpi.period.label), ncols)
    rates = "，".join(b.t("kpi.xlsx.rate", type=t, rate=_money(kpi.params.rate(t))) for t in types)
    ws.merge_range(1, 0, 1, ncols - 1, b.t("kpi.xlsx.rates", rates=rates), b.f["subtitle"])
    head1, head2 = 2, 3
    fixed = [b.t("kpi.col.seq"), b.t("kpi.fig.tech_id"), b.t("kpi.fig.name")]
    for c, label in enumerate(fixed):
        ws.merge_range(head1, c, head2, c, label, b.f["head"])
    for i, t in enumerate(types):
        c = 3 + 2 * i
        ws.merge_range(head1, c, head1, c + 1, t, b.f["head"])
        ws.write_string(head2, c, b.t("kpi.col.count"), b.f["head"])
        ws.write_string(head2, c + 1, b.t("kpi.col.amount"), b.f["head"])
    total_col, rep_col = 3 + 2 * len(types), 4 + 2 * len(types)
    ws.merge_range(head1, total_col, head2, total_col, b.t("kpi.col.piece_total"), b.f["head"])
    ws.merge_range(head1, rep_col, head2, rep_col, b.t("kpi.col.piece_repeats"), b.f["head"])
    ws.set_column(0, 0, 5)
    ws.set_column(1, 2, 9)
    ws.set_column(3, 2 + 2 * len(types), 8)
    ws.set_column(total_col, total_col, 12)
    ws.set_column(rep_col, rep_col, 9)
    ws.repeat_rows(head1, head2)
    ws.set_row(head1, 20)
    ws.set_row(head2, 20)
    first = head2 + 1
    row = first
    for seq, (tech, who, f) in enumerate(kpi.technicians, start=1):
        ws.write_number(row, 0, seq, b.f["int"])
        ws.write_string(row, 1, tech, b.f["text"])
        ws.write_string(row, 2, who.get("name") or "", b.f["text"])
        for i, t in enumerate(types):
            p = f.piece[t]
            ws.write_number(row, 3 + 2 * i, p.count, b.f["int"])
            ws.write_number(row, 4 + 2 * i, float(p.amount), b.f["yuan"])
        ws.write_number(row, total_col, float(f.piece_total), b.f["yuan"])
        ws.write_number(row, rep_col, sum(p.repeats for p in f.piece.values()), b.f["int"])
        row += 1
    last = row - 1
    ws.merge_range(row, 0, row, 2, b.t("kpi.xlsx.total"), b.f["total_text"])
    city = kpi.city_totals
    from xlsxwriter.utility import xl_rowcol_to_cell

    def total(col: int, value: float, fmt: str) -> None:
        if last < first:
            ws.write_number(row, col, 0, b.f[fmt])
            return
        span = f"{xl_rowcol_to_cell(first, col)}:{xl_rowcol_to_cell(last, col)}"
        ws.write_formula(row, col, f"=SUM({span})", b.f[fmt], value)

    for i, t in enumerate(types):
        total(3 + 2 * i, city.piece[t].count, "total_int")
        total(4 + 2 * i, float(city.piece[t].amount), "total_yuan")
    total(total_col, float(city.piece_total), "total_yuan")
    total(rep_col, sum(p.repeats for p in city.piece.values()), "total_int")
    row += 1
    ws.merge_range(row, 0, row, ncols - 1, b.t("kpi.xlsx.piece_note"), b.f["note"])
    ws.set_row(row, 30)
    row += 2
    third = max(ncols // 3, 1)
    for i, key in enumerate(("kpi.xlsx.made_by", "kpi.xlsx.checked_by", "kpi.xlsx.finance")):
        ws.write_string(row, i * third, b.t(key), b.f["sign"])
    row += 2
    ws.write_string(row, 0, b.t("kpi.xlsx.date_line"), b.f["sign"])
    ws.print_area(0, 0, row, ncols - 1)
    return ws


def _lines(value: Any, width: float) -> int:
    """How many lines a wrapped text cell needs (XlsxWriter cannot autofit row heights):
    a CJK character is two units wide, a column `width` units."""
    if value is None:
        return 1
    total = 0
    for part in str(value).split("\n"):
        units = text_units(part)
        total += max(1, -(-units // max(int(width) - 2, 1)))
    return total


def _money(value: Fraction) -> str:
    shown = (Decimal(value.numerator) / Decimal(value.denominator)).quantize(Decimal("0.01"), ROUND_HALF_UP)
    return f"{shown.normalize():f}"


# --- 返修明细, 不满意回访, 故障统计, 待核实 ---------------------------------------------------------------------

def _table(b: _Book, key: str, title: str, columns: list[tuple[str, str, float]], rows: list[list[Any]],
           landscape: bool = True):
    ws = b.sheet(key)
    if landscape:
        ws.set_landscape()
    b.title(ws, title, len(columns))
    b.header(ws, 1, [b.t(label) for label, _, _ in columns], [w for _, _, w in columns])
    ws.repeat_rows(1)
    ws.freeze_panes(2, 0)
    for r, values in enumerate(rows, start=2):
        ws.set_row(r, 15 * max(_lines(v, w) if k in ("text", "blank") else 1
                                for (_, k, w), v in zip(columns, values)))
        for c, ((_, kind, _), value) in enumerate(zip(columns, values)):
            if value is None and kind in ("text", "blank"):
                ws.write_blank(r, c, None, b.f["text"])
            else:
                b.value(ws, r, c, value, "text" if kind == "blank" else kind)
    if not rows:
        ws.merge_range(2, 0, 2, len(columns) - 1, b.t("kpi.xlsx.none"), b.f["note"])
    return ws


def _repeats(b: _Book, kpi: Kpi):
    columns = [("kpi.col.order", "text", 16), ("kpi.col.service_date", "date", 11), ("kpi.col.tech", "text", 9),
               ("kpi.col.repeat_of", "text", 16), ("kpi.col.original_completed", "date", 11),
               ("kpi.col.charged_to", "text", 9), ("kpi.col.days", "int", 7), ("kpi.col.original_type", "text", 9),
               ("kpi.col.customer", "text", 10), ("kpi.col.phone", "text", 13), ("kpi.col.model", "text", 11),
               ("kpi.col.fault", "text", 18)]
    rows = [[r.b.order_no, r.b.service_date, r.b.tech_id, r.a.order_no, r.a.completion_date, r.charged_to, r.days,
             r.a.service_type, r.b.customer_name, r.b.phone, r.b.product_model, r.b.fault] for r in kpi.repeats]
    return _table(b, "kpi.sheet.repeats", b.t("kpi.xlsx.repeats_title", city=kpi.city, period=kpi.period.label),
                  columns, rows)


def _calls(b: _Book, kpi: Kpi):
    columns = [("kpi.col.satisfaction", "text", 8), ("kpi.col.service_date", "date", 11), ("kpi.col.order", "text", 16),
               ("kpi.col.tech", "text", 8), ("kpi.col.customer", "text", 9), ("kpi.col.phone", "text", 13),
               ("kpi.col.address", "text", 24), ("kpi.col.model", "text", 10), ("kpi.col.fault", "text", 14),
               ("kpi.col.action", "text", 14), ("kpi.col.call_result", "blank", 16), ("kpi.col.call_date", "blank", 10)]
    rows = [[r.satisfaction, r.service_date, r.order_no, r.tech_id, r.customer_name, r.phone, r.address,
             r.product_model, r.fault, r.action, None, None] for r in kpi.call_list]
    return _table(b, "kpi.sheet.calls", b.t("kpi.xlsx.calls_title", city=kpi.city, period=kpi.period.label),
                  columns, rows)


def _faults(b: _Book, kpi: Kpi):
    columns = [("kpi.col.seq", "int", 5), ("kpi.col.model", "text", 12), ("kpi.col.fault", "text", 22),
               ("kpi.col.count", "int", 7), ("kpi.col.share", "ratio", 8), ("kpi.col.cumulative", "ratio", 9)]
    other = b.t("kpi.other")
    rows = [[i, other if f.other else f.model, other if f.other else f.fault, f.count, _round(f.share, "0.001"),
             _round(f.cumulative, "0.001")] for i, f in enumerate(kpi.faults, start=1)]
    ws = _table(b, "kpi.sheet.faults", b.t("kpi.xlsx.faults_title", city=kpi.city, period=kpi.period.label,
                                           orders=kpi.fault_orders), columns, rows)
    # the chart's category labels: 型号 + 故障 in one cell (column H, beside the parts table)
    for r, f in enumerate(kpi.faults, start=2):
        ws.write_string(r, 7, other if f.other else f"{f.model} {f.fault}", b.f["plain"])
    ws.set_column(7, 7, None, None, {"hidden": True})
    start = 9
    for c, label in enumerate([b.t("kpi.col.model"), b.t("kpi.col.part"), b.t("kpi.col.quantity")]):
        ws.write_string(1, start + c, label, b.f["head"])
    ws.set_column(start, start + 2, 12)
    r = 2
    if not kpi.parts:
        ws.merge_range(r, start, r, start + 2, b.t("kpi.xlsx.none"), b.f["note"])
    for model, parts in kpi.parts.items():
        for code, qty in parts.items():
            ws.write_string(r, start, model, b.f["text"])
            ws.write_string(r, start + 1, code, b.f["text"])
            ws.write_number(r, start + 2, qty, b.f["int"])
            r += 1
    return ws


def _set_aside(b: _Book, kpi: Kpi):
    columns = [("kpi.col.file", "text", 26), ("kpi.col.sheet", "text", 10), ("kpi.col.row", "int", 6),
               ("kpi.col.order", "text", 15), ("kpi.col.figures", "text", 22), ("kpi.col.findings", "text", 60)]
    rows = []
    for row, figures in kpi.set_aside:
        findings = "\n".join(f"{f.cell or ''} {f.code} {f.message(b.lang)}".strip() for f in row.findings)
        rows.append([Path(row.file).name, row.sheet, row.row, row.order_no,
                     "、".join(b.t(f"kpi.figure.{fig}") for fig in figures), findings])
    return _table(b, "kpi.sheet.set_aside", b.t("kpi.xlsx.set_aside_title", city=kpi.city, period=kpi.period.label),
                  columns, rows)
