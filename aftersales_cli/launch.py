"""The `aftersales` entry point (pyproject `[project.scripts]`, `python -m aftersales_cli`).

A batch with more than one worker needs a fork server that imports the scoring stack (~0.5 s).
Started here, before the command line (Typer, rich, the command modules: ~0.15 s) is imported,
those imports overlap (issue 16; README "Issue 16 — session 9"). Whether to start it is read from
the raw arguments by `wants_workers`; a wrong guess only costs a server that is not used, or one
started later by the batch itself (`batch.start_workers`): the results never depend on it.
"""
from __future__ import annotations

import gc
import os
import signal
import sys


def wants_workers(args: list[str]) -> bool:
    """True when ARGS (the command line after the program name) run `batch` with more than one
    worker: `batch` first, no -h/--help, and `--jobs N`, `--jobs=N`, `-j N` or `-jN` with N > 1, or
    no --jobs on a machine with more than one CPU (the batch's default: one worker per CPU)."""
    if not args or args[0] != "batch" or "-h" in args or "--help" in args:
        return False
    jobs: str | None = None
    rest = iter(args[1:])
    for arg in rest:
        if arg == "--":
            break
        if arg in ("--jobs", "-j"):
            jobs = next(rest, "")          # no value: Typer refuses the line
        elif arg.startswith("--jobs="):
            jobs = arg[len("--jobs="):]
        elif arg.startswith("-j") and not arg.startswith("--"):
            jobs = arg[2:]
    if jobs is None:
        return (os.cpu_count() or 1) > 1
    try:
        return int(jobs) > 1
    except ValueError:
        return False


def main() -> None:
    """Start the batch's fork server when `wants_workers`, then run the command line. Ctrl-C before
    the command line can answer it (while it is imported) ends with exit 130 and no traceback, as
    Ctrl-C does later (`cli.console.run`); `kill PID` ends it with exit 143 and nothing half-written
    (`_terminate_as_exit`).

    Once the command is over, every object left is frozen (`gc.freeze`): the interpreter's
    collections at shutdown would walk all of them — pandas, the rows, the command line — and free
    nothing the operating system does not take back at exit (0.147 → 0.020 s after the last atexit
    handler for a 40-city `--jobs 1` batch, 0.056 → 0.013 s with `--jobs 2`; README "Issue 16 —
    session 10"). Files are closed by then (written atomically); stdout and stderr are flushed by
    the interpreter whatever the collector does."""
    _terminate_as_exit()
    one_blas_thread()
    try:
        if wants_workers(sys.argv[1:]):
            from .workers import start_fork_server
            try:
                start_fork_server()
            except Exception:  # noqa: BLE001 - the batch starts its workers itself (and reports) if this fails
                pass
        from .cli import main as run_command_line
        run_command_line()
    except KeyboardInterrupt:
        sys.exit(130)
    finally:                 # the command is over: a late Ctrl-C must not interrupt the clean-up at exit
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        if signal.getsignal(signal.SIGTERM) is _exit_terminated:
            signal.signal(signal.SIGTERM, signal.SIG_DFL)
        gc.freeze()


#: The environment variable that sizes numpy's OpenBLAS thread pool when numpy is first imported.
BLAS_THREADS = "OPENBLAS_NUM_THREADS"


def one_blas_thread() -> None:
    """numpy's OpenBLAS started with no thread of its own, unless the user set its size: the tool
    does no linear algebra, and runs its work in parallel as processes (`--jobs`). By default
    numpy's import starts a pool thread per further CPU, which spins for ~0.05–0.1 s of CPU in
    every process that imports it — in a batch, the fork server's, beside the command's own start:
    its import 0.35 → 0.31 s and the first city 0.45 → 0.41 s after the start, median of eight
    40-city `--jobs 2` batches each (README "Issue 16 — session 13"). Set in this process's
    environment before anything imports numpy, so the fork server and workers inherit it."""
    os.environ.setdefault(BLAS_THREADS, "1")


def _terminate_as_exit() -> None:
    """`kill PID` (SIGTERM) ends the command the way Ctrl-C does: through Python's exit path, as
    SystemExit(143) (128 + 15, the code of a process ended by SIGTERM), so the output being written
    is removed (`report.atomic`) instead of left as a half-written temporary file by the default,
    immediate end, and an output folder made for nothing goes too. While a batch's workers run,
    `workers.interrupts_held` takes SIGTERM itself and stops them first. A SIGTERM this process
    was started with ignored stays ignored."""
    if signal.getsignal(signal.SIGTERM) is signal.SIG_DFL:
        signal.signal(signal.SIGTERM, _exit_terminated)


def _exit_terminated(signum, frame) -> None:
    raise SystemExit(128 + signum)
