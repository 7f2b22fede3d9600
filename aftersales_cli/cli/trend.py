"""trend: every city × month of a root, scored as batch scores it; 趋势.xlsx, trend.json, trend.csv."""
from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Optional

import typer

from . import app
from .common import cannot_run, lang_of, print_json, stderr, stdout
from .options import DebugOpt, FormatOpt, FormatsOpt, LangOpt, NoCacheOpt, OutputFormat, RubricOpt


@app.command(rich_help_panel="评分 Score")
def trend(root: Annotated[Path, typer.Argument(help="总部根目录：每个子文件夹是一个城市，内含 YYYY-MM 月份文件夹", show_default=False)],
          first: Annotated[Optional[str], typer.Option("--from", metavar="YYYY-MM", help="起始月份（默认：找到的最早月份）")] = None,
          last: Annotated[Optional[str], typer.Option("--to", metavar="YYYY-MM", help="截止月份（默认：找到的最近月份）")] = None,
          jobs: Annotated[Optional[int], typer.Option("--jobs", "-j", min=1, help="并行进程数（默认：CPU 核数）")] = None,
          out: Annotated[Optional[Path], typer.Option("--out", "-o", help="输出文件夹（默认 ROOT/_scores/趋势_<起>_<止>）")] = None,
          fmt: FormatOpt = OutputFormat.table, rubric: RubricOpt = None, formats: FormatsOpt = None,
          lang: LangOpt = None, no_cache: NoCacheOpt = False, debug: DebugOpt = False) -> None:
    """各城市逐月得分趋势：总分、名次、分项和变化，写出趋势工作簿。Every city's scores month by month.

    示例 / example:  aftersales trend 样例 --from 2026-08 --to 2026-11
    """
    language = lang_of(lang)
    with cannot_run(fmt, language, debug, root):
        from .. import i18n
        from ..batch import attach_keys, check_out, run
        from ..cities import CITIES_FILE
        from ..errors import AftersalesError
        from ..period import Period
        from ..report.trend_workbook import write_trend_outputs
        from ..run import build_run
        from ..trend import assemble_trend, city_changes, full_marks, item_averages, network, plan_trend
        from .batch import run_with_progress

        context = build_run(formats and formats.resolve(), rubric and rubric.resolve(), (), language)
        lo, hi = (Period.parse(first) if first else None), (Period.parse(last) if last else None)
        if lo and hi and lo.label > hi.label:
            raise AftersalesError("trend.bad_range", first=lo.label, last=hi.label)
        by_city = context.cities(root)
        check_out(root, out)
        months, cities, city_jobs, where = plan_trend(root, lo, hi, by_city, context, out)
        if not cities:
            raise AftersalesError("batch.no_cities", root)
        if not no_cache:
            attach_keys(city_jobs, context)
        workers = jobs or os.cpu_count() or 1
        rows = run_with_progress(city_jobs, max(1, min(workers, len(city_jobs))), run, stderr(), language,
                                 not no_cache) if city_jobs else []
        cities_file = CITIES_FILE if (root / CITIES_FILE).is_file() else None
        doc = assemble_trend(months, cities, context.rubric, rows, where, cities_file)
        extra = {"network": network(doc), "items": item_averages(doc, context.rubric),
                 "full_marks": full_marks(rows, months, where, cities, context.rubric),
                 "changes": city_changes(rows, months, where, cities)}
        target = out or root / "_scores" / f"趋势_{months[0]}_{months[-1]}"
        written = write_trend_outputs(doc, extra, context.rubric, target, language)
    if fmt is OutputFormat.json:
        print_json(doc)
    else:
        from ..report.trend_table import render
        stdout().print(render(doc, language))
    stderr().print(i18n.text("trend.written", language, path=target), markup=False)
    for p in written:
        stderr().print(f"  {p}", markup=False, style="dim")
    from ..exitcodes import ExitCode
    from ..trend import has_error
    raise typer.Exit(ExitCode.BATCH_PARTIAL if has_error(doc) else ExitCode.OK)

