"""The trend in the terminal: cities × months (total, ▲/▼ change, rank), top and bottom cities,
then the city-months that could not be scored with their reasons."""
from __future__ import annotations

from typing import Any

from rich.console import Group
from rich.table import Table
from rich.text import Text

from .. import i18n
from .batch_table import SHOW


def _cell(v: dict[str, Any], lang: str) -> Text:
    if v["status"] != "ok":
        return Text(i18n.text(f"trend.status.{v['status']}", lang), style="red" if v["status"] == "error" else "dim")
    ch = v["change"]
    mark = "" if not ch else (f" ▲{ch:g}" if ch > 0 else f" ▼{-ch:g}")
    return Text(f"{v['total']:g}{mark} #{v['rank']}")


def render(doc: dict[str, Any], lang: str) -> Group:
    """`doc`: trend.assemble_trend's document."""
    months = doc["months"]
    rows = doc["cities"]
    table = Table(title=Text(i18n.text("trend.table_title", lang, first=months[0], last=months[-1], n=len(rows))))
    table.add_column(i18n.text("batch.col.city", lang))
    for m in months:
        table.add_column(m, justify="right")
    shown = rows if len(rows) <= 2 * SHOW else rows[:SHOW] + [None] + rows[-SHOW:]
    for c in shown:
        if c is None:
            table.add_row(Text(i18n.text("batch.elided", lang, n=len(rows) - 2 * SHOW), style="dim"),
                          *[""] * len(months))
            continue
        table.add_row(Text(c["city"]), *[_cell(c["months"][m], lang) for m in months])
    parts: list[Any] = [table]
    failed = [(c["city"], m, c["months"][m].get("error") or "") for c in rows for m in months
              if c["months"][m]["status"] == "error"]
    if failed:
        t = Table(title=Text(i18n.text("batch.failed_title", lang)), title_justify="left", title_style="bold red")
        t.add_column(i18n.text("batch.col.city", lang))
        t.add_column(i18n.text("trend.col.month", lang))
        t.add_column(i18n.text("batch.col.reason", lang), overflow="fold")
        for city, month, reason in sorted(failed):
            t.add_row(Text(city), month, Text(reason))
        parts.append(t)
    return Group(*parts)
