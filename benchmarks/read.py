"""Reading one repair-report sheet: the parse floor, the project's reader and pandas, side by side.

    python benchmarks/read.py [--rows 10000 50000] [--repeat 5] [--data DIR]

For each size, a generated 维修日报表.xlsx (18 columns of Chinese text, dates and numbers) is read by
- floor: unzip + expat parse of the sheet XML, no Python objects (see _common.parse_floor);
- aftersales: `read_submission(file, only=("repair_report",))` — calamine, header detection,
  合计/签字 rows, the raw DataFrame by field key;
- pandas default: `pandas.read_excel(file)`, whose engine for .xlsx is openpyxl (named explicitly);
- pandas calamine: `pandas.read_excel(file, engine="calamine")`;
- references that show where the reader's time goes: python-calamine alone (`get_sheet_by_name` +
  `to_python`, what the project's reader is built on), and fastexcel's eager load of the same
  sheet when it is installed (`pip install -e ".[bench]"`): fastexcel is near the floor but types
  each column as one Arrow type, which loses the per-cell types the format checks need (README,
  "Why python-calamine").
Seconds are the in-process median of --repeat interleaved runs after one warm-up run each; peak MB
is the maximum RSS of a fresh process running the method once (imports included).
"""
from __future__ import annotations

import sys
from pathlib import Path

import _common as c


def floor(path: str) -> None:
    c.parse_floor(path)


def aftersales(path: str) -> None:
    from aftersales_cli.read.discover import read_submission

    sub = read_submission(Path(path), only=("repair_report",))
    if "repair_report" not in sub.datasets:
        raise RuntimeError(f"repair report not found in {path}")


def pandas_default(path: str) -> None:
    import pandas as pd

    pd.read_excel(path, engine="openpyxl")   # pandas' default for .xlsx (named to silence its warning)


def pandas_calamine(path: str) -> None:
    import pandas as pd

    pd.read_excel(path, engine="calamine")


def calamine_alone(path: str) -> None:
    import python_calamine as pc

    wb = pc.CalamineWorkbook.from_path(path)
    try:
        wb.get_sheet_by_index(0).to_python(skip_empty_area=False)
    finally:
        wb.close()


def fastexcel_eager(path: str) -> None:
    import fastexcel

    fastexcel.read_excel(path).load_sheet(0, header_row=None, schema_sample_rows=None)


def have_fastexcel() -> bool:
    try:
        import fastexcel  # noqa: F401
    except ImportError:
        return False
    return True


METHODS = {
    "floor (unzip + expat)": floor,
    "aftersales read_submission": aftersales,
    "pandas.read_excel (default: openpyxl)": pandas_default,
    'pandas.read_excel(engine="calamine")': pandas_calamine,
    "python-calamine alone (reference)": calamine_alone,
}


def main(argv: list[str] | None = None) -> int:
    p = c.parser(__doc__.splitlines()[0])
    p.add_argument("--rows", type=int, nargs="+", default=[10_000, 50_000], help="report sizes (orders)")
    p.add_argument("--no-memory", action="store_true", help="skip the fresh-process peak memory column")
    args = p.parse_args(argv)

    files = {n: c.city_month(args.data, n, args.seed) / c.REPORT_FILE for n in args.rows}
    methods = dict(METHODS)
    if have_fastexcel():
        methods["fastexcel eager load (reference)"] = fastexcel_eager
    print(c.machine_line())
    print(f"timings: in-process median of {args.repeat} interleaved runs after a warm-up; "
          "peak MB: max RSS of a fresh process running the method once")
    for n, path in files.items():
        path = str(path)
        times = c.median_times({name: (lambda f=fn, p=path: f(p)) for name, fn in methods.items()}, args.repeat)
        base = times["floor (unzip + expat)"]
        rows = []
        for name, fn in methods.items():
            mem = None if args.no_memory else c.peak_mb(fn, path)
            rows.append([name, c.fmt_s(times[name]), c.fmt_x(times[name] / base), c.fmt_mb(mem)])
        size = Path(path).stat().st_size / 1e6
        c.print_table(f"read: repair report, {n:,} rows ({size:.1f} MB .xlsx)",
                      ["method", "seconds (median)", "ratio to floor", "peak MB"], rows)
    if not have_fastexcel():
        print('fastexcel is not installed: its reference line is skipped (pip install -e ".[bench]")')
    return 0


if __name__ == "__main__":
    sys.exit(main())
