"""`aftersales fix` in the terminal: the changes, what was written, what remains (fixes.md §2)."""
from __future__ import annotations

from rich.console import Console
from rich.table import Table
from rich.text import Text

from .. import i18n
from .findings_table import print_result

COLUMNS = ("file", "sheet", "cell", "column", "before", "after", "code")


def print_outcome(outcome, console: Console, err: Console, lang: str) -> None:
    """The changes table (file, sheet, cell, column, before, after, code), a line saying what was
    written (or that nothing was), then — when errors remain — the fixed copy's findings as
    `validate` prints them, and the remaining counts."""
    if outcome.changes:
        table = Table(title=Text(i18n.text("fix.changes_title", lang, n=len(outcome.changes))),
                      title_justify="left", expand=False)
        for key in COLUMNS:
            table.add_column(i18n.text(f"fix.col.{key}", lang), overflow="fold", max_width=24)
        for c in outcome.changes:
            d = c.to_dict()
            table.add_row(*(Text(str(d[k])) for k in COLUMNS))
        console.print(table)
    if not outcome.changes:
        err.print(i18n.text("fix.nothing", lang), markup=False)
    elif outcome.dry_run:
        err.print(i18n.text("fix.dry_run", lang, n=len(outcome.changes)), markup=False)
    else:
        err.print(i18n.text("fix.written", lang, n=len(outcome.changes), files=len(outcome.written),
                            path=str(outcome.out)), markup=False)
    s = outcome.remaining
    if s["error"] > 0:
        print_result(outcome.after, console, lang)
    console.print(Text(i18n.text("fix.remaining", lang, **s), style="bold"))

