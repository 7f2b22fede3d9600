"""The fix list (整改清单, fixes.md §1) on real workbooks made by `aftersales sample`.

The honesty check of fixes.md: a generated city loses a criterion's points through defects made
here; the test takes the cells the fix-list entry names, writes back into exactly those cells the
values of the clean city (the same workbook before the defect), scores again and finds the
criterion risen by exactly `regain`, no other criterion fallen.
"""
from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import openpyxl
import pytest

from citykit import D, RUNNER, cli, edit, item, score, scores, set_roster, workbook_path
from aftersales_cli.cli import app
from aftersales_cli.rubric.loader import default_rubric_path

# The keys of one entry, as fixes.md §1 lists them.
SPEC_KEYS = {"id", "title", "lost", "cause", "regain", "action", "findings", "fixable"}


def fixes_of(card: dict, id: str) -> list[dict]:
    return [f for f in card["fixes"] if f["id"] == id]


def sheets_of(month: Path) -> dict[str, Path]:
    """Sheet name → the workbook of the month folder that holds it."""
    out = {}
    for path in sorted(month.glob("*.xlsx")):
        for name in openpyxl.load_workbook(path, read_only=True).sheetnames:
            out[name] = path
    return out


def restore(month: Path, clean: Path, cells: list[str]) -> None:
    """Write into each named cell (工作表!A1) of `month` the value the clean city has there; no
    other cell is touched."""
    mine, theirs = sheets_of(month), sheets_of(clean)
    by_file: dict[Path, list[tuple[str, str]]] = {}
    for ref in cells:
        sheet, _, cell = ref.rpartition("!")
        by_file.setdefault(mine[sheet], []).append((sheet, cell))
    for path, refs in by_file.items():
        wb = openpyxl.load_workbook(path)
        source = openpyxl.load_workbook(theirs[next(iter(refs))[0]])
        for sheet, cell in refs:
            good = source[sheet][cell]
            wb[sheet][cell].value = good.value
            wb[sheet][cell].number_format = good.number_format
        wb.save(path)


def copy_city(month: Path, where: Path) -> Path:
    target = where / "测试市" / "2026-11"
    shutil.copytree(month, target)
    return target


# --- defects, each costing one criterion its points; every finding behind it has a cell -----------

def checklist_no(city):
    with edit(city, "inspection") as t:
        t.set(t.where("检查项编码", "1.5")[0], "结果", "否")


def roster_missing_name(city):
    with edit(city, "roster") as t:
        t.set(t.rows[2], "姓名", None)


def roster_bad_mobiles(city):
    with edit(city, "roster") as t:
        t.set(t.rows[1], "手机号", "1391234")
        t.set(t.rows[3], "手机号", "12345678901")


def every_row(city, dataset: str, header: str, text: str, share: float = 1.0) -> None:
    """`text` (not a valid value) in the column of the first `share` of the dataset's rows."""
    with edit(city, dataset) as t:
        rows = t.rows
        for r in rows[: round(len(rows) * share)]:
            t.set(r, header, text)


def training_dated_wrong(city):
    every_row(city, "training_log", "培训日期", "不详")


def report_text_dates_and_late(city):
    with edit(city, "repair_report") as t:
        rows = t.rows
        for r in rows[3:6]:                                   # text dates: CE021, fixable
            t.set(r, "服务日期", t.get(r, "服务日期").strftime("%Y/%m/%d"))
        r = rows[10]                                          # one late entry: RR008
        t.set(r, "填报日期", t.get(r, "服务日期") + dt.timedelta(days=4))


def ledger_wrong_balance(city):
    with edit(city, "parts_ledger") as t:
        r = t.rows[0]
        t.set(r, "结存", t.get(r, "结存") + 1)


def ledger_unknown_part(city):
    with edit(city, "parts_ledger") as t:
        t.set(t.rows[-1], "配件编码", "PX999")


def plan_dated_wrong(city):
    every_row(city, "parts_plan", "申请日期", "下月")


def stocktake_unreadable_counts(city):          # half the counts unreadable: accuracy ≤ 50%
    every_row(city, "stocktake", "实盘数量", "见附件", share=0.5)


def distributor_training_dated_wrong(city):
    with edit(city, "training_log") as t:
        for r in t.where("培训类型", "分销专场培训"):
            t.set(r, "培训日期", "不详")


def stocktake_out_of_window(city):                # a count dated mid-month: ST001, no month-end count
    every_row(city, "stocktake", "盘点日期", D(2026, 11, 10))


def stocktake_wrong_book(city):
    with edit(city, "stocktake") as t:
        r = t.rows[0]
        t.set(r, "账面数量", t.get(r, "账面数量") + 3)
        t.set(r, "差异数量", t.get(r, "实盘数量") - t.get(r, "账面数量"))


def ledger_issue_from_newer_batch(city):          # FIFO broken once: an issue taken from the newer batch
    with edit(city, "parts_ledger") as t:
        batches: dict[str, list[str]] = {}
        for r in t.rows:
            if t.get(r, "类型") in ("期初", "入库"):
                batches.setdefault(t.get(r, "配件编码"), []).append(t.get(r, "批次号"))
        r = next(r for r in t.rows if t.get(r, "类型") == "出库" and len(batches[t.get(r, "配件编码")]) > 1)
        newer = [b for b in batches[t.get(r, "配件编码")] if b != t.get(r, "批次号")]
        t.set(r, "批次号", newer[-1])


def inspection_no(code: str):
    def defect(city):
        with edit(city, "inspection") as t:
            t.set(t.where("检查项编码", code)[0], "结果", "否")
    return defect


# every criterion scored by one checklist code: (id, max)
CHECKLIST_ONE = [("1.1", 2), ("1.2", 2), ("1.3", 2), ("1.4", 2), ("1.6", 2), ("1.7", 2), ("3.1", 2),
                 ("3.2", 4), ("7.1", 8), ("7.2", 2), ("10.1", 4), ("10.2", 3)]

HONEST = [
    pytest.param(checklist_no, "1.5", 3, id="checklist-1.5"),
    *[pytest.param(inspection_no(code), code, lost, id=f"checklist-{code}") for code, lost in CHECKLIST_ONE],
    pytest.param(distributor_training_dated_wrong, "5.2", 3, id="5.2-training"),
    # (the same defect costs 11.2, 11.3 and 11.5 through findings it causes too — moved count dates
    # make book quantities differ (ST004) and leave accuracy undefined — see the README's decisions)
    pytest.param(stocktake_out_of_window, "10.3", 3, id="10.3-no-count"),
    pytest.param(ledger_issue_from_newer_batch, "10.3", 3, id="10.3-fifo"),
    pytest.param(stocktake_wrong_book, "11.2", 2, id="11.2-book"),
    pytest.param(roster_missing_name, "2", 5, id="2-roster-incomplete"),
    pytest.param(roster_bad_mobiles, "2", 5, id="2-roster-false-info"),
    pytest.param(training_dated_wrong, "5.1", 3, id="5.1-training"),
    pytest.param(report_text_dates_and_late, "6", 10, id="6-report-issues"),
    pytest.param(ledger_wrong_balance, "11.2", 2, id="11.2-balance"),
    pytest.param(ledger_unknown_part, "11.1", 2, id="11.1-no-card"),
    pytest.param(plan_dated_wrong, "11.4", 2, id="11.4-plan"),
    pytest.param(stocktake_unreadable_counts, "11.5", 2, id="11.5-accuracy"),
]


@pytest.mark.parametrize(("defect", "criterion", "lost"), HONEST)
def test_correcting_the_named_cells_regains_exactly_regain(defect, criterion, lost, pristine, tmp_path):
    broken = copy_city(pristine, tmp_path / "broken")
    defect(broken)
    card = score(broken)
    before = scores(card)
    assert item(card, criterion)["max"] - before[criterion] == lost        # the defect costs what it was made to
    entries = [e for e in fixes_of(card, criterion) if e["findings"]["cells"]]
    assert entries, card["fixes"]
    for n, entry in enumerate(entries):
        assert entry["lost"] == lost
        fixed = copy_city(broken, tmp_path / f"fixed{n}")
        restore(fixed, pristine, entry["findings"]["cells"])
        after = scores(score(fixed))
        assert after[criterion] - before[criterion] == entry["regain"], entry
        assert all(after[k] >= v for k, v in before.items()), (entry, before, after)
    # the causes together: correcting every cell of every entry brings the whole criterion back
    every = copy_city(broken, tmp_path / "every")
    restore(every, pristine, [c for e in entries for c in e["findings"]["cells"]])
    assert scores(score(every))[criterion] == item(card, criterion)["max"]


def test_two_failing_checklist_codes_each_regain_nothing_alone(city, pristine):
    with edit(city, "inspection") as t:
        for code in ("8.1", "8.2"):
            t.set(t.where("检查项编码", code)[0], "结果", "否")
    card = score(city)
    entries = fixes_of(card, "8")
    assert [e["regain"] for e in entries] == [0, 0] and all(e["lost"] == 5 for e in entries)
    assert {e["action"] for e in entries} == {"现场检查 8.1 应为「是」：每位技师作业工具、维修手册齐全",
                                              "现场检查 8.2 应为「是」：月度有例行的维修工具、手册盘点检查"}
    restore(city, pristine, entries[0]["findings"]["cells"])     # one of the two: still 0, as regain said
    assert item(score(city), "8")["score"] == 0
    restore(city, pristine, entries[1]["findings"]["cells"])
    assert item(score(city), "8")["score"] == 5


def test_first_match_list_rules_above_the_best_and_its_own_condition(city):
    """Item 6 at 0 for fabrication with format problems too: removing the fabrication leaves the
    list at 10 (report_issues still holds) — regain 10; the format problems alone regain 0."""
    with edit(city, "repair_report") as t:
        rows = t.rows
        for r in rows[:4]:                                    # 4 of 60 rows entered before service: 6.7% > 2%
            t.set(r, "填报日期", t.get(r, "服务日期") - dt.timedelta(days=2))
        r = rows[20]
        t.set(r, "服务日期", t.get(r, "服务日期").strftime("%Y/%m/%d"))
    card = score(city)
    assert item(card, "6")["score"] == 0
    six = {e["cause"].split("：")[0]: e for e in fixes_of(card, "6")}
    assert six["伪造、虚假"]["regain"] == 10 and six["维修日报表"]["regain"] == 0
    assert six["伪造、虚假"]["findings"]["counts"] == {"RR007": 4}
    assert six["维修日报表"]["findings"]["counts"] == {"CE021": 1} and six["维修日报表"]["fixable"] == 1


# --- regain null: prerequisites, missing data, turnover -------------------------------------------

def test_null_regains_come_last_with_their_reasons(city):
    with edit(city, "inspection") as t:                        # 3.1 否: 3.2 lost to its prerequisite
        t.set(t.where("检查项编码", "3.1")[0], "结果", "否")
    workbook_path(city, "training_log").unlink()               # 5.1 and 5.2 not submitted
    old = D(2020, 1, 1)                                        # 3 of 6 leave: turnover 50%
    set_roster(city, [(old, D(2026, 11, 10))] * 3 + [(old, None)] * 3)
    card = score(city)
    nulls = [e for e in card["fixes"] if e["regain"] is None]
    assert {e["id"] for e in nulls} == {"3.2", "4", "5.1", "5.2"}
    assert card["fixes"][-len(nulls):] == nulls                # last
    by_id = {e["id"]: e for e in nulls}
    assert by_id["3.2"]["cause"] == "前提项 3.1 未得分，本项不得分"
    assert by_id["5.1"]["cause"] == "未提交培训记录"
    assert "aftersales template training_log" in by_id["5.1"]["action"]
    assert "50.0%" in by_id["4"]["cause"] and by_id["4"]["findings"] == {"counts": {}, "cells": []}
    three_one = fixes_of(card, "3.1")[0]
    assert three_one["regain"] == 2 and three_one["findings"]["cells"] == [answer_cell(city, "3.1")]


def answer_cell(city: Path, code: str) -> str:
    """Where the inspection sheet holds the 结果 of a code (read from the sheet itself)."""
    from openpyxl.utils import get_column_letter
    with edit(city, "inspection") as t:
        return f"{t.ws.title}!{get_column_letter(t.cols['结果'])}{t.where('检查项编码', code)[0]}"


def test_order_regain_then_cells_then_rubric_order(city):
    with edit(city, "inspection") as t:
        for code in ("1.2", "1.1", "1.5"):
            t.set(t.where("检查项编码", code)[0], "结果", "否")
    report_text_dates_and_late(city)                          # item 6: regain 10, 4 cells
    plan_dated_wrong(city)                                    # 11.4: regain 2, one cell per plan row
    card = score(city)
    order = [(e["id"], e["regain"]) for e in card["fixes"]]
    # 10 first; then 3; then the 2s: one cell each in rubric order (1.1, 1.2), 11.4's several cells last
    assert order == [("6", 10), ("1.5", 3), ("1.1", 2), ("1.2", 2), ("11.4", 2)]
    assert len(fixes_of(card, "11.4")[0]["findings"]["cells"]) > 1


def test_clean_city_has_an_empty_fix_list(city):
    card = score(city)
    assert card["fixes"] == []
    run = cli("score", str(city))
    assert "整改清单：无" in run.stdout


# --- what each entry says ---------------------------------------------------------------------------

def test_json_entry_keys_and_findings(city):
    report_text_dates_and_late(city)
    card = score(city)
    (six,) = fixes_of(card, "6")
    assert set(six) == SPEC_KEYS
    assert six["title"] == "维修日报表" and six["lost"] == 10 and six["regain"] == 10
    assert six["findings"]["counts"] == {"CE021": 3, "RR008": 1}
    assert len(six["findings"]["cells"]) == 4 and all(c.startswith("维修日报表!") for c in six["findings"]["cells"])
    assert six["fixable"] == 3                                 # CE021 is in fix/fixable.yaml, RR008 is not
    assert "未及时填报 1 处" in six["cause"] and "格式不统一 3 处" in six["cause"]


def test_action_texts_in_both_languages(city):
    checklist_no(city)
    report_text_dates_and_late(city)
    zh, en = score(city), score(city, "--lang", "en")
    assert fixes_of(zh, "1.5")[0]["action"].startswith("现场检查 1.5 应为「是」")
    assert fixes_of(en, "1.5")[0]["action"].startswith("Inspection 1.5 should be 是 (yes)")
    assert fixes_of(zh, "6")[0]["action"].startswith("逐处改正维修日报表的错误和格式问题")
    assert fixes_of(en, "6")[0]["action"].startswith("Correct each error and format problem of the repair report")
    assert fixes_of(en, "1.5")[0]["cause"] == "Inspection 1.5: no"


def test_table_after_the_scorecard(city):
    checklist_no(city)
    run = cli("score", str(city))
    assert run.code == 0
    out = run.stdout
    assert out.index("得分 87 / 90") < out.index("整改清单") and answer_cell(city, "1.5") in out


# --- the sheets ---------------------------------------------------------------------------------

def test_score_xlsx_second_sheet(city, tmp_path):
    checklist_no(city)
    report_text_dates_and_late(city)
    out = tmp_path / "评分表.xlsx"
    result = RUNNER.invoke(app, ["score", str(city), "--xlsx", str(out), "--format", "json"])
    assert result.exit_code == 0, result.output
    card = json.loads(result.stdout)
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == ["评分表", "整改清单"]
    ws = wb["整改清单"]
    heads = [c.value for c in ws[2]]
    assert heads == ["评分项", "类别", "失分", "可挽回", "原因", "可自动修正", "整改措施", "责任人", "完成日期"]
    rows = [[c.value for c in r] for r in ws.iter_rows(min_row=3, max_row=2 + len(card["fixes"]))]
    assert [(r[0], r[2], r[3], r[5]) for r in rows] == [(e["id"], e["lost"], e["regain"], e["fixable"])
                                                          for e in card["fixes"]]
    assert all(r[7] is None and r[8] is None for r in rows)          # 责任人, 完成日期 left blank
    assert "维修日报表!" in rows[0][4] and rows[0][6] == card["fixes"][0]["action"]
    assert ws.page_setup.orientation == "landscape" and ws.print_title_rows == "$2:$2"


def test_batch_carries_each_citys_fix_list(city, tmp_path):
    checklist_no(city)
    root = city.parent.parent
    out = tmp_path / "out"
    run = cli("batch", str(root), "-o", str(out), "--jobs", "1")
    assert run.code == 0, run.stderr
    doc = json.loads((out / "summary.json").read_text("utf-8"))
    (row,) = doc["cities"]
    assert row["fixes"] == score(city)["fixes"]
    ws = openpyxl.load_workbook(out / "汇总.xlsx")["测试市"]
    texts = [r[0].value for r in ws.iter_rows()]
    head = texts.index("整改清单")
    assert texts[head + 2] == "1.5" and ws.cell(head + 2, 9).value == "完成日期"


# --- the rubric ---------------------------------------------------------------------------------

def test_rubric_check_wants_a_fix_text_on_every_failing_branch(tmp_path):
    text = default_rubric_path().read_text("utf-8")
    line = '                fix: {zh: "登记本期的配件入库、领用记录", en: "Record the period\'s receipts and issues in the parts ledger"}\n'
    assert line in text
    broken = tmp_path / "nofix.yaml"
    broken.write_text(text.replace(line, ""), "utf-8")
    run = cli("rubric", "check", str(broken))
    assert run.code == 2
    where = text[: text.index(line)].count("\n")                     # the line of the requirement before it
    assert f"nofix.yaml:{where - 1}:" in run.stdout + run.stderr or f"nofix.yaml:{where}:" in run.stdout + run.stderr
    assert "10.3" in run.stdout + run.stderr and "fix" in run.stdout + run.stderr


def test_every_metric_declares_the_findings_behind_it():
    """metrics/catalogue.yaml: every metric a rubric may name says which findings lie behind it
    (codes, findings or from), each code a finding code of messages.yaml, each dataset a dataset."""
    from aftersales_cli.formats import DATASETS
    from aftersales_cli.i18n import catalogue as messages
    from aftersales_cli.metrics.catalogue import catalogue

    codes = set(messages()["findings"])
    metrics = catalogue()["metrics"]
    for name, entry in metrics.items():
        assert {"codes", "findings", "from"} & set(entry), name
        for dataset, spec in (entry.get("findings") or {}).items():
            assert dataset in DATASETS, (name, dataset)
            if isinstance(spec, dict):
                assert set(spec["severities"]) <= {"error", "format", "warning", "info"}, name
            else:
                assert set(spec) <= codes, (name, spec)
        assert set(entry.get("codes") or ()) <= codes, name
        assert set(entry.get("from") or ()) <= set(metrics), name


def test_fixable_counts_read_the_one_shared_list():
    import yaml

    from aftersales_cli.rubric.fixes import fixable_codes

    path = Path(__file__).resolve().parents[1] / "aftersales_cli" / "fix" / "fixable.yaml"
    assert fixable_codes() == frozenset(yaml.safe_load(path.read_text("utf-8"))["fixable_codes"])
    assert fixable_codes() == {"CE021", "CE031", "CE041", "CE051", "CE061", "CE063"}     # fixes.md §2
