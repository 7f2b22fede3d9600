"""validate, validate-report, validate-ledger, validate-roster."""
from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from . import app
from .common import cannot_run, lang_of, print_json, stderr, stdout
from .options import (AnnotateOpt, DebugOpt, FormatOpt, FormatsOpt, LangOpt, OutputFormat, ParamsOpt, PeriodOpt,
                      RubricOpt, StrictOpt)

PathArg = Annotated[Path, typer.Argument(help="工作簿文件或提交文件夹 (a workbook or a submission folder)",
                                         show_default=False)]


def _run(path: Path, family: str, fmt: OutputFormat, lang_opt, period: str | None, strict: bool,
         annotate: Path | None, debug: bool, extra: dict | None = None, formats: Path | None = None,
         rubric: Path | None = None, params: list[str] | None = None) -> None:
    lang = lang_of(lang_opt)
    with cannot_run(fmt, lang, debug, path):
        from ..exitcodes import ExitCode
        from ..period import Period
        from ..pipeline import FAMILIES, validate_path
        from ..run import build_run, month_threads

        run = build_run(formats, rubric, params or [], lang, month_threads())
        chosen = Period.parse(period) if period else None
        result = validate_path(path, chosen, FAMILIES[family], extra=extra, run=run)
        if annotate is not None:
            from .. import i18n
            from ..report.annotate import write_annotated
            written = write_annotated(result, annotate, lang)
            stderr().print(i18n.text("annotate.written", lang, path=written), markup=False)
    if fmt is OutputFormat.json:
        print_json(result.to_dict(lang))
    else:
        from ..report.findings_table import print_result
        print_result(result, stdout(), lang)
    s = result.summary
    failed = s["error"] > 0 or (strict and s["format"] > 0)
    raise typer.Exit(ExitCode.FINDINGS if failed else ExitCode.OK)


@app.command(rich_help_panel="校验 Validate")
def validate(path: PathArg, fmt: FormatOpt = OutputFormat.table, lang: LangOpt = None,
             period: PeriodOpt = None, strict: StrictOpt = False, annotate: AnnotateOpt = None,
             formats: FormatsOpt = None, rubric: RubricOpt = None, params: ParamsOpt = None,
             debug: DebugOpt = False) -> None:
    """校验一个城市的全部数据表（含跨表核对）。Validate every dataset of a submission.

    示例 / example:  aftersales validate sample_data/杭州市/2026-11 --annotate 标注.xlsx
    """
    _run(path, "all", fmt, lang, period, strict, annotate, debug, None, formats, rubric, params)


@app.command("validate-report", rich_help_panel="校验 Validate")
def validate_report(path: PathArg,
                    roster: Annotated[Optional[Path], typer.Option("--roster", help="技师档案文件（默认在同一文件夹中查找）")] = None,
                    parts: Annotated[Optional[Path], typer.Option("--parts", help="配件档案文件（默认在同一文件夹中查找）")] = None,
                    fmt: FormatOpt = OutputFormat.table, lang: LangOpt = None, period: PeriodOpt = None,
                    strict: StrictOpt = False, annotate: AnnotateOpt = None, formats: FormatsOpt = None,
                    rubric: RubricOpt = None, params: ParamsOpt = None, debug: DebugOpt = False) -> None:
    """校验维修日报表（与技师档案、配件档案核对）。Validate the repair report.

    示例 / example:  aftersales validate-report 维修日报表.xlsx --roster 技师档案.xlsx
    """
    extra = {k: v for k, v in (("roster", roster), ("parts_master", parts)) if v is not None}
    _run(path, "report", fmt, lang, period, strict, annotate, debug, extra, formats, rubric, params)


@app.command("validate-ledger", rich_help_panel="校验 Validate")
def validate_ledger(path: PathArg, fmt: FormatOpt = OutputFormat.table, lang: LangOpt = None,
                    period: PeriodOpt = None, strict: StrictOpt = False, annotate: AnnotateOpt = None,
                    formats: FormatsOpt = None, rubric: RubricOpt = None, params: ParamsOpt = None,
                    debug: DebugOpt = False) -> None:
    """校验配件台账、配件档案、月末盘点、配件申请计划：结存、先进先出、账实核对。

    Validate the parts ledger family: running balances, FIFO, book vs count.

    示例 / example:  aftersales validate-ledger 配件台账.xlsx
    """
    _run(path, "ledger", fmt, lang, period, strict, annotate, debug, None, formats, rubric, params)


@app.command("validate-roster", rich_help_panel="校验 Validate")
def validate_roster(path: PathArg, fmt: FormatOpt = OutputFormat.table, lang: LangOpt = None,
                    period: PeriodOpt = None, strict: StrictOpt = False, annotate: AnnotateOpt = None,
                    formats: FormatsOpt = None, rubric: RubricOpt = None, params: ParamsOpt = None,
                    debug: DebugOpt = False) -> None:
    """校验技师档案。Validate the technician roster.

    示例 / example:  aftersales validate-roster 技师档案.xlsx
    """
    _run(path, "roster", fmt, lang, period, strict, annotate, debug, None, formats, rubric, params)
