"""Hostile and broken input for `score`, `batch` and `rubric check` (issue 6; quality.md
"Reliability" and "Security"). The validate commands are covered by test_bad_inputs.py.

Every case runs the real CLI on real files made here (xlsx_factory helpers) inside a city made by
`aftersales sample`, and checks: the exit code of cli.md; for a command that cannot run, ONE line on
stderr naming the file and the problem and `{"error": {...}}` on stdout with `--format json`; for
`batch`, a broken city is not exit 2 — the batch goes on (exit 3) and the city is failed with its
reason; no traceback; no input file changed or added (sha256 of the whole input tree before and
after); no partial output left behind (no *.tmp, no output file when the command failed).
"""
from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Callable

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from typer.testing import CliRunner

from aftersales_cli.cli import app
from shared_fixtures import shared_fixture
from aftersales_cli.rubric.loader import default_rubric_path
from aftersales_cli.sample import generate
from citykit import OUTPUTS, TRIGGERS, Run, cli
from xlsx_factory import SHEET_HEAD, SHEET_TAIL, write_bomb, write_package

PERIOD = "2026-11"
CITY, OTHER = "杭州市", "宁波市"
REPORT = "维修日报表.xlsx"


def process(*args: str, timeout: float = 120) -> Run:
    """The real command in its own process (for payloads that could hang or blow up a process)."""
    proc = subprocess.run([sys.executable, "-m", "aftersales_cli", *args], capture_output=True, text=True,
                          timeout=timeout)
    assert "Traceback" not in proc.stdout + proc.stderr
    return Run(proc.returncode, proc.stdout, proc.stderr)


def snapshot(tree: Path) -> dict[str, str]:
    """sha256 of every file under `tree`, except the batch's own output folder `_scores`."""
    return {str(p.relative_to(tree)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(tree.rglob("*")) if p.is_file() and "_scores" not in p.relative_to(tree).parts}


def leftovers(tree: Path) -> list[Path]:
    return [p for p in tree.rglob("*") if p.name.endswith(".tmp") or ".tmp" in p.suffixes]


def assert_cannot_run(run: Run, names: str, code: str | None = None, says: str | None = None) -> dict:
    """Exit 2, one stderr line naming the file and the problem, {"error": {code, message, path}}."""
    assert run.code == 2, run.stdout + run.stderr
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1, run.stderr
    assert names in lines[0], lines[0]
    if says:
        assert says in lines[0], lines[0]
    doc = json.loads(run.stdout)
    assert set(doc) == {"error"} and set(doc["error"]) == {"code", "message", "path"}
    assert doc["error"]["message"] in lines[0]
    assert names in doc["error"]["path"] or names in doc["error"]["message"]
    if code:
        assert doc["error"]["code"] == code, doc
    return doc["error"]


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("hostile") / "root"
    generate(root, cities=2, orders=40, period=PERIOD, seed=5, city_names=[CITY, OTHER])
    return root


@pytest.fixture
def root(template, tmp_path) -> Path:
    """A fresh copy of the two-city root under tmp_path/in (outputs, when any, go to tmp_path/out)."""
    target = tmp_path / "in" / "root"
    shutil.copytree(template, target)
    return target


def report_of(root: Path) -> Path:
    return root / CITY / PERIOD / REPORT


# --- the corpus of hostile workbooks (each replaces the city's repair report) --------------------

LAUGHS = ('<!DOCTYPE lolz [<!ENTITY lol "lol">'
          + "".join(f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">'
                    for i in range(1, 10))
          + "]>")
XXE = '<!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
SST_NS = '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="1">'


def text_named_xlsx(path: Path) -> None:
    path.write_text("服务日期,工单号\n2026-11-03,WX1\n", encoding="utf-8")


def truncated_zip(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def encrypted(path: Path) -> None:
    """A really password-protected OOXML workbook (an OLE file with EncryptedPackage)."""
    shutil.copy(shared_fixture("realworld", "password-protected", "维修日报表.xlsx"), path)


def bare_ole(path: Path) -> None:
    """Changed with issue 10: a bare OLE header is no longer called password-protected."""
    path.write_bytes(bytes.fromhex("d0cf11e0a1b11ae1") + b"\x00" * 504)


def zip_bomb(path: Path) -> None:
    write_bomb(path, inflated_mb=60)
    assert path.stat().st_size < 200_000


def laughs_in_shared_strings(path: Path) -> None:
    sst = '<?xml version="1.0" encoding="UTF-8"?>' + LAUGHS + SST_NS + "<si><t>&lol9;</t></si></sst>"
    sheet = SHEET_HEAD.format(doctype="") + '<row r="1"><c r="A1" t="s"><v>0</v></c></row>' + SHEET_TAIL
    write_package(path, sheet, shared_strings=sst)


def laughs_in_sheet(path: Path) -> None:
    write_package(path, SHEET_HEAD.format(doctype=LAUGHS)
                  + '<row r="1"><c r="A1" t="inlineStr"><is><t>&lol9;</t></is></c></row>' + SHEET_TAIL)


def external_entity(path: Path) -> None:
    write_package(path, SHEET_HEAD.format(doctype=XXE)
                  + '<row r="1"><c r="A1" t="inlineStr"><is><t>&xxe;</t></is></c></row>' + SHEET_TAIL)


# (builder, code, words of the message): each is refused with its own message
CORPUS = [
    pytest.param(text_named_xlsx, "not_spreadsheet", "不是 zip", id="text-named-xlsx"),
    pytest.param(truncated_zip, "not_spreadsheet", "损坏的压缩包", id="truncated-zip"),
    pytest.param(encrypted, "encrypted", "密码", id="encrypted-ole"),
    pytest.param(bare_ole, "not_spreadsheet", "Excel 97-2003", id="bare-ole-header"),
    pytest.param(zip_bomb, "zip_bomb_ratio", "压缩炸弹", id="zip-bomb"),
    pytest.param(laughs_in_shared_strings, "xml_unsafe", "XML", id="billion-laughs-sharedStrings"),
    pytest.param(laughs_in_sheet, "xml_unsafe", "XML", id="billion-laughs-sheet"),
    pytest.param(external_entity, "xml_unsafe", "XML", id="external-entity"),
]


def never_expanded(*texts: str) -> None:
    for text in texts:
        assert "lollollol" not in text            # entities never expanded
        assert "root:x:" not in text              # external entities never fetched


@pytest.mark.parametrize(("build", "code", "says"), CORPUS)
def test_score_refuses_a_hostile_workbook(root, tmp_path, build: Callable[[Path], None], code, says):
    build(report_of(root))
    before = snapshot(tmp_path / "in")
    out = tmp_path / "out" / "评分表.xlsx"
    run = cli("score", str(root / CITY), "--format", "json", "--xlsx", str(out))
    never_expanded(run.stdout, run.stderr)
    assert_cannot_run(run, REPORT, code, says)      # any DTD is refused, never read as inert text
    assert not out.exists() and not out.parent.exists()
    table = cli("score", str(root / CITY))          # the same without --format json
    assert table.code == 2 and table.stdout == ""
    assert len(table.stderr.strip().splitlines()) == 1 and REPORT in table.stderr
    assert snapshot(tmp_path / "in") == before
    assert leftovers(tmp_path) == []


@pytest.mark.parametrize(("build", "code", "says"), CORPUS)
def test_batch_goes_on_past_a_hostile_city(root, tmp_path, build: Callable[[Path], None], code, says):
    build(report_of(root))
    before = snapshot(root)
    run = cli("batch", str(root), "--format", "json", "--jobs", "1")
    never_expanded(run.stdout, run.stderr)
    doc = json.loads(run.stdout)
    assert run.code == 3, run.stderr
    assert [c["city"] for c in doc["cities"]] == [OTHER]
    [failed] = doc["failed"]
    assert (failed["city"], failed["status"]) == (CITY, "error")
    assert "\n" not in failed["error"] and REPORT in failed["error"] and says in failed["error"]
    out = root / "_scores" / PERIOD
    assert sorted(p.name for p in out.iterdir()) == sorted(OUTPUTS)
    assert json.loads((out / "summary.json").read_text("utf-8")) == doc
    for name in OUTPUTS[1:]:
        never_expanded((out / name).read_text("utf-8"))
    assert snapshot(root) == before
    assert leftovers(tmp_path) == []


# --- the zip bomb: refused in under 100 MB ------------------------------------------

GUARD = textwrap.dedent("""
    import json, resource, sys
    import openpyxl, pandas, python_calamine                     # start-up is not the guard: import first
    import aftersales_cli.pipeline, aftersales_cli.report.summary, aftersales_cli.rubric.loader
    from typer.testing import CliRunner
    from aftersales_cli.cli import app
    CliRunner().invoke(app, ["rubric", "check", str(aftersales_cli.rubric.loader.default_rubric_path())])
    scale = 1 if sys.platform == "darwin" else 1024              # ru_maxrss: bytes on macOS, KiB on Linux
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * scale
    result = CliRunner().invoke(app, json.loads(sys.argv[1]))
    grew = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * scale - before
    print(json.dumps({"code": result.exit_code, "grew_mb": grew / 2**20,
                      "stdout": result.stdout}))
""")


def measure(*args: str) -> dict:
    """Run one command in a fresh process after its imports; its peak-memory growth."""
    proc = subprocess.run([sys.executable, "-c", GUARD, json.dumps(list(args))], capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("command", ["score", "batch"])
def test_zip_bomb_is_refused_in_under_100_mb(tmp_path, command):
    city = tmp_path / "root" / CITY / PERIOD
    city.mkdir(parents=True)
    zip_bomb(city / REPORT)                      # 60 MB of sheet XML in a ~60 kB file
    if command == "score":
        got = measure("score", str(city.parent), "--format", "json")
        assert got["code"] == 2 and json.loads(got["stdout"])["error"]["code"] == "zip_bomb_ratio"
    else:
        got = measure("batch", str(tmp_path / "root"), "--format", "json", "--jobs", "1",
                      "--out", str(tmp_path / "out"))
        assert got["code"] == 3 and "压缩炸弹" in json.loads(got["stdout"])["failed"][0]["error"]
    assert got["grew_mb"] < 100, got           # the time is measured by benchmarks/, not asserted here


# --- rubric files ---------------------------------------------------------------------------------

def shipped() -> str:
    return default_rubric_path().read_text("utf-8")


def rubric_unparseable(path: Path) -> Path:
    path.write_text("name: x\nversion: '2.0'\nsections:\n  - title: [unclosed\n", encoding="utf-8")
    return path


def _shipped_with(path: Path, old: str, new: str) -> Path:
    """The shipped rubric with one edit (which must apply)."""
    text = shipped()
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")
    return path


def rubric_unknown_metric(path: Path) -> Path:
    return _shipped_with(path, "{metric: orders, lt: min_orders}", "{metric: orderz, lt: min_orders}")


def rubric_points_do_not_add_up(path: Path) -> Path:
    return _shipped_with(path, "  - title: 服务基础建设\n    max: 15\n", "  - title: 服务基础建设\n    max: 16\n")


def rubric_not_a_mapping(path: Path) -> Path:
    path.write_text("- 只是\n- 一个列表\n", encoding="utf-8")
    return path


def rubric_binary(path: Path) -> Path:
    path.write_bytes(bytes.fromhex("d0cf11e0a1b11ae1") + bytes(range(256)) * 4)
    return path


def rubric_zip_bomb(path: Path) -> Path:
    write_bomb(path, inflated_mb=60)
    return path


RUBRICS = [   # the reasons in Chinese, the default language
    pytest.param(rubric_unparseable, "bad.yaml", "YAML 语法错误", id="does-not-parse"),
    pytest.param(rubric_unknown_metric, "bad.yaml", "未知指标", id="unknown-metric"),
    pytest.param(rubric_points_do_not_add_up, "bad.yaml", "合计", id="points-do-not-add-up"),
    pytest.param(rubric_not_a_mapping, "bad.yaml", "顶层应为映射", id="not-a-mapping"),
    pytest.param(rubric_binary, "bad.yaml", "无法读取", id="binary-file"),
    pytest.param(rubric_zip_bomb, "bad.xlsx", "", id="zip-bomb-as-rubric"),
]


@pytest.mark.parametrize("command", ["rubric check", "score", "batch"])
@pytest.mark.parametrize(("build", "name", "says"), RUBRICS)
def test_broken_rubric_exits_2_with_file_and_line_before_reading_data(root, tmp_path, command, build, name,
                                                                      says):
    rubric = build(tmp_path / "in" / name)
    before = snapshot(tmp_path / "in")
    out = tmp_path / "out"
    args = {"rubric check": ["rubric", "check", str(rubric)],
            "score": ["score", str(root / CITY), "--rubric", str(rubric), "--xlsx", str(out / "x.xlsx")],
            "batch": ["batch", str(root), "--rubric", str(rubric), "--out", str(out)]}[command]
    run = cli(*args, "--format", "json")
    error = assert_cannot_run(run, name, "rubric", says)
    assert f"{rubric}:" in error["message"]                        # file:line: …
    int(error["message"].split(f"{rubric}:")[1].split(":")[0])
    assert snapshot(tmp_path / "in") == before
    assert not out.exists() and not (root / "_scores").exists()
    assert leftovers(tmp_path) == []


def yaml_alias_bomb(levels: int = 9) -> list[str]:
    lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    lines += [f"a{i}: &a{i} [" + ",".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, levels)]
    return lines


@pytest.mark.parametrize("command", ["rubric check", "score", "batch"])
def test_rubric_yaml_alias_bomb_is_refused_quickly(root, tmp_path, command):
    """Nested YAML aliases (a "billion laughs" for YAML): refused with file and line, never walked
    (the line lookup once visited 9^9 nodes and hung)."""
    path = tmp_path / "bomb.yaml"
    path.write_text("\n".join(["name: x", "version: '2.0'", *yaml_alias_bomb()]) + "\n", encoding="utf-8")
    args = {"rubric check": ["rubric", "check", str(path)],
            "score": ["score", str(root / CITY), "--rubric", str(path)],
            "batch": ["batch", str(root), "--rubric", str(path), "--out", str(tmp_path / "out")]}[command]
    try:
        run = process(*args, "--format", "json", timeout=20)
    except subprocess.TimeoutExpired:
        pytest.fail(f"{command} of a YAML alias bomb still running after 20 s")
    assert_cannot_run(run, path.name, "rubric")
    assert not (tmp_path / "out").exists()


# --- cities.yaml ----------------------------------------------------------------------------------

CITIES = [
    pytest.param(f"{CITY}:\n  min_orders: 200\n  min_order: 100\n", 3, "min_order", id="unknown-parameter"),
    pytest.param(f"{CITY}:\n  min_orders: abc\n", 2, "应为数字", id="text-for-a-number"),
    pytest.param(f"{OTHER}:\n  turnover_formula: [average]\n", 2, "不在可选值中", id="list-for-text"),
    pytest.param(f"{CITY}:\n  min_orders: [unclosed\n", 3, "cities.yaml", id="does-not-parse"),
    pytest.param(f"{CITY}: 200\n", 1, "应为 参数: 值", id="city-not-a-mapping"),
    pytest.param(f"{CITY}:\n  min_orders: 200\n  min_orders: 5\n", 3, "重复的键「min_orders」", id="key-twice"),
    pytest.param(f"{CITY}:\n  min_orders: 200\n{CITY}:\n  min_orders: 5\n", 3, "重复的键", id="city-twice"),
]


@pytest.mark.parametrize("command", ["score", "batch"])
@pytest.mark.parametrize(("text", "line", "says"), CITIES)
def test_broken_cities_yaml_exits_2_with_file_and_line(root, tmp_path, command, text, line, says):
    (root / "cities.yaml").write_text(text, encoding="utf-8")
    before = snapshot(tmp_path / "in")
    out = tmp_path / "out"
    if command == "score":
        run = cli("score", str(root / CITY), "--format", "json", "--xlsx", str(out / "x.xlsx"))
    else:
        run = cli("batch", str(root), "--format", "json", "--out", str(out))
    error = assert_cannot_run(run, "cities.yaml", "cities_yaml", says)
    assert f"cities.yaml:{line}:" in error["message"]
    assert "评分中" not in run.stderr                               # nothing ran
    assert not out.exists() and not (root / "_scores").exists()
    assert snapshot(tmp_path / "in") == before


@pytest.mark.parametrize("command", ["score", "batch"])
def test_cities_yaml_alias_bomb_is_refused_quickly(root, tmp_path, command):
    bomb = [f"  {line}" for line in yaml_alias_bomb()]
    bomb[0] = bomb[0].replace("a0:", "min_orders:")                    # a known parameter holding the bomb
    (root / "cities.yaml").write_text("\n".join([f"{CITY}:", *bomb]) + "\n", encoding="utf-8")
    target = [str(root / CITY)] if command == "score" else [str(root), "--out", str(tmp_path / "out")]
    run = process(command, *target, "--format", "json", timeout=60)
    assert_cannot_run(run, "cities.yaml", "cities_yaml")
    assert not (tmp_path / "out").exists()


# --- outputs never overwrite inputs ---------------------------------------------------------------

def test_score_xlsx_onto_an_input_workbook_is_refused(root, tmp_path):
    before = snapshot(tmp_path / "in")
    target = root / CITY / PERIOD / "技师档案.xlsx"
    assert_cannot_run(cli("score", str(root / CITY), "--xlsx", str(target), "--format", "json"),
                      target.name, "output_is_input")
    link = tmp_path / "link.xlsx"
    link.symlink_to(target)
    assert_cannot_run(cli("score", str(root / CITY), "--xlsx", str(link), "--format", "json"),
                      link.name, "output_is_input")
    assert snapshot(tmp_path / "in") == before
    assert leftovers(tmp_path) == []


@pytest.mark.parametrize("name", ["评分表.csv", "评分表", "评分表.xls", "评分表.xlsx.txt"])
def test_score_xlsx_must_be_an_xlsx_name(root, tmp_path, name):
    out = tmp_path / "out" / name
    assert_cannot_run(cli("score", str(root / CITY), "--xlsx", str(out), "--format", "json"),
                      name, "output_suffix")
    assert not out.parent.exists()


@pytest.mark.parametrize("where", ["input-workbook", "city-folder", "month-folder", "cities-yaml"])
def test_batch_out_onto_an_input_is_refused_before_anything_runs(root, tmp_path, where):
    (root / "cities.yaml").write_text(f"{CITY}:\n  min_orders: 30\n", encoding="utf-8")
    target = {"input-workbook": report_of(root), "city-folder": root / CITY,
              "month-folder": root / CITY / PERIOD, "cities-yaml": root / "cities.yaml"}[where]
    before = snapshot(tmp_path / "in")
    run = cli("batch", str(root), "--out", str(target), "--format", "json")
    assert_cannot_run(run, target.name, "output_is_input")
    assert "评分中" not in run.stderr
    assert snapshot(tmp_path / "in") == before
    assert not (root / "_scores").exists() and leftovers(tmp_path) == []


def test_batch_out_onto_a_file_elsewhere_is_refused(root, tmp_path):
    target = tmp_path / "notes.txt"
    target.write_text("keep me", encoding="utf-8")
    assert_cannot_run(cli("batch", str(root), "--out", str(target), "--format", "json"), target.name,
                      "output_unwritable")
    assert target.read_text("utf-8") == "keep me"


def test_a_crash_while_writing_leaves_no_partial_output(root, tmp_path, monkeypatch):
    """Outputs go to a temporary file in the target folder and are renamed into place."""
    import aftersales_cli.report.summary as summary

    out = tmp_path / "out"
    out.mkdir()
    (out / "汇总.xlsx").write_bytes(b"last month's workbook")

    def exploding(result, path, *args):
        Path(path).write_bytes(b"PK\x03\x04 half a workbook")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(summary, "write_workbook", exploding)
    run = cli("batch", str(root), "--out", str(out), "--jobs", "1", "--format", "json")
    assert run.code == 2
    errors = [line for line in run.stderr.splitlines() if line.startswith("错误")]   # after the progress bar
    assert len(errors) == 1 and "汇总.xlsx" in errors[0] and "磁盘空间不足" in errors[0]   # the reason in Chinese
    assert json.loads(run.stdout)["error"]["code"] == "output_unwritable"
    assert (out / "汇总.xlsx").read_bytes() == b"last month's workbook"     # the old file, untouched
    assert sorted(p.name for p in out.iterdir()) == ["汇总.xlsx"]            # no temporary file, no half
    assert leftovers(tmp_path) == []


@pytest.mark.parametrize("command", ["batch", "score"])
def test_a_full_disk_while_the_workbook_is_zipped_is_the_one_line_error(root, tmp_path, monkeypatch, command):
    """XlsxWriter writes the package when the workbook is closed and wraps the OSError of a full
    disk in its own exception; the user still gets the one line naming the file and the reason in
    Chinese, exit 2, and the previous file untouched. The disk fills when a workbook's parts are
    zipped into the temporary file beside the output (reading the inputs never writes a zip)."""
    import errno
    import zipfile

    def full(self, *args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(zipfile.ZipFile, "write", full)
    monkeypatch.setattr(zipfile.ZipFile, "writestr", full)
    out = tmp_path / "out"
    out.mkdir()
    target = out / ("汇总.xlsx" if command == "batch" else "评分表.xlsx")
    target.write_bytes(b"last month's workbook")
    if command == "batch":
        run = cli("batch", str(root), "--out", str(out), "--jobs", "1", "--format", "json")
    else:
        city = next(p for p in sorted(root.iterdir()) if p.is_dir())
        run = cli("score", str(city), "--xlsx", str(target), "--format", "json")
    assert run.code == 2, run.stderr
    errors = [line for line in run.stderr.splitlines() if line.startswith("错误")]
    assert len(errors) == 1 and target.name in errors[0] and "磁盘空间不足" in errors[0], run.stderr
    assert "Traceback" not in run.stderr
    assert target.read_bytes() == b"last month's workbook"
    assert sorted(p.name for p in out.iterdir()) == [target.name]


# --- a city folder whose name is not UTF-8 (a zip made on a Chinese Windows machine) --------------

def gbk_city(root: Path, name: str = "湖州") -> Path:
    folder = Path(os.fsdecode(os.fsencode(str(root)) + b"/" + name.encode("gb18030")))
    try:
        shutil.copytree(root / OTHER, folder)
    except (OSError, UnicodeError):
        pytest.skip("this file system does not take names that are not UTF-8")
    return folder


def test_a_city_folder_name_that_is_not_utf8_does_not_stop_the_batch(root, tmp_path):
    gbk_city(root)
    before = snapshot(root)
    run = cli("batch", str(root), "--format", "json", "--jobs", "1")
    assert run.code == 0, run.stdout + run.stderr
    doc = json.loads(run.stdout)
    assert sorted(c["city"] for c in doc["cities"]) == sorted([CITY, OTHER, "湖州"])   # GB18030, not escapes
    out = root / "_scores" / PERIOD
    assert sorted(p.name for p in out.iterdir()) == sorted(OUTPUTS)
    for name in OUTPUTS[1:]:
        (out / name).read_bytes().decode("utf-8")                       # valid UTF-8 throughout
    assert "湖州" in openpyxl.load_workbook(out / "汇总.xlsx").sheetnames
    assert snapshot(root) == before


def test_a_city_folder_name_that_is_not_utf8_is_scored(root):
    """The Rust reader once got such a path mangled and said 'No such file or directory'."""
    folder = gbk_city(root)
    run = cli("score", str(folder), "--format", "json")
    assert run.code == 0, run.stdout
    assert json.loads(run.stdout)["total"] == 90


# --- formula injection and rich markup through names and rubric texts -----------------------------

def test_rubric_name_is_written_as_text(root, tmp_path):
    """The score sheet's title comes from the rubric, an input too: '=1+1' stays text."""
    rubric = tmp_path / "in" / "r.yaml"
    rubric.write_text(shipped().replace("name: 恒洁售后服务运营管理评分系统", 'name: "=1+1"', 1), encoding="utf-8")
    out = tmp_path / "out" / "评分表.xlsx"
    assert cli("score", str(root / CITY), "--rubric", str(rubric), "--xlsx", str(out)).code == 0
    batch = cli("batch", str(root), "--rubric", str(rubric), "--out", str(tmp_path / "out" / "batch"))
    assert batch.code == 0
    for path in (out, tmp_path / "out" / "batch" / "汇总.xlsx"):
        wb = openpyxl.load_workbook(path)
        assert [c.coordinate for ws in wb for row in ws.iter_rows() for c in row if c.data_type == "f"] == []
        assert any(c.value == "=1+1 2.0" for ws in wb for row in ws.iter_rows() for c in row)


def test_score_city_name_with_markup_does_not_crash(root):
    """A city name is never rich markup (`--city '[/x]'` once died with a MarkupError traceback)."""
    run = CliRunner().invoke(app, ["score", str(root / CITY), "--city", "[/x]"])
    assert run.exception is None or isinstance(run.exception, SystemExit), repr(run.exception)
    assert run.exit_code == 0 and "[/x]" in run.stdout


# --- property tests: text through set_text and the batch outputs ----------------------------------

def as_read_back(text: str):
    """What openpyxl gives back: XML-illegal control characters dropped, line ends normalised by the
    XML parser (CR LF and CR become LF), at most Excel's 32,767 characters, "" as an empty cell."""
    cleaned = ILLEGAL_CHARACTERS_RE.sub("", text)[:32767].replace("\r\n", "\n").replace("\r", "\n")
    return cleaned or None


hostile_text = st.tuples(st.sampled_from(["", "=", "+", "-", "@", "\t", "\r", " =", "'=", "=HYPERLINK("]),
                         st.text(max_size=60)).map("".join)


@settings(max_examples=30, deadline=None)
@given(texts=st.lists(hostile_text, min_size=1, max_size=5))
def test_set_text_never_makes_a_formula_and_round_trips(texts):
    from aftersales_cli.report.cellsafe import set_text

    wb = openpyxl.Workbook()
    ws = wb.active
    for j, text in enumerate(texts, start=1):
        set_text(ws.cell(1, j), text)
        set_text(ws.cell(2, j), "=" + text)
    buf = io.BytesIO()
    wb.save(buf)
    back = openpyxl.load_workbook(io.BytesIO(buf.getvalue())).active
    for j, text in enumerate(texts, start=1):
        for row, written in ((1, text), (2, "=" + text)):
            cell = back.cell(row, j)
            assert cell.data_type != "f"
            assert cell.value == as_read_back(written)


@pytest.fixture(scope="module")
def card(template) -> dict:
    run = cli("score", str(template / CITY), "--format", "json")
    assert run.code == 0
    return json.loads(run.stdout)


def csv_rows(path: Path) -> list[list[str]]:
    import csv
    text = path.read_bytes().decode("utf-8")
    return list(csv.reader(io.StringIO(text.lstrip("\ufeff"), newline="")))


def as_csv(text: str) -> str:
    return "'" + text if text.startswith(TRIGGERS) else text


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(city=hostile_text.filter(lambda t: t.strip()), value=hostile_text, reason=hostile_text)
def test_batch_outputs_keep_any_input_text_as_text(card, tmp_path_factory, city, value, reason):
    from aftersales_cli.batch import assemble
    from aftersales_cli.report.summary import write_outputs
    from aftersales_cli.rubric.loader import load_rubric

    finding = {"severity": "error", "code": "CE001", "dataset": "repair_report", "file": f"/x/{REPORT}",
               "sheet": "维修日报表", "cell": "E4", "header": "客户姓名", "value": value, "message": value}
    rows = [{**{k: v for k, v in card.items() if k not in ("city", "rubric")}, "city": city, "status": "ok",
             "findings": [finding]},
            {"city": "坏" + city, "status": "error", "error": reason}]
    result = assemble(PERIOD, load_rubric(), rows, [])
    out = tmp_path_factory.mktemp("prop")
    write_outputs(result, out, "zh")

    wb = openpyxl.load_workbook(out / "汇总.xlsx")
    for ws in wb.worksheets:
        for line in ws.iter_rows():
            for c in line:
                assert c.data_type != "f", (ws.title, c.coordinate, c.value)
        assert len(ws.title) <= 31 and not set("[]:*?/\\") & set(ws.title)
    ranking, findings = wb.worksheets[0], wb.worksheets[-1]
    assert ranking.cell(4, 2).value == as_read_back(city)            # data below the two header rows
    assert ranking.cell(5, 2).value == as_read_back("坏" + city)
    assert ranking.cell(5, ranking.max_column).value == as_read_back(reason)
    assert findings.cell(2, 1).value == as_read_back(city)
    assert findings.cell(2, 9).value == as_read_back(value)

    summary = csv_rows(out / "summary.csv")
    assert [r[1] for r in summary[1:]] == [as_csv(city), as_csv("坏" + city)]
    assert summary[2][-1] == as_csv(reason)
    found = csv_rows(out / "findings.csv")
    assert len(found) == 2 and found[1][0] == as_csv(city) and found[1][8] == as_csv(value)
    for r in summary + found:
        for field in r:
            assert not field.startswith(TRIGGERS)
    doc = json.loads((out / "summary.json").read_text("utf-8"))
    assert doc["cities"][0]["city"] == city and doc["failed"][0]["error"] == reason


@pytest.mark.skipif(sys.platform == "win32", reason="the POSIX C locale")
def test_a_file_name_the_system_encoding_cannot_spell_is_one_line(tmp_path):
    """Python's file-name encoding ASCII (`LANG=C LC_ALL=C` with UTF-8 mode off): the cities are
    read (their names come back escaped), but 汇总.xlsx cannot be named. That is one line naming the
    output and what to do, exit 2 — before, "internal error: UnicodeEncodeError" from the
    temporary file's name."""
    root = tmp_path / "root"
    generate(root, cities=1, orders=30, period=PERIOD, seed=2)
    env = {**os.environ, "PYTHONUTF8": "0", "LANG": "C", "LC_ALL": "C", "PYTHONCOERCECLOCALE": "0",
           "AFTERSALES_CACHE": str(tmp_path / "cache")}
    env.pop("PYTHONIOENCODING", None)
    run = subprocess.run([sys.executable, "-m", "aftersales_cli", "batch", str(root), "--out", str(tmp_path / "out"),
                          "--jobs", "1", "--lang", "en", "--format", "json"],
                         capture_output=True, env=env, cwd=Path(__file__).resolve().parent.parent)
    stderr = run.stderr.decode("ascii", "replace")
    assert run.returncode == 2, stderr
    assert json.loads(run.stdout)["error"]["code"] == "output_unwritable"
    errors = [line for line in stderr.splitlines() if line.startswith("error")]
    assert len(errors) == 1 and "cannot write" in errors[0] and "PYTHONUTF8=1" in errors[0], stderr
    assert "internal error" not in stderr and "Traceback" not in stderr
    assert list((tmp_path / "out").glob(".*.tmp")) == []
