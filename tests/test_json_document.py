"""summary.json and trend.json are written by `atomic.write_json_atomic` (msgspec's encoder and
formatter, issue 16 session 6): the same text `json.dumps(data, ensure_ascii=False, indent=2)`
lays out — the layout the files always had — for any document of dicts, lists, text (Chinese,
control characters, quotes, line separators), integers, booleans, None and floats written without
an exponent; the documented differences: no padding zero in an exponent, null for an infinite
float (json.dumps' `Infinity` is not JSON)."""
from __future__ import annotations

import json
import math

from hypothesis import given, settings
from hypothesis import strategies as st

from aftersales_cli.report.atomic import write_json_atomic

plain_floats = st.floats(allow_nan=False, allow_infinity=False).filter(lambda f: "e" not in repr(f))
leaves = st.none() | st.booleans() | st.integers(-(10 ** 20), 10 ** 20) | plain_floats | st.text()
documents = st.recursive(leaves, lambda inner: st.lists(inner, max_size=4)
                         | st.dictionaries(st.text(max_size=8), inner, max_size=4), max_leaves=25)


@settings(max_examples=300, deadline=None)
@given(documents)
def test_the_layout_of_json_dumps(tmp_path_factory, doc):
    out = tmp_path_factory.mktemp("json") / "summary.json"
    write_json_atomic(out, doc)
    assert out.read_bytes().decode("utf-8") == json.dumps(doc, ensure_ascii=False, indent=2) + "\n"


def test_the_documented_differences(tmp_path):
    out = write_json_atomic(tmp_path / "trend.json", {"small": 1e-07, "big": 1e16, "inf": math.inf})
    assert out.read_text(encoding="utf-8") == '{\n  "small": 1e-7,\n  "big": 1e16,\n  "inf": null\n}\n'
    assert json.loads(out.read_text(encoding="utf-8")) == {"small": 1e-07, "big": 1e16, "inf": None}
