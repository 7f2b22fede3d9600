"""A month's workbooks read two at once (`read.files.open_workbooks`, `Run.read_threads`): the
commands that read one month (validate, score, kpi, fix) read its workbooks in two threads, since
python-calamine parses a sheet without holding the GIL. What they give must be what reading one
by one gives: the same sheets in the same order, the same error for a file that cannot be read,
and the same findings and scores.
"""
from __future__ import annotations

import json
import shutil
import threading
from pathlib import Path

import pytest

from aftersales_cli import pipeline
from aftersales_cli.errors import AftersalesError
from aftersales_cli.period import Period
from aftersales_cli.read import files
from aftersales_cli.run import build_run
from aftersales_cli.sample import generate

PERIOD = Period.parse("2026-11")


@pytest.fixture(scope="module")
def month(tmp_path_factory) -> Path:
    """A sample city with 5 % defects, plus two files that cannot be read: a text file named
    .xlsx (a broken neighbour) and an empty .xlsx (zero bytes)."""
    root = tmp_path_factory.mktemp("threads")
    generate(root, cities=1, orders=200, period="2026-11", seed=5, defects=0.05, city_names=["杭州市"])
    folder = root / "杭州市" / "2026-11"
    (folder / "备注.xlsx").write_text("这不是工作簿\n", encoding="utf-8")
    (folder / "空.xlsx").write_bytes(b"")
    return folder


def _shape(read):
    """What a test compares of one file's reading: its sheets' names and cells, or the error's
    key and message (zh)."""
    if isinstance(read, AftersalesError):
        return ("error", read.key, read.message("zh"))
    return [(s.name, s.rows, s.bad_cells, s.merged, s.hidden) for s in read]


def test_two_threads_read_what_one_reads(month):
    paths = files.find_workbooks(month)
    assert len(paths) == 10                                 # the sample's eight and the two broken ones
    one = files.open_workbooks(paths, threads=1)
    two = files.open_workbooks(paths, threads=2)
    assert [_shape(r) for r in two] == [_shape(r) for r in one]
    errors = [p.name for p, r in zip(paths, two) if isinstance(r, AftersalesError)]
    assert sorted(errors) == ["备注.xlsx", "空.xlsx"]
    assert all(r[0].file == str(p) for p, r in zip(paths, two) if not isinstance(r, AftersalesError))


def test_the_files_are_read_at_once(month, monkeypatch):
    """Each call waits at a barrier for a second reader: with one thread reading, the barrier
    breaks (after 20 s, a guard against a hang, not a timing) and the test fails."""
    barrier = threading.Barrier(2, timeout=20)
    readers: set[str] = set()
    real = files.open_workbook

    def meeting(path, limits=None, split=False):
        readers.add(threading.current_thread().name)
        barrier.wait()
        return real(path, limits, split)

    monkeypatch.setattr(files, "open_workbook", meeting)
    paths = [month / "维修日报表.xlsx", month / "技师档案.xlsx"]
    got = files.open_workbooks(paths, threads=2)
    assert len(readers) == 2
    assert [r[0].file for r in got] == [str(p) for p in paths]


def test_an_unexpected_error_is_given_back_in_its_place(month, monkeypatch):
    """Anything other than AftersalesError (a fault) is that file's answer too, at its place."""
    real = files.open_workbook

    def failing(path, limits=None, split=False):
        if path.name == "技师档案.xlsx":
            raise RuntimeError("boom in " + path.name)
        return real(path, limits, split)

    monkeypatch.setattr(files, "open_workbook", failing)
    paths = files.find_workbooks(month)
    for threads in (1, 2):
        got = files.open_workbooks(paths, threads=threads)
        kinds = {p.name: type(r).__name__ for p, r in zip(paths, got) if isinstance(r, Exception)}
        assert kinds == {"技师档案.xlsx": "RuntimeError", "备注.xlsx": "AftersalesError",
                         "空.xlsx": "AftersalesError"}


def test_the_first_file_in_name_order_is_the_error_whatever_its_kind(month, tmp_path, monkeypatch):
    """A folder with a text file named aaa.xlsx and a file whose reading fails with a fault
    (zzz.xlsx): reading one by one stops at aaa.xlsx, so two threads must say aaa.xlsx too, even
    when the helper reads zzz.xlsx first (the largest: it is given more bytes)."""
    folder = tmp_path / "2026-11"
    shutil.copytree(month, folder, ignore=shutil.ignore_patterns("备注.xlsx", "空.xlsx"))
    (folder / "aaa.xlsx").write_text("不是工作簿\n", encoding="utf-8")
    (folder / "zzz.xlsx").write_bytes(b"PK" + b"\0" * 400_000)
    real = files.open_workbook

    def faulty(path, limits=None, split=False):
        if path.name == "zzz.xlsx":
            raise NotImplementedError("zip file version 21.6")
        return real(path, limits, split)

    monkeypatch.setattr(files, "open_workbook", faulty)
    for n in (1, 2):
        with pytest.raises(AftersalesError) as caught:
            pipeline.validate_path(folder, PERIOD, run=build_run(lang="zh", read_threads=n))
        assert "aaa.xlsx" in caught.value.message("zh")


@pytest.fixture(scope="module")
def readable(month, tmp_path_factory) -> Path:
    """The month without its two broken files (a folder is read whole: one would stop it)."""
    folder = tmp_path_factory.mktemp("readable") / "2026-11"
    shutil.copytree(month, folder, ignore=shutil.ignore_patterns("备注.xlsx", "空.xlsx"))
    return folder


@pytest.mark.parametrize("family", ["all", "report", "ledger", "roster"])
@pytest.mark.parametrize("given", ["folder", "file"])
def test_findings_do_not_depend_on_the_threads(month, readable, family, given):
    """A folder, and a file whose broken neighbours are skipped."""
    path = readable if given == "folder" else month / "维修日报表.xlsx"
    if given == "file" and family in ("ledger", "roster"):
        path = month / {"ledger": "配件台账.xlsx", "roster": "技师档案.xlsx"}[family]
    results = [pipeline.validate_path(path, PERIOD, family=pipeline.FAMILIES[family],
                                      run=build_run(lang="zh", read_threads=n)).to_dict("zh") for n in (1, 2)]
    assert results[0]["findings"], "the defects give findings to compare"
    assert json.dumps(results[1], ensure_ascii=False) == json.dumps(results[0], ensure_ascii=False)


def test_a_folder_whose_first_file_is_broken_says_so_as_before(month, tmp_path):
    """A month folder is read whole: the first file in name order that cannot be read is the
    error, whichever thread read it and whichever failed first."""
    folder = tmp_path / "2026-11"
    shutil.copytree(month, folder)
    (folder / "空.xlsx").unlink()
    expected = None
    for n in (1, 2):
        with pytest.raises(AftersalesError) as caught:
            pipeline.validate_path(folder, PERIOD, run=build_run(lang="zh", read_threads=n))
        got = (caught.value.key, caught.value.message("zh"))
        assert "备注.xlsx" in got[1]
        expected = expected or got
        assert got == expected


def test_ctrl_c_does_not_wait_for_the_helpers_file(month, monkeypatch):
    """Ctrl-C while this thread reads is raised at once, while the helper is still inside its
    file (its read is held open by the test); the helper then takes no further file."""
    entered, release, done = threading.Event(), threading.Event(), threading.Event()
    taken: list[str] = []

    def reading(path, limits=None, split=False):
        if threading.current_thread() is threading.main_thread():
            assert entered.wait(20), "the helper never took a file"
            raise KeyboardInterrupt
        taken.append(path.name)
        entered.set()
        release.wait(20)
        done.set()
        return []

    monkeypatch.setattr(files, "open_workbook", reading)
    with pytest.raises(KeyboardInterrupt):
        files.open_workbooks(files.find_workbooks(month), threads=2)
    assert not done.is_set()                 # raised while the helper's file was still being read
    release.set()
    assert done.wait(20)
    assert len(taken) == 1
