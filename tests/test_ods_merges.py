"""Merged cells in an .ods data area are filled forward (calamine does not report ODS merges)."""
from __future__ import annotations

import zipfile
from pathlib import Path

from aftersales_cli.formats import load_formats
from aftersales_cli.read import read_submission

NS = ('xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
      'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
      'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"')
MANIFEST = ('<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
            'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
            '<manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
            '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
            '</manifest:manifest>')


def _cell(value: str, rows: int = 1) -> str:
    span = f' table:number-rows-spanned="{rows}" table:number-columns-spanned="1"' if rows > 1 else ""
    return f'<table:table-cell office:value-type="string"{span}><text:p>{value}</text:p></table:table-cell>'


def write_ods(path: Path, rows: list[list[str]], spans: dict[tuple[int, int], int]) -> None:
    body = []
    covered: set[tuple[int, int]] = set()
    for (r, c), n in spans.items():
        covered |= {(r + k, c) for k in range(1, n)}
    for r, row in enumerate(rows):
        cells = []
        for c, value in enumerate(row):
            if (r, c) in covered:
                cells.append("<table:covered-table-cell/>")
            else:
                cells.append(_cell(value, spans.get((r, c), 1)))
        body.append("<table:table-row>" + "".join(cells) + "</table:table-row>")
    content = (f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {NS} office:version="1.2">'
               '<office:body><office:spreadsheet><table:table table:name="技师档案">'
               + "".join(body) + "</table:table></office:spreadsheet></office:body></office:document-content>")
    with zipfile.ZipFile(path, "w") as z:
        z.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet")
        z.writestr("META-INF/manifest.xml", MANIFEST)
        z.writestr("content.xml", content, compress_type=zipfile.ZIP_DEFLATED)


def test_ods_vertical_merge_in_data_is_filled_forward(tmp_path):
    headers = [c.header for c in load_formats()["roster"].columns]
    unit = headers.index("所属单位")
    row = ["T001", "王建国", "男", "11010519491231002X", "13812345678", "自有", "杭州服务中心", "中级",
           "2020-01-01", "", "在职", "2026-11-20"]
    second = list(row)
    second[0], second[1], second[3], second[4] = "T002", "李明", "360426199101010071", "13812345679"
    second[unit] = ""                                     # covered by the merge above
    path = tmp_path / "技师档案.ods"
    write_ods(path, [headers, row, second], {(1, unit): 2})
    sub = read_submission(path)
    units = list(sub.datasets["roster"].raw["unit"])
    assert units == ["杭州服务中心", "杭州服务中心"]
