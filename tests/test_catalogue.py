"""The message catalogue (messages.yaml) against the package that uses it.

Every finding code is complete (name, severity, zh, en), every code the package mentions is in the
catalogue and every catalogued code is used; templates render with the parameters their emitters
pass; every `ui` key the package names exists in both languages; `--lang en` speaks English except
in the values it quotes from the data.
"""
from __future__ import annotations

import json
import re
import shutil
import string
from collections import Counter
from pathlib import Path

import pytest

import aftersales_cli
from citykit import RUNNER, edit
from aftersales_cli import i18n
from aftersales_cli.cli import app
from aftersales_cli.formats import load_formats
from aftersales_cli.pipeline import validate_path
from aftersales_cli.core.finding import SEVERITIES, display

PKG = Path(aftersales_cli.__file__).resolve().parent
SAMPLES = PKG.parent / "sample_data"
NINGBO = SAMPLES / "宁波市" / "2026-11"          # the sample with every kind of defect
HANGZHOU = SAMPLES / "杭州市" / "2026-11"        # clean, standard layout
WENZHOU = SAMPLES / "温州市" / "2026-11"         # layout quirks: info notes

CATALOGUE = i18n.catalogue()
FINDINGS = CATALOGUE["findings"]
UI = CATALOGUE["ui"]

CODE = re.compile(r"(?<![A-Za-z0-9])[A-Z]{2}\d{3}(?![0-9])")
UI_CALL = re.compile(r"""\b(?:text|_text_or|AftersalesError|RubricError)\(\s*(f?)(["'])([^"'\n]+)\2""")
CJK = re.compile(r"[\u2e80-\u2fff\u3000-\u303f\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]")
QUOTED = re.compile(r"(?<![A-Za-z])'[^']*'")   # '…' quotes a value; the ' of "roster's" does not open one


def placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def package_sources() -> dict[Path, str]:
    """The .py files of the package and its format YAML files (the catalogue itself left out)."""
    files = sorted(PKG.rglob("*.py")) + sorted((PKG / "formats").glob("*.yaml"))
    return {f: f.read_text("utf-8") for f in files}


# --- the entries ---------------------------------------------------------------------------------

@pytest.mark.parametrize("code", sorted(FINDINGS))
def test_finding_entry_is_complete(code):
    entry = FINDINGS[code]
    assert re.fullmatch(r"[A-Z]{2}\d{3}", code)
    assert set(entry) == {"name", "severity", "zh", "en"}
    assert isinstance(entry["name"], str) and re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", entry["name"])
    assert entry["severity"] in SEVERITIES
    for lang in ("zh", "en"):
        assert isinstance(entry[lang], str) and entry[lang].strip()
    assert CJK.search(entry["zh"])
    assert placeholders(entry["zh"]) == placeholders(entry["en"])


def test_finding_names_are_unique():
    names = Counter(e["name"] for e in FINDINGS.values())
    assert {n: c for n, c in names.items() if c > 1} == {}


@pytest.mark.parametrize("key", sorted(UI))
def test_ui_entry_has_both_languages(key):
    entry = UI[key]
    assert set(entry) == {"zh", "en"}
    assert all(isinstance(entry[lang], str) and entry[lang] for lang in ("zh", "en"))
    assert placeholders(entry["zh"]) == placeholders(entry["en"])


# --- codes: referenced ⇔ catalogued ------------------------------------------------------------------

@pytest.fixture(scope="module")
def referenced() -> dict[str, list[str]]:
    where: dict[str, list[str]] = {}
    for path, text in package_sources().items():
        for code in set(CODE.findall(text)):
            where.setdefault(code, []).append(str(path.relative_to(PKG)))
    return where


def test_every_referenced_code_is_catalogued(referenced):
    assert {"RR001", "CE001", "PL013", "RD001"} <= set(referenced)      # the scan finds codes at all
    assert {c: w for c, w in referenced.items() if c not in FINDINGS} == {}


def test_every_catalogued_code_is_referenced(referenced):
    assert sorted(set(FINDINGS) - set(referenced)) == []


# --- ui keys the package names -----------------------------------------------------------------------

@pytest.fixture(scope="module")
def ui_calls() -> tuple[dict[str, str], dict[str, str]]:
    """({literal key: file}, {f-string prefix: file}) of the text("…") / AftersalesError("…") calls
    (also the template's _text_or("…") and the AftersalesError subclass RubricError("…"))."""
    literal, dynamic = {}, {}
    for path, text in package_sources().items():
        if path.suffix != ".py":
            continue
        for f, _, key in UI_CALL.findall(text):
            if f and "{" in key:
                dynamic[key.split("{")[0]] = str(path.relative_to(PKG))
            else:
                literal[key] = str(path.relative_to(PKG))
    return literal, dynamic


def test_every_ui_key_used_exists(ui_calls):
    literal, dynamic = ui_calls
    assert len(literal) > 50 and "err.path_missing" in literal and "severity." in dynamic
    assert {k: f for k, f in literal.items() if k not in UI} == {}
    assert {p: f for p, f in dynamic.items() if not any(k.startswith(p) for k in UI)} == {}


def test_every_variant_of_a_computed_ui_key_exists():
    formats = load_formats().datasets.values()
    types = {c.type for fmt in formats for c in fmt.columns}
    wanted = ([f"template.rule.{r.rule}" for fmt in formats for r in fmt.rules]
              + [f"template.check.{c}" for fmt in formats for c in fmt.checks]
              + [f"severity.{s}" for s in SEVERITIES]
              + [f"period.how.{h}" for h in ("option", "folder", "rows", "other", "today")]
              + [f"template.type.{t}" for t in types] + [f"template.hint.{t}" for t in types]
              + [f"template.required.{r}" for r in ("yes", "no", "cond")])
    assert [k for k in wanted if k not in UI] == []


def test_every_schema_problem_kind_has_a_message():
    """schema.SchemaError's kinds (schema.py KINDS) are said from `schema.problem.<kind>`; the zh
    text is Chinese, so no English sentence of msgspec or pydantic reaches a Chinese line."""
    from aftersales_cli.schema import KINDS

    assert {"missing", "extra", "int", "ge"} <= set(KINDS)
    assert [k for k in KINDS if f"schema.problem.{k}" not in UI] == []
    assert [k for k in KINDS if not CJK.search(UI[f"schema.problem.{k}"]["zh"])] == []


# --- templates render with what their emitters pass ----------------------------------------------------

@pytest.fixture(scope="module")
def ningbo():
    return validate_path(NINGBO)


@pytest.mark.parametrize("sample", [NINGBO, WENZHOU], ids=["宁波市", "温州市"])
def test_sample_findings_render_completely(sample, ningbo):
    result = ningbo if sample == NINGBO else validate_path(sample)
    assert result.findings
    unfilled = [(f.code, lang, f.message(lang)) for f in result.findings for lang in ("zh", "en")
                if "{" in f.message(lang) or "}" in f.message(lang)]
    assert unfilled == []


def test_ningbo_holds_most_codes(ningbo):
    """The defective sample exercises the emitters of the rules, checks and cell types."""
    codes = {f.code for f in ningbo.findings}
    assert len(codes) >= 40
    assert {"RR009", "PL009", "PL013", "ST004", "RO004", "CE002"} <= codes


# --- English output ----------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def ningbo_en() -> list[dict]:
    result = RUNNER.invoke(app, ["validate", str(NINGBO), "--format", "json", "--lang", "en"])
    assert result.exit_code == 1, result.output
    return json.loads(result.stdout)["findings"]


def unquoted(f: dict) -> str:
    """The en message without the value, the header and anything quoted '…' from the data."""
    message = f["message"]
    for data in (f["header"], display(f["value"]) if f["value"] is not None else None):
        if data:
            message = message.replace(str(data), "")
    return QUOTED.sub("", message)


# CE050 lists the allowed values unquoted, joined by 、: see test_en_enum_invalid_quotes_the_allowed_values
KNOWN_CJK_IN_EN = {"CE050"}


def test_en_messages_have_no_cjk_outside_quoted_values(ningbo_en):
    assert len(ningbo_en) > 100
    assert {f["code"] for f in ningbo_en} >= {"RR004", "PL005", "CE051"}     # quoted CJK values
    cjk = {(f["code"], unquoted(f)) for f in ningbo_en
           if f["code"] not in KNOWN_CJK_IN_EN and CJK.search(unquoted(f))}
    assert cjk == set()


def test_en_enum_invalid_quotes_the_allowed_values(ningbo_en):
    found = [f for f in ningbo_en if f["code"] == "CE050"]
    assert found
    assert [unquoted(f) for f in found if CJK.search(unquoted(f))] == []


@pytest.fixture
def hangzhou(tmp_path) -> Path:
    target = tmp_path / "杭州市" / "2026-11"
    shutil.copytree(HANGZHOU, target)
    return target


def validate_en(path: Path) -> list[dict]:
    result = RUNNER.invoke(app, ["validate", str(path), "--format", "json", "--lang", "en"])
    assert result.exit_code in (0, 1), result.output
    return json.loads(result.stdout)["findings"]


def test_en_missing_dataset_is_named_in_english(hangzhou):
    (hangzhou / "配件档案.xlsx").unlink()
    findings = validate_en(hangzhou)
    about = [f for f in findings if f["code"] in ("RD001", "RD010")]
    assert {f["code"] for f in about} == {"RD001", "RD010"}
    title = load_formats()["parts_master"].title
    assert [f["message"] for f in about if title.en not in f["message"] or title.zh in unquoted(f)] == []


def test_en_required_when_present_is_english(hangzhou):
    with edit(hangzhou, "repair_report") as t:
        row = next(r for r in t.rows if t.get(r, "使用配件编码"))
        t.set(row, "配件数量", None)
    found = [f for f in validate_en(hangzhou) if f["code"] == "CE002"]
    assert len(found) == 1
    message = found[0]["message"].replace("'配件数量'", "").replace("'使用配件编码'", "")
    assert not CJK.search(message), message


COUNTED = re.compile(r"\{(\w+)\} (?:[a-z]+ )?(rows|technicians|parts|datasets|rules|checks|points|days|orders|files|"
                     r"cities|errors|findings|items|months|sheets|columns|cells)\b")
NOT_COUNTS = {"period", "city", "title", "path", "basis", "value", "name", "sheet", "file"}


def _english_templates(node: dict, key: str = ""):
    for name, value in node.items():
        if isinstance(value, dict) and isinstance(value.get("en"), str):
            yield f"{key}{name}", value["en"]
        elif isinstance(value, dict):
            yield from _english_templates(value, f"{key}{name}.")


def test_en_counts_agree_with_their_noun():
    """A count before an English plural noun uses the plural spec (`{n:plural:row}` → "1 row" /
    "3 rows"): "1 rows with unusable dates left out" was printed on the score of 宁波市 (issue 11, 9)."""
    bare = [(key, m.group(0)) for key, en in _english_templates(CATALOGUE)
            for m in COUNTED.finditer(en) if m.group(1) not in NOT_COUNTS]
    assert bare == []
