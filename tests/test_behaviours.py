"""Behaviours of cli.md, formats.md and rubric.md that had no test of their own.

Every expected value comes from how the input was built (said beside it) or from the spec's words;
none is computed by the code under test. Cities are real workbooks made by `aftersales sample`
and edited cell by cell (tests/citykit.py).
"""
from __future__ import annotations

import csv
import datetime as dt
import hashlib
import json
import shutil
import zipfile
from pathlib import Path

import openpyxl
import pytest

from aftersales_cli.report import summary
from aftersales_cli.rubric.engine import percent
from aftersales_cli.rubric.loader import default_rubric_path
from aftersales_cli.cli import app
from citykit import RUNNER, D, Run, cli, edit, item, score, scores, set_roster, workbook_path
from xlsx_factory import write_xlsx

OLD = D(2020, 1, 1)


def validate_json(path: Path, *args: str) -> tuple[int, dict]:
    run = cli("validate", str(path), "--format", "json", *args)
    return run.code, json.loads(run.stdout)


def _cli_env(env: dict, *args: str) -> Run:
    """`cli` with environment variables set for the run."""
    result = RUNNER.invoke(app, list(args), env=env)
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    return Run(result.exit_code, result.stdout, result.stderr)


def codes(doc: dict) -> list[str]:
    return [f["code"] for f in doc["findings"]]


# --- validate --strict ----------------------------------------------------------------------------

def test_strict_fails_on_format_findings_only(city):
    """A date typed as text 2026/11/05 is understood but not YYYY-MM-DD: a `format` finding, no
    error. Exit 0 without --strict, 1 with it (cli.md: --strict makes format findings fail too)."""
    with edit(city, "repair_report") as t:
        r = t.rows[4]
        t.set(r, "服务日期", f"{t.get(r, '服务日期'):%Y/%m/%d}")
    code, doc = validate_json(city)
    assert doc["summary"]["error"] == 0 and doc["summary"]["format"] >= 1, doc["summary"]
    assert code == 0
    strict, _ = validate_json(city, "--strict")
    assert strict == 1


def test_strict_changes_nothing_for_a_clean_city(city):
    assert validate_json(city, "--strict")[0] == 0


# --- the period: folder, rows, latest month ---------------------------------------------------------

def test_period_from_the_folder_name_wins_over_the_rows(city, tmp_path):
    """The November city copied into a folder named 2026-12: the folder names the period, and every
    November row is then outside it (RR001)."""
    december = tmp_path / "x" / "测试市" / "2026-12"
    shutil.copytree(city, december)
    code, doc = validate_json(december)
    assert doc["period"] == "2026-12"
    assert "RR001" in codes(doc) and code == 1


def _move_report_rows(city: Path, share: float, to: dt.date) -> None:
    with edit(city, "repair_report") as t:
        rows = t.rows
        for r in rows[:int(len(rows) * share)]:
            t.set(r, "服务日期", to)


@pytest.mark.parametrize(("share", "expected"), [
    pytest.param(0.3, "2026-11", id="most-rows-in-november"),
    pytest.param(0.7, "2026-10", id="most-rows-in-october"),
])
def test_period_from_the_rows_when_no_folder_names_it(city, tmp_path, share, expected):
    """No YYYY-MM in the path: the month most repair-report rows fall in (cli.md)."""
    _move_report_rows(city, share, D(2026, 10, 15))
    plain = tmp_path / "上报材料"
    shutil.copytree(city, plain)
    _, doc = validate_json(plain)
    assert doc["period"] == expected


@pytest.mark.parametrize("command", ["validate", "score"])
def test_city_folder_with_months_takes_the_latest(city, tmp_path, command):
    """A city folder holding 2026-10 and 2026-11: without --period the latest, 2026-11; with
    --period 2026-10 that one (its files are read: their paths say so)."""
    root = tmp_path / "城市" / "测试市"
    shutil.copytree(city, root / "2026-11")
    shutil.copytree(city, root / "2026-10")
    run = cli(command, str(root), "--format", "json")
    doc = json.loads(run.stdout)
    assert doc["period"] == "2026-11"
    if command == "validate":
        assert all("2026-11" in Path(d["file"]).parts for d in doc["datasets"].values())
    chosen = json.loads(cli(command, str(root), "--format", "json", "--period", "2026-10").stdout)
    assert chosen["period"] == "2026-10"


# --- AFTERSALES_LANG ------------------------------------------------------------------------------

def test_aftersales_lang_picks_english_and_lang_overrides_it(tmp_path):
    missing = tmp_path / "没有这个文件夹"
    en = _cli_env({"AFTERSALES_LANG": "en"}, "validate", str(missing))
    assert en.code == 2 and "no such file or folder" in en.stderr and "路径不存在" not in en.stderr
    zh = _cli_env({"AFTERSALES_LANG": "en"}, "validate", str(missing), "--lang", "zh")
    assert zh.code == 2 and "路径不存在" in zh.stderr
    default = _cli_env({"AFTERSALES_LANG": ""}, "validate", str(missing))
    assert "路径不存在" in default.stderr                      # Chinese by default


# --- validate-report --roster / --parts -----------------------------------------------------------

def test_validate_report_cross_checks_the_roster_and_parts_given(city, tmp_path):
    """The report alone in its folder, one row naming technician T999 and part ZZ-999 that no
    roster or parts master holds: RR003 and RR005 only when --roster / --parts are given."""
    alone = tmp_path / "report"
    alone.mkdir()
    with edit(city, "repair_report") as t:
        r = next(r for r in t.rows if t.get(r, "使用配件编码"))
        t.set(r, "技师工号", "T999")
        t.set(r, "使用配件编码", "ZZ-999")
    report = shutil.copy(workbook_path(city, "repair_report"), alone)
    others = tmp_path / "others"
    others.mkdir()
    roster = shutil.copy(workbook_path(city, "roster"), others)
    parts = shutil.copy(workbook_path(city, "parts_master"), others)

    run = cli("validate-report", str(report), "--format", "json")
    doc = json.loads(run.stdout)
    assert "RR003" not in codes(doc) and "RR005" not in codes(doc)

    run = cli("validate-report", str(report), "--roster", str(roster), "--parts", str(parts), "--format", "json")
    doc = json.loads(run.stdout)
    assert run.code == 1
    assert [f["value"] for f in doc["findings"] if f["code"] == "RR003"] == ["T999"]
    assert [f["value"] for f in doc["findings"] if f["code"] == "RR005"] == ["ZZ-999"]


# --- .xlsm -------------------------------------------------------------------------------------------

MACRO_TYPE = "application/vnd.ms-excel.sheet.macroEnabled.main+xml"


def _as_xlsm(src: Path, dst: Path) -> Path:
    """The workbook as Excel saves a macro-enabled one: the same parts, the main part typed xlsm."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename == "[Content_Types].xml":
                data = data.replace(b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
                                    MACRO_TYPE.encode())
                assert MACRO_TYPE.encode() in data
            zout.writestr(info, data)
    return dst


def test_xlsm_is_read_like_xlsx(city, tmp_path):
    folder = tmp_path / "宏" / "2026-11"
    folder.mkdir(parents=True)
    for dataset in ("repair_report", "roster", "parts_master"):
        src = workbook_path(city, dataset)
        _as_xlsm(src, folder / (src.stem + ".xlsm"))
    code, doc = validate_json(folder)
    original = openpyxl.load_workbook(workbook_path(city, "repair_report")).active
    data_rows = sum(1 for r in original.iter_rows(min_row=2, values_only=True) if r[0] is not None)
    report = doc["datasets"]["repair_report"]
    assert Path(report["file"]).suffix == ".xlsm" and report["rows"] == data_rows
    assert doc["summary"]["error"] == 0 and code == 0


# --- sample: deterministic for a seed -----------------------------------------------------------------

def _cell_values(root: Path) -> dict[str, list]:
    out = {}
    for path in sorted(root.rglob("*.xlsx")):
        wb = openpyxl.load_workbook(path)
        out[str(path.relative_to(root))] = [[list(r) for r in ws.iter_rows(values_only=True)] for ws in wb]
    return out


def test_sample_is_deterministic_for_a_seed(tmp_path):
    args = ["--cities", "2", "--orders", "40", "--period", "2026-11", "--defects", "0.05"]
    for name, seed in (("a", "5"), ("b", "5"), ("c", "6")):
        assert cli("sample", str(tmp_path / name), "--seed", seed, *args).code == 0
    a, b, c = (_cell_values(tmp_path / n) for n in "abc")
    assert a and a == b                      # the same seed: the same cities, files and cell values
    assert a != c                            # another seed: other data


# --- the limit variables ----------------------------------------------------------------------------

def test_aftersales_max_rows_refuses_a_longer_sheet(city, tmp_path):
    """AFTERSALES_MAX_ROWS=20 and a repair report of 60 orders: refused, exit 2, the file named."""
    report = workbook_path(city, "repair_report")
    run = _cli_env({"AFTERSALES_MAX_ROWS": "20"}, "validate", str(report), "--format", "json")
    assert run.code == 2
    error = json.loads(run.stdout)["error"]
    assert error["code"] == "too_many_rows" and Path(error["path"]).name == report.name
    assert "20" in error["message"]
    assert _cli_env({"AFTERSALES_MAX_ROWS": "100000"}, "validate", str(report)).code == 0


def test_aftersales_max_mb_refuses_a_larger_workbook(city):
    """AFTERSALES_MAX_MB=1 and a workbook whose sheets inflate past 1 MB (3,000 long rows)."""
    path = city / "大表.xlsx"
    write_xlsx(path, {"备注": [[f"第{i}行", "说明" * 200] for i in range(3000)]})
    run = _cli_env({"AFTERSALES_MAX_MB": "1"}, "validate", str(path), "--format", "json")
    assert run.code == 2
    assert json.loads(run.stdout)["error"]["code"] == "zip_bomb_total"
    assert _cli_env({"AFTERSALES_MAX_MB": "500"}, "validate", str(path), "--format", "json").code != 2


# --- batch: the findings sheet's cap, the period without month folders ---------------------------------

def test_findings_sheet_is_capped_and_findings_csv_holds_all(tmp_path, monkeypatch):
    """cli.md: the findings sheet of 汇总.xlsx holds at most 100,000 rows, then says how many more
    there are; findings.csv holds them all. The cap is lowered to 5 to build past it cheaply."""
    assert summary.MAX_FINDING_ROWS == 100_000
    root = tmp_path / "root"
    assert cli("sample", str(root), "--cities", "1", "--orders", "40", "--seed", "3", "--defects", "0.2").code == 0
    monkeypatch.setattr(summary, "MAX_FINDING_ROWS", 5)
    out = tmp_path / "out"
    run = cli("batch", str(root), "--jobs", "1", "--out", str(out), "--format", "json")
    assert run.code == 0, run.stderr
    with open(out / "findings.csv", encoding="utf-8-sig", newline="") as fh:
        listed = list(csv.reader(fh))[1:]
    assert len(listed) > 5
    ws = openpyxl.load_workbook(out / "汇总.xlsx")["问题明细"]
    rows = [r for r in ws.iter_rows(min_row=2, values_only=True) if any(v is not None for v in r)]
    assert len(rows) == 5 + 1
    assert rows[-1][0] == f"还有 {len(listed) - 5} 条未列出，完整清单见 findings.csv"


def test_batch_period_without_month_folders_comes_from_the_cities_rows(pristine, tmp_path):
    """Two cities whose workbooks sit directly in their folders, rows in 2026-11: the batch's
    period is 2026-11 and its outputs go to _scores/2026-11."""
    root = tmp_path / "root"
    for name in ("甲市", "乙市"):
        shutil.copytree(pristine, root / name)
    run = cli("batch", str(root), "--jobs", "1", "--format", "json")
    assert run.code == 0, run.stderr
    doc = json.loads(run.stdout)
    assert doc["period"] == "2026-11"
    assert sorted(c["city"] for c in doc["cities"]) == ["乙市", "甲市"]
    assert all(c["period"] == "2026-11" for c in doc["cities"])
    assert (root / "_scores" / "2026-11" / "summary.json").is_file()


# --- percent: half-up to one decimal ----------------------------------------------------------------

@pytest.mark.parametrize(("total", "maximum", "expected"), [
    (80, 90, 88.9),        # 88.888… → 88.9
    (90, 90, 100.0),
    (0, 90, 0.0),
    (1, 3, 33.3),          # 33.333… → 33.3
    (2, 3, 66.7),          # 66.666… → 66.7
    (1, 16, 6.3),          # exactly 6.25: half-up 6.3 (round-half-even would give 6.2)
    (5, 16, 31.3),         # exactly 31.25 → 31.3
    (7, 16, 43.8),         # exactly 43.75 → 43.8
    (1, 32, 3.1),          # exactly 3.125 → 3.1 (below the half)
    (1, 80, 1.3),          # exactly 1.25 → 1.3
    (1, 8, 12.5),          # exactly one decimal: unchanged
])
def test_percent_rounds_half_up_to_one_decimal(total, maximum, expected):
    assert percent(total, maximum) == expected


def test_a_city_scoring_80_of_90_shows_88_9(city):
    """One late entry: item 6 falls from 20 to 10 (rubric.md), total 80 of 90 → 88.9%."""
    with edit(city, "repair_report") as t:
        r = t.rows[5]
        t.set(r, "填报日期", t.get(r, "服务日期") + dt.timedelta(days=3))
    card = score(city)
    assert (card["total"], card["max"], card["percent"]) == (80, 90, 88.9)


# --- rubric: adding row 9 is enough to score it --------------------------------------------------------

ROW_9 = """      - seq: 9
        title: 配件库安全管理
        max: 5
        criteria:
          - {id: "9", max: 5, checklist: ["9.1"], text: "1、配件库防火防盗措施齐全，得5分"}
"""


def _rubric_with_row_9(tmp_path: Path) -> Path:
    text = default_rubric_path().read_text("utf-8")
    parts_section = "  - title: 配件库管理\n    max: 20\n    items:\n"
    assert parts_section in text
    text = text.replace(parts_section, "  - title: 配件库管理\n    max: 25\n    items:\n" + ROW_9)
    checklist_end = '  "10.2": '
    assert checklist_end in text
    text = text.replace(checklist_end, '  "9.1": 配件库防火防盗措施齐全\n' + checklist_end)
    path = tmp_path / "rubric-row9.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_adding_row_9_to_the_rubric_scores_it_end_to_end(city, tmp_path):
    """Row 9 (5 points) added to the YAML, section 配件库管理 raised to 25, and code 9.1 answered 是
    in the inspection sheet: 95 of 95, with no IN001 (unknown checklist code) for 9.1."""
    rubric = _rubric_with_row_9(tmp_path)
    assert cli("rubric", "check", str(rubric)).code == 0
    with edit(city, "inspection") as t:
        template = {h: t.get(t.rows[0], h) for h in t.cols}
        t.append({**template, "检查项编码": "9.1", "检查内容": "配件库防火防盗措施齐全", "结果": "是"})
    card = score(city, "--rubric", str(rubric))
    assert (card["total"], card["max"], card["percent"]) == (95, 95, 100.0)
    assert item(card, "9")["score"] == 5
    assert [s["max"] for s in card["sections"]] == [15, 20, 20, 15, 25]
    assert card["findings_summary"]["error"] == 0             # 9.1 is a known code: no IN001


def test_row_9_answered_no_scores_0_of_its_5(city, tmp_path):
    rubric = _rubric_with_row_9(tmp_path)
    with edit(city, "inspection") as t:
        template = {h: t.get(t.rows[0], h) for h in t.cols}
        t.append({**template, "检查项编码": "9.1", "检查内容": "配件库防火防盗措施齐全", "结果": "否"})
    card = score(city, "--rubric", str(rubric))
    assert (card["total"], card["max"]) == (90, 95)
    assert item(card, "9")["reasons"] == ["现场检查 9.1：否"]


# --- item 4: rows with unusable dates are set aside ---------------------------------------------------

def test_turnover_sets_aside_a_row_with_an_unusable_hire_date(city):
    """Opening 9 (one leaves in P) plus a tenth technician whose 入职日期 is 不详: set aside, the rate
    is 1/9 = 11.1% → 1 point. Counted as opening it would be 1/10 = 10% → 3."""
    set_roster(city, [(OLD, D(2026, 11, 20))] + [(OLD, None)] * 9)
    with edit(city, "roster") as t:
        t.set(t.rows[-1], "入职日期", "不详")
    four = item(score(city), "4")
    assert four["score"] == 1
    assert "1行日期无效未计" in four["reasons"][0]


# --- 10.3, 11.2 ---------------------------------------------------------------------------------------

def test_103_with_no_ledger_rows_in_the_period_scores_0(city):
    """Every ledger row dated 2026-10: the ledger has no rows in P → 10.3 scores 0."""
    with edit(city, "parts_ledger") as t:
        t.set_all("日期", D(2026, 10, 1))
    card = score(city)
    assert item(card, "10.3")["score"] == 0
    assert item(card, "10.3")["metrics"]["ledger_rows_in_period"] == 0


def test_112_fails_on_usage_alone(city):
    """Balances and counts untouched; one repair row uses 500 more of its part than the ledger
    issued in P: a shortfall (PL013, a warning) → 11.2 scores 0 with 维修用配件未出库登记, and no
    other item moves."""
    with edit(city, "repair_report") as t:
        r = next(r for r in t.rows if t.get(r, "使用配件编码"))
        t.set(r, "配件数量", int(t.get(r, "配件数量")) + 500)
    card = score(city)
    lost = {i["id"] for i in card["items"] if i["score"] < i["max"]}
    assert lost == {"11.2"}
    assert any("维修用配件未出库登记" in r for r in item(card, "11.2")["reasons"])
    assert card["findings_summary"]["error"] == 0


# --- checklist: 记录有误 ----------------------------------------------------------------------------------

def test_a_checklist_row_with_an_error_scores_0_as_an_invalid_record(city):
    """1.1's 结果 is 待定 (not 是 or 否): an error on the row; 1.1 scores 0 with 记录有误."""
    with edit(city, "inspection") as t:
        t.set(t.where("检查项编码", "1.1")[0], "结果", "待定")
    one1 = item(score(city), "1.1")
    assert one1["score"] == 0
    assert one1["reasons"] == ["现场检查 1.1：记录有误，不计分"]


# --- 11.5: error rows count as failures --------------------------------------------------------------

def test_stocktake_rows_with_errors_count_as_failures_in_accuracy(city):
    """10 count rows: 1 mismatch and 2 rows whose 实盘数量 is text (an error). Counted as failures:
    7/10 = 70% < 80% → 0. Were they left out, 7/8 = 87.5% would score 2."""
    with edit(city, "stocktake") as t:
        rows = t.rows
        assert len(rows) >= 10
        t.delete(rows[10:])
        first, second, third = t.rows[:3]
        t.set(first, "实盘数量", t.get(first, "账面数量") + 1)
        t.set(first, "差异数量", 1)
        for r in (second, third):
            t.set(r, "实盘数量", "待盘")
            t.set(r, "差异数量", None)
    eleven5 = item(score(city), "11.5")
    assert eleven5["score"] == 0
    assert "70.0%（7/10）" in eleven5["reasons"][0]


# --- training: 其他培训 counts for nothing ---------------------------------------------------------------

def test_other_trainings_count_for_nothing(city):
    """Every training in P typed 其他培训: neither 5.1 (经销商培训) nor 5.2 (分销专场培训) scores."""
    with edit(city, "training_log") as t:
        t.set_all("培训类型", "其他培训")
    card = score(city)
    assert (scores(card)["5.1"], scores(card)["5.2"]) == (0, 0)


# --- RD009: a header that fits two datasets equally ---------------------------------------------------

def test_a_sheet_fitting_two_datasets_equally_is_an_error_naming_both(tmp_path):
    """A sheet named Sheet1 in 资料.xlsx whose header holds every required column of 配件档案
    (配件编码, 配件名称, 配件类别, 单位, 仓位) and of 月末盘点 (盘点日期, 配件编码, 配件名称, 账面数量,
    实盘数量, 盘点人): both match 100%, a tie → RD009 naming both, nothing claimed."""
    header = ["配件编码", "配件名称", "配件类别", "单位", "仓位", "盘点日期", "账面数量", "实盘数量", "盘点人"]
    row = ["P2003", "密封圈", "五金", "个", "A-01", D(2026, 11, 30), 5, 5, "张三"]
    path = write_xlsx(tmp_path / "资料.xlsx", {"Sheet1": [header, row]})
    code, doc = validate_json(path)
    [tie] = [f for f in doc["findings"] if f["code"] == "RD009"]
    assert tie["severity"] == "error" and tie["sheet"] == "Sheet1"
    assert "配件档案" in tie["message"] and "月末盘点" in tie["message"]
    assert "parts_master" not in doc["datasets"] and "stocktake" not in doc["datasets"]
    assert code == 1


def test_inputs_are_never_modified_by_these_runs(city):
    """A guard for this module's cases: validating reads the city, never writes it."""
    before = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in city.iterdir()}
    validate_json(city, "--strict")
    assert {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in city.iterdir()} == before
