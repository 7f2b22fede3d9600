"""The declarative rules of the format files, one vectorised function per rule kind.

A rule in YAML names its kind (`rule:`), the field it checks and the finding code it raises;
the functions here know nothing of any particular dataset.
"""
from __future__ import annotations

import operator
from typing import Callable

import numpy as np
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
    for row in c.rows_at(c.present(r.field) & ~c.within(r.field, ctx.first, ctx.last)):
        ctx.emit(c, r.code, row, r.field, _raw(c, r.field, row), period=ctx.period.label)


def _days_of(c: Checked, *keys: str) -> list[np.ndarray] | None:
    """The day numbers (`Checked.days`) of date columns; None unless every key is a datetime64
    column (the rule then compares the columns with pandas, as for any other type)."""
    if all(c.arrays[k].dtype.kind == "M" for k in keys):
        return [c.days(k) for k in keys]
    return None


def _compared(c: Checked, key: str, other_key: str, op: Callable) -> np.ndarray:
    """A bool array over the rows: both columns have a value and `op(field, other)` holds — on
    day numbers when both are date columns (`_days_of`), else on the Series."""
    days = _days_of(c, key, other_key)
    if days is None:
        v, other = c.col(key), c.col(other_key)
        return (v.notna() & other.notna() & op(v, other)).to_numpy()
    return c.present(key) & c.present(other_key) & op(days[0], days[1])


@rule("unique")
def unique(c: Checked, r: Rule, ctx: Context) -> None:
    """Each value once: a repeat is flagged with the row of its first occurrence (in sheet order)."""
    counted = c.present(r.field)
    if r.option("within_period"):
        counted = counted & inspection_rows(c, ctx.period)
    first_row: dict = {}
    for row, value, ok in zip(c.rows(), c.items(r.field), counted.tolist()):
        if not ok:
            continue
        first = first_row.setdefault(value, row)
        if first != row:
            ctx.emit(c, r.code, row, r.field, _raw(c, r.field, row), first_row=int(first))


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
    for row, value, ok in zip(c.rows(), c.items(r.field), c.present(r.field).tolist()):
        if ok and value not in known:
            ctx.emit(c, r.code, row, r.field, _raw(c, r.field, row))


@rule("matches_ref")
def matches_ref(c: Checked, r: Rule, ctx: Context) -> None:
    """`field` equals the `ref_field` of the first row of `ref` with the row's `key`."""
    name, ref_key = _split_ref(r.option("ref"))
    other = ctx.other(c, name, r.code)
    if other is None:
        return
    mapping = other.once(("first_of", ref_key, r.option("ref_field")),
                         lambda: _first_of(other, ref_key, r.option("ref_field")))
    missing = object()
    for row, key, value, ok in zip(c.rows(), c.items(r.option("key")), c.items(r.field),
                                   c.present(r.field).tolist()):
        if not ok:
            continue
        expected = mapping.get(key, missing)
        if expected is not missing and value != expected:
            ctx.emit(c, r.code, row, r.field, _raw(c, r.field, row), key=key, expected=expected)


def _first_of(other: Checked, key: str, field: str) -> dict:
    """key → `field` of the first row with that key (rows with both)."""
    mapping: dict = {}
    for k, v, k_ok, v_ok in zip(other.items(key), other.items(field), other.present(key).tolist(),
                                other.present(field).tolist()):
        if k_ok and v_ok and k not in mapping:
            mapping[k] = v
    return mapping


@rule("not_before")
def not_before(c: Checked, r: Rule, ctx: Context) -> None:
    key, other_key = r.field, r.option("other")
    other = c.col(other_key)
    for row in c.rows_at(_compared(c, key, other_key, operator.lt)):
        ctx.emit(c, r.code, row, key, _raw(c, key, row), other=_day(other[row]))


@rule("not_after")
def not_after(c: Checked, r: Rule, ctx: Context) -> None:
    """`field` must not be after `other`; the finding sits on the `at` cell."""
    key, other_key = r.field, r.option("other")
    at = r.option("at", key)
    v, other = c.col(key), c.col(other_key)
    shown, rest = (other, v) if at == other_key else (v, other)
    for row in c.rows_at(_compared(c, key, other_key, operator.gt)):
        ctx.emit(c, r.code, row, at, _raw(c, at, row), other=_day(rest[row]), at_value=_day(shown[row]))


@rule("max_lag")
def max_lag(c: Checked, r: Rule, ctx: Context) -> None:
    key, base_key = r.field, r.option("base")
    limit = int(ctx.params[r.option("param")])      # the run context checked it is a rubric parameter
    days = _days_of(c, key, base_key)
    if days is None:
        v, base = c.col(key), c.col(base_key)
        lags = (v - base).dt.days
        bad = (v.notna() & base.notna() & (lags > limit)).to_numpy()
        lag = lags.to_numpy()
    else:
        lag = days[0] - days[1]          # whole days: the dates are days
        bad = c.present(key) & c.present(base_key) & (lag > limit)
    base, rows = c.col(base_key), c.rows()
    for p in np.flatnonzero(bad).tolist():
        row = rows[p]
        ctx.emit(c, r.code, row, key, _raw(c, key, row), other=_day(base[row]), lag=int(lag[p]), max=limit)


def count_window(period: Period, window) -> tuple[pd.Timestamp, pd.Timestamp]:
    """The stocktake dates that count for the period (formats.md 月末盘点): its last `last_days`
    days or the next month's first `next_days` days; `window` is a format's `count_window`."""
    start = pd.Timestamp(period.last) - pd.Timedelta(days=window.last_days - 1)
    end = pd.Timestamp(period.next().first) + pd.Timedelta(days=window.next_days - 1)
    return start, end


def inspection_rows(c: Checked, period: Period) -> np.ndarray:
    """A bool array over the rows (read-only): those that count for the period, dated in P or in
    the next month's first `period_window` days (no `period_window`: in P only)."""
    window = c.ds.fmt.period_window
    end = pd.Timestamp(period.next().first) + pd.Timedelta(days=(window.next_days if window else 0) - 1)
    return c.within("date", period.first, end)


@rule("count_window", reads=("count_window",))
def count_window_rule(c: Checked, r: Rule, ctx: Context) -> None:
    start, end = count_window(ctx.period, c.ds.fmt.count_window)
    for row in c.rows_at(c.present(r.field) & ~c.within(r.field, start, end)):
        ctx.emit(c, r.code, row, r.field, _raw(c, r.field, row), start=_day(start), end=_day(end))


@rule("difference")
def difference(c: Checked, r: Rule, ctx: Context) -> None:
    """`field` equals `minuend` − `subtrahend` (Python ints: no overflow)."""
    a_key, b_key = r.option("minuend"), r.option("subtrahend")
    ok = c.present(r.field) & c.present(a_key) & c.present(b_key)
    for row, v, a, b, counted in zip(c.rows(), c.items(r.field), c.items(a_key), c.items(b_key), ok.tolist()):
        if counted and v != a - b:
            ctx.emit(c, r.code, row, r.field, _raw(c, r.field, row), expected=int(a - b))


@rule("checklist_code")
def checklist_code(c: Checked, r: Rule, ctx: Context) -> None:
    if not ctx.checklist_codes:
        return
    for row in c.rows_at(c.present(r.field) & ~c.isin(r.field, ctx.checklist_codes)):
        ctx.emit(c, r.code, row, r.field, _raw(c, r.field, row), allowed=tuple(ctx.checklist_codes))
