"""realworld.md "What a file is": the tool's own outputs carry a marker and are not read back as data.

Every workbook the tool writes (annotated copy, score sheet, batch summary) carries the custom
document property `aftersales-cli`, read here from docProps/custom.xml with zipfile (not with the
reader under test). Met among the inputs, a marked workbook is skipped (RD017, info) when unmarked
files supply its datasets, else read with a warning (RD018).
"""
from __future__ import annotations

import json
import re
import shutil
import zipfile
from pathlib import Path

from citykit import cli, edit

PROPERTY = re.compile(r'<property[^>]*name="aftersales-cli"[^>]*>\s*<vt:lpwstr>([^<]+)</vt:lpwstr>')


def marker(path: Path) -> str | None:
    with zipfile.ZipFile(path) as zf:
        if "docProps/custom.xml" not in zf.namelist():
            return None
        m = PROPERTY.search(zf.read("docProps/custom.xml").decode())
    return m.group(1) if m else None


def validate(path: Path) -> dict:
    run = cli("validate", str(path), "--format", "json")
    assert run.code in (0, 1), run.stdout + run.stderr
    return json.loads(run.stdout)


def phone_rows(city: Path) -> tuple[int, str]:
    with edit(city, "repair_report") as t:
        row = t.rows[0]
        good = t.get(row, "联系电话")
        t.set(row, "联系电话", "123")       # a wrong phone: CE062 on that cell
    return row, good


def test_every_workbook_writer_marks_its_output(city, tmp_path):
    annotated, sheet, out = tmp_path / "标注.xlsx", tmp_path / "评分表.xlsx", tmp_path / "batch"
    assert cli("validate", str(city), "--annotate", str(annotated)).code in (0, 1)
    assert cli("score", str(city), "--xlsx", str(sheet)).code == 0
    assert cli("batch", str(city.parent.parent), "--out", str(out), "--jobs", "1").code in (0, 1)
    assert (marker(annotated), marker(sheet), marker(out / "汇总.xlsx")) == ("annotated", "scorecard", "summary")
    assert {marker(p) for p in city.iterdir()} == {None}          # the inputs (made by `sample`) are not


def test_an_annotated_copy_beside_fixed_originals_is_skipped(city):
    row, good = phone_rows(city)
    copy = city / "标注.xlsx"
    assert cli("validate", str(city), "--annotate", str(copy)).code == 1
    with edit(city, "repair_report") as t:              # the clerk fixes the original
        t.set(row, "联系电话", good)

    doc = validate(city)
    assert [f for f in doc["findings"] if f["code"] in ("CE062", "CE060", "RD008")] == []
    assert all(Path(d["file"]).name != "标注.xlsx" for d in doc["datasets"].values())
    skipped = [(f["code"], f["severity"], Path(f["file"]).name) for f in doc["findings"]
               if f["code"] in ("RD017", "RD018")]
    assert skipped == [("RD017", "info", "标注.xlsx")]


def test_an_annotated_copy_alone_is_read_with_a_warning(city, tmp_path):
    copy = tmp_path / "标注.xlsx"
    assert cli("validate-report", str(city / "维修日报表.xlsx"), "--annotate", str(copy)).code in (0, 1)
    alone = tmp_path / "only"
    alone.mkdir()
    shutil.copy(copy, alone / "标注.xlsx")

    doc = validate(alone)
    assert Path(doc["datasets"]["repair_report"]["file"]).name == "标注.xlsx"
    assert doc["datasets"]["repair_report"]["rows"] == 60
    read = [(f["code"], f["severity"]) for f in doc["findings"] if f["code"] in ("RD017", "RD018")]
    assert read == [("RD018", "warning")]


def test_the_marker_survives_another_program_rewriting_the_properties():
    """LibreOffice re-saves docProps/custom.xml with the attributes in another order and other prefixes
    (this text is what LibreOffice 7 wrote for an annotated copy opened and saved as .xlsx)."""
    from aftersales_cli.read.marker import read_marker

    libreoffice = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Properties xmlns="http://schemas.'
                   b'openxmlformats.org/officeDocument/2006/custom-properties" xmlns:vt="http://schemas.openxml'
                   b'formats.org/officeDocument/2006/docPropsVTypes"><property fmtid="{D5CDD505-2E9C-101B-9397-'
                   b'08002B2CF9AE}" pid="2" name="aftersales-cli"><vt:lpwstr>annotated</vt:lpwstr></property>'
                   b'</Properties>')
    assert read_marker(libreoffice) == "annotated"
    assert read_marker(libreoffice.replace(b"vt:", b"p:")) == "annotated"
    assert read_marker(libreoffice.replace(b"aftersales-cli", b"other-tool")) is None
    assert read_marker(None) is None


def test_a_score_sheet_and_a_summary_in_the_submission_folder_are_named(city, tmp_path):
    """A score sheet (`score --xlsx`) and a batch 汇总.xlsx saved into the month folder hold no dataset
    of their own: each is one RD017 (info) naming it — never skipped without a word (realworld.md "What
    a file is"; README: a marked workbook gets RD017 or RD018 once) — and the datasets stay the originals'."""
    before = validate(city)
    assert cli("score", str(city), "--xlsx", str(city / "评分表.xlsx")).code == 0
    out = tmp_path / "batch"
    assert cli("batch", str(city.parent.parent), "--out", str(out), "--jobs", "1").code in (0, 1)
    shutil.copy(out / "汇总.xlsx", city / "汇总.xlsx")

    doc = validate(city)
    named = sorted((f["code"], f["severity"], Path(f["file"]).name) for f in doc["findings"]
                   if f["code"] in ("RD013", "RD017", "RD018"))
    assert named == [("RD017", "info", "汇总.xlsx"), ("RD017", "info", "评分表.xlsx")]
    assert doc["datasets"] == before["datasets"]
