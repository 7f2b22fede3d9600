"""The format files are checked as strictly as the rubric (formats.md; issue 12 parts 1–2).

Every test edits a COPY of the shipped formats in a temporary folder and runs the real command
(`formats check`, `validate --formats`, `score --formats`); expected lines are found in the edited
file by its text, expected findings are built into the data by the test.
"""
from __future__ import annotations

import datetime as dt
import re
import shutil
from importlib import resources
from pathlib import Path

import pytest
import yaml
from citykit import cli, edit

from aftersales_cli.formats import FILES
from aftersales_cli.metrics import compute_facts
from aftersales_cli.pipeline import score_path, validate_path
from aftersales_cli.run import build_run

SHIPPED = Path(str(resources.files("aftersales_cli.formats")))
NINGBO = Path(__file__).resolve().parents[1] / "sample_data" / "宁波市" / "2026-11"   # every kind of defect


def copy_formats(tmp_path: Path) -> Path:
    folder = tmp_path / "formats"
    folder.mkdir()
    for name in FILES:
        shutil.copy(SHIPPED / f"{name}.yaml", folder / f"{name}.yaml")
    return folder


def replace_in(path: Path, old: str, new: str) -> None:
    text = path.read_text("utf-8")
    assert text.count(old) == 1, f"{old!r} must occur once in {path.name}"
    path.write_text(text.replace(old, new), "utf-8")


def line_of(path: Path, needle: str) -> int:
    lines = [i for i, line in enumerate(path.read_text("utf-8").splitlines(), 1) if needle in line]
    assert len(lines) == 1, needle
    return lines[0]


def test_shipped_formats_check():
    run = cli("formats", "check")
    assert run.code == 0 and "格式文件有效" in run.stdout
    assert cli("formats", "check", "--lang", "en").stdout.startswith("✔ formats: the formats are valid")


# (file, text in the shipped file, its replacement, the text on the line the error must name, words)
MISTAKES = [
    pytest.param("repair_report", "other: service_date, code: RR006",
                 "ohter: service_date, code: RR006", "ohter: service_date", "ohter", id="unknown-key"),
    pytest.param("parts_ledger", "{rule: exists_in, field: order_no",
                 "{rule: exist_in, field: order_no", "exist_in", "'exist_in' does not match any of the expected tags",
                 id="unknown-rule"),
    pytest.param("roster", "{rule: unique, field: id_card, code: RO002}",
                 "{rule: unique, field: id_number, code: RO002}", "id_number", "unknown field 'id_number'",
                 id="unknown-field"),
    pytest.param("parts_plan", "ref: parts_master.part_code, code: PP001",
                 "ref: parts_master.part_no, code: PP001", "part_no", "unknown field 'part_no' of parts_master",
                 id="unknown-ref-field"),
    pytest.param("stocktake", "code: ST002}", "code: ST099}", "ST099", "unknown finding code 'ST099'",
                 id="unknown-code"),
    pytest.param("parts_master", "type: int, min: 0, width: 10}", "type: int, min: 0, width: wide}",
                 "width: wide", "width: expected a whole number", id="wrong-type"),
    pytest.param("roster", "required: true, width: 10}\n  - {key: name",
                 "required: yes please, width: 10}\n  - {key: name", "yes please", "required: expected true or false",
                 id="wrong-type-bool"),
    pytest.param("repair_report", "checks: [copied_rows]", "checks: [copied_row]", "copied_row",
                 "unknown check 'copied_row'", id="unknown-check"),
    pytest.param("training_log", "roles: {dealer: [经销商培训]", "roles: {dealer: [经销商内训]", "经销商内训]",
                 "role 'dealer' names unknown value '经销商内训'", id="role-unknown-value"),
    pytest.param("parts_ledger", "      issue: [出库]\n", "", "checks: [", "needs the role 'issue'",
                 id="role-missing-for-check"),
    pytest.param("parts_ledger", "      issue: [出库]\n", "      issue: [出库]\n      isue: [盘亏]\n", "isue:",
                 "no check or metric reads a role 'isue'", id="role-nothing-reads"),
    pytest.param("stocktake", "count_window: {last_days: 7, next_days: 5}", "count_window: {last_days: 7}",
                 "count_window:", "next_days", id="window-incomplete"),
    pytest.param("common", "header_search_rows: 20 ", "header_search_rows: twenty ", "twenty", "header_search_rows: expected a whole number",
                 id="wrong-type-common"),
    pytest.param("inspection", "roles: {pass: [是], fail: [否]}", "roles: {fail: [否]}", "name: inspection",
                 "the metrics needs the role 'pass'", id="role-missing-for-metric"),
]


@pytest.mark.parametrize(("name", "old", "new", "at", "words"), MISTAKES)
def test_every_kind_of_mistake_is_refused_with_file_and_line(tmp_path, name, old, new, at, words):
    folder = copy_formats(tmp_path)
    path = folder / f"{name}.yaml"
    replace_in(path, old, new)
    run = cli("formats", "check", str(folder), "--lang", "en")
    assert run.code == 2
    err = run.stderr.strip()
    assert len(err.splitlines()) == 1, err
    assert f"{path}:{line_of(path, at)}:" in err and words in err, err
    # the same formats cannot be used by a command either
    assert cli("validate", str(NINGBO), "--formats", str(folder)).code == 2


def test_a_folder_with_an_unknown_file_or_none_at_all_is_refused(tmp_path):
    folder = copy_formats(tmp_path)
    (folder / "repair-report.yaml").write_text("name: repair_report\n", "utf-8")
    run = cli("formats", "check", str(folder))
    assert run.code == 2 and "repair-report.yaml" in run.stderr
    assert cli("formats", "check", str(tmp_path / "nowhere")).code == 2


def test_a_rule_parameter_the_rubric_lacks_is_refused_before_reading(tmp_path):
    folder = copy_formats(tmp_path)
    replace_in(folder / "repair_report.yaml", "param: max_report_lag_days", "param: max_report_lag")
    assert cli("formats", "check", str(folder)).code == 0          # the formats alone are well formed
    run = cli("validate", str(NINGBO), "--formats", str(folder))
    assert run.code == 2 and "max_report_lag" in run.stderr and "max_report_lag_days" in run.stderr


def test_a_format_edit_changes_validation(tmp_path, city):
    """Drop 保养 from 服务类型 in a copy: every 保养 row of the clean city becomes CE050, nothing else."""
    with edit(city, "repair_report") as t:
        expected = sorted(t.where("服务类型", "保养"))
    assert expected, "the sample city has 保养 rows"
    folder = copy_formats(tmp_path)
    replace_in(folder / "repair_report.yaml", "values: [安装, 维修, 保养, 其他]", "values: [安装, 维修, 其他]")
    replace_in(folder / "repair_report.yaml", ", 保养服务: 保养}", "}")
    shipped = validate_path(city)
    edited = validate_path(city, run=build_run(folder))
    assert [f for f in shipped.findings if f.code == "CE050"] == []
    rows = sorted(f.row for f in edited.findings if f.code == "CE050" and f.header == "服务类型")
    assert rows == expected
    assert len(edited.findings) == len(shipped.findings) + len(expected)
    # score and batch (a worker process builds the same context) read the same edited formats
    import json
    errors = lambda *a: json.loads(cli(*a, "--format", "json").stdout)  # noqa: E731
    assert errors("score", str(city), "--formats", str(folder))["findings_summary"]["error"] == \
        errors("score", str(city))["findings_summary"]["error"] + len(expected)
    root = city.parents[1]
    shutil.copytree(city, root / "第二市" / "2026-11")               # two cities: two worker processes
    batch = lambda *a: errors("batch", str(root), "-j", "2", "--out", str(root.parent / "out"), *a)  # noqa: E731
    summary = lambda doc: [c["findings_summary"]["error"] for c in doc["cities"]]  # noqa: E731
    assert summary(batch("--formats", str(folder))) == [n + len(expected) for n in summary(batch())]


def _renamed(folder: Path, name: str, key: str, old: str, new: str) -> None:
    """Rename enum value `old` of column `key` to `new` in the copy: values, aliases, roles and
    required_if conditions; the old spelling becomes an alias, so the same data reads the same."""
    path = folder / f"{name}.yaml"
    data = yaml.safe_load(path.read_text("utf-8"))
    swap = lambda v: new if v == old else v   # noqa: E731
    for col in data["columns"]:
        if col["key"] == key:
            col["values"] = [swap(v) for v in col["values"]]
            col["value_aliases"] = {a: swap(v) for a, v in col.get("value_aliases", {}).items() if a != new}
            col["value_aliases"][old] = new
            col["roles"] = {r: [swap(v) for v in vs] for r, vs in col.get("roles", {}).items()}
        cond = col.get("required_if") or {}
        if cond.get("field") == key and "in" in cond:
            cond["in"] = [swap(v) for v in cond["in"]]
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), "utf-8")


def test_renaming_enum_values_in_the_formats_keeps_every_metric(tmp_path):
    """The values the metrics and checks give a meaning to, renamed in a copy (nothing else)."""
    folder = copy_formats(tmp_path)
    for name, key, old, new in [("training_log", "type", "经销商培训", "经销商专项培训"),
                                ("training_log", "type", "分销专场培训", "分销商专场培训"),
                                ("inspection", "result", "是", "合格"),
                                ("inspection", "result", "否", "不合格"),
                                ("roster", "status", "离职", "离岗"),
                                ("parts_ledger", "type", "出库", "领料出库"),
                                ("parts_ledger", "type", "期初", "期初结存")]:
        _renamed(folder, name, key, old, new)
    assert cli("formats", "check", str(folder)).code == 0
    shipped_card, shipped = score_path(NINGBO)
    renamed_card, renamed = score_path(NINGBO, run=build_run(folder))
    facts = compute_facts(shipped, shipped.params, build_run().formats)
    assert facts.metrics["trainings_dealer"] > 0 and facts.metrics["fifo_violations"] > 0
    assert "pass" in facts.checklist.values() and "fail" in facts.checklist.values()
    assert compute_facts(renamed, renamed.params, build_run(folder).formats) == facts
    # the same scores; the old spellings, now aliases, only add format notes (non-standard value),
    # which the fix list names too (the 否 of 1.4 becomes a CE051 at its cell)
    same = {"findings_summary": None, "fixes": None}
    assert {**renamed_card.to_dict(), **same} == {**shipped_card.to_dict(), **same}
    assert [(e["id"], e["regain"]) for e in renamed_card.fixes] == [(e["id"], e["regain"]) for e in shipped_card.fixes]
    errors = lambda r: sorted((f.code, f.dataset, f.row) for f in r.findings if f.severity != "format")  # noqa: E731
    assert errors(renamed) == errors(shipped)


def test_a_new_ledger_type_that_subtracts_gets_balance_and_fifo_checks(tmp_path, city):
    """调拨出库 declared in a copy as a type that subtracts and is an issue: the walk treats it so."""
    with edit(city, "parts_master") as m:
        part = m.get(m.rows[0], "配件编码")
        name = m.get(m.rows[0], "配件名称")
    rows = [(1, "期初", "B1", 5, 5), (2, "入库", "B2", 5, 10),
            (3, "调拨出库", "B2", 2, 8),      # B1 is older and has stock: FIFO (PL009)
            (4, "调拨出库", "B1", 1, 9)]      # 8 − 1 = 7, not 9: balance (PL006, expected 7)
    with edit(city, "parts_ledger") as t:
        t.clear()
        at = [t.append({"日期": dt.date(2026, 11, day), "单据号": f"D{day}", "配件编码": part, "配件名称": name,
                        "批次号": batch, "类型": kind, "数量": qty, "结存": balance, "经办人": None})
              for day, kind, batch, qty, balance in rows]
    folder = copy_formats(tmp_path)
    replace_in(folder / "parts_ledger.yaml", "values: [期初, 入库, 出库, 退库, 盘盈, 盘亏]",
               "values: [期初, 入库, 出库, 调拨出库, 退库, 盘盈, 盘亏]")
    replace_in(folder / "parts_ledger.yaml", "subtracts: [出库, 盘亏]", "subtracts: [出库, 调拨出库, 盘亏]")
    replace_in(folder / "parts_ledger.yaml", "issue: [出库]", "issue: [出库, 调拨出库]")
    ledger = lambda result: [(f.code, f.row, f.params.get("expected")) for f in result.findings  # noqa: E731
                             if f.dataset == "parts_ledger" and f.code in ("CE050", "PL006", "PL009", "PL010")]
    assert ledger(validate_path(city, run=build_run(folder))) == [("PL009", at[2], None), ("PL006", at[3], 7)]
    shipped = ledger(validate_path(city))
    assert ("CE050", at[2], None) in shipped and not any(code == "PL009" for code, _, _ in shipped)


# --- one run context: validate and score read the same parameters and checklist -------------------

def _late_entries(city: Path, *args: str) -> list[int]:
    import json
    run = cli("validate", str(city), "--format", "json", *args)
    assert run.code in (0, 1), run.stderr
    return [f["row"] for f in json.loads(run.stdout)["findings"] if f["code"] == "RR008"]


def test_validate_takes_the_same_parameters_as_score(city):
    """A report entered 2 days after the service: late under the rubric's 1 day, on time under 2."""
    with edit(city, "repair_report") as t:
        row = t.rows[0]
        t.set(row, "填报日期", t.get(row, "服务日期") + dt.timedelta(days=2))
    assert _late_entries(city) == [row]
    assert _late_entries(city, "--params", "max_report_lag_days=2") == []
    (city.parents[1] / "cities.yaml").write_text("测试市: {max_report_lag_days: 2}\n", "utf-8")
    assert _late_entries(city) == []                                   # the cities.yaml score reads too
    assert _late_entries(city, "--params", "max_report_lag_days=1") == [row]     # --params wins
    assert cli("validate", str(city), "--params", "max_report_lagdays=2").code == 2


def test_validate_reads_the_checklist_of_the_rubric_it_is_given(tmp_path, city):
    """An inspection row with a code only an edited rubric lists: IN001 with the shipped rubric only."""
    with edit(city, "inspection") as t:
        row = t.rows[0]
        t.set(row, "检查项编码", "12.1")
    rubric = tmp_path / "rubric.yaml"
    shipped = (Path(__file__).resolve().parents[1] / "rubrics" / "hegii-2.0.yaml").read_text("utf-8")
    rubric.write_text(shipped.replace('checklist:\n', 'checklist:\n  "12.1": 新检查项\n', 1), "utf-8")
    import json
    codes = lambda *a: [(f["code"], f["row"]) for f in json.loads(  # noqa: E731
        cli("validate", str(city), "--format", "json", *a).stdout)["findings"] if f["code"] == "IN001"]
    assert codes() == [("IN001", row)]
    assert codes("--rubric", str(rubric)) == []


def test_a_wrong_column_type_or_rule_kind_names_what_is_allowed(tmp_path):
    # the column types are the nine of formats.md's type table; the rule kinds those of the shipped formats
    folder = copy_formats(tmp_path)
    path = folder / "parts_master.yaml"
    replace_in(path, "type: int, min: 0, width: 10}", "type: integer, min: 0, width: 10}")
    err = cli("formats", "check", str(folder), "--lang", "en").stderr.strip()
    assert f"{path}:{line_of(path, 'type: integer')}:" in err and "'integer' should be one of" in err, err
    for kind in ("text", "date", "int", "money", "enum", "mobile", "phone", "id_card", "code"):
        assert f"'{kind}'" in err, (kind, err)

    (tmp_path / "again").mkdir()
    folder = copy_formats(tmp_path / "again")
    path = folder / "parts_ledger.yaml"
    replace_in(path, "{rule: exists_in, field: order_no", "{rule: exist_in, field: order_no")
    err = cli("formats", "check", str(folder), "--lang", "en").stderr.strip()
    assert "expected tags:" in err and "'exists_in'" in err and "'matches_ref'" in err, err


# --- the user's language: Chinese by default, English with --lang en (cli.md; issue 12d) ----------

#: Three or more English words in a row: a sentence (msgspec's, or an English catalogue text).
ENGLISH_SENTENCE = re.compile(r"[A-Za-z]{2,}(?: [A-Za-z]{2,}){2,}")
CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.mark.parametrize(("name", "old", "new", "at", "words"), MISTAKES)
def test_every_mistake_is_said_in_chinese_by_default(tmp_path, name, old, new, at, words):
    folder = copy_formats(tmp_path)
    path = folder / f"{name}.yaml"
    replace_in(path, old, new)
    err = cli("formats", "check", str(folder)).stderr.strip()
    prefix = f"{path}:{line_of(path, at)}: 格式文件有误："
    assert prefix in err and len(err.splitlines()) == 1, err
    detail = err.split(prefix, 1)[1]
    assert CJK.search(detail) and not ENGLISH_SENTENCE.search(detail), detail
    assert " " not in words or words not in detail      # the English text of the same mistake


def test_a_wrong_type_and_a_bound_in_both_languages(tmp_path):
    """The generic schema texts (schema.problem.*): the type of `width`, the bound of a share."""
    folder = copy_formats(tmp_path)
    path = folder / "common.yaml"
    text = path.read_text("utf-8")
    share = re.search(r"^header_match_share: .*$", text, re.M).group(0)
    replace_in(path, share, "header_match_share: 1.5")
    line = line_of(path, "header_match_share: 1.5")
    zh = cli("formats", "check", str(folder)).stderr.strip()
    en = cli("formats", "check", str(folder), "--lang", "en").stderr.strip()
    assert zh.endswith(f"{path}:{line}: 格式文件有误：header_match_share：应为不大于 1 的数"), zh
    assert en.endswith(f"{path}:{line}: broken format file: header_match_share: expected a number of at most 1"), en


def test_a_yaml_error_and_a_wrong_name_in_both_languages(tmp_path):
    folder = copy_formats(tmp_path)
    path = folder / "roster.yaml"
    replace_in(path, "name: roster\n", "name: rooster\n")
    line = line_of(path, "name: rooster")
    assert cli("formats", "check", str(folder)).stderr.strip().endswith(
        f"{path}:{line}: 格式文件有误：name 为「rooster」，但文件是 roster.yaml（应为「roster」）")
    assert cli("formats", "check", str(folder), "--lang", "en").stderr.strip().endswith(
        f"{path}:{line}: broken format file: name: 'rooster' in roster.yaml (expected 'roster')")
    path.write_text("- just\n- a list\n", "utf-8")
    assert cli("formats", "check", str(folder)).stderr.strip().endswith(f"{path}:1: 格式文件有误：顶层应为映射（键: 值）")


def test_a_wrong_value_inside_a_mapping_names_the_mapping(tmp_path):
    """msgspec does not name a mapping's key (`roles[...]`): the path stops at `roles`, in both languages."""
    # `type` (whose roles hold issue) is the sixth column (index 5) of parts_ledger.yaml
    folder = copy_formats(tmp_path)
    path = folder / "parts_ledger.yaml"
    replace_in(path, "      issue: [出库]\n", "      issue: 出库\n")
    zh = cli("formats", "check", str(folder)).stderr.strip()
    en = cli("formats", "check", str(folder), "--lang", "en").stderr.strip()
    assert zh.endswith("格式文件有误：columns.5.roles：应为列表") and f"{path}:" in zh, zh
    assert en.endswith("broken format file: columns.5.roles: expected a list"), en
