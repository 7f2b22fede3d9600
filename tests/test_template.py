"""The blank templates (`aftersales template`): generated from the format YAML, read back clean."""
from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner

from aftersales_cli.cli import app
from aftersales_cli.formats import DATASETS, dataset_format, load_formats
from aftersales_cli.report.template import LIST_LIMIT, column_rule_text, template_workbook

NOTES = "填写说明"
TYPE_WORDS = {"text": "文本", "date": "日期", "int": "整数", "money": "金额", "enum": "枚举", "mobile": "手机号",
              "phone": "电话", "id_card": "身份证号", "code": "编码"}


def run(*args: str):
    return CliRunner().invoke(app, ["template", *args])


def validations(ws) -> dict[str, object]:
    """Column letter → its data validation."""
    out = {}
    for dv in ws.data_validations.dataValidation:
        for rng in dv.sqref.ranges:
            out[openpyxl.utils.get_column_letter(rng.min_col)] = dv
    return out


def notes_rows(wb) -> dict[str, tuple]:
    """Header → its row of the notes sheet (header, key, type, required, rule, aliases)."""
    ws = wb[NOTES]
    start = next(r for r in range(1, 10) if ws.cell(row=r, column=1).value == "列名")
    return {row[0]: row for row in ws.iter_rows(min_row=start + 1, values_only=True) if row[1]}


@pytest.fixture(scope="module")
def templates(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("templates")
    result = run("-o", str(out))
    assert result.exit_code == 0, result.output
    return out


def test_every_dataset_is_written_in_order(tmp_path):
    formats = load_formats()
    result = run("--out", str(tmp_path / "new"))          # the folder is created
    assert result.exit_code == 0, result.output
    expected = [tmp_path / "new" / f"{formats[d].sheet}.xlsx" for d in DATASETS]
    assert result.stdout.splitlines() == [f"已生成模板：{p}" for p in expected]
    assert sorted((tmp_path / "new").iterdir()) == sorted(expected)


@pytest.mark.parametrize("name", DATASETS)
def test_template_sheet(templates, name):
    fmt = load_formats()[name]
    wb = openpyxl.load_workbook(templates / f"{fmt.sheet}.xlsx")
    assert wb.sheetnames[:2] == [fmt.sheet, NOTES]
    ws = wb[fmt.sheet]
    assert [c.value for c in ws[1]] == [("*" if c.required else "") + c.header for c in fmt.columns]
    assert ws.freeze_panes == "A2"
    assert ws["A1"].font.b
    dvs = validations(ws)
    for j, col in enumerate(fmt.columns, start=1):
        letter = openpyxl.utils.get_column_letter(j)
        assert ws.column_dimensions[letter].width == col.width
        cell = ws[f"{letter}2"]
        if col.type == "enum":
            dv = dvs[letter]
            assert dv.type == "list" and dv.formula1 == '"' + ",".join(col.values) + '"'
            assert [r.coord for r in dv.sqref.ranges] == [f"{letter}2:{letter}1001"]
        if col.type == "date":
            assert cell.number_format == "yyyy-mm-dd" and dvs[letter].type == "date"
        if col.type in ("text", "id_card", "mobile", "phone", "code"):
            assert cell.number_format == "@" and letter not in dvs
        if col.type == "int":
            assert cell.number_format == "0" and dvs[letter].type == "whole"


@pytest.mark.parametrize("name", DATASETS)
def test_notes_sheet_describes_every_column(templates, name):
    fmt = load_formats()[name]
    wb = openpyxl.load_workbook(templates / f"{fmt.sheet}.xlsx")
    rows = notes_rows(wb)
    assert list(rows) == [c.header for c in fmt.columns]
    for col in fmt.columns:
        _header, key, kind, required, rule, aliases = rows[col.header][:6]
        assert key == col.key and kind == TYPE_WORDS[col.type]
        assert required == ("是" if col.required else "条件" if col.required_if else "否")
        for value in col.values:
            assert value in rule
        for alias, target in col.value_aliases.items():
            assert f"{alias}→{target}" in rule
        if col.min is not None:
            assert f"不小于 {col.min}" in rule
        assert (aliases or "") == "、".join(col.aliases)
    names = "\n".join(str(c.value) for c in wb[NOTES]["A"] if c.value)
    for alias in fmt.aliases:
        assert alias in names


def test_rules_in_words():
    fmt = load_formats()["repair_report"]
    rows = {c.key: column_rule_text(fmt, c, "zh") for c in fmt.columns}
    assert "「服务类型」为「维修」时必填" in rows["fault"]
    assert "填写了「使用配件编码」时必填" in rows["part_qty"]
    assert "须是技师档案中已有的「工号」" in rows["tech_id"]
    assert "须与技师档案中同一「技师工号」的「姓名」一致" in rows["tech_name"]
    assert "不得重复" in rows["order_no"]
    assert "不得早于「服务日期」" in rows["completion_date"]
    assert "与「服务日期」相隔不得超过 1 天" in rows["report_date"]
    for key in ("service_date", "report_date"):         # the rule's field, and the cell it sits on
        assert "「服务日期」不得晚于「填报日期」" in rows[key]
    assert "须在本期" in rows["service_date"]
    en = column_rule_text(fmt, fmt.column("fault"), "en")
    assert "Required when '服务类型' is 「维修」" in en


def test_blank_templates_read_back(templates):
    result = CliRunner().invoke(app, ["validate", str(templates), "--format", "json"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert set(doc["datasets"]) == set(DATASETS)
    assert all(d["header_row"] == 1 and d["rows"] == 0 for d in doc["datasets"].values())
    codes = {(f["code"], f["severity"]) for f in doc["findings"]}
    # empty datasets skip the cross-checks against them (rubric.md "Empty datasets": RD010); the
    # templates' own 填写说明 sheets are not "unrecognised" (no RD013)
    assert codes <= {("RD012", "warning"), ("RD010", "info")}
    assert doc["summary"]["error"] == 0
    assert sum(f["code"] == "RD012" for f in doc["findings"]) == len(DATASETS)


def test_named_datasets_only(tmp_path):
    result = run("roster", "维修日报表", "-o", str(tmp_path))
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["技师档案.xlsx", "维修日报表.xlsx"]
    assert result.stdout.splitlines() == [f"已生成模板：{tmp_path / '技师档案.xlsx'}",
                                          f"已生成模板：{tmp_path / '维修日报表.xlsx'}"]


def test_unknown_dataset_exits_2(tmp_path):
    result = run("repairs", "-o", str(tmp_path))
    assert result.exit_code == 2
    assert "未知的数据表「repairs」" in result.output and "repair_report" in result.output
    assert list(tmp_path.iterdir()) == []


def test_existing_file_is_not_overwritten_without_force(tmp_path):
    target = tmp_path / "技师档案.xlsx"
    target.write_bytes(b"filled in by a clerk")
    result = run("roster", "-o", str(tmp_path))
    assert result.exit_code == 2 and "--force" in result.output
    assert target.read_bytes() == b"filled in by a clerk"
    result = run("roster", "-o", str(tmp_path), "--force")
    assert result.exit_code == 0
    assert openpyxl.load_workbook(target).sheetnames[0] == "技师档案"
    assert [p.name for p in tmp_path.iterdir()] == ["技师档案.xlsx"]      # no temporary file left


def test_english_notes(tmp_path):
    result = run("inspection", "-o", str(tmp_path), "--lang", "en")
    assert result.exit_code == 0
    assert "Template written" in result.stdout
    wb = openpyxl.load_workbook(tmp_path / "现场检查.xlsx")
    ws = wb[NOTES]
    head = next(r for r in ws.iter_rows(values_only=True) if r[0] == "Column")
    assert head[:4] == ("Column", "Key", "Type", "Required")
    assert wb["现场检查"]["A1"].value == "*检查项编码"


def test_a_yaml_change_shows_without_code_change():
    """A column, value, alias and rule added to the YAML appear in the template as they are."""
    data = load_formats()["parts_master"].to_dict()
    many = [f"类别{i:03d}" for i in range(80)]                       # too long for an inline list
    data["columns"].append({"key": "brand", "header": "品牌", "aliases": ["牌子"], "type": "enum",
                            "values": ["恒洁", "其他品牌"], "value_aliases": {"HEGII": "恒洁"}, "width": 9})
    data["columns"].append({"key": "family", "header": "系列", "type": "enum", "values": many, "width": 11})
    data["rules"].append({"rule": "unique", "field": "brand", "code": "PM001"})
    fmt = dataset_format(data)
    wb = template_workbook(fmt, "zh")
    ws = wb["配件档案"]
    assert [c.value for c in ws[1]][-2:] == ["品牌", "系列"]
    assert ws.column_dimensions["G"].width == 9
    dvs = validations(ws)
    assert dvs["G"].formula1 == '"恒洁,其他品牌"'
    assert len(",".join(many)) > LIST_LIMIT
    lists = wb[dvs["H"].formula1.split("!")[0].strip("'")]
    assert wb.sheetnames == ["配件档案", NOTES, lists.title]
    assert lists.sheet_state == "hidden"
    assert [lists.cell(row=i + 1, column=1).value for i in range(80)] == many
    assert dvs["H"].formula1.endswith("!$A$1:$A$80")
    rows = notes_rows(wb)
    assert rows["品牌"][5] == "牌子"
    assert "HEGII→恒洁" in rows["品牌"][4] and "不得重复" in rows["品牌"][4]
