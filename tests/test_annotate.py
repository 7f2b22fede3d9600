"""The annotated copy (`validate --annotate OUT.xlsx`): real workbooks in, real workbooks out."""
from __future__ import annotations

import datetime as dt
import hashlib
import shutil
from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner

from aftersales_cli.cli import app
from aftersales_cli.errors import AftersalesError
from aftersales_cli.pipeline import validate_path
from aftersales_cli.read.files import RawSheet, open_workbook
from aftersales_cli.report.annotate import ERROR_FILL, WARNING_FILL, sheet_titles, write_annotated

HEADER = ["服务日期", "工单号", "技师工号", "技师姓名", "客户姓名", "联系电话", "服务地址", "产品型号", "服务类型",
          "故障描述", "处理措施", "使用配件编码", "配件数量", "收费金额", "完工状态", "完工日期", "满意度", "填报日期"]
INJECTION = '=HYPERLINK("http://x","y")'
LIST = "问题清单"


def order(n: int, **changes) -> list:
    """A valid order for 2026-11 (n-th), with columns changed by header: order(2, 联系电话="1")."""
    day = dt.date(2026, 11, n)
    row = {"服务日期": day, "工单号": f"WX{n:04d}", "技师工号": "T001", "技师姓名": "王建国", "客户姓名": f"客户{n}",
           "联系电话": f"139{n:08d}", "服务地址": f"杭州市某路{n}号", "产品型号": "HCE8042", "服务类型": "安装",
           "故障描述": None, "处理措施": "安装调试", "使用配件编码": None, "配件数量": None, "收费金额": 0,
           "完工状态": "已完成", "完工日期": day, "满意度": "满意", "填报日期": day}
    row.update(changes)
    return [row[h] for h in HEADER]


def write_report(path: Path, rows: list[list], merges: tuple[str, ...] = ()) -> Path:
    """维修日报表: merged title on row 1, 填表单位 on row 2, header on row 3, data from row 4.

    Strings are stored as text cells, so an `=…` string is text in the input, as a clerk typed it.
    """
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "维修日报表"
    body = [["杭州市 2026年11月 维修日报表"], ["填表单位: 杭州服务中心"], HEADER, *rows]
    for r, row in enumerate(body, start=1):
        for c, value in enumerate(row, start=1):
            if value is None:
                continue
            cell = ws.cell(row=r, column=c)
            cell.value = value
            if isinstance(value, str):
                cell.data_type = "s"
    ws.merge_cells("A1:R1")
    for rng in merges:
        ws.merge_cells(rng)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def annotate(src: Path, out: Path, lang: str = "zh") -> openpyxl.Workbook:
    result = validate_path(src)
    assert write_annotated(result, out, lang) == out
    return openpyxl.load_workbook(out)


def list_rows(wb) -> list[dict]:
    ws = wb[LIST]
    head = [c.value for c in ws[1]]
    return [{**dict(zip(head, (c.value for c in row))), "_link": row[4].hyperlink}
            for row in ws.iter_rows(min_row=2)]


@pytest.fixture
def report(tmp_path) -> Path:
    """Five valid orders; F5 (the second order's phone) is not a phone number."""
    rows = [order(n) for n in range(1, 6)]
    rows[1] = order(2, 联系电话="1381234")
    return write_report(tmp_path / "in" / "维修日报表.xlsx", rows)


def test_finding_cell_gets_comment_and_red_fill(report, tmp_path):
    wb = annotate(report, tmp_path / "out" / "标注.xlsx")
    ws = wb["维修日报表"]
    assert ws["F5"].comment is not None
    assert "CE062" in ws["F5"].comment.text and "1381234" in ws["F5"].comment.text
    assert ws["F5"].fill.fgColor.rgb == ERROR_FILL
    for clean in ("F4", "F6", "E5", "G5"):      # the neighbours are untouched
        assert ws[clean].comment is None
        assert ws[clean].fill.fgColor.rgb != ERROR_FILL


def test_copy_keeps_the_input(report, tmp_path):
    wb = annotate(report, tmp_path / "out" / "标注.xlsx")
    ws = wb["维修日报表"]
    assert "A1:R1" in {str(r) for r in ws.merged_cells.ranges}
    assert ws["A1"].value == "杭州市 2026年11月 维修日报表"
    assert [c.value for c in ws[3]] == HEADER
    assert ws["A4"].value == dt.datetime(2026, 11, 1)
    assert ws["F5"].value == "1381234"


def test_findings_sheet_lists_and_links(report, tmp_path):
    wb = annotate(report, tmp_path / "out" / "标注.xlsx")
    assert wb.sheetnames[0] == LIST and wb.active.title == LIST
    rows = list_rows(wb)
    phone = [r for r in rows if r["代码"] == "CE062"]
    assert len(phone) == 1
    assert phone[0]["单元格"] == "F5" and phone[0]["工作表"] == "维修日报表" and phone[0]["级别"] == "错误"
    assert phone[0]["文件"] == "维修日报表.xlsx" and phone[0]["列"] == "联系电话" and phone[0]["值"] == "1381234"
    assert phone[0]["_link"].location == "'维修日报表'!F5"
    missing = [r for r in rows if r["代码"] == "RD001"]      # datasets not submitted: listed, no link
    assert missing and all(r["_link"] is None for r in missing)
    # only the data sheet and the list are selected as expected (no grouped sheets in Excel)
    assert [ws.sheet_view.tabSelected for ws in wb.worksheets] == [True, False]


def test_english_messages(report, tmp_path):
    wb = annotate(report, tmp_path / "out" / "标注.xlsx", lang="en")
    assert "is not a valid mobile or landline number" in wb["维修日报表"]["F5"].comment.text
    assert [c.value for c in wb[LIST][1]][:2] == ["Severity", "Code"]


def test_several_findings_on_one_cell_make_one_comment(tmp_path):
    # a date typed as text (format) that is also outside the period (error): two findings on A5
    rows = [order(n) for n in range(1, 6)]
    rows[1] = order(2, 服务日期="2026/10/31", 完工日期=dt.date(2026, 11, 1), 填报日期=dt.date(2026, 11, 1))
    src = write_report(tmp_path / "in" / "维修日报表.xlsx", rows)
    wb = annotate(src, tmp_path / "out" / "标注.xlsx")
    lines = wb["维修日报表"]["A5"].comment.text.splitlines()
    assert len(lines) == 2
    assert {line.split()[1][:5] for line in lines} == {"CE021", "RR001"}
    assert wb["维修日报表"]["A5"].fill.fgColor.rgb == ERROR_FILL      # the worst severity wins


def test_format_finding_is_yellow_and_info_is_not_coloured(tmp_path):
    rows = [order(n) for n in range(1, 4)]
    rows[0] = order(1, 完工状态="完成")                               # an alias: format finding on O4
    rows.append(["合计", None, None, None, None, None, None, None, None, None, None, None, None, 0])
    src = write_report(tmp_path / "in" / "维修日报表.xlsx", rows)
    wb = annotate(src, tmp_path / "out" / "标注.xlsx")
    ws = wb["维修日报表"]
    assert ws["O4"].fill.fgColor.rgb == WARNING_FILL and "CE051" in ws["O4"].comment.text
    assert "RD005" in ws["A7"].comment.text                             # the totals row: info
    assert ws["A7"].fill.fill_type is None


def test_merged_data_cells_comment_on_the_range_anchor(tmp_path):
    # F5:F6 merged with a bad phone: the reader gives the value to both cells, so two findings
    rows = [order(n) for n in range(1, 6)]
    rows[1] = order(2, 联系电话="1381234")
    rows[2] = order(3, 联系电话=None)
    src = write_report(tmp_path / "in" / "维修日报表.xlsx", rows, merges=("F5:F6",))
    wb = annotate(src, tmp_path / "out" / "标注.xlsx")
    ws = wb["维修日报表"]
    assert ws["F5"].comment.text.count("CE062") == 2
    assert ws["F5"].fill.fgColor.rgb == ERROR_FILL
    links = {r["_link"].location for r in list_rows(wb) if r["代码"] == "CE062"}
    assert links == {"'维修日报表'!F5"}


def test_existing_comment_is_kept(tmp_path):
    rows = [order(n) for n in range(1, 4)]
    rows[1] = order(2, 联系电话="1381234")
    src = write_report(tmp_path / "in" / "维修日报表.xlsx", rows)
    wb = openpyxl.load_workbook(src)
    wb.active["F5"].comment = openpyxl.comments.Comment("客户说换号了", "文员")
    wb.save(src)
    text = annotate(src, tmp_path / "out" / "标注.xlsx")["维修日报表"]["F5"].comment.text
    assert text.startswith("客户说换号了") and "CE062" in text


def test_input_is_never_modified(report, tmp_path):
    before = sha256(report)
    annotate(report, tmp_path / "out" / "标注.xlsx")
    assert sha256(report) == before


def test_annotate_onto_the_input_exits_2_and_writes_nothing(report):
    before = sha256(report)
    listing = sorted(p.name for p in report.parent.iterdir())
    result = CliRunner().invoke(app, ["validate", str(report), "--annotate", str(report)])
    assert result.exit_code == 2
    assert "输出文件不能与输入文件相同" in result.output
    assert sha256(report) == before
    assert sorted(p.name for p in report.parent.iterdir()) == listing    # no temporary file left


def test_annotate_onto_a_context_file_exits_2(report):
    # the roster beside the report is read for the cross checks: it is an input too
    roster = report.parent / "技师档案.xlsx"
    wb = openpyxl.Workbook()
    wb.active.title = "技师档案"
    wb.active.append(["工号", "姓名", "身份证号", "手机号", "人员类别", "所属单位", "入职日期", "在职状态", "更新日期"])
    wb.active.append(["T001", "王建国", "11010519491231002X", "13900000001", "自有", "杭州服务中心",
                      dt.date(2020, 1, 1), "在职", dt.date(2026, 11, 1)])
    wb.save(roster)
    before = sha256(roster)
    result = CliRunner().invoke(app, ["validate-report", str(report), "--annotate", str(roster)])
    assert result.exit_code == 2
    assert sha256(roster) == before


def test_annotate_through_the_cli(report, tmp_path):
    out = tmp_path / "out" / "标注.xlsx"
    result = CliRunner().invoke(app, ["validate", str(report), "--annotate", str(out)])
    assert result.exit_code == 1                                        # the bad phone is an error
    assert out.is_file()
    assert openpyxl.load_workbook(out)["维修日报表"]["F5"].comment is not None


def test_output_must_be_xlsx(report, tmp_path):
    result = validate_path(report)
    with pytest.raises(AftersalesError) as err:
        write_annotated(result, tmp_path / "标注.csv", "zh")
    assert err.value.key == "err.output_suffix"
    assert not (tmp_path / "标注.csv").exists()


def test_formula_text_stays_text(tmp_path):
    rows = [order(n) for n in range(1, 4)]
    rows[0] = order(1, 客户姓名=INJECTION)
    rows[1] = order(2, 联系电话=INJECTION)                 # also a finding: its value goes to the list
    src = write_report(tmp_path / "in" / "维修日报表.xlsx", rows)
    wb = annotate(src, tmp_path / "out" / "标注.xlsx")
    ws = wb["维修日报表"]
    for ref in ("E4", "F5"):
        assert ws[ref].value == INJECTION and ws[ref].data_type == "s"
    values = [row[6] for row in wb[LIST].iter_rows(min_row=2) if row[1].value == "CE062"]
    assert [(c.value, c.data_type) for c in values] == [(INJECTION, "s")]


def test_formula_text_in_a_csv_stays_text(tmp_path):
    src = tmp_path / "in" / "维修日报表.csv"
    src.parent.mkdir()
    lines = [",".join(HEADER),
             ",".join(["2026-11-01", "WX0001", "T001", "王建国", '"=HYPERLINK(""http://x"",""y"")"', "13900000001",
                       "某路1号", "HCE8042", "安装", "", "安装调试", "", "", "0", "已完成", "2026-11-01", "满意",
                       "2026-11-01"])]
    src.write_text("\r\n".join(lines) + "\r\n", encoding="utf-8")
    wb = annotate(src, tmp_path / "out" / "标注.xlsx")
    cell = wb["维修日报表"]["E2"]
    assert cell.value == INJECTION and cell.data_type == "s"


@pytest.mark.parametrize("fixture", [
    pytest.param("legacy-xls/维修日报表.xls", id="xls"),
    pytest.param("ods/维修日报表.ods", id="ods"),
    pytest.param("csv-gbk/维修日报表.csv", id="csv-gbk"),
])
def test_other_formats_keep_their_positions(fixture, tmp_path, fixtures_dir):
    src = tmp_path / "in" / Path(fixture).name
    src.parent.mkdir()
    shutil.copy(fixtures_dir / fixture, src)
    before = sha256(src)
    (raw,) = open_workbook(src)
    wb = annotate(src, tmp_path / "out" / "标注.xlsx")
    assert sha256(src) == before
    ws = wb[raw.name]
    merged = {str(r) for r in ws.merged_cells.ranges}
    checked = 0
    for i, row in enumerate(raw.rows, start=1):
        for j, value in enumerate(row, start=1):
            if value in (None, ""):
                continue
            cell = ws.cell(row=i, column=j)
            if any(cell.coordinate in openpyxl.worksheet.cell_range.CellRange(m) for m in merged) \
                    and cell.coordinate != "A1":
                continue                      # inside a merged range: only its top-left cell holds the value
            got = cell.value
            if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
                assert isinstance(got, dt.datetime) and got.date() == value, cell.coordinate
                assert cell.number_format == "yyyy-mm-dd"
            else:
                assert got == value, cell.coordinate
            checked += 1
    assert checked > 24 * 10
    header_row = 1 if fixture.endswith(".csv") else 3
    assert [c.value for c in ws[header_row]][:3] == ["服务日期", "工单号", "技师工号"]


def test_csv_findings_sit_on_their_cells(tmp_path, fixtures_dir):
    src = tmp_path / "in" / "维修日报表.csv"
    src.parent.mkdir()
    shutil.copy(fixtures_dir / "csv-gbk/维修日报表.csv", src)
    result = validate_path(src)
    wb = annotate(src, tmp_path / "out" / "标注.xlsx")
    ws = wb["维修日报表"]
    cells = {f.cell for f in result.findings if f.cell and f.severity in ("format", "warning", "error")}
    assert "A2" in cells                                  # 2026/10/01 typed as text: a format finding
    for ref in cells:
        assert ws[ref].comment is not None and ws[ref].fill.fgColor.rgb in (ERROR_FILL, WARNING_FILL), ref
    assert ws["B2"].comment is None


def test_libreoffice_xlsx_keeps_formula_and_merge(tmp_path, fixtures_dir):
    src = tmp_path / "in" / "维修日报表.xlsx"
    src.parent.mkdir()
    shutil.copy(fixtures_dir / "libreoffice/维修日报表.xlsx", src)
    wb = annotate(src, tmp_path / "out" / "标注.xlsx")
    ws = wb["维修日报表"]
    assert "A1:R1" in {str(r) for r in ws.merged_cells.ranges}
    assert ws["N28"].data_type == "f" and ws["N28"].value.upper().startswith("=SUM(")
    assert "RD005" in ws["A28"].comment.text


def test_folder_of_several_files_gets_unique_sheet_names(tmp_path):
    folder = tmp_path / "杭州市" / "2026-11"
    rows = [order(n) for n in range(1, 4)]
    rows[2] = order(3, 联系电话="12")
    report = write_report(folder / "维修日报表.xlsx", rows)
    # the repair report's sheet renamed Sheet1, and a roster whose only sheet is also Sheet1
    wb = openpyxl.load_workbook(report)
    wb.active.title = "Sheet1"
    wb.save(report)
    roster = openpyxl.Workbook()
    ws = roster.active
    ws.title = "Sheet1"
    ws.append(["工号", "姓名", "身份证号", "手机号", "人员类别", "所属单位", "入职日期", "在职状态", "更新日期"])
    ws.append(["T001", "王建国", "11010519491231002X", "13900000001", "自有", "杭州服务中心",
               dt.date(2020, 1, 1), "在职", dt.date(2026, 11, 1)])
    roster.save(folder / "技师档案.xlsx")
    result = validate_path(folder)
    assert {"repair_report", "roster"} <= set(result.checked)
    out = tmp_path / "out" / "标注.xlsx"
    write_annotated(result, out, "zh")
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == [LIST, "技师档案-Sheet1", "维修日报表-Sheet1"]
    assert "CE062" in wb["维修日报表-Sheet1"]["F6"].comment.text
    assert wb["技师档案-Sheet1"]["A2"].value == "T001"
    link = next(r["_link"] for r in list_rows(wb) if r["代码"] == "CE062")
    assert link.location == "'维修日报表-Sheet1'!F6"


def test_sheet_titles_are_excel_safe_and_unique():
    sheets = [RawSheet(file="/x/a.csv", name="A" * 40, rows=[]), RawSheet(file="/x/b.xlsx", name="汇总[1]:*?/\\", rows=[]),
              RawSheet(file="/x/c.xlsx", name="Data", rows=[]), RawSheet(file="/x/d.xlsx", name="data", rows=[])]
    titles = sheet_titles(sheets, several=True)
    assert all(len(t) <= 31 and not set(t) & set("[]:*?/\\") for t in titles)
    assert len({t.casefold() for t in titles}) == 4
    assert titles[2:] == ["c-Data", "d-data"]
