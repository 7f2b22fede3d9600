"""`validate` on a repair report with its roster beside it: vs the parse floor and vs frictionless.

    python benchmarks/validate.py [--rows 50000] [--repeat 5] [--frictionless-repeat 1] [--data DIR]
                                  [--profile]

- floor: unzip + expat parse of the report's sheet XML (see _common.parse_floor);
- aftersales: `validate_path(report, family=FAMILIES["report"])` with the run context the command
  builds (`build_run(read_threads=month_threads())`: up to two of the month's workbooks read at
  once, and the report's sheet parsed in two halves at once, as the command does) — reads the report, finds the roster (技师档案.xlsx) and parts master beside it, checks
  cells, rules and copied rows;
- frictionless: `frictionless.validate(report, schema=benchmarks/schema/repair_report.json)` — the
  same required / enum / minimum / pattern (联系电话, 工单号) / unique (工单号) constraints, on the
  same .xlsx (optional: `pip install -e ".[bench]"`).
Seconds: in-process medians after imports and a warm-up run, methods interleaved round by round
(frictionless runs fewer rounds, --frictionless-repeat, and is warmed up on 10 rows only).
Targets (docs: ../shared/spec/quality.md): aftersales ≤ 3× the floor; frictionless ≥ 10× aftersales.
"""
from __future__ import annotations

import functools
import json
import sys
from pathlib import Path

import _common as c

SCHEMA = c.HERE / "schema" / "repair_report.json"


def floor(path: str) -> None:
    c.parse_floor(path)


@functools.cache
def _run():
    """The run context `aftersales validate-report` builds (a month's workbooks read
    month_threads() at once), built once like default_run()."""
    from aftersales_cli.run import build_run, month_threads

    return build_run(read_threads=month_threads())


def aftersales(path: str) -> None:
    from aftersales_cli.pipeline import FAMILIES, validate_path

    result = validate_path(Path(path), family=FAMILIES["report"], run=_run())
    if "repair_report" not in result.checked:
        raise RuntimeError(f"repair report not validated: {path}")
    if "roster" not in result.submission.datasets:
        raise RuntimeError(f"the roster beside {path} was not found")


def _schema():
    from frictionless import Schema

    return Schema.from_descriptor(json.loads(SCHEMA.read_text(encoding="utf-8")))


def frictionless_validate(path: str, schema=None, limit_rows: int | None = None):
    import frictionless

    p = Path(path)
    # frictionless refuses absolute paths as unsafe: give the folder as basepath
    report = frictionless.validate(p.name, basepath=str(p.parent), schema=schema or _schema(),
                                   limit_errors=10**9, limit_rows=limit_rows)
    errors = [e for e in report.flatten(["type"]) if e[0] in ("resource-error", "scheme-error", "format-error",
                                                              "source-error", "schema-error")]
    if errors:
        raise RuntimeError(f"frictionless could not read {path}: {report.flatten(['type', 'note'])[:3]}")
    return report


def have_frictionless() -> bool:
    try:
        import frictionless  # noqa: F401
    except ImportError:
        return False
    return True


def profile(path: str, top: int = 25) -> None:
    aftersales(path)   # imports and caches out of the profile
    c.print_profile(lambda: aftersales(path), "validate_path", top)


def main(argv: list[str] | None = None) -> int:
    p = c.parser(__doc__.splitlines()[0])
    p.add_argument("--rows", type=int, default=50_000, help="repair report size (orders)")
    p.add_argument("--frictionless-repeat", type=int, default=1,
                   help="timed frictionless runs (it is slow); at most --repeat")
    p.add_argument("--no-memory", action="store_true", help="skip the fresh-process peak memory column")
    p.add_argument("--profile", action="store_true", help="print a cProfile of one aftersales run")
    args = p.parse_args(argv)

    report = str(c.city_month(args.data, args.rows, args.seed) / c.REPORT_FILE)
    print(c.machine_line())
    print(f"timings: in-process median of {args.repeat} interleaved runs after imports and a warm-up "
          f"(frictionless: {min(args.repeat, args.frictionless_repeat)}); peak MB: fresh process, one run")

    methods = {"floor (unzip + expat)": lambda: floor(report),
               "aftersales validate_path (report + roster)": lambda: aftersales(report)}
    warm = list(methods)
    notes = []
    fl = have_frictionless()
    if fl:
        schema = _schema()
        frictionless_validate(report, schema, limit_rows=10)   # imports and plugins, 10 rows
        methods["frictionless validate (Table Schema)"] = lambda: frictionless_validate(report, schema)
    else:
        notes.append('frictionless is not installed: its line is skipped (pip install -e ".[bench]")')
    times = c.median_times(methods, args.repeat, repeats={"frictionless validate (Table Schema)":
                                                          args.frictionless_repeat}, warmup=warm)
    base = times["floor (unzip + expat)"]
    ours = times["aftersales validate_path (report + roster)"]
    mem = {"floor (unzip + expat)": floor, "aftersales validate_path (report + roster)": aftersales}
    rows = []
    for name, t in times.items():
        peak = None if args.no_memory or name not in mem else c.peak_mb(mem[name], report)
        rows.append([name, c.fmt_s(t), c.fmt_x(t / base), c.fmt_mb(peak)])
    notes.append(f"aftersales / floor = {ours / base:.2f}×   (target ≤ 3×)")
    if fl:
        theirs = times["frictionless validate (Table Schema)"]
        notes.append(f"frictionless / aftersales = {theirs / ours:.1f}×   (target ≥ 10×)")
    c.print_table(f"validate: repair report, {args.rows:,} rows, roster beside it",
                  ["method", "seconds (median)", "ratio to floor", "peak MB"], rows, notes)
    if args.profile:
        profile(report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
