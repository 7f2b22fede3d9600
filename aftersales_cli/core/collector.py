"""Python's cyclic garbage collector paused while one unit of work runs: a month read and
validated (`pipeline.validate_path`), a chunk of city-months scored (`pipeline.score_paths`), the
batch's outputs written (`report.summary.write_outputs`).

Reading and checking a month allocates hundreds of thousands of short-lived container objects
(rows, cells' lists, findings, pandas' frames); the collector walks the young ones every 700
allocations and, every hundred such passes, every object the unit holds — work that finds
nothing, since what a unit builds it drops when it ends. Paused, that work is not done; when the
unit ends the collector runs again as before, and its next pass collects whatever cycles the
unit left, so memory stays bounded by one unit (measured: 4–9 % of a batch worker's time per
1,000-order city, ~3 % of validating a 50,000-row report, the same peak memory — README
"Issue 16 — session 6"). A unit inside another leaves the outer one's pause alone.
"""
from __future__ import annotations

import gc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps
from typing import ParamSpec, TypeVar

P = ParamSpec("P")
R = TypeVar("R")


@contextmanager
def collection_paused() -> Iterator[None]:
    """The collector off inside the block, on again after it — unless it was already off."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def one_unit(fn: Callable[P, R]) -> Callable[P, R]:
    """`fn` run with the collector paused (`collection_paused`)."""
    @wraps(fn)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        with collection_paused():
            return fn(*args, **kwargs)
    return run
