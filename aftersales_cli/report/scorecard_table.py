"""The scorecard in the terminal, laid out like the official sheet."""
from __future__ import annotations

from rich.console import Group
from rich.table import Table
from rich.text import Text

from .. import i18n
from ..rubric.engine import Scorecard


def render(card: Scorecard, lang: str) -> Group:
    table = Table(title=Text(i18n.text("score.title", lang, title=card.rubric.title, city=card.city,
                                       period=card.period)),
                  show_lines=True, title_justify="left")
    for key, width in (("id", 6), ("section", 12), ("item", 14), ("max", 4), ("score", 8), ("reason", 60)):
        table.add_column(i18n.text(f"score.col.{key}", lang), max_width=width, overflow="fold",
                         justify="right" if key in ("max", "score") else "left")
    for s in card.rubric.sections:
        subtotal = next(x for x in card.sections if x["title"] == s.title)
        for item in s.items:
            for c in item.criteria:
                r = card.item(c.id)
                style = "green" if r.score == r.max else ("yellow" if r.score else "red")
                table.add_row(Text(r.id), Text(s.title), Text(item.title), str(r.max),
                              Text(str(r.score), style=style), Text("\n".join(r.reasons)))
        table.add_row("", Text(i18n.text("score.subtotal", lang, section=s.title), style="bold"), "",
                      str(subtotal["max"]), Text(str(subtotal["score"]), style="bold"), "")
    total = Text(i18n.text("score.total", lang, total=card.total, max=card.max, percent=card.percent),
                 style="bold")
    summary = card.findings_summary
    counts = Text(i18n.text("summary.line", lang, total=sum(summary.values()), **summary), style="dim")
    return Group(table, total, counts)
