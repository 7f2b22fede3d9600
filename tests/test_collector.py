"""The cyclic garbage collector is paused for one unit of work and restored after it
(core/collector.py, issue 16 session 6): on again after the unit (also when it raises), left off
when it was off before, and a unit inside another does not restart it. The pipeline's units —
validating a month, scoring a chunk, a batch worker's call, writing the batch's outputs — run with
it off."""
from __future__ import annotations

import gc

import pytest

from aftersales_cli import batch, pipeline
from aftersales_cli.core.collector import collection_paused, one_unit


@pytest.fixture(autouse=True)
def _collector_on():
    was = gc.isenabled()
    gc.enable()
    yield
    (gc.enable if was else gc.disable)()


def test_paused_inside_and_on_again_after():
    with collection_paused():
        assert not gc.isenabled()
    assert gc.isenabled()


def test_on_again_after_an_exception():
    with pytest.raises(KeyError), collection_paused():
        raise KeyError("inside the unit")
    assert gc.isenabled()


def test_left_off_when_it_was_off():
    gc.disable()
    with collection_paused():
        assert not gc.isenabled()
    assert not gc.isenabled()


def test_a_unit_inside_another_leaves_the_pause():
    seen = []

    @one_unit
    def inner():
        seen.append(gc.isenabled())

    @one_unit
    def outer():
        inner()
        seen.append(gc.isenabled())       # still paused after the inner unit returned

    outer()
    assert seen == [False, False] and gc.isenabled()


def test_pipeline_units_run_paused(monkeypatch, tmp_path):
    seen = []

    def spy(requests):
        seen.append(gc.isenabled())
        raise RuntimeError("stop here")

    monkeypatch.setattr(pipeline, "validate_submissions", spy)
    monkeypatch.setattr(pipeline, "_read", lambda *a, **k: type("R", (), {"request": lambda self, run: None})())
    monkeypatch.setattr(pipeline, "resolve", lambda path, period: (tmp_path, None, "option"))
    with pytest.raises(RuntimeError):
        pipeline.validate_path(tmp_path)
    outcome = pipeline.score_paths([(tmp_path, None, "c", {})])
    assert seen[0] is False and seen[1] is False and gc.isenabled()
    assert isinstance(outcome[0], RuntimeError)


def test_a_batch_worker_call_runs_paused(monkeypatch):
    seen = []
    monkeypatch.setattr(batch, "_failed", lambda job, reason: seen.append(gc.isenabled()) or {"city": job.city})
    job = batch.CityJob(city="c", folder=None, period="2026-11", params={}, rubric_path=None, lang="zh")
    assert batch.score_chunk_safe([job]) == [{"city": "c"}]
    assert seen == [False] and gc.isenabled()


def test_the_fork_servers_preload_runs_paused_then_freezes():
    """`batch_worker` (what the fork server imports for every worker) imports the scoring stack
    with the collector paused — Python's gc.freeze documentation: collector off early, freeze
    before the fork — and leaves it on, with what it imported frozen. A fresh interpreter counts
    the collections made while it imports (a `gc.callbacks` spy installed once the package and
    its collector module are in): at most the one pass that comes when the collector is switched
    on again (the pause's own promise) — on the code before this pause, 158."""
    import subprocess
    import sys
    code = ("import gc\n"
            "import aftersales_cli.core.collector\n"
            "runs = []\n"
            "gc.callbacks.append(lambda phase, info: phase == 'start' and runs.append(info['generation']))\n"
            "import aftersales_cli.batch_worker\n"
            "import pandas\n"
            "print(len(runs), gc.isenabled(), gc.get_freeze_count() > 50_000)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    runs, enabled, frozen = out.split()
    assert int(runs) <= 1 and enabled == "True" and frozen == "True"


def test_the_batch_outputs_are_written_paused(monkeypatch, tmp_path):
    from aftersales_cli.report import summary
    seen = []

    def spy(result, path, lang, sheets=None):
        seen.append(gc.isenabled())
        raise RuntimeError("stop here")

    monkeypatch.setattr(summary, "write_workbook", spy)
    with pytest.raises(RuntimeError):
        summary.write_outputs(None, tmp_path / "out", "zh")
    assert seen == [False] and gc.isenabled()
