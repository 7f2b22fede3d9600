"""The written score sheet (`score --xlsx`) and its 整改清单 in English: no label is cut.

Built from the bundled 宁波市 (it loses points, so the fix list has rows). Read back with openpyxl
(an independent reader), each check counts a text's width the way a spreadsheet lays it out: a
CJK character takes two character widths, any other one; a column of width w shows about w of
them on a line (Excel's CJK fonts on Windows are two widths wide; LibreOffice's a little less), and
a wrapped line of 11-pt bold text needs at least 14 pt of row height.

- A column head of the fix list (row 2 of 整改清单): a Latin word wider than its column is broken
  inside the word by LibreOffice ("Criteri" over "on", "aftersale" over "s fix").
- A subtotal label ("服务基础建设 subtotal") wider than its column wraps; its row must be tall
  enough for every line, or the label is clipped at the top and bottom.
"""
from __future__ import annotations

import math
import re
import unicodedata
from pathlib import Path

import openpyxl
from openpyxl.utils import get_column_letter

from citykit import cli

SAMPLE = Path(__file__).resolve().parents[1] / "sample_data" / "宁波市"


def units(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _sheet(tmp_path: Path, lang: str):
    assert SAMPLE.is_dir()
    out = tmp_path / f"评分表-{lang}.xlsx"
    run = cli("score", str(SAMPLE), "--xlsx", str(out), "--lang", lang, "--no-cache")
    assert run.code == 0, run.stderr
    return openpyxl.load_workbook(out)


def _width(ws, cell) -> float:
    """The width a cell's text has: its column's, or the merged range's it starts."""
    for r in ws.merged_cells.ranges:
        if r.min_row == cell.row and r.min_col == cell.column:
            return sum(ws.column_dimensions[get_column_letter(j)].width for j in range(r.min_col, r.max_col + 1))
    return ws.column_dimensions[get_column_letter(cell.column)].width


def test_fix_list_column_heads_are_never_broken_inside_a_word(tmp_path):
    for lang in ("zh", "en"):
        ws = _sheet(tmp_path, lang).worksheets[1]
        heads = [c for c in ws[2] if c.value]
        assert len(heads) == 9, [c.value for c in heads]
        broken = [(c.value, word, _width(ws, c)) for c in heads for word in re.findall(r"[!-~]+", c.value)
                  if len(word) > _width(ws, c) - 1]
        assert broken == [], (lang, broken)


def test_subtotal_rows_are_tall_enough_for_their_label(tmp_path):
    for lang in ("zh", "en"):
        ws = _sheet(tmp_path, lang).worksheets[0]
        subtotals = [c for c in ws["B"] if isinstance(c.value, str) and c.value.endswith(("小计", "subtotal"))]
        assert len(subtotals) == 5
        short = [(c.value, _width(ws, c), ws.row_dimensions[c.row].height) for c in subtotals
                 if (ws.row_dimensions[c.row].height or 15) < 14 * math.ceil(units(c.value) / (_width(ws, c) - 1))]
        assert short == [], (lang, short)
