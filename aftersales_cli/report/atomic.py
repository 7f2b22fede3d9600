"""Writing outputs safely: to a temporary file in the target folder, then renamed into place.

A crash leaves no half-written file, and an output never overwrites an input. This is the one path
every writer takes (score sheet, annotated copy, batch outputs, templates, sample data): an OS error
anywhere on it — the folder, the temporary file, the write, the rename onto a file open in Excel —
becomes one `AftersalesError` naming the OUTPUT file and the reason in the user's language
(cli.md "Exit codes"), never an internal error naming the temporary file.
"""
from __future__ import annotations

import contextlib
import os
import re
import tempfile
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

from ..errors import AftersalesError, unwritable


#: What creating an output (folder or temporary file) can raise: the OS's errors, and a name the
#: file-name encoding cannot spell (Python's file-name encoding ASCII: `LANG=C` with UTF-8 mode off).
UNWRITABLE = (OSError, UnicodeEncodeError)


def refuse_inputs(out: Path, inputs: Iterable[Path]) -> None:
    """An output path equal to an input path is refused (also through links)."""
    target = _real(out)
    for p in inputs:
        if _real(Path(p)) == target:
            raise AftersalesError("err.output_is_input", out)


def _real(p: Path) -> str:
    try:
        return os.path.normcase(os.path.realpath(p))
    except OSError:
        return os.path.normcase(os.path.abspath(p))


def ensure_folder(folder: Path) -> Path:
    """Create an output folder (and its parents); a failure names the folder and why."""
    try:
        Path(folder).mkdir(parents=True, exist_ok=True)
    except UNWRITABLE as exc:
        raise unwritable(folder, exc) from exc
    return Path(folder)


@contextlib.contextmanager
def output_folder(folder: Path) -> Iterator[Path]:
    """`ensure_folder` for the block that writes a command's outputs into `folder`: when the block
    fails or is interrupted (Ctrl-C) before it wrote anything there, a folder it created is removed
    again, so an interrupted batch leaves no empty `ROOT/_scores/YYYY-MM`. Files already written
    stay (each is whole: `write_atomic`)."""
    folder = Path(folder)
    created = not folder.exists()
    ensure_folder(folder)
    try:
        yield folder
    except BaseException:
        if created:
            with contextlib.suppress(OSError):
                folder.rmdir()           # only when empty
        raise


@contextlib.contextmanager
def atomic_path(out: Path) -> Iterator[Path]:
    """Yield a temporary path beside `out`; on success it replaces `out`, else it is removed.

    Raises AftersalesError("err.output_unwritable", out) for any OSError on the way, and for a name
    the file-name encoding cannot spell."""
    out = Path(out)
    ensure_folder(out.parent)
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{out.stem[:40]}.", suffix=out.suffix + ".tmp", dir=out.parent)
        os.close(fd)
    except UNWRITABLE as exc:
        raise unwritable(out, exc) from exc
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        os.chmod(tmp_path, 0o666 & ~_umask())   # mkstemp makes 0600; outputs get the usual mode
        os.replace(tmp_path, out)
    except OSError as exc:
        with contextlib.suppress(OSError):
            tmp_path.unlink()
        raise unwritable(out, exc) from exc
    except BaseException:
        with contextlib.suppress(OSError):
            tmp_path.unlink()
        raise


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_atomic(out: Path, write: Callable[[Path], None]) -> Path:
    with atomic_path(out) as tmp:
        write(tmp)
    return out


def write_set(out: Path, files: list[tuple[str, Callable[[Path], None]]]) -> list[Path]:
    """A command's outputs written into the folder `out` (`output_folder`) as one set: each file
    (name, write(path)) to a temporary file beside its target, in the order given, and only once
    every one is written are they renamed into place, the first one first. Returns their paths.

    A failure or an interruption (Ctrl-C, `kill PID`) while they are written — nearly all of the
    time, the renames take milliseconds — leaves every earlier output as it was and no temporary
    file: never a folder mixing this run's 汇总.xlsx with an earlier run's summary.csv (before
    session 11, found by a fresh user's tries). A rename that fails (the first file open in
    Excel) stops the renames after it. Raises AftersalesError naming the file that could not be
    written or replaced."""
    with output_folder(out), contextlib.ExitStack() as stack:
        temporary = {name: stack.enter_context(atomic_path(out / name)) for name, _ in reversed(files)}
        for name, write in files:       # (the stack renames in the reverse order of entering: the first file first)
            try:
                write(temporary[name])
            except OSError as exc:
                raise unwritable(out / name, exc) from exc
    return [out / name for name, _ in files]


def write_json(path: Path, data: Any) -> None:
    """`data` (dicts, lists, text, numbers, None) as a JSON document for people: two-space indents,
    UTF-8 characters as they are, a final line end — the text `json.dumps(data, ensure_ascii=False,
    indent=2)` lays out, written by msgspec's encoder and formatter (the 300-city summary.json:
    0.10 → 0.01 s, README "Issue 16 — session 6"). msgspec spells a float below 1e-4 or from 1e16
    on otherwise (`0.00001`, `1e-7`, `1e16`: a rate of 1 repeat in 15,000 orders); those numbers
    are spelt again as Python's repr (`1e-05`, `1e-07`, `1e+16`), as json.dumps spells them. The
    one difference: an infinite or NaN float is null, never the non-JSON `Infinity`."""
    import msgspec

    text = msgspec.json.format(msgspec.json.encode(data), indent=2).decode()
    if _ODD_FLOAT.search(text):             # rare: one C scan finds no such spelling in most documents
        text = _TOKEN.sub(_repr_float, text)
    path.write_text(text + "\n", encoding="utf-8")


#: Where msgspec may spell a float other than repr does (an exponent, or 0.0000…); also in text.
_ODD_FLOAT = re.compile(r"\d[eE]|0\.0000")
#: A JSON string (kept as it is) or a number.
_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?')


def _repr_float(m: re.Match[str]) -> str:
    token = m.group()
    if token[0] == '"' or not any(c in token for c in ".eE"):
        return token
    return repr(float(token))


@contextlib.contextmanager
def atomic_folder(out: Path) -> Iterator[Path]:
    """Yield a temporary folder beside `out`; on success it becomes `out` (an empty `out` is replaced,
    a non-empty one — `fix --force` — receives each file in turn), else it is removed.

    A failure before the end leaves `out` as it was. Raises AftersalesError("err.output_unwritable",
    out) for any OSError on the way."""
    import shutil

    out = Path(out)
    ensure_folder(out.parent)
    try:
        tmp = Path(tempfile.mkdtemp(prefix=f".{out.name[:40]}.", suffix=".tmp", dir=out.parent))
        os.chmod(tmp, 0o777 & ~_umask())   # mkdtemp makes 0700: the folder would be the writer's alone
    except OSError as exc:
        raise unwritable(out, exc) from exc
    try:
        yield tmp
        if out.is_dir() and any(out.iterdir()):
            for f in sorted(tmp.iterdir()):
                os.replace(f, out / f.name)
            tmp.rmdir()
        else:
            was_empty = out.is_dir()
            if was_empty:
                out.rmdir()
            try:
                os.replace(tmp, out)
            except OSError:
                if was_empty:
                    with contextlib.suppress(OSError):
                        out.mkdir()
                raise
    except OSError as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        raise unwritable(out, exc) from exc
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
