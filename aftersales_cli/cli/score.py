"""score: the scorecard of one city and period."""
from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from . import app
from .common import cannot_run, lang_of, print_json, print_period, stderr, stdout
from .options import (DebugOpt, FormatOpt, FormatsOpt, LangOpt, NoCacheOpt, OutputFormat, ParamsOpt, PeriodOpt,
                      RubricOpt)


@app.command(rich_help_panel="评分 Score")
def score(path: Annotated[Path, typer.Argument(help="城市文件夹（或其 YYYY-MM 子文件夹）/ a city folder", show_default=False)],
          period: PeriodOpt = None,
          city: Annotated[Optional[str], typer.Option("--city", help="城市名（默认取文件夹名）")] = None,
          rubric: RubricOpt = None, params: ParamsOpt = None, formats: FormatsOpt = None,
          fmt: FormatOpt = OutputFormat.table, lang: LangOpt = None,
          xlsx: Annotated[Optional[Path], typer.Option("--xlsx", metavar="OUT.xlsx", help="写出正式评分表（Excel，可直接打印）")] = None,
          no_cache: NoCacheOpt = False, debug: DebugOpt = False) -> None:
    """计算一个城市一个月的评分卡：逐项得分与扣分原因。Score one city's month.

    示例 / example:  aftersales score sample_data/杭州市 --xlsx 杭州市评分表.xlsx
    """
    language = lang_of(lang)
    with cannot_run(fmt, language, debug, path):
        from .. import i18n
        from ..period import Period
        from ..run import build_run, month_threads
        from ..score_cache import score_cached

        run = build_run(formats, rubric, params or [], language, month_threads())
        chosen = Period.parse(period) if period else None
        scored = score_cached(path, chosen, city, run, not no_cache)
        card = scored.card
        if xlsx is not None:
            from ..report.scoresheet import write_scoresheet
            written = write_scoresheet(card, xlsx, language, inputs=scored.inputs)
            stderr().print(i18n.text("score.written", language, path=written), markup=False)
    if fmt is OutputFormat.json:
        print_json(card.to_dict())
        return
    from ..report.scorecard_table import render
    out = stdout()
    print_period(out, language, card.period, scored.period_source)
    out.print(render(card, language))
    from ..report.fixlist import render as render_fixes
    out.print(render_fixes(card.fixes, language))
