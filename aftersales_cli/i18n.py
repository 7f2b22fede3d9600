"""The message catalogue (messages.yaml): every text a person reads, in zh and en.

Checks and commands never write message text themselves; they name a key and pass parameters.
"""
from __future__ import annotations

import os
import string
from functools import lru_cache
from importlib import resources
from typing import Any

LANGS = ("zh", "en")


@lru_cache(maxsize=1)
def catalogue() -> dict[str, dict[str, Any]]:
    from .yamlio import load   # imported on first use: `aftersales --help` never needs it

    return load(resources.files(__package__).joinpath("messages.yaml").read_text("utf-8"))


def default_lang() -> str:
    lang = os.environ.get("AFTERSALES_LANG", "zh").lower()
    return lang if lang in LANGS else "zh"


class _Safe(dict):
    """Leaves unknown placeholders visible instead of raising (frictionless' safe_format)."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def _fmt(template: str, params: dict[str, Any]) -> str:
    try:
        return string.Formatter().vformat(template, (), _Safe({k: _show(v) for k, v in params.items()}))
    except (ValueError, IndexError):  # a malformed template must never crash a report
        return template


def _show(value: Any) -> Any:
    if isinstance(value, (list, tuple, set, frozenset)):
        return "、".join(str(v) for v in value)
    if value is None:
        return ""
    return value


def text(key: str, lang: str | None = None, **params: Any) -> str:
    """A UI message from the `ui` section."""
    entry = catalogue()["ui"][key]
    return _fmt(entry[lang or default_lang()], params)


def finding_entry(code: str) -> dict[str, Any]:
    return catalogue()["findings"][code]


def finding_text(code: str, lang: str | None, params: dict[str, Any]) -> str:
    return _fmt(finding_entry(code)[lang or default_lang()], params)


def severity_of(code: str) -> str:
    return finding_entry(code)["severity"]
