"""`score` on a city folder through the result cache (trends.md §2: the cache serves batch, trend
and score on a city folder).

One root per module from `sample --months 2` over three cities (defects in some workbooks, so the
fix lists are not empty). Each test has its own cache folder (AFTERSALES_CACHE); every city-month
actually scored is one line of AFTERSALES_CACHE_LOG (cache.log_scored), whichever command scored
it — that is how a hit is told from a miss.
"""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from citykit import cli, months_root, workbook_cells

CITIES = ["杭州市", "宁波市", "温州市"]


@pytest.fixture(scope="module")
def root(tmp_path_factory) -> Path:
    return months_root(tmp_path_factory.mktemp("scorecache") / "root", CITIES, 40, months=2, seed=5)


def score(path: Path, *args: str):
    run = cli("score", str(path), *args)
    assert run.code == 0, run.stderr
    return run


def outputs(path: Path, out: Path, *args: str) -> tuple[str, str, dict]:
    """(JSON text, table text, workbook cells) of `score PATH` with `args`."""
    text = score(path, "--format", "json", *args).stdout
    table = score(path, "--xlsx", str(out), *args).stdout
    return text, table, workbook_cells(out)


def test_score_after_batch_hits_and_equals_a_cold_run(root, tmp_path, scored):
    cli("batch", str(root), "--jobs", "1", "--out", str(tmp_path / "b"))
    assert scored() == [(c, "2026-11") for c in sorted(CITIES)]
    city = root / "宁波市"                                     # slips: its latest month has a fix list
    warm = outputs(city, tmp_path / "warm.xlsx")
    assert scored() == []                                   # JSON, table and workbook from batch's entry
    cold = outputs(city, tmp_path / "cold.xlsx", "--no-cache")
    assert scored() == [("宁波市", "2026-11")] * 2              # --no-cache scores each time
    assert warm[0] == cold[0]                                 # byte-identical JSON
    assert json.loads(warm[0])["fixes"], "the generated month has defects: the fix list is not empty"
    assert warm[1] == cold[1]                                 # the table, its period line included
    assert "取自文件夹名" in warm[1]                            # period.how.folder
    assert warm[2] == cold[2]                                 # every cell, 整改清单 included
    assert len(warm[2]) == 2


def test_batch_after_score_hits_that_city(root, tmp_path, scored):
    score(root / "宁波市")
    assert scored() == [("宁波市", "2026-11")]
    score(root / "宁波市" / "2026-11")                        # the month folder: the same entry
    assert scored() == []
    cli("batch", str(root), "--jobs", "1", "--out", str(tmp_path / "b"))
    assert scored() == [("杭州市", "2026-11"), ("温州市", "2026-11")]
    cli("batch", str(root), "--jobs", "1", "--out", str(tmp_path / "n"), "--no-cache")
    scored()
    assert (tmp_path / "b" / "summary.json").read_bytes() == (tmp_path / "n" / "summary.json").read_bytes()
    assert workbook_cells(tmp_path / "b" / "汇总.xlsx") == workbook_cells(tmp_path / "n" / "汇总.xlsx")


def test_period_option_hits_its_own_month_and_says_so(root, tmp_path, scored):
    cli("trend", str(root), "--jobs", "1", "--out", str(tmp_path / "t"))
    assert len(scored()) == 2 * len(CITIES)
    warm = outputs(root / "杭州市", tmp_path / "w.xlsx", "--period", "2026-10")   # improves: 10 has fixes
    assert scored() == []
    cold = outputs(root / "杭州市", tmp_path / "c.xlsx", "--period", "2026-10", "--no-cache")
    assert warm == cold
    assert "由 --period 指定" in warm[1]
    assert json.loads(warm[0])["period"] == "2026-10" and json.loads(warm[0])["fixes"]


def test_one_changed_byte_rescores(root, tmp_path, scored):
    work = tmp_path / "root"
    shutil.copytree(root, work)
    city = work / "杭州市"
    score(city)
    assert scored() == [("杭州市", "2026-11")]
    report = next((city / "2026-11").glob("*日报*"))
    original = report.read_bytes()
    data = bytearray(original)
    assert data[:4] == b"PK\x03\x04"
    data[10] ^= 1                      # the first member's modification time: same cells, one byte other
    report.write_bytes(bytes(data))
    changed = score(city, "--format", "json").stdout
    assert scored() == [("杭州市", "2026-11")]
    assert score(city, "--format", "json").stdout == changed
    assert scored() == []
    report.write_bytes(original)       # put back: the first entry hits again
    score(city)
    assert scored() == []


def test_output_equal_to_an_input_is_refused_on_a_hit(root, tmp_path, scored):
    work = tmp_path / "root"
    shutil.copytree(root, work)
    city = work / "温州市"
    score(city)
    scored()
    report = next((city / "2026-11").glob("*日报*"))
    before = report.read_bytes()
    run = cli("score", str(city), "--xlsx", str(report.with_suffix(".xlsx")))
    assert scored() == [] and report.suffix == ".xlsx"
    assert run.code == 2 and report.read_bytes() == before
