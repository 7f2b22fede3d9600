"""The guard reads a package from the file's bytes read once (files.read_whole): each member is
inflated in one zlib call, and anything out of the ordinary goes back to zipfile's reader, so a
damaged or hostile package is refused exactly as when it is read from disk member by member.
"""
from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from xlsx_factory import write_bomb

from aftersales_cli.errors import AftersalesError
from aftersales_cli.read import guard
from aftersales_cli.read.files import read_whole

LIMITS = guard.Limits()
EVERYTHING = lambda name: True  # noqa: E731

# members as written: deflated and stored, an ASCII and a UTF-8 name, an empty member
MEMBERS = {"xl/workbook.xml": b"<workbook>" + b"<sheet/>" * 500 + b"</workbook>",
           "xl/worksheets/sheet1.xml": "<worksheet>维修日报表 工单号</worksheet>".encode() * 300,
           "docProps/说明.xml": "<x>说明</x>".encode(),
           "empty.xml": b""}


def write(path: Path, method: int) -> Path:
    with zipfile.ZipFile(path, "w", method) as zf:
        for name, data in MEMBERS.items():
            zf.writestr(name, data)
    return path


@pytest.mark.parametrize("method", [zipfile.ZIP_DEFLATED, zipfile.ZIP_STORED], ids=["deflated", "stored"])
def test_members_from_the_whole_file_are_the_bytes_written(tmp_path, method, monkeypatch):
    path = write(tmp_path / "p.xlsx", method)
    whole = read_whole(path)

    def no_member_reader(*args, **kwargs):
        raise AssertionError("an ordinary member is inflated from the bytes, not by zipfile's reader")
    monkeypatch.setattr(zipfile.ZipFile, "open", no_member_reader)
    assert guard.check_package(path, LIMITS, EVERYTHING, whole).members == MEMBERS


def refusal(path: Path, whole: bytes | None) -> tuple[str, dict]:
    with pytest.raises(AftersalesError) as caught:
        guard.check_package(path, LIMITS, EVERYTHING, whole)
    return caught.value.key, caught.value.params


def test_a_wrong_crc_is_refused_as_when_read_from_disk(tmp_path):
    path = write(tmp_path / "p.xlsx", zipfile.ZIP_STORED)
    data = bytearray(path.read_bytes())
    at = bytes(data).index(b"<x>")                 # the stored text of docProps/说明.xml
    data[at + 1] ^= 0x01                           # one bit: its CRC no longer matches
    path.write_bytes(bytes(data))
    key, params = refusal(path, bytes(data))
    assert key == "err.not_spreadsheet" and "CRC" in params["detail"]["en"]
    assert (key, params) == refusal(path, None)


def test_a_directory_that_understates_a_size_is_refused_as_when_read_from_disk(tmp_path):
    """The central directory says the workbook part is one byte shorter than it inflates to."""
    path = write(tmp_path / "p.xlsx", zipfile.ZIP_DEFLATED)
    data = bytearray(path.read_bytes())
    size = len(MEMBERS["xl/workbook.xml"])
    central = bytes(data).index(b"PK\x01\x02")     # the first directory entry: xl/workbook.xml
    assert int.from_bytes(data[central + 24:central + 28], "little") == size
    data[central + 24:central + 28] = (size - 1).to_bytes(4, "little")
    path.write_bytes(bytes(data))
    assert refusal(path, bytes(data)) == refusal(path, None)


def test_a_zip_bomb_is_refused_from_the_whole_file_too(tmp_path):
    path = write_bomb(tmp_path / "bomb.xlsx", inflated_mb=60)     # 60 MB of sheet XML, ~1000:1
    key, _ = refusal(path, read_whole(path))
    assert key == "err.zip_bomb_ratio"


def test_a_large_file_is_not_read_whole(tmp_path, monkeypatch):
    path = write(tmp_path / "p.xlsx", zipfile.ZIP_DEFLATED)
    monkeypatch.setattr("aftersales_cli.read.files.WHOLE_BYTES", path.stat().st_size - 1)
    assert read_whole(path) is None
    assert guard.check_package(path, LIMITS, EVERYTHING, None).members == MEMBERS


def test_a_workbook_s_zip_directory_is_read_once(tmp_path, monkeypatch):
    """The sniff and the guard share one reading of the package's directory (guard.open_package):
    a workbook read through `open_workbook` has its directory parsed once, and reads as written."""
    from xlsx_factory import report_rows, write_xlsx

    from aftersales_cli.read.files import open_workbook

    path = write_xlsx(tmp_path / "维修日报表.xlsx", {"维修日报表": report_rows([1], [2])})
    readings = []
    real = zipfile.ZipFile._RealGetContents

    def counted(self):
        readings.append(self)
        return real(self)
    monkeypatch.setattr(zipfile.ZipFile, "_RealGetContents", counted)
    sheets = open_workbook(path, LIMITS)
    assert len(readings) == 1
    assert [s.name for s in sheets] == ["维修日报表"]
