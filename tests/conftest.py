"""Shared test set-up: the helper modules in tests/ are importable (`from xlsx_factory import ...`),
the suite has a cache folder of its own, and the shared fixtures are found in one place."""
from __future__ import annotations

import os
import shutil
import sys
import tempfile
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parent
if str(TESTS) not in sys.path:
    sys.path.insert(0, str(TESTS))


@pytest.fixture
def fixtures_dir() -> Path:
    """The shared fixtures folder (../shared/fixtures): skips when missing, fails under CI=true."""
    from shared_fixtures import fixture_dir
    return fixture_dir()


_REAL_CACHE = os.environ.get("AFTERSALES_CACHE")


def pytest_configure(config) -> None:
    """Before any test module is imported (some load the formats at import): the suite's own cache."""
    os.environ["AFTERSALES_CACHE"] = tempfile.mkdtemp(prefix="aftersales-test-cache-")


def pytest_unconfigure(config) -> None:
    shutil.rmtree(os.environ["AFTERSALES_CACHE"], ignore_errors=True)
    if _REAL_CACHE is None:
        os.environ.pop("AFTERSALES_CACHE", None)
    else:
        os.environ["AFTERSALES_CACHE"] = _REAL_CACHE


@pytest.fixture(scope="session", autouse=True)
def own_cache() -> Path:
    """The suite's own cache folder (AFTERSALES_CACHE), never the user's real one: every test and
    every process a test starts (they inherit the environment) reads and writes it."""
    folder = Path(os.environ["AFTERSALES_CACHE"])
    assert folder.name.startswith("aftersales-test-cache-") and folder != Path(_REAL_CACHE or "/nonexistent")
    return folder


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


@pytest.fixture
def scored(tmp_path, monkeypatch):
    """A cache folder of this test's own and the scoring log; returns a reader of the log: the
    (city, period) pairs scored since the last call (citykit.scoring_log)."""
    from citykit import scoring_log
    return scoring_log(tmp_path, monkeypatch)
