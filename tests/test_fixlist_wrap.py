"""The lists of finding codes and cells in the fix list wrap between two entries, never inside
one (issue 15b). LibreOffice and the terminal break a text with no space in it at any character:
`CE022×10，CE023×10` printed as "CE022×10，CE023×1" over "0" reads as one CE023 instead of ten,
and `M10、Q12` as "M10、Q" over "12". So each separator is followed by a space, and every run of
text without a space holds at most one code or one cell reference.
"""
from __future__ import annotations

import re
from pathlib import Path

import openpyxl

from aftersales_cli.report.fixlist import findings_text
from citykit import cli

SAMPLE = Path(__file__).resolve().parents[1] / "sample_data" / "宁波市"
#: one code with its count (the first may carry the label "相关问题："), or one cell reference (the
#: first of a sheet carries "sheet!"), with the separator after it, or the "…等 n 处" tail
ONE = re.compile(r"^(?:(?:[^：:\s]+[：:])?[A-Z]{2}\d{3}×\d+|(?:[^!\s]+!)?[A-Z]{1,3}\d+)(?:[，、,])?(?:…等|…)?$")


def runs(text: str) -> list[str]:
    return [run for line in text.split("\n") for run in line.split() if run]


def test_findings_text_has_a_break_between_every_two_entries():
    codes = {f"CE0{n:02d}": 10 for n in range(1, 16)}
    cells = [f"维修日报表!{col}{row}" for row in range(3, 40) for col in ("N", "Q", "AB")]
    entry = {"findings": {"counts": codes, "cells": cells}}
    for lang in ("zh", "en"):
        text = findings_text(entry, lang)
        assert "CE015×10" in text and "AB39" in text
        bad = [r for r in runs(text) if not ONE.match(r)]
        assert bad == [], (lang, bad[:3])


def test_fix_sheet_of_score_xlsx_wraps_between_entries(tmp_path):
    assert SAMPLE.is_dir()
    out = tmp_path / "评分表.xlsx"
    run = cli("score", str(SAMPLE), "--xlsx", str(out), "--no-cache")
    assert run.code == 0, run.stderr
    ws = openpyxl.load_workbook(out)["整改清单"]
    texts = [str(c.value) for row in ws.iter_rows(min_col=5, max_col=5) for c in row if c.value]
    listed = [t for t in texts if "×" in t]
    assert len(listed) >= 3                          # 宁波市 has several causes with findings behind them
    for text in listed:
        lines = text.split("\n")
        codes = next(i for i, line in enumerate(lines) if "×" in line)
        bad = [r for r in runs("\n".join(lines[codes:])) if not ONE.match(r)]
        assert bad == [], bad[:3]


def test_codes_in_a_reason_wrap_between_codes():
    """A reason listing part codes ("盘点表漏盘 6 种期末有库存的配件（P9263、P9418…）") breaks between
    two codes: each run without a space holds one code at most."""
    from aftersales_cli.metrics.compute import _codes

    listed = _codes([f"P9{n:03d}" for n in range(7)])
    for lang in ("zh", "en"):
        assert listed[lang].count("P9") == 5
        assert all(run.count("P9") == 1 for run in listed[lang].split()), listed[lang]
