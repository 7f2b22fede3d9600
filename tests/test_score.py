"""Scoring on real workbooks made by `aftersales sample`: every tier and boundary of rubric.md."""
from __future__ import annotations

import datetime as dt
import shutil
import subprocess
from pathlib import Path

import openpyxl
import pytest

from citykit import (D, RUNNER, assert_scoresheet_looks, clean_city, edit, item, score, scores, set_roster,
                     workbook_path)
from aftersales_cli.cli import app
from aftersales_cli.rubric.loader import default_rubric_path


def test_clean_city_scores_90_of_90(city):
    card = score(city)
    assert (card["total"], card["max"], card["percent"]) == (90, 90, 100.0)
    assert card["findings_summary"]["error"] == card["findings_summary"]["format"] == 0
    assert all(i["score"] == i["max"] and i["reasons"] for i in card["items"])
    assert len(card["items"]) == 25
    assert [s["score"] for s in card["sections"]] == [15, 20, 20, 15, 20]


def test_defective_city_loses_exactly_what_its_defects_cost(city):
    with edit(city, "inspection") as t:              # 1.5 否 → −3
        t.set(t.where("检查项编码", "1.5")[0], "结果", "否")
    with edit(city, "repair_report") as t:           # one late entry → item 6 falls to 10: −10
        r = t.rows[5]
        t.set(r, "填报日期", t.get(r, "服务日期") + dt.timedelta(days=3))
    with edit(city, "parts_ledger") as t:            # one wrong 结存 → 11.2: −2
        r = t.rows[0]
        t.set(r, "结存", t.get(r, "结存") + 1)
    with edit(city, "roster") as t:                  # not maintained this month → item 2: 5 → 2, −3
        for r in t.rows:
            t.set(r, "更新日期", D(2026, 10, 20))
    card = score(city)
    lost = {i["id"]: i["max"] - i["score"] for i in card["items"] if i["score"] < i["max"]}
    assert lost == {"1.5": 3, "6": 10, "11.2": 2, "2": 3}
    assert card["total"] == 90 - 18
    assert "未及时填报 1 处" in item(card, "6")["reasons"][0]
    assert "台账结存错误 1 处" in item(card, "11.2")["reasons"]
    assert "未按月度更新维护" in item(card, "2")["reasons"][0]
    assert item(card, "1.5")["reasons"] == ["现场检查 1.5：否"]


# --- item 4: turnover ---------------------------------------------------------------------------

OLD = D(2020, 1, 1)


@pytest.mark.parametrize(("people", "formula", "points", "rate"), [
    # opening 9 + hired 1, 1 left: 1/10 = exactly 10% → 3
    pytest.param([(OLD, D(2026, 11, 20))] + [(OLD, None)] * 8 + [(D(2026, 11, 10), None)],
                 "opening_plus_hires", 3, 0.1, id="ophires-exactly-10"),
    # opening 9, 1 left: 1/9 = 11.1% → 1
    pytest.param([(OLD, D(2026, 11, 20))] + [(OLD, None)] * 8, "opening_plus_hires", 1, 0.1111, id="ophires-just-above-10"),
    # opening 5, 1 left: exactly 20% → 1
    pytest.param([(OLD, D(2026, 11, 20))] + [(OLD, None)] * 4, "opening_plus_hires", 1, 0.2, id="ophires-exactly-20"),
    # opening 4, 1 left: 25% → 0
    pytest.param([(OLD, D(2026, 11, 20))] + [(OLD, None)] * 3, "opening_plus_hires", 0, 0.25, id="ophires-above-20"),
    # opening 10, hired 1, 1 left → closing 10: 1/((10+10)/2) = exactly 10% → 3
    pytest.param([(OLD, D(2026, 11, 20))] + [(OLD, None)] * 9 + [(D(2026, 11, 10), None)],
                 "average", 3, 0.1, id="average-exactly-10"),
    # opening 5, hired 1, 1 left → closing 5: exactly 20% → 1
    pytest.param([(OLD, D(2026, 11, 20))] + [(OLD, None)] * 4 + [(D(2026, 11, 10), None)],
                 "average", 1, 0.2, id="average-exactly-20"),
    # opening 10, 1 left, closing 9: 1/9.5 = 10.5% → 1
    pytest.param([(OLD, D(2026, 11, 20))] + [(OLD, None)] * 9, "average", 1, 0.1053, id="average-just-above-10"),
])
def test_turnover_tiers_and_boundaries(city, people, formula, points, rate):
    set_roster(city, people)
    card = score(city, "--params", f"turnover_formula={formula}")
    four = item(card, "4")
    assert four["score"] == points, four["reasons"]
    assert four["metrics"]["turnover_rate"] == pytest.approx(rate, abs=1e-4)


@pytest.mark.parametrize("formula", ["opening_plus_hires", "average"])
def test_turnover_zero_denominator_scores_0_with_reason(city, formula):
    set_roster(city, [(D(2026, 12, 10), None)] * 3)       # nobody employed during the period
    four = item(score(city, "--params", f"turnover_formula={formula}"), "4")
    assert four["score"] == 0
    assert "分母为0" in four["reasons"][0]


def test_turnover_reason_gives_the_numbers(city):
    set_roster(city, [(OLD, D(2026, 11, 20))] + [(OLD, None)] * 6 + [(D(2026, 11, 10), None)])
    four = item(score(city), "4")                          # 1 / (7 + 1) = 12.5%
    assert four["score"] == 1
    assert four["reasons"] == ["月度流失率 12.5%（离职1人 / 期初7人+入职1人），在10%–20%之间，得1分"]


# --- item 11.5: 账实相符率 -------------------------------------------------------------------------

def _stocktake_mismatches(city: Path, wrong: int, total: int) -> None:
    with edit(city, "stocktake") as t:
        rows = t.rows
        assert len(rows) >= total
        t.delete(rows[total:])
        for r in t.rows[:wrong]:
            t.set(r, "实盘数量", t.get(r, "账面数量") + 1)
            t.set(r, "差异数量", 1)


def test_accuracy_exactly_80_percent_scores(city):
    _stocktake_mismatches(city, wrong=2, total=10)
    eleven5 = item(score(city), "11.5")
    assert eleven5["score"] == 2
    assert "80.0%（8/10）" in eleven5["reasons"][0]


def test_accuracy_below_80_percent_scores_0(city):
    _stocktake_mismatches(city, wrong=3, total=10)
    eleven5 = item(score(city), "11.5")
    assert eleven5["score"] == 0 and "70.0%" in eleven5["reasons"][0]


# --- item 6: the repair report ------------------------------------------------------------------

def _entered_before_service(city: Path, n: int) -> None:
    with edit(city, "repair_report") as t:
        for r in t.rows[:n]:
            t.set(r, "填报日期", t.get(r, "服务日期") - dt.timedelta(days=1))


def test_fabrication_exactly_at_tolerance_costs_nothing(tmp_path):
    city = clean_city(tmp_path, orders=100)
    _entered_before_service(city, 2)                     # 2 of 100 rows = exactly 2%
    six = item(score(city), "6")
    assert six["score"] == 20, six["reasons"]
    assert six["metrics"]["fabrication_ratio"] == 0.02


def test_fabrication_just_above_tolerance_scores_0(tmp_path):
    city = clean_city(tmp_path, orders=100)
    _entered_before_service(city, 3)                     # 3%
    six = item(score(city), "6")
    assert six["score"] == 0
    assert six["reasons"][0].startswith("伪造、虚假：3行有伪造迹象")


@pytest.mark.parametrize(("orders", "points"), [pytest.param(30, 20, id="exactly-min"),
                                                 pytest.param(29, 0, id="one-short")])
def test_min_orders_boundary(tmp_path, orders, points):
    city = clean_city(tmp_path, orders=orders)
    six = item(score(city), "6")
    assert six["score"] == points
    if not points:
        assert six["reasons"] == ["维修数量不够：本期有效工单 29 单，少于 30 单"]


def test_min_orders_per_city_from_cities_yaml_and_params(city):
    root = city.parent.parent
    (root / "cities.yaml").write_text("测试市:\n  min_orders: 61\n", "utf-8")
    assert item(score(city), "6")["score"] == 0                          # 60 orders < 61
    assert item(score(city, "--params", "min_orders=60"), "6")["score"] == 20


def test_cities_yaml_with_unknown_parameter_exits_2(city):
    (city.parent.parent / "cities.yaml").write_text("测试市:\n  min_orderz: 61\n", "utf-8")
    result = RUNNER.invoke(app, ["score", str(city)])
    assert result.exit_code == 2
    assert "cities.yaml:2" in result.stderr and "min_orderz" in result.stderr


def test_item6_first_match_order(city):
    # fabricated (3 of 60 = 5%) AND a non-standard date: fabrication wins over the 10-point tier
    _entered_before_service(city, 3)
    with edit(city, "repair_report") as t:
        t.set(t.rows[10], "服务日期", "2026/11/03")
    six = item(score(city), "6")
    assert six["score"] == 0 and six["reasons"][0].startswith("伪造、虚假")


def test_item6_errors_and_formats_give_10_with_counts(city):
    with edit(city, "repair_report") as t:
        day = t.get(t.rows[10], "服务日期")
        t.set(t.rows[10], "服务日期", f"{day.year}/{day.month}/{day.day}")   # same day, as text: format
        t.set(t.rows[11], "客户姓名", None)             # missing required value
    six = item(score(city), "6")
    assert six["score"] == 10
    assert six["reasons"] == ["维修日报表：格式不统一 1 处，缺失必填项 1 处 → 10分"]


def test_item6_no_rows_in_period_precedes_order_count(city):
    with edit(city, "repair_report") as t:
        for r in t.rows:
            t.set(r, "服务日期", D(2026, 10, 15))
            t.set(r, "完工日期", D(2026, 10, 15))
            t.set(r, "填报日期", D(2026, 10, 15))
    six = item(score(city, "--period", "2026-11"), "6")
    assert six["score"] == 0 and six["reasons"][0].startswith("无维修报表")


# --- prerequisites and checklist ----------------------------------------------------------------

def test_32_answered_yes_while_31_no_scores_nothing(city):
    with edit(city, "inspection") as t:
        t.set(t.where("检查项编码", "3.1")[0], "结果", "否")
    card = scores(score(city))
    assert (card["3.1"], card["3.2"]) == (0, 0)


def test_52_without_51_scores_nothing(city):
    with edit(city, "training_log") as t:
        t.delete([r for r in t.rows if t.get(r, "培训类型") == "经销商培训"])
    card = score(city)
    assert (item(card, "5.1")["score"], item(card, "5.2")["score"]) == (0, 0)
    assert item(card, "5.2")["reasons"] == ["前提项 5.1 未得分，本项不得分"]


def test_81_yes_with_82_no_scores_0(city):
    with edit(city, "inspection") as t:
        t.set(t.where("检查项编码", "8.2")[0], "结果", "否")
    eight = item(score(city), "8")
    assert eight["score"] == 0
    assert eight["reasons"] == ["现场检查 8.1：是", "现场检查 8.2：否"]


def test_absent_checklist_code_is_not_inspected(city):
    with edit(city, "inspection") as t:
        t.delete(t.where("检查项编码", "7.1"))
    seven = item(score(city), "7.1")
    assert seven["score"] == 0 and seven["reasons"] == ["现场检查 7.1：未检查"]


# --- item 2: roster, first match wins -----------------------------------------------------------

def test_item2_incomplete_precedes_false_information(city):
    with edit(city, "roster") as t:
        t.set(t.rows[0], "所属单位", None)                 # missing required cell
        t.set(t.rows[1], "手机号", "1234")                  # invalid mobile (false information)
    two = item(score(city), "2")
    assert two["score"] == 0 and two["reasons"][0].startswith("技师信息档案不完整")


def test_item2_false_information(city):
    with edit(city, "roster") as t:
        t.set(t.rows[1], "身份证号", t.get(t.rows[0], "身份证号"))   # repeated ID number
    two = item(score(city), "2")
    assert two["score"] == 0 and "重复1处" in two["reasons"][0]


def test_item2_report_technician_missing_from_roster(city):
    with edit(city, "repair_report") as t:
        used = t.get(t.rows[0], "技师工号")
    with edit(city, "roster") as t:
        t.delete(t.where("工号", used))
    two = item(score(city), "2")
    assert two["score"] == 0 and used in two["reasons"][0]


# --- parts --------------------------------------------------------------------------------------

def test_fifo_violation_costs_103(city):
    with edit(city, "parts_ledger") as t:
        # an issue from a batch that was never received, while the part's opening batch holds stock
        first = next(r for r in t.rows if t.get(r, "类型") == "出库")
        t.set(first, "批次号", "B-NEWEST")
    card = score(city)
    assert item(card, "10.3")["score"] == 0
    assert any("先进先出" in r for r in item(card, "10.3")["reasons"])


def test_missing_dataset_scores_its_items_0(city):
    workbook_path(city, "parts_plan").unlink()
    workbook_path(city, "inspection").unlink()
    card = score(city)
    assert item(card, "11.4")["reasons"] == ["未提交配件申请计划"]
    assert item(card, "1.1")["reasons"] == ["未提交现场检查"]
    assert card["total"] == 90 - 2 - 43    # 11.4 and every checklist item (15 + 6 + 10 + 5 + 7 = 43 points)


# --- the rubric is data -------------------------------------------------------------------------

def test_threshold_and_points_change_with_no_code_change(city, tmp_path):
    text = default_rubric_path().read_text("utf-8")
    raised = tmp_path / "raised.yaml"
    raised.write_text(text.replace("min_orders: 30 ", "min_orders: 1000 "), "utf-8")
    assert item(score(city, "--rubric", str(raised)), "6")["score"] == 0
    cheaper = tmp_path / "cheaper.yaml"
    marker = "              - when: {metric: turnover_rate, le: turnover_good}\n                points: 3"
    assert marker in text
    cheaper.write_text(text.replace(marker, marker[:-1] + "2"), "utf-8")
    card = score(city, "--rubric", str(cheaper))
    assert item(card, "4")["score"] == 2 and card["total"] == 89


# --- the official score sheet -------------------------------------------------------------------

def test_xlsx_score_sheet_cells(city, tmp_path):
    with edit(city, "inspection") as t:
        t.set(t.where("检查项编码", "1.5")[0], "结果", "否")
    out = tmp_path / "评分表.xlsx"
    result = RUNNER.invoke(app, ["score", str(city), "--xlsx", str(out), "--format", "json"])
    assert result.exit_code == 0, result.output
    import json
    card = json.loads(result.stdout)
    ws = openpyxl.load_workbook(out).active
    assert ws["A1"].value == "恒洁售后服务运营管理评分系统 2.0"
    assert "测试市" in ws["A2"].value and "2026-11" in ws["A2"].value and "87" in ws["A2"].value
    assert [ws.cell(3, j).value for j in range(1, 9)] == ["序号", "项目", "类别", "分值", "评分标准", "实际得分",
                                                          "得/扣分原因", "备注"]
    found = {}
    for row in ws.iter_rows(min_row=4):
        if row[0].value is not None and row[3].value is not None:
            found[str(row[0].value)] = (row[5].value, row[6].value)
        if row[1].value == "合计":
            total = row[5].value
    assert total == 87
    assert {k: v[0] for k, v in found.items()} == scores(card)
    assert found["1.5"][1] == "现场检查 1.5：否"
    assert all(found[i["id"]][1] == "\n".join(i["reasons"]) for i in card["items"])
    assert any(str(r) .startswith("B4:") for r in ws.merged_cells.ranges)      # section merged
    assert ws.page_setup.orientation == "landscape"
    assert_scoresheet_looks(ws)



@pytest.mark.skipif(shutil.which("soffice") is None and shutil.which("libreoffice") is None,
                    reason="LibreOffice is not installed here")
def test_xlsx_score_sheet_opens_in_libreoffice(city, tmp_path):
    out = tmp_path / "评分表.xlsx"
    assert RUNNER.invoke(app, ["score", str(city), "--xlsx", str(out)]).exit_code == 0
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    subprocess.run([soffice, "--headless", "--convert-to", "csv:Text - txt - csv (StarCalc):44,34,76",
                    "--outdir", str(tmp_path), str(out)],
                   check=True, timeout=120, capture_output=True)
    text = (tmp_path / "评分表.csv").read_text("utf-8")
    assert "恒洁售后服务运营管理评分系统" in text
    assert "90 / 90" in text and "11.5" in text


# --- the parts items, each at 0 for its own reason ---------------------------------------------

def test_111_a_ledger_part_without_a_card_scores_0(city):
    with edit(city, "parts_master") as t:
        code = t.get(t.rows[0], "配件编码")
        t.delete([t.rows[0]])
    card = score(city)
    assert item(card, "11.1")["score"] == 0 and code in item(card, "11.1")["reasons"][0]


def test_113_a_part_in_stock_missing_from_the_count_scores_0(city):
    with edit(city, "stocktake") as t:
        row = next(r for r in t.rows if (t.get(r, "账面数量") or 0) > 0)
        code = t.get(row, "配件编码")
        t.delete([row])
    eleven3 = item(score(city), "11.3")
    assert eleven3["score"] == 0 and code in eleven3["reasons"][0]


def test_114_plan_rows_outside_the_period_score_0(city):
    with edit(city, "parts_plan") as t:
        for r in t.rows:
            t.set(r, "申请日期", D(2026, 10, 20))
    assert item(score(city), "11.4")["reasons"] == ["本期没有有效的配件申请计划"]


def test_103_and_112_without_a_count_for_the_period(city):
    with edit(city, "stocktake") as t:
        for r in t.rows:
            t.set(r, "盘点日期", D(2026, 11, 10))        # outside 11-24 … 12-05: ST001, no count for P
    card = score(city)
    assert (item(card, "10.3")["score"], item(card, "11.2")["score"], item(card, "11.5")["score"]) == (0, 0, 0)
    assert any("没有本期的月末盘点" in r for r in item(card, "10.3")["reasons"])


def test_51_counts_only_valid_trainings_in_the_period(city):
    with edit(city, "training_log") as t:
        for r in t.rows:
            if t.get(r, "培训类型") == "经销商培训" and t.get(r, "培训日期") >= D(2026, 11, 1):
                t.set(r, "参训人数", "很多")                # an error on the row: it earns nothing
    assert item(score(city), "5.1")["score"] == 0
