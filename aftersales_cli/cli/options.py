"""Options shared by several commands (typer Annotated aliases)."""
from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer


class OutputFormat(str, Enum):
    table = "table"
    json = "json"


class Lang(str, Enum):
    zh = "zh"
    en = "en"


FormatOpt = Annotated[OutputFormat, typer.Option("--format", "-f", help="输出格式 table | json (output format)")]
LangOpt = Annotated[Optional[Lang], typer.Option("--lang", help="界面语言 zh | en（默认 zh，或环境变量 AFTERSALES_LANG）")]
PeriodOpt = Annotated[Optional[str], typer.Option("--period", help="周期 YYYY-MM（默认取文件夹名或按数据推断）")]
DebugOpt = Annotated[bool, typer.Option("--debug", help="出错时显示完整的 Python 调用栈 (show tracebacks)")]
StrictOpt = Annotated[bool, typer.Option("--strict", help="格式问题也视为不通过（退出码 1）")]
AnnotateOpt = Annotated[Optional[Path], typer.Option("--annotate", metavar="OUT.xlsx",
                                                     help="另存一份标注副本：问题单元格着色并加批注，附「问题清单」表；原文件不变")]
FormatsOpt = Annotated[Optional[Path], typer.Option(
    "--formats", metavar="DIR", help="格式文件夹：修改过的格式 YAML（缺少的文件用内置的；先用 `aftersales formats check DIR` 检查）")]
RubricOpt = Annotated[Optional[Path], typer.Option("--rubric", help="评分标准 YAML（默认：内置的 2.0 评分系统）")]
ParamsOpt = Annotated[Optional[list[str]], typer.Option(
    "--params", help="覆盖评分参数 KEY=VALUE，可重复，如 --params max_report_lag_days=2")]
NoCacheOpt = Annotated[bool, typer.Option(
    "--no-cache", help="本次不读也不写结果缓存（缓存位置：环境变量 AFTERSALES_CACHE 或用户缓存文件夹）")]
