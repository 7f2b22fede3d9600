"""`aftersales trend`, the result cache and `sample --months` (issue 15, trends.md).

One root per module from `sample --months 3` over four cities (杭州市 improves, 宁波市 slips, 温州市
holds, 嘉兴市 — the last city — misses 2026-10): 11 city-months with folders, one missing. Each test
that counts re-scoring gets its own cache folder (AFTERSALES_CACHE) and reads AFTERSALES_CACHE_LOG,
where every city-month actually scored is one line, whichever process scored it.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from itertools import pairwise
from pathlib import Path

import openpyxl
import pytest

from aftersales_cli import cache
from aftersales_cli.sample.months import month_plan, months_until
from aftersales_cli.period import Period
from citykit import cli, months_root, workbook_cells

CITIES = ["杭州市", "宁波市", "温州市", "嘉兴市"]
MONTHS = ["2026-09", "2026-10", "2026-11"]
MISSED = ("嘉兴市", "2026-10")          # the last city misses the month before the latest (months.py)
WITH_FOLDER = len(CITIES) * len(MONTHS) - 1


@pytest.fixture(scope="module")
def root(tmp_path_factory) -> Path:
    return months_root(tmp_path_factory.mktemp("trend") / "root", CITIES, 40, months=3, seed=5)


def trend(root: Path, out: Path, *args: str):
    run = cli("trend", str(root), "--out", str(out), "--jobs", "1", "--format", "json", *args)
    return run, json.loads(run.stdout) if run.stdout.strip() else None


def copy_root(root: Path, target: Path) -> Path:
    shutil.copytree(root, target, ignore=shutil.ignore_patterns("_scores"))
    return target


# --- sample --months -------------------------------------------------------------------------------

def test_sample_months_writes_consecutive_months_with_one_missed(root):
    found = {(c.name, m.name) for c in root.iterdir() if c.is_dir() for m in c.iterdir()}
    assert found == {(c, m) for c in CITIES for m in MONTHS} - {MISSED}


def test_sample_months_plan_is_deterministic_and_moves_both_ways():
    months = months_until(Period.parse("2026-11"), 6)
    assert [m.label for m in months] == ["2026-06", "2026-07", "2026-08", "2026-09", "2026-10", "2026-11"]
    plan = month_plan(CITIES, months, seed=9)
    assert plan == month_plan(CITIES, months, seed=9)
    first, last = months[0].label, months[-1].label
    assert len(plan[("杭州市", first)]) > len(plan[("杭州市", last)]) == 0      # improves to clean
    assert len(plan[("宁波市", first)]) == 0 < len(plan[("宁波市", last)])       # slips
    assert plan[("温州市", first)] == plan[("温州市", last)]                       # holds
    assert plan[("嘉兴市", months[-2].label)] is None


def test_sample_months_keeps_its_safety(root, tmp_path):
    """An existing target stops the run before anything is written; the files stay as they were."""
    target = copy_root(root, tmp_path / "again")
    before = {p: p.stat().st_mtime_ns for p in target.rglob("*.xlsx")}
    run = cli("sample", str(target), "--city", "杭州市", "--city", "宁波市", "--months", "3", "--orders", "40")
    assert run.code == 2 and "--force" in run.stderr
    assert {p: p.stat().st_mtime_ns for p in target.rglob("*.xlsx")} == before


# --- trend equals batch ----------------------------------------------------------------------------

def test_trend_total_equals_batch_for_every_city_month(root, tmp_path, scored):
    run, doc = trend(root, tmp_path / "t", "--no-cache")
    assert run.code == 0, run.stderr
    assert doc["months"] == MONTHS
    for month in MONTHS:
        b = cli("batch", str(root), "--period", month, "--jobs", "1", "--out", str(tmp_path / month),
                "--format", "json", "--no-cache")
        batch = json.loads(b.stdout)
        by_city = {c["city"]: c for c in batch["cities"]}
        for c in doc["cities"]:
            cell = c["months"][month]
            if (c["city"], month) == MISSED:
                assert cell["status"] == "missing" and cell["total"] is None
                continue
            assert cell["status"] == "ok"
            assert (cell["total"], cell["percent"], cell["rank"]) == \
                (by_city[c["city"]]["total"], by_city[c["city"]]["percent"], by_city[c["city"]]["rank"])
            assert cell["items"] == {i["id"]: i["score"] for i in by_city[c["city"]]["items"]}
    assert len(scored()) == 2 * WITH_FOLDER              # --no-cache: every city-month scored each time


def test_trend_outputs_shape(root, tmp_path, scored):
    out = tmp_path / "t"
    run, doc = trend(root, out)
    assert run.code == 0
    assert json.loads((out / "trend.json").read_text("utf-8")) == doc
    latest = [c["months"]["2026-11"]["rank"] for c in doc["cities"]]
    assert latest == sorted(latest)                                  # sorted by the latest rank
    for c in doc["cities"]:                                         # change = this total − the previous
        for before, now in pairwise(MONTHS):
            a, b = c["months"][before], c["months"][now]
            want = b["total"] - a["total"] if a["status"] == b["status"] == "ok" else None
            assert b["change"] == want
    rows = (out / "trend.csv").read_text("utf-8-sig").splitlines()
    assert len(rows) == 1 + len(CITIES) * len(MONTHS)
    book = openpyxl.load_workbook(out / "趋势.xlsx")
    assert book.sheetnames == ["总分趋势", "趋势图", "分项趋势", "城市变化", "图表数据"]
    assert book.custom_doc_props["aftersales-cli"].value == "trend"
    totals = book["总分趋势"]
    assert [totals.cell(r, 1).value for r in range(4, 4 + len(CITIES))] == [c["city"] for c in doc["cities"]]
    assert "未提交" in [c.value for row in totals.iter_rows() for c in row]
    assert totals.page_setup.orientation == "landscape" and totals.print_title_rows


def test_trend_range_and_error_exit(root, tmp_path, scored):
    broken = copy_root(root, tmp_path / "broken")
    (broken / "宁波市" / "2026-10" / "维修日报表.xlsx").write_bytes(b"not a workbook")
    run, doc = trend(broken, tmp_path / "t", "--from", "2026-10", "--to", "2026-11")
    assert run.code == 3
    assert doc["months"] == ["2026-10", "2026-11"]
    cell = next(c for c in doc["cities"] if c["city"] == "宁波市")["months"]["2026-10"]
    assert cell["status"] == "error" and "维修日报表.xlsx" in cell["error"]
    run, doc = trend(broken, tmp_path / "t2", "--from", "2026-11")
    assert run.code == 0 and doc["months"] == ["2026-11"]
    table = cli("trend", str(broken), "--out", str(tmp_path / "t3"), "--jobs", "1", "--lang", "en")
    assert table.code == 3
    assert "Cities that could not be scored" in table.stdout and "missing" in table.stdout
    assert "宁波市" in table.stdout.split("Cities that could not be scored")[1]


# --- the cache -------------------------------------------------------------------------------------

def test_cache_hit_gives_identical_outputs(root, tmp_path, scored):
    trend(root, tmp_path / "cold")
    assert len(scored()) == WITH_FOLDER
    trend(root, tmp_path / "warm")
    assert scored() == []                                             # every city-month from the cache
    trend(root, tmp_path / "none", "--no-cache")
    assert len(scored()) == WITH_FOLDER
    for name in ("trend.json", "trend.csv"):
        assert (tmp_path / "warm" / name).read_bytes() == (tmp_path / "none" / name).read_bytes()
    assert workbook_cells(tmp_path / "warm" / "趋势.xlsx") == workbook_cells(tmp_path / "none" / "趋势.xlsx")
    for out, extra in (("bw", ()), ("bn", ("--no-cache",))):
        cli("batch", str(root), "--jobs", "1", "--out", str(tmp_path / out), *extra)
    assert (tmp_path / "bw" / "summary.json").read_bytes() == (tmp_path / "bn" / "summary.json").read_bytes()
    assert (tmp_path / "bw" / "findings.csv").read_bytes() == (tmp_path / "bn" / "findings.csv").read_bytes()
    assert workbook_cells(tmp_path / "bw" / "汇总.xlsx") == workbook_cells(tmp_path / "bn" / "汇总.xlsx")


def test_moved_root_still_hits(root, tmp_path, scored):
    trend(root, tmp_path / "a")
    scored()
    moved = copy_root(root, tmp_path / "elsewhere" / "moved")
    trend(moved, tmp_path / "b")
    assert scored() == []
    trend(moved, tmp_path / "c", "--no-cache")
    assert (tmp_path / "b" / "trend.json").read_bytes() == (tmp_path / "c" / "trend.json").read_bytes()


def test_changes_rescore_exactly_the_affected_city_months(root, tmp_path, scored):
    work = copy_root(root, tmp_path / "root")
    trend(work, tmp_path / "o")
    assert len(scored()) == WITH_FOLDER
    # one changed byte in one input: the city-months that read it — October itself, and November,
    # whose kpi figures validate October's folder as the previous month (kpi.md); the byte put
    # back: the old entries hit. September is not read by either.
    target = work / "温州市" / "2026-10" / "培训记录.xlsx"
    original = target.read_bytes()
    data = bytearray(original)
    data[len(data) // 2] ^= 0x01
    target.write_bytes(bytes(data))
    trend(work, tmp_path / "o")
    assert scored() == [("温州市", "2026-10"), ("温州市", "2026-11")]
    target.write_bytes(original)
    trend(work, tmp_path / "o")
    assert scored() == []
    # a cities.yaml parameter of one city: its months, nothing else
    (work / "cities.yaml").write_text("宁波市:\n  max_report_lag_days: 3\n", encoding="utf-8")
    trend(work, tmp_path / "o")
    assert scored() == [("宁波市", m) for m in MONTHS]
    # a city's kpi parameters (its `kpi:` map): that city's months (the batch kpi columns read them)
    (work / "cities.yaml").write_text("宁波市:\n  max_report_lag_days: 3\n  kpi:\n    repeat_window_days: 20\n",
                                      encoding="utf-8")
    trend(work, tmp_path / "o")
    assert scored() == [("宁波市", m) for m in MONTHS]
    # a rubric threshold: every city-month
    rubric = tmp_path / "rubric.yaml"
    from aftersales_cli.rubric.loader import default_rubric_path
    text = default_rubric_path().read_text("utf-8")
    assert "  turnover_good: 0.10 " in text
    rubric.write_text(text.replace("  turnover_good: 0.10 ", "  turnover_good: 0.12 "), encoding="utf-8")
    trend(work, tmp_path / "o", "--rubric", str(rubric))
    assert len(scored()) == WITH_FOLDER
    trend(work, tmp_path / "o", "--rubric", str(rubric))
    assert scored() == []


def test_truncated_entry_is_recomputed_silently(root, tmp_path, scored):
    trend(root, tmp_path / "a")
    scored()
    entries = sorted((tmp_path / "cache" / "results").glob("*/*.json"))
    assert len(entries) == WITH_FOLDER
    victim = entries[3]
    victim.write_bytes(victim.read_bytes()[: victim.stat().st_size // 2])
    run, _ = trend(root, tmp_path / "b")
    assert run.code == 0 and len(scored()) == 1
    assert "Traceback" not in run.stderr and "错误" not in run.stderr
    json.loads(victim.read_text("utf-8"))                           # replaced by a whole entry
    assert (tmp_path / "a" / "trend.json").read_bytes() == (tmp_path / "b" / "trend.json").read_bytes()


def test_two_processes_filling_one_cache_leave_it_consistent(root, tmp_path, scored):
    env = {**os.environ, "AFTERSALES_CACHE": str(tmp_path / "cache")}
    procs = [subprocess.Popen([sys.executable, "-m", "aftersales_cli", "trend", str(root), "--out",
                               str(tmp_path / f"p{i}"), "--jobs", "1", "--format", "json"], env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE) for i in range(2)]
    for p in procs:
        p.communicate(timeout=600)
        assert p.returncode == 0
    seen = scored()               # each city-month by one process or both (as their runs overlap)
    assert set(seen) == {(c, m) for c in CITIES for m in MONTHS} - {MISSED} and len(seen) <= 2 * WITH_FOLDER
    assert (tmp_path / "p0" / "trend.json").read_bytes() == (tmp_path / "p1" / "trend.json").read_bytes()
    entries = list((tmp_path / "cache" / "results").glob("*/*"))
    assert len(entries) == WITH_FOLDER and all(e.suffix == ".json" for e in entries)   # no temporary left
    for e in entries:
        assert json.loads(e.read_text("utf-8"))["key"] == e.stem
    trend(root, tmp_path / "p3")
    assert scored() == []
    assert (tmp_path / "p0" / "trend.json").read_bytes() == (tmp_path / "p3" / "trend.json").read_bytes()


def test_eviction_removes_least_recently_used_first(tmp_path, monkeypatch):
    monkeypatch.setenv("AFTERSALES_CACHE", str(tmp_path))
    folder = tmp_path / "results" / "ab"
    folder.mkdir(parents=True)
    for age, name in enumerate(["newest", "middle", "oldest"]):     # 100 bytes each, older and older
        path = folder / f"{name}.json"
        path.write_bytes(b"x" * 100)
        os.utime(path, (1_000_000 - age * 10, 1_000_000 - age * 10))
    assert cache.evict(limit=250) == 1
    assert sorted(p.stem for p in folder.iterdir()) == ["middle", "newest"]
    assert cache.evict(limit=100) == 1
    assert [p.stem for p in folder.iterdir()] == ["newest"]


def test_eviction_removes_temporary_files_left_by_an_ended_worker(tmp_path, monkeypatch):
    """A worker ended by Ctrl-C between writing an entry's temporary file and renaming it leaves the
    file (cache.put); one older than cache.STALE_TEMP goes at the next eviction, a recent one (a write
    in progress in another process) stays, and neither counts as an entry."""
    import time
    monkeypatch.setenv("AFTERSALES_CACHE", str(tmp_path))
    folder = tmp_path / "results" / "ab"
    folder.mkdir(parents=True)
    (folder / "entry.json").write_bytes(b"{}")
    old, fresh = folder / ".old1234.tmp", folder / ".new5678.tmp"
    old.write_bytes(b"x")
    fresh.write_bytes(b"x")
    then = time.time() - 2 * 3600                                   # two hours ago: past STALE_TEMP (1 h)
    os.utime(old, (then, then))
    assert cache.evict(limit=10_000) == 0
    assert sorted(p.name for p in folder.iterdir()) == [".new5678.tmp", "entry.json"]


# --- 趋势.xlsx on paper ------------------------------------------------------------------------------

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")


@pytest.mark.skipif(not (SOFFICE and shutil.which("pdftotext") and shutil.which("pdfinfo")),
                    reason="LibreOffice (soffice) and poppler (pdftotext, pdfinfo) are not installed")
def test_trend_workbook_charts_print_whole(root, tmp_path, scored):
    """Each chart is on one printed page with its title, every legend entry and the last month's
    axis label — a chart cut by a page edge loses its legend or axis to the next page."""
    import re
    _, doc = trend(root, tmp_path / "t")
    subprocess.run([SOFFICE, f"-env:UserInstallation={(tmp_path / 'lo').as_uri()}", "--headless",
                    "--convert-to", "pdf", "--outdir", str(tmp_path), str(tmp_path / "t" / "趋势.xlsx")],
                   check=True, capture_output=True, timeout=300)
    pdf = tmp_path / "趋势.pdf"
    n = int(re.search(r"Pages:\s+(\d+)", subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True,
                                                         check=True).stdout).group(1))
    pages = ["".join(subprocess.run(["pdftotext", "-f", str(i), "-l", str(i), str(pdf), "-"], capture_output=True,
                                    text=True, check=True).stdout.split()) for i in range(1, n + 1)]
    net = [p for p in pages if "全网平均得分率" in p]
    full = [p for p in pages if "各大项满分城市占比" in p]
    assert len(net) == 1 and len(full) == 1 and net[0] != full[0]
    assert all(c["city"] in net[0] for c in doc["cities"]) and "全网平均" in net[0] and "2026-11" in net[0]
    assert all(s in full[0] for s in ("服务基础建设", "配件库管理")) and "2026-11" in full[0]


def test_paths_in_a_cached_row_follow_the_city_folder(tmp_path, monkeypatch):
    """Stored under one ROOT, read under another: the findings name files under the new one; a
    Windows path (backslashes) too. A row JSON cannot hold as it is (a tuple) is not stored."""
    monkeypatch.setenv("AFTERSALES_CACHE", str(tmp_path))
    for old, new in (("/data/hq/杭州市", "/mnt/copy/杭州市"), ("C:\\HQ\\杭州市", "D:\\备份\\杭州市")):
        sep = "\\" if "\\" in old else "/"
        row = {"city": "杭州市", "findings": [{"file": f"{old}{sep}2026-11{sep}维修日报表.xlsx",
                                            "message": f"见 {old}{sep}2026-11"}]}
        assert cache.put("k" * 64, Path(old), row)
        got = cache.get("k" * 64, Path(new))
        assert got == {"city": "杭州市", "findings": [{"file": f"{new}{sep}2026-11{sep}维修日报表.xlsx",
                                                   "message": f"见 {new}{sep}2026-11"}]}
    assert not cache.put("t" * 64, Path("/x"), {"city": "a", "items": ("1.1",)})
    assert cache.get("t" * 64, Path("/x")) is None


def test_city_without_month_folders_counts_for_the_latest_month_only(root, tmp_path, scored):
    work = copy_root(root, tmp_path / "root")
    flat = work / "平铺市"
    shutil.copytree(work / "杭州市" / "2026-11", flat)          # workbooks directly in the city folder
    run, doc = trend(work, tmp_path / "t")
    assert run.code == 0
    months = next(c for c in doc["cities"] if c["city"] == "平铺市")["months"]
    assert [months[m]["status"] for m in MONTHS] == ["missing", "missing", "ok"]
    hz = next(c for c in doc["cities"] if c["city"] == "杭州市")["months"]["2026-11"]
    assert months["2026-11"]["items"] == hz["items"]            # the same workbooks, the same scores
