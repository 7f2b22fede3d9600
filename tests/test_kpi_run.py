"""`kpi` in the rest of the tool (kpi.md): the batch's kpi figures beside the score, the run's
formats (`--formats DIR`) for the parameter checks, the previous month from a month sheet of the
same workbook (realworld.md, one sheet per month).

The city is tests/kpi_city.py; its figures are worked out by hand in tests/test_kpi.py
(`test_city_totals`): completion 12 ÷ 13, satisfaction 9 ÷ 11, repeats 5 ÷ 12, 计件 530 元.
"""
from __future__ import annotations

import csv
import datetime as dt
import json
from pathlib import Path

import kpi_city
import openpyxl
import pytest
from citykit import cli
from test_formats_file import _renamed, copy_formats
from xlsx_factory import write_xlsx

CITY = "测试市"
# by construction (test_kpi.test_city_totals): 完工 12 of 13 not cancelled; 满意 9 of 11 rated;
# 5 repeats over 12 completed. Shown rounded half-up to 0.1 %: 92.307… → 92.3, 81.81… → 81.8, 41.66… → 41.7
FULL = {"completion_rate": 12 / 13, "satisfaction_rate": 9 / 11, "repeat_rate": 5 / 12}
FULL_SHOWN = ["92.3", "81.8", "41.7"]
KPI_HEADS = {"zh": ["完工率%", "满意率%", "返修率%"], "en": ["Completion %", "Satisfaction %", "Repeat %"]}


def run_json(*args) -> dict:
    run = cli(*args, "--format", "json")
    assert run.code in (0, 3), run.stdout + run.stderr
    return json.loads(run.stdout)


def batch(root: Path, *args) -> tuple[dict, Path]:
    out = root.parent / "out"
    return run_json("batch", str(root), "--period", "2026-11", "-j", "2", "--out", str(out), *args), out


def by_city(doc: dict) -> dict[str, dict]:
    return {c["city"]: c for c in doc["cities"]}


def approx(d: dict | None):
    return None if d is None else {k: (pytest.approx(v) if v is not None else None) for k, v in d.items()}


# --- batch: kpi beside the score ------------------------------------------------------------------------

@pytest.fixture
def root(tmp_path) -> Path:
    """测试市 (both months), 无报表市 (a roster, no repair report), 全取消市 (every order 已取消:
    every kpi denominator is 0)."""
    root = tmp_path / "root"
    kpi_city.build(root, CITY)
    write_xlsx(root / "无报表市" / "2026-11" / "技师档案.xlsx", {"技师档案": kpi_city.roster()})
    cancelled = [kpi_city._row(f"C0{i}", "T001", "安装", dt.date(2026, 11, i), status="已取消") for i in (1, 2)]
    write_xlsx(root / "全取消市" / "2026-11" / "维修日报表.xlsx",
               {"维修日报表": kpi_city._report("全取消市", "2026-11", cancelled)})
    write_xlsx(root / "全取消市" / "2026-11" / "技师档案.xlsx", {"技师档案": kpi_city.roster()})
    return root


def test_batch_adds_kpi_beside_the_score(root):
    doc, out = batch(root)
    cities = by_city(doc)
    assert approx(cities[CITY]["kpi"]) == FULL
    assert cities["无报表市"]["kpi"] is None                                   # no report: null
    assert cities["全取消市"]["kpi"] == dict.fromkeys(FULL)                   # 0 ÷ 0 each: null, never 0 %
    # beside the score, not part of it: the total is the one `score` gives the city on its own
    alone = run_json("score", str(root / CITY / "2026-11"))
    assert cities[CITY]["total"] == alone["total"] and cities[CITY]["percent"] == alone["percent"]
    assert json.loads((out / "summary.json").read_text("utf-8")) == doc


def _csv(out: Path) -> dict[str, dict[str, str]]:
    with open(out / "summary.csv", encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    return {r["城市"]: r for r in rows}


def test_summary_csv_has_the_three_columns_after_the_percent(root):
    _, out = batch(root)
    with open(out / "summary.csv", encoding="utf-8-sig", newline="") as fh:
        head = next(csv.reader(fh))
    assert head[4:8] == ["得分率%", *KPI_HEADS["zh"]]
    rows = _csv(out)
    assert [rows[CITY][h] for h in KPI_HEADS["zh"]] == FULL_SHOWN
    assert [rows["全取消市"][h] for h in KPI_HEADS["zh"]] == ["—"] * 3
    assert [rows["无报表市"][h] for h in KPI_HEADS["zh"]] == [""] * 3


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_ranking_sheet_has_the_three_columns(root, lang):
    _, out = batch(root, "--lang", lang)
    ws = openpyxl.load_workbook(out / "汇总.xlsx").worksheets[0]
    heads = [ws.cell(2, j).value for j in range(1, ws.max_column + 1)]
    first = heads.index(KPI_HEADS[lang][0]) + 1
    assert heads[first - 1:first + 2] == KPI_HEADS[lang] and heads[first - 2] in ("得分率%", "Percent")
    city_col = heads.index("城市" if lang == "zh" else "City") + 1
    rows = {ws.cell(r, city_col).value: r for r in range(4, ws.max_row + 1)}
    shown = lambda city: [ws.cell(rows[city], first + k).value for k in range(3)]  # noqa: E731
    assert shown(CITY) == [float(v) for v in FULL_SHOWN]
    assert ws.cell(rows[CITY], first).number_format == "0.0"
    assert shown("全取消市") == ["—"] * 3
    assert shown("无报表市") == [None] * 3


def test_batch_kpi_uses_the_citys_kpi_parameters(root):
    (root / "cities.yaml").write_text(f"{CITY}:\n  kpi:\n    repeat_window_days: 29\n", "utf-8")
    cities = by_city(batch(root)[0])
    # R5 came back exactly 30 days after P5: with a 29-day window it is no repeat: 4 ÷ 12
    assert cities[CITY]["kpi"]["repeat_rate"] == pytest.approx(4 / 12)
    assert cities["全取消市"]["kpi"] == dict.fromkeys(FULL)


def test_batch_refuses_a_broken_kpi_map_before_scoring(root):
    (root / "cities.yaml").write_text(f"{CITY}:\n  kpi:\n    repeat_window_days: 29\n    bonus: 3\n", "utf-8")
    run = cli("batch", str(root), "--out", str(root.parent / "out"))
    assert run.code == 2 and "cities.yaml:4:" in run.stderr and "bonus" in run.stderr
    assert not (root.parent / "out").exists()


def test_batch_kpi_of_a_city_whose_previous_month_is_a_sheet(tmp_path):
    root = tmp_path / "root"
    kpi_city.build_month_sheets(root, CITY)
    kpi_city.build(root, "对照市")                      # the same months as folders
    cities = by_city(batch(root)[0])
    assert approx(cities[CITY]["kpi"]) == FULL == approx(cities["对照市"]["kpi"])


# --- the run's formats -----------------------------------------------------------------------------------

@pytest.fixture
def renamed(tmp_path) -> Path:
    """A formats copy where 服务类型 保养 is called 维护 (保养 stays an alias of it)."""
    folder = copy_formats(tmp_path)
    _renamed(folder, "repair_report", "service_type", "保养", "维护")
    assert cli("formats", "check", str(folder)).code == 0
    return folder


def test_kpi_checks_rates_against_the_runs_formats(tmp_path, renamed):
    month = kpi_city.build(tmp_path / "root", rename={"保养": "维护"}) / "2026-11"
    # the shipped rates have no 维护 (their 保养 is no value of this format and is dropped): P3 has no rate
    run = cli("kpi", str(month), "--formats", str(renamed))
    assert run.code == 2 and "维护" in run.stderr and "Traceback" not in run.stderr
    t = run_json("kpi", str(month), "--formats", str(renamed),
                 "--params", "piece_rates.维护=35", "--params", "on_time_days.维护=1")["city_totals"]
    # P3 (October's report, completed 11-01) is the one 维护 order paid: 530 − 30 (保养) + 35
    assert t["piece"]["维护"] == {"count": 1, "price": 35, "amount": 35, "repeats": 0}
    assert "保养" not in t["piece"] and t["piece_total"] == 535
    # 保养 is a 服务类型 of the shipped formats, not of this one
    run = cli("kpi", str(month), "--formats", str(renamed), "--params", "piece_rates.保养=30")
    assert run.code == 2 and "保养" in run.stderr and "--params" in run.stderr
    shipped = kpi_city.build(tmp_path / "shipped") / "2026-11"
    assert run_json("kpi", str(shipped), "--params", "piece_rates.保养=31")["city_totals"]["piece_total"] == 531


def test_cities_yaml_kpi_keys_are_checked_against_the_runs_formats(tmp_path, renamed):
    month = kpi_city.build(tmp_path / "root", rename={"保养": "维护"}) / "2026-11"
    cities = month.parents[1] / "cities.yaml"
    cities.write_text(f"{CITY}:\n  kpi:\n    piece_rates: {{保养: 30}}\n", "utf-8")
    run = cli("kpi", str(month), "--formats", str(renamed))
    assert run.code == 2 and "cities.yaml:3:" in run.stderr and "保养" in run.stderr
    cities.write_text(f"{CITY}:\n  kpi:\n    piece_rates: {{维护: 30}}\n    on_time_days: {{维护: 1}}\n", "utf-8")
    assert run_json("kpi", str(month), "--formats", str(renamed))["city_totals"]["piece_total"] == 530
    run = cli("kpi", str(month))                                     # the shipped formats have no 维护
    assert run.code == 2 and "cities.yaml:3:" in run.stderr and "维护" in run.stderr


def test_a_renamed_role_value_names_the_shipped_line_until_replaced(tmp_path):
    folder = copy_formats(tmp_path)
    _renamed(folder, "repair_report", "service_type", "维修", "返厂维修")
    month = kpi_city.build(tmp_path / "root", rename={"维修": "返厂维修"}) / "2026-11"
    run = cli("kpi", str(month), "--formats", str(folder))
    shipped = Path(__file__).resolve().parents[1] / "aftersales_cli" / "kpi" / "params.yaml"
    line = next(i for i, text in enumerate(shipped.read_text("utf-8").splitlines(), 1) if "repair: [维修]" in text)
    assert run.code == 2 and f"params.yaml:{line}:" in run.stderr and "维修" in run.stderr
    t = run_json("kpi", str(month), "--formats", str(folder), "--params", "roles.service_type.repair=[返厂维修]",
                 "--params", "piece_rates.返厂维修=40", "--params", "on_time_days.返厂维修=3")["city_totals"]
    assert (t["repeats"], t["piece_total"]) == (5, 530)               # the figures of the shipped names


# --- the previous month from a month sheet ---------------------------------------------------------------

def test_previous_month_from_the_sheet_naming_it(tmp_path):
    city = kpi_city.build_month_sheets(tmp_path / "root", CITY)
    data = run_json("kpi", str(city), "--period", "2026-11")
    t = data["city_totals"]
    # as with the October folder (test_kpi.test_city_totals): R5 and R7 find P5 and P1 on sheet 10月,
    # P3 (保养, only on 10月) is paid, R-P4 (paid in October) is not paid again
    assert (t["orders"], t["completed"], t["repeats"]) == (15, 12, 5)
    assert (t["piece"]["保养"]["count"], t["piece_total"]) == (1, 530)
    assert {r["order"]: r["repeat_of"] for r in data["repeats"]}["N05"] == "WX2026100005"
    assert data["notes"] == []
    folders = run_json("kpi", str(kpi_city.build(tmp_path / "folders") / "2026-11"))
    assert data["city_totals"] == folders["city_totals"] and data["technicians"] == folders["technicians"]


def test_no_sheet_for_the_previous_month_is_a_note(tmp_path):
    city = kpi_city.build_month_sheets(tmp_path / "root", CITY, sheets={"11月": "2026-11", "9月": "2026-10"})
    data = run_json("kpi", str(city), "--period", "2026-11")
    # 9月 names September, not October: no previous report (test_kpi.test_without_the_previous_month)
    assert (data["city_totals"]["repeats"], data["city_totals"]["piece_total"]) == (3, 550)
    assert data["notes"] == ["未找到上月（2026-10）的维修日报表：返修和计件只按本月报表统计"]

