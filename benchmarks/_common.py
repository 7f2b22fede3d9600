"""Shared helpers of the benchmark scripts (not part of the package, not run in CI).

- `median_times`: in-process timings, methods interleaved round by round so machine noise hits
  every method alike; the median of each method's runs.
- `parse_floor`: the cheapest possible read of a workbook — unzip + expat parse of every sheet XML
  and of `xl/sharedStrings.xml` when present, fed in 1 MiB chunks, no handlers, so no Python
  object is made per cell. Every reader pays at least this.
- `peak_mb`: the peak resident memory of one call measured in a fresh child process (spawn), i.e.
  interpreter + the method's imports + the method's data (VmHWM on Linux, ru_maxrss elsewhere). Timings are in-process (after imports,
  warm file cache); memory is per fresh process.
- `machine_line`: the machine, Python and library versions, printed above every table.
- `city_month` / `batch_root`: get-or-generate sample data under the data dir (default
  `benchmarks/.data/`), keyed by size and seed, so re-runs do not regenerate.

This module is imported by the spawned memory-measuring children too: keep its top-level imports
to the standard library.
"""
from __future__ import annotations

import argparse
import gc
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
import zipfile
from pathlib import Path
from typing import Any, Callable, Iterable, Sequence

HERE = Path(__file__).resolve().parent
DEFAULT_DATA = HERE / ".data"
PERIOD = "2026-11"
CITY = "杭州市"
CHUNK = 1 << 20
REPORT_FILE = "维修日报表.xlsx"


# --- command line -------------------------------------------------------------------------------

def parser(description: str, repeat: int = 5) -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description=description,
                                formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    p.add_argument("--repeat", type=int, default=repeat, help="timed runs per method (median is shown)")
    p.add_argument("--data", type=Path, default=DEFAULT_DATA,
                   help="cache folder for generated inputs (made if missing; never commit it)")
    p.add_argument("--seed", type=int, default=0, help="seed of the generated data")
    return p


# --- timing ---------------------------------------------------------------------------------------

def median_times(methods: dict[str, Callable[[], Any]], repeat: int,
                 repeats: dict[str, int] | None = None,
                 warmup: Iterable[str] | None = None) -> dict[str, float]:
    """Median seconds per method over `repeat` rounds (per-method `repeats` may lower it).

    Every method runs once untimed first (imports done, files in the OS cache) unless `warmup`
    names the ones to warm up. In each round every method still due runs once, in the given
    order, so a burst of machine noise is shared by all methods of that round.
    """
    repeats = repeats or {}
    due = {name: max(1, min(repeat, repeats.get(name, repeat))) for name in methods}
    warm = set(methods) if warmup is None else set(warmup)
    for name, fn in methods.items():
        if name in warm:
            fn()
    runs: dict[str, list[float]] = {name: [] for name in methods}
    for r in range(max(due.values(), default=0)):
        for name, fn in methods.items():
            if r >= due[name]:
                continue
            gc.collect()
            t0 = time.perf_counter()
            fn()
            runs[name].append(time.perf_counter() - t0)
    return {name: statistics.median(v) for name, v in runs.items()}


def subprocess_env() -> dict[str, str]:
    """The environment of measured subprocesses: ours without PYTHONDONTWRITEBYTECODE, so that the
    untimed first run caches bytecode and the timed runs start like an installed tool does."""
    return {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def wall_time(cmd: Sequence[str], *, env: dict[str, str] | None = None, ok: Sequence[int] = (0,),
              stdout: Any = subprocess.DEVNULL) -> float:
    """Wall seconds of one subprocess, process start included; fails on an unexpected exit code."""
    t0 = time.perf_counter()
    proc = subprocess.run(list(cmd), stdout=stdout, stderr=subprocess.PIPE, env=env or subprocess_env())
    elapsed = time.perf_counter() - t0
    if proc.returncode not in ok:
        tail = proc.stderr.decode("utf-8", "replace")[-2000:]
        raise SystemExit(f"command failed (exit {proc.returncode}): {' '.join(map(str, cmd))}\n{tail}")
    return elapsed


def median_walls(commands: dict[str, Sequence[str]], repeat: int, **kw: Any) -> dict[str, float]:
    """Median wall time of each command, interleaved round by round, after one untimed run each."""
    return median_times({name: (lambda c=cmd: wall_time(c, **kw)) for name, cmd in commands.items()}, repeat)


# --- parse floor ----------------------------------------------------------------------------------

def floor_parts(names: Iterable[str]) -> list[str]:
    return [n for n in names
            if (n.startswith("xl/worksheets/") and n.endswith(".xml")) or n == "xl/sharedStrings.xml"]


def parse_floor(path: str | os.PathLike) -> int:
    """Unzip and expat-parse every sheet XML (and sharedStrings.xml) of an .xlsx; bytes parsed.

    No handlers are set, so expat only tokenises: no Python object per cell. 1 MiB chunks keep the
    memory flat whatever the sheet size.
    """
    from xml.parsers import expat

    total = 0
    with zipfile.ZipFile(path) as zf:
        for name in floor_parts(zf.namelist()):
            p = expat.ParserCreate()
            with zf.open(name) as fh:
                while True:
                    chunk = fh.read(CHUNK)
                    if not chunk:
                        break
                    p.Parse(chunk, False)
                    total += len(chunk)
            p.Parse(b"", True)
    return total


def parse_floor_many(paths: Iterable[str | os.PathLike]) -> int:
    return sum(parse_floor(p) for p in paths)


# --- peak memory in a fresh process ---------------------------------------------------------------

def _vm_hwm_mb() -> float | None:
    """VmHWM of this process (Linux): its own peak RSS, reset by exec."""
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None


def _run_once(fn: Callable[..., Any], args: tuple) -> float:
    fn(*args)
    hwm = _vm_hwm_mb()
    if hwm is not None:
        return hwm
    # no /proc (macOS): ru_maxrss, in bytes there (KiB on Linux). On Linux it is not used: it keeps
    # the pre-exec peak of the forked child, i.e. the parent's RSS.
    import resource

    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return rss / (1024 * 1024) if sys.platform == "darwin" else rss / 1024


def peak_mb(fn: Callable[..., Any], *args: Any) -> float | None:
    """Peak RSS (MiB) of a fresh spawned process that imports what `fn` needs and runs it once.

    Read from /proc/self/status VmHWM on Linux (getrusage's ru_maxrss would report the parent's
    RSS: Linux keeps the peak of the forked child across exec), ru_maxrss elsewhere. `fn` must be a
    module-level function (it is pickled by reference). None on Windows.
    """
    if sys.platform == "win32":
        return None
    import multiprocessing as mp
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(max_workers=1, mp_context=mp.get_context("spawn")) as pool:
        return pool.submit(_run_once, fn, args).result()


# --- output -----------------------------------------------------------------------------------------

def _version(dist: str) -> str | None:
    from importlib import metadata

    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return None


def machine_line() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    libs = [f"{d} {v}" for d in ("aftersales-cli", "pandas", "python-calamine", "openpyxl", "frictionless")
            if (v := _version(d))]
    line = (f"machine: {platform.system()} {platform.release()} · {cpu} · {os.cpu_count()} CPUs · "
            f"Python {platform.python_version()} ({platform.python_implementation()}) · " + " · ".join(libs))
    if os.environ.get("PYTHONDONTWRITEBYTECODE"):
        line += "\n(PYTHONDONTWRITEBYTECODE is set here: it is removed for the measured subprocesses)"
    return line


def fmt_s(x: float | None) -> str:
    return "—" if x is None else f"{x:.3f}"


def fmt_x(x: float | None) -> str:
    return "—" if x is None else f"{x:.2f}×"


def fmt_mb(x: float | None) -> str:
    return "—" if x is None else f"{x:.0f}"


def print_table(title: str, headers: Sequence[str], rows: Sequence[Sequence[Any]],
                notes: Sequence[str] = ()) -> None:
    """A plain-text table: first column left-aligned, the others right-aligned."""
    cells = [[str(c) for c in r] for r in rows]
    widths = [max(len(h), *(len(r[i]) for r in cells)) if cells else len(h) for i, h in enumerate(headers)]

    def line(values: Sequence[str]) -> str:
        return "  ".join(v.ljust(w) if i == 0 else v.rjust(w) for i, (v, w) in enumerate(zip(values, widths)))

    print()
    print(title)
    print(line(headers))
    print("  ".join("-" * w for w in widths))
    for r in cells:
        print(line(r))
    for n in notes:
        print(n)
    sys.stdout.flush()


def status(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


# --- commands -----------------------------------------------------------------------------------------

def aftersales_cmd() -> list[str]:
    """The `aftersales` console script of this interpreter's environment, else `python -m aftersales_cli`."""
    bindir = Path(sys.executable).parent
    for name in ("aftersales", "aftersales.exe"):
        exe = bindir / name
        if exe.is_file():
            return [str(exe)]
    return [sys.executable, "-m", "aftersales_cli"]


def importtime(cmd: Sequence[str]) -> list[tuple[int, int, str]]:
    """(self µs, cumulative µs, module with its nesting indent) of every import of a
    `python -X importtime …` command, in import order."""
    proc = subprocess.run(list(cmd), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=subprocess_env())
    rows = []
    for line in proc.stderr.decode("utf-8", "replace").splitlines():
        if not line.startswith("import time:") or "self [us]" in line:
            continue
        try:
            own, cum, name = line[len("import time:"):].split("|", 2)
            rows.append((int(own), int(cum), name[1:].rstrip()))   # one space, then 2 per level
        except ValueError:
            continue
    return rows


def print_importtime(rows: list[tuple[int, int, str]], top: int = 10) -> None:
    """The `top` imports by cumulative time (depth 0: imported by the program itself), and the total."""
    total = sum(cum for _, cum, name in rows if not name.startswith(" "))   # top-level imports only
    table = [[name.strip(), f"{cum / 1e6:.3f}", f"{own / 1e6:.3f}", str((len(name) - len(name.lstrip())) // 2)]
             for own, cum, name in sorted(rows, key=lambda r: -r[1])[:top]]
    print_table(f"top {top} imports by cumulative time (total of top-level imports: {total / 1e6:.3f} s)",
                ["module", "cumulative s", "self s", "depth"], table)


# --- generated data -----------------------------------------------------------------------------------

def print_profile(fn: Callable[[], Any], what: str, top: int = 25, only: str | None = None) -> None:
    """cProfile one call of `fn` (already warmed up by the caller): top functions by own time,
    then by cumulative time (restricted to names matching `only` when given)."""
    import cProfile
    import pstats

    prof = cProfile.Profile()
    prof.enable()
    fn()
    prof.disable()
    print(f"\nprofile of one {what} run (top {top} by own time):")
    pstats.Stats(prof, stream=sys.stdout).sort_stats("tottime").print_stats(top)
    print(f"profile (top {top} by cumulative time{', ' + only if only else ''}):")
    restrictions = (only, top) if only else (top,)
    pstats.Stats(prof, stream=sys.stdout).sort_stats("cumulative").print_stats(*restrictions)


def ensure_data_dir(data: Path) -> Path:
    data = Path(data)
    data.mkdir(parents=True, exist_ok=True)
    ignore = data / ".gitignore"
    if not ignore.exists():
        ignore.write_text("# generated benchmark inputs: never commit them\n*\n!.gitignore\n", encoding="utf-8")
    return data


def city_month(data: Path, orders: int, seed: int = 0) -> Path:
    """`<data>/city-o<orders>-s<seed>/<CITY>/<PERIOD>/` with the eight datasets, generated once."""
    data = ensure_data_dir(data)
    root = data / f"city-o{orders}-s{seed}"
    folder = root / CITY / PERIOD
    if (root / ".complete").exists() and (folder / REPORT_FILE).is_file():
        return folder
    from aftersales_cli.sample import generate

    status(f"generating one city of {orders:,} orders (seed {seed}) into {root} …")
    t0 = time.perf_counter()
    tmp = data / f".tmp-{root.name}-{os.getpid()}"
    shutil.rmtree(tmp, ignore_errors=True)
    generate(tmp, cities=1, orders=orders, period=PERIOD, seed=seed, city_names=[CITY])
    (tmp / ".complete").write_text("", encoding="utf-8")
    shutil.rmtree(root, ignore_errors=True)
    tmp.rename(root)
    status(f"  done in {time.perf_counter() - t0:.1f} s")
    return folder


def batch_root(data: Path, cities: int, orders: int, seed: int = 0, jobs: int = 2) -> Path:
    """`<data>/batch-c<cities>-o<orders>-s<seed>/` in the batch layout, generated once.

    Each finished city is marked in `ROOT/.done/` (batch skips dot-folders), so an interrupted
    generation resumes with the missing cities only (a city's data depends only on seed, name and
    size).
    """
    from aftersales_cli.sample import generate
    from aftersales_cli.sample.names import city_names

    data = ensure_data_dir(data)
    root = data / f"batch-c{cities}-o{orders}-s{seed}"
    done = root / ".done"
    done.mkdir(parents=True, exist_ok=True)
    names = city_names(cities)
    missing = [c for c in names if not (done / c).exists()]
    if not missing:
        return root
    status(f"generating {len(missing)} of {cities} cities × {orders:,} orders (seed {seed}, "
           f"{jobs} processes) into {root} …")
    t0 = time.perf_counter()
    count = [0]

    def progress(city: str, folder: Path) -> None:
        (done / city).write_text("", encoding="utf-8")
        count[0] += 1
        elapsed = time.perf_counter() - t0
        eta = elapsed / count[0] * (len(missing) - count[0])
        print(f"\r  {count[0]}/{len(missing)} cities · {elapsed:.0f} s elapsed · ~{eta:.0f} s left ",
              end="", file=sys.stderr, flush=True)

    generate(root, cities=len(missing), orders=orders, period=PERIOD, seed=seed, city_names=missing,
             jobs=jobs, progress=progress)
    print(file=sys.stderr)
    status(f"  done in {time.perf_counter() - t0:.1f} s")
    return root


def workbooks_under(root: Path) -> list[Path]:
    """Every .xlsx the batch reads: ROOT/<city>/<month>/*.xlsx (dot- and _-folders skipped)."""
    out = []
    for city in sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith((".", "_"))):
        out.extend(sorted(p for p in city.rglob("*.xlsx") if not p.name.startswith(("~$", "."))))
    return out
