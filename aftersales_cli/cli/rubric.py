"""rubric show / rubric check."""
from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from . import app
from .common import cannot_run, lang_of, print_json, stdout
from .options import DebugOpt, FormatOpt, LangOpt, OutputFormat

rubric_app = typer.Typer(help="评分标准：查看与检查。Show or check a rubric.", no_args_is_help=True)
app.add_typer(rubric_app, name="rubric", rich_help_panel="评分 Score")


@rubric_app.command("show")
def show(file: Annotated[Optional[Path], typer.Argument(help="评分标准 YAML（默认：内置 2.0）")] = None,
         fmt: FormatOpt = OutputFormat.table, lang: LangOpt = None, debug: DebugOpt = False) -> None:
    """按正式评分表的样式列出评分标准。Print the rubric as the official score-sheet table.

    示例 / example:  aftersales rubric show
    """
    language = lang_of(lang)
    with cannot_run(fmt, language, debug, file):
        from ..rubric.loader import load_rubric
        rubric = load_rubric(file)
    if fmt is OutputFormat.json:
        print_json(rubric.to_dict())
        return
    from rich.table import Table

    from .. import i18n
    from rich.text import Text
    table = Table(title=Text(rubric.title), show_lines=True, title_justify="left")
    for key in ("seq", "section", "item", "max", "criterion"):
        table.add_column(i18n.text(f"sheet.col.{key}", language), overflow="fold",
                         max_width=70 if key == "criterion" else 16)
    for s in rubric.sections:
        for item in s.items:
            for c in item.criteria:
                table.add_row(Text(c.id), Text(f"{s.title} ({s.max})"), Text(f"{item.title} ({item.max})"),
                              str(c.max), Text(c.text))
    out = stdout()
    out.print(table)
    out.print(i18n.text("rubric.summary", language, max=rubric.max, sections=len(rubric.sections),
                        criteria=len(list(rubric.criteria()))), markup=False)


@rubric_app.command("check")
def check(file: Annotated[Path, typer.Argument(help="要检查的评分标准 YAML", show_default=False)],
          fmt: FormatOpt = OutputFormat.table, lang: LangOpt = None, debug: DebugOpt = False) -> None:
    """检查评分标准文件：有错时给出文件、行号和原因（退出码 2）。Check a rubric file.

    示例 / example:  aftersales rubric check rubrics/hegii-2.0.yaml
    """
    language = lang_of(lang)
    with cannot_run(fmt, language, debug, file):
        from ..rubric.loader import load_rubric
        rubric = load_rubric(file)
    from .. import i18n
    n = len(list(rubric.criteria()))
    if fmt is OutputFormat.json:
        print_json({"path": str(file), "ok": True, "sections": len(rubric.sections), "criteria": n,
                    "max": rubric.max})
        return
    stdout().print(i18n.text("rubric.ok", language, path=file, sections=len(rubric.sections), criteria=n,
                             max=rubric.max), markup=False)
