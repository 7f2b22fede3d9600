"""`aftersales batch` (issue 4, cli.md "Batch"): a whole country's root, broken cities included.

One root is built once per module from `aftersales sample` output:

- four clean cities (ties at 90), one city with defects (5 %), and 宁波市 whose `min_orders` is raised
  by ROOT/cities.yaml (which also names 未提交市, a city without a folder → a warning);
- 损坏市: a text file named 维修日报表.xlsx next to good workbooks; 空月市: an empty 2026-11 folder;
  十月市: only 2026-10 → "未提交该月数据" for 2026-11;
- `.git` and `_scores/旧` holding a whole city each: skipped;
- 注入市: customer name `=HYPERLINK("http://x","y")` (a formula cell, and literal text), phones
  `@SUM(1,2)`, `+1-2`, `-3+4` typed as text; a city folder named `=1+1`;
- folder names with spaces, `;`, quotes, `[]`, `:`/`?` (which sanitise to the same sheet name),
  an apostrophe at Excel's 31st character, and two 60-character Chinese names equal in their
  first 40 characters.

The batch runs three times: `--jobs 1` into the default ROOT/_scores/2026-11 (CliRunner), `--jobs 2
--out DIR --format json` as a real process, and `--period 2026-10`.
"""
from __future__ import annotations

import csv
import io
import json
import shutil
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from aftersales_cli.batch import CityJob, rank, score_city_safe
from aftersales_cli.report.names import sheet_name
from aftersales_cli.sample import generate
from citykit import OUTPUTS, TRIGGERS, Run, assert_scoresheet_looks, cli, edit

PERIOD = "2026-11"
CLEAN = ["杭州市", "宁波市", "温州市", "嘉兴市"]
LONG = ("浙江省杭州市西湖区某某街道某某社区售后服务网点" * 3)[:60]
LONG_TWIN = LONG[:40] + "乙"                    # same first 31 characters: sheet names must differ
ODD = ["=1+1", "a b", "x;y", "q\"u'o", LONG, LONG_TWIN, "a:b", "a?b", "A" * 30 + "'B", "[red]红"]
INJECTED = "注入市"
HYPERLINK = '=HYPERLINK("http://x","y")'
FAILED = {"损坏市": ("维修日报表.xlsx", "不是有效的电子表格文件"),
          "空月市": ("空月市", "没有可读取的工作簿"),
          "十月市": ("未提交该月数据", PERIOD)}
SHEET_BAD = set("[]:*?/\\")


def build_root(root: Path) -> Path:
    generate(root, cities=4, orders=50, period=PERIOD, seed=1, city_names=CLEAN)
    generate(root, cities=1, orders=50, period=PERIOD, seed=2, defects=0.05, city_names=["缺陷市"])
    generate(root, cities=1, orders=40, period="2026-10", seed=3, city_names=["十月市"])
    clean = root / "杭州市"
    for name in [*ODD, INJECTED, "损坏市"]:
        shutil.copytree(clean, root / name)
    with edit(root / INJECTED / PERIOD, "repair_report") as t:
        rows = t.rows
        t.set(rows[0], "客户姓名", HYPERLINK)                       # literal text …
        t.ws.cell(rows[0], t.cols["客户姓名"]).data_type = "s"
        t.set(rows[1], "客户姓名", HYPERLINK)                       # … and a formula without cached value
        for row, phone in zip(rows[2:5], ["@SUM(1,2)", "+1-2", "-3+4"]):
            t.set(row, "联系电话", phone)
            t.ws.cell(row, t.cols["联系电话"]).data_type = "s"
    (root / "损坏市" / PERIOD / "维修日报表.xlsx").write_text("这不是工作簿", encoding="utf-8")
    (root / "空月市" / PERIOD).mkdir(parents=True)
    shutil.copytree(clean, root / ".git")
    shutil.copytree(clean, root / "_scores" / "旧")
    (root / "cities.yaml").write_text("宁波市:\n  min_orders: 200\n未提交市:\n  min_orders: 10\n", encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def root(tmp_path_factory) -> Path:
    return build_root(tmp_path_factory.mktemp("batch") / "root")


@pytest.fixture(scope="module")
def serial(root) -> Run:
    """--jobs 1, table output, default output folder."""
    return cli("batch", str(root), "--jobs", "1")


@pytest.fixture(scope="module")
def parallel(root, serial, tmp_path_factory) -> tuple[Run, Path]:
    """--jobs 2 in a real process (worker processes), --out DIR, --format json."""
    out = tmp_path_factory.mktemp("out") / "汇总输出"
    proc = subprocess.run([sys.executable, "-m", "aftersales_cli", "batch", str(root), "--jobs", "2",
                           "--out", str(out), "--format", "json"], capture_output=True, text=True, timeout=300)
    assert "Traceback" not in proc.stderr
    return Run(proc.returncode, proc.stdout, proc.stderr), out


@pytest.fixture(scope="module")
def default_out(root, serial) -> Path:
    return root / "_scores" / PERIOD


@pytest.fixture(scope="module")
def doc(default_out) -> dict:
    return json.loads((default_out / "summary.json").read_text("utf-8"))


@pytest.fixture(scope="module")
def workbook(default_out):
    return openpyxl.load_workbook(default_out / "汇总.xlsx")


def read_csv(path: Path) -> list[list[str]]:
    text = path.read_text("utf-8")
    assert text.startswith("\ufeff")                     # Excel opens UTF-8 CSVs with a BOM correctly
    return list(csv.reader(io.StringIO(text[1:], newline="")))


def unescape(field: str) -> str:
    return field[1:] if field.startswith("'") and field[1:].startswith(TRIGGERS) else field


def expected_ok() -> set[str]:
    return {*CLEAN, "缺陷市", *ODD, INJECTED}


# --- exit code, who scored, who failed -----------------------------------------------------------

def test_exit_3_when_some_cities_fail(serial, parallel):
    assert serial.code == 3, serial.stdout + serial.stderr
    assert parallel[0].code == 3, parallel[0].stderr


def test_good_cities_ranked_and_broken_ones_failed_with_one_line_reasons(doc):
    assert doc["period"] == PERIOD
    assert {c["city"] for c in doc["cities"]} == expected_ok()
    assert all(c["status"] == "ok" for c in doc["cities"])
    for c in doc["cities"]:
        assert {"city", "status", "rank", "total", "max", "percent", "items", "sections",
                "findings_summary"} <= set(c)
    assert [f["city"] for f in doc["failed"]] == sorted(FAILED)          # code-point order
    for f in doc["failed"]:
        assert f["status"] == "error"
        assert "\n" not in f["error"] and "\r" not in f["error"]
        for word in FAILED[f["city"]]:
            assert word in f["error"], f
    assert doc["rubric"] == {"name": "恒洁售后服务运营管理评分系统", "version": "2.0", "max": 90}


def test_hidden_and_underscore_folders_are_not_cities(doc):
    names = {c["city"] for c in doc["cities"]} | {f["city"] for f in doc["failed"]}
    assert not {n for n in names if n.startswith((".", "_"))}
    assert "cities.yaml" not in names


def test_city_named_in_cities_yaml_without_folder_is_a_warning(serial, doc):
    assert "未提交市" in serial.stderr and "cities.yaml" in serial.stderr
    assert "未提交市" not in {f["city"] for f in doc["failed"]}
    assert serial.code == 3                                            # not 2: the batch ran


def test_cities_yaml_override_applies(doc):
    ningbo = next(c for c in doc["cities"] if c["city"] == "宁波市")
    item6 = next(i for i in ningbo["items"] if i["id"] == "6")
    assert item6["score"] == 0 and "200" in " ".join(item6["reasons"])
    assert ningbo["total"] == 70


def test_competition_ranking_ties_in_code_point_order(doc):
    cities = doc["cities"]
    assert cities == sorted(cities, key=lambda c: (-c["total"], c["city"]))
    for c in cities:
        first = next(j for j, d in enumerate(cities) if d["total"] == c["total"])
        assert c["rank"] == first + 1
    tied = [c for c in cities if c["total"] == 90]
    assert len(tied) > 2 and {c["rank"] for c in tied} == {1}
    assert cities[len(tied)]["rank"] == len(tied) + 1                  # 1, 1, …, 1, n+1


def test_rank_is_competition_style_1_1_3():
    rows = [{"city": "b", "status": "ok", "total": 80}, {"city": "中", "status": "ok", "total": 70},
            {"city": "a", "status": "ok", "total": 90}, {"city": "B", "status": "ok", "total": 90},
            {"city": "坏", "status": "error", "error": "x"}]
    ranked = rank(rows)
    assert [(r["city"], r["rank"]) for r in ranked] == [("B", 1), ("a", 1), ("b", 3), ("中", 4)]


def test_totals_equal_score_run_alone(root, doc):
    for c in doc["cities"]:
        alone = cli("score", str(root / c["city"]), "--format", "json")
        assert alone.code == 0, (c["city"], alone.stderr)
        card = json.loads(alone.stdout)
        assert (card["total"], card["percent"]) == (c["total"], c["percent"]), c["city"]
        assert [(i["id"], i["score"]) for i in card["items"]] == [(i["id"], i["score"]) for i in c["items"]]
        assert card["findings_summary"] == c["findings_summary"]


def test_failure_reason_is_one_line_even_for_a_folder_name_with_a_line_break(tmp_path):
    (tmp_path / "换行\n市" / PERIOD).mkdir(parents=True)
    row = score_city_safe(CityJob(city="换行\n市", folder=tmp_path / "换行\n市" / PERIOD, period=PERIOD,
                                  params={}, rubric_path=None, lang="zh"))
    assert row["status"] == "error" and "没有可读取的工作簿" in row["error"]
    assert "\n" not in row["error"]


# --- determinism, --out, --format json ------------------------------------------------------------

def test_jobs_1_and_jobs_2_give_byte_identical_outputs(default_out, parallel):
    _, out = parallel
    for name in ("summary.json", "summary.csv", "findings.csv"):
        assert (default_out / name).read_bytes() == (out / name).read_bytes(), name


def test_format_json_prints_exactly_summary_json(parallel):
    run, out = parallel
    assert json.loads(run.stdout) == json.loads((out / "summary.json").read_text("utf-8"))
    assert "评分中" not in run.stdout                                  # progress goes to stderr


@pytest.mark.parametrize("where", ["default", "out"])
def test_outputs_complete(default_out, parallel, where):
    folder = default_out if where == "default" else parallel[1]
    assert sorted(p.name for p in folder.iterdir()) == sorted(OUTPUTS)   # nothing else: no *.tmp
    doc = json.loads((folder / "summary.json").read_text("utf-8"))
    wb = openpyxl.load_workbook(folder / "汇总.xlsx")
    assert len(wb.sheetnames) == len(doc["cities"]) + 3           # ranking, chart, cities, findings
    summary = read_csv(folder / "summary.csv")
    assert len(summary) == 1 + len(doc["cities"]) + len(doc["failed"])
    assert [unescape(r[1]) for r in summary[1:]] == [c["city"] for c in doc["cities"] + doc["failed"]]
    findings = read_csv(folder / "findings.csv")
    total = sum(sum(c["findings_summary"].values()) for c in doc["cities"])
    assert total > 0 and len(findings) == 1 + total
    assert wb.worksheets[-1].max_row == 1 + total


def test_terminal_shows_ranking_and_failed_cities(serial, default_out):
    assert "嘉兴市" in serial.stdout and "缺陷市" in serial.stdout
    for city in FAILED:
        assert city in serial.stdout
    assert "未提交该月数据" in serial.stdout
    assert str(default_out) in serial.stderr.replace("\n", "")


def test_terminal_shows_city_names_verbatim(serial):
    """A folder named '[red]红' is a name, not rich markup (it printed as a red '红' once)."""
    assert "[red]红" in serial.stdout


# --- 汇总.xlsx ------------------------------------------------------------------------------------

def test_ranking_sheet_sorted_with_chart(workbook, doc):
    ws = workbook.worksheets[0]
    assert ws.title == "排名"
    rows = [r for r in ws.iter_rows(min_row=4, values_only=True) if r[1] is not None]   # two header rows
    ok = rows[:len(doc["cities"])]
    assert [r[1] for r in ok] == [c["city"] for c in doc["cities"]]
    assert [r[0] for r in ok] == [c["rank"] for c in doc["cities"]]
    assert [r[0] for r in ok] == sorted(r[0] for r in ok)
    assert [r[2] for r in ok] == [c["total"] for c in doc["cities"]]
    failed = rows[len(doc["cities"]):]
    assert [r[1] for r in failed] == [f["city"] for f in doc["failed"]]
    assert all(r[-2] == "失败" and r[-1] for r in failed)
    charts = workbook.worksheets[1]._charts                         # the chart on a sheet of its own
    assert workbook.worksheets[1].title == "得分率图"
    assert len(charts) == 1 and type(charts[0]).__name__ == "BarChart"


def test_one_score_sheet_per_city_with_sanitised_unique_names(workbook, doc):
    names = workbook.sheetnames
    assert names[:2] == ["排名", "得分率图"] and names[-1] == "问题明细"
    city_sheets = workbook.worksheets[2:-1]
    assert len(city_sheets) == len(doc["cities"])
    folded = [n.casefold() for n in names]
    assert len(set(folded)) == len(folded)
    for n in names:
        assert 0 < len(n) <= 31 and not SHEET_BAD & set(n), n
        assert not n.startswith("'") and not n.endswith("'"), n
    for ws, c in zip(city_sheets, doc["cities"]):
        assert f"：{c['city']}　" in ws["A2"].value, (ws.title, c["city"])
        assert ws["A1"].value.startswith("恒洁售后服务运营管理评分系统")
        assert_scoresheet_looks(ws)                 # the looks are shared, not lost, across sheets
    assert {"a_b", "a_b~2"} <= set(names)                              # a:b and a?b, made unique
    assert sum(n.startswith(LONG[:27]) for n in names) == 2


def test_chart_keeps_its_size_in_any_reader(default_out, doc):
    """The chart of 得分率图 is 24 cm wide (a landscape A4 page's print area) and 0.6 cm a city + 3 cm
    high, at least 8 and at most 15.5 cm. XlsxWriter anchors it to the cells it spans; a column's
    width is in characters, which LibreOffice turns into more pixels than Excel, so the chart must
    lie within column A (its right edge an offset inside A) over rows of a written height — then
    every reader draws it at its size (a chart spread over default columns printed 4:1 instead of 3:1)."""
    import re
    import zipfile

    with zipfile.ZipFile(default_out / "汇总.xlsx") as z:
        drawing = z.read("xl/drawings/drawing1.xml").decode()
        sheet = z.read("xl/worksheets/sheet2.xml").decode()
    anchor = dict(re.findall(r"<xdr:(col|colOff|row|rowOff)>(\d+)<", drawing.split("<xdr:to>")[1]))
    assert drawing.split("<xdr:to>")[0].count("<xdr:col>0<") == 1 and anchor["col"] == "0"
    px = 9525                                                         # EMU per pixel at 96 dpi
    assert int(anchor["colOff"]) / px == round(24 / 2.54 * 96)
    rows = re.findall(r'<row r="(\d+)"[^>]*ht="([\d.]+)" customHeight="1"', sheet)
    assert len(rows) > int(anchor["row"])                             # every row the chart spans has a height
    above = sum(float(ht) * 4 / 3 for r, ht in rows if int(r) <= int(anchor["row"]))
    height_cm = min(max(8.0, 0.6 * len(doc["cities"]) + 3), 15.5)
    assert above + int(anchor["rowOff"]) / px == round(height_cm / 2.54 * 96)


def test_findings_sheet_lists_every_finding(workbook, doc):
    fs = workbook.worksheets[-1]
    assert fs.title == "问题明细"
    cities = {r[0] for r in fs.iter_rows(min_row=2, values_only=True)}
    assert cities == {c["city"] for c in doc["cities"] if sum(c["findings_summary"].values())}


# --- formula injection ----------------------------------------------------------------------------

def test_no_formula_anywhere_in_the_summary_workbook(workbook):
    for ws in workbook.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (ws.title, cell.coordinate, cell.value)


def test_input_text_arrives_as_text_in_the_workbook(workbook):
    texts = {(ws.title, c.value) for ws in workbook.worksheets for row in ws.iter_rows() for c in row
             if isinstance(c.value, str)}
    assert ("排名", "=1+1") in texts
    assert "=1+1" in workbook.sheetnames
    findings = {v for t, v in texts if t == "问题明细"}
    assert {HYPERLINK, "@SUM(1,2)", "+1-2", "-3+4"} <= findings


@pytest.mark.parametrize("name", ["summary.csv", "findings.csv"])
def test_csv_fields_never_start_a_formula(default_out, name):
    rows = read_csv(default_out / name)
    for row in rows:
        for field in row:
            assert not field.startswith(TRIGGERS), (name, field)
    fields = {unescape(f) for r in rows for f in r}
    if name == "summary.csv":
        assert "=1+1" in fields and "'=1+1" in {f for r in rows for f in r}
    else:
        assert {HYPERLINK, "@SUM(1,2)", "+1-2", "-3+4"} <= fields


def test_odd_city_names_are_written_verbatim_to_json_and_csv(doc, default_out):
    assert set(ODD) <= {c["city"] for c in doc["cities"]}
    assert set(ODD) <= {unescape(r[1]) for r in read_csv(default_out / "summary.csv")}


# --- sheet names ------------------------------------------------------------------------------------

def test_sheet_name_rules():
    taken: set[str] = set()
    made = [sheet_name(t, taken) for t in
            ["A" * 30 + "'B", "'引号'", "History", "HISTORY", "  ", "''", "a/b", "a\\b", "x" * 40, "X" * 40,
             "tab\tname", "排名"]]
    assert made[0] == "A" * 30                       # an apostrophe cut to the end is trimmed
    assert made[1] == "引号"
    assert "History" not in made and "HISTORY" not in made
    for n in made:
        assert 0 < len(n) <= 31 and not SHEET_BAD & set(n) and not n.startswith("'") and not n.endswith("'")
        assert not ILLEGAL_CHARACTERS_RE.search(n) and "\t" not in n
    assert len({n.casefold() for n in made}) == len(made)


def test_sheet_name_counts_utf16_units_like_excel():
    """Excel (and XlsxWriter, which refuses a longer name) counts a sheet name in UTF-16 code units:
    a character beyond the Basic Multilingual Plane is two, so 20 × '𮇋' (40 units) keeps 15 of them
    (30 units; a 16th would make 32), and the second such city 14 of them and "~2" (30 units)."""
    taken: set[str] = set()
    first, second = sheet_name("𮇋" * 20, taken), sheet_name("𮇋" * 20, taken)
    assert first == "𮇋" * 15
    assert second == "𮇋" * 14 + "~2"
    assert sheet_name("a" + "😀" * 20, taken) == "a" + "😀" * 15


# --- cities.yaml and --period ---------------------------------------------------------------------

def test_unknown_parameter_in_cities_yaml_stops_before_anything_runs(root, tmp_path):
    small = tmp_path / "root"
    for city in ("杭州市", "宁波市"):
        shutil.copytree(root / city, small / city)
    (small / "cities.yaml").write_text("杭州市:\n  min_orders: 200\n  min_order: 100\n", encoding="utf-8")
    out = tmp_path / "out"
    run = cli("batch", str(small), "--format", "json", "--out", str(out))
    assert run.code == 2
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1 and "cities.yaml:3" in lines[0] and "min_order" in lines[0]
    error = json.loads(run.stdout)["error"]
    assert error["code"] == "cities_yaml" and Path(error["path"]).name == "cities.yaml"
    assert not out.exists() and not (small / "_scores").exists()
    assert "评分中" not in run.stderr


def test_period_option_picks_that_month(root):
    run = cli("batch", str(root), "--period", "2026-10", "--jobs", "1", "--format", "json")
    assert run.code == 3
    doc = json.loads(run.stdout)
    assert doc["period"] == "2026-10"
    assert [(c["city"], c["rank"]) for c in doc["cities"]] == [("十月市", 1)]
    assert all(f["error"] == "未提交该月数据（2026-10）" for f in doc["failed"])
    assert len(doc["failed"]) == len(expected_ok()) + 2               # every other city, 损坏市, 空月市
    assert json.loads((root / "_scores" / "2026-10" / "summary.json").read_text("utf-8")) == doc


def test_the_batch_main_process_path_does_not_import_pandas():
    """The batch's main process loads the rubric and the kpi parameters and writes 汇总.xlsx; with
    --jobs 2 the workers score, so that process has no use for pandas (~0.4 s of import, serial
    before the first worker starts and again before the summary is written: issue 16). A fresh
    interpreter imports exactly those modules and reports whether pandas came with them."""
    code = ("import sys\n"
            "from aftersales_cli.run import build_run\n"
            "from aftersales_cli.batch import assemble, plan\n"
            "from aftersales_cli.kpi.params import load_city_params\n"
            "from aftersales_cli.report.summary import write_outputs\n"
            "build_run(None, None, (), 'zh')\n"
            "print('pandas' in sys.modules)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"


def test_lazy_package_names_are_the_sub_modules_objects():
    """`read`, `metrics` load their sub-modules on first use (core/lazy.py); the names they export
    are the very objects of those sub-modules, and an unknown name is still an AttributeError."""
    import aftersales_cli.metrics as metrics
    import aftersales_cli.read as read
    from aftersales_cli.metrics import compute as metrics_compute
    from aftersales_cli.read import discover, files

    assert read.read_submission is discover.read_submission and read.Limits is files.Limits
    assert metrics.compute_facts is metrics_compute.compute_facts and metrics.Facts is metrics_compute.Facts
    with pytest.raises(AttributeError):
        read.no_such_name  # noqa: B018


def _sheets_and_cells(wb) -> list:
    return [(ws.title, sorted(str(r) for r in ws.merged_cells.ranges), ws.print_title_rows,
             [(c.coordinate, c.value, c.number_format, c.font.b, c.border.left.style) for row in ws.iter_rows()
              for c in row]) for ws in wb.worksheets]


def test_score_sheets_filled_while_running_in_any_order_equal_those_filled_at_the_end(root, tmp_path):
    """The batch builds each city's score sheet when its row arrives (report/summary.ScoreSheets):
    rows arriving in the reverse order, a failed city among them, must give the workbook that
    building every sheet at the end gives — same sheets in the same (rank) order with the same
    titles (the two long city names share their first 31 characters), the same cells."""
    import copy

    from aftersales_cli import batch
    from aftersales_cli.report.summary import ScoreSheets, write_workbook
    from aftersales_cli.run import build_run

    context = build_run(None, None, (), "zh")
    label, jobs, warnings = batch.plan(root, None, context.cities(root), context)
    rows = batch.run(jobs, 1)
    assert any(r["status"] != "ok" for r in rows) and sum(r["status"] == "ok" for r in rows) > 10
    sheets = ScoreSheets(context.rubric, "zh")
    for row in reversed(copy.deepcopy(rows)):
        sheets.add(row)
    at_end, while_running = tmp_path / "at_end.xlsx", tmp_path / "while_running.xlsx"
    write_workbook(batch.assemble(label, context.rubric, copy.deepcopy(rows), warnings), at_end, "zh")
    write_workbook(batch.assemble(label, context.rubric, copy.deepcopy(rows), warnings), while_running, "zh", sheets)
    written = openpyxl.load_workbook(while_running)
    assert _sheets_and_cells(written) == _sheets_and_cells(openpyxl.load_workbook(at_end))
    city_sheets = written.worksheets[2:-1]                           # 排名, 得分率图 … 问题明细
    totals = [next(r[5].value for r in ws.iter_rows(min_row=4, max_col=8) if r[1].value == "合计")
              for ws in city_sheets]                                 # each sheet's 合计 row, in sheet order
    assert totals == sorted((r["total"] for r in rows if r["status"] == "ok"), reverse=True)   # rank order


def test_a_failure_reason_wraps_inside_its_column_with_room_for_every_line(workbook, doc):
    """A failed city's reason (a file path and why) is longer than 失败原因's column: it wraps inside
    the column, and its row is tall enough for every line (LibreOffice and XlsxWriter do not fit a row
    by themselves) — it neither runs past the table nor is cut. Lines are counted here as a printer
    would at least need them: the text's width (a CJK character two units) over the column's width,
    15 pt a line."""
    ws = workbook["排名"]
    head = [c.value for c in ws[2]]
    col = head.index("失败原因") + 1
    width = ws.column_dimensions[openpyxl.utils.get_column_letter(col)].width
    failed = [r for r in range(4, ws.max_row + 1) if ws.cell(r, col).value]
    assert len(failed) == len(doc["failed"]) == len(FAILED)
    for r in failed:
        cell = ws.cell(r, col)
        units = sum(2 if ord(ch) > 0x2E80 else 1 for ch in cell.value)
        assert cell.alignment.wrap_text
        assert ws.row_dimensions[r].height >= 15 * -(-units // int(width))
