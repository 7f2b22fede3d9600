"""Damaged packages that Python's zipfile or XML parser stop on in a way of their own are refused
like any other damaged file (quality.md "Nothing crashes"; realworld.md: a file that cannot be read
is named with what is wrong, and a neighbour of a given file that cannot be read is skipped):

- a zip whose directory asks for a version zipfile cannot read (NotImplementedError "zip file
  version 9.9"), found by a fresh user among 3,000 mutated workbooks (issue 16, session 12);
- an .ods whose content.xml is not well-formed where the scan for merged and error cells reads it
  (ParseError).

Both used to end as "内部错误" (an internal error) naming the wrong cause, and the first one stopped
`validate-report` on the report beside it.
"""
from __future__ import annotations

import struct
import zipfile
from pathlib import Path

import pytest
from xlsx_factory import report_rows, valid_row, write_xlsx

from aftersales_cli import pipeline
from aftersales_cli.errors import AftersalesError
from aftersales_cli.read import files
from aftersales_cli.run import build_run


def _version_99(src: Path, dst: Path) -> Path:
    """`src` with its first central directory entry asking for zip version 9.9 to extract."""
    data = bytearray(src.read_bytes())
    at = data.find(b"PK\x01\x02")
    data[at + 6:at + 8] = struct.pack("<H", 99)          # "version needed to extract" (APPNOTE 4.3.12)
    dst.write_bytes(bytes(data))
    return dst


def _broken_ods(path: Path) -> Path:
    manifest = ('<?xml version="1.0"?><manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:'
                'manifest:1.0"><manifest:file-entry manifest:full-path="/" manifest:media-type="application/'
                'vnd.oasis.opendocument.spreadsheet"/><manifest:file-entry manifest:full-path="content.xml" '
                'manifest:media-type="text/xml"/></manifest:manifest>')
    content = ("<office:document-content xmlns:office='urn:oasis:names:tc:opendocument:xmlns:office:1.0' "
               "xmlns:table='urn:oasis:names:tc:opendocument:xmlns:table:1.0'><office:body>"
               "<table:table-cell table:formula='of:=1'></b></office:body></office:document-content>")  # </b>: mismatched
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        zf.writestr("META-INF/manifest.xml", manifest)
        zf.writestr("content.xml", content)
    return path


@pytest.fixture
def month(tmp_path) -> Path:
    folder = tmp_path / "2026-11"
    folder.mkdir()
    write_xlsx(folder / "维修日报表.xlsx", {"维修日报表": report_rows(valid_row("repair_report", 1),
                                                                 valid_row("repair_report", 2))})
    return folder


def test_a_zip_of_a_version_zipfile_cannot_read_is_not_a_spreadsheet(month, tmp_path):
    path = _version_99(month / "维修日报表.xlsx", tmp_path / "版本.xlsx")
    with pytest.raises(AftersalesError) as caught:
        files.open_workbook(path)
    assert caught.value.key == "err.not_spreadsheet"
    assert "zip file version 9.9" in caught.value.message("en")


def test_an_ods_whose_content_is_not_well_formed_is_not_a_spreadsheet(tmp_path):
    with pytest.raises(AftersalesError) as caught:
        files.open_workbook(_broken_ods(tmp_path / "坏.ods"))
    assert caught.value.key == "err.not_spreadsheet"
    assert "mismatched tag" in caught.value.message("en")


@pytest.mark.parametrize("make", [
    lambda month, tmp: _version_99(month / "维修日报表.xlsx", month / "zz版本.xlsx"),
    lambda month, tmp: _broken_ods(month / "zz坏.ods"),
], ids=["zip-version", "ods-content"])
def test_such_a_neighbour_of_a_given_file_is_skipped_like_a_text_file(month, tmp_path, make):
    """The report validated beside the damaged file gives what it gives beside a text file of the
    same name (a neighbour that cannot be read, skipped since realworld.md's first issue)."""
    report = month / "维修日报表.xlsx"
    damaged = make(month, tmp_path)
    got = pipeline.validate_path(report, family=pipeline.FAMILIES["report"], run=build_run(lang="zh")).to_dict("zh")
    damaged.write_text("不是工作簿\n", encoding="utf-8")
    text = pipeline.validate_path(report, family=pipeline.FAMILIES["report"], run=build_run(lang="zh")).to_dict("zh")
    assert got["summary"] == text["summary"]
    assert [f["code"] for f in got["findings"]] == [f["code"] for f in text["findings"]]
