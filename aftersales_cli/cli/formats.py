"""formats check: check an edited copy of the format files before using it with --formats."""
from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from . import app
from .common import cannot_run, lang_of, print_json, stdout
from .options import DebugOpt, FormatOpt, LangOpt, OutputFormat

formats_app = typer.Typer(help="格式文件：检查。Check the format files.", no_args_is_help=True)
app.add_typer(formats_app, name="formats", rich_help_panel="模板与样例 Templates")


@formats_app.command("check")
def check(folder: Annotated[Optional[Path], typer.Argument(
              metavar="[DIR]", help="格式文件夹（<表名>.yaml；默认：内置格式）", show_default=False)] = None,
          fmt: FormatOpt = OutputFormat.table, lang: LangOpt = None, debug: DebugOpt = False) -> None:
    """检查格式文件：有错时给出文件、行号和原因（退出码 2）。Check format files (formats.md).

    示例 / example:  aftersales formats check 我的格式
    """
    language = lang_of(lang)
    with cannot_run(fmt, language, debug, folder):
        from ..formats import DATASETS, load_formats
        formats = load_formats(folder)
    rules = sum(len(formats[d].rules) for d in DATASETS)
    checks = sum(len(formats[d].checks) for d in DATASETS)
    shown = str(folder) if folder is not None else "formats"
    if fmt is OutputFormat.json:
        print_json({"path": shown, "ok": True, "datasets": len(DATASETS), "rules": rules, "checks": checks})
        return
    from .. import i18n
    stdout().print(i18n.text("formats.ok", language, path=shown, datasets=len(DATASETS), rules=rules,
                             checks=checks), markup=False)
