"""A command's outputs are written as one set (report/atomic.py `write_set`): every file to a
temporary file first, then all renamed into place. An interruption or a failure while they are
written leaves the previous run's files exactly as they were — before session 11 a Ctrl-C or
`kill PID` during the batch's writing could leave this run's 汇总.xlsx and summary.json beside the
previous run's summary.csv and findings.csv (found by a fresh user's tries)."""
from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from aftersales_cli.cli import app
from aftersales_cli.report import summary
from aftersales_cli.sample import generate

OUTPUTS = ("汇总.xlsx", "summary.json", "summary.csv", "findings.csv")


@pytest.fixture
def root_with_outputs(tmp_path) -> tuple[Path, Path, dict[str, bytes]]:
    """Two cities scored once in Chinese into OUT; (root, out, each output's bytes)."""
    root = tmp_path / "root"
    generate(root, cities=2, orders=40, period="2026-11", seed=11)
    out = tmp_path / "out"
    done = CliRunner().invoke(app, ["batch", str(root), "--jobs", "1", "--out", str(out), "--no-cache"])
    assert done.exit_code == 0, done.output
    return root, out, {name: (out / name).read_bytes() for name in OUTPUTS}


def _again_in_english(root: Path, out: Path):
    """The same batch in English: every output would differ (sheet names, headers, messages)."""
    return CliRunner().invoke(app, ["batch", str(root), "--jobs", "1", "--out", str(out), "--no-cache",
                                    "--lang", "en"])


def _unchanged(out: Path, before: dict[str, bytes]) -> None:
    assert {name: (out / name).read_bytes() for name in OUTPUTS} == before
    assert sorted(p.name for p in out.iterdir()) == sorted(OUTPUTS)      # no temporary file left


def test_an_interruption_while_the_last_output_is_written_changes_no_output(root_with_outputs, monkeypatch):
    root, out, before = root_with_outputs

    def interrupted(result, lang):            # Ctrl-C once 汇总.xlsx, summary.json, summary.csv are written
        raise KeyboardInterrupt
    monkeypatch.setattr(summary, "_findings_csv", interrupted)
    result = _again_in_english(root, out)
    assert result.exit_code != 0
    _unchanged(out, before)


def test_a_failed_write_names_its_file_and_changes_no_output(root_with_outputs, monkeypatch):
    root, out, before = root_with_outputs

    def disk_full(result, lang):
        raise OSError(28, "No space left on device")
    monkeypatch.setattr(summary, "_summary_csv", disk_full)
    result = _again_in_english(root, out)
    assert result.exit_code == 2
    assert "summary.csv" in result.stderr and "汇总.xlsx" not in result.stderr
    _unchanged(out, before)


def test_a_whole_run_replaces_every_output(root_with_outputs):
    root, out, before = root_with_outputs
    result = _again_in_english(root, out)
    assert result.exit_code == 0, result.output
    after = {name: (out / name).read_bytes() for name in OUTPUTS}
    assert all(after[name] != before[name] for name in OUTPUTS)
