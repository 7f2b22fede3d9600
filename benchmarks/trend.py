"""The result cache and `aftersales trend` (trends.md "Performance"): ratios measured in one run.

    python benchmarks/trend.py [--cities 20] [--orders 1000] [--months 6] [--jobs 2] [--data DIR]

The input is `aftersales sample --months` output (ROOT/<city>/<YYYY-MM>/, eight workbooks per
city-month, the last city missing the month before the latest), generated once and kept under the
data dir. Every step runs in this process with the same functions the commands call (the run
context, `batch.plan` / `trend.plan_trend`, `batch.attach_keys`, `batch.run` with --jobs worker
processes, then assembling and writing the outputs), each with its own empty cache folder unless
said otherwise; an untimed warm-up batch first starts the workers' fork server, loads the formats
and the rubric and puts the files in the OS cache. `--repeat K` runs the four steps K times in
turn (so machine noise hits them alike) and shows the medians.

1. batch, cold: the latest month, empty cache — "scoring" (listing and hashing the files, scoring
   every city) and "writing" (汇总.xlsx, summary.json, summary.csv, findings.csv) timed apart.
2. batch again after one cell of one city's repair report changed: its scoring must be ≤ 5 % of
   the cold scoring, the whole re-run ≤ its writing + that.
3. trend over every month, cold: ≤ 6.5 × step 1's whole time.
4. trend warm after one new month: the cache filled by a trend up to the month before the latest,
   then trend over every month: ≤ 1.3 × step 1's whole time.
The spec's figures are for 300 cities; the default is 20 (so that a run takes minutes on two
cores): pass --cities 300 for the spec's size.
"""
from __future__ import annotations

import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import _common as c


def trend_root(data: Path, cities: int, orders: int, months: int, seed: int, jobs: int) -> Path:
    """`<data>/trend-c<cities>-o<orders>-m<months>-s<seed>/`, generated once (marked by `.done`)."""
    from aftersales_cli.period import Period
    from aftersales_cli.sample.months import generate_months, months_until
    from aftersales_cli.sample.names import city_names

    root = c.ensure_data_dir(data) / f"trend-c{cities}-o{orders}-m{months}-s{seed}"
    if (root / ".done").exists():
        return root
    shutil.rmtree(root, ignore_errors=True)
    c.status(f"generating {cities} cities × {months} months × {orders:,} orders into {root} …")
    t0 = time.perf_counter()
    generate_months(root, city_names(cities), orders, months_until(Period.parse(c.PERIOD), months), seed,
                    "standard", jobs=jobs, force=True)
    (root / ".done").mkdir()
    c.status(f"generated in {time.perf_counter() - t0:.0f} s")
    return root


def batch_once(root: Path, jobs: int, out: Path) -> tuple[float, float, dict]:
    """(scoring seconds, writing seconds, cache stats) of one batch of the latest month."""
    from aftersales_cli.batch import assemble, attach_keys, plan, run
    from aftersales_cli.report.summary import write_outputs
    from aftersales_cli.run import build_run

    t0 = time.perf_counter()
    context = build_run()
    label, city_jobs, warnings = plan(root, None, context.cities(root), context, out)
    attach_keys(city_jobs, context)
    stats: dict = {}
    rows = run(city_jobs, jobs, None, stats)
    t1 = time.perf_counter()
    write_outputs(assemble(label, context.rubric, rows, warnings), out, "zh")
    return t1 - t0, time.perf_counter() - t1, stats


def trend_once(root: Path, jobs: int, out: Path, last: str | None = None) -> tuple[float, float, dict]:
    """(scoring seconds, writing seconds, cache stats) of one trend over every month (up to `last`)."""
    from aftersales_cli.batch import attach_keys, run
    from aftersales_cli.period import Period
    from aftersales_cli.report.trend_workbook import write_trend_outputs
    from aftersales_cli.run import build_run
    from aftersales_cli.trend import assemble_trend, city_changes, full_marks, item_averages, network, plan_trend

    t0 = time.perf_counter()
    context = build_run()
    months, cities, city_jobs, where = plan_trend(root, None, Period.parse(last) if last else None,
                                                  context.cities(root), context, out)
    attach_keys(city_jobs, context)
    stats: dict = {}
    rows = run(city_jobs, jobs, None, stats)
    t1 = time.perf_counter()
    doc = assemble_trend(months, cities, context.rubric, rows, where)
    extra = {"network": network(doc), "items": item_averages(doc, context.rubric),
             "full_marks": full_marks(rows, months, where, cities, context.rubric),
             "changes": city_changes(rows, months, where, cities)}
    write_trend_outputs(doc, extra, context.rubric, out, "zh")
    return t1 - t0, time.perf_counter() - t1, stats


def change_one_report(root: Path) -> tuple[Path, bytes]:
    """Change one cell of the first city's latest repair report; (the file, its old bytes)."""
    import openpyxl

    city = sorted(d for d in root.iterdir() if d.is_dir() and not d.name.startswith((".", "_")))[0]
    path = sorted(d for d in city.iterdir() if d.is_dir())[-1] / c.REPORT_FILE
    old = path.read_bytes()
    wb = openpyxl.load_workbook(path)
    ws = wb.active
    ws.cell(2, ws.max_column).value = f"{ws.cell(2, ws.max_column).value or ''}（已复核）"
    wb.save(path)
    return path, old


def main(argv: list[str] | None = None) -> int:
    p = c.parser(__doc__.splitlines()[0], repeat=1)
    p.add_argument("--cities", type=int, default=20, help="cities in the root (the spec's size: 300)")
    p.add_argument("--orders", type=int, default=1000, help="repair report rows per city-month")
    p.add_argument("--months", type=int, default=6, help="consecutive months per city")
    p.add_argument("--jobs", type=int, default=2, help="worker processes of batch and trend")
    args = p.parse_args(argv)

    root = trend_root(args.data, args.cities, args.orders, args.months, args.seed, args.jobs)
    months = sorted({m.name for d in root.iterdir() if d.is_dir() and not d.name.startswith((".", "_"))
                     for m in d.iterdir() if m.is_dir()})
    print(c.machine_line())
    print(f"{args.cities} cities × {len(months)} months ({months[0]} … {months[-1]}) × {args.orders:,} orders; "
          f"--jobs {args.jobs}; in-process runs, median of {args.repeat} rounds (steps interleaved), "
          f"each step with its own empty cache unless said")
    saved = os.environ.get("AFTERSALES_CACHE")
    rows, notes = [], []
    with tempfile.TemporaryDirectory(prefix="aftersales-bench-trend-") as tmp:
        work = Path(tmp)

        def use_cache(name: str) -> None:
            os.environ["AFTERSALES_CACHE"] = str(work / name)

        try:
            use_cache("warm-up")          # untimed: the worker fork server, formats, rubric, OS file cache
            c.status("0. warm-up batch (untimed) …")
            batch_once(root, args.jobs, work / "b0")
            rounds = []
            for r in range(args.repeat):
                use_cache(f"batch-{r}")
                c.status(f"round {r + 1}/{args.repeat}: 1. batch, cold …")
                one = batch_once(root, args.jobs, work / "b1")
                c.status("2. batch after one report changed …")
                path, old = change_one_report(root)
                try:
                    two = batch_once(root, args.jobs, work / "b2")
                finally:
                    path.write_bytes(old)
                use_cache(f"trend-cold-{r}")
                c.status("3. trend, cold …")
                three = trend_once(root, args.jobs, work / "t3")
                use_cache(f"trend-warm-{r}")
                c.status(f"4. trend up to {months[-2]} (fills the cache, untimed), then every month …")
                trend_once(root, args.jobs, work / "t4a", last=months[-2])
                rounds.append((one, two, three, trend_once(root, args.jobs, work / "t4")))
        finally:
            if saved is None:
                os.environ.pop("AFTERSALES_CACHE", None)
            else:
                os.environ["AFTERSALES_CACHE"] = saved
    def med(step: int, part: int) -> float:
        return statistics.median(r[step][part] for r in rounds)

    (s1, w1), (s2, w2), (s3, w3), (s4, w4) = [(med(k, 0), med(k, 1)) for k in range(4)]
    st2, st3, st4 = rounds[0][1][2], rounds[0][2][2], rounds[0][3][2]
    cold = s1 + w1
    rows = [["1. batch, cold (latest month)", c.fmt_s(s1), c.fmt_s(w1), c.fmt_s(cold), c.fmt_x(1.0), ""],
            ["2. batch, one report changed", c.fmt_s(s2), c.fmt_s(w2), c.fmt_s(s2 + w2), c.fmt_x((s2 + w2) / cold),
             f"{st2['scored']} scored, {st2['cached']} cached"],
            [f"3. trend, {len(months)} months, cold", c.fmt_s(s3), c.fmt_s(w3), c.fmt_s(s3 + w3),
             c.fmt_x((s3 + w3) / cold), f"{st3['scored']} scored"],
            ["4. trend, warm after one new month", c.fmt_s(s4), c.fmt_s(w4), c.fmt_s(s4 + w4),
             c.fmt_x((s4 + w4) / cold), f"{st4['scored']} scored, {st4['cached']} cached"]]
    notes = [f"2: re-run scoring / cold scoring = {100 * s2 / s1:.1f} %   (target ≤ 5 %)",
             f"2: re-run whole {s2 + w2:.2f} s vs its writing + 5 % of the cold scoring = {w2 + 0.05 * s1:.2f} s"
             f"   (target: ≤)",
             f"3: trend cold / batch cold = {(s3 + w3) / cold:.2f}×   (target ≤ 6.5)",
             f"4: trend warm / batch cold = {(s4 + w4) / cold:.2f}×   (target ≤ 1.3)"]
    c.print_table(f"trend and the result cache: {args.cities} cities × {args.orders:,} orders",
                  ["step", "scoring s", "writing s", "whole s", "ratio to 1", "city-months"], rows, notes)
    return 0


if __name__ == "__main__":
    sys.exit(main())
