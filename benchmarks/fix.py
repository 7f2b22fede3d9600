"""`aftersales fix` vs `aftersales validate` on one repair report with 5% format defects, whole process.

    python benchmarks/fix.py [--rows 10000] [--repeat 5] [--share 0.05] [--data DIR]

The report of a generated clean city (`aftersales sample`, cached in --data) gets a fixable format
defect in every 1/share-th data row, taking turns: a text date `2026/11/03` (CE021), an amount
`¥120` (CE041), the alias `完成` for `已完成` (CE051), a phone `+86 138 …` (CE063). Both commands run
as fresh processes on that file (start-up, imports, reading included), interleaved round by round,
median of --repeat after one untimed run each; fix writes into the same OUT_DIR each round (--force).
Target (issue 14): fix ≤ 3× validate.
"""
from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

import _common as c

DEFECTS = (("服务日期", lambda v: v.strftime("%Y/%m/%d") if hasattr(v, "strftime") else v),
           ("收费金额", lambda v: f"¥{v:g}" if isinstance(v, (int, float)) else v),
           ("完工状态", lambda v: "完成" if v == "已完成" else v),
           ("联系电话", lambda v: f"+86 {v}" if isinstance(v, str) and v.startswith("1") else v))


def defective_copy(month: Path, target: Path, share: float) -> int:
    """`month`'s files copied into `target`, the report with a defect in every 1/share-th row; how many."""
    from openpyxl import load_workbook

    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(month, target)
    book = target / c.REPORT_FILE
    wb = load_workbook(book)
    ws = wb.worksheets[0]
    header = {cell.value: cell.column for cell in ws[1]}
    step, made = max(1, round(1 / share)), 0
    for i, row in enumerate(range(2, ws.max_row + 1)):
        if i % step:
            continue
        name, change = DEFECTS[(i // step) % len(DEFECTS)]
        cell = ws.cell(row=row, column=header[name])
        new = change(cell.value)
        if new != cell.value:
            cell.value, cell.number_format, made = new, "@", made + 1
    wb.save(book)
    return made


def main(argv: list[str] | None = None) -> int:
    p = c.parser(__doc__.splitlines()[0])
    p.add_argument("--rows", type=int, default=10_000, help="repair report size (orders)")
    p.add_argument("--share", type=float, default=0.05, help="share of rows with a fixable defect")
    args = p.parse_args(argv)

    month = c.city_month(args.data, args.rows, args.seed)
    work = Path(tempfile.mkdtemp(prefix="bench-fix-"))
    try:
        src = work / "杭州市" / c.PERIOD
        made = defective_copy(month, src, args.share)
        report = src / c.REPORT_FILE
        out = work / "fixed"
        exe = c.aftersales_cmd()
        print(c.machine_line())
        print(f"timings: wall seconds of a fresh process, median of {args.repeat} interleaved runs after one "
              f"untimed run each; {made:,} defective cells in {args.rows:,} rows")
        commands = {"aftersales validate REPORT": [*exe, "validate", str(report), "--format", "json"],
                    "aftersales fix REPORT -o OUT --force": [*exe, "fix", str(report), "-o", str(out), "--force",
                                                             "--format", "json"],
                    "aftersales validate MONTH": [*exe, "validate", str(src), "--format", "json"],
                    "aftersales fix MONTH -o OUT --force": [*exe, "fix", str(src), "-o", str(work / "fixed-month"),
                                                            "--force", "--format", "json"]}
        times = c.median_walls(commands, args.repeat, ok=(0, 1))
        rows, notes = [], []
        for what in ("REPORT", "MONTH"):
            base = times[f"aftersales validate {what}"]
            ours = times[f"aftersales fix {what} -o OUT --force"]
            rows += [[f"aftersales validate {what}", c.fmt_s(base), c.fmt_x(1.0)],
                     [f"aftersales fix {what} -o OUT --force", c.fmt_s(ours), c.fmt_x(ours / base)]]
            notes.append(f"fix / validate ({what}) = {ours / base:.2f}×   (target ≤ 3×)")
        notes.append("REPORT: the file (its folder's other workbooks read as context); MONTH: the whole folder "
                     "(fix validates the fixed copy again)")
        c.print_table(f"fix vs validate: repair report, {args.rows:,} rows, {made:,} fixable defects",
                      ["command", "seconds (median)", "ratio to validate"], rows, notes)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
