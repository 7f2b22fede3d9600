"""An .xlsx handed to python-calamine as `repack.package` writes it reads as the file itself does
(issue 16, session 6: python-calamine's second read of each sheet, for its merged ranges, stops at
once when the `mergeCells` element comes first).

- Every .xlsx/.xlsm of the shared fixtures, of sample_data and a few written here with merged
  ranges in the title, the header and the data: `open_workbook` gives the same sheets (cells,
  merged ranges, error cells, hidden flags) read through the package as read from the file. The
  expected side is python-calamine reading the file itself (`repack.WORTH_BYTES` above any size).
- `merge_cells_first` on hand-written sheet parts: the merged ranges python-calamine reports from
  the rewritten part are those written into it (by construction); the shapes it must not touch
  (a comment after the cells, "mergeCells" as a cell's text, a self-closed element) come back
  unchanged.
"""
from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
import python_calamine as pc
from shared_fixtures import fixture_dir
from xlsx_factory import inline_row, report_rows, valid_row, write_package, write_xlsx

from aftersales_cli.read import files, repack

ROOT = Path(__file__).resolve().parents[1]
NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def _packages(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.suffix.lower() in (".xlsx", ".xlsm")
                  and zipfile.is_zipfile(p))


def _read(path: Path, monkeypatch, repacked: bool):
    monkeypatch.setattr(repack, "WORTH_BYTES", 0 if repacked else 1 << 62)
    try:
        return files.open_workbook(path)
    except Exception as exc:  # noqa: BLE001 - a refused file must be refused the same way both times
        return f"{type(exc).__name__}: {exc}"


def _same_both_ways(path: Path, monkeypatch) -> None:
    plain = _read(path, monkeypatch, repacked=False)
    assert _read(path, monkeypatch, repacked=True) == plain, path


def test_every_shared_fixture_reads_the_same_through_the_package(monkeypatch):
    paths = _packages(fixture_dir())
    assert len(paths) >= 20, paths           # the realworld kinds, libreoffice, a whole city
    for path in paths:
        _same_both_ways(path, monkeypatch)


def test_sample_data_reads_the_same_through_the_package(monkeypatch):
    paths = _packages(ROOT / "sample_data")
    assert len(paths) >= 20                   # three cities' workbooks (a few datasets are CSV there)
    for path in paths:
        _same_both_ways(path, monkeypatch)


def test_merged_title_header_and_data_read_the_same(tmp_path, monkeypatch):
    rows = report_rows(valid_row("repair_report", 1), valid_row("repair_report", 2), valid_row("repair_report", 3))
    path = write_xlsx(tmp_path / "维修日报表.xlsx", {"维修日报表": rows, "说明": [["说明"], ["a", "b"]]},
                      merges={"维修日报表": ["B3:B4", "D3:E3"], "说明": ["A2:B2"]})
    _same_both_ways(path, monkeypatch)
    monkeypatch.setattr(repack, "WORTH_BYTES", 0)
    sheets = {s.name: s for s in files.open_workbook(path)}
    # written above: the title over the header's width (write_xlsx), B3:B4 and D3:E3
    assert ((2, 1), (3, 1)) in sheets["维修日报表"].merged
    assert ((2, 3), (2, 4)) in sheets["维修日报表"].merged
    assert any(start == (0, 0) for start, _ in sheets["维修日报表"].merged)
    assert sorted(sheets["说明"].merged) == [((0, 0), (0, 1)), ((1, 0), (1, 1))]     # the title's, A2:B2


def _sheet(body: str, tail: str = "", prefix: str = "") -> bytes:
    p = prefix + ":" if prefix else ""
    ns = f'xmlns:{prefix}="{NS}"' if prefix else f'xmlns="{NS}"'
    rows = body.replace("<row", f"<{p}row").replace("</row", f"</{p}row").replace("<c ", f"<{p}c ") \
        .replace("</c>", f"</{p}c>").replace("<is>", f"<{p}is>").replace("</is>", f"</{p}is>") \
        .replace("<t>", f"<{p}t>").replace("</t>", f"</{p}t>").replace("<v>", f"<{p}v>").replace("</v>", f"</{p}v>")
    return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<{p}worksheet {ns}>'
            f'<{p}dimension ref="A1:C6"/><{p}sheetData>{rows}</{p}sheetData>{tail}</{p}worksheet>').encode()


BODY = "".join(inline_row(r, ["标题" if r == 1 else f"r{r}", None, r * 10]) for r in range(1, 7))
MERGES = '<mergeCells count="2"><mergeCell ref="A1:C1"/><mergeCell ref="A5:A6"/></mergeCells>'
WRITTEN = [((0, 0), (0, 2)), ((4, 0), (5, 0))]         # A1:C1 and A5:A6, 0-based (row, column)


def _calamine(xml: bytes, tmp_path: Path) -> tuple[list, list]:
    path = write_package(tmp_path / "p.xlsx", xml, name="S")
    sheet = pc.CalamineWorkbook.from_path(str(path)).get_sheet_by_name("S")
    return sheet.to_python(skip_empty_area=False), sorted(sheet.merged_cell_ranges or [])


@pytest.mark.parametrize("prefix", ["", "x"])
def test_merge_cells_are_moved_before_the_cells(tmp_path, prefix):
    p = prefix + ":" if prefix else ""
    xml = _sheet(BODY, MERGES.replace("<m", f"<{p}m").replace("</m", f"</{p}m"), prefix)
    pieces = repack.merge_cells_first(xml)
    assert len(pieces) == 4 and bytes(pieces[1]).startswith(f"<{p}mergeCells ".encode())
    assert bytes(pieces[2]).startswith(f"<{p}sheetData>".encode())
    rows, merged = _calamine(b"".join(pieces), tmp_path)
    assert merged == WRITTEN
    assert (rows, merged) == _calamine(xml, tmp_path)
    assert rows[0][0] == "标题" and rows[5][2] == 60.0      # row 6, column C: 6 × 10


def test_a_sheet_without_merges_gets_an_empty_element_first(tmp_path):
    xml = _sheet(BODY)
    pieces = repack.merge_cells_first(xml)
    assert pieces[1] == b"<mergeCells></mergeCells>" and bytes(pieces[2]).startswith(b"<sheetData>")
    rows, merged = _calamine(b"".join(pieces), tmp_path)
    assert merged == [] and (rows, merged) == _calamine(xml, tmp_path)


@pytest.mark.parametrize("xml", [
    _sheet(BODY, "<!-- a comment after the cells -->" + MERGES),
    _sheet(BODY + inline_row(7, ["mergeCells"]), MERGES),          # the word as a cell's text
    _sheet(BODY, '<mergeCells count="0"/>'),                       # self-closed
    _sheet(BODY, "<extLst><![CDATA[a]]></extLst>" + MERGES),       # CDATA after the cells
], ids=["comment", "text-cell", "self-closed", "cdata"])
def test_other_shapes_are_handed_over_unchanged(xml):
    assert repack.merge_cells_first(xml) == [xml]


def test_package_holds_every_part_stored_and_empties_the_parts():
    xml = _sheet(BODY, MERGES)
    parts = {"xl/workbook.xml": b"<workbook/>", "xl/worksheets/sheet1.xml": xml}
    out = repack.package(parts, ["xl/worksheets/sheet1.xml"])
    assert parts == {} and isinstance(out, io.BytesIO) and out.tell() == 0
    with zipfile.ZipFile(out) as zf:
        assert [i.compress_type for i in zf.infolist()] == [zipfile.ZIP_STORED] * 2
        assert zf.read("xl/workbook.xml") == b"<workbook/>"
        assert zf.read("xl/worksheets/sheet1.xml") == b"".join(repack.merge_cells_first(xml))


# --- review s6: the package must not read what the file itself does not (nor the reverse) --------

def _refused_both_ways(path: Path, monkeypatch) -> None:
    plain = _read(path, monkeypatch, repacked=False)
    assert isinstance(plain, str) and "not a valid spreadsheet" in plain, plain   # the file is damaged
    assert _read(path, monkeypatch, repacked=True) == plain, path


@pytest.mark.parametrize("tail", [
    '<pageMargins left="0.7',                                       # cut off after the cells
    MERGES.replace("</mergeCells>", "") + '<pageMargins left="0.7',  # cut off inside the merged ranges' list
    '<autoFilter ref="A1:C6"/><pageMargins left="0.7',
], ids=["no-merges", "open-merges", "before-merges"])
def test_a_sheet_cut_off_after_its_cells_is_refused_both_ways(tmp_path, monkeypatch, tail):
    xml = _sheet(BODY).replace(b"</sheetData></worksheet>", b"</sheetData>" + tail.encode())
    assert repack.merge_cells_first(xml) == [xml]
    _refused_both_ways(write_package(tmp_path / "cut.xlsx", xml, name="S"), monkeypatch)


@pytest.mark.parametrize("merges", ["", MERGES], ids=["no-merges", "merges-after"])
def test_a_gbk_page_header_after_the_cells_is_refused_both_ways(tmp_path, monkeypatch, merges):
    header = "<headerFooter><oddHeader>杭州市</oddHeader></headerFooter>".encode("gbk")   # not UTF-8
    xml = _sheet(BODY).replace(b"</sheetData>", b"</sheetData>" + header + merges.encode())
    assert repack.merge_cells_first(xml) == [xml]
    _refused_both_ways(write_package(tmp_path / "gbk.xlsx", xml, name="S"), monkeypatch)


@pytest.mark.parametrize("method", [zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA], ids=["bzip2", "lzma"])
def test_members_compressed_as_python_calamine_cannot_read_are_refused_both_ways(tmp_path, monkeypatch, method):
    path = write_package(tmp_path / "packed.xlsx", _sheet(BODY, MERGES), name="S", compression=method)
    _refused_both_ways(path, monkeypatch)


def _one_sheet_package(path: Path, target: str, renamed: str, member: str) -> Path:
    """write_package's parts, the relationship target `target` renamed `renamed`, the sheet part
    (BODY, MERGES) stored under the member name `member`."""
    from xlsx_factory import CONTENT_TYPES, ROOT_RELS, WORKBOOK, WORKBOOK_RELS

    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", CONTENT_TYPES.format(extra=""))
        zf.writestr("_rels/.rels", ROOT_RELS)
        zf.writestr("xl/workbook.xml", WORKBOOK.format(name="S"))
        zf.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS.format(extra="").replace(target, renamed))
        zf.writestr(member, _sheet(BODY, MERGES))
    return path


@pytest.mark.parametrize("part", ["worksheets/sheet1.XML", "worksheets/sheet1", "worksheets/sheet1.dat",
                                  "worksheets/sheet1.bin", "worksheets/sheet1.vml", "media/sheet1.xml",
                                  "embeddings/sheet1.xml"])
def test_a_sheet_part_of_any_name_reads_the_same(tmp_path, monkeypatch, part):
    path = _one_sheet_package(tmp_path / "named.xlsx", "worksheets/sheet1.xml", part, "xl/" + part)
    _same_both_ways(path, monkeypatch)
    monkeypatch.setattr(repack, "WORTH_BYTES", 0)
    (sheet,) = files.open_workbook(path)
    assert sheet.rows[0][0] == "标题" and sorted(sheet.merged) == WRITTEN      # as written in BODY, MERGES


def test_a_utf8_part_name_without_the_zip_utf8_flag_reads_the_same(tmp_path, monkeypatch):
    # some zip writers store UTF-8 names without the flag (bit 11): Python's zipfile decodes them
    # as cp437, python-calamine as UTF-8; the file is read, so must the package be
    real = "工作表1.xml".encode()
    stand_in = "Q" * len(real)
    path = _one_sheet_package(tmp_path / "unflagged.xlsx", "sheet1.xml", "工作表1.xml", "xl/worksheets/" + stand_in)
    path.write_bytes(path.read_bytes().replace(stand_in.encode(), real))     # both headers, no flag
    with zipfile.ZipFile(path) as zf:
        assert not any(i.flag_bits & 0x800 for i in zf.infolist())
    _same_both_ways(path, monkeypatch)
    monkeypatch.setattr(repack, "WORTH_BYTES", 0)
    (sheet,) = files.open_workbook(path)
    assert sheet.rows[0][0] == "标题" and sorted(sheet.merged) == WRITTEN


def test_a_processing_instruction_naming_the_cells_is_handed_over_unchanged(tmp_path, monkeypatch):
    # "<sheetData" inside a processing instruction before the cells: moved there, the merged
    # range would be inside the instruction, and python-calamine would report none
    xml = _sheet(BODY, MERGES + "<?later ?>").replace(b"<dimension", b"<?note <sheetData?><dimension")
    assert repack.merge_cells_first(xml) == [xml]
    path = write_package(tmp_path / "pi.xlsx", xml, name="S")
    _same_both_ways(path, monkeypatch)
    monkeypatch.setattr(repack, "WORTH_BYTES", 0)
    assert sorted(files.open_workbook(path)[0].merged) == WRITTEN


@pytest.mark.parametrize("after", [
    b"\xff<sheetData/>",                 # a byte not UTF-8, then a second (empty) cells element
    b"</sheetData></sheetData>",         # end tags with no start: the last closes nothing
], ids=["second-cells-element", "stray-end-tag"])
def test_a_sheet_damaged_between_two_cells_tags_is_refused_both_ways(tmp_path, monkeypatch, after):
    xml = _sheet(BODY, MERGES).replace(b"</sheetData>", b"</sheetData>" + after)
    assert repack.merge_cells_first(xml) == [xml]
    _refused_both_ways(write_package(tmp_path / "twice.xlsx", xml, name="S"), monkeypatch)


def test_a_workbook_with_macros_pictures_and_printer_settings_is_still_repacked(tmp_path, monkeypatch):
    import xlsx_factory

    vba = ('<Relationship Id="rId9" Type="http://schemas.microsoft.com/office/2006/relationships/vbaProject" '
           'Target="vbaProject.bin"/>')
    monkeypatch.setattr(xlsx_factory, "WORKBOOK_RELS", xlsx_factory.WORKBOOK_RELS.replace("{extra}", vba + "{extra}"))
    path = write_package(tmp_path / "macros.xlsm", _sheet(BODY, MERGES), name="S", members={
        "xl/vbaProject.bin": b"\xd0\xcf\x11\xe0" + b"\0" * 60, "xl/media/image1.png": b"\x89PNG" + b"\0" * 60,
        "xl/printerSettings/printerSettings1.bin": b"\0" * 60, "docProps/thumbnail.jpeg": b"\xff\xd8" * 30})
    written = []
    monkeypatch.setattr(repack, "package", lambda parts, sheets, real=repack.package: written.append(1) or real(parts, sheets))
    _same_both_ways(path, monkeypatch)
    assert written == [1]                   # the repacked read of the two
