"""Shared test set-up: the helper modules in tests/ are importable (`from xlsx_factory import ...`)."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parent
if str(TESTS) not in sys.path:
    sys.path.insert(0, str(TESTS))


@pytest.fixture
def make_report(tmp_path):
    """Write a repair report (title row, 填表单位 line, header on row 3, data from row 4) as .xlsx."""
    from xlsx_factory import report_rows, write_xlsx

    def make(*rows, name: str = "report.xlsx", sheet: str = "维修日报表", keys=None, **options):
        return write_xlsx(tmp_path / name, {sheet: report_rows(*rows, keys=keys)}, **options)
    return make
