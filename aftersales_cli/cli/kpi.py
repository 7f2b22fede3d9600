"""kpi: the manager's month — technician figures, piece-rate pay, repeats, faults (kpi.md)."""
from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from . import app
from .common import cannot_run, lang_of, print_json, print_period, stderr, stdout
from .options import DebugOpt, FormatOpt, FormatsOpt, LangOpt, OutputFormat, PeriodOpt


@app.command(rich_help_panel="评分 Score")
def kpi(path: Annotated[Path, typer.Argument(help="城市文件夹（或其 YYYY-MM 子文件夹）/ a city folder", show_default=False)],
        period: PeriodOpt = None,
        city: Annotated[str | None, typer.Option("--city", help="城市名（默认取文件夹名）")] = None,
        rates: Annotated[Path | None, typer.Option("--rates", metavar="FILE", help="计件单价 YAML（服务类型: 元），替换默认单价")] = None,
        params: Annotated[list[str] | None, typer.Option("--params", help="覆盖统计参数 KEY=VALUE，可重复，如 --params piece_rates.安装=60")] = None,
        formats: FormatsOpt = None,
        fmt: FormatOpt = OutputFormat.table, lang: LangOpt = None,
        xlsx: Annotated[Path | None, typer.Option("--xlsx", metavar="OUT.xlsx", help="写出月度统计工作簿（含计件工资表，可直接打印）")] = None,
        debug: DebugOpt = False) -> None:
    """服务经理的月度统计：技师完工率、满意度、返修、计件工资、故障统计。The manager's month.

    示例 / example:  aftersales kpi sample_data/杭州市 --xlsx 杭州市月度统计.xlsx
    """
    language = lang_of(lang)
    with cannot_run(fmt, language, debug, path):
        from .. import i18n
        from ..period import Period
        from ..pipeline import kpi_path
        from ..run import build_run, month_threads

        chosen = Period.parse(period) if period else None
        run = build_run(formats, None, [], language, month_threads())
        figures, result = kpi_path(path, chosen, city, rates, params or [], run)
        if xlsx is not None:
            from ..report.kpi_workbook import write_kpi_workbook
            written = write_kpi_workbook(figures, xlsx, language, inputs=figures.inputs)
            stderr().print(i18n.text("kpi.written", language, path=written), markup=False)
    if fmt is OutputFormat.json:
        from ..kpi.jsonout import to_dict
        print_json(to_dict(figures, language))
        return
    from ..report.kpi_table import render
    out = stdout()
    print_period(out, language, figures.period.label, result.period_source)
    out.print(render(figures, language))
