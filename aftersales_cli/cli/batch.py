"""batch: score every city under a root, rank them, write the summary workbook."""
from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Optional

import typer

from . import app
from .common import cannot_run, lang_of, print_json, stderr, stdout
from .options import DebugOpt, FormatOpt, FormatsOpt, LangOpt, NoCacheOpt, OutputFormat, PeriodOpt, RubricOpt


@app.command(rich_help_panel="评分 Score")
def batch(root: Annotated[Path, typer.Argument(help="总部根目录：每个子文件夹是一个城市 / one sub-folder per city", show_default=False)],
          period: PeriodOpt = None,
          jobs: Annotated[Optional[int], typer.Option("--jobs", "-j", min=1, help="并行进程数（默认：CPU 核数）")] = None,
          out: Annotated[Optional[Path], typer.Option("--out", "-o", help="输出文件夹（默认 ROOT/_scores/YYYY-MM）")] = None,
          fmt: FormatOpt = OutputFormat.table, rubric: RubricOpt = None, formats: FormatsOpt = None,
          lang: LangOpt = None, no_cache: NoCacheOpt = False, debug: DebugOpt = False) -> None:
    """给所有城市打分并排名，写出汇总工作簿。Score and rank every city under ROOT.

    示例 / example:  aftersales batch sample_data --jobs 2
    """
    language = lang_of(lang)
    with cannot_run(fmt, language, debug, root):
        from .. import i18n
        from ..batch import assemble, attach_keys, check_out, plan, run, start_workers
        from ..errors import AftersalesError
        from ..period import Period
        from ..report.summary import ScoreSheets, write_outputs
        from ..run import build_run

        start_workers(jobs or os.cpu_count() or 1)
        context = build_run(formats and formats.resolve(), rubric and rubric.resolve(), (), language)
        loaded = context.rubric
        by_city = context.cities(root)
        chosen = Period.parse(period) if period else None
        check_out(root, out)
        label, city_jobs, warnings = plan(root, chosen, by_city, context, out)
        if not city_jobs:
            raise AftersalesError("batch.no_cities", root)
        err = stderr()
        for city in warnings:
            err.print(i18n.text("batch.unknown_city", language, city=city), style="yellow", markup=False)
        if not no_cache:
            attach_keys(city_jobs, context)
        workers = jobs or os.cpu_count() or 1
        sheets = ScoreSheets(loaded, language)     # filled as the rows arrive, while the workers score
        rows = run_with_progress(city_jobs, min(workers, len(city_jobs)), run, err, language, not no_cache,
                                 also=sheets.add)
        result = assemble(label, loaded, rows, warnings)
        target = out or root / "_scores" / (result.period or "unknown")
        written = write_outputs(result, target, language, sheets)
    if fmt is OutputFormat.json:
        print_json(result.to_dict())
    else:
        from ..report.batch_table import render
        stdout().print(render(result, language))
    stderr().print(i18n.text("batch.written", language, path=target), markup=False)
    for p in written:
        stderr().print(f"  {p}", markup=False, style="dim")
    from ..exitcodes import ExitCode
    raise typer.Exit(ExitCode.BATCH_PARTIAL if result.failed else ExitCode.OK)


def run_with_progress(city_jobs, workers, run, console, lang, cached: bool = False, also=None):
    """`run` (batch.run) with the progress bar on `console`; with `cached`, one line after it:
    how many city-months came from the result cache and how many were scored. `also(row)` is
    called with each row as it arrives (the batch fills its score sheets then)."""
    from rich.progress import (BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn,
                               TimeRemainingColumn)

    from .. import i18n
    failures = 0
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
               TextColumn("[red]{task.fields[failed]}"), TimeElapsedColumn(), TimeRemainingColumn())
    with Progress(*columns, console=console, transient=False) as progress:
        task = progress.add_task(i18n.text("batch.progress", lang), total=len(city_jobs), failed="")

        def done(row):
            nonlocal failures
            if also is not None:
                also(row)
            if row["status"] != "ok":
                failures += 1
            progress.update(task, advance=1,
                            failed=i18n.text("batch.failures", lang, n=failures) if failures else "")
        stats: dict[str, int] = {}
        rows = run(city_jobs, workers, done, stats)
    if cached:
        console.print(i18n.text("cache.stats", lang, **stats), style="dim", markup=False)
    return rows
