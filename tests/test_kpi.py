"""`aftersales kpi` (kpi.md) on a two-month city whose figures are known by construction.

The city is tests/kpi_city.py: its docstring lists every row and what it is there for. The
expected numbers below are worked out by hand from that list (the arithmetic is in the comments).
"""
from __future__ import annotations

import json
import re
from fractions import Fraction

import kpi_city
import pytest
from citykit import cli

from aftersales_cli.kpi.compute import display_days, display_ratio, display_yuan


@pytest.fixture
def month(tmp_path):
    return kpi_city.build(tmp_path / "root")


def kpi_json(path, *args) -> dict:
    run = cli("kpi", str(path), "--format", "json", *args)
    assert run.code == 0, run.stdout + run.stderr
    return json.loads(run.stdout)


def tech(data: dict, tech_id: str) -> dict:
    return next(t for t in data["technicians"] if t["tech_id"] == tech_id)


def test_city_totals(month):
    t = kpi_json(month)["city_totals"]
    # 派单: R1 R2 R5 R6 R10 R15 (T001) + R7 R8 R9 R12 (T002) + R11 R13 R14 R18 (T003) + R16 (T009) = 15;
    # R17 (duplicate 工单号) and R-P2, R-P4 (served in October) are set aside
    assert (t["orders"], t["completed"]) == (15, 12)
    assert t["completion_rate"] == pytest.approx(12 / 13)          # 已取消 R13, R16 out of the denominator
    # completed with a readable 完工日期 (R15 set aside): 11 orders; days 3 (R1), 4 (R2), 1 (R10), 0 × 8
    assert t["on_time_rate"] == pytest.approx(10 / 11)              # only R2 (4 days > 3) is late
    assert (t["mean_days"], t["median_days"]) == (0.7, 0.0)         # 8/11 = 0.727… → 0.7
    # ratings of the 12 completed: R5 has none; 非常满意 R1, 不满意 R2, 一般 R6, 满意 the other 8
    assert t["satisfaction_rate"] == pytest.approx(9 / 11)
    assert t["dissatisfied"] == 1
    assert t["follow_up_rate"] == pytest.approx(11 / 12)
    assert (t["repeats"], t["repeat_rate"]) == (5, pytest.approx(5 / 12))
    # repeats whose original is an 安装: R7 (of P1) and R9 (of R8); 安装 completed in November: R8, R18
    assert (t["repeats_after_install"], t["repeat_rate_after_install"]) == (2, 1.0)
    # 计件: 维修 R1 R2 R5 R6 R10 R7 R9 R12 R-P2 R11 = 10; 安装 R8 R18 = 2; 保养 P3 (October's report) = 1
    assert t["piece"] == {"安装": {"count": 2, "price": 50, "amount": 100, "repeats": 0},
                          "维修": {"count": 10, "price": 40, "amount": 400, "repeats": 1},
                          "保养": {"count": 1, "price": 30, "amount": 30, "repeats": 0},
                          "其他": {"count": 0, "price": 0, "amount": 0, "repeats": 0}}
    assert t["piece_total"] == 530


def test_technicians(month):
    data = kpi_json(month)
    assert [t["tech_id"] for t in data["technicians"]] == ["T001", "T002", "T003", "T009"]
    t1 = tech(data, "T001")
    assert (t1["name"], t1["category"], t1["unit"]) == ("王建国", "自有", "杭州服务中心")
    assert (t1["orders"], t1["completed"], t1["completion_rate"]) == (6, 6, 1.0)
    # days 3, 4, 0, 0, 1 (R15 set aside): mean 1.6, median 1, on time 4 of 5
    assert (t1["mean_days"], t1["median_days"], t1["on_time_rate"]) == (1.6, 1.0, 0.8)
    # rated R1 非常满意, R2 不满意, R6 一般, R10 满意, R15 满意 (R5 unrated): 3 of 5; 5 of 6 rated
    assert (t1["satisfaction_rate"], t1["dissatisfied"]) == (0.6, 1)
    assert t1["follow_up_rate"] == pytest.approx(5 / 6)
    assert (t1["repeats"], t1["repeat_rate"]) == (2, pytest.approx(1 / 3))   # R7 (of P1), R11 (of R10)
    assert t1["piece"]["维修"]["count"] == 5 and t1["piece_total"] == 200
    t2 = tech(data, "T002")
    assert (t2["orders"], t2["completed"], t2["on_time_rate"], t2["satisfaction_rate"]) == (4, 4, 1.0, 1.0)
    assert (t2["repeats"], t2["repeat_rate"]) == (1, 0.25)                    # R9 (of R8)
    # 维修 R7 R9 R12 R-P2 = 4 × 40, 安装 R8 = 50; R9 is a repeat charged to T002 himself: flagged
    assert t2["piece"]["维修"] == {"count": 4, "price": 40, "amount": 160, "repeats": 1}
    assert t2["piece_total"] == 210
    t3 = tech(data, "T003")
    assert (t3["orders"], t3["completed"]) == (4, 2)
    assert t3["completion_rate"] == pytest.approx(2 / 3)                      # R13 cancelled
    assert (t3["repeats"], t3["repeat_rate"]) == (2, 1.0)                     # R5 (of P5), R12 (of R11)
    assert t3["piece_total"] == 120                                           # 40 + 50 + 保养 P3 30
    t9 = tech(data, "T009")                                                   # not on the roster: counted
    assert (t9["name"], t9["orders"], t9["completed"]) == (None, 1, 0)
    for key in ("completion_rate", "on_time_rate", "mean_days", "satisfaction_rate", "follow_up_rate",
                "repeat_rate"):
        assert t9[key] is None, key                                           # 0 ÷ 0: null, not 0 or 1


def test_repeats_and_their_boundaries(month):
    repeats = {r["order"]: r for r in kpi_json(month)["repeats"]}
    assert sorted(repeats) == ["N05", "N07", "N09", "N11", "N12"]
    assert (repeats["N05"]["repeat_of"], repeats["N05"]["days"]) == ("WX2026100005", 30)   # exactly the window
    assert "N06" not in repeats                                                          # 31 days: not one
    assert repeats["N07"] == {**repeats["N07"], "repeat_of": "WX2026100001", "charged_to": "T001",
                              "after_install": True, "original_period": "previous"}
    assert (repeats["N11"]["repeat_of"], repeats["N11"]["days"], repeats["N11"]["charged_to"]) == ("N10", 0, "T001")
    # R10 and R11 both completed 11-06: the later 服务日期 (R11) is the original
    assert (repeats["N12"]["repeat_of"], repeats["N12"]["charged_to"]) == ("N11", "T003")


def test_faults_call_list_and_rows_set_aside(month):
    data = kpi_json(month)
    # 维修 orders of 派单 (R15 counts here: 完工日期 is not read): 11; "漏 水" normalises to 漏水
    assert [(f["model"], f["fault"], f["count"]) for f in data["faults"]] == [
        ("M10", "漏水", 3), ("MA", "漏水", 2), ("M1", "漏水", 1), ("M5", "漏水", 1), ("M6", "漏水", 1),
        ("M8", "漏水", 1), ("MN14", "漏水", 1), ("MN15", "漏水", 1)]
    assert data["faults"][1]["share"] == pytest.approx(2 / 11)
    assert data["faults"][1]["cumulative"] == pytest.approx(5 / 11)
    assert data["faults"][-1]["cumulative"] == 1.0
    assert [(d["order"], d["satisfaction"]) for d in data["dissatisfied"]] == [("N02", "不满意"), ("N06", "一般")]
    aside = {(a["row"], a["code"]): a["figures"] for a in data["set_aside"]}
    R = kpi_city.ROW
    assert aside == {
        (R["R15"], "CE023"): ["days", "piece", "repeats"],
        (R["R17"], "RR002"): ["orders", "days", "satisfaction", "piece"],
        (R["R-P2"], "RR001"): ["orders", "days", "satisfaction", "repeats", "faults"],
        (R["R-P4"], "RR001"): ["orders", "days", "satisfaction", "repeats", "faults"],
    }


def test_top_faults_ends_with_one_other_row(month):
    faults = kpi_json(month, "--params", "top_faults=2")["faults"]
    assert [(f["model"], f["fault"], f["count"]) for f in faults] == [("M10", "漏水", 3), ("MA", "漏水", 2),
                                                                      (None, "其他", 6)]
    assert (faults[2]["share"], faults[2]["cumulative"]) == (pytest.approx(6 / 11), 1.0)


def test_without_the_previous_month(tmp_path):
    data = kpi_json(kpi_city.build(tmp_path, previous=False))
    t = data["city_totals"]
    # R5 and R7 lose their originals (P5, P1); P3 (保养) is no longer paid; R-P2 still is, from the
    # report; R-P4 (安装, 完工 11-05) is now paid: nothing shows it was completed in October: 530 − 30 + 50
    assert (t["repeats"], t["piece"]["保养"]["count"], t["piece_total"]) == (3, 0, 550)
    assert data["notes"] == ["未找到上月（2026-10）的维修日报表：返修和计件只按本月报表统计"]


def test_a_previous_report_with_only_a_header_is_said_in_a_note(tmp_path):
    """An October report with its header and no rows counts as not submitted: the figures are those
    without a previous month (test_without_the_previous_month: 550), and the note says why."""
    folder = kpi_city.build(tmp_path, previous=False)
    kpi_city.write_xlsx(folder / "2026-10" / "维修日报表.xlsx",
                        {"维修日报表": kpi_city.titled(kpi_city.headers("repair_report"), [], title="2026年10月 维修日报表")})
    kpi_city.write_xlsx(folder / "2026-10" / "技师档案.xlsx", {"技师档案": kpi_city.roster()})
    data = kpi_json(folder)
    assert data["city_totals"]["piece_total"] == 550
    assert data["notes"] == ["上月（2026-10）的维修日报表只有表头、没有数据行：返修和计件只按本月报表统计"]


def test_table_shows_a_dash_for_a_zero_denominator(month):
    run = cli("kpi", str(month))
    assert run.code == 0, run.stderr
    line = next(ln for ln in run.stdout.splitlines() if "T009" in ln)
    assert line.count("—") == 3                      # 完工率, 及时完工率, 满意率
    assert "92.3%" in run.stdout and "530.00" in run.stdout    # 12/13; the piece total


def test_english_table(month):
    run = cli("kpi", str(month), "--lang", "en")
    assert run.code == 0 and "Completion rate" in run.stdout and "完工率" not in run.stdout


# --- parameters ---------------------------------------------------------------------------------------

def test_params_sets_one_rate(month):
    t = kpi_json(month, "--params", "piece_rates.安装=60")["city_totals"]
    assert t["piece"]["安装"] == {"count": 2, "price": 60, "amount": 120, "repeats": 0}
    assert t["piece_total"] == 550


def test_repeat_window_from_params(month):
    repeats = kpi_json(month, "--params", "repeat_window_days=29")["repeats"]
    assert "N05" not in {r["order"] for r in repeats}       # 30 days is now one day too many


def test_rates_file_replaces_the_rates_and_a_missing_rate_exits_2(month, tmp_path):
    rates = tmp_path / "rates.yaml"
    rates.write_text("安装: 55\n维修: 45.5\n保养: 30\n其他: 0\n", "utf-8")
    t = kpi_json(month, "--rates", str(rates))["city_totals"]
    assert t["piece_total"] == 2 * 55 + 10 * 45.5 + 30
    rates.write_text("安装: 55\n维修: 45\n", "utf-8")         # 保养 (P3) has no rate
    run = cli("kpi", str(month), "--rates", str(rates))
    assert run.code == 2 and "保养" in run.stderr and "Traceback" not in run.stderr


@pytest.mark.parametrize("text, line, words", [
    ("安装: 50\n维修: -1\n", 2, "维修：应为不小于 0 的数"),
    ("安装: 50\n维修: 四十\n", 2, "维修"),
    ("安装: 50\n保洁: 10\n", 2, "保洁"),
    ("安装: true\n", 1, "安装"),
])
def test_broken_rates_file_names_file_and_line(month, tmp_path, text, line, words):
    rates = tmp_path / "rates.yaml"
    rates.write_text(text, "utf-8")
    run = cli("kpi", str(month), "--rates", str(rates))
    assert run.code == 2
    assert f"rates.yaml:{line}:" in run.stderr and words in run.stderr


@pytest.mark.parametrize("pair, words", [("piece_rates.安装=-5", "安装"), ("no_such_key=1", "no_such_key"),
                                         ("top_faults=many", "top_faults"), ("roles.status.completed=[完成了]", "完成了")])
def test_bad_params_exit_2(month, pair, words):
    run = cli("kpi", str(month), "--params", pair)
    assert run.code == 2 and words in run.stderr


# --- the user's language: every parameter problem is a catalogue text (cli.md; issue 12d) ------------

#: Three English words in a row: a sentence of pydantic's (or an English catalogue text).
ENGLISH_SENTENCE = re.compile(r"[A-Za-z]{2,}(?: [A-Za-z]{2,}){2,}")


@pytest.mark.parametrize("text, line, zh, en", [
    ("安装: 50\n维修: -1\n", 2, "维修：应为不小于 0 的数", "维修: expected a number of at least 0"),
    ("安装: 50\n维修: 四十\n", 2, "维修：应为数字", "维修: expected a number"),
    ("安装: true\n", 1, "安装：应为数字", "安装: expected a number"),
    ("安装: .inf\n", 1, "安装：应为有限的数", "安装: expected a finite number"),
])
def test_a_bad_rate_is_said_in_chinese_and_in_english(month, tmp_path, text, line, zh, en):
    """The key path as the user wrote it (the rates file is the map itself: no `piece_rates.`, no
    pydantic step such as `constrained-int`), its line, and the catalogue's text."""
    rates = tmp_path / "rates.yaml"
    rates.write_text(text, "utf-8")
    zh_err = cli("kpi", str(month), "--rates", str(rates)).stderr.strip()
    en_err = cli("kpi", str(month), "--rates", str(rates), "--lang", "en").stderr.strip()
    assert zh_err.endswith(f"{rates}:{line}: 统计参数有误：{zh}"), zh_err
    assert not ENGLISH_SENTENCE.search(zh_err) and "constrained" not in zh_err, zh_err
    assert en_err.endswith(f"{rates}:{line}: broken kpi parameters: {en}"), en_err


def test_a_bad_value_in_cities_yaml_and_in_params_names_the_key_path(month):
    (month.parent / "cities.yaml").write_text("测试市:\n  kpi:\n    piece_rates: {维修: -45}\n", "utf-8")
    err = cli("kpi", str(month)).stderr.strip()
    assert err.endswith(f"{month.parent / 'cities.yaml'}:3: 统计参数有误：测试市.kpi.piece_rates.维修：应为不小于 0 的数"), err
    (month.parent / "cities.yaml").unlink()
    zh = cli("kpi", str(month), "--params", "piece_rates.维修=-5").stderr.strip()
    en = cli("kpi", str(month), "--params", "piece_rates.维修=-5", "--lang", "en").stderr.strip()
    assert zh.endswith("--params「piece_rates.维修=-5」有误：piece_rates.维修：应为不小于 0 的数"), zh
    assert en.endswith("--params 'piece_rates.维修=-5' is wrong: piece_rates.维修: expected a number of at least 0"), en
    zh = cli("kpi", str(month), "--params", "top_faults=many").stderr.strip()
    assert zh.endswith("--params「top_faults=many」有误：top_faults：应为整数"), zh
    zh = cli("kpi", str(month), "--params", "bonus=3").stderr.strip()
    assert zh.endswith("--params「bonus=3」有误：bonus：不认识的字段（拼写错误？）"), zh


def test_cities_yaml_kpi_overrides_merge_key_by_key_and_score_ignores_them(month):
    (month.parent / "cities.yaml").write_text("测试市:\n  min_orders: 1\n  kpi:\n    piece_rates: {维修: 45}\n",
                                              "utf-8")
    t = kpi_json(month)["city_totals"]
    assert t["piece"]["维修"]["amount"] == 450 and t["piece"]["安装"]["amount"] == 100   # 安装 kept its 50
    run = cli("score", str(month), "--format", "json")
    assert run.code == 0, run.stderr


def test_cities_yaml_unknown_kpi_key_names_its_line(month):
    (month.parent / "cities.yaml").write_text("测试市:\n  kpi:\n    piece_rates: {维修: 45}\n    bonus: 3\n",
                                              "utf-8")
    run = cli("kpi", str(month))
    assert run.code == 2 and "cities.yaml:4:" in run.stderr and "bonus" in run.stderr


def test_cities_yaml_kpi_key_given_twice_is_refused_not_merged_silently(month):
    """A second `kpi:` under the city would make PyYAML drop the first (its 维修 rate of 45 with it):
    refused at the second key's line (line 4 by construction)."""
    (month.parent / "cities.yaml").write_text("测试市:\n  kpi:\n    piece_rates: {维修: 45}\n  kpi:\n    top_faults: 3\n",
                                              "utf-8")
    run = cli("kpi", str(month))
    assert run.code == 2 and "cities.yaml:4:" in run.stderr and "重复的键「kpi」" in run.stderr


def test_shipped_parameters_are_the_spec_defaults():
    from aftersales_cli.kpi.params import load_params
    p = load_params()
    assert p.piece_rates == {"安装": 50, "维修": 40, "保养": 30, "其他": 0}
    assert p.on_time_days == {"安装": 1, "维修": 3, "保养": 1, "其他": 3}
    assert (p.repeat_window_days, p.top_faults) == (30, 20)


# --- inputs it cannot use ------------------------------------------------------------------------------

def test_report_with_a_header_and_no_rows_exits_2(tmp_path):
    from xlsx_factory import headers, titled, write_xlsx
    month = tmp_path / "测试市" / "2026-11"
    write_xlsx(month / "维修日报表.xlsx", {"维修日报表": titled(headers("repair_report"), [])})
    run = cli("kpi", str(month))
    assert run.code == 2 and "维修日报表" in run.stderr


def test_missing_report_exits_2(tmp_path):
    from xlsx_factory import write_xlsx
    month = tmp_path / "测试市" / "2026-11"
    write_xlsx(month / "技师档案.xlsx", {"技师档案": kpi_city.roster()})
    run = cli("kpi", str(month))
    assert run.code == 2 and "维修日报表" in run.stderr


# --- display rounding (kpi.md: half-up, one decimal of a percent; days 0.1; 元 0.01) ------------------

def test_display_rounds_half_up():
    assert display_ratio(Fraction(1, 8)) == "12.5%"
    assert display_ratio(Fraction(1, 2000)) == "0.1%"        # 0.05% → 0.1%, not banker's 0.0%
    assert display_ratio(None) == "—"
    assert display_days(Fraction(1, 20)) == "0.1" and display_days(Fraction(1, 4)) == "0.3"
    assert display_yuan(Fraction(1, 200)) == "0.01" and display_yuan(None) == "—"


# --- the workbook (--xlsx) ---------------------------------------------------------------------------------

SHEETS_ZH = ["概览", "技师绩效", "计件工资", "返修明细", "不满意回访", "故障统计", "待核实"]


def write_workbook(month, tmp_path, *args):
    out = tmp_path / "out" / "统计.xlsx"
    run = cli("kpi", str(month), "--xlsx", str(out), *args)
    assert run.code == 0, run.stderr
    return out


def test_workbook_sheets_marker_and_charts(month, tmp_path):
    import zipfile

    import openpyxl
    out = write_workbook(month, tmp_path)
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == SHEETS_ZH
    assert {p.name: p.value for p in wb.custom_doc_props} == {"aftersales-cli": "kpi"}   # a tool output
    with zipfile.ZipFile(out) as z:
        charts = [n for n in z.namelist() if n.startswith("xl/charts/chart")]
        assert len(charts) == 3                                      # 概览: completed, satisfaction, Pareto
        pareto = max((z.read(n).decode() for n in charts), key=len)
        assert "<c:barChart>" in pareto and "<c:lineChart>" in pareto   # bars with the cumulative line
    assert not list(out.parent.glob("*.tmp"))                        # written atomically: no leftovers


def test_piece_sheet_totals_are_sums_and_amounts_are_counts_times_rates(month, tmp_path):
    import openpyxl
    out = write_workbook(month, tmp_path, "--params", "piece_rates.维修=42.5")
    ws = openpyxl.load_workbook(out, data_only=True)["计件工资"]
    formulas = openpyxl.load_workbook(out)["计件工资"]
    rates = {"安装": 50, "维修": 42.5, "保养": 30, "其他": 0}     # the shipped rates, 维修 set by --params
    types = [ws.cell(3, c).value for c in range(4, 12, 2)]
    assert types == list(rates)
    body = [r for r in range(5, ws.max_row + 1) if isinstance(ws.cell(r, 1).value, int)]
    assert [ws.cell(r, 2).value for r in body] == ["T001", "T002", "T003", "T009"]
    total_row = body[-1] + 1
    assert ws.cell(total_row, 1).value == "合计"
    for i, t in enumerate(types):
        count_col, amount_col = 4 + 2 * i, 5 + 2 * i
        for r in body:
            assert ws.cell(r, amount_col).value == pytest.approx(ws.cell(r, count_col).value * rates[t])
        for col in (count_col, amount_col):
            assert ws.cell(total_row, col).value == pytest.approx(sum(ws.cell(r, col).value for r in body))
            assert formulas.cell(total_row, col).value.startswith("=SUM(")
    total_col = 4 + 2 * len(types)
    for r in body:
        assert ws.cell(r, total_col).value == pytest.approx(sum(ws.cell(r, 5 + 2 * i).value for i in range(4)))
    # by construction: 维修 10 × 42.5 + 安装 2 × 50 + 保养 1 × 30
    assert ws.cell(total_row, total_col).value == pytest.approx(425 + 100 + 30)
    text = [str(c.value) for row in ws.iter_rows() for c in row if c.value is not None]
    for line in ("制表", "审核", "财务确认", "日期"):
        assert any(line in v for v in text), line
    assert int(ws.page_setup.paperSize) == 9 and ws.sheet_properties.pageSetUpPr.fitToPage     # A4, fits the width


def test_workbook_lists_repeats_calls_faults_and_rows_set_aside(month, tmp_path):
    import openpyxl
    wb = openpyxl.load_workbook(write_workbook(month, tmp_path), data_only=True)

    def column(name: str, col: int) -> list:
        ws = wb[name]
        return [ws.cell(r, col).value for r in range(3, ws.max_row + 1) if ws.cell(r, col).value is not None]

    assert column("返修明细", 1) == ["N05", "N07", "N09", "N11", "N12"]
    assert column("返修明细", 6) == ["T003", "T001", "T002", "T001", "T003"]      # charged to a's technician
    assert column("不满意回访", 1) == ["不满意", "一般"] and column("不满意回访", 3) == ["N02", "N06"]
    assert column("故障统计", 4) == [3, 2, 1, 1, 1, 1, 1, 1]
    assert column("待核实", 3) == [kpi_city.ROW[r] for r in ("R15", "R17", "R-P2", "R-P4")]
    techs = wb["技师绩效"]
    t9 = next(r for r in range(3, techs.max_row + 1) if techs.cell(r, 1).value == "T009")
    assert techs.cell(t9, 7).value == "—"                                      # 完工率 0 ÷ 0


def test_input_text_is_written_as_text_never_a_formula(month, tmp_path):
    import openpyxl

    from aftersales_cli.report.cellsafe import set_text
    report = month / "2026-11" / "维修日报表.xlsx"
    wb = openpyxl.load_workbook(report)
    ws = wb.active
    set_text(ws.cell(kpi_city.ROW["R2"], 5), '=HYPERLINK("http://example.invalid","x")')   # 客户姓名 of N02
    wb.save(report)
    out = write_workbook(month, tmp_path)
    calls = openpyxl.load_workbook(out)["不满意回访"]
    cell = calls.cell(3, 5)
    assert cell.value == '=HYPERLINK("http://example.invalid","x")' and cell.data_type == "s"


def test_english_workbook(month, tmp_path):
    import openpyxl
    wb = openpyxl.load_workbook(write_workbook(month, tmp_path, "--lang", "en"))
    assert wb.sheetnames == ["Overview", "Technicians", "Piece pay", "Repeats", "Call list", "Faults", "Set aside"]


def test_xlsx_must_not_overwrite_an_input(month):
    run = cli("kpi", str(month), "--xlsx", str(month / "2026-11" / "维修日报表.xlsx"))
    assert run.code == 2


@pytest.mark.parametrize("name", ["维修日报表.xlsx", "unreadable.xlsx"])
def test_xlsx_must_not_overwrite_the_previous_months_files(month, name):
    """The previous month's report is read too (kpi.md), so it is an input: `--xlsx` onto it is
    refused and the file keeps its bytes — also a workbook there that turns out unreadable."""
    target = month / "2026-10" / name
    if name == "unreadable.xlsx":
        target.write_bytes(b"not a workbook at all")
    before = target.read_bytes()
    run = cli("kpi", str(month), "--xlsx", str(target))
    assert run.code == 2 and "输出文件不能与输入文件相同" in run.stderr, run.stderr
    assert target.read_bytes() == before


def test_october_does_not_pay_what_november_pays(month):
    """P3 (served 10-30, completed 11-01) is paid in November (test_city_totals), so not in October."""
    data = kpi_json(month, "--period", "2026-10")
    piece = data["city_totals"]["piece"]
    # October: 安装 P1, P4 (2 × 50); 维修 P5, P6 (2 × 40); P2 not completed; P3 completed in November
    assert (piece["安装"]["count"], piece["维修"]["count"], piece["保养"]["count"]) == (2, 2, 0)
    assert data["city_totals"]["piece_total"] == 180
    assert data["notes"] == ["未找到上月（2026-09）的维修日报表：返修和计件只按本月报表统计"]


def test_json_has_the_keys_of_the_spec(month):
    data = kpi_json(month)
    # kpi.md "Outputs" (notes and parts are additions, see the README's decisions)
    assert {"city", "period", "params", "city_totals", "technicians", "repeats", "dissatisfied", "faults",
            "set_aside"} <= set(data)
    assert set(data["city_totals"]) == {
        "orders", "completed", "completion_rate", "on_time_rate", "mean_days", "median_days",
        "satisfaction_rate", "dissatisfied", "follow_up_rate", "repeats", "repeat_rate", "repeats_after_install",
        "repeat_rate_after_install", "piece", "piece_total"}
    assert set(data["technicians"][0]) == {
        "tech_id", "name", "category", "unit", "orders", "completed", "completion_rate", "on_time_rate",
        "mean_days", "median_days", "satisfaction_rate", "dissatisfied", "follow_up_rate", "repeats",
        "repeat_rate", "piece", "piece_total"}
    assert {"order", "repeat_of", "days", "charged_to", "after_install"} <= set(data["repeats"][0])
    assert {"order", "tech_id", "satisfaction"} <= set(data["dissatisfied"][0])
    assert set(data["faults"][0]) == {"model", "fault", "count", "share", "cumulative"}
    assert (data["city"], data["period"]) == ("测试市", "2026-11")


def test_unreadable_previous_month_is_a_note_not_an_error(tmp_path):
    folder = kpi_city.build(tmp_path, previous=False)
    (folder / "2026-10").mkdir()
    (folder / "2026-10" / "维修日报表.xlsx").write_bytes(b"not a workbook at all")
    data = kpi_json(folder)
    assert data["city_totals"]["piece_total"] == 550          # as without a previous month
    assert len(data["notes"]) == 1 and "2026-10" in data["notes"][0] and "无法读取" in data["notes"][0]


def test_cities_yaml_kpi_that_is_not_a_map_names_its_line(month):
    (month.parent / "cities.yaml").write_text("测试市:\n  min_orders: 1\n  kpi: 5\n", "utf-8")
    run = cli("kpi", str(month))
    assert run.code == 2 and "cities.yaml:3:" in run.stderr


# --- sample material (aftersales sample --kpi) ---------------------------------------------------------

def test_sample_kpi_material_gives_the_constructed_repeats_and_pay(tmp_path):
    from aftersales_cli.sample.kpi import build_kpi_months, generate_kpi_city
    months = generate_kpi_city(tmp_path, "样例市", orders=150, period="2026-11", seed=11)
    october, november = months
    assert [m.data.period.label for m in months] == ["2026-10", "2026-11"]
    data = kpi_json(tmp_path / "样例市")
    # the repeats are exactly the pairs the generator built (original = the row it copied the customer from)
    assert sorted((r["order"], r["repeat_of"]) for r in data["repeats"]) == sorted(november.repeats)
    assert len(november.repeats) == november.data.defects["kpi_repeats"] > 0
    # 计件, read from the generated rows: November's orders completed in November, and October's
    # orders completed in November (the late completions among them)
    def completed_in_november(rows):
        return [r for r in rows if r["status"] == "已完成" and r["completion_date"].strftime("%Y-%m") == "2026-11"]
    oct_rows, nov_rows = october.data.tables["repair_report"], november.data.tables["repair_report"]
    paid = completed_in_november(nov_rows) + completed_in_november(oct_rows)
    assert set(october.late) <= {r["order_no"] for r in paid} and october.late
    counts = {t: sum(1 for r in paid if r["service_type"] == t) for t in ("安装", "维修", "保养", "其他")}
    assert {t: p["count"] for t, p in data["city_totals"]["piece"].items()} == counts
    assert data["set_aside"] == [] and data["notes"] == []
    # the fault table, read from the generated rows: November's 维修 orders by (型号, 故障)
    from collections import Counter
    faults = Counter((r["product_model"], r["fault"]) for r in nov_rows if r["service_type"] == "维修")
    table = {(f["model"], f["fault"]): f["count"] for f in data["faults"] if f["model"] is not None}
    assert all(faults[key] == n for key, n in table.items()) and max(table.values()) == max(faults.values())
    assert sum(f["count"] for f in data["faults"]) == sum(faults.values())
    # deterministic for a seed
    again = build_kpi_months("样例市", orders=150, period="2026-11", seed=11)
    assert [m.data.tables["repair_report"] for m in again] == [oct_rows, nov_rows]


def test_sample_cli_kpi_writes_two_months(tmp_path):
    run = cli("sample", str(tmp_path), "--kpi", "--city", "样例市", "--orders", "60", "--seed", "2")
    assert run.code == 0, run.stderr
    assert sorted(p.name for p in (tmp_path / "样例市").iterdir()) == ["2026-10", "2026-11"]
    assert kpi_json(tmp_path / "样例市")["notes"] == []      # the previous month was found and read
