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

for _module in ("template", "sample", "score", "rubric", "batch"):
    try:
        __import__(f"{__name__}.{_module}")
    except ModuleNotFoundError as _exc:  # a command still being built is simply absent
        if _exc.name != f"{__name__}.{_module}":
            raise


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
