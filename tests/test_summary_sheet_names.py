"""The fixed sheets of 汇总.xlsx keep their names whatever the cities are called.

cli.md "Batch" and the README name the sheets 排名, 得分率图 and 问题明细; a reader (a person, a
macro, a pivot table) finds them by name. Built here: a root whose cities are named 问题明细 and
得分率图 (folder names HQ cannot forbid) beside 杭州市, each with 5 % defects, so 问题明细 has rows.
Each fixed sheet must hold its own content under its own name, and a city's sheet give way
(a `~2` suffix, the tool's rule for a name already taken).
"""
from __future__ import annotations

import openpyxl

from aftersales_cli.sample import generate
from citykit import cli


def test_fixed_sheets_keep_their_names_beside_cities_named_like_them(tmp_path):
    root = tmp_path / "总部"
    generate(root, cities=3, orders=40, seed=3, defects=0.05, city_names=["问题明细", "得分率图", "杭州市"])
    out = tmp_path / "out"
    run = cli("batch", str(root), "--jobs", "1", "--no-cache", "--out", str(out))
    assert run.code in (0, 1), run.stderr
    wb = openpyxl.load_workbook(out / "汇总.xlsx")
    names = wb.sheetnames
    assert names[0] == "排名" and names[1] == "得分率图" and names[-1] == "问题明细", names
    assert [c.value for c in wb["问题明细"][1]][:3] == ["城市", "级别", "代码"]
    assert {"问题明细~2", "得分率图~2", "杭州市"} <= set(names)
    assert str(wb["问题明细~2"]["A2"].value).startswith("城市：问题明细")
    assert str(wb["得分率图~2"]["A2"].value).startswith("城市：得分率图")
