"""The batch's worker processes: how they start (issue 16).

Kept free of heavy imports (no pandas, Typer or rich) so that `launch.main` can start the fork
server before the command line itself is imported.
"""
from __future__ import annotations

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
    this process does next); a no-op when it is running or on spawn-only platforms."""
    if worker_context().get_start_method() == "forkserver":
        from multiprocessing import forkserver
        forkserver.ensure_running()
