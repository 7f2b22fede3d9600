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
    from .yamlio import load_cached   # imported on first use: `aftersales --help` never needs it

    return load_cached(resources.files(__package__).joinpath("messages.yaml").read_text("utf-8"))


def default_lang() -> str:
    lang = os.environ.get("AFTERSALES_LANG", "zh").lower()
    return lang if lang in LANGS else "zh"


class _Safe(dict):
    """Leaves unknown placeholders visible instead of raising (frictionless' safe_format)."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def plural(value: Any, spec: str) -> str | None:
    """`{n:plural:technician}` → "1 technician" / "3 technicians"; `{n:plural:city:cities}` for an
    irregular plural. None when `spec` is not a plural spec (format the value as usual)."""
    if not spec.startswith("plural:"):
        return None
    forms = spec.split(":")[1:]
    singular, many = forms[0], (forms[1] if len(forms) > 1 else forms[0] + "s")
    return f"{value} {singular if value == 1 else many}"


class _Formatter(string.Formatter):
    def format_field(self, value: Any, spec: str) -> str:
        counted = plural(value, spec)
        return counted if counted is not None else super().format_field(value, spec)


def _fmt(template: str, params: dict[str, Any], lang: str = "zh") -> str:
    try:
        return _Formatter().vformat(template, (), _Safe({k: _show(v, lang) for k, v in params.items()}))
    except (ValueError, IndexError):  # a malformed template must never crash a report
        return template


def _show(value: Any, lang: str = "zh") -> Any:
    """Lists join as 甲、乙 in Chinese and as 'a', 'b' in English; {zh, en} dicts pick the language."""
    if isinstance(value, dict) and "zh" in value:
        return value.get(lang, value["zh"])
    if isinstance(value, (list, tuple, set, frozenset)):
        items = [str(_show(v, lang)) for v in value]
        return ", ".join(f"'{v}'" for v in items) if lang == "en" else "、".join(items)
    if value is None:
        return ""
    return value


def text(key: str, lang: str | None = None, **params: Any) -> str:
    """A UI message from the `ui` section."""
    lang = lang or default_lang()
    return _fmt(catalogue()["ui"][key][lang], params, lang)


def both(key: str, **params: Any) -> dict[str, str]:
    """A `ui` message in both languages, to pass as a parameter of another message."""
    return {lang: text(key, lang, **params) for lang in LANGS}


def finding_entry(code: str) -> dict[str, Any]:
    return catalogue()["findings"][code]


def finding_text(code: str, lang: str | None, params: dict[str, Any]) -> str:
    lang = lang or default_lang()
    return _fmt(finding_entry(code)[lang], params, lang)


def severity_of(code: str) -> str:
    return finding_entry(code)["severity"]
