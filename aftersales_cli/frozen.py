"""Frozen records: what the formats and the rubric are at run time, without pydantic.

pydantic (`formats/model.py`, `rubric/model.py`) checks a YAML file the first time it is seen; the
checked result is kept as plain data in which every model is a dict tagged with its class name
(`tag`), cached as JSON in the user's cache folder, keyed by the file's text and the schema's
source. Every run then builds light read-only records from that data (`build`): a run with a warm
cache never imports pydantic, which alone is ~0.15 s of the 1-s budget of `aftersales score`.

The record classes (`formats/records.py`, `rubric/records.py`) carry only the methods; the fields
and every rule about them are declared once, in the pydantic models.
"""
from __future__ import annotations

from typing import Any

KIND = "__kind__"


class Record:
    """Attributes from a dict of checked fields; read-only; equal only to itself."""

    def __init__(self, fields: dict[str, Any]) -> None:
        self.__dict__.update(fields)

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"{type(self).__name__} is read-only")

    def __repr__(self) -> str:
        inner = ", ".join(f"{k}={v!r}" for k, v in self.__dict__.items())
        return f"{type(self).__name__}({inner})"

    def replace(self, **changes: Any) -> "Record":
        """A copy with some fields changed (tests and tools; nothing is checked again)."""
        return type(self)({**self.__dict__, **changes})

    def to_dict(self) -> dict[str, Any]:
        """The fields as plain data, named as in the YAML (`not_` → `not`), empty fields left out."""
        return {(k[:-1] if k.endswith("_") else k): _plain(v) for k, v in self.__dict__.items() if v is not None}


class Localized(Record):
    """A text in both languages (a format's title, a rubric's reasons)."""

    def get(self, lang: str) -> str:
        return self.en if lang == "en" else self.zh


def _plain(value: Any) -> Any:
    if isinstance(value, Record):
        return value.to_dict()
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


def tag(model: Any) -> Any:
    """A checked pydantic model as plain data: each model a dict tagged with its class name (or its
    class attribute `RECORD`, when several models share one record class)."""
    from pydantic import BaseModel

    if isinstance(model, BaseModel):
        out: dict[str, Any] = {KIND: getattr(type(model), "RECORD", type(model).__name__)}
        for name in type(model).model_fields:
            out[name] = tag(getattr(model, name))
        for name, value in (model.model_extra or {}).items():
            out[name] = tag(value)
        return out
    if isinstance(model, (list, tuple)):
        return [tag(v) for v in model]
    if isinstance(model, dict):
        return {k: tag(v) for k, v in model.items()}
    return model


def build(data: Any, kinds: dict[str, type[Record]]) -> Any:
    """Records from tagged data; `kinds` maps a tag to its record class."""
    if isinstance(data, dict):
        fields = {k: build(v, kinds) for k, v in data.items() if k != KIND}
        kind = data.get(KIND)
        return kinds[kind](fields) if kind is not None else fields
    if isinstance(data, list):
        return [build(v, kinds) for v in data]
    return data


def kinds_of(namespace: dict[str, Any]) -> dict[str, type[Record]]:
    """The record classes defined in a module, by name (the tags pydantic's class names give)."""
    return {name: obj for name, obj in namespace.items()
            if isinstance(obj, type) and issubclass(obj, Record) and obj is not Record}


def schema_salt(*sources: bytes | str) -> str:
    """A cache key part that changes whenever the schema's source (or this module's) does."""
    import hashlib
    from pathlib import Path

    h = hashlib.sha256(Path(__file__).read_bytes())       # how tagged data is written and read
    for s in sources:
        h.update(b"\0")
        h.update(s.encode("utf-8") if isinstance(s, str) else s)
    return h.hexdigest()[:16]
