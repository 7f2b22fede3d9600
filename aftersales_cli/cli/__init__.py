"""The `aftersales` command line (Typer). Each command lives in its own module."""
from __future__ import annotations

import typer

app = typer.Typer(
    name="aftersales",
    help="售后服务运营管理工具：校验每月工作簿，按评分系统 2.0 打分。\n\n"
         "Read, validate and score the monthly after-sales workbooks.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,   # plain help: rich help rendering alone costs ~0.2 s of start-up
    context_settings={"help_option_names": ["-h", "--help"]},
)

from . import validate as _validate  # noqa: E402,F401  (registers the commands)

for _module in ("template", "sample", "score", "kpi", "rubric", "batch"):
    try:
        __import__(f"{__name__}.{_module}")
    except ModuleNotFoundError as _exc:  # a command still being built is simply absent
        if _exc.name != f"{__name__}.{_module}":
            raise


def main() -> None:
    import sys
    for stream in (sys.stdout, sys.stderr):   # a file name that is not UTF-8 must never crash output
        try:
            stream.reconfigure(errors="surrogateescape")
        except (AttributeError, ValueError):
            pass
    app()
