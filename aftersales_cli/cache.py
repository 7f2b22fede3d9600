"""The result cache: a city-month's batch row, keyed by everything that decides it (trends.md §2).

A batch row (`batch.score_city_safe`: the scorecard, the finding summary, the findings and
whatever else a city's result holds) is a pure function of its inputs. Its key is a SHA-256 over:
the files read (names relative to the city folder) and each one's content hash, the period, the
city, the language, every parameter, the reading limits, the rubric file, the formats files, a
hash of the tool's own code (every .py and .yaml of the package — the message texts, the shipped
formats, the metric catalogue among them) and the versions of the readers.

Storage: one JSON file per entry, `<base>/results/<k[:2]>/<k>.json`, where `<base>` is
AFTERSALES_CACHE or the user cache folder (the same location logic as the checked-YAML cache,
`yamlio.cache_base`). Each entry is written to a temporary file and renamed into place, so two
runs at once never see half an entry. An entry that cannot be read, is not JSON, or names another
key is a miss (and is overwritten). Paths of the city folder inside a row are stored as a marker
and restored with the folder of the run that reads it: a moved ROOT still hits. Only rows that
survive a JSON round trip unchanged are stored, so a row from the cache equals the row scored.

Bounded: entries beyond AFTERSALES_CACHE_MB (default 1024) are removed oldest-used first (a hit
touches the entry's modification time). AFTERSALES_CACHE_LOG=FILE appends one line
`scored<TAB>city<TAB>period` per city-month actually scored — how tests count re-scoring.
"""
from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import tempfile
from functools import lru_cache
from pathlib import Path
from typing import Any

from .yamlio import cache_base

FORMAT = 1                   # bump when the entry layout changes
MARKER = "\x00CITY\x00"      # stands for the city folder inside a stored row
READERS = ("python-calamine", "openpyxl", "pandas", "numpy", "defusedxml", "PyYAML", "pydantic", "msgspec")


def results_dir() -> Path:
    return cache_base() / "results"


def limit_bytes() -> int:
    try:
        mb = float(os.environ.get("AFTERSALES_CACHE_MB", "1024"))
    except ValueError:
        mb = 1024.0
    return max(0, int(mb * 1024 * 1024))


@lru_cache(maxsize=1)
def code_hash() -> str:
    """SHA-256 over the package's own .py and .yaml files (relative name and bytes)."""
    root = Path(__file__).resolve().parent
    h = hashlib.sha256()
    for path in sorted(p for p in root.rglob("*") if p.suffix in (".py", ".yaml") and p.is_file()):
        h.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return h.hexdigest()


@lru_cache(maxsize=1)
def reader_versions() -> str:
    from importlib import metadata
    out = []
    for name in READERS:
        try:
            out.append(f"{name}={metadata.version(name)}")
        except metadata.PackageNotFoundError:
            out.append(f"{name}=-")
    return ";".join(out)


def _file_hash(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def run_fingerprint(formats_dir: str | None, rubric_path: str | None, lang: str, limits: Any) -> str:
    """The key part shared by every city-month of one run: rubric and formats files, language,
    reading limits, the tool's code and the readers' versions."""
    from .rubric.loader import default_rubric_path

    h = hashlib.sha256(f"v{FORMAT}\0{lang}\0{limits!r}\0{code_hash()}\0{reader_versions()}\0".encode())
    h.update(_file_hash(Path(rubric_path) if rubric_path else default_rubric_path()).encode())
    if formats_dir:
        folder = Path(formats_dir)
        for path in sorted(folder.rglob("*")) if folder.is_dir() else [folder]:
            if path.is_file():
                h.update(path.name.encode() + b"\0" + _file_hash(path).encode())
    return h.hexdigest()


def city_key(fingerprint: str, folder: Path, city_root: Path, city: str, period: str | None,
             params: dict[str, Any], also: tuple[Path, ...] = (), kpi: Any = None) -> str | None:
    """The entry key of one city-month, or None when its files cannot be listed (scoring says why).

    `also`: other folders the result reads (the previous month's, for the kpi figures: kpi.md);
    `kpi`: the city's kpi parameters (plain data)."""
    from .read.files import find_workbooks
    try:
        files = [f for where in (folder, *also) for f in find_workbooks(where)]
        parts = [f"{_relative(f, city_root)}\0{_file_hash(f)}" for f in files]
    except Exception:  # noqa: BLE001 - an unreadable folder is scored (and reported) as usual
        return None
    blob = json.dumps({"run": fingerprint, "files": parts, "city": city, "period": period,
                       "params": params, "kpi": kpi}, ensure_ascii=False, sort_keys=True, default=repr)
    return hashlib.sha256(blob.encode("utf-8", "surrogateescape")).hexdigest()


def _relative(path: Path, base: Path) -> str:
    """`path` relative to the city folder, whatever the form of either (`.`, relative, absolute,
    through a link): ROOT given as `.` or as a full path names the same files, so the same key."""
    for a, b in ((path, base), (Path(os.path.abspath(path)), Path(os.path.abspath(base))),
                 (path.resolve(), base.resolve())):
        try:
            return a.relative_to(b).as_posix()
        except ValueError:
            continue
    return path.name


def _entry(key: str, base: str | None = None) -> Path:
    return (Path(base) if base else results_dir()) / key[:2] / f"{key}.json"


def _encoded(text: str) -> str:
    """`text` as it appears inside a JSON string (backslashes of a Windows path doubled)."""
    return json.dumps(text, ensure_ascii=False)[1:-1]


MARKED = _encoded(MARKER)


def _folder_in_text(root: Path) -> re.Pattern[str]:
    """The city folder's encoded text where it begins a path inside the row's JSON text: followed
    by a path separator, and not itself the tail of a longer path or name. A relative city folder
    (`杭州市`, ROOT given as `.`) is also the city's name, which must stay as it is."""
    return re.compile(r"(?<![\w.~/\\-])" + re.escape(_encoded(str(root))) + r"(?=/|\\\\)")


def get(key: str, city_root: Path, base: str | None = None) -> dict[str, Any] | None:
    """The stored row for `key` (in `base`, default `results_dir()`) with the city folder restored,
    or None (missing, corrupt, truncated)."""
    path = _entry(key, base)
    try:
        text = path.read_bytes().decode("utf-8", "surrogateescape")
        entry = json.loads(text.replace(MARKED, _encoded(str(city_root))))
        if not isinstance(entry, dict) or entry.get("key") != key or not isinstance(entry.get("row"), dict):
            return None
        os.utime(path)                     # least-recently-used order
    except (OSError, ValueError):
        return None
    return entry["row"]


def put(key: str, city_root: Path, row: dict[str, Any], base: str | None = None) -> bool:
    """Store `row` atomically (in `base`, default `results_dir()`); False (nothing stored) when it
    would not come back identical."""
    try:
        text = json.dumps({"key": key, "row": row}, ensure_ascii=False, allow_nan=False)
        text = _folder_in_text(city_root).sub(lambda _: MARKED, text)
        if json.loads(text.replace(MARKED, _encoded(str(city_root))))["row"] != row:
            return False
    except (TypeError, ValueError):
        return False
    path = _entry(key, base)
    tmp = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".", suffix=".tmp")
        with os.fdopen(fd, "wb") as fh:
            fh.write(text.encode("utf-8", "surrogateescape"))
        os.replace(tmp, path)
        return True
    except OSError:
        if tmp is not None:
            try:
                os.unlink(tmp)
            except OSError:
                pass
        return False


#: A temporary file of `put` older than this (seconds) belongs to no write in progress: a worker
#: ended by Ctrl-C (`workers.stop_workers`) between writing it and renaming it. `evict` removes it.
STALE_TEMP = 3600


def evict(limit: int | None = None) -> int:
    """Remove the least recently used entries until the store is within `limit` bytes
    (AFTERSALES_CACHE_MB), and temporary files older than STALE_TEMP; returns how many entries
    were removed. Never raises."""
    import time

    limit = limit_bytes() if limit is None else limit
    try:
        for tmp in results_dir().glob("*/.*.tmp"):
            with contextlib.suppress(OSError):
                if time.time() - tmp.stat().st_mtime > STALE_TEMP:
                    tmp.unlink()
    except OSError:
        pass
    entries = []
    try:
        for path in results_dir().glob("*/*.json"):
            try:
                st = path.stat()
            except OSError:
                continue
            entries.append((st.st_mtime, st.st_size, path))
    except OSError:
        return 0
    total = sum(size for _, size, _ in entries)
    removed = 0
    for _, size, path in sorted(entries):
        if total <= limit:
            break
        try:
            path.unlink()
            removed += 1
        except OSError:
            pass
        total -= size
    return removed


def log_scored(city: str, period: str | None, target: str | None = None) -> None:
    """Append `scored<TAB>city<TAB>period` to `target` or AFTERSALES_CACHE_LOG (when set): one line
    per city-month actually scored, whichever process scored it."""
    target = target or os.environ.get("AFTERSALES_CACHE_LOG")
    if not target:
        return
    try:
        with open(target, "a", encoding="utf-8") as fh:
            fh.write(f"scored\t{city}\t{period or ''}\n")
    except OSError:
        pass
