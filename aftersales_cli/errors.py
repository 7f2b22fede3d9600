"""Errors that stop a command: each becomes one line on stderr and exit code 2."""
from __future__ import annotations

from typing import Any

from . import i18n


class AftersalesError(Exception):
    """A problem with the input or the invocation, not a bug: exit 2 with one clear line.

    `key` is a `ui` message of the catalogue; `params` fill it. `path` names the file.
    """

    def __init__(self, key: str, path: Any = None, **params: Any) -> None:
        self.key = key
        self.path = str(path) if path is not None else ""
        self.params = {"path": self.path, **params}
        super().__init__(self.message("en"))

    @property
    def code(self) -> str:
        return self.key.removeprefix("err.")

    def message(self, lang: str | None = None) -> str:
        return i18n.text(self.key, lang, **self.params)


class RubricError(AftersalesError):
    """A rubric (or cities.yaml) that cannot be used: file, line and reason."""
