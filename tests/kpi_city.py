"""A two-month city built row by row for the `kpi` tests: every expected figure is known by
construction and written out in tests/test_kpi.py (kpi.md).

Rows (S = 服务日期, C = 完工日期, November 2026 is the period; phones are distinct unless named):

October (2026-10/维修日报表.xlsx), the previous report:
  P1 T001 安装 S10-20 C10-20 phone PH_P1 model M1   → the original of R7 (a repeat after install)
  P2 T002 维修 S10-28 未完成                          → completed in November on R-P2 (paid once, from the report)
  P3 T003 保养 S10-30 C11-01                          → only in October's report: paid in November
  P4 T001 安装 S10-10 C10-12                          → paid in October; R-P4 re-enters it: never paid again
  P5 T003 维修 S10-05 C10-05 phone PH5 model M5       → R5 comes back exactly 30 days later: a repeat
  P6 T003 维修 S10-04 C10-04 phone PH6 model M6       → R6 comes back 31 days later: not a repeat
November (2026-11/维修日报表.xlsx), the report (Excel rows 4…):
  R1  N01 T001 维修 S11-03 C11-06 非常满意 MA 漏水     (3 days: on time exactly)
  R2  N02 T001 维修 S11-03 C11-07 不满意   MA "漏 水"  (4 days: late; the fault normalises to 漏水)
  R5  N05 T001 维修 S11-04 C11-04 (no rating) PH5 M5   → repeat of P5, charged to T003
  R6  N06 T001 维修 S11-04 C11-04 一般 PH6 M6
  R7  N07 T002 维修 S11-10 C11-10 PH_P1 M1             → repeat of P1 (安装), charged to T001
  R8  N08 T002 安装 S11-02 C11-02 PH8 M8
  R9  N09 T002 维修 S11-12 C11-12 PH8 M8               → repeat of R8 (安装), charged to T002 (paid to T002: 其中返修)
  R10 N10 T001 维修 S11-05 C11-06 PH10 M10
  R11 N11 T003 维修 S11-06 C11-06 PH10 M10             → repeat of R10 (gap 0), charged to T001
  R12 N12 T002 维修 S11-15 C11-15 PH10 M10             → R10 and R11 both completed 11-06: R11 (later 服务日期), charged to T003
  R13 N13 T003 安装 S11-08 已取消
  R14 N14 T003 维修 S11-09 待配件
  R15 N15 T001 维修 S11-11 C "2026-13-45" (an error)  → set aside from days, piece, repeats
  R16 N16 T009 安装 S11-20 已取消                      (T009 is not on the roster: counts, listed without name)
  R17 N01 (again) T001 维修 S11-03                     → RR002: set aside from orders, days, satisfaction, piece
  R18 N18 T003 安装 S11-16 C11-16
  R-P2 WX2026100002 T002 维修 S10-28 C11-02            → RR001 (served in October): set aside except for piece
  R-P4 WX2026100004 T001 安装 S10-10 C11-05            → RR001; completed 10-12 in October: not paid again
Every completed row without another rating is 满意.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path

from xlsx_factory import headers, roster_rows, titled, valid_row, write_xlsx

D = dt.date
NAMES = {"T001": "王建国", "T002": "李明", "T003": "赵强", "T009": "钱九"}


def _row(order: str, tech: str, kind: str, served, status: str = "已完成", done=None, sat="满意",
         phone: int = 0, model: str = "", fault: str = "漏水") -> list:
    n = int(order[-2:]) if order[-2:].isdigit() else 0
    done = served if done is None and status == "已完成" else done
    return valid_row("repair_report", 1, service_date=served, order_no=order, tech_id=tech,
                     tech_name=NAMES[tech], customer_name=f"客户{order}",
                     phone=f"1380000{phone or (8000 if order.startswith('WX') else 9000) + n:04d}", address=f"杭州市西湖区某路{order}号",
                     product_model=model or f"M{order}", service_type=kind, fault=fault if kind == "维修" else None,
                     part_code=None, part_qty=None, fee=None,
                     status=status, completion_date=done if status == "已完成" else None,
                     satisfaction=sat if status == "已完成" else None, report_date=served)


OCTOBER = [
    _row("WX2026100001", "T001", "安装", D(2026, 10, 20), phone=1, model="M1"),
    _row("WX2026100002", "T002", "维修", D(2026, 10, 28), status="未完成"),
    _row("WX2026100003", "T003", "保养", D(2026, 10, 30), done=D(2026, 11, 1)),
    _row("WX2026100004", "T001", "安装", D(2026, 10, 10), done=D(2026, 10, 12)),
    _row("WX2026100005", "T003", "维修", D(2026, 10, 5), phone=5, model="M5"),
    _row("WX2026100006", "T003", "维修", D(2026, 10, 4), phone=6, model="M6"),
]

NOVEMBER = [
    _row("N01", "T001", "维修", D(2026, 11, 3), done=D(2026, 11, 6), sat="非常满意", model="MA"),
    _row("N02", "T001", "维修", D(2026, 11, 3), done=D(2026, 11, 7), sat="不满意", model="MA", fault="漏 水"),
    _row("N05", "T001", "维修", D(2026, 11, 4), sat=None, phone=5, model="M5"),
    _row("N06", "T001", "维修", D(2026, 11, 4), sat="一般", phone=6, model="M6"),
    _row("N07", "T002", "维修", D(2026, 11, 10), phone=1, model="M1"),
    _row("N08", "T002", "安装", D(2026, 11, 2), phone=8, model="M8"),
    _row("N09", "T002", "维修", D(2026, 11, 12), phone=8, model="M8"),
    _row("N10", "T001", "维修", D(2026, 11, 5), done=D(2026, 11, 6), phone=10, model="M10"),
    _row("N11", "T003", "维修", D(2026, 11, 6), phone=10, model="M10"),
    _row("N12", "T002", "维修", D(2026, 11, 15), phone=10, model="M10"),
    _row("N13", "T003", "安装", D(2026, 11, 8), status="已取消"),
    _row("N14", "T003", "维修", D(2026, 11, 9), status="待配件"),
    _row("N15", "T001", "维修", D(2026, 11, 11), done="2026-13-45"),
    _row("N16", "T009", "安装", D(2026, 11, 20), status="已取消"),
    _row("N01", "T001", "维修", D(2026, 11, 3), phone=17, model="M17"),
    _row("N18", "T003", "安装", D(2026, 11, 16)),
    _row("WX2026100002", "T002", "维修", D(2026, 10, 28), done=D(2026, 11, 2)),
    _row("WX2026100004", "T001", "安装", D(2026, 10, 10), done=D(2026, 11, 5)),
]
#: Excel rows of the report (header on row 3)
ROW = {name: 4 + i for i, name in enumerate(["R1", "R2", "R5", "R6", "R7", "R8", "R9", "R10", "R11", "R12",
                                             "R13", "R14", "R15", "R16", "R17", "R18", "R-P2", "R-P4"])}


def roster() -> list[list]:
    return roster_rows(*(valid_row("roster", n, name=NAMES[f"T00{n}"]) for n in (1, 2, 3)))


def build(root: Path, city: str = "测试市", previous: bool = True, rename: dict[str, str] | None = None) -> Path:
    """root/<city>/2026-11 (and 2026-10 when `previous`), each with its report and the roster.
    `rename` replaces cell values (e.g. a 服务类型) in both reports."""
    folder = root / city
    months = {"2026-11": NOVEMBER, **({"2026-10": OCTOBER} if previous else {})}
    for month, rows in months.items():
        write_xlsx(folder / month / "维修日报表.xlsx", {"维修日报表": _report(city, month, rows, rename)})
        write_xlsx(folder / month / "技师档案.xlsx", {"技师档案": roster()})
    return folder


def build_month_sheets(root: Path, city: str = "测试市", sheets: dict[str, str] | None = None) -> Path:
    """root/<city>/维修日报表.xlsx with one sheet per month (realworld.md) — by default 10月 holding
    October's rows and 11月 holding November's — and 技师档案.xlsx; no YYYY-MM folder."""
    folder = root / city
    by_month = {"2026-10": OCTOBER, "2026-11": NOVEMBER}
    sheets = sheets if sheets is not None else {"10月": "2026-10", "11月": "2026-11"}
    write_xlsx(folder / "维修日报表.xlsx", {name: _report(city, month, by_month[month]) for name, month in sheets.items()})
    write_xlsx(folder / "技师档案.xlsx", {"技师档案": roster()})
    return folder


def _report(city: str, month: str, rows: list[list], rename: dict[str, str] | None = None) -> list[list]:
    rename = rename or {}
    rows = [[rename.get(v, v) if isinstance(v, str) else v for v in row] for row in rows]
    return titled(headers("repair_report"), rows, title=f"{city} {month[:4]}年{int(month[5:])}月 维修日报表")
