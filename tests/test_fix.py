"""`aftersales fix` (fixes.md §2), on real files: the bundled defective 宁波市, every shared fixture
folder, a workbook built with merged ranges, widths, validations, comments and a cached formula.

The guarantees checked for each copy, independently of fix's own code: validating the copy gives
none of the fixable codes (fix/fixable.yaml) and the same error and warning findings at the same
cells; every cell not listed in 修改记录 is equal in value and type (read back by calamine for values
and cached formula results, by openpyxl for formulas); a listed cell holds the kind the spec names
(a date cell, a number cell, text); the score is never lower; fix on its own output writes nothing.
"""
from __future__ import annotations

import datetime as dt
import shutil
import subprocess
from pathlib import Path

import pytest

from aftersales_cli.errors import AftersalesError
from aftersales_cli.fix.apply import fix_path
from aftersales_cli.fix.plan import fixable_codes
from aftersales_cli.period import Period
from aftersales_cli.pipeline import score_path, validate_path
from aftersales_cli.read.files import read_csv
from citykit import installed, locked_outputs

ROOT = Path(__file__).resolve().parent.parent
NINGBO = ROOT / "sample_data" / "宁波市" / "2026-11"
LOG = "修改记录"
FIXTURE_PERIODS = {"xls-wps": "2026-10"}
NUMBER_CODES, DATE_CODES = {"CE031", "CE041"}, {"CE021"}


def _calamine(path: Path) -> dict[str, list[list]]:
    import python_calamine as pc

    wb = pc.CalamineWorkbook.from_path(str(path))
    return {name: wb.get_sheet_by_name(name).to_python(skip_empty_area=False) for name in wb.sheet_names}


def _cells(rows: list[list]) -> dict[tuple[int, int], object]:
    return {(r, c): v for r, row in enumerate(rows, start=1) for c, v in enumerate(row)
            if v is not None and v != ""}


def _formulas(path: Path) -> dict[str, dict[tuple[int, int], str]]:
    from openpyxl import load_workbook

    wb = load_workbook(path)
    return {ws.title: {(c.row, c.column - 1): c.value for row in ws.iter_rows() for c in row
                       if isinstance(c.value, str) and c.value.startswith("=")} for ws in wb.worksheets}


def _col(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n - 1


def _findings(result, severities=("error", "warning")) -> list[tuple]:
    return sorted((Path(f.file or "").stem, f.sheet or "", f.cell or "", f.code) for f in result.findings
                  if f.severity in severities)


def assert_fix_keeps_its_promises(src: Path, out: Path, period: Period | None) -> int:
    """Fix `src` into `out` and check every guarantee of fixes.md §2; the number of changes."""
    codes = fixable_codes()
    before = validate_path(src, period)
    outcome = fix_path(src, out, period)
    wanted = {(Path(f.file).name, f.sheet, f.cell) for f in before.findings if f.code in codes}
    assert {(Path(c.file).name, c.sheet, c.cell) for c in outcome.changes} == wanted
    if not wanted:
        assert outcome.written == [] and not out.exists()   # no change: nothing written
        return 0
    after = validate_path(out, before.period)
    assert [f for f in after.findings if f.code in codes] == []
    assert _findings(after) == _findings(before)
    assert score_path(out, before.period)[0].total >= score_path(src, before.period)[0].total
    inputs = sorted(p for p in src.iterdir() if p.is_file())
    assert len(outcome.written) == len(inputs)
    changed_files = {Path(c.file).name for c in outcome.changes}
    for original in inputs:
        copy = next(p for p in outcome.written if p.stem == original.stem)
        if original.name not in changed_files:
            assert copy.read_bytes() == original.read_bytes()
        elif original.suffix.lower() == ".csv":
            _check_csv(original, copy, [c for c in outcome.changes if Path(c.file).name == original.name])
        else:
            _check_workbook(original, copy)
    # fix on its own output: nothing to change, nothing written
    again = fix_path(out, out.parent / (out.name + "-again"), before.period)
    assert again.changes == [] and again.written == [] and not (out.parent / (out.name + "-again")).exists()
    return len(outcome.changes)


PACKAGE_PARTS_FIX_MAY_EDIT = {"xl/workbook.xml", "xl/_rels/workbook.xml.rels", "[Content_Types].xml",
                              "xl/styles.xml"}


def _check_package_kept(original: Path, copy: Path) -> None:
    """An .xlsx/.xlsm is patched, not rebuilt: every member other than the sheets, the workbook part,
    its relationships, the content types and the styles is byte for byte the original's."""
    import zipfile

    with zipfile.ZipFile(original) as a, zipfile.ZipFile(copy) as b:
        new = set(b.namelist())
        for name in a.namelist():
            assert name in new, name
            if name not in PACKAGE_PARTS_FIX_MAY_EDIT and not name.startswith("xl/worksheets/sheet"):
                assert a.read(name) == b.read(name), name


def _check_workbook(original: Path, copy: Path) -> None:
    if original.suffix.lower() in (".xlsx", ".xlsm"):
        _check_package_kept(original, copy)
    old, new = _calamine(original), _calamine(copy)
    assert list(new) == [*old, LOG]                                  # 修改记录 is the last sheet
    log = new[LOG]
    assert [str(v) for v in log[0][:6]] == ["工作表", "单元格", "列", "原值", "修正为", "代码"]
    listed = {}
    for sheet, cell, _column, before, after, code in (r[:6] for r in log[1:]):
        letters = cell.rstrip("0123456789")
        listed[(sheet, int(cell[len(letters):]), _col(letters))] = (before, after, code)
    old_formulas = _formulas(original) if original.suffix.lower() in (".xlsx", ".xlsm") else None
    new_formulas = _formulas(copy)
    for sheet, rows in old.items():
        a, b = _cells(rows), _cells(new[sheet])
        mine = {(r, c): v for (s, r, c), v in listed.items() if s == sheet}
        for key in set(a) | set(b):
            if key in mine:
                continue
            assert key in a and key in b and a[key] == b[key] and type(a[key]) is type(b[key]), (sheet, key)
        for key, (_before, after, code) in mine.items():
            value = b[key]
            if code in DATE_CODES:
                assert isinstance(value, dt.date) and value.isoformat()[:10] == after
            elif code in NUMBER_CODES:
                assert isinstance(value, (int, float)) and not isinstance(value, bool) and float(after) == value
            else:
                assert value == after
        if old_formulas is not None:
            assert {k: v for k, v in new_formulas[sheet].items() if k not in mine} == old_formulas[sheet]


def _check_csv(original: Path, copy: Path, changes) -> None:
    assert copy.read_bytes().startswith(b"\xef\xbb\xbf")          # UTF-8 with BOM
    old, new = read_csv(original).rows, read_csv(copy).rows
    mine = {(c.row, _col(c.column)) for c in changes}
    assert len(old) == len(new)
    for r, (a, b) in enumerate(zip(old, new), start=1):
        for c, (x, y) in enumerate(zip(a, b)):
            if (r, c) not in mine:
                assert x == y, (r, c)


def test_ningbo_defective_city(tmp_path):
    src = tmp_path / "宁波市" / "2026-11"
    shutil.copytree(NINGBO, src)
    n = assert_fix_keeps_its_promises(src, tmp_path / "fixed", Period.parse("2026-11"))
    assert n >= 50          # the generator seeds dozens of fixable defects in 宁波市 (sample/defects.py)


def _fixture_folders() -> list[str]:
    from shared_fixtures import FOLDER
    if not FOLDER.is_dir():
        return ["(missing)"]
    top = [p.name for p in FOLDER.iterdir() if p.is_dir() and p.name != "realworld"]
    real = [f"realworld/{p.name}" for p in (FOLDER / "realworld").iterdir() if p.is_dir()]
    return sorted(top + real)


@pytest.mark.parametrize("name", _fixture_folders())
def test_each_shared_fixture_folder(name, fixtures_dir, tmp_path):
    folder = fixtures_dir / name
    months = [p for p in folder.rglob("*") if p.is_dir() and p.name[:4].isdigit() and p.name[4:5] == "-"]
    src = tmp_path / "in" / name
    shutil.copytree(months[0] if months else folder, src)
    for extra in src.glob("*.md"):
        extra.unlink()
    period = Period.parse(FIXTURE_PERIODS.get(folder.name, "2026-11"))
    try:
        validate_path(src, period)
    except AftersalesError:                            # an unreadable fixture: fix refuses the same way
        with pytest.raises(AftersalesError):
            fix_path(src, tmp_path / "fixed", period)
        assert not (tmp_path / "fixed").exists()
        return
    assert_fix_keeps_its_promises(src, tmp_path / "fixed", period)


def test_fixtures_with_fixable_findings_are_fixed(fixtures_dir, tmp_path):
    """clerk-typing (formats.md: CE021 A3, CE031 M4, CE041 N4 …) and the GBK CSV carry fixable findings."""
    src = tmp_path / "clerk"
    shutil.copytree(fixtures_dir / "realworld" / "clerk-typing", src)
    assert assert_fix_keeps_its_promises(src, tmp_path / "out1", Period.parse("2026-11")) >= 3
    src = tmp_path / "gbk"
    shutil.copytree(fixtures_dir / "csv-gbk", src)
    assert assert_fix_keeps_its_promises(src, tmp_path / "out2", Period.parse("2026-11")) >= 1


def _xlsxwriter_copy(source: Path, target: Path, formula_at: str | None = None) -> None:
    """The report of `source` rewritten by XlsxWriter (shared strings, a cached formula result), with
    merged ranges, custom widths, a data validation and a comment beside the data."""
    import xlsxwriter
    from openpyxl import load_workbook

    ws_in = load_workbook(source).worksheets[0]
    wb = xlsxwriter.Workbook(str(target))
    ws = wb.add_worksheet(ws_in.title)
    day = wb.add_format({"num_format": "yyyy-mm-dd"})
    for row in ws_in.iter_rows():
        for c in row:
            if c.value is None:
                continue
            if isinstance(c.value, dt.datetime):
                ws.write_datetime(c.row - 1, c.column - 1, c.value, day)
            elif isinstance(c.value, (int, float)):
                ws.write_number(c.row - 1, c.column - 1, c.value)
            else:
                ws.write_string(c.row - 1, c.column - 1, str(c.value))
    ws.set_column(0, 0, 13.5)
    ws.set_column(6, 6, 31)
    ws.merge_range("T2:U3", "合并的备注")
    ws.write_formula("V2", "=1+1", None, 2)
    ws.data_validation("W2:W50", {"validate": "list", "source": ["是", "否"]})
    ws.write_comment("B2", "请核对工单号")
    if formula_at:          # a formula whose cached result is a fixable text: ="¥"&"120" → ¥120
        ws.write_formula(formula_at, '="¥"&"120"', None, "¥120")
    wb.close()


def test_merged_ranges_widths_validations_comments_and_formulas_survive(tmp_path):
    from openpyxl import load_workbook

    src = tmp_path / "宁波市" / "2026-11"
    shutil.copytree(NINGBO, src)
    report = src / "维修日报表.xlsx"
    built = tmp_path / "built.xlsx"
    _xlsxwriter_copy(report, built)
    shutil.move(built, report)
    assert assert_fix_keeps_its_promises(src, tmp_path / "fixed", Period.parse("2026-11")) > 0
    old, new = load_workbook(report), load_workbook(tmp_path / "fixed" / "维修日报表.xlsx")
    a, b = old.worksheets[0], new.worksheets[0]
    assert {str(r) for r in b.merged_cells.ranges} == {str(r) for r in a.merged_cells.ranges} == {"T2:U3"}
    assert b.column_dimensions["A"].width == a.column_dimensions["A"].width
    assert b.column_dimensions["G"].width == a.column_dimensions["G"].width
    assert [(v.type, str(v.sqref), v.formula1) for v in b.data_validations.dataValidation] == \
        [("list", "W2:W50", '"是,否"')]
    assert b["B2"].comment is not None and b["B2"].comment.text == "请核对工单号"
    assert b["V2"].value == "=1+1"
    assert load_workbook(tmp_path / "fixed" / "维修日报表.xlsx", data_only=True).worksheets[0]["V2"].value == 2


# --- bad input: one line each, exit 2, nothing written ---------------------------------------------------

def _snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_bad_outputs_are_one_line_exit_2_and_nothing_written(tmp_path):
    src = tmp_path / "root" / "宁波市" / "2026-11"
    shutil.copytree(NINGBO, src)
    locked = locked_outputs(tmp_path)
    full = tmp_path / "full"
    full.mkdir()
    (full / "别人的文件.txt").write_text("x", "utf-8")
    cases = [
        ((src, "-o", tmp_path / "locked"), locked, "文件可能正在 Excel 中打开"),
        ((src, "-o", full), None, "输出文件夹已存在且不为空"),
        ((src, "-o", src / "修正"), None, "不能是提交文件夹"),
        ((src, "-o", src), None, "不能是提交文件夹"),
    ]
    before = _snapshot(tmp_path)
    for args, env, says in cases:
        proc = installed("fix", *args, env=env)
        lines = [line for line in proc.err.splitlines() if line.strip()]
        assert proc.returncode == 2 and len(lines) == 1 and says in lines[0], (args, proc.err)
        assert str(args[-1]) in lines[0]
        assert _snapshot(tmp_path) == before                     # nothing written, no temporary left
        assert sorted(p.name for p in tmp_path.iterdir()) == ["full", "hooks", "root"]
    # --force writes into the non-empty folder and keeps what was there
    proc = installed("fix", src, "-o", full, "--force")
    assert proc.returncode == 1                                     # 宁波市 keeps its errors
    assert (full / "别人的文件.txt").read_text("utf-8") == "x" and (full / "维修日报表.xlsx").is_file()


def test_dry_run_writes_nothing_and_json_has_the_spec_keys(tmp_path):
    import json

    src = tmp_path / "宁波市" / "2026-11"
    shutil.copytree(NINGBO, src)
    before = _snapshot(tmp_path)
    proc = installed("fix", src, "--dry-run", "--format", "json")
    data = json.loads(proc.stdout.decode("utf-8"))
    assert _snapshot(tmp_path) == before
    assert set(data) == {"changes", "written", "remaining"} and data["written"] == []
    assert set(data["changes"][0]) == {"file", "sheet", "cell", "column", "before", "after", "code"}
    assert set(data["remaining"]) == {"error", "format", "warning", "info"}
    status = {"完成": "已完成"}          # formats.md: the alias 完成 is written 已完成
    assert any(c["before"] in status and c["after"] == status[c["before"]] and c["code"] == "CE051"
               for c in data["changes"])
    assert proc.returncode == 1          # 宁波市's errors remain: exit as validate
    proc = installed("fix", src)              # the default OUT_DIR: _<name>-已修正 beside the folder
    assert proc.returncode == 1 and (src.parent / "_2026-11-已修正" / "维修日报表.xlsx").is_file()


# --- the package patch on every readable .xlsx/.xlsm of the shared fixtures -------------------------------

def _packages() -> list[str]:
    from shared_fixtures import FOLDER
    if not FOLDER.is_dir():
        return ["(missing)"]
    return sorted(str(p.relative_to(FOLDER)) for p in FOLDER.rglob("*") if p.suffix in (".xlsx", ".xlsm"))


@pytest.mark.parametrize("name", _packages())
def test_patch_writes_exactly_the_edited_cells(name, fixtures_dir, tmp_path):
    """x: prefixes, Strict namespaces, a relationships: prefix, the 1904 date system, shared strings
    with pinyin runs: three edits (a date, a text, a number) change those cells and no other."""
    from aftersales_cli.fix.xlsx import NotPatchable, patch_package

    src = fixtures_dir / name
    try:
        old = _calamine(src)
    except Exception:                       # noqa: BLE001 - not a package calamine reads (encrypted, …)
        return
    first = next(iter(old))
    cells = [k for k in sorted(_cells(old[first])) if k[0] >= 2][:3]       # three cells that hold a value
    edits = dict(zip(cells, (dt.date(2026, 11, 15), "改过的文本", 123.5)))
    out = tmp_path / ("out" + src.suffix)
    try:
        patch_package(src, out, {first: edits}, LOG, lambda skipped: [["a", "b"], ["c", "d"]], [10, 10])
    except NotPatchable:
        assert "\\" in "".join(__import__("zipfile").ZipFile(src).namelist())   # only the backslash zip
        return
    new = _calamine(out)
    assert list(new) == [*old, LOG] and new[LOG][:2] == [["a", "b"], ["c", "d"]]
    for sheet, rows in old.items():
        a, b = _cells(rows), _cells(new[sheet])
        mine = edits if sheet == first else {}
        assert {k: v for k, v in a.items() if k not in mine} == {k: v for k, v in b.items() if k not in mine}
    b = _cells(new[first])
    assert isinstance(b[cells[0]], dt.date) and b[cells[0]].isoformat()[:10] == "2026-11-15"
    assert b[cells[1]] == "改过的文本" and b[cells[2]] == 123.5


def _drop_implied_refs(xml: str) -> str:
    """Remove each `r` the standard lets a writer leave out: a row's when it is the previous row + 1,
    a cell's when it is the next column of its row (counted here, independently of fix)."""
    import re

    row, col, dropped = 0, -1, 0

    def one(m: re.Match) -> str:
        nonlocal row, col, dropped
        tag, name, ref = m.group(0), m.group(1), m.group(2)
        if name == "row":
            implied, row, col = int(ref) == row + 1, int(ref), -1
        else:
            letters = ref.rstrip("0123456789")
            implied, col = _col(letters) == col + 1, _col(letters)
        if not implied:
            return tag
        dropped += 1
        return tag.replace(f' r="{ref}"', "", 1)

    out = re.sub(r'<(?:\w+:)?(row|c)\b[^>]*?\sr="([A-Z]*\d+)"[^>]*>', one, xml)
    assert dropped > 100
    return out


def test_cells_and_rows_without_r_attributes(fixtures_dir, tmp_path):
    """A sheet whose <row> and <c> carry no `r` (allowed by the standard: the next row, the next
    column): fix finds the same cells by position."""
    import zipfile

    src = tmp_path / "clerk"
    src.mkdir()
    book = fixtures_dir / "realworld" / "clerk-typing" / "维修日报表.xlsx"
    with zipfile.ZipFile(book) as zin, zipfile.ZipFile(src / book.name, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename.startswith("xl/worksheets/"):
                data = _drop_implied_refs(data.decode("utf-8")).encode("utf-8")
            zout.writestr(info, data)
    before = _calamine(book)
    assert _calamine(src / book.name) == before           # the stripped package reads the same
    assert assert_fix_keeps_its_promises(src, tmp_path / "fixed", Period.parse("2026-11")) >= 3


# --- .xls / .ods: an .xlsx with the values in place, merged ranges kept -----------------------------------

@pytest.mark.parametrize("name", ["legacy-xls/维修日报表.xls", "ods/维修日报表.ods",
                                  "realworld/merged-data-cells-xls/维修日报表.xls",
                                  "realworld/merged-data-cells-ods/维修日报表.ods"])
def test_rebuilt_copy_keeps_every_cell_in_place_and_the_merged_ranges(name, fixtures_dir, tmp_path):
    from openpyxl import load_workbook

    from aftersales_cli.fix.rebuild import write_rebuilt
    from aftersales_cli.read.files import open_workbook

    src = fixtures_dir / name
    sheets = open_workbook(src)
    first = sheets[0]
    cells = [k for k in sorted(_cells(first.rows)) if k[0] >= 3][:2]
    edits = dict(zip(cells, (dt.date(2026, 11, 15), "改过的文本")))
    out = tmp_path / "out.xlsx"
    write_rebuilt(src, out, {first.name: edits}, LOG, [["a", "b"]], [10, 10])
    new = _calamine(out)
    assert list(new) == [*(s.name for s in sheets), LOG]
    for sheet in sheets:
        a, b = _cells(sheet.rows), _cells(new[sheet.name])
        mine = edits if sheet is first else {}
        assert {k: v for k, v in a.items() if k not in mine} == {k: v for k, v in b.items() if k not in mine}
        merged = {str(r) for r in load_workbook(out)[sheet.name].merged_cells.ranges}
        from aftersales_cli.core.cells import col_letter
        assert merged == {f"{col_letter(c0)}{r0 + 1}:{col_letter(c1)}{r1 + 1}"
                          for (r0, c0), (r1, c1) in sheet.merged if (r0, c0) != (r1, c1)}
    b = _cells(new[first.name])
    assert b[cells[0]].isoformat()[:10] == "2026-11-15" and b[cells[1]] == "改过的文本"
    if "merged" in name:
        assert any(s.merged for s in sheets)


SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")


@pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed")
def test_ods_submission_becomes_xlsx_with_the_fixes(tmp_path):
    """宁波市's repair report saved as .ods by LibreOffice: the fixed copy is 维修日报表.xlsx."""
    src = tmp_path / "宁波市" / "2026-11"
    shutil.copytree(NINGBO, src)
    subprocess.run([SOFFICE, "--headless", "--convert-to", "ods", "--outdir", str(src), str(src / "维修日报表.xlsx")],
                   check=True, capture_output=True, timeout=180)
    (src / "维修日报表.xlsx").unlink()
    n = assert_fix_keeps_its_promises(src, tmp_path / "fixed", Period.parse("2026-11"))
    assert n > 20 and (tmp_path / "fixed" / "维修日报表.xlsx").is_file()
    assert not (tmp_path / "fixed" / "维修日报表.ods").exists()
    # the column widths the .xlsx had before LibreOffice made it an .ods come back (to half a character)
    from openpyxl import load_workbook
    first = load_workbook(NINGBO / "维修日报表.xlsx").worksheets[0].column_dimensions
    again = load_workbook(tmp_path / "fixed" / "维修日报表.xlsx").worksheets[0].column_dimensions
    for letter in "ABCDEFG":
        assert abs(again[letter].width - first[letter].width) <= 0.5, letter


def test_a_formula_cell_is_left_alone(tmp_path):
    """A fixable finding on a formula's cached text: the formula is the clerk's, fix does not replace it
    (and does not rebuild the workbook): every other fixable cell is fixed, the package is patched."""
    from openpyxl import load_workbook

    src = tmp_path / "宁波市" / "2026-11"
    shutil.copytree(NINGBO, src)
    report = src / "维修日报表.xlsx"
    header = [c.value for c in load_workbook(report).worksheets[0][1]]
    fee = f"{chr(65 + header.index('收费金额'))}2"
    _xlsxwriter_copy(report, tmp_path / "built.xlsx", formula_at=fee)
    shutil.move(tmp_path / "built.xlsx", report)
    before = validate_path(src, Period.parse("2026-11"))
    assert ("CE041", "维修日报表", fee) in {f.key() for f in before.findings}
    outcome = fix_path(src, tmp_path / "fixed", Period.parse("2026-11"))
    assert fee not in {c.cell for c in outcome.changes if c.sheet == "维修日报表"}
    after = validate_path(tmp_path / "fixed", Period.parse("2026-11"))
    assert [f.key() for f in after.findings if f.code in fixable_codes()] == [("CE041", "维修日报表", fee)]
    fixed = tmp_path / "fixed" / "维修日报表.xlsx"
    assert load_workbook(fixed).worksheets[0][fee].value == '="¥"&"120"'
    assert load_workbook(fixed).worksheets[0]["V2"].value == "=1+1"
    _check_package_kept(report, fixed)
    log = _calamine(fixed)[LOG]
    assert len(log) - 1 == len([c for c in outcome.changes if c.file == str(report)])


def test_the_codes_fixed_are_those_of_fixable_yaml(tmp_path, monkeypatch):
    """The list is data: with fixable.yaml naming only CE051, fix writes the aliases and nothing else."""
    from aftersales_cli.fix import plan

    only = tmp_path / "fixable.yaml"
    only.write_text("fixable_codes:\n  - CE051\n", "utf-8")
    monkeypatch.setattr(plan, "FIXABLE_FILE", only)
    plan.fixable_codes.cache_clear()
    try:
        src = tmp_path / "宁波市" / "2026-11"
        shutil.copytree(NINGBO, src)
        outcome = fix_path(src, tmp_path / "fixed", Period.parse("2026-11"))
        before = validate_path(src, Period.parse("2026-11"))
        assert {c.code for c in outcome.changes} == {"CE051"}
        assert len(outcome.changes) == len([f for f in before.findings if f.code == "CE051"])
    finally:
        plan.fixable_codes.cache_clear()


def test_a_single_file_is_fixed_alone(fixtures_dir, tmp_path):
    """PATH a workbook: only that file is written; its remaining findings are the original's less the fixed."""
    import json

    src = tmp_path / "clerk"
    shutil.copytree(fixtures_dir / "realworld" / "clerk-typing", src)
    proc = installed("fix", src / "维修日报表.xlsx", "-o", tmp_path / "one", "--period", "2026-11", "--format", "json")
    data = json.loads(proc.stdout.decode("utf-8"))
    assert proc.returncode == 0 and data["written"] == [str(tmp_path / "one" / "维修日报表.xlsx")]
    assert sorted(p.name for p in (tmp_path / "one").iterdir()) == ["维修日报表.xlsx"]
    assert {c["code"] for c in data["changes"]} >= {"CE021", "CE031", "CE041"}     # README of the fixture
    assert data["remaining"]["format"] == 0
