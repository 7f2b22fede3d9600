"""sample: realistic synthetic submissions in the batch layout OUT/<city>/<YYYY-MM>/."""
from __future__ import annotations

import contextlib
import os
from enum import Enum
from pathlib import Path
from typing import Annotated, Callable, Iterator, Optional

import typer

from . import app
from .common import cannot_run, lang_of, stderr, stdout
from .options import DebugOpt, LangOpt, OutputFormat


class Layout(str, Enum):
    standard = "standard"
    quirks = "quirks"


OutArg = Annotated[Path, typer.Argument(help="输出文件夹，按 OUT/<城市>/<YYYY-MM>/ 写入 (output root)", show_default=False)]


@app.command(rich_help_panel="样例 Sample")
def sample(
    out: OutArg,
    cities: Annotated[int, typer.Option("--cities", min=1, help="城市数（取真实地级市名，依次为杭州市、宁波市、温州市…）")] = 3,
    orders: Annotated[int, typer.Option("--orders", min=1, help="每个城市的维修工单数")] = 200,
    period: Annotated[str, typer.Option("--period", help="周期 YYYY-MM（--months 时为最后一个月）")] = "2026-11",
    months: Annotated[int, typer.Option("--months", min=1, max=60, help="连续月数：截至 --period 的 N 个月，"
                                        "各城市逐月有进有退、有一个城市缺一个月（供 aftersales trend 使用）")] = 1,
    seed: Annotated[int, typer.Option("--seed", help="随机种子：同一种子生成相同的数据")] = 0,
    defects: Annotated[float, typer.Option("--defects", min=0.0, max=1.0,
                                           help="每类缺陷注入的行比例，如 0.05（每类至少一处）；默认 0 = 干净数据")] = 0.0,
    layout: Annotated[Layout, typer.Option("--layout", help="standard：每表一个标准工作簿；"
                                           "quirks：标题行、合计行、合并单元格、别名表名、多表合一等")] = Layout.standard,
    city: Annotated[Optional[list[str]], typer.Option("--city", metavar="NAME", help="指定城市名（可重复），代替 --cities")] = None,
    jobs: Annotated[Optional[int], typer.Option("--jobs", min=1, help="并行进程数（默认：城市多时用全部 CPU）")] = None,
    kpi: Annotated[bool, typer.Option("--kpi", help="月度统计素材：同时生成上个月，并注入返修和跨月完工（标准布局、干净数据）")] = False,
    force: Annotated[bool, typer.Option("--force", help="覆盖已存在的同名文件，并删除以前 sample 生成的旧文件"
                                        "（其他文件从不删除）；默认遇到已存在的文件即停止")] = False,
    lang: LangOpt = None,
    debug: DebugOpt = False,
) -> None:
    """生成逼真的样例数据：每个城市一个月的八张表，同一种子结果相同。Realistic synthetic submissions.

    示例 / example:  aftersales sample 样例 --cities 3 --orders 200 --defects 0.05
    """
    lang_code = lang_of(lang)
    with cannot_run(OutputFormat.table, lang_code, debug, out):
        from .. import i18n
        from ..errors import AftersalesError
        from ..period import Period
        from ..sample import city_names, generate

        chosen = Period.parse(period)
        names = list(dict.fromkeys(city)) if city else city_names(cities)
        workers = jobs or (min(os.cpu_count() or 1, len(names)) if len(names) >= 4 else 1)
        if months > 1:
            from ..sample.months import generate_months, months_until
            if kpi:
                raise AftersalesError("sample.months_kpi", out)
            span = months_until(chosen, months)
            with _progress(len(names) * months, i18n.text("sample.progress", lang_code)) as tick:
                folders = generate_months(out, names, orders, span, seed, layout.value, jobs=workers,
                                          progress=tick, force=force)
        elif kpi:
            from ..sample.kpi import generate_kpi_city
            folders = []
            for name in names:
                generate_kpi_city(out, name, orders, chosen, seed, force=force)
                folders.append(Path(out) / name / chosen.label)
        else:
            with _progress(len(names), i18n.text("sample.progress", lang_code)) as tick:
                folders = generate(out, orders=orders, period=chosen, seed=seed, defects=defects,
                                   layout=layout.value, city_names=names, jobs=workers, progress=tick,
                                   force=force)
    console = stdout()
    if len(folders) <= 20 and months == 1:
        for name, folder in zip(names, folders):
            console.print(i18n.text("sample.city", lang_code, city=name, path=folder), markup=False)
    console.print(i18n.text("sample.options", lang_code, orders=orders, seed=seed, layout=layout.value,
                            defects=defects), markup=False)
    if months > 1:
        console.print(i18n.text("sample.written_months", lang_code, cities=len(names), n=len(folders),
                                first=span[0].label, last=chosen.label, path=out), markup=False)
    else:
        console.print(i18n.text("sample.written", lang_code, cities=len(folders), period=chosen.label, path=out),
                      markup=False)


@contextlib.contextmanager
def _progress(total: int, label: str) -> Iterator[Optional[Callable[[str, Path], None]]]:
    """A progress bar on stderr when there are several cities; yields the per-city callback."""
    if total < 2:
        yield None
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, \
        TimeRemainingColumn

    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  TimeRemainingColumn(), console=stderr(), transient=True) as bar:
        task = bar.add_task(label, total=total)
        yield lambda city, folder: bar.advance(task)
