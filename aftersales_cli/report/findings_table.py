"""Validation results in the terminal: one table per dataset, then a summary line."""
from __future__ import annotations

from rich.console import Console, Group
from rich.table import Table
from rich.text import Text

from .. import i18n
from ..formats import DATASETS, load_formats
from ..validate.engine import ValidationResult
from ..core.finding import display

STYLES = {"error": "bold red", "format": "yellow", "warning": "magenta", "info": "dim"}


def render(result: ValidationResult, lang: str) -> Group:
    formats = result.formats or load_formats()
    parts = []
    how = i18n.text(f"period.how.{result.period_source}", lang)
    parts.append(Text(i18n.text("period.inferred", lang, period=result.period.label, how=how), style="dim"))
    for name, ds in result.located.items():
        parts.append(Text(i18n.text("dataset.line", lang, title=formats[name].title.get(lang), file=ds.file,
                                    sheet=ds.sheet, header_row=ds.header_row, rows=ds.rows), style="dim"))
    groups: dict[str, list] = {}
    for f in result.findings:
        groups.setdefault(f.dataset, []).append(f)
    order = [d for d in DATASETS if d in groups] + [d for d in groups if d not in DATASETS]
    for name in order:
        title = f"{formats[name].title.get(lang)} ({name})" if name in DATASETS else i18n.text("col.other_sheets", lang)
        rows = groups[name]
        # the dataset line above already names the file and sheet: show them only when they vary
        keys = ["severity", "code"]
        if len({f.file for f in rows}) > 1:
            keys.append("file")
        if len({f.sheet for f in rows}) > 1:
            keys.append("sheet")
        keys += ["cell", "header", "value", "message"]
        table = Table(title=Text(title), title_justify="left", expand=False)
        for key in keys:
            table.add_column(i18n.text(f"col.{key}", lang), overflow="fold", no_wrap=key in ("severity", "code", "cell"),
                             max_width={"value": 24, "header": 12, "file": 20, "sheet": 12}.get(key), ratio=3 if key == "message" else None)
        for f in rows:
            cells = {"severity": Text(i18n.text(f"severity.{f.severity}", lang), style=STYLES[f.severity]),
                     "code": Text(f.code), "file": Text(_short(f.file)), "sheet": Text(f.sheet or ""),
                     "cell": Text(f.cell or ""), "header": Text(f.header or ""),
                     "value": Text(display(f.value)[:40]), "message": Text(f.message(lang))}
            table.add_row(*(cells[k] for k in keys))
        parts.append(table)
    s = result.summary
    if not result.findings or not (s["error"] or s["format"] or s["warning"]):
        names = "、".join(formats[n].title.get(lang) for n in result.located) or "—"
        parts.append(Text(i18n.text("summary.clean", lang, path=result.submission.path, datasets=names),
                          style="green"))
    parts.append(Text(i18n.text("summary.line", lang, total=sum(s.values()), **s), style="bold"))
    return Group(*parts)


def _short(path: str | None) -> str:
    if not path:
        return ""
    from pathlib import Path
    return Path(path).name


def print_result(result: ValidationResult, console: Console, lang: str) -> None:
    console.print(render(result, lang))
