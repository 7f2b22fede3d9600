"""The batch's worker processes: how they start (issue 16).

Kept free of heavy imports (no pandas, Typer or rich) so that `launch.main` can start the fork
server before the command line itself is imported.
"""
from __future__ import annotations

import contextlib
from typing import Any, Iterator

#: The module a fork server imports once for all its workers (the scoring stack, warm).
PRELOAD = "aftersales_cli.batch_worker"


def worker_context():
    """The multiprocessing context of the batch's workers: processes that start warm.

    On Linux a fork server imports the scoring stack (pandas, calamine, msgspec, the formats and
    the rubric: `batch_worker`) once and forks each worker from it: no worker pays the imports,
    and no worker is forked from the parent's threads (the progress bar). Elsewhere: spawn.
    """
    import multiprocessing as mp

    if "forkserver" in mp.get_all_start_methods():
        ctx = mp.get_context("forkserver")
        ctx.set_forkserver_preload([PRELOAD])
        return ctx
    return mp.get_context("spawn")


def start_fork_server() -> None:
    """Start the fork server now, if this platform has one (its imports then run beside whatever
    this process does next); a no-op when it is running or on spawn-only platforms.

    The server, multiprocessing's resource tracker and every worker forked from the server start
    with SIGINT blocked (a signal mask is inherited through fork and exec): Ctrl-C in the terminal
    goes to the whole process group, and a worker interrupted inside the pool's queues can leave
    the batch hanging for good (measured on 2b0cf62). Only this process reacts to Ctrl-C, and
    `worker_pool` then stops the workers (`stop_workers`)."""
    if worker_context().get_start_method() != "forkserver":
        return
    import signal
    from multiprocessing import forkserver, resource_tracker

    with _quiet_descendants():
        resource_tracker.ensure_running()   # first: its own start unblocks SIGINT in this process when done
        mask = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
        try:
            forkserver.ensure_running()
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, mask)


@contextlib.contextmanager
def _quiet_descendants() -> Iterator[None]:
    """Processes started in the block write to the null device, not to this process's stdout and
    stderr (file descriptors 1 and 2, restored after). The fork server outlives a batch that
    stops early by the time its imports take, and a pipe reading the batch's output
    (`aftersales batch … | …`, `$(…)`) waited for it; a worker can no longer write into the JSON
    of `--format json`, and a worker's native crash prints nothing (its city's row says
    err.worker_died, naming the folder). A descriptor that is closed stays closed."""
    import os

    saved: dict[int, int] = {}
    for fd in (1, 2):
        try:
            saved[fd] = os.dup(fd)
        except OSError:                  # closed: a child inherits nothing there
            pass
    null = os.open(os.devnull, os.O_WRONLY)
    try:
        for fd in saved:
            os.dup2(null, fd)
        yield
    finally:
        for fd, copy in saved.items():
            os.dup2(copy, fd)
            os.close(copy)
        os.close(null)                   # (never 1 or 2 while they are open)


#: The signals a batch's pool takes as "stop": Ctrl-C, and `kill PID` (SIGTERM).
STOP_SIGNALS = ("SIGINT", "SIGTERM")


@contextlib.contextmanager
def interrupts_held() -> Iterator[list[int]]:
    """Ctrl-C (SIGINT) and SIGTERM taken as a request for the block: each one is appended to the
    list yielded (true once one came: the block looks at it where stopping is safe), and on
    leaving the block KeyboardInterrupt is raised for SIGINT (exit 130), SystemExit(143) for
    SIGTERM (128 + 15, the code a process ended by it has). In the main thread only (only it
    receives Python's signals); elsewhere the list stays empty. A signal this process was started
    with ignored (`nohup`, `cmd &` in a script) stays ignored.

    A handler, not a signal mask: another thread (the progress bar's) would take the signal."""
    import signal
    import threading

    seen: list[int] = []
    if threading.current_thread() is not threading.main_thread():
        yield seen
        return
    previous = {}
    for name in STOP_SIGNALS:
        signum = getattr(signal, name)
        if signal.getsignal(signum) is not signal.SIG_IGN:
            previous[signum] = signal.signal(signum, lambda number, frame: seen.append(number))
    try:
        yield seen
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    if signal.SIGTERM in seen:
        raise SystemExit(128 + signal.SIGTERM)
    if seen:
        raise KeyboardInterrupt


@contextlib.contextmanager
def worker_pool(workers: int) -> Iterator[tuple[Any, list[int]]]:
    """(a ProcessPoolExecutor of `workers` batch workers, the Ctrl-C list of `interrupts_held`).

    Ctrl-C is taken as a request, never as an exception in the middle of the pool's own locks and
    queues (where Python 3.11's pool, cut short, hung for good or failed with "release unlocked
    lock"): the caller's loop looks at the list where stopping is safe and leaves the block; the
    workers are then ended (`stop_workers`) and KeyboardInterrupt (SystemExit(143) for SIGTERM) is
    raised once the pool is shut.
    Any exception from the block ends the workers too. The workers themselves never see the
    terminal's Ctrl-C (`start_fork_server`)."""
    from concurrent.futures import ProcessPoolExecutor

    start_fork_server()                  # a no-op when it is running
    with interrupts_held() as interrupted:
        pool = ProcessPoolExecutor(max_workers=workers, mp_context=worker_context(),
                                   initializer=end_with_the_batch)
        try:
            yield pool, interrupted
        except BaseException:
            stop_workers(pool)
            raise
        else:
            if interrupted:
                stop_workers(pool)
        finally:
            pool.shutdown(wait=True)     # (its weakref callback runs now, while signals are held)
            del pool


#: The exit code of a worker that ended because the batch process was gone (128 + SIGHUP's 1: its
#: controlling process hung up). Nobody reads it; it tells such an end apart in a process list.
ORPHANED = 129


def end_with_the_batch() -> None:
    """A worker's initializer: a daemon thread waits for the batch process to end and then ends
    the worker (`os._exit(ORPHANED)`), whatever the worker is doing.

    A batch process that ends without stopping its workers — `kill -9`, the OOM killer, a
    closed terminal's SIGKILL, Task Manager's "End task" — used to leave them blocked for good
    on the pool's queues (each worker holds both ends of its pipes, so none ever reads EOF; noticed
    in session 8, README "Issue 16 — session 11"). multiprocessing gives every child a sentinel
    of the process that started it (`multiprocessing.parent_process()`: the batch, also for a
    worker forked by the fork server); it becomes ready when that process has ended. Waiting on
    it costs no CPU."""
    import multiprocessing as mp
    import threading

    parent = mp.parent_process()
    if parent is not None:
        threading.Thread(target=_exit_when_ended, args=(parent,), name="aftersales-batch-watch",
                         daemon=True).start()


def _exit_when_ended(parent) -> None:
    import os

    parent.join()                       # returns once the batch process has ended
    os._exit(ORPHANED)


def stop_workers(pool) -> None:
    """Stop a ProcessPoolExecutor's work now (the batch was interrupted): the worker processes are
    ended and the chunks not started cancelled (`multiprocessing.active_children`: the pool's
    workers are this process's only `Process` children); results already in are kept by the caller."""
    import multiprocessing as mp

    for child in mp.active_children():
        child.terminate()
    pool.shutdown(wait=True, cancel_futures=True)   # the pool sees its workers gone and ends at once
