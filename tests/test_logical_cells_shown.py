"""A logical cell (TRUE/FALSE, typed in Excel or WPS) is shown in findings as the cell shows it.

cli.md "Validation output": each finding carries "the value as found". Excel, WPS and LibreOffice
show a logical cell as TRUE / FALSE (and write it so in a CSV export), never as Python's
True / False. Built here: a clean city whose repair report holds TRUE in 收费金额 (not an amount:
CE040) and FALSE in 联系电话 (not a phone number: CE062).
"""
from __future__ import annotations

import csv

from citykit import clean_city, cli, edit


def _city(tmp_path):
    month = clean_city(tmp_path / "root", orders=40, city="逻辑市")
    with edit(month, "repair_report") as t:
        t.set(t.rows[0], "收费金额", True)
        t.set(t.rows[1], "联系电话", False)
    return month


def test_batch_findings_show_true_and_false_as_the_cell_does(tmp_path):
    _city(tmp_path)
    out = tmp_path / "out"
    cli("batch", str(tmp_path / "root"), "--jobs", "1", "--no-cache", "--out", str(out))
    with open(out / "findings.csv", encoding="utf-8-sig", newline="") as f:
        rows = [r for r in csv.DictReader(f) if r["单元格"] in ("N2", "F3")]
    assert sorted((r["单元格"], r["代码"], r["值"]) for r in rows) == [("F3", "CE062", "FALSE"),
                                                                   ("N2", "CE040", "TRUE")]
    assert all("「TRUE」" in r["说明"] or "「FALSE」" in r["说明"] for r in rows)


def test_validate_shows_true_in_the_message(tmp_path):
    month = _city(tmp_path)
    run = cli("validate", str(month), "--format", "json")
    found = {f["cell"]: f for f in __import__("json").loads(run.stdout)["findings"]
             if f["cell"] in ("N2", "F3")}
    assert found["N2"]["code"] == "CE040" and "「TRUE」" in found["N2"]["message"]
    assert found["F3"]["code"] == "CE062" and "「FALSE」" in found["F3"]["message"]
