"""The `aftersales` command line (Typer). Each command lives in its own module."""
from __future__ import annotations

from importlib import import_module

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

# importing a command module registers its commands on `app`, in this order (the order of --help);
# a module that is missing or broken is an error, never a silently absent command
for _module in ("validate", "fix", "template", "sample", "score", "kpi", "rubric", "batch", "trend", "formats"):
    import_module(f"{__name__}.{_module}")


def _version(value: bool) -> None:
    if value:
        from .. import __version__
        print(f"aftersales {__version__}")
        raise typer.Exit(0)


@app.callback()
def _root(version: bool = typer.Option(False, "--version", is_eager=True, callback=_version,
                                        help="显示版本号并退出 (show the version and exit)")) -> None:
    """售后服务运营管理工具：校验每月工作簿，按评分系统 2.0 打分。

    Read, validate and score the monthly after-sales workbooks.
    """


def main() -> None:
    import sys

    from .console import run, safe_streams
    safe_streams()   # a console that cannot show a character replaces it, never crashes
    sys.exit(run(app))
