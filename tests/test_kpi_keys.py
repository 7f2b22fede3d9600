"""kpi.md "Repeat repair": the keys rows are matched on — 联系电话 without hyphens, or, when either
phone has an error finding, 服务地址 after NFKC with every white space removed; 产品型号 normalised
likewise. Built row by row; the expected repeats are stated by construction."""
from __future__ import annotations

import datetime as dt
import json

from citykit import cli
from xlsx_factory import headers, roster_rows, titled, valid_row, write_xlsx

D = dt.date


def _row(order: str, served, phone: str, address: str, model: str, kind: str = "维修") -> list:
    return valid_row("repair_report", 1, service_date=served, order_no=order, tech_id="T001", tech_name="王建国",
                     customer_name=f"客户{order}", phone=phone, address=address, product_model=model,
                     service_type=kind, fault="漏水" if kind == "维修" else None, part_code=None, part_qty=None,
                     fee=None, status="已完成", completion_date=served, satisfaction="满意", report_date=served)


ROWS = [
    # A1: the original. B1 comes back 8 days later with a broken phone (an error finding) at the same
    # address written with an ideographic space, a no-break space and a tab, and the model in full-width
    # letters: the same address and model after NFKC and white space removed → a repeat of A1.
    _row("A1", D(2026, 11, 2), "13800001111", "杭州市西湖区某路1号", "AB-100"),
    _row("B1", D(2026, 11, 10), "1380000", "杭州市\u3000西湖区\u00a0某路\t1号", "ＡＢ-100"),
    # A2 / B2: the phone written with hyphens on one row and without on the other → a repeat by phone,
    # although the addresses differ.
    _row("A2", D(2026, 11, 3), "138-0000-2222", "宁波市某路2号", "CD-200"),
    _row("B2", D(2026, 11, 9), "13800002222", "温州市某路9号", "CD-200"),
    # A3 / B3: same address, B3's phone broken, but another model → not a repeat.
    _row("A3", D(2026, 11, 4), "13800003333", "杭州市上城区某路3号", "EF-300"),
    _row("B3", D(2026, 11, 12), "12", "杭州市上城区 某路3号", "EF-301"),
]


def test_repeats_match_on_normalised_phone_address_and_model(tmp_path):
    folder = tmp_path / "root" / "测试市" / "2026-11"
    write_xlsx(folder / "维修日报表.xlsx",
               {"维修日报表": titled(headers("repair_report"), ROWS, title="测试市 2026年11月 维修日报表")})
    write_xlsx(folder / "技师档案.xlsx", {"技师档案": roster_rows(valid_row("roster", 1, name="王建国"))})
    run = cli("kpi", str(folder), "--format", "json")
    assert run.code == 0, run.stdout + run.stderr
    repeats = {r["order"]: r["repeat_of"] for r in json.loads(run.stdout)["repeats"]}
    assert repeats == {"B1": "A1", "B2": "A2"}
