"""Named checks: the rules whose logic is more than one vectorised comparison.

A format file lists them under `checks:`. Order-dependent work (ledger balance, FIFO) walks the
ledger once, in sheet order, keeping per-part state: linear in rows.
"""
from __future__ import annotations

from typing import Callable

import numpy as np
import pandas as pd

from .context import Checked, Context, day_number, day_numbers
from .rules import count_window

CHECKS: dict[str, Callable[[Checked, Context], None]] = {}
#: The roles (`field.role`) and windows a check reads from its dataset's format: `formats check`
#: requires them, so a renamed value cannot silently switch a check off.
CHECK_READS: dict[str, tuple[str, ...]] = {}
#: The other datasets a check reads (a dataset validated without them would get other findings):
#: what `pipeline.validated_datasets` adds when only some datasets are validated.
CHECK_DATASETS: dict[str, tuple[str, ...]] = {}


def check(name: str, reads: tuple[str, ...] = (), datasets: tuple[str, ...] = ()):
    def register(fn):
        CHECKS[name] = fn
        CHECK_READS[name] = reads
        CHECK_DATASETS[name] = datasets
        return fn
    return register


def directions(fmt) -> dict[str, int]:
    """Ledger type → +1 (adds to the batch) or −1 (takes from it): the `type` column's roles
    `adds` and `subtracts`."""
    return {**dict.fromkeys(fmt.role("type", "adds"), 1), **dict.fromkeys(fmt.role("type", "subtracts"), -1)}


def _raw(c: Checked, key: str, row: int):
    return c.raw(key, row)


def _day(ts) -> str:
    return "" if ts is None or pd.isna(ts) else ts.date().isoformat()


# --- repair report -------------------------------------------------------------------------------

COPY_FIELDS = ("service_date", "customer_name", "phone", "address", "product_model", "fault")


@check("copied_rows")
def copied_rows(c: Checked, ctx: Context) -> None:
    """RR009: a row equal to an earlier one in date, customer, phone, address, model and fault."""
    if not all(c.has(k) for k in COPY_FIELDS[:5]):
        return
    # a copy repeats the phone: only rows sharing a phone are compared on all six fields
    phone = c.col("phone")
    candidates = phone.notna() & phone.duplicated(keep=False)
    if not candidates.any():
        return
    frame = pd.DataFrame({k: c.col(k)[candidates] for k in COPY_FIELDS}).astype(object)
    frame = frame.where(frame.notna(), "")
    required = frame[list(COPY_FIELDS[:5])].ne("").all(axis=1)
    frame = frame[required]
    dup = frame.duplicated(keep=False)
    if not dup.any():
        return
    frame = frame[dup]
    group = frame.groupby(list(COPY_FIELDS), sort=False).ngroup()
    orders = c.col("order_no").reindex(frame.index)
    first_row = pd.Series(frame.index, index=frame.index).groupby(group).transform("min")
    first_order = orders.groupby(group).transform("first")
    for row in frame.index:
        if row != first_row[row] and orders[row] != first_order[row]:
            ctx.emit(c, "RR009", row, "order_no", _raw(c, "order_no", row), first_row=int(first_row[row]))


# --- roster --------------------------------------------------------------------------------------

@check("roster_status", reads=("status.departed", "status.active"))
def roster_status(c: Checked, ctx: Context) -> None:
    """RO004: departed (离职) exactly when a 离职日期 is given on or before the row's 更新日期."""
    departed, active = c.ds.fmt.role("status", "departed"), c.ds.fmt.role("status", "active")
    gone, staying = set(departed), set(active)
    # left: a leave date, and no update date or the leave on or before it (dates as day numbers)
    left = c.present("leave_date") & (~c.present("update_date") | (c.days("leave_date") <= c.days("update_date")))
    leave, update = c.col("leave_date"), c.col("update_date")
    for row, status, has, gone_row in zip(c.rows(), c.items("status"), c.present("status").tolist(), left.tolist()):
        if has and status not in (gone if gone_row else staying):
            ctx.emit(c, "RO004", row, "status", _raw(c, "status", row),
                     expected=departed[0] if gone_row else active[0],
                     leave=_day(leave[row]) or "—", update=_day(update[row]) or "—")


# --- parts ledger --------------------------------------------------------------------------------

def latest_count_day(ctx: Context) -> int | None:
    """The day number (`day_number`) of the latest stocktake count date in the period's count
    window, or None."""
    st = ctx.checked.get("stocktake")
    if st is None:
        return None
    start, end = (day_number(d) for d in count_window(ctx.period, st.ds.fmt.count_window))
    days = st.days("count_date")[st.present("count_date")]
    days = days[(days >= start) & (days <= end)]
    return int(days.max()) if len(days) else None


@check("ledger_dates", reads=("type.opening",), datasets=("stocktake",))
def ledger_dates(c: Checked, ctx: Context) -> None:
    """PL001 outside P, PL002 after P up to the count, PL003 an opening row (期初) not on day 1,
    PL008 out of order."""
    days, dated = c.days("date"), c.present("date")
    first, last = day_number(ctx.period.first), day_number(ctx.period.last)
    count = latest_count_day(ctx)
    after = dated & (days > last)
    counted = after & (days <= count) if count is not None else np.zeros_like(after)
    outside = dated & ((days < first) | (after & ~counted))
    for row in c.rows_at(outside):
        ctx.emit(c, "PL001", row, "date", _raw(c, "date", row), period=ctx.period.label)
    for row in c.rows_at(counted):
        ctx.emit(c, "PL002", row, "date", _raw(c, "date", row))
    opening = c.isin("type", c.ds.fmt.role("type", "opening"))
    for row in c.rows_at(dated & opening & (days != first) & ~outside):
        ctx.emit(c, "PL003", row, "date", _raw(c, "date", row), expected=ctx.period.first.isoformat())
    valid = np.flatnonzero(dated)                # each dated row against the dated row before it
    later, earlier = valid[1:], valid[:-1]
    back = days[later] < days[earlier]
    if back.any():
        rows, dates = c.rows(), c.col("date")
        for p, q in zip(later[back].tolist(), earlier[back].tolist()):
            ctx.emit(c, "PL008", rows[p], "date", _raw(c, "date", rows[p]), other=_day(dates.iloc[q]))


def _absent(value) -> bool:
    """None, NaN or NaT — the scalar test of the ledger walk (pd.isna costs ~2 µs a call)."""
    return value is None or value != value


@check("ledger_balance", reads=("type.adds", "type.subtracts", "type.receipt", "type.issue"))
def ledger_balance(c: Checked, ctx: Context) -> None:
    """PL006/PL007 running balance per part, PL010 batch below zero, PL009 FIFO.

    One pass in sheet order; per part: the running balance, each batch's stock and age. The types
    that add or subtract, that date a batch (`receipt`) and that must take the oldest batch
    (`issue`) are roles of the `type` column.
    """
    signs = directions(c.ds.fmt)
    receipt, issue = set(c.ds.fmt.role("type", "receipt")), set(c.ds.fmt.role("type", "issue"))
    # a batch's date as a day number (`Checked.days`); undated: `latest`, Timestamp.max as a day
    # number (2262-04-11 23:47…), after every date a Timestamp can hold at its default unit
    latest = pd.Timestamp.max.value / 86_400_000_000_000
    never = (latest, 0)
    balance: dict[str, int] = {}
    stock: dict[str, dict[str, int]] = {}          # part → batch → quantity
    stocked: dict[str, dict[str, int]] = {}        # part → batch → quantity, batches above zero only
    age: dict[str, dict[str, tuple]] = {}          # part → batch → (date, order of first receipt)
    days = [d if ok else latest for d, ok in zip(c.days("date").tolist(), c.present("date").tolist())]
    columns = [c.items(k) for k in ("part_code", "batch", "type", "qty", "balance")]
    for order, (row, date, part, batch, kind, qty, stated) in enumerate(zip(c.rows(), days, *columns), 1):
        if not isinstance(part, str):
            continue
        stated = None if _absent(stated) else int(stated)
        sign = signs.get(kind) if isinstance(kind, str) else None
        if sign is None or _absent(qty) or not isinstance(batch, str):
            if stated is not None:            # cannot compute: resynchronise on the stated balance
                balance[part] = stated
            continue
        qty = int(qty)
        batches = stock.setdefault(part, {})
        positive = stocked.setdefault(part, {})
        ages = age.setdefault(part, {})
        if kind in receipt and batch not in ages:
            ages[batch] = (date, order)
        if kind in issue:
            mine = ages.get(batch, (latest, order))
            older = [(ages.get(b, never), b, s) for b, s in positive.items()
                     if b != batch and ages.get(b, never) < mine]
            if older:
                _, b, s = min(older)
                ctx.emit(c, "PL009", row, "batch", _raw(c, "batch", row), older=b, stock=s)
        batches[batch] = batches.get(batch, 0) + sign * qty
        if batches[batch] > 0:
            positive[batch] = batches[batch]
        else:
            positive.pop(batch, None)
        if sign < 0 and batches[batch] < 0:
            ctx.emit(c, "PL010", row, "batch", _raw(c, "batch", row), expected=batches[batch])
        computed = balance.get(part, 0) + sign * qty
        balance[part] = computed
        if stated is not None and stated != computed:
            ctx.emit(c, "PL006", row, "balance", _raw(c, "balance", row), expected=computed)
        elif computed < 0:
            ctx.emit(c, "PL007", row, "balance", _raw(c, "balance", row), part=part, expected=computed)


@check("ledger_handler", reads=("type.issue",), datasets=("roster",))
def ledger_handler(c: Checked, ctx: Context) -> None:
    """PL012: the handler of an issue (出库) must be a technician (工号 or 姓名) on the roster."""
    roster = ctx.other(c, "roster", "PL012")
    if roster is None:
        return
    known = roster.known("tech_id") | roster.known("name")
    issue = set(c.ds.fmt.role("type", "issue"))
    for row, handler, kind, ok in zip(c.rows(), c.items("handler"), c.items("type"), c.present("handler").tolist()):
        if ok and kind in issue and handler not in known:
            ctx.emit(c, "PL012", row, "handler", _raw(c, "handler", row))


def movements_by_part(ledger: Checked) -> dict[str, tuple[list[int], list[float]]]:
    """part → (day numbers, signed quantities) of every computable ledger row — a type that adds
    or subtracts (`directions`), a date, a part and a quantity —, in sheet order; the quantity as
    a float (read-only: computed once per ledger, for ST004 and the stock metrics). Two flat lists
    per part: no tuple per row for the garbage collector to count."""
    return ledger.once(("movements_by_part",), lambda: _movements_by_part(ledger))


def _movements_by_part(ledger: Checked) -> dict[str, tuple[list[int], list[float]]]:
    signs = directions(ledger.ds.fmt)
    ok = ledger.present("date") & ledger.present("part_code") & ledger.present("qty")
    by_part: dict[str, tuple[list[int], list[float]]] = {}
    for part, day, kind, qty, good in zip(ledger.items("part_code"), ledger.days("date").tolist(),
                                          ledger.items("type"), ledger.items("qty"), ok.tolist()):
        sign = signs.get(kind) if good else None
        if sign is not None:
            days, qtys = by_part.get(part) or by_part.setdefault(part, ([], []))
            days.append(day)
            qtys.append(float(qty) * sign)
    return by_part


def balance_on(ledger: Checked, parts: pd.Series, days: pd.Series) -> pd.Series:
    """The ledger balance of each part after every row dated on or before the given day (an int64
    Series on the index of `parts`; 0 for a part with no ledger row).

    The signed movements grouped by part once per ledger (`movements_by_part`), then each asked
    (part, day) sums its part's movements up to the day, in sheet order: a stocktake asks a few
    hundred pairs, and a merge of two small frames costs more in pandas' per-call overhead.
    """
    by_part = movements_by_part(ledger)
    none: tuple[list[int], list[float]] = ([], [])
    sums = [sum(q for d, q in zip(*by_part.get(part, none)) if d <= day)
            for part, day in zip(parts.tolist(), day_numbers(days).tolist())]
    return pd.Series([int(x) for x in sums], index=parts.index, dtype="int64")


@check("stocktake_book", datasets=("parts_ledger",))
def stocktake_book(c: Checked, ctx: Context) -> None:
    """ST004: 账面数量 equals the ledger balance on 盘点日期 (0 for a part with no ledger row)."""
    ledger = ctx.other(c, "parts_ledger", "ST004")
    if ledger is None:
        return
    parts, days, book = c.col("part_code"), c.col("count_date"), c.col("book_qty")
    ok = c.present("part_code") & c.present("count_date") & c.present("book_qty")
    if not ok.any():
        return
    expected = balance_on(ledger, parts[ok], days[ok])
    for row, stated, balance, day in zip(expected.index, book[ok].tolist(), expected.tolist(), days[ok]):
        if int(stated) != balance:
            ctx.emit(c, "ST004", row, "book_qty", _raw(c, "book_qty", row), expected=balance, date=_day(day))


@check("usage_coverage", reads=("type.issue",), datasets=("repair_report",))
def usage_coverage(c: Checked, ctx: Context) -> None:
    """PL013: parts the period's repair report used must be issued (出库) in the ledger in P."""
    report = ctx.checked.get("repair_report")
    if report is None:
        return
    used = _sums(report.items("part_code"), report.items("part_qty"),
                 report.within("service_date", ctx.first, ctx.last)
                 & report.present("part_code") & report.present("part_qty"))
    issues = c.isin("type", c.ds.fmt.role("type", "issue"))
    issued = _sums(c.items("part_code"), c.items("qty"), issues & c.within("date", ctx.first, ctx.last)
                   & c.present("part_code") & c.present("qty"))
    for part in sorted(used):
        qty, got = int(used[part]), int(issued.get(part, 0))
        if qty > got:
            ctx.emit(c, "PL013", None, None, part, used=qty, issued=got)


def _sums(parts: list, qtys: list, counted: np.ndarray) -> dict:
    """part → the sum of its counted quantities."""
    out: dict = {}
    for part, qty, ok in zip(parts, qtys, counted.tolist()):
        if ok:
            out[part] = out.get(part, 0) + qty
    return out
