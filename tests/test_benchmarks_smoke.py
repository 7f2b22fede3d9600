"""The benchmark scripts keep working: each runs on tiny sizes and prints its table.

No timing is asserted here (the figures of tiny inputs mean nothing); the benchmarks themselves
are run by hand, see benchmarks/README.md.
"""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parent.parent / "benchmarks"

pytestmark = pytest.mark.skipif(not BENCH.is_dir(), reason="benchmarks/ is not shipped with this copy")


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory):
    """One cache for the module: read, validate and score share the generated city."""
    return tmp_path_factory.mktemp("bench-data")


def _run(args: list[str], timeout: float = 120) -> str:
    env = {**os.environ, "PYTHONUTF8": "1", "PYTHONIOENCODING": "utf-8"}
    proc = subprocess.run([sys.executable, *args], capture_output=True, text=True, encoding="utf-8",
                          errors="replace", env=env, timeout=timeout, cwd=BENCH.parent)
    assert proc.returncode == 0, f"exit {proc.returncode}\nstdout:\n{proc.stdout}\nstderr:\n{proc.stderr}"
    assert "machine:" in proc.stdout
    return proc.stdout


def test_read(data_dir):
    out = _run([str(BENCH / "read.py"), "--rows", "200", "--repeat", "1", "--data", str(data_dir)])
    assert "read: repair report, 200 rows" in out
    assert "ratio to floor" in out and "peak MB" in out
    for method in ("floor (unzip + expat)", "aftersales read_submission", "pandas.read_excel"):
        assert method in out


def test_validate(data_dir):
    out = _run([str(BENCH / "validate.py"), "--rows", "200", "--repeat", "1", "--data", str(data_dir)])
    assert "validate: repair report, 200 rows" in out
    assert "aftersales / floor =" in out
    assert "frictionless / aftersales =" in out or "pip install -e" in out
    profile = _run([str(BENCH / "validate.py"), "--rows", "200", "--repeat", "1", "--no-memory", "--profile",
                    "--data", str(data_dir)])
    assert "profile of one validate_path run" in profile


def test_validate_without_frictionless(data_dir):
    """frictionless missing: the line is skipped with the install hint, nothing crashes."""
    code = ("import runpy, sys; sys.modules['frictionless'] = None; "
            f"sys.path.insert(0, {str(BENCH)!r}); "
            f"sys.argv = ['validate.py', '--rows', '200', '--repeat', '1', '--no-memory', '--data', {str(data_dir)!r}]; "
            f"runpy.run_path({str(BENCH / 'validate.py')!r}, run_name='__main__')")
    out = _run(["-c", code])
    assert "validate: repair report, 200 rows" in out
    assert 'pip install -e ".[bench]"' in out
    assert "frictionless validate (Table Schema)" not in out


def test_score(data_dir):
    out = _run([str(BENCH / "score.py"), "--orders", "200", "--repeat", "1", "--data", str(data_dir)])
    assert "score: one city, 200 orders" in out
    assert "aftersales score --format json" in out and "python -c pass" in out


def test_kpi(data_dir):
    out = _run([str(BENCH / "kpi.py"), "--orders", "200", "--repeat", "1", "--data", str(data_dir)])
    assert "kpi vs score: one city, 200 orders" in out
    for command in ("aftersales score --format json", "aftersales kpi --format json",
                    "aftersales kpi, with the previous month"):
        assert command in out


def test_batch(data_dir):
    out = _run([str(BENCH / "batch.py"), "--cities", "2", "--orders", "50", "--repeat", "1",
                "--data", str(data_dir)])
    assert "batch: 2 cities × 50 orders" in out
    assert "aftersales batch --jobs 1" in out and "aftersales batch --jobs 2" in out
    assert "speed-up jobs 1 / jobs 2 =" in out and "worker peak =" in out
    profile = _run([str(BENCH / "batch.py"), "--cities", "2", "--orders", "50", "--profile", "--data", str(data_dir)])
    assert "floor of its sheets" in profile and "score_path" in profile and "by cumulative time" in profile


def test_startup():
    out = _run([str(BENCH / "startup.py"), "--repeat", "1", "--top", "5"])
    assert "aftersales --help" in out and "python -c pass" in out
    assert "imports by cumulative time" in out


def test_fix(data_dir):
    out = _run([str(BENCH / "fix.py"), "--rows", "200", "--repeat", "1", "--data", str(data_dir)])
    assert "fix vs validate: repair report, 200 rows" in out
    assert "fix / validate (REPORT)" in out and "fix / validate (MONTH)" in out


def test_trend(data_dir):
    out = _run([str(BENCH / "trend.py"), "--cities", "3", "--orders", "40", "--months", "3", "--data", str(data_dir)],
               timeout=300)
    assert "trend and the result cache: 3 cities × 40 orders" in out
    assert "1 scored, 2 cached" in out                 # one report changed: one city re-scored
    assert "8 scored" in out                           # trend cold: 3 × 3 city-months, one missed
    assert "3 scored, 5 cached" in out                 # warm after one new month: the latest month only
    assert "re-run scoring / cold scoring" in out and "trend warm / batch cold" in out
