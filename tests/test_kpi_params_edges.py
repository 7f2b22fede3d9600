"""kpi.md's figures under unusual but valid parameters.

"Per technician" with a `roles.status.completed` that names a 完工状态 for
which the format does not require a 完工日期 (here 未完成): such an order is counted in 完工数, but
it has no 完工日期 − 服务日期, so it is in neither the days (平均 / 中位完工天数) nor 及时完工率 —
neither numerator nor denominator, as a row whose 完工日期 is unusable (README, "Decisions where
the specification is silent"). Built row by row; the expected figures are stated by construction."""
from __future__ import annotations

import datetime as dt
import json

from citykit import cli
from xlsx_factory import headers, roster_rows, titled, valid_row, write_xlsx

D = dt.date


def _row(order: str, status: str, served, done) -> list:
    return valid_row("repair_report", 1, service_date=served, order_no=order, tech_id="T001", tech_name="王建国",
                     customer_name=f"客户{order}", phone=f"1380000{int(order[1:]):04d}", product_model="AB-100",
                     service_type="维修", fault="漏水", part_code=None, part_qty=None, fee=None, status=status,
                     completion_date=done, satisfaction="满意" if done else None, report_date=served)


ROWS = [
    _row("N1", "已完成", D(2026, 11, 3), D(2026, 11, 5)),   # 2 days: on time (维修: 3)
    _row("N2", "已完成", D(2026, 11, 4), D(2026, 11, 12)),  # 8 days: late
    _row("N3", "未完成", D(2026, 11, 6), None),             # "completed" by the roles below, no 完工日期
]


def test_a_completed_order_without_a_completion_date_has_no_days(tmp_path):
    folder = tmp_path / "root" / "测试市" / "2026-11"
    write_xlsx(folder / "维修日报表.xlsx",
               {"维修日报表": titled(headers("repair_report"), ROWS, title="测试市 2026年11月 维修日报表")})
    write_xlsx(folder / "技师档案.xlsx", {"技师档案": roster_rows(valid_row("roster", 1, name="王建国"))})
    run = cli("kpi", str(folder), "--format", "json", "--params", "roles.status.completed=[已完成,未完成]")
    assert run.code == 0, run.stdout + run.stderr
    out = json.loads(run.stdout)
    for figures in (out["city_totals"], out["technicians"][0]):
        assert figures["completed"] == 3
        assert (figures["mean_days"], figures["median_days"]) == (5.0, 5.0)     # (2 + 8) / 2; median of 2, 8
        assert figures["on_time_rate"] == 0.5                                   # N1 of N1, N2
    assert out["set_aside"] == []                                               # no finding on any row


def _visit(order: str, served) -> list:
    return valid_row("repair_report", 1, service_date=served, order_no=order, phone="13800001111", part_code=None,
                     part_qty=None, fee=None, completion_date=served, report_date=served)


def test_any_repeat_window_is_a_number_of_days(tmp_path):
    """`repeat_window_days` is any whole number ≥ 0 (kpi/schema.py): a window longer than any two dates
    can be apart is answered, not an internal error. A1 (October 1) and B1 (November 29, the same phone
    and model) are 59 days apart: a repeat within 59 days or more, none within 58."""
    city = tmp_path / "root" / "测试市"
    for month, row in (("2026-10", _visit("A1", D(2026, 10, 1))), ("2026-11", _visit("B1", D(2026, 11, 29)))):
        write_xlsx(city / month / "维修日报表.xlsx",
                   {"维修日报表": titled(headers("repair_report"), [row], title=f"测试市 {month} 维修日报表")})
        write_xlsx(city / month / "技师档案.xlsx", {"技师档案": roster_rows(valid_row("roster", 1, name="王建国"))})
    for window, expected in ((58, []), (59, [("B1", "A1", 59)]), (10**6, [("B1", "A1", 59)]),
                             (10**20, [("B1", "A1", 59)])):
        run = cli("kpi", str(city / "2026-11"), "--format", "json", "--params", f"repeat_window_days={window}")
        assert run.code == 0, run.stdout + run.stderr
        assert [(r["order"], r["repeat_of"], r["days"]) for r in json.loads(run.stdout)["repeats"]] == expected
