"""What a new user hit (issue 11), each through the installed `aftersales` command in a subprocess,
on real files: console encodings, sample safety, unwritable outputs, the validate-* families, CE022's
wording, the summary's look, batch on a city folder, empty datasets, usage errors."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from citykit import clean_city, edit

EXE = Path(sys.executable).with_name("aftersales")


def run(*args, encoding: str = "utf-8", cwd: Path | None = None, env: dict | None = None) -> subprocess.CompletedProcess:
    """The installed command line; stdout/stderr as bytes decoded with the console's encoding."""
    environ = {**os.environ, "PYTHONIOENCODING": encoding, "COLUMNS": "200", **(env or {})}
    environ.pop("AFTERSALES_LANG", None)
    proc = subprocess.run([str(EXE), *map(str, args)], capture_output=True, env=environ, cwd=cwd, timeout=300)
    proc.out = proc.stdout.decode(encoding)   # raises if the stream is not in the console's encoding
    proc.err = proc.stderr.decode(encoding)
    assert "Traceback" not in proc.err, proc.err
    return proc


@pytest.fixture(scope="module")
def odd_city(tmp_path_factory) -> Path:
    """A city whose repair report holds `¥` and `−` (not in GBK's or ASCII's repertoire) in values
    that the checks report, so they reach every output."""
    root = tmp_path_factory.mktemp("odd")
    month = clean_city(root, orders=30, city="杭州市")
    with edit(month, "repair_report") as t:
        t.set(t.rows[0], "收费金额", "¥12−3")
        t.set(t.rows[1], "客户姓名", "王✔−¥")
    return month


def _commands(month: Path, out: Path) -> list[list[str]]:
    city = month.parent
    report = month / "维修日报表.xlsx"
    rubric = Path(__file__).resolve().parents[1] / "rubrics" / "hegii-2.0.yaml"
    return [
        ["--version"], ["-h"], ["validate", "-h"], ["score", "-h"], ["batch", "-h"], ["sample", "-h"],
        ["template", "-h"], ["rubric", "show", "-h"],
        ["validate", city], ["validate", city, "-f", "json"], ["validate", city, "--lang", "en"],
        ["validate", city, "--annotate", out / "标注.xlsx"],
        ["validate-report", report], ["validate-report", report, "-f", "json"],
        ["validate-ledger", month / "配件台账.xlsx"], ["validate-roster", month / "技师档案.xlsx", "-f", "json"],
        ["score", city], ["score", city, "-f", "json", "--xlsx", out / "评分表.xlsx"],
        ["batch", city.parent, "--out", out / "batch", "--jobs", "1"],
        ["batch", city.parent, "--out", out / "batch2", "--jobs", "1", "-f", "json"],
        ["template", "-o", out / "模板"], ["sample", out / "样例", "--cities", "1", "--orders", "5"],
        ["rubric", "show"], ["rubric", "show", "-f", "json"], ["rubric", "check", rubric],
        ["validate", out / "没有这个文件夹"], ["validate", out / "没有这个文件夹", "-f", "json"],
        ["validate", "--perid", "2026-11", city], ["scor", city],
    ]


@pytest.mark.parametrize("encoding", ["gbk", "ascii"])
def test_no_command_crashes_on_the_console_encoding(odd_city, tmp_path, encoding):
    """Every command, table and JSON, on a console that cannot show `✔ ¥ −` (ascii: not even Chinese):
    it ends with its own exit code, prints in the console's encoding, and its JSON parses and
    carries the values unchanged (escaped)."""
    for args in _commands(odd_city, tmp_path):
        # click prints its help in UTF-8 to a stream that claims ASCII (it takes that for a
        # misconfigured locale); on GBK it keeps the console's encoding like everything else
        help_in_utf8 = encoding == "ascii" and "-h" in args
        proc = run(*args, encoding="utf-8" if help_in_utf8 else encoding,
                   env={"PYTHONIOENCODING": encoding})
        assert proc.returncode in (0, 1, 2), (args, proc.returncode, proc.err)
        assert proc.out.strip() or proc.err.strip(), args
        if "json" in args:
            doc = json.loads(proc.out)
            assert proc.stdout.isascii(), args
            if args[0] == "validate" and proc.returncode != 2:
                values = {f["value"] for f in doc["findings"]}
                assert "¥12−3" in values, args
    # the files are UTF-8 whatever the console: the annotated copy and the CSVs hold the value as is
    assert "¥12−3" in (tmp_path / "batch" / "findings.csv").read_text("utf-8-sig")


def test_usage_errors_are_in_the_users_language_and_version_prints():
    """click's own errors are translated (cli.md): one line, exit 2; --version is `aftersales X.Y.Z`."""
    proc = run("validate", "--perid", "2026-11", "x")
    assert proc.returncode == 2
    assert proc.err.strip().splitlines() == [proc.err.strip()]
    assert "没有这个选项：--perid" in proc.err and "--period" in proc.err and "No such" not in proc.err
    proc = run("scor", "x")
    assert proc.returncode == 2 and "没有这个命令：scor" in proc.err and "score" in proc.err
    proc = run("score", "x", "--format", "xml", "--lang", "en")
    assert proc.returncode == 2 and "'xml' is not one of 'table', 'json'" in proc.err
    proc = run("validate")
    assert proc.returncode == 2 and "缺少参数 PATH" in proc.err
    proc = run("--version")
    from aftersales_cli import __version__
    assert proc.returncode == 0 and proc.out.strip() == f"aftersales {__version__}"
