"""The shared fixtures written by other programs (LibreOffice .xlsx, legacy .xls, .ods, GBK CSV).

They are read in place from ../shared/fixtures beside the repository (never copied into it), found by
the `fixtures_dir` fixture (tests/shared_fixtures.py).
"""
from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from aftersales_cli.cli import app
from shared_fixtures import fixture_dir

DATE_COLUMNS = {"A", "P", "R"}          # 服务日期, 完工日期, 填报日期 in the fixture's layout


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def run_validate(folder: Path) -> tuple[int, dict]:
    result = CliRunner().invoke(app, ["validate", str(folder), "--format", "json"])
    assert "Traceback" not in result.stdout + result.stderr
    return result.exit_code, json.loads(result.stdout)


@pytest.mark.parametrize(("folder", "file", "header_row", "skipped"), [
    pytest.param("libreoffice", "维修日报表.xlsx", 3, [("RD005", 28, "合计"), ("RD006", 29, "制表人: 张三")],
                 id="libreoffice-xlsx"),
    pytest.param("legacy-xls", "维修日报表.xls", 3, [("RD005", 28, "合计"), ("RD006", 29, "制表人: 张三")],
                 id="legacy-xls"),
    pytest.param("ods", "维修日报表.ods", 3, [("RD005", 28, "合计"), ("RD006", 29, "制表人: 张三")], id="ods"),
    # the CSV holds the same 24 orders under a header on row 1, without the title, totals or sign-off
    pytest.param("csv-gbk", "维修日报表.csv", 1, [], id="csv-gbk"),
])
def test_fixture_validates(folder, file, header_row, skipped, fixtures_dir):
    path = fixtures_dir / folder / file
    before = sha256(path)

    code, doc = run_validate(fixtures_dir / folder)

    assert code == 0
    assert doc["period"] == "2026-10"
    report = doc["datasets"]["repair_report"]
    assert (Path(report["file"]).name, report["sheet"], report["header_row"], report["rows"]) == \
        (file, "维修日报表", header_row, 24)
    found = doc["findings"]
    assert [f for f in found if f["severity"] == "error"] == []
    assert [(f["code"], f["row"], f["value"]) for f in found if f["code"] in ("RD005", "RD006")] == skipped
    assert all(f["severity"] == "info" for f in found if f["code"] in ("RD005", "RD006"))
    assert doc["summary"]["error"] == 0
    assert sha256(path) == before


@pytest.mark.parametrize("folder", ["libreoffice", "legacy-xls", "ods"])
def test_spreadsheet_fixtures_have_no_cell_findings(folder, fixtures_dir):
    """Real date and number cells: every value is standard, nothing to say about any cell."""
    _, doc = run_validate(fixtures_dir / folder)
    assert [f for f in doc["findings"] if f["code"].startswith("CE")] == []
    assert doc["summary"]["format"] == 0


def test_csv_text_dates_are_format_findings_on_date_columns(fixtures_dir):
    """In a CSV every cell is text; 2026/10/03 is understood but not YYYY-MM-DD: a `format` finding."""
    _, doc = run_validate(fixtures_dir / "csv-gbk")
    formats = [f for f in doc["findings"] if f["severity"] == "format"]

    assert {f["code"] for f in formats} == {"CE021"}
    assert {f["column"] for f in formats} == DATE_COLUMNS
    assert {f["header"] for f in formats} == {"服务日期", "完工日期", "填报日期"}
    assert sorted({f["row"] for f in formats}) == list(range(2, 26))      # every data row, as Excel counts
    assert len(formats) == 24 * 3
    first = next(f for f in formats if f["cell"] == "A2")
    assert first["value"] == "2026/10/01"
    assert "2026-10-01" in first["message"]


def test_a_missing_fixture_folder_fails_under_ci(tmp_path, monkeypatch):
    """Under CI=true a missing folder is a failure; elsewhere a skip (the folder is built missing)."""
    missing = tmp_path / "no-such-folder"
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="shared fixtures folder not found"):
        fixture_dir(missing)
    monkeypatch.setenv("CI", "false")
    with pytest.raises(pytest.skip.Exception):
        fixture_dir(missing)
    assert fixture_dir(tmp_path) == tmp_path
