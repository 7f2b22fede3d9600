"""`score` on a city folder (or a month folder) through the result cache (trends.md §2).

The key and the entry are batch's (`batch.CityJob`, `batch.attach_keys`, `batch.city_row`): the
month's files, the previous month's files, the city, the period, the parameters, the kpi
parameters and the run's fingerprint. A `score` after a `batch` over the same ROOT hits, and a
`batch` after a `score` hits. A hit gives the scorecard back from the batch row
(`report.summary.card_from_row`: items, reasons, metrics, finding summary and the fix list);
what the table needs besides it is not cached but derived the way a cold run derives it: how the
period was chosen (`paths.resolve`) and the input files (`read.files.find_workbooks`, the list
an output path is refused against).

Not cached: a file, and a folder whose period is inferred from its rows (no --period, no
`YYYY-MM` in the path) — the period then depends on the contents, or on today's date.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from .errors import AftersalesError
from .period import Period, is_period_name
from .rubric.engine import Scorecard
from .run import Run


@dataclass(frozen=True)
class Scored:
    """What `score` prints and writes: the scorecard, how the period was chosen (period.how.*
    key: option | folder | rows | other | today), the input files (str) and whether it came
    from the cache."""
    card: Scorecard
    period_source: str
    inputs: tuple[str, ...]
    cached: bool = False


def score_cached(path: Path, period: Period | None, city: str | None, run: Run, use_cache: bool = True) -> Scored:
    """Score PATH as `pipeline.score_path` does, reading and filling the result cache when the
    month is a folder with a known period. Raises what `score_path` raises."""
    from .paths import resolve
    from .pipeline import score_path

    from . import cache

    folder, chosen, how = resolve(Path(path), period)
    job = _job(folder, chosen, city, run) if use_cache and chosen is not None and folder.is_dir() else None
    if job is None:
        card, result = score_path(path, period, city, run)
        cache.log_scored(card.city, card.period)
        return Scored(card, result.period_source, tuple(result.submission.files))
    from .batch import attach_keys, city_row
    from .read.files import find_workbooks
    from .report.summary import card_from_row

    attach_keys([job], run)
    root = Path(job.city_root)
    hit = cache.get(job.cache_key, root, job.cache_dir) if job.cache_key else None
    if hit is not None and hit.get("status") == "ok":
        return Scored(card_from_row(hit, run.rubric), how, tuple(str(f) for f in find_workbooks(folder)), True)
    cache.log_scored(job.city, job.period, job.cache_log)
    card, result = score_path(folder, chosen, job.city, run, job.params)
    if job.cache_key:
        city_row(job, card, result, run)
        cache.evict()
    return Scored(card, how, tuple(result.submission.files))


def _job(folder: Path, chosen: Period, city: str | None, run: Run):
    """The batch job of this city-month (batch.plan's fields), or None when the kpi parameters in
    the cities.yaml above cannot be read (score does not need them; the month is then not cached)."""
    from .batch import CityJob, kpi_params
    from .paths import city_name, readable
    from .pipeline import city_params

    if folder.name in ("", "..") or ".." in folder.parts:
        folder = Path(os.path.abspath(folder))     # the city folder must have a name to stand for it
    city_root = folder.parent if is_period_name(folder.name) else folder
    city = city or city_name(folder)
    params = city_params(run, folder, city)
    try:
        by_city = run.cities(city_root.parent)
        key = city_root.name if city_root.name in by_city else readable(city_root.name)
        kpi = kpi_params(city_root.parent, [city_root], by_city, run)[key]
    except AftersalesError:
        return None
    return CityJob(city=city, folder=folder, period=chosen.label, params=params, rubric_path=run.rubric_path,
                   lang=run.lang, formats_dir=run.formats_dir, kpi=kpi, city_root=str(city_root))
