"""kpi.md "Per technician" under parameters whose `roles.status.completed` names a 完工状态 for
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
