"""HQ batch: score every city folder under a root, in parallel, and rank them.

Workers return plain dicts (cheap to pickle); a city that cannot be read or scored becomes a row
with status "error" and its one-line reason, never an exception that stops the batch.
"""
from __future__ import annotations

import os
import re
from collections import Counter
from concurrent.futures import FIRST_COMPLETED, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from . import i18n
from .core.collector import one_unit
from .core.results import BatchResult
from .errors import AftersalesError
from .paths import month_folders, readable
from .period import Period
from .workers import start_fork_server, worker_pool


@dataclass
class CityJob:
    city: str
    folder: Path | None            # None: the city did not submit the batch's month
    period: str | None
    params: dict[str, Any]
    rubric_path: str | None
    lang: str
    formats_dir: str | None = None
    kpi: Any = None                # the city's kpi.params.KpiParams (kpi.md); None: no kpi figures
    city_root: str | None = None   # the city folder (paths in a cached row are relative to it)
    cache_key: str | None = None   # None: not cached (no cache, or the files cannot be listed)
    cache_dir: str | None = None   # where the entry goes: the parent's cache folder (a worker forked
    cache_log: str | None = None   # from a fork server started earlier may hold another environment)


def city_folders(root: Path, out: Path | None = None) -> list[Path]:
    """Immediate sub-folders of ROOT, except hidden ones, `_`-prefixed ones and the output folder."""
    if not root.is_dir():
        raise AftersalesError("err.path_missing" if not root.exists() else "err.not_a_folder", root)
    skip = {os.path.realpath(out)} if out else set()
    folders = sorted((p for p in root.iterdir() if p.is_dir() and not p.name.startswith((".", "_"))
                      and os.path.realpath(p) not in skip), key=lambda p: p.name)
    check_not_a_city(root, folders)
    return folders


def check_not_a_city(root: Path, folders: list[Path]) -> None:
    """A ROOT that is itself one city — it holds only `YYYY-MM` folders, or workbooks and no other
    folder — is refused with a pointer to `aftersales score` (cli.md "Batch"), not ranked as a
    "city" named 2026-11."""
    from .period import is_period_name
    from .read.files import SUFFIXES
    if any(not is_period_name(f.name) for f in folders):
        return
    workbooks = any(p.is_file() and p.suffix.lower() in SUFFIXES and not p.name.startswith(("~$", "."))
                    for p in root.iterdir())
    if folders or workbooks:
        raise AftersalesError("batch.root_is_city", root)


def check_out(root: Path, out: Path | None) -> None:
    """Refuse an --out that is an existing file, or a city folder (or inside one) the batch reads.

    Outputs written into a city folder would be read as that city's workbooks next time
    (findings.csv, summary.csv and 汇总.xlsx have spreadsheet suffixes), and `--out` equal to a
    city folder would silently drop that city from the batch.
    """
    if out is None:
        return
    if out.exists() and not out.is_dir():
        raise AftersalesError("err.output_is_input" if _inside(out, root) else "err.output_unwritable",
                              out, detail=i18n.both("os.not_folder"))
    target = os.path.realpath(out)
    for folder in city_folders(root):
        real = os.path.realpath(folder)
        if target == real or target.startswith(real + os.sep):
            raise AftersalesError("err.output_is_input", out)


def _inside(path: Path, root: Path) -> bool:
    target, base = os.path.realpath(path), os.path.realpath(root)
    return target == base or target.startswith(base + os.sep)


def one_line(text: str) -> str:
    """A failure reason is one line: line breaks (from messages or folder names) become spaces."""
    return re.sub(r"\s*[\r\n]+\s*", " ", readable(str(text))).strip()


def _clean(row: dict[str, Any]) -> dict[str, Any]:
    """`readable` on what can hold a file-system name: the city, the reason, each finding's file and
    message (cell values are decoded by the readers and are always valid text)."""
    for key in ("city", "error"):
        if isinstance(row.get(key), str):
            row[key] = readable(row[key])
    for f in row.get("findings") or ():
        for key in ("file", "message"):
            if isinstance(f.get(key), str):
                f[key] = readable(f[key])
    return row


def plan(root: Path, period: Period | None, params_by_city: dict[str, dict[str, Any]], run,
         out: Path | None = None) -> tuple[str | None, list[CityJob], list[str]]:
    """(batch period, one job per city, warnings); each job carries the city's parameters
    (`run.city_params`) and what a worker needs to build the same run context."""
    folders = city_folders(root, out)
    if period is None:
        months = [m.name for f in folders for m in month_folders(f)]
        label = max(months) if months else None
    else:
        label = period.label
    jobs = []
    kpi = kpi_params(root, folders, params_by_city, run)
    for f in folders:
        months = month_folders(f)
        if months:
            chosen = f / label if label else months[-1]
            folder = chosen if chosen.is_dir() else None
        else:
            folder = f
        city = readable(f.name)
        key = f.name if f.name in params_by_city else city
        jobs.append(CityJob(city=city, folder=folder, period=label, params=run.city_params(key, params_by_city),
                            rubric_path=run.rubric_path, lang=run.lang, formats_dir=run.formats_dir,
                            kpi=kpi[key], city_root=str(f)))
    names = {f.name for f in folders} | {readable(f.name) for f in folders}
    warnings = [c for c in params_by_city if c not in names]
    return label, jobs, warnings


def kpi_params(root: Path, folders: list[Path], params_by_city: dict[str, dict[str, Any]], run) -> dict:
    """Each city's kpi parameters (shipped, then its `kpi:` map in ROOT/cities.yaml), checked
    against the run's formats before anything runs (exit 2 with file and line)."""
    from .cities import CITIES_FILE
    from .kpi.params import load_city_params

    keys = [f.name if f.name in params_by_city else readable(f.name) for f in folders]
    return load_city_params(root / CITIES_FILE, keys, run.formats)


KPI_KEYS = ("completion_rate", "satisfaction_rate", "repeat_rate")


def kpi_figures(job: CityJob, result, run) -> dict[str, float | None] | None:
    """The city's `kpi` entry of summary.json (kpi.md Outputs, `batch`): completion, satisfaction
    and repeat rates of its city totals as exact ratios (floats; None for "—"), computed from the
    month the scoring validated (`result`) and the previous month (`pipeline.previous_report`) —
    `pipeline.kpi_totals`: the city totals alone, the same figures `aftersales kpi` shows.

    None when kpi has nothing to count (no repair report, a header without rows) or cannot run
    for the city (a 服务类型 without a rate): kpi never changes the score or fails a city.
    """
    if job.kpi is None or job.folder is None:
        return None
    from .kpi.compute import ratio_number
    from .pipeline import kpi_totals
    try:
        totals = kpi_totals(result, job.folder, job.kpi, run, job.params)
    except AftersalesError:
        return None
    return {k: ratio_number(getattr(totals, k)) for k in KPI_KEYS}


def score_city_safe(job: CityJob) -> dict[str, Any]:
    """Score one city; never raises. Returns status ok with the scorecard, or error with a reason."""
    return score_chunk_safe([job])[0]


@one_unit
def score_chunk_safe(jobs: list[CityJob]) -> list[dict[str, Any]]:
    """Score a chunk of cities in one worker call (`pipeline.score_paths`: their cell types checked
    together, the kpi figures and the cache entries included in one unit of `core.collector`);
    never raises. One row per job, in order: status ok with the scorecard, or error with a
    one-line reason. A chunk's rows are those of its cities scored one by one."""
    rows: list[dict[str, Any] | None] = [None] * len(jobs)
    todo = []
    for i, job in enumerate(jobs):
        if job.folder is None:
            rows[i] = _failed(job, i18n.text("batch.no_month", job.lang, period=job.period))
        else:
            todo.append(i)
    if todo:
        context = None
        try:
            from . import cache
            from .pipeline import score_paths
            first = jobs[todo[0]]
            context = _run(first.formats_dir, first.rubric_path, first.lang)
            for i in todo:
                cache.log_scored(jobs[i].city, jobs[i].period, jobs[i].cache_log)
            outcomes = score_paths([(jobs[i].folder, Period.parse(jobs[i].period) if jobs[i].period else None,
                                     jobs[i].city, jobs[i].params) for i in todo], context)
        except Exception as exc:  # noqa: BLE001 - one broken city never stops the batch
            outcomes = [exc] * len(todo)
        for i, outcome in zip(todo, outcomes):
            rows[i] = _row(jobs[i], outcome, context)
    return rows  # type: ignore[return-value]


def _row(job: CityJob, outcome, context) -> dict[str, Any]:
    """The city's row from its `score_paths` outcome; an exception becomes its error row."""
    if isinstance(outcome, BaseException):
        return _failed(job, _reason(outcome, job.lang))
    try:
        card, result = outcome
        return city_row(job, card, result, context)
    except Exception as exc:  # noqa: BLE001 - one broken city never stops the batch
        return _failed(job, _reason(exc, job.lang))


def _failed(job: CityJob, reason: str) -> dict[str, Any]:
    """The error row of a city that could not be scored (summary.json `failed`)."""
    return {"city": job.city, "status": "error", "error": reason}


def _reason(exc: BaseException, lang: str) -> str:
    """An error row's one-line reason: an AftersalesError's message in `lang`, any other
    exception's type and text."""
    if isinstance(exc, AftersalesError):
        return one_line(exc.message(lang))
    return one_line(f"{type(exc).__name__}: {exc}")


def city_row(job: CityJob, card, result, run) -> dict[str, Any]:
    """The batch row of a scored city-month (status ok, the scorecard's keys but city and rubric,
    `kpi`, `findings`), stored in the result cache under the job's key when it has one. `score` on
    a city folder stores the same row under the same key (score_cache.py)."""
    from . import cache
    row = {"city": job.city, "status": "ok", **{k: v for k, v in card.to_dict().items()
                                                 if k not in ("city", "rubric")}}
    row["kpi"] = kpi_figures(job, result, run)
    row["findings"] = [f.to_dict(job.lang) for f in result.findings]
    if job.cache_key:
        cache.put(job.cache_key, Path(job.city_root or job.folder), row, job.cache_dir)
    return row


_RUNS: dict[tuple, Any] = {}


def _run(formats_dir: str | None, rubric_path: str | None, lang: str):
    """The run context of a worker process: built once per (formats, rubric, language)."""
    key = (formats_dir, rubric_path, lang)
    if key not in _RUNS:
        from .run import build_run
        _RUNS[key] = build_run(formats_dir, rubric_path, (), lang)
    return _RUNS[key]


def attach_keys(jobs: list[CityJob], run) -> None:
    """Give each job its result-cache key (cache.py): the run's fingerprint, the city-month's
    files and their content, the previous month's files (its kpi figures read them), the city,
    the period, the parameters and the kpi parameters."""
    from . import cache
    from .pipeline import previous_folder
    fingerprint = cache.run_fingerprint(run.formats_dir, run.rubric_path, run.lang, run.limits)
    where, log = str(cache.results_dir()), os.environ.get("AFTERSALES_CACHE_LOG")
    for job in jobs:
        job.cache_dir, job.cache_log = where, log
        if job.folder is not None:
            root = Path(job.city_root) if job.city_root else job.folder
            before = previous_folder(job.folder, Period.parse(job.period).previous()) if job.period else None
            job.cache_key = cache.city_key(fingerprint, job.folder, root, job.city, job.period, job.params,
                                           (before,) if before else (),
                                           job.kpi.to_dict() if job.kpi is not None else None)


#: A worker call scores up to this many cities (their cell types checked together, pandas' fixed
#: cost per column paid once per chunk) and up to about this many bytes of workbooks: big cities go
#: one by one, so a chunk never holds much more memory than one big city.
CHUNK_CITIES = 8
CHUNK_BYTES = 2 << 20


def chunks(jobs: list[CityJob], todo: list[int], workers: int, size: int | None = None) -> list[list[int]]:
    """The jobs `todo` (indexes into `jobs`) cut into chunks, in order. `size`: cities per chunk;
    None: at most CHUNK_CITIES cities and CHUNK_BYTES of month-folder files, and shrinking towards
    the end (each chunk at most the cities left / 2 × workers, "guided" scheduling), so that the
    workers finish together instead of one waiting for another's last big chunk."""
    if size is not None:
        return [todo[i:i + size] for i in range(0, len(todo), max(1, size))]
    out: list[list[int]] = []
    current: list[int] = []
    weight = 0
    cap = 1
    for n, i in enumerate(todo):
        size_i = _folder_bytes(jobs[i].folder)
        if current and (len(current) >= cap or weight + size_i > CHUNK_BYTES):
            out.append(current)
            current, weight = [], 0
        if not current:
            cap = max(1, min(CHUNK_CITIES, -(-(len(todo) - n) // (2 * max(1, workers)))))
        current.append(i)
        weight += size_i
    if current:
        out.append(current)
    return out


def _folder_bytes(folder: Path | None) -> int:
    """The bytes of the files directly in a month folder (0 when it cannot be listed)."""
    if folder is None:
        return 0
    try:
        with os.scandir(folder) as it:
            return sum(e.stat().st_size for e in it if e.is_file())
    except OSError:
        return 0


def run(jobs: list[CityJob], workers: int, on_done: Callable[[dict[str, Any]], None] | None = None,
        stats: dict[str, int] | None = None, chunk: int | None = None) -> list[dict]:
    """Score every job; results come back in job order whatever the number of workers or the
    chunk size (`chunks`; `chunk` cities per worker call, None: chosen by size).

    A job with a cache key whose entry is stored is not scored: its row comes from the cache
    (`stats`, when given, receives {"cached": n, "scored": m}); the cache is trimmed to its bound
    afterwards. Only the jobs left go to the worker processes."""
    from . import cache
    results: dict[int, dict] = {}
    todo = []
    for i, job in enumerate(jobs):
        hit = cache.get(job.cache_key, Path(job.city_root or job.folder), job.cache_dir) if job.cache_key else None
        if hit is None:
            todo.append(i)
            continue
        results[i] = hit
        if on_done:
            on_done(hit)
    if stats is not None:
        stats.update(cached=len(jobs) - len(todo), scored=len(todo))
    parts = chunks(jobs, todo, workers, chunk)
    if workers <= 1 or len(parts) <= 1:
        for part in parts:
            for i, row in zip(part, score_chunk_safe([jobs[i] for i in part])):
                results[i] = row
                if on_done:
                    on_done(row)
    else:
        def deliver(i: int, row: dict[str, Any]) -> None:
            results[i] = row
            if on_done:
                on_done(row)
        lost = _in_pool(jobs, parts, workers, deliver)
        for i in sorted(lost):
            results[i] = _alone(jobs[i])
            if on_done:
                on_done(results[i])
    if any(job.cache_key for job in jobs):
        cache.evict()
    return [results[i] for i in range(len(jobs))]


def _in_pool(jobs: list[CityJob], parts: list[list[int]], workers: int,
             deliver: Callable[[int, dict[str, Any]], None]) -> list[int]:
    """Score the chunks `parts` (indexes into `jobs`) in a pool of worker processes, calling
    `deliver(index, row)` for each row as its chunk comes back; returns the indexes lost to a
    worker that ended abnormally (`_alone` scores them again). Ctrl-C: the loop looks every POLL
    seconds, then `workers.worker_pool` ends the workers and raises KeyboardInterrupt."""
    lost: list[int] = []
    with worker_pool(min(workers, len(parts))) as (pool, interrupted):
        futures = {pool.submit(score_chunk_safe, [jobs[i] for i in part]): n for n, part in enumerate(parts)}
        pending = set(futures)
        while pending and not interrupted:
            done, pending = wait(pending, timeout=POLL, return_when=FIRST_COMPLETED)
            for fut in sorted(done, key=futures.__getitem__):
                part = parts[futures[fut]]
                try:
                    rows = fut.result()
                except BrokenProcessPool:    # a worker ended (a native crash): every unfinished chunk is lost
                    lost.extend(part)
                    continue
                except Exception as exc:  # noqa: BLE001 - a chunk's results that could not come back
                    rows = [_failed(jobs[i], _reason(exc, jobs[i].lang)) for i in part]
                for i, row in zip(part, rows):
                    deliver(i, row)
    return lost


#: How often (seconds) a batch waiting for its workers looks whether Ctrl-C was pressed.
POLL = 0.1


def _alone(job: CityJob) -> dict[str, Any]:
    """One city scored again in a worker of its own (`_in_pool` with one chunk of one city), after a
    worker of the pool ended abnormally (a native crash takes the whole pool, and with it every
    city not yet returned): the city that ends its worker gets an error row (err.worker_died),
    every other city its score. Costs one fork per lost city, and only after a crash."""
    rows: list[dict[str, Any]] = []
    if _in_pool([job], [[0]], 1, lambda i, row: rows.append(row)):
        folder = job.folder or job.city_root or job.city
        return _failed(job, _reason(AftersalesError("err.worker_died", folder), job.lang))
    return rows[0]


def start_workers(workers: int) -> None:
    """With more than one worker, start the fork server now (Linux; `workers.start_fork_server`):
    its imports of the scoring stack then run while this process builds the run context and plans
    the jobs, instead of after. `launch.main` has usually started it already, before the command
    line was imported; the pool of `run` uses the same server; nothing else changes."""
    if workers > 1:
        start_fork_server()


def rank(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Competition ranking (1, 1, 3) by total, highest first; ties by city name in code-point order."""
    ok = sorted((r for r in rows if r["status"] == "ok"), key=lambda r: (-r["total"], r["city"]))
    previous, place = None, 0
    for i, r in enumerate(ok, start=1):
        if r["total"] != previous:
            place, previous = i, r["total"]
        r["rank"] = place
    return ok


def assemble(period: str | None, rubric, rows: list[dict[str, Any]], warnings: list[str]) -> BatchResult:
    rows = [_clean(r) for r in rows]
    findings = []
    for r in rows:
        for f in r.pop("findings", []) or []:
            findings.append({"city": r["city"], **f})
    ranked = rank(rows)
    cities = [{"city": r["city"], "status": "ok", "rank": r["rank"], "total": r["total"], "max": r["max"],
               "percent": r["percent"], "kpi": r.get("kpi"), "period": r.get("period"), "items": r["items"],
               "sections": r["sections"], "findings_summary": r["findings_summary"],
               "fixes": r.get("fixes", [])} for r in ranked]
    failed = sorted(({"city": r["city"], "status": "error", "error": r["error"]}
                     for r in rows if r["status"] != "ok"), key=lambda r: r["city"])
    if period is None:
        periods = Counter(r.get("period") for r in ranked if r.get("period"))
        period = periods.most_common(1)[0][0] if periods else ""
    return BatchResult(period=period, rubric=rubric, cities=cities, failed=failed, findings=findings,
                       warnings=warnings)
