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


@pytest.fixture(scope="session")
def pristine(tmp_path_factory) -> Path:
    """A clean 60-order city made by `aftersales sample`, generated once per test run."""
    from citykit import clean_city
    return clean_city(tmp_path_factory.mktemp("pristine"), orders=60)


@pytest.fixture
def city(pristine, tmp_path) -> Path:
    """A fresh copy of the clean city for each test to edit."""
    import shutil
    target = tmp_path / "root" / "测试市" / "2026-11"
    shutil.copytree(pristine, target)
    return target
