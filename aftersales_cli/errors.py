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

    def __reduce__(self):   # crosses process boundaries (batch, sample --jobs) with its key intact
        params = {k: v for k, v in self.params.items() if k != "path"}
        return _rebuild, (type(self), self.key, self.path or None, params)


def _rebuild(cls, key, path, params):
    return cls(key, path, **params)


_OS_REASONS = {   # errno name → catalogue key; the reason of any other OS error is the system's text
    "EACCES": "os.denied", "EPERM": "os.denied", "EBUSY": "os.denied", "ETXTBSY": "os.denied",
    "ENOSPC": "os.no_space", "EDQUOT": "os.no_space", "EROFS": "os.read_only", "EISDIR": "os.is_folder",
    "ENOTDIR": "os.not_folder", "EEXIST": "os.exists", "ENOENT": "os.missing", "ENAMETOOLONG": "os.name_too_long",
}


def os_reason(exc: OSError | UnicodeError) -> dict[str, str]:
    """Why an OS call failed, in both languages (a message parameter picks the user's):
    "没有写入权限，或文件正在 Excel 中打开…" for a denied write, the system's own text otherwise;
    a name the file system's encoding cannot spell (Python's file-name encoding ASCII: `LANG=C`
    with `PYTHONUTF8=0`) says so and how to run instead."""
    import errno as _errno
    if isinstance(exc, UnicodeError):
        return i18n.both("os.name_unencodable")
    key = _OS_REASONS.get(_errno.errorcode.get(exc.errno or 0, ""))
    if key is None:
        if getattr(exc, "winerror", None) == 32:     # ERROR_SHARING_VIOLATION: open in another program
            key = "os.denied"
        else:
            detail = exc.strerror or str(exc) or type(exc).__name__
            return {"zh": detail, "en": detail}
    return i18n.both(key)


def unwritable(out: Any, exc: OSError | UnicodeError) -> AftersalesError:
    """The one error for an output that cannot be written: the output's path and the reason."""
    return AftersalesError("err.output_unwritable", out, detail=os_reason(exc))


class RubricError(AftersalesError):
    """A rubric (or cities.yaml) that cannot be used: file, line and reason."""
