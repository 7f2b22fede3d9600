"""The result cache and the form of ROOT (issue 15b): a ROOT given as `.`, as a relative name or as
an absolute path names the same city folders, so the runs share entries, and a row from the cache
holds the city's own name and paths under the reading run's folder — never the storing run's
folder text put in place of the city name (a relative city folder `杭州市` is also the city's name).
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from aftersales_cli import cache
from citykit import cli, months_root

CITIES = ["杭州市", "宁波市"]


@pytest.fixture(scope="module")
def root(tmp_path_factory) -> Path:
    return months_root(tmp_path_factory.mktemp("roots") / "root", CITIES, 30, months=2, seed=3)


def batch(root: str, out: Path, *args: str) -> dict:
    run = cli("batch", root, "--jobs", "1", "--out", str(out), "--format", "json", *args)
    assert run.code == 0, run.stderr
    return json.loads(run.stdout)


def test_dot_relative_and_absolute_roots_share_entries_and_keep_city_names(root, tmp_path, scored, monkeypatch):
    monkeypatch.chdir(root)
    batch(".", tmp_path / "a")                          # city folders "杭州市", "宁波市": the city names
    assert len(scored()) == len(CITIES)
    monkeypatch.chdir(root.parent)
    by_name = batch(root.name, tmp_path / "b")          # city folders "root/杭州市"
    assert scored() == []
    by_path = batch(str(root), tmp_path / "c")          # city folders "/…/root/杭州市"
    assert scored() == []
    cold = batch(str(root), tmp_path / "d", "--no-cache")
    assert sorted(c["city"] for c in by_name["cities"]) == sorted(CITIES)
    assert by_path == cold
    for name in ("summary.json", "findings.csv"):
        assert (tmp_path / "c" / name).read_bytes() == (tmp_path / "d" / name).read_bytes()


def test_a_relative_city_folder_is_only_replaced_as_a_path(tmp_path):
    """The city folder `杭州市` (ROOT given as `.`) inside a row: its paths follow the reading run's
    folder; the city name, and the name inside another path or a message, stay as they are."""
    row = {"city": "杭州市", "findings": [{"file": "杭州市/2026-11/维修日报表.xlsx", "message": "杭州市：见 杭州市/2026-11",
                                        "other": "/备份/杭州市/2026-11/x.xlsx"}]}
    assert cache.put("r" * 64, Path("杭州市"), row)
    got = cache.get("r" * 64, Path("/data/hq/杭州市"))
    assert got == {"city": "杭州市", "findings": [{"file": "/data/hq/杭州市/2026-11/维修日报表.xlsx",
                                               "message": "杭州市：见 /data/hq/杭州市/2026-11",
                                               "other": "/备份/杭州市/2026-11/x.xlsx"}]}
