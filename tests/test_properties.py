"""Property-based tests (quality.md): random cells, types and layouts never make reading or
validation raise; a valid repair-report row survives a round trip through a real .xlsx.

Each example writes a real workbook with openpyxl into its own temporary folder.
"""
from __future__ import annotations

import datetime as dt
import json
import string
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aftersales_cli.formats import load_formats
from aftersales_cli.i18n import finding_entry
from aftersales_cli.period import Period
from aftersales_cli.read import read_submission
from aftersales_cli.validate.engine import validate_submission
from aftersales_cli.core.cells import is_blank
from aftersales_cli.core.finding import SEVERITIES
from xlsx_factory import columns, headers, write_xlsx

SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# --- random cell values ----------------------------------------------------------------------------

# characters openpyxl refuses in a cell (XML 1.0 control characters) are left out
_ILLEGAL = {chr(c) for c in range(32) if chr(c) not in "\t\n\r"}
INVISIBLE = ["\u00a0", "\u3000", "\u200b", "\u200d", "\ufeff", "\t", "\n", " "]
TRICKY = ["合计", "总计", "小计", "制表人: 张三", "审核人", "#N/A", "#REF!", "#DIV/0!", "#VALUE!", "#NAME?",
          "=1+1", "=SUM(A1:A3)", "00000001", "T101200", "3.60426E+17", "11月3日", "2026-02-30", "03/05",
          "¥120", "120元", "1,200.50", "３个", "+86 138 1234 5678", "11010519491231002x", "完成", "Y",
          "2026/11/3", "２０２６－１１－０３", "*", "", "   "]

text = st.text(
    alphabet=st.one_of(st.characters(codec="utf-8", exclude_characters="".join(_ILLEGAL),
                                     exclude_categories=("Cs",)),
                       st.sampled_from("０１２３４５６７８９－／年月日＊" + "".join(INVISIBLE))),
    max_size=30)
numbers = st.one_of(
    st.integers(min_value=-10**20, max_value=10**20),
    st.floats(allow_nan=False, allow_infinity=False, min_value=-1e300, max_value=1e300),
    st.sampled_from([0, 1, 1.1, 10.2, 13812345678, 57112345678, 360426199101010071, 46329, 1e15, 2958466]),
)
dates = st.dates(min_value=dt.date(1900, 3, 1), max_value=dt.date(9999, 12, 31))
datetimes = st.datetimes(min_value=dt.datetime(1900, 3, 1), max_value=dt.datetime(9999, 12, 31))
cell = st.one_of(st.none(), text, numbers, dates, datetimes, st.booleans(), st.sampled_from(TRICKY))


def plausible(col) -> st.SearchStrategy:
    """Values a clerk might really type in this column, so the rules and checks get past the
    cell types (enum values and aliases, dates around the period, small quantities, codes)."""
    if col.type == "enum":
        return st.sampled_from([*col.values, *col.value_aliases])
    if col.type == "date":
        return st.one_of(st.dates(dt.date(2026, 10, 25), dt.date(2026, 12, 8)),
                         st.sampled_from(["2026-11-03", "11月30日", "2026/12/2"]))
    if col.type == "int":
        return st.one_of(st.integers(-2, 30), st.sampled_from(["3", "2件"]))
    if col.type == "money":
        return st.one_of(st.integers(-5, 500), st.sampled_from(["¥30", "30元"]))
    if col.type in ("mobile", "phone"):
        return st.sampled_from(["13812345678", 13812345678, "0571-12345678", 57112345678])
    if col.type == "id_card":
        return st.sampled_from(["11010519491231002X", "360426199101010071", "120103198806018241",
                                "360426199101010072", 360426199101010071])
    if col.type == "code":
        return st.sampled_from(["1.1", "1.2", "2.1", 1.1, 10.2, "99.9"])
    return st.sampled_from(["P1", "P2", "B1", "B2", "T001", "T002", "王建国", "WX1", "WX2", "张三"])


DATASETS = ["repair_report", "roster", "parts_ledger", "parts_master", "stocktake", "parts_plan",
            "training_log", "inspection"]


@st.composite
def layouts(draw):
    """A sheet: 0-10 title rows, the header in a random column order (maybe with an unknown
    column), 0-8 data rows of random cells, random footer rows."""
    dataset = draw(st.sampled_from(DATASETS))
    fmt = load_formats()[dataset]
    optional = [c.key for c in fmt.columns if not c.required]
    # every required column stays (a missing required date column crashes rules.max_lag: see
    # test_reader.py::test_required_date_column_missing); optional ones may be left out
    dropped = draw(st.lists(st.sampled_from(optional), unique=True, max_size=3)) if optional else []
    keys = draw(st.permutations([k for k in columns(dataset) if k not in dropped]))
    header = headers(dataset, keys)
    if draw(st.booleans()):
        header.insert(draw(st.integers(0, len(header))), draw(st.sampled_from(["备注", "序号", "Unnamed"])))
    titles = draw(st.lists(st.lists(st.one_of(st.none(), text, st.sampled_from(TRICKY)), max_size=4),
                           max_size=10))
    by_header = {c.header: c for c in fmt.columns}
    row = st.tuples(*[st.one_of(cell, plausible(by_header[h])) if h in by_header else cell for h in header])
    data = [list(r)[:draw(st.integers(0, len(header)))] if draw(st.booleans()) else list(r)
            for r in draw(st.lists(row, max_size=8))]
    footer = draw(st.lists(st.lists(st.one_of(st.sampled_from(TRICKY), cell), max_size=3), max_size=3))
    sheet = draw(st.sampled_from([load_formats()[dataset].sheet, "Sheet1", "Sheet3", "数据"]))
    origin = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    hidden = draw(st.booleans())
    return dataset, sheet, [*titles, header, *data, *footer], origin, hidden


def check_result(result) -> None:
    for f in result.findings:
        assert f.severity in SEVERITIES
        assert finding_entry(f.code)
        f.message("zh")
        f.message("en")
    json.dumps(result.to_dict("zh"), ensure_ascii=False, default=str)


@SETTINGS
@given(layout=layouts(), period=st.one_of(st.none(), st.just(Period(2026, 11))))
def test_random_workbooks_give_findings_never_exceptions(layout, period):
    _dataset, sheet, rows, origin, hidden = layout
    with tempfile.TemporaryDirectory() as tmp:
        path = write_xlsx(Path(tmp) / "维修日报表.xlsx", {sheet: rows, "说明": [["随机"]]}, origin=origin,
                          hidden=[sheet] if hidden else [], title_merge=False)
        sub = read_submission(path)
        result = validate_submission(sub, period=period)
    check_result(result)


@SETTINGS
@given(a=layouts(), b=layouts())
def test_random_two_sheet_workbooks(a, b):
    """Two random sheets in one file (duplicates, signature ties, hidden sheets)."""
    with tempfile.TemporaryDirectory() as tmp:
        sheets = {a[1]: a[2]}
        sheets[b[1] + "_2" if b[1] == a[1] else b[1]] = b[2]
        path = write_xlsx(Path(tmp) / "x.xlsx", sheets, title_merge=False)
        result = validate_submission(read_submission(path), period=Period(2026, 11))
    check_result(result)


# --- round trip of valid rows ----------------------------------------------------------------------

SAFE = string.ascii_letters + string.digits + "路号区市甲乙丙丁王李赵张明强华"
safe_text = st.text(alphabet=SAFE, min_size=1, max_size=12)
in_period = st.dates(min_value=dt.date(2026, 11, 1), max_value=dt.date(2026, 11, 29))


@st.composite
def valid_orders(draw, n: int):
    rows = []
    for i in range(n):
        day = draw(in_period)
        service_type = draw(st.sampled_from(["安装", "维修", "保养", "其他"]))
        status = draw(st.sampled_from(["已完成", "未完成", "待配件", "已取消"]))
        part = draw(st.one_of(st.none(), safe_text))
        phone = draw(st.one_of(
            st.from_regex(r"\A1[3-9][0-9]{9}\Z"),
            st.from_regex(r"\A0[1-9][0-9]{1,2}-?[1-9][0-9]{6,7}\Z"),
            st.integers(13000000000, 19999999999)))
        row = {
            "service_date": draw(st.one_of(st.just(day), st.just(dt.datetime.combine(day, dt.time(9, 30))))),
            "order_no": f"WX{i:04d}" + draw(st.text(alphabet=string.digits, max_size=4)),
            "tech_id": draw(st.one_of(safe_text, st.integers(1, 10**9))),
            "tech_name": draw(safe_text),
            "customer_name": f"客户{i}",
            "phone": phone,
            "address": draw(safe_text),
            "product_model": draw(safe_text),
            "service_type": service_type,
            "fault": draw(safe_text) if service_type == "维修" else draw(st.one_of(st.none(), safe_text)),
            "action": draw(safe_text),
            "part_code": part,
            "part_qty": draw(st.integers(1, 99)) if part else None,
            "fee": draw(st.one_of(st.none(), st.integers(0, 10**6),
                                  st.decimals(0, 10**5, places=2).map(float))),
            "status": status,
            "completion_date": day + dt.timedelta(days=draw(st.integers(0, 3)))
            if status == "已完成" else None,
            "satisfaction": draw(st.one_of(st.none(), st.sampled_from(["非常满意", "满意", "一般", "不满意"]))),
            "report_date": day + dt.timedelta(days=draw(st.integers(0, 1))),
        }
        rows.append([row[k] for k in columns("repair_report")])
    return rows


@SETTINGS
@given(data=st.integers(1, 6).flatmap(valid_orders), title_rows=st.integers(0, 10))
def test_valid_rows_round_trip_clean(data, title_rows):
    rows = [[f"标题行{i}"] for i in range(title_rows)] + [headers("repair_report"), *data]
    with tempfile.TemporaryDirectory() as tmp:
        path = write_xlsx(Path(tmp) / "维修日报表.xlsx", {"维修日报表": rows})
        result = validate_submission(read_submission(path), period=Period(2026, 11))
    bad = [(f.key(), f.value, f.message("en")) for f in result.findings if f.severity in ("error", "format")]
    assert bad == []
    checked = result.checked["repair_report"]
    assert checked.ds.header_row == title_rows + 1
    assert list(checked.values.index) == list(range(title_rows + 2, title_rows + 2 + len(data)))
    assert checked.values["service_date"].notna().all()


# --- the one-pass column check never accepts what the per-value parser would change -----------

_TRICKY = st.sampled_from([" ", "\u3000", "\u00a0", "\t", "\n", "\u200b", "\ufeff", "\x00", "#REF!", "#N/A",
                           "1.23E+05", "3.60426e+17", "Ｔ１０１", "ﾃｽﾄ", "", "T101", "杭州市", "13800000001",
                           "0571-88888888", "E+", "a b"])
_CELLS = st.lists(st.one_of(_TRICKY, st.text(max_size=6), st.lists(_TRICKY, max_size=3).map("".join)),
                  min_size=1, max_size=6)


@settings(max_examples=400, deadline=None)
@given(values=_CELLS, kind=st.sampled_from(["text", "code", "mobile", "phone"]))
def test_fast_column_path_agrees_with_the_per_value_parser(values, kind):
    """A column the joined-text check accepts must come out of the parser unchanged, with no finding."""
    import pandas as pd

    from aftersales_cli.validate import cells

    col = load_formats()["repair_report"].column("order_no").replace(key="x", header="x", type=kind, required=False)
    ctx = cells.CellContext(is_csv=False, year=2026)
    fast = cells._all_standard_strings(list(values), col)
    if fast:
        for v in values:
            assert not is_blank(v), repr(v)
            assert v.strip() not in cells.EXCEL_ERRORS, repr(v)
            out = cells.PARSERS[kind](v, col, ctx)
            assert out.code is None and out.value == v, (repr(v), out)
        result = cells.parse_column(pd.Series(values, dtype=object), col, ctx)
        assert result.values.tolist() == values and not result.problems and not result.missing.any()


@settings(max_examples=300, deadline=None)
@given(values=st.lists(st.one_of(_TRICKY, st.none(), st.just(""), st.just(float("nan")), st.integers(0, 99),
                                 st.lists(_TRICKY, max_size=3).map("".join)), min_size=1, max_size=8),
       kind=st.sampled_from(["text", "code", "mobile", "phone"]))
def test_parse_column_is_the_same_with_and_without_the_one_pass_check(values, kind):
    """Blank cells set aside or not, the column comes out exactly as the per-value parser makes it."""
    import pandas as pd

    from aftersales_cli.validate import cells

    col = load_formats()["repair_report"].column("order_no").replace(key="x", header="x", type=kind, required=False)
    ctx = cells.CellContext(is_csv=False, year=2026)
    series = pd.Series(values, dtype=object)
    fast = cells.parse_column(series, col, ctx)
    original = cells._fast_column
    cells._fast_column = lambda s, c: None
    try:
        slow = cells.parse_column(series, col, ctx)
    finally:
        cells._fast_column = original
    assert fast.values.tolist() == slow.values.tolist()
    assert fast.missing.tolist() == slow.missing.tolist()
    assert [(p, o.code) for p, o in fast.problems] == [(p, o.code) for p, o in slow.problems]
