"""The rubric language: the shipped rubric loads; broken rubrics are refused with file and line."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from aftersales_cli.cli import app
from aftersales_cli.rubric.loader import default_rubric_path, load_rubric

RUNNER = CliRunner()
SHIPPED = default_rubric_path()

IDS = ["1.1", "1.2", "1.3", "1.4", "1.5", "1.6", "1.7", "2", "3.1", "3.2", "4", "5.1", "5.2", "6",
       "7.1", "7.2", "8", "10.1", "10.2", "10.3", "11.1", "11.2", "11.3", "11.4", "11.5"]


def test_shipped_rubric_has_every_item_of_rubric_md():
    rubric = load_rubric()
    assert [c.id for _, _, c in rubric.criteria()] == IDS
    assert rubric.max == 90
    assert {s.title: s.max for s in rubric.sections} == {
        "服务基础建设": 15, "技师人员管理": 20, "数据管理": 20, "硬件建设": 15, "配件库管理": 20}
    maxima = {c.id: c.max for _, _, c in rubric.criteria()}
    assert maxima == {"1.1": 2, "1.2": 2, "1.3": 2, "1.4": 2, "1.5": 3, "1.6": 2, "1.7": 2, "2": 5,
                      "3.1": 2, "3.2": 4, "4": 3, "5.1": 3, "5.2": 3, "6": 20, "7.1": 8, "7.2": 2, "8": 5,
                      "10.1": 4, "10.2": 3, "10.3": 3, "11.1": 2, "11.2": 2, "11.3": 2, "11.4": 2, "11.5": 2}
    assert "ROW 9" in SHIPPED.read_text("utf-8")
    assert all(c.text for _, _, c in rubric.criteria())


def _broken(tmp_path: Path, edit) -> Path:
    data = yaml.safe_load(SHIPPED.read_text("utf-8"))
    edit(data)
    path = tmp_path / "broken.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), "utf-8")
    return path


def _line_of(path: Path, needle: str) -> int:
    for i, line in enumerate(path.read_text("utf-8").splitlines(), start=1):
        if needle in line:
            return i
    raise AssertionError(needle)


def _crit(data, cid):
    for s in data["sections"]:
        for item in s["items"]:
            for c in item["criteria"]:
                if str(c["id"]) == cid:
                    return s, item, c
    raise KeyError(cid)


def _unknown_metric(data):
    _crit(data, "4")[2]["rules"][1]["when"]["metric"] = "turnover_ratez"


def _criterion_too_big(data):
    _crit(data, "1.1")[2]["max"] = 20


def _section_sum(data):
    data["sections"][0]["max"] = 16


def _unknown_param(data):
    _crit(data, "6")[2]["rules"][1]["when"]["lt"] = "min_orderz"


def _bad_template(data):
    _crit(data, "6")[2]["rules"][-1]["reason"]["zh"] = "{orders.__class__}"


def _two_kinds(data):
    _crit(data, "1.1")[2]["rules"] = [{"points": 1, "reason": "x"}]


@pytest.mark.parametrize(("edit", "needle", "words"), [
    pytest.param(_unknown_metric, "turnover_ratez", "unknown metric", id="unknown-metric"),
    pytest.param(_criterion_too_big, None, "more than its item", id="criterion-over-item"),
    pytest.param(_section_sum, None, "add up to 15, not 16", id="section-sum"),
    pytest.param(_unknown_param, "min_orderz", "neither a number nor a parameter", id="unknown-param"),
    pytest.param(_bad_template, "orders.__class__", "plain name", id="attribute-in-template"),
    pytest.param(_two_kinds, None, "exactly one of", id="checklist-and-rules"),
])
def test_broken_rubric_is_refused_with_file_and_line(tmp_path, edit, needle, words):
    path = _broken(tmp_path, edit)
    result = RUNNER.invoke(app, ["rubric", "check", str(path), "--lang", "en"])
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    err = result.stderr.strip()
    assert len(err.splitlines()) == 1
    assert str(path) in err and words in err
    line = int(err.split(str(path) + ":")[1].split(":")[0])
    if needle:
        assert line == _line_of(path, needle)
    else:
        assert line > 1


def test_yaml_that_does_not_parse(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text("name: x\nversion: '2.0'\nsections:\n  - title: [unclosed\n", "utf-8")
    result = RUNNER.invoke(app, ["rubric", "check", str(path), "--format", "json"])
    assert result.exit_code == 2
    payload = json.loads(result.stdout)
    assert payload["error"]["path"] == str(path)
    assert ":5:" in payload["error"]["message"] or ":4:" in payload["error"]["message"]


def test_a_key_given_twice_is_refused_at_its_second_line(tmp_path):
    """PyYAML keeps the last of two equal keys without a word: the shipped rubric with its
    `params:` key written a second time (an empty map, line by construction) must be refused
    at that line, not score with its defaults silently gone."""
    text = SHIPPED.read_text("utf-8")
    path = tmp_path / "twice.yaml"
    path.write_text(text.rstrip("\n") + "\nparams: {}\n", "utf-8")
    second = len(text.rstrip("\n").splitlines()) + 1
    result = RUNNER.invoke(app, ["rubric", "check", str(path)])
    assert result.exit_code == 2
    assert f"twice.yaml:{second}:" in result.stderr
    assert "重复的键「params」" in result.stderr


def test_score_refuses_a_broken_rubric_before_reading_data(tmp_path):
    path = _broken(tmp_path, _unknown_metric)
    result = RUNNER.invoke(app, ["score", str(tmp_path / "does-not-exist"), "--rubric", str(path), "--lang", "en"])
    assert result.exit_code == 2
    assert "unknown metric" in result.stderr   # the rubric is checked before the (missing) data


def test_rubric_check_accepts_the_shipped_rubric():
    result = RUNNER.invoke(app, ["rubric", "check", str(SHIPPED)])
    assert result.exit_code == 0, result.output
    assert "90" in result.stdout


def test_rubric_show_lists_every_criterion():
    result = RUNNER.invoke(app, ["rubric", "show", "--format", "json"])
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    ids = [c["id"] for s in data["sections"] for i in s["items"] for c in i["criteria"]]
    assert ids == IDS


def test_params_values_are_checked_against_type_and_choices(tmp_path):
    city = tmp_path / "x"
    city.mkdir()
    bad = RUNNER.invoke(app, ["score", str(city), "--params", "turnover_formula=bogus"])
    assert bad.exit_code == 2 and "opening_plus_hires" in bad.stderr
    bad = RUNNER.invoke(app, ["score", str(city), "--params", "min_orders=abc", "--lang", "en"])
    assert bad.exit_code == 2 and "expected a number" in bad.stderr


def test_a_default_outside_its_choices_is_refused(tmp_path):
    path = tmp_path / "r.yaml"
    path.write_text(SHIPPED.read_text("utf-8").replace(
        "turnover_formula: opening_plus_hires", "turnover_formula: median"), "utf-8")
    result = RUNNER.invoke(app, ["rubric", "check", str(path), "--lang", "en"])
    assert result.exit_code == 2 and "not one of its choices" in result.stderr


# --- the checked-data cache: a warm run converts cached JSON, without YAML (pydantic never) --------

def _fresh_process(code: str, cache: Path) -> str:
    import os
    import subprocess
    import sys

    env = {**os.environ, "AFTERSALES_CACHE": str(cache)}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    return out.stdout.strip()


def test_a_warm_run_imports_neither_pydantic_nor_yaml(tmp_path):
    code = ("import sys\n"
            "from aftersales_cli.formats import load_formats\n"
            "from aftersales_cli.rubric.loader import load_rubric\n"
            "f = load_formats(); r = load_rubric()\n"
            "print(f['roster'].column('tech_id').header, r.max, 'pydantic' in sys.modules, 'yaml' in sys.modules)")
    assert _fresh_process(code, tmp_path) == "工号 90 False True"         # first run: YAML parsed, checked
    assert list(tmp_path.glob("*.json"))
    assert _fresh_process(code, tmp_path) == "工号 90 False False"        # then: from the cache


def test_a_broken_rubric_is_refused_every_time_never_cached(tmp_path, monkeypatch):
    from aftersales_cli.errors import RubricError

    monkeypatch.setenv("AFTERSALES_CACHE", str(tmp_path / "cache"))
    path = _broken(tmp_path, lambda d: d["sections"][0]["items"][0]["criteria"][0].update(max=-1))
    seen = []
    for _ in range(2):
        with pytest.raises(RubricError) as err:
            load_rubric(path)
        seen.append(err.value.message("en"))
    assert seen[0] == seen[1] and "broken.yaml:" in seen[0] and "criteria.0.max" in seen[0], seen


def test_records_are_read_only_and_a_rule_takes_only_its_kinds_options():
    from aftersales_cli.formats import dataset_format, load_formats
    from aftersales_cli.schema import SchemaError

    rubric = load_rubric()
    with pytest.raises(AttributeError):
        rubric.name = "other"
    data = load_formats()["parts_master"].to_dict()
    data["rules"].append({"rule": "unique", "field": "part_code", "code": "PM998", "option": 1})
    with pytest.raises(SchemaError, match=r"^rules\.1\.option: Extra inputs are not permitted$"):
        dataset_format(data)     # `option` would also hide the record's method of that name


# (the replacement of the shipped condition, words of the error) — a condition names exactly one kind and
# carries only that kind's operators; each mistake is refused on the condition's own line.
SHIPPED_CONDITION = "{metric: turnover_rate, le: turnover_good}"
CONDITION_MISTAKES = [
    pytest.param("{metric: turnover_rate}",
                 "a metric condition needs exactly one of lt, le, gt, ge, eq, ne", id="metric-without-operator"),
    pytest.param("{metric: turnover_rate, le: 1, gt: 0}",
                 "a metric condition needs exactly one of lt, le, gt, ge, eq, ne", id="metric-two-operators"),
    pytest.param("{le: turnover_good}",
                 "a condition needs exactly one of metric, param, dataset, all, any, not, checklist", id="no-kind"),
    pytest.param("{metric: turnover_rate, dataset: roster, le: 1}",
                 "a condition needs exactly one of metric", id="two-kinds"),
    pytest.param("{dataset: roster, le: 1}",
                 "'le' does not belong to a dataset condition", id="operator-on-dataset"),
    pytest.param("{metric: turnover_rate, le: turnover_good, lte: 1}",
                 "lte: unknown field (a typo?)", id="unknown-key"),
]


@pytest.mark.parametrize(("new", "words"), CONDITION_MISTAKES)
def test_a_malformed_condition_is_refused_with_its_line(tmp_path, new, words):
    old = SHIPPED_CONDITION
    text = SHIPPED.read_text("utf-8")
    assert text.count(old) == 1
    path = tmp_path / "r.yaml"
    path.write_text(text.replace(old, new), "utf-8")
    result = RUNNER.invoke(app, ["rubric", "check", str(path), "--lang", "en"])   # the words are the English catalogue's
    assert result.exit_code == 2
    err = result.stderr.strip()
    assert f"{path}:{_line_of(path, new)}:" in err and words in err, err
