"""What every command shares: consoles, the 'cannot run' handler (exit 2), language."""
from __future__ import annotations

import contextlib
import sys
import traceback
from typing import Iterator

import typer

from ..errors import AftersalesError
from ..exitcodes import ExitCode
from .options import Lang, OutputFormat


def lang_of(lang: Lang | None) -> str:
    from ..i18n import default_lang
    return lang.value if lang is not None else default_lang()


def stdout():
    from rich.console import Console   # imported when output is written: `--help` never needs it
    return Console(soft_wrap=False, highlight=False)


def stderr():
    from rich.console import Console
    return Console(stderr=True, highlight=False)


@contextlib.contextmanager
def cannot_run(fmt: OutputFormat, lang: str, debug: bool = False, path: object = None) -> Iterator[None]:
    """Turn every 'cannot run' problem into one line on stderr (or a JSON error) and exit 2.

    Anything unexpected is reported the same way, naming the path, so a user never sees a
    traceback unless --debug asks for one.
    """
    try:
        yield
    except typer.Exit:
        raise
    except AftersalesError as exc:
        _fail(exc.code, exc.message(lang), exc.path, fmt, lang, debug)
    except KeyboardInterrupt:
        from .console import say_interrupted
        say_interrupted(lang)
        raise typer.Exit(130) from None
    except OSError as exc:   # a file the OS refused, named with the reason in the user's language
        from .. import i18n
        from ..errors import os_reason
        where = str(exc.filename or path or "")
        _fail("os_error", i18n.text("err.os", lang, path=where, detail=os_reason(exc)), where, fmt, lang, debug)
    except Exception as exc:  # noqa: BLE001 - the last line of defence: never a bare traceback
        from .. import i18n
        detail = f"{type(exc).__name__}: {exc}"
        _fail("internal", i18n.text("err.internal", lang, path=str(path or ""), detail=detail),
              str(path or ""), fmt, lang, debug)


def _fail(code: str, message: str, path: str, fmt: OutputFormat, lang: str, debug: bool) -> None:
    from .. import i18n
    if debug:
        traceback.print_exc()
    from ..paths import readable
    message, path = readable(message), readable(path)
    if fmt is OutputFormat.json:
        from .console import json_text
        sys.stdout.write(json_text({"error": {"code": code, "message": message, "path": path}}, None) + "\n")
    line = f"{i18n.text('err.prefix', lang)}: {message}"
    stderr().print(line, markup=False, soft_wrap=True)
    raise typer.Exit(ExitCode.CANNOT_RUN)


def print_period(out, lang: str, period: str, source: str) -> None:
    """The dim line naming the period and how it was chosen (period.how.* key `source`)."""
    from .. import i18n
    how = i18n.text(f"period.how.{source}", lang)
    out.print(i18n.text("period.inferred", lang, period=period, how=how), style="dim", markup=False)


def print_json(data: object) -> None:
    from .console import json_text
    sys.stdout.write(json_text(data) + "\n")
    sys.stdout.flush()
