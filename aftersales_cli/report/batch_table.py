"""The batch ranking in the terminal: top and bottom cities, then the failed ones."""
from __future__ import annotations

from rich.console import Group
from rich.table import Table
from rich.text import Text

from .. import i18n
from ..core.results import BatchResult

SHOW = 10


def render(result: BatchResult, lang: str) -> Group:
    table = Table(title=Text(i18n.text("batch.ranking_title", lang, period=result.period,
                                       n=len(result.cities) + len(result.failed))), title_justify="left")
    for key in ("rank", "city", "total", "max", "percent", "error", "format", "warning"):
        table.add_column(i18n.text(f"batch.col.{key}", lang), justify="left" if key == "city" else "right")
    rows = result.cities
    shown = rows if len(rows) <= 2 * SHOW else rows[:SHOW] + [None] + rows[-SHOW:]
    for r in shown:
        if r is None:
            table.add_row("", Text(i18n.text("batch.elided", lang, n=len(rows) - 2 * SHOW), style="dim"),
                          "", "", "", "", "", "")
            continue
        s = r["findings_summary"]
        table.add_row(str(r["rank"]), Text(r["city"]), str(r["total"]), str(r["max"]), f"{r['percent']}",
                      str(s["error"]), str(s["format"]), str(s["warning"]))
    parts = [table]
    if result.failed:
        failed = Table(title=Text(i18n.text("batch.failed_title", lang)), title_justify="left", title_style="bold red")
        failed.add_column(i18n.text("batch.col.city", lang))
        failed.add_column(i18n.text("batch.col.reason", lang), overflow="fold")
        for f in result.failed:
            failed.add_row(Text(f["city"]), Text(f["error"]))
        parts.append(failed)
    return Group(*parts)
