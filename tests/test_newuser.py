"""What a new user hit (issue 11), each through the installed `aftersales` command in a subprocess,
on real files: console encodings, sample safety, unwritable outputs, the validate-* families, CE022's
wording, the summary's look, batch on a city folder, empty datasets, usage errors."""
from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from citykit import clean_city, edit, locked_outputs
from citykit import installed as run


@pytest.fixture(scope="module")
def odd_city(tmp_path_factory) -> Path:
    """A city whose repair report holds `¥` and `−` (not in GBK's or ASCII's repertoire) in values
    that the checks report, so they reach every output."""
    root = tmp_path_factory.mktemp("odd")
    month = clean_city(root, orders=30, city="杭州市")
    with edit(month, "repair_report") as t:
        t.set(t.rows[0], "收费金额", "¥12−3")
        t.set(t.rows[1], "客户姓名", "王✔−¥")
    return month


def _commands(month: Path, out: Path) -> list[list[str]]:
    city = month.parent
    report = month / "维修日报表.xlsx"
    rubric = Path(__file__).resolve().parents[1] / "rubrics" / "hegii-2.0.yaml"
    return [
        ["--version"], ["-h"], ["validate", "-h"], ["score", "-h"], ["batch", "-h"], ["sample", "-h"],
        ["template", "-h"], ["rubric", "show", "-h"],
        ["validate", city], ["validate", city, "-f", "json"], ["validate", city, "--lang", "en"],
        ["validate", city, "--annotate", out / "标注.xlsx"],
        ["validate-report", report], ["validate-report", report, "-f", "json"],
        ["validate-ledger", month / "配件台账.xlsx"], ["validate-roster", month / "技师档案.xlsx", "-f", "json"],
        ["score", city], ["score", city, "-f", "json", "--xlsx", out / "评分表.xlsx"],
        ["batch", city.parent, "--out", out / "batch", "--jobs", "1"],
        ["batch", city.parent, "--out", out / "batch2", "--jobs", "1", "-f", "json"],
        ["template", "-o", out / "模板"], ["sample", out / "样例", "--cities", "1", "--orders", "5"],
        ["rubric", "show"], ["rubric", "show", "-f", "json"], ["rubric", "check", rubric],
        ["validate", out / "没有这个文件夹"], ["validate", out / "没有这个文件夹", "-f", "json"],
        ["validate", "--perid", "2026-11", city], ["scor", city],
    ]


@pytest.mark.parametrize("encoding", ["gbk", "ascii"])
def test_no_command_crashes_on_the_console_encoding(odd_city, tmp_path, encoding):
    """Every command, table and JSON, on a console that cannot show `✔ ¥ −` (ascii: not even Chinese):
    it ends with its own exit code, prints in the console's encoding, and its JSON parses and
    carries the values unchanged (escaped)."""
    for args in _commands(odd_city, tmp_path):
        # click prints its help in UTF-8 to a stream that claims ASCII (it takes that for a
        # misconfigured locale); on GBK it keeps the console's encoding like everything else
        help_in_utf8 = encoding == "ascii" and "-h" in args
        proc = run(*args, encoding="utf-8" if help_in_utf8 else encoding,
                   env={"PYTHONIOENCODING": encoding})
        assert proc.returncode in (0, 1, 2), (args, proc.returncode, proc.err)
        assert proc.out.strip() or proc.err.strip(), args
        if "json" in args:
            doc = json.loads(proc.out)
            assert proc.stdout.isascii(), args
            if args[0] == "validate" and proc.returncode != 2:
                values = {f["value"] for f in doc["findings"]}
                assert "¥12−3" in values, args
    # the files are UTF-8 whatever the console: the annotated copy and the CSVs hold the value as is
    assert "¥12−3" in (tmp_path / "batch" / "findings.csv").read_text("utf-8-sig")


def test_usage_errors_are_in_the_users_language_and_version_prints():
    """click's own errors are translated (cli.md): one line, exit 2; --version is `aftersales X.Y.Z`."""
    proc = run("validate", "--perid", "2026-11", "x")
    assert proc.returncode == 2
    assert proc.err.strip().splitlines() == [proc.err.strip()]
    assert "没有这个选项：--perid" in proc.err and "--period" in proc.err and "No such" not in proc.err
    proc = run("scor", "x")
    assert proc.returncode == 2 and "没有这个命令：scor" in proc.err and "score" in proc.err
    proc = run("score", "x", "--format", "xml", "--lang", "en")
    assert proc.returncode == 2 and "'xml' is not one of 'table', 'json'" in proc.err
    proc = run("validate")
    assert proc.returncode == 2 and "缺少参数 PATH" in proc.err
    proc = run("--version")
    from aftersales_cli import __version__
    assert proc.returncode == 0 and proc.out.strip() == f"aftersales {__version__}"


# --- 2. sample never deletes or overwrites what it did not write -------------------------------

def _snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_sample_refuses_existing_files_and_force_removes_only_its_own(tmp_path):
    """cli.md: every target checked before any is written; an existing one stops the run (named,
    exit 2) and nothing changes; --force overwrites the targets and removes only earlier sample
    files (of the other layout), never a clerk's own file."""
    month = tmp_path / "杭州市" / "2026-11"
    month.mkdir(parents=True)
    (month / "配件管理.xlsx").write_bytes(b"a clerk's own workbook")        # a name the quirks layout uses
    own = month / "维修日报表.xlsx"
    own.write_bytes(b"a real repair report")                             # a name the standard layout uses
    before = _snapshot(tmp_path)
    proc = run("sample", tmp_path, "--cities", "2", "--orders", "5")
    assert proc.returncode == 2 and str(own) in proc.err, proc.err
    assert _snapshot(tmp_path) == before                                 # not even the second city written
    # quirks over the clerk's 配件管理.xlsx: refused too
    proc = run("sample", tmp_path, "--city", "杭州市", "--orders", "5", "--layout", "quirks")
    assert proc.returncode == 2 and "配件管理.xlsx" in proc.err and _snapshot(tmp_path) == before

    # a sample folder of its own: standard, then quirks with --force
    other = tmp_path / "样例"
    assert run("sample", other, "--city", "宁波市", "--orders", "5").returncode == 0
    standard = sorted(p.name for p in (other / "宁波市" / "2026-11").iterdir())
    assert len(standard) == 8
    (other / "宁波市" / "2026-11" / "我的备注.xlsx").write_bytes(b"kept")
    proc = run("sample", other, "--city", "宁波市", "--orders", "5", "--layout", "quirks")
    assert proc.returncode == 2                                          # earlier sample files stop it without --force
    assert run("sample", other, "--city", "宁波市", "--orders", "5", "--layout", "quirks", "--force").returncode == 0
    left = sorted(p.name for p in (other / "宁波市" / "2026-11").iterdir())
    assert not set(standard) & set(left) - {"维修日报表.xlsx"}           # the standard files are gone…
    assert "我的备注.xlsx" in left and len(left) == 4 + 1                # …the four quirks files and ours stay

    # --force over the clerk's folder: the target is overwritten, the clerk's other file stays
    assert run("sample", tmp_path, "--city", "杭州市", "--orders", "5", "--force").returncode == 0
    assert (month / "配件管理.xlsx").read_bytes() == b"a clerk's own workbook"
    assert own.read_bytes()[:2] == b"PK"


# --- 3. one output path: an OS error names the OUTPUT file and why -----------------------------

def test_every_writer_names_the_output_it_cannot_write(tmp_path):
    """Score sheet, annotated copy, batch outputs, templates, sample data: onto a file 'open in
    Excel' (the rename refused, simulated by a sitecustomize in the subprocess) each is one line
    naming the output — not the temporary file — and the reason in the user's language, exit 2."""
    env = locked_outputs(tmp_path)
    month = clean_city(tmp_path / "root", orders=20, city="杭州市")
    out = tmp_path / "out"
    cases = [
        (["score", month.parent, "--xlsx", out / "locked.xlsx"], out / "locked.xlsx"),
        (["validate", month, "--annotate", out / "locked标注.xlsx"], out / "locked标注.xlsx"),
        (["batch", month.parent.parent, "--out", out / "locked", "--jobs", "1"], out / "locked" / "汇总.xlsx"),
        (["template", "roster", "-o", out / "locked模板"], out / "locked模板" / "技师档案.xlsx"),
        (["sample", out / "locked样例", "--city", "温州市", "--orders", "5"], out / "locked样例" / "温州市" / "2026-11"),
    ]
    for args, named in cases:
        proc = run(*args, env=env)
        errors = [line for line in proc.err.splitlines() if line.startswith("错误")]   # batch's progress bar aside
        assert proc.returncode == 2, (args, proc.err)
        assert len(errors) == 1 and str(named) in errors[0], (args, proc.err)
        line = errors[0]
        assert "文件可能正在 Excel 中打开，请关闭后重试" in line and ".tmp" not in line and "内部错误" not in line
        proc = run(*args, "--lang", "en", env=env)
        assert "may be open in Excel" in proc.err and "错误" not in proc.err
    assert not list(out.rglob("*.tmp"))                           # no temporary file left behind
    # a folder where the output file should be: named, with the reason
    (out / "dir.xlsx").mkdir()
    (out / "dir.xlsx" / "x").write_text("x")
    proc = run("score", month.parent, "--xlsx", out / "dir.xlsx")
    assert proc.returncode == 2 and str(out / "dir.xlsx") in proc.err and "这是一个文件夹" in proc.err


# --- 7. batch on a city folder --------------------------------------------------------------------

def test_batch_on_a_city_folder_points_to_score(tmp_path):
    """A ROOT holding only YYYY-MM folders, or workbooks and no city folder, is one city: exit 2 and a
    line naming `aftersales score` — never a ranking of a "city" named 2026-11 (cli.md "Batch")."""
    month = clean_city(tmp_path / "root", orders=10, city="宁波市")
    for root in (month.parent, month):
        proc = run("batch", root, "--out", tmp_path / "out")
        assert proc.returncode == 2, proc.err
        assert "aftersales score" in proc.err and str(root) in proc.err
        assert not (tmp_path / "out").exists()
    # the HQ root itself still ranks its city, a stray workbook beside the city folders or not
    (month.parent.parent / "说明.xlsx").write_bytes((month / "技师档案.xlsx").read_bytes())
    proc = run("batch", month.parent.parent, "--out", tmp_path / "out", "-f", "json", "--jobs", "1")
    assert proc.returncode == 0 and [c["city"] for c in json.loads(proc.out)["cities"]] == ["宁波市"]


# --- 8. a dataset with a header and no rows is not submitted ---------------------------------------

def test_blank_templates_score_nothing_and_say_why(tmp_path):
    """rubric.md "Empty datasets": the eight blank templates score 0 / 90 (they scored 4: an empty
    roster "complete", an empty parts master giving every part a card), every item that needs a
    dataset says "…没有数据（只有表头）", and cross-checks against an empty dataset are skipped."""
    month = tmp_path / "空白市" / "2026-11"
    assert run("template", "-o", month).returncode == 0
    proc = run("score", month.parent, "-f", "json")
    assert proc.returncode == 0, proc.err
    card = json.loads(proc.out)
    assert card["total"] == 0
    reasons = {i["id"]: " ".join(i["reasons"]) for i in card["items"]}
    assert any("技师档案没有数据（只有表头）" in r for r in reasons.values())
    assert any("配件档案没有数据（只有表头）" in r for r in reasons.values())
    assert not any("未提交" in r for r in reasons.values())            # found, only empty: not "not submitted"
    # cross-checks: a filled repair report beside an empty roster is not told its technicians are unknown
    filled = clean_city(tmp_path / "filled", orders=10, city="x")
    shutil.copy(filled / "维修日报表.xlsx", month / "维修日报表.xlsx")
    proc = run("validate", month, "-f", "json")
    codes = {(f["code"], f["dataset"]) for f in json.loads(proc.out)["findings"]}
    assert ("RD010", "repair_report") in codes
    assert ("RR003", "repair_report") not in codes                      # 工号 not in the (empty) roster: not said


# --- 5. an example in a message never looks like the correction of the value ---------------------

def test_ambiguous_date_gives_both_readings_not_a_correction(tmp_path):
    """CE022 on `11/02` (period 2026-11): both readings, 2026-11-02 and 2026-02-11, and the standard
    form to write — never one fixed date that reads as "the right answer"."""
    month = clean_city(tmp_path, orders=10, city="杭州市")
    with edit(month, "repair_report") as t:
        t.set(t.rows[0], "完工日期", "11/02")
        t.set(t.rows[1], "完工日期", "11/13")     # only one reading is a date
    for lang, both_readings, one_reading, joiner in (
            ("zh", "可能是 2026-11-02 或 2026-02-11", "可能是 2026-11-13", " 或 "),
            ("en", "it may be 2026-11-02 or 2026-02-11", "it may be 2026-11-13", " or ")):
        proc = run("validate", month, "-f", "json", "--lang", lang)
        found = {f["value"]: f["message"] for f in json.loads(proc.out)["findings"] if f["code"] == "CE022"}
        assert both_readings in found["11/02"] and "YYYY-MM-DD" in found["11/02"]
        assert one_reading in found["11/13"] and joiner not in found["11/13"]
        assert "2026-11-03" not in " ".join(found.values())


# --- 4. validate-* given a file checks its family from the folder, with every context dataset ------

SAMPLE = Path(__file__).resolve().parents[1] / "sample_data"


def _key(f: dict) -> tuple:
    return f["code"], f["dataset"], f["file"], f["sheet"], f["cell"], f["message"]


@pytest.mark.parametrize("command, datasets, files", [
    ("validate-ledger", {"parts_ledger", "parts_master", "stocktake", "parts_plan"},
     ("配件台账.xlsx", "配件档案.xlsx", "月末盘点.xlsx")),
    ("validate-report", {"repair_report"}, ("维修日报表.xlsx",)),
    ("validate-roster", {"roster"}, ("技师档案.xlsx",)),
])
def test_validate_family_of_a_file_equals_the_folder(command, datasets, files):
    """宁波市 (defects 0.05): `validate-ledger 配件台账.xlsx` reported 12 errors and 未找到配件档案 while
    the folder said 36; now a file of the family gives the folder's findings for the family, which
    are `validate`'s findings for those datasets — nothing "not provided" that is in the folder."""
    month = SAMPLE / "宁波市" / "2026-11"
    if not month.is_dir():
        pytest.fail(f"{month} is shipped with the repository")
    whole = [f for f in json.loads(run("validate", month, "-f", "json").out)["findings"] if f["dataset"] in datasets]
    folder = json.loads(run(command, month, "-f", "json").out)["findings"]
    assert sorted(map(_key, folder)) == sorted(map(_key, whole))
    assert any(f["severity"] == "error" for f in whole)                  # the defects are there to be found
    assert not any(f["code"] in ("RD001", "RD010") for f in folder)       # all eight are in the folder
    for name in files:
        proc = run(command, month / name, "-f", "json")
        assert proc.returncode == 1, proc.err
        assert sorted(map(_key, json.loads(proc.out)["findings"])) == sorted(map(_key, whole)), name


# --- 6. 汇总.xlsx and the score sheet on paper (LibreOffice) -------------------------------------------

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
needs_office = pytest.mark.skipif(not (SOFFICE and shutil.which("pdftotext") and shutil.which("pdfinfo")),
                                  reason="LibreOffice (soffice) and poppler (pdftotext, pdfinfo) are not installed")


def _pages(xlsx: Path, work: Path) -> list[str]:
    """The text of each page LibreOffice prints of `xlsx` (its own profile: runs never collide)."""
    import re
    subprocess.run([SOFFICE, f"-env:UserInstallation={(work / 'lo-profile').as_uri()}", "--headless",
                    "--convert-to", "pdf", "--outdir", str(work), str(xlsx)], check=True, capture_output=True,
                   timeout=300)
    pdf = work / f"{xlsx.stem}.pdf"
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    n = int(re.search(r"Pages:\s+(\d+)", info).group(1))
    texts = [subprocess.run(["pdftotext", "-f", str(i), "-l", str(i), str(pdf), "-"], capture_output=True,
                            text=True, check=True).stdout for i in range(1, n + 1)]
    return ["".join(t.split()) for t in texts]          # white space out: wrapped cell text reads whole


@pytest.fixture(scope="module")
def batched(tmp_path_factory) -> tuple[dict, Path]:
    """Three sample cities with defects, batched: (summary.json, the output folder)."""
    work = tmp_path_factory.mktemp("print")
    assert run("sample", work / "root", "--cities", "3", "--orders", "40", "--defects", "0.05").returncode == 0
    proc = run("batch", work / "root", "--out", work / "out", "--jobs", "1", "-f", "json")
    assert proc.returncode == 0, proc.err
    return json.loads(proc.out), work / "out"


@pytest.fixture(scope="module")
def printed(batched):
    """汇总.xlsx as LibreOffice prints it, page by page."""
    doc, out = batched
    return doc, _pages(out / "汇总.xlsx", out.parent)


def test_summary_workbook_is_set_up_for_screen_and_paper(batched):
    """What an HQ analyst forwards: item names over ids, one number format per column, rank 1 first,
    widths, autofilters and frozen panes; every sheet landscape and fitted to width with its header
    rows repeated; Chinese dataset titles in 问题明细 and findings.csv; score sheets with page
    numbers and the signature line."""
    import csv

    import openpyxl
    doc, out = batched
    wb = openpyxl.load_workbook(out / "汇总.xlsx")
    ranking = wb["排名"]
    ids = [c.value for c in ranking[3]]
    names = [c.value for c in ranking[2]]
    assert names[ids.index("4")] == "技师人员流失率"                   # item name above its id
    assert names[ids.index("11.1")] == "零配件出入库、盘点账目"           # merged over 11.1 … 11.5
    assert [ranking.cell(r, 2).value for r in range(4, 7)] == [c["city"] for c in doc["cities"]]
    percent = {ranking.cell(r, 5).number_format for r in range(4, 7)}
    assert percent == {"0.0"}                                         # 60.0 beside 58.9, never "60"
    assert ranking.freeze_panes == "C4" and ranking.auto_filter.ref.startswith("A3:")
    assert ranking.column_dimensions["B"].width >= 10
    chart_sheet = wb.worksheets[1]
    chart = chart_sheet._charts[0]
    assert chart.x_axis.scaling.orientation == "maxMin"               # rank 1 at the top of the bars
    for ws in wb.worksheets:
        # fitToWidth absent is its default, 1 (ECMA-376 §18.3.1.63; XlsxWriter writes only other values)
        assert ws.page_setup.orientation == "landscape" and (ws.page_setup.fitToWidth or 1) == 1, ws.title
        assert ws.sheet_properties.pageSetUpPr.fitToPage, ws.title
        assert "&P" in ws.oddFooter.center.text, ws.title
        if ws is not chart_sheet:
            assert ws.print_title_rows, ws.title
    city = wb[doc["cities"][0]["city"]]
    assert any("检查人" in str(c.value) and "负责人" in str(c.value) and "日期" in str(c.value)
               for row in city.iter_rows() for c in row if c.value)
    findings = wb["问题明细"]
    titles = {"维修日报表", "技师档案", "配件台账", "配件档案", "月末盘点", "配件申请计划", "培训记录", "现场检查"}
    shown = {r[3] for r in findings.iter_rows(min_row=2, values_only=True) if r[3]}
    assert shown and shown <= titles | {""}, shown - titles
    assert findings.auto_filter.ref.startswith("A1:") and findings.freeze_panes == "A2"
    assert findings.column_dimensions["J"].width >= 40
    with open(out / "findings.csv", encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    assert {r[3] for r in rows[1:] if r[3]} <= titles


@needs_office
def test_ranking_prints_on_one_page_and_the_chart_whole(printed):
    doc, pages = printed
    ranking = [p for p in pages if "失败原因" in p]                        # a column head of the ranking only
    assert len(ranking) == 1
    assert "零配件出入库、盘点账目" in ranking[0] and "11.5" in ranking[0]  # item names over the ids
    chart = [p for p in pages if "各城市得分率" in p]
    assert len(chart) == 1
    assert all(c["city"] in chart[0] for c in doc["cities"]) and "100" in chart[0]
    first = chart[0].index(doc["cities"][0]["city"])                   # rank 1 is drawn on top
    assert all(first <= chart[0].index(c["city"]) for c in doc["cities"])
    assert all("页，共" in p for p in pages)                               # page numbers on every page


@needs_office
def test_score_sheet_keeps_each_section_on_one_page_and_has_signature_lines(printed):
    _doc, pages = printed
    from aftersales_cli.rubric.loader import load_rubric
    rubric = load_rubric()
    assert len([p for p in pages if "评分标准" in p]) >= 3                 # three score sheets printed
    for s in rubric.sections:
        where = [i for i, p in enumerate(pages) if f"{s.title}小计" in p]
        assert where, s.title
        page = pages[where[0]]                                          # the first city's sheet
        for item in s.items:
            for c in item.criteria:
                assert "".join(c.text.split())[:6] in page, (s.title, c.id)
    assert any("检查人" in p and "负责人" in p and "日期" in p for p in pages)


# --- 9. the smaller things -------------------------------------------------------------------------

def test_messages_quote_the_standard_header_and_templates_raise_nothing_of_their_own(tmp_path):
    """A header typed `*服务日期` is quoted as 「服务日期」 in messages (the finding's `header` keeps
    the file's text); the template's 填写说明 sheet is not an "unrecognised sheet" (RD013)."""
    assert run("template", "repair_report", "-o", tmp_path).returncode == 0
    proc = run("validate", tmp_path / "维修日报表.xlsx", "-f", "json")
    assert not [f for f in json.loads(proc.out)["findings"] if f["code"] == "RD013"]
    assert "文件 ()" not in run("validate", tmp_path / "维修日报表.xlsx").out
    month = clean_city(tmp_path / "c", orders=10, city="杭州市")
    with edit(month, "repair_report") as t:
        t.ws.cell(1, t.cols["服务日期"]).value = "*服务日期"
        t.set(t.rows[0], "服务日期", "下周一")
    findings = json.loads(run("validate", month, "-f", "json").out)["findings"]
    bad = next(f for f in findings if f["value"] == "下周一")
    assert bad["header"] == "*服务日期" and "「服务日期」" in bad["message"] and "*" not in bad["message"]


def test_rubric_show_and_check_speak_the_users_language(tmp_path):
    """`rubric show` ends with the rubric's size, not an empty score; `rubric check` explains a
    problem in Chinese in zh mode; English counts agree with their nouns (1 technician)."""
    last = run("rubric", "show").out.strip().splitlines()[-1]
    assert last == "满分 90 分：5 个项目，25 个评分项" and "—" not in last
    assert run("rubric", "show", "--lang", "en").out.strip().splitlines()[-1] == "Max 90 points: 5 sections, 25 criteria"
    shipped = Path(__file__).resolve().parents[1] / "rubrics" / "hegii-2.0.yaml"
    broken = tmp_path / "r.yaml"
    broken.write_text(shipped.read_text("utf-8").replace("    max: 15\n", "    max: 15\n    maxx: 3\n", 1), "utf-8")
    proc = run("rubric", "check", broken)
    assert proc.returncode == 2 and "不认识的字段" in proc.err and "Extra inputs" not in proc.err
    one = run("sample", tmp_path / "one", "--city", "杭州市", "--orders", "5", "--lang", "en").out
    assert "Sample data for 1 city (2026-11)" in one
    two = run("sample", tmp_path / "two", "--cities", "2", "--orders", "5", "--lang", "en").out
    assert "Sample data for 2 cities (2026-11)" in two
