"""summary.json and trend.json are written by `atomic.write_json` (msgspec's encoder and
formatter, issue 16 session 6): the same text `json.dumps(data, ensure_ascii=False, indent=2)`
lays out — the layout the files always had — for any document of dicts, lists, text (Chinese,
control characters, quotes, line separators), integers, booleans, None and every finite float
(in exponent form too: `1e-05`, `1e+16`); the one documented difference: null for an infinite
float (json.dumps' `Infinity` is not JSON)."""
from __future__ import annotations

import json
import math

from hypothesis import given, settings
from hypothesis import strategies as st

from aftersales_cli.report.atomic import write_json

plain_floats = st.floats(allow_nan=False, allow_infinity=False).filter(lambda f: "e" not in repr(f))
leaves = st.none() | st.booleans() | st.integers(-(10 ** 20), 10 ** 20) | plain_floats | st.text()
documents = st.recursive(leaves, lambda inner: st.lists(inner, max_size=4)
                         | st.dictionaries(st.text(max_size=8), inner, max_size=4), max_leaves=25)


@settings(max_examples=300, deadline=None)
@given(documents)
def test_the_layout_of_json_dumps(tmp_path_factory, doc):
    out = tmp_path_factory.mktemp("json") / "summary.json"
    write_json(out, doc)
    assert out.read_bytes().decode("utf-8") == json.dumps(doc, ensure_ascii=False, indent=2) + "\n"


def test_the_documented_differences(tmp_path):
    out = tmp_path / "trend.json"
    write_json(out, {"small": 1e-07, "big": 1e16, "inf": math.inf})
    assert out.read_text(encoding="utf-8") == '{\n  "small": 1e-07,\n  "big": 1e+16,\n  "inf": null\n}\n'
    assert json.loads(out.read_text(encoding="utf-8")) == {"small": 1e-07, "big": 1e16, "inf": None}


def test_rates_and_amounts_spelt_as_json_dumps_spells_them(tmp_path):
    # a repeat rate of 1 in 15,000 orders, 1 in 100,000, an amount of 1e16 (written out here):
    # json.dumps spells them with float's repr — 6.666666666666667e-05, 1e-05, 1e+16
    doc = {"repeat_rate": 1 / 15000, "tiny": 1 / 100000, "big": 1e16, "text": "1e5 0.00001", "n": [0.5, 100]}
    out = tmp_path / "summary.json"
    write_json(out, doc)
    assert out.read_text(encoding="utf-8") == (
        '{\n  "repeat_rate": 6.666666666666667e-05,\n  "tiny": 1e-05,\n  "big": 1e+16,\n'
        '  "text": "1e5 0.00001",\n  "n": [\n    0.5,\n    100\n  ]\n}\n')


exponent_floats = st.floats(allow_nan=False, allow_infinity=False).filter(lambda f: "e" in repr(f))


@settings(max_examples=200, deadline=None)
@given(st.lists(exponent_floats | plain_floats | st.text(alphabet="0123456789.eE-+\"\\ ", max_size=12), max_size=6))
def test_every_finite_float_as_json_dumps_spells_it(tmp_path_factory, doc):
    out = tmp_path_factory.mktemp("json") / "trend.json"
    write_json(out, doc)
    assert out.read_bytes().decode("utf-8") == json.dumps(doc, ensure_ascii=False, indent=2) + "\n"
