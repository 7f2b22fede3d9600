"""The declarative rules of the format files, one vectorised function per rule kind.

A rule in YAML names its kind (`rule:`), the field it checks and the finding code it raises;
the functions here know nothing of any particular dataset.
"""
from __future__ import annotations

from typing import Callable

import pandas as pd

from ..formats import Rule
from ..formats.model import FIELD_OPTIONS
from ..period import Period
from .context import Checked, Context
from ..core.finding import display

RULES: dict[str, Callable[[Checked, Rule, Context], None]] = {}
#: What a rule kind reads from its dataset's format besides its options (`formats check` requires it).
RULE_READS: dict[str, tuple[str, ...]] = {}


def rule(name: str, reads: tuple[str, ...] = ()):
    """Register a rule kind; `reads`: the format entries it needs (`count_window`, `field.role`)."""
    def register(fn):
        RULES[name] = fn
        RULE_READS[name] = reads
        return fn
    return register


def rule_fields(r: Rule) -> list[str]:
    """The columns of its own dataset a rule reads."""
    return [r.field, *(r.option(p) for p in FIELD_OPTIONS if r.option(p))]


def _raw(c: Checked, key: str, row: int):
    return c.raw(key, row)


def _day(value) -> str:
    return display(value.date() if hasattr(value, "date") else value)


@rule("in_period")
def in_period(c: Checked, r: Rule, ctx: Context) -> None:
    v = c.col(r.field)
    bad = v.notna() & ~c.within(r.field, ctx.first, ctx.last)
    for row in v.index[bad]:
        ctx.emit(c, r.code, row, r.field, _raw(c, r.field, row), period=ctx.period.label)


@rule("unique")
def unique(c: Checked, r: Rule, ctx: Context) -> None:
    v = c.col(r.field).dropna()
    if r.option("within_period"):
        v = v[inspection_rows(c, ctx.period).reindex(v.index, fill_value=False)]
    dup = v.duplicated(keep="first")
    if not dup.any():
        return
    firsts = v[~dup]
    first_row = pd.Series(firsts.index, index=firsts.values)
    for row, value in v[dup].items():
        ctx.emit(c, r.code, row, r.field, _raw(c, r.field, row), first_row=int(first_row[value]))


def _split_ref(ref: str) -> tuple[str, str]:
    name, _, key = ref.partition(".")
    return name, key


@rule("exists_in")
def exists_in(c: Checked, r: Rule, ctx: Context) -> None:
    name, key = _split_ref(r.option("ref"))
    other = ctx.other(c, name, r.code)
    if other is None:
        return
    known = other.known(key)
    v = c.col(r.field)
    bad = v.notna() & ~v.isin(known)
    for row in v.index[bad]:
        ctx.emit(c, r.code, row, r.field, _raw(c, r.field, row))


@rule("matches_ref")
def matches_ref(c: Checked, r: Rule, ctx: Context) -> None:
    name, ref_key = _split_ref(r.option("ref"))
    other = ctx.other(c, name, r.code)
    if other is None:
        return
    mapping = other.once(("first_of", ref_key, r.option("ref_field")),
                         lambda: _first_of(other, ref_key, r.option("ref_field")))
    keys = c.col(r.option("key"))
    expected = keys.map(mapping)
    v = c.col(r.field)
    bad = v.notna() & expected.notna() & (v != expected)
    for row in v.index[bad]:
        ctx.emit(c, r.code, row, r.field, _raw(c, r.field, row), key=keys[row], expected=expected[row])


def _first_of(other: Checked, key: str, field: str) -> pd.Series:
    """`field` of the first row of each `key` (rows with both), indexed by key."""
    pairs = pd.DataFrame({"k": other.col(key), "v": other.col(field)}).dropna()
    return pairs.drop_duplicates("k").set_index("k")["v"]


@rule("not_before")
def not_before(c: Checked, r: Rule, ctx: Context) -> None:
    v, other = c.col(r.field), c.col(r.option("other"))
    bad = v.notna() & other.notna() & (v < other)
    for row in v.index[bad]:
        ctx.emit(c, r.code, row, r.field, _raw(c, r.field, row), other=_day(other[row]))


@rule("not_after")
def not_after(c: Checked, r: Rule, ctx: Context) -> None:
    """`field` must not be after `other`; the finding sits on the `at` cell."""
    v, other = c.col(r.field), c.col(r.option("other"))
    at = r.option("at", r.field)
    bad = v.notna() & other.notna() & (v > other)
    for row in v.index[bad]:
        shown = other if at == r.option("other") else v
        rest = v if at == r.option("other") else other
        ctx.emit(c, r.code, row, at, _raw(c, at, row), other=_day(rest[row]), at_value=_day(shown[row]))


@rule("max_lag")
def max_lag(c: Checked, r: Rule, ctx: Context) -> None:
    v, base = c.col(r.field), c.col(r.option("base"))
    limit = int(ctx.params[r.option("param")])      # the run context checked it is a rubric parameter
    lag = (v - base).dt.days
    bad = v.notna() & base.notna() & (lag > limit)
    for row in v.index[bad]:
        ctx.emit(c, r.code, row, r.field, _raw(c, r.field, row), other=_day(base[row]),
                 lag=int(lag[row]), max=limit)


def count_window(period: Period, window) -> tuple[pd.Timestamp, pd.Timestamp]:
    """The stocktake dates that count for the period (formats.md 月末盘点): its last `last_days`
    days or the next month's first `next_days` days; `window` is a format's `count_window`."""
    start = pd.Timestamp(period.last) - pd.Timedelta(days=window.last_days - 1)
    end = pd.Timestamp(period.next().first) + pd.Timedelta(days=window.next_days - 1)
    return start, end


def inspection_rows(c: Checked, period: Period) -> pd.Series:
    """Rows that count for the period: dated in P or in the next month's first `period_window`
    days (no `period_window`: in P only)."""
    window = c.ds.fmt.period_window
    end = pd.Timestamp(period.next().first) + pd.Timedelta(days=(window.next_days if window else 0) - 1)
    return c.within("date", period.first, end)


@rule("count_window", reads=("count_window",))
def count_window_rule(c: Checked, r: Rule, ctx: Context) -> None:
    start, end = count_window(ctx.period, c.ds.fmt.count_window)
    v = c.col(r.field)
    bad = v.notna() & ~c.within(r.field, start, end)
    for row in v.index[bad]:
        ctx.emit(c, r.code, row, r.field, _raw(c, r.field, row), start=_day(start), end=_day(end))


@rule("difference")
def difference(c: Checked, r: Rule, ctx: Context) -> None:
    v = c.col(r.field)
    a, b = c.col(r.option("minuend")), c.col(r.option("subtrahend"))
    ok = v.notna() & a.notna() & b.notna()
    if not ok.any():
        return
    expected = a[ok].astype(object) - b[ok].astype(object)      # Python ints: no overflow
    bad = v[ok].astype(object) != expected
    for row in expected.index[bad]:
        ctx.emit(c, r.code, row, r.field, _raw(c, r.field, row), expected=int(expected[row]))


@rule("checklist_code")
def checklist_code(c: Checked, r: Rule, ctx: Context) -> None:
    if not ctx.checklist_codes:
        return
    v = c.col(r.field)
    bad = v.notna() & ~v.isin(ctx.checklist_codes)
    for row in v.index[bad]:
        ctx.emit(c, r.code, row, r.field, _raw(c, r.field, row), allowed=tuple(ctx.checklist_codes))
