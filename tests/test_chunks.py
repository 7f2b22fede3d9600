"""Chunked scoring (issue 16): a batch worker scores its cities in chunks, the cell types of a
chunk checked together (`pipeline.score_paths`, `validate.engine.check_cells_many`). The rows must
be those of each city scored alone — for any chunk size and any number of workers.

The root is built to make a wrong chunking show:

- 缺陷一市 … 缺陷三市: sample cities with 5 % defects (different seeds: different bad cells), 怪格式市 in
  the "quirks" layout (other file names, title rows, aliases);
- 甲市 and 乙市: in 收费金额 (a money column) 甲市 holds a logical cell TRUE beside the number 1, 乙市
  the number 1 only. Python holds TRUE == 1, so a column parsed over both cities by value would
  give one of them the other's outcome (TRUE is not an amount: CE040; 1 is one);
- 文本市: its repair report is a CSV (another cell context: text dates are standard in a CSV);
- 两月市: two months (the kpi columns read the previous month);
- 损坏市: a text file named 维修日报表.xlsx; 十月市: only 2026-10 (no month for the batch).
"""
from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest

from aftersales_cli import batch
from aftersales_cli.formats import load_formats
from aftersales_cli.run import build_run
from aftersales_cli.sample import generate
from aftersales_cli.validate import cells
from citykit import edit, months_root

PERIOD = "2026-11"


def _csv_report(month: Path) -> None:
    """Replace the month's repair report workbook by a UTF-8-BOM CSV of the same cells."""
    xlsx = month / "维修日报表.xlsx"
    ws = openpyxl.load_workbook(xlsx).active
    with open(month / "维修日报表.csv", "w", encoding="utf-8-sig", newline="") as fh:
        w = csv.writer(fh)
        for row in ws.iter_rows(values_only=True):
            w.writerow(["" if v is None else v.date().isoformat() if hasattr(v, "date") else v for v in row])
    xlsx.unlink()


@pytest.fixture(scope="module")
def root(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("chunks") / "root"
    for i, name in enumerate(["缺陷一市", "缺陷二市", "缺陷三市"]):
        generate(root, cities=1, orders=40, period=PERIOD, seed=20 + i, defects=0.05, city_names=[name])
    generate(root, cities=1, orders=40, period=PERIOD, seed=30, defects=0.05, layout="quirks",
             city_names=["怪格式市"])
    generate(root, cities=2, orders=30, period=PERIOD, seed=31, city_names=["甲市", "乙市"])
    with edit(root / "甲市" / PERIOD, "repair_report") as t:
        t.set(t.rows[0], "收费金额", True)
        t.set(t.rows[1], "收费金额", 1)
    with edit(root / "乙市" / PERIOD, "repair_report") as t:
        t.set(t.rows[0], "收费金额", 1)
    generate(root, cities=1, orders=30, period=PERIOD, seed=32, city_names=["文本市"])
    _csv_report(root / "文本市" / PERIOD)
    months_root(root, ["两月市"], 30, 2, seed=33)
    shutil.copytree(root / "乙市", root / "损坏市")
    (root / "损坏市" / PERIOD / "维修日报表.xlsx").write_text("这不是工作簿", encoding="utf-8")
    generate(root, cities=1, orders=20, period="2026-10", seed=34, city_names=["十月市"])
    return root


@pytest.fixture(scope="module")
def planned(root):
    run = build_run(None, None, (), "zh")
    label, jobs, _ = batch.plan(root, None, run.cities(root), run)
    assert label == PERIOD and len(jobs) == 10
    return jobs


def _text(rows: list[dict]) -> str:
    return json.dumps(rows, ensure_ascii=False, sort_keys=True, default=str)


@pytest.fixture(scope="module")
def alone(planned) -> list[dict]:
    """Each city scored by itself: a chunk of one."""
    return batch.run(planned, 1, chunk=1)


def test_the_root_shows_what_it_was_built_for(alone):
    by_city = {r["city"]: r for r in alone}
    assert by_city["损坏市"]["status"] == "error" and by_city["十月市"]["status"] == "error"
    assert sum(r["status"] == "ok" for r in alone) == 8
    fee = [(c, f["code"], f["value"]) for c, r in by_city.items()
           for f in r.get("findings", []) if f.get("header") == "收费金额" and c in ("甲市", "乙市")]
    # 甲市's TRUE is not an amount; its 1 and 乙市's 1 are (the generated fees are clean)
    assert fee == [("甲市", "CE040", True)]
    assert any(f["code"] == "CE021" for f in by_city["缺陷一市"]["findings"])
    assert by_city["两月市"]["kpi"] is not None


@pytest.mark.parametrize("chunk", [2, 3, 5, 10])
def test_any_chunk_size_gives_the_rows_of_each_city_alone(planned, alone, chunk):
    assert _text(batch.run(planned, 1, chunk=chunk)) == _text(alone)


@pytest.mark.parametrize("chunk", [None, 4])
def test_two_workers_give_the_rows_of_each_city_alone(planned, alone, chunk):
    assert _text(batch.run(planned, 2, chunk=chunk)) == _text(alone)


def test_chunks_keep_order_and_size_bounds(tmp_path):
    """Every job once, in order; never more than CHUNK_CITIES cities, and a month folder larger
    than CHUNK_BYTES alone in its chunk."""
    folders = []
    for i in range(30):
        f = tmp_path / f"c{i:02d}"
        f.mkdir()
        (f / "a.xlsx").write_bytes(b"x" * (batch.CHUNK_BYTES + 1 if i == 7 else 10))
        folders.append(f)
    jobs = [batch.CityJob(city=f.name, folder=f, period=PERIOD, params={}, rubric_path=None, lang="zh")
            for f in folders]
    for workers in (1, 2, 8):
        parts = batch.chunks(jobs, list(range(30)), workers)
        assert [i for p in parts for i in p] == list(range(30))
        assert max(map(len, parts)) <= batch.CHUNK_CITIES
        assert [7] in parts
    assert batch.chunks(jobs, list(range(30)), 2, size=4)[0] == [0, 1, 2, 3]
    # without the big folder: chunks never grow, and the last ones are single cities, so no worker
    # waits long for another's last chunk
    small = [i for i in range(30) if i != 7]
    sizes = [len(p) for p in batch.chunks(jobs, small, 2)]
    assert sizes == sorted(sizes, reverse=True) and sizes[-1] == 1 and sizes[0] > 1


def test_a_logical_cell_is_never_taken_for_the_number_it_equals():
    """TRUE == 1 and FALSE == 0 in Python; as cells they differ: in an int column 1 and 0 are
    numbers (0 is below 配件数量's minimum of 1) and TRUE / FALSE are not integers (CE030)."""
    col = load_formats()["repair_report"].column("part_qty")
    ctx = cells.CellContext(is_csv=False, year=2026)
    values = np.array([1, True, 1.0, False, 0, None, True], dtype=object)
    result = cells.parse_column(pd.Series(values, dtype=object), col, ctx)
    assert [(p, o.code) for p, o in result.problems] == [(1, "CE030"), (3, "CE030"), (4, "CE033"),
                                                        (6, "CE030")]
    assert list(result.values) == [1, None, 1, None, None, None, None]
    assert list(result.missing) == [False, False, False, False, False, True, False]
    # in a text column a logical cell is the text Excel and WPS show for it
    text = cells.parse_column(pd.Series(values, dtype=object), load_formats()["repair_report"].column("customer_name"),
                              ctx)
    assert list(text.values) == ["1", "TRUE", "1", "FALSE", "0", None, "TRUE"] and text.problems == []


def test_a_worker_forked_from_the_preloaded_server_imports_nothing_more(root, planned):
    """The fork server imports `batch_worker` once; a worker's first chunk must then import no
    module (a lazy import inside a function would cost every worker that time on its first city).
    A fresh interpreter preloads, scores the root's first cities and lists what came after."""
    code = ("import sys, pickle\n"
            "import aftersales_cli.batch_worker\n"
            "from aftersales_cli import batch\n"
            "before = set(sys.modules)\n"
            "jobs = pickle.loads(sys.stdin.buffer.read())\n"
            "rows = batch.score_chunk_safe(jobs)\n"
            "assert all(r['status'] == 'ok' for r in rows), rows\n"
            "print(sorted(m for m in set(sys.modules) - before if not m.startswith('encodings')))\n")
    import pickle
    import subprocess
    import sys
    ok = [j for j in planned if j.city in ("缺陷一市", "两月市", "文本市", "怪格式市")]
    proc = subprocess.run([sys.executable, "-c", code], input=pickle.dumps(ok), capture_output=True, check=True)
    assert proc.stdout.decode().strip() == "[]"


class _EndsItsWorker:
    """A job field that ends the process unpickling it (os._exit, no Python exception): how a native
    crash of a reading library (a Rust abort) looks to the pool — the worker is gone."""

    def __reduce__(self):
        import os
        return os._exit, (70,)


def test_a_city_that_ends_its_worker_loses_only_itself(planned, alone):
    """A worker that dies takes the pool with it, and every city not yet returned; those cities are
    scored again one per worker, so the city that ends its worker gets err.worker_died and every
    other city the row it gets alone (built: the killing city is 缺陷二市, in a chunk with others)."""
    import dataclasses

    k = next(i for i, job in enumerate(planned) if job.city == "缺陷二市")
    jobs = list(planned)
    jobs[k] = dataclasses.replace(planned[k], params=_EndsItsWorker())
    rows = batch.run(jobs, 2, chunk=3)
    assert [r["city"] for r in rows] == [r["city"] for r in alone]
    assert rows[k]["status"] == "error" and "进程意外终止" in rows[k]["error"]
    assert str(planned[k].folder) in rows[k]["error"]
    assert _text(rows[:k] + rows[k + 1:]) == _text(alone[:k] + alone[k + 1:])
