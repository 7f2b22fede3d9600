"""template: blank standard workbooks, one per dataset."""
from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from . import app
from .common import cannot_run, lang_of, stdout
from .options import DebugOpt, FormatsOpt, LangOpt, OutputFormat, RubricOpt

DatasetsArg = Annotated[Optional[list[str]], typer.Argument(
    metavar="DATASET", show_default=False,
    help="数据表：repair_report roster parts_ledger parts_master stocktake parts_plan training_log "
         "inspection，或其中文表名（默认全部八种）")]
OutOpt = Annotated[Path, typer.Option("--out", "-o", metavar="DIR", help="输出文件夹（默认当前文件夹）")]
ForceOpt = Annotated[bool, typer.Option("--force", help="覆盖已存在的同名文件（默认拒绝，以免覆盖已填写的表）")]


@app.command(rich_help_panel="模板与样例 Templates")
def template(datasets: DatasetsArg = None, out: OutOpt = Path("."), force: ForceOpt = False,
             formats: FormatsOpt = None, rubric: RubricOpt = None, lang: LangOpt = None,
             debug: DebugOpt = False) -> None:
    """生成标准空白模板：标准表头（* 为必填）、下拉列表、日期与数字格式，附「填写说明」表。

    Write blank standard workbooks, one per dataset, with a 填写说明 (how to fill in) sheet.

    示例 / example:  aftersales template repair_report roster -o 模板
    """
    lg = lang_of(lang)
    with cannot_run(OutputFormat.table, lg, debug, out):
        from .. import i18n
        from ..report.template import write_templates
        from ..run import build_run

        run = build_run(formats, rubric, (), lg)
        written = write_templates(datasets or None, out, lg, force=force, run=run)
        console = stdout()
        for path in written:
            console.print(i18n.text("template.written", lg, path=path), markup=False, soft_wrap=True)
