"""Imported once by the batch's fork server, so that every worker forked from it starts warm: the
whole scoring stack a worker's first city would otherwise import (measured: ~20 ms of lazy imports
on the first city), then `gc.freeze()` so the workers' collections never walk — and never copy on
write — the objects they inherit.

The imports run with the cyclic collector paused (`core.collector`; the order Python's `gc.freeze`
documentation gives for a parent that forks: collector off early, freeze before the fork): it
would walk the ~100,000 objects pandas and its kin create, find nothing to free, and it delays
every worker's start — 0.373 → 0.324 s median here (README "Issue 16 — session 10")."""
import gc

from .core.collector import collection_paused

with collection_paused():
    import python_calamine  # noqa: F401  (the reader; read/files.py imports it on first use)
    import defusedxml.ElementTree  # noqa: F401  (sheets holding a formula or an error cell)

    from . import batch, cache, pipeline  # noqa: F401  (pandas, the readers, validators)
    from .formats import load_formats
    from .i18n import catalogue
    from .kpi import compute as _kpi_compute, params as _kpi_params, table as _kpi_table  # noqa: F401  (kpi figures)
    from .metrics import compute as _metrics  # noqa: F401
    from .rubric import engine as _engine, fixes as _fixes  # noqa: F401
    from .rubric.fixes import fixable_codes
    from .rubric.loader import load_rubric

    load_formats()
    catalogue()
    fixable_codes()
    try:
        load_rubric()
    except Exception:  # noqa: BLE001 - a broken default rubric is reported by the batch itself
        pass
    gc.freeze()
