"""`aftersales batch` over many cities: --jobs 1 vs --jobs 2, worker memory, vs the parse floor.

    python benchmarks/batch.py [--cities 300] [--orders 10000] [--repeat 1] [--data DIR] [--profile]

The input is `aftersales sample`'s batch layout (ROOT/<city>/2026-11/, eight workbooks per city, the
repair report of --orders rows, the other datasets at their natural size), generated once with two
processes and cached under the data dir (a 300 × 10,000 root takes a long while the first time).

- floor: unzip + expat parse of every sheet of every workbook of every city, in one process,
  after a warm-up run (which also puts the files in the OS cache); measured before each round of
  batch runs and once after the last, and the median of those --repeat + 1 is taken, so that the
  floor sees the machine the batch runs saw (this shared VM's speed drifts by up to 50 % within
  minutes); floor / 2 is the 2-core floor.
- aftersales batch ROOT --jobs J --out TMP, as a subprocess: wall time (process start included),
  median of --repeat runs, jobs 1 and 2 interleaved.
- peak MB: while the batch runs, its process tree is polled every 50 ms (/proc/<pid>/task/*/children,
  then VmHWM of /proc/<pid>/status — each process's own high-water mark of resident memory). "main"
  is the batch process itself (with --jobs 1 it scores every city in-process); "worker" is the
  largest of the pool's worker processes (the multiprocessing resource tracker is left out). A
  worker's last reading is taken up to 50 ms before it exits. Linux only; "—" elsewhere.
Targets (../shared/spec/quality.md, issue 16): jobs 1 / jobs 2 ≥ 1.7; batch (jobs 2) ≤ 3 × floor / 2
at 10,000 orders a city, ≤ 4 × at 1,000; worker peak < 300 MB. `--profile` instead profiles one city in-process: its sheets' floor beside `score_path`,
and a cProfile of it (where a worker's time goes).
"""
from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import _common as c

PROC = Path("/proc")


def _children(pid: int) -> list[int]:
    kids: list[int] = []
    try:
        for task in (PROC / str(pid) / "task").iterdir():
            try:
                kids.extend(int(x) for x in (task / "children").read_text().split())
            except (OSError, ValueError):
                continue
    except OSError:
        pass
    return kids


def _children_by_scan(pid: int) -> list[int]:
    """Fallback when the kernel has no task/*/children: the processes whose parent is `pid`."""
    kids = []
    for entry in PROC.iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
                if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                    kids.append(int(entry.name))
            except (OSError, ValueError, IndexError):
                continue
    return kids


def _hwm_mb(pid: int) -> float | None:
    try:
        with open(PROC / str(pid) / "status", encoding="ascii", errors="replace") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except (OSError, ValueError):
        pass
    return None


def _cmdline(pid: int) -> str:
    try:
        return (PROC / str(pid) / "cmdline").read_bytes().replace(b"\0", b" ").decode("utf-8", "replace")
    except OSError:
        return ""


class TreeMemory(threading.Thread):
    """Polls the peak resident memory (VmHWM) of a process and all its descendants."""

    def __init__(self, pid: int, interval: float = 0.05) -> None:
        super().__init__(daemon=True)
        self.pid, self.interval = pid, interval
        self.peak: dict[int, float] = {}
        self.kind: dict[int, str] = {}
        self.stop = threading.Event()
        probe = PROC / str(os.getpid()) / "task" / str(os.getpid()) / "children"
        self.find = _children if probe.exists() else _children_by_scan

    def run(self) -> None:
        while not self.stop.is_set():
            self.poll()
            self.stop.wait(self.interval)

    def poll(self) -> None:
        todo, seen = [self.pid], set()
        while todo:
            pid = todo.pop()
            if pid in seen:
                continue
            seen.add(pid)
            hwm = _hwm_mb(pid)
            if hwm is not None:
                self.peak[pid] = max(hwm, self.peak.get(pid, 0.0))
                if pid not in self.kind:
                    cmd = _cmdline(pid)
                    self.kind[pid] = ("main" if pid == self.pid else
                                      "tracker" if "resource_tracker" in cmd else "worker")
            todo.extend(self.find(pid))

    def summary(self) -> tuple[float | None, float | None, int]:
        """(main peak MB, largest worker peak MB, workers seen)."""
        workers = [mb for pid, mb in self.peak.items() if self.kind.get(pid) == "worker"]
        return self.peak.get(self.pid), (max(workers) if workers else None), len(workers)


def run_batch(root: Path, jobs: int, out: Path) -> tuple[float, float | None, float | None, int, int]:
    """(wall seconds, main peak MB, worker peak MB, workers, exit code) of one batch run."""
    shutil.rmtree(out, ignore_errors=True)
    cmd = [*c.aftersales_cmd(), "batch", str(root), "--jobs", str(jobs), "--out", str(out), "--no-cache"]
    with tempfile.TemporaryFile() as err:
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=err, env=c.subprocess_env())
        mon = None
        if PROC.is_dir():
            mon = TreeMemory(proc.pid)
            mon.start()
        code = proc.wait()
        elapsed = time.perf_counter() - t0
        if mon:
            mon.stop.set()
            mon.join()
        if code not in (0, 3):
            err.seek(0)
            sys.exit(f"{' '.join(cmd)} failed (exit {code}):\n{err.read().decode('utf-8', 'replace')[-3000:]}")
    main_mb, worker_mb, n = mon.summary() if mon else (None, None, 0)
    return elapsed, main_mb, worker_mb, n, code


def _floor_once(books: list[Path]) -> float:
    """Seconds of one parse floor of `books` (`median_times` of one timed run, no warm-up)."""
    return c.median_times({"floor": lambda: c.parse_floor_many(books)}, 1, warmup=())["floor"]


def profile_city(city: Path, top: int = 25) -> None:
    """What one worker does for one city: the parse floor of its sheets beside a cProfile of scoring it."""
    from aftersales_cli.pipeline import score_path

    score_path(city)                                   # imports and caches out of the profile
    floor = c.median_times({"floor": lambda: c.parse_floor_many(c.workbooks_under(city.parent))}, 3)["floor"]
    scored = c.median_times({"score": lambda: score_path(city)}, 3)["score"]
    print(f"\none city ({city.parent.name}/{city.name}): floor of its sheets {floor:.3f} s, score_path {scored:.3f} s "
          f"({scored / floor:.2f}× the floor), medians of 3 in-process runs")
    c.print_profile(lambda: score_path(city), "score_path", top, only="aftersales_cli")


def main(argv: list[str] | None = None) -> int:
    p = c.parser(__doc__.splitlines()[0], repeat=1)
    p.add_argument("--cities", type=int, default=300, help="cities in the root")
    p.add_argument("--orders", type=int, default=10_000, help="repair report rows per city")
    p.add_argument("--gen-jobs", type=int, default=2, help="processes generating the data (first run only)")
    p.add_argument("--profile", action="store_true",
                   help="only profile one city of the root in-process (where a worker's time goes)")
    args = p.parse_args(argv)

    root = c.batch_root(args.data, args.cities, args.orders, args.seed, jobs=args.gen_jobs)
    if args.profile:
        print(c.machine_line())
        city = sorted(d for d in root.iterdir() if d.is_dir() and not d.name.startswith((".", "_")))[0]
        profile_city(sorted(d for d in city.iterdir() if d.is_dir())[-1])     # its month folder
        return 0
    books = c.workbooks_under(root)
    print(c.machine_line())
    print(f"{args.cities} cities × {args.orders:,} orders: {len(books)} workbooks, "
          f"{sum(b.stat().st_size for b in books) / 1e6:.0f} MB of .xlsx")
    print(f"floor: in-process, before each of the {args.repeat} rounds and after the last, median of "
          f"{args.repeat + 1} after a warm-up; batch: wall time of the whole process, median of {args.repeat} runs "
          f"(jobs 1 and 2 interleaved); peak MB: VmHWM polled every 50 ms")

    c.parse_floor_many(books)                        # warm-up: imports, the files in the OS cache
    floors: list[float] = []
    runs: dict[int, list[tuple]] = {1: [], 2: []}
    partial = False
    with tempfile.TemporaryDirectory(prefix="aftersales-bench-") as tmp:
        for r in range(args.repeat):
            floors.append(_floor_once(books))
            for jobs in (1, 2):
                c.status(f"batch --jobs {jobs} (run {r + 1}/{args.repeat}) …")
                res = run_batch(root, jobs, Path(tmp) / f"out-j{jobs}")
                partial |= res[4] == 3
                runs[jobs].append(res)
    floors.append(_floor_once(books))
    floor = statistics.median(floors)
    floor2 = floor / 2

    def med(jobs: int, i: int) -> float | None:
        vals = [r[i] for r in runs[jobs] if r[i] is not None]
        return statistics.median(vals) if vals else None

    def peak(jobs: int, i: int) -> float | None:
        vals = [r[i] for r in runs[jobs] if r[i] is not None]
        return max(vals) if vals else None

    t1, t2 = med(1, 0), med(2, 0)
    rows = [["floor: every sheet, 1 process", c.fmt_s(floor), c.fmt_x(floor / floor2), "", ""],
            ["floor / 2 (2-core floor)", c.fmt_s(floor2), c.fmt_x(1.0), "", ""],
            ["aftersales batch --jobs 1", c.fmt_s(t1), c.fmt_x(t1 / floor2), c.fmt_mb(peak(1, 1)),
             c.fmt_mb(peak(1, 2))],
            ["aftersales batch --jobs 2", c.fmt_s(t2), c.fmt_x(t2 / floor2), c.fmt_mb(peak(2, 1)),
             c.fmt_mb(peak(2, 2))]]
    worker = peak(2, 2)
    notes = [f"speed-up jobs 1 / jobs 2 = {t1 / t2:.2f}×   (target ≥ 1.7)",
             f"batch (jobs 2) / (floor / 2) = {t2 / floor2:.2f}×   (target ≤ 3 at 10,000 orders a city, "
             f"≤ 4 at 1,000)",
             f"worker peak = {c.fmt_mb(worker)} MB   (target < 300; with --jobs 1 the main process scores: "
             f"{c.fmt_mb(peak(1, 1))} MB; worker processes seen with --jobs 2: {max(r[3] for r in runs[2])})",
             "floors measured (s, in order): " + ", ".join(f"{f:.3f}" for f in floors)]
    if partial:
        notes.append("note: some cities could not be scored (exit code 3)")
    c.print_table(f"batch: {args.cities} cities × {args.orders:,} orders",
                  ["method", "seconds (median)", "ratio to 2-core floor", "main peak MB", "worker peak MB"],
                  rows, notes)
    return 0


if __name__ == "__main__":
    sys.exit(main())
