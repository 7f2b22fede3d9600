"""汇总.xlsx in English: no column head and no severity is broken inside a word.

LibreOffice and Excel break a word that is wider than its column inside the word ("Percen" over
"t", "Warnin" over "gs", "Statu" over "s"), and cut a cell that does not wrap at the column's
edge ("warnin"). Built here: a root of two sample cities with 5 % defects (findings of every
severity), scored with `--lang en`; the workbook is read back with openpyxl. A column w characters
wide holds a word of w − 1 Latin characters (one is kept for the cell's padding, two for the
autofilter's button on 问题明细's head row).
"""
from __future__ import annotations

import re

import openpyxl
from openpyxl.utils import column_index_from_string

from aftersales_cli.sample import generate
from citykit import cli


def _widths(ws) -> dict[int, float]:
    out = {}
    for key, dim in ws.column_dimensions.items():
        lo, hi = (dim.min, dim.max) if dim.min else (column_index_from_string(key),) * 2
        for j in range(lo, hi + 1):
            out[j] = dim.width
    return out


def _too_wide(ws, cells, room: int) -> list:
    widths = _widths(ws)
    merged = {(m.min_row, m.min_col) for m in ws.merged_cells.ranges if m.max_col > m.min_col}
    return [(c.coordinate, c.value, widths.get(c.column)) for c in cells
            if isinstance(c.value, str) and (c.row, c.column) not in merged
            for word in re.findall(r"[!-~]+", c.value) if len(word) > widths.get(c.column, 8.43) - room]


def test_english_heads_and_severities_fit_their_columns(tmp_path):
    root = tmp_path / "hq"
    generate(root, cities=2, orders=60, seed=5, defects=0.05)
    out = tmp_path / "out"
    run = cli("batch", str(root), "--jobs", "1", "--no-cache", "--lang", "en", "--out", str(out))
    assert run.code in (0, 1), run.stderr
    wb = openpyxl.load_workbook(out / "汇总.xlsx")
    ranking, findings = wb.worksheets[0], wb.worksheets[-1]
    assert ranking["A2"].value == "Rank" and findings["A1"].value == "City"
    heads = [c for r in (2, 3) for c in ranking[r]]
    assert _too_wide(ranking, heads, 1) == []
    severities = list(findings["B"])
    assert {"error", "format", "warning"} <= {c.value for c in severities}
    assert _too_wide(findings, list(findings[1]), 2) + _too_wide(findings, severities[1:], 1) == []
