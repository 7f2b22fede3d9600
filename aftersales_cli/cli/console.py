"""The console: streams that never crash on their encoding, JSON that stays valid on any of them,
and click's own usage errors in the user's language (cli.md "Exit codes").

A Chinese Windows console or a redirect in GBK/cp936 cannot hold every character a message may
carry (`✔`, `−`, a value with `¥`…): such characters are replaced, never raised on. Files are
always written as UTF-8 by the writers, never through these streams.
"""
from __future__ import annotations

import codecs
import json
import math
import re
import sys
from typing import Any, TextIO


def _is_utf(stream: TextIO) -> bool:
    try:
        return codecs.lookup(getattr(stream, "encoding", None) or "ascii").name.startswith("utf")
    except LookupError:
        return False


def safe_streams() -> None:
    """stdout/stderr replace what their encoding cannot show; a UTF-8 stream keeps the undecodable
    bytes of a file name (surrogate escapes) as they were."""
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.reconfigure(errors="surrogateescape" if _is_utf(stream) else "replace")
        except (AttributeError, ValueError):
            pass


def json_text(data: Any, indent: int | None = 2) -> str:
    """JSON for stdout: UTF-8 text on a UTF-8 stream, `\\uXXXX` escapes on any other (still valid).
    An infinite or NaN float is null, as in the JSON files (`report.atomic.write_json`):
    `Infinity` is not JSON."""
    from ..paths import readable   # file names that are not UTF-8 must not break the output
    ascii_only = not _is_utf(sys.stdout)
    try:
        text = json.dumps(data, ensure_ascii=ascii_only, indent=indent, default=str, allow_nan=False)
    except ValueError:              # rare: a float that JSON cannot spell
        text = json.dumps(_finite(data), ensure_ascii=ascii_only, indent=indent, default=str)
    return readable(text)


def _finite(data: Any) -> Any:
    """`data` with every infinite or NaN float replaced by None (dicts, lists and tuples walked)."""
    if isinstance(data, float):
        return data if math.isfinite(data) else None
    if isinstance(data, dict):
        return {k: _finite(v) for k, v in data.items()}
    if isinstance(data, (list, tuple)):
        return [_finite(v) for v in data]
    return data


def lang_from_argv(argv: list[str]) -> str:
    """The --lang of the command line (a usage error happens before options are parsed)."""
    from ..i18n import LANGS, default_lang
    for i, arg in enumerate(argv):
        value = arg.split("=", 1)[1] if arg.startswith("--lang=") else (
            argv[i + 1] if arg == "--lang" and i + 1 < len(argv) else None)
        if value in LANGS:
            return value
    return default_lang()


_NO_COMMAND = re.compile(r"No such command '(?P<name>.*?)'\.(?: Did you mean (?P<hint>.*)\?)?$", re.S)
_NOT_ONE_OF = re.compile(r"'(?P<value>.*?)' is not one of (?P<allowed>.*)\.$", re.S)
_NOT_INT = re.compile(r"'(?P<value>.*?)' is not a valid (?:integer|float)(?: range)?\.?$", re.S)
_RANGE = re.compile(r"(?P<value>\S+) is not in the range (?P<range>.*)\.$", re.S)
_EXTRA = re.compile(r"Got unexpected extra argument(?:\(s\)|s)? \((?P<args>.*)\)$", re.S)
_NEEDS_VALUE = re.compile(r"Option '(?P<option>.*?)' requires (?:an argument|\d+ arguments)\.$", re.S)


def usage_message(exc: Exception, lang: str) -> str:
    """One line in the user's language for a click usage error (unknown option or command,
    missing argument, a value not allowed); click's English text only where no pattern fits."""
    from typer._click import exceptions as cx

    from .. import i18n
    t = lambda key, **p: i18n.text(key, lang, **p)  # noqa: E731
    command = exc.ctx.command_path if getattr(exc, "ctx", None) is not None else "aftersales"
    if isinstance(exc, cx.NoSuchOption):
        text = t("usage.no_option", option=exc.option_name)
        if exc.possibilities:
            text += t("usage.did_you_mean", hint=sorted(exc.possibilities))
    elif isinstance(exc, cx.MissingParameter):
        hint = exc.param.get_error_hint(exc.ctx) if exc.param is not None else ""
        text = t("usage.missing", what=hint.replace("'", ""))
    elif isinstance(exc, cx.BadParameter):
        hint = (exc.param.get_error_hint(exc.ctx) if exc.param is not None else "").replace("'", "")
        text = t("usage.bad_value", what=hint, reason=_reason(exc.message, t))
    elif m := _NO_COMMAND.match(exc.message):
        text = t("usage.no_command", name=m["name"])
        if m["hint"]:
            text += t("usage.did_you_mean", hint=[s.strip(" '") for s in m["hint"].split(",")])
    elif m := _EXTRA.match(exc.message):
        text = t("usage.extra", args=m["args"])
    elif m := _NEEDS_VALUE.match(exc.message):
        text = t("usage.needs_value", option=m["option"])
    else:
        text = t("usage.other", detail=exc.message)
    return f"{t('err.prefix')}: {text}{t('usage.help', command=command)}"


def _reason(message: str, t) -> str:
    if m := _NOT_ONE_OF.match(message):
        return t("usage.not_one_of", value=m["value"], allowed=[a.strip(" '") for a in m["allowed"].split(",")])
    if m := _NOT_INT.match(message):
        return t("usage.not_number", value=m["value"])
    if m := _RANGE.match(message):
        return t("usage.out_of_range", value=m["value"], range=m["range"])
    return message


def say_interrupted(lang: str) -> None:
    """One line on stderr saying the command was stopped by Ctrl-C (its exit code is 130); before
    session 11 it ended with no word, its last line often a progress bar part-way."""
    from .. import i18n
    sys.stderr.write(i18n.text("run.interrupted", lang) + "\n")


def run(app) -> int:
    """Run the Typer app with usage errors reported by `usage_message`; return the exit code."""
    from typer._click import exceptions as cx

    from ..exitcodes import ExitCode
    try:
        code = app(standalone_mode=False)
    except cx.NoArgsIsHelpError as exc:
        exc.show()
        return ExitCode.CANNOT_RUN
    except cx.UsageError as exc:
        sys.stderr.write(usage_message(exc, lang_from_argv(sys.argv[1:])) + "\n")
        return ExitCode.CANNOT_RUN
    except cx.ClickException as exc:
        exc.show()
        return exc.exit_code
    except cx.Abort:                     # Ctrl-C outside a command's `cannot_run` (Click's KeyboardInterrupt)
        say_interrupted(lang_from_argv(sys.argv[1:]))
        return 130
    except Exception as exc:
        if "--debug" in sys.argv:
            raise
        sys.stderr.write(f"error: internal error: {type(exc).__name__}: {exc} (add --debug for details)\n")
        return ExitCode.CANNOT_RUN
    return code if isinstance(code, int) else 0
