"""fix: write the standard form of every fixable format finding into a copy (fixes.md §2)."""
from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from . import app
from .common import cannot_run, lang_of, print_json, stderr, stdout
from .options import DebugOpt, FormatOpt, FormatsOpt, LangOpt, OutputFormat, ParamsOpt, PeriodOpt, RubricOpt

PathArg = Annotated[Path, typer.Argument(help="工作簿文件或提交文件夹 (a workbook or a submission folder)",
                                         show_default=False)]
OutDirOpt = Annotated[Optional[Path], typer.Option(
    "--out", "-o", metavar="OUT_DIR", help="输出文件夹（默认：提交文件夹旁的 _<名称>-已修正）")]
ForceOpt = Annotated[bool, typer.Option("--force", help="输出文件夹已存在且不为空时仍写入（同名文件被替换）")]
DryRunOpt = Annotated[bool, typer.Option("--dry-run", help="只列出将要做的修改，不写任何文件")]


@app.command(rich_help_panel="校验 Validate")
def fix(path: PathArg, out: OutDirOpt = None, period: PeriodOpt = None, force: ForceOpt = False,
        dry_run: DryRunOpt = False, fmt: FormatOpt = OutputFormat.table, lang: LangOpt = None,
        formats: FormatsOpt = None, rubric: RubricOpt = None, params: ParamsOpt = None,
        debug: DebugOpt = False) -> None:
    """把可自动修正的格式问题改成标准写法，写入一份完整的副本（原文件不变）。

    Write the standard form of every fixable format finding (text dates, numbers as text, aliases,
    phones) into a complete copy of the submission, with a 修改记录 sheet per changed workbook.

    示例 / example:  aftersales fix sample_data/宁波市/2026-11 --dry-run
    """
    lang_code = lang_of(lang)
    with cannot_run(fmt, lang_code, debug, path):
        from ..exitcodes import ExitCode
        from ..fix.apply import fix_path
        from ..period import Period
        from ..run import build_run, month_threads

        run = build_run(formats, rubric, params or [], lang_code, month_threads())
        outcome = fix_path(path, out, Period.parse(period) if period else None, force, dry_run, run)
    if fmt is OutputFormat.json:
        print_json(outcome.to_dict())
    else:
        from ..report.fix_table import print_outcome
        print_outcome(outcome, stdout(), stderr(), lang_code)
    raise typer.Exit(ExitCode.FINDINGS if outcome.remaining["error"] > 0 else ExitCode.OK)
