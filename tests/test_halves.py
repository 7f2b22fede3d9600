"""A large .xlsx sheet read in two halves at once (`repack.halves`, `files._Half`; issue 16, session
13) gives the sheets reading it whole gives: the same cells, merged ranges, error cells and hidden
flags, and the same refusals.

The expected side is always python-calamine reading the file whole (`repack.SPLIT_BYTES` above any
size); the other side cuts every sheet it can (`SPLIT_BYTES` 0, `open_workbook(split=True)`), and a
spy counts the reads that really were cut, so that no test passes by never cutting. Besides every
.xlsx of the shared fixtures and of sample_data, sheets written here put at the cut what the halves
must survive — blank rows, a wider second half, a second half that starts right of column A,
merged ranges on both sides, a formula without a cached value, a prefix — and what they must give
up on (rows out of order, a comment or a CDATA section holding a row start tag at the cut): the
whole file is then read instead, and the values are checked against the rows written.
"""
from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest
from shared_fixtures import fixture_dir
from xlsx_factory import inline_row, write_package

from aftersales_cli import pipeline
from aftersales_cli.read import files, repack
from aftersales_cli.run import build_run

ROOT = Path(__file__).resolve().parents[1]
NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


@pytest.fixture
def cuts(monkeypatch) -> list[str]:
    """The sheet parts actually cut in two (`repack.halves` gave two packages)."""
    got: list[str] = []
    real = repack.halves

    def spy(parts, sheets, big, until):
        two = real(parts, sheets, big, until)
        if two is not None:
            got.append(big)
        return two

    monkeypatch.setattr(repack, "halves", spy)
    return got


def _read(path: Path, monkeypatch, halves: bool):
    monkeypatch.setattr(repack, "WORTH_BYTES", 0)
    monkeypatch.setattr(repack, "SPLIT_BYTES", 0 if halves else 1 << 62)
    try:
        return files.open_workbook(path, split=True)
    except Exception as exc:  # noqa: BLE001 - a refused file must be refused the same way both times
        return f"{type(exc).__name__}: {exc}"


def _same_both_ways(path: Path, monkeypatch):
    whole = _read(path, monkeypatch, halves=False)
    assert _read(path, monkeypatch, halves=True) == whole, path
    return whole


def _packages(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.suffix.lower() in (".xlsx", ".xlsm")
                  and zipfile.is_zipfile(p))


def test_every_shared_fixture_reads_the_same_in_halves(monkeypatch, cuts):
    paths = _packages(fixture_dir())
    assert len(paths) >= 20, paths
    for path in paths:
        _same_both_ways(path, monkeypatch)
    assert len(cuts) >= 15, cuts            # most of them have a sheet with rows to cut


def test_sample_data_reads_the_same_in_halves(monkeypatch, cuts):
    paths = _packages(ROOT / "sample_data")
    assert len(paths) >= 20
    for path in paths:
        _same_both_ways(path, monkeypatch)
    assert len(cuts) >= 20, cuts


def _sheet(rows: str, tail: str = "", prefix: str = "") -> bytes:
    p = prefix + ":" if prefix else ""
    ns = f'xmlns:{prefix}="{NS}"' if prefix else f'xmlns="{NS}"'
    if prefix:
        for tag in ("row", "c", "is", "t", "v", "f"):
            rows = rows.replace(f"<{tag} ", f"<{p}{tag} ").replace(f"<{tag}>", f"<{p}{tag}>") \
                .replace(f"</{tag}>", f"</{p}{tag}>")
    return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<{p}worksheet {ns}>'
            f'<{p}dimension ref="A1:F40"/><{p}sheetData>{rows}</{p}sheetData>{tail}</{p}worksheet>').encode()


def _rows(numbers, width: int = 3, first: int = 0) -> str:
    """Rows numbered `numbers`, each with `width` cells from column `first` (0: A): r{n}c{j} text
    and n * 10 in the last one."""
    return "".join(inline_row(n, [None] * first + [f"r{n}c{j}" for j in range(width - 1)] + [n * 10])
                   for n in numbers)


def _one(tmp_path: Path, xml: bytes, monkeypatch, cuts, cut: bool):
    path = write_package(tmp_path / "s.xlsx", xml, name="S")
    whole = _same_both_ways(path, monkeypatch)
    assert bool(cuts) is cut, cuts
    assert not isinstance(whole, str), whole
    (sheet,) = whole
    return sheet


def test_blank_rows_a_wider_half_and_a_half_right_of_column_a(tmp_path, monkeypatch, cuts):
    # rows 1-10 three cells wide from A; rows 11-40 written blank (styled, no value), the middle of
    # the rows' bytes, so the cut falls among them; rows 41-50 five cells wide from column B: the
    # second half is wider, starts right of A and below blank rows
    blank = "".join(f'<row r="{n}"><c r="A{n}" s="1"/></row>' for n in range(11, 41))
    sheet = _one(tmp_path, _sheet(_rows(range(1, 11)) + blank + _rows(range(41, 51), width=5, first=1)),
                 monkeypatch, cuts, cut=True)
    rows = sheet.rows
    assert len(rows) == 50 and {len(r) for r in rows} == {6}      # B…F is the widest: A…F
    assert rows[0] == ["r1c0", "r1c1", 10.0, "", "", ""]
    assert rows[10:40] == [[""] * 6] * 30                          # rows 11-40: blank
    assert rows[49] == ["", "r50c0", "r50c1", "r50c2", "r50c3", 500.0]


def test_merged_ranges_on_both_sides_of_the_cut(tmp_path, monkeypatch, cuts):
    merges = '<mergeCells count="2"><mergeCell ref="A1:C1"/><mergeCell ref="A29:B30"/></mergeCells>'
    sheet = _one(tmp_path, _sheet(_rows(range(1, 31)), merges), monkeypatch, cuts, cut=True)
    assert sorted(sheet.merged) == [((0, 0), (0, 2)), ((28, 0), (29, 1))]


def test_a_formula_without_a_cached_value_in_the_second_half(tmp_path, monkeypatch, cuts):
    rows = _rows(range(1, 30)) + '<row r="30"><c r="A30"><v>1</v></c></row><row r="33"><c r="C33"><f>A1+1</f></c></row>'
    sheet = _one(tmp_path, _sheet(rows), monkeypatch, cuts, cut=True)
    assert sheet.bad_cells == {(32, 2): ("formula", "=A1+1")}
    assert len(sheet.rows) == 33                      # kept down to the row holding only the formula


def test_a_prefixed_sheet(tmp_path, monkeypatch, cuts):
    sheet = _one(tmp_path, _sheet(_rows(range(1, 31)), prefix="x"), monkeypatch, cuts, cut=True)
    assert sheet.rows[29] == ["r30c0", "r30c1", 300.0] and len(sheet.rows) == 30


def test_rows_out_of_order_are_read_whole(tmp_path, monkeypatch, cuts):
    # rows 1-3, 20-29, 4-19, then 30: the second half starts above the first half's last row, so
    # the halves do not follow each other and the file is read whole
    sheet = _one(tmp_path, _sheet(_rows([1, 2, 3, *range(20, 30), *range(4, 20), 30])), monkeypatch, cuts, cut=True)
    assert [r[2] for r in sheet.rows] == [n * 10.0 for n in range(1, 31)]


@pytest.mark.parametrize("trap", [
    '<!-- {row} -->',
    '<row r="{n}"><c r="A{n}" t="inlineStr"><is><t><![CDATA[{row}]]></t></is></c></row>',
], ids=["comment", "cdata"])
def test_a_row_start_tag_inside_markup_at_the_cut_reads_whole(tmp_path, monkeypatch, cuts, trap):
    # the markup fills the middle of the rows, so the first row start tag from the middle is the
    # one inside it: the first half is then not well-formed, and the file is read whole
    fake = '<row r="16"><c r="A16" t="inlineStr"><is><t>fake</t></is></c></row>' * 40
    middle = trap.format(row=fake, n=16)
    rows = _rows(range(1, 16)) + middle + _rows(range(17, 31))
    sheet = _one(tmp_path, _sheet(rows), monkeypatch, cuts, cut=True)
    assert len(sheet.rows) == 30 and sheet.rows[29][2] == 300.0
    assert all("fake" not in str(r) for r in sheet.rows[:15] + sheet.rows[16:])


def test_a_sheet_with_no_row_to_cut_at_is_read_whole(tmp_path, monkeypatch, cuts):
    # one row: the last row holding a value is the first, so there is nothing before it to cut
    sheet = _one(tmp_path, _sheet(_rows([1])), monkeypatch, cuts, cut=False)
    assert sheet.rows == [["r1c0", "r1c1", 10.0]]


@pytest.mark.parametrize("family", ["all", "report"])
def test_findings_are_the_same_with_the_report_read_in_halves(family, monkeypatch, cuts):
    """A whole month (sample_data): its findings with every sheet read whole (one thread) and with
    the largest file's sheets cut (two threads, `SPLIT_BYTES` 0)."""
    month = next(p for p in sorted((ROOT / "sample_data").rglob("*")) if p.is_dir() and p.name[:4].isdigit()
                 and any(p.glob("*.xlsx")))
    results = []
    for threads in (1, 2):
        monkeypatch.setattr(repack, "SPLIT_BYTES", 0 if threads == 2 else 1 << 62)
        result = pipeline.validate_path(month, family=pipeline.FAMILIES[family],
                                        run=build_run(lang="zh", read_threads=threads))
        results.append(json.dumps(result.to_dict("zh"), ensure_ascii=False))
    assert cuts, "the largest file of the month was cut"
    assert results[1] == results[0]


def test_plain_until_is_the_last_row_holding_a_value_of_a_plain_sheet():
    from aftersales_cli.read.guard import sheet_extent

    rows = _rows(range(1, 6)) + '<row r="6"><c r="A6" s="1"/></row>'
    xml = _sheet(rows)
    assert sheet_extent(xml) == (5, 0, xml.index(b'<row r="5"'))          # row 6 holds no value
    # a cell without its reference, a cell from column AA on: not one pass, so no cut
    assert sheet_extent(_sheet(rows.replace('<c r="B2"', "<c"))).plain_until == -1
    assert sheet_extent(_sheet(rows.replace('r="C3"', 'r="AA3"'))).plain_until == -1


def test_two_sheets_of_one_name_read_as_the_whole_file_reads_them(tmp_path, monkeypatch, cuts):
    """A workbook naming two sheets "S" (Excel refuses it; a program can write it): python-calamine
    gives the first sheet of that name for both. Read in halves, each keeps rows of its own, as
    the whole read gives them (a later in-place change to one, such as a merged range filled in,
    must not reach the other)."""
    import xlsx_factory

    two = xlsx_factory.WORKBOOK.replace('<sheet name="{name}" sheetId="1" r:id="rId1"/>',
                                        '<sheet name="{name}" sheetId="1" r:id="rId1"/><sheet name="{name}" sheetId="2" r:id="rId2"/>')
    rel2 = ('<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
            'worksheet" Target="worksheets/sheet2.xml"/>')
    monkeypatch.setattr(xlsx_factory, "WORKBOOK", two)
    monkeypatch.setattr(xlsx_factory, "WORKBOOK_RELS", xlsx_factory.WORKBOOK_RELS.replace("{extra}", rel2 + "{extra}"))
    path = write_package(tmp_path / "twice.xlsx", _sheet(_rows(range(1, 31))), name="S",
                         members={"xl/worksheets/sheet2.xml": _sheet(_rows([1]))})
    whole = _same_both_ways(path, monkeypatch)
    assert cuts
    assert not isinstance(whole, str), whole
    assert [len(s.rows) for s in whole] == [30, 30]
    halves = _read(path, monkeypatch, halves=True)
    assert all(a is not b for a, b in zip(halves[0].rows, halves[1].rows))


def test_a_part_two_sheets_share_is_read_whole(tmp_path, monkeypatch, cuts):
    """Two sheet names whose relationships name one part (found by a fresh user, session 13): each
    reads the whole part, so the part is not cut (a cut would give the second name the first
    half's rows only)."""
    import xlsx_factory

    two = xlsx_factory.WORKBOOK.replace('<sheet name="{name}" sheetId="1" r:id="rId1"/>',
                                        '<sheet name="副本" sheetId="1" r:id="rId9"/><sheet name="{name}" sheetId="2" r:id="rId1"/>')
    rel9 = ('<Relationship Id="rId9" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
            'worksheet" Target="worksheets/sheet1.xml"/>')
    monkeypatch.setattr(xlsx_factory, "WORKBOOK", two)
    monkeypatch.setattr(xlsx_factory, "WORKBOOK_RELS", xlsx_factory.WORKBOOK_RELS.replace("{extra}", rel9 + "{extra}"))
    path = write_package(tmp_path / "shared.xlsx", _sheet(_rows(range(1, 31))), name="S")
    whole = _same_both_ways(path, monkeypatch)
    assert not isinstance(whole, str), whole
    assert [(s.name, len(s.rows), s.rows[29][2]) for s in whole] == [("副本", 30, 300.0), ("S", 30, 300.0)]
    assert cuts == []
