"""Cell types of formats.md: check each value, normalise it, keep the original for findings.

Each column is factorised first, so the type rules run once per distinct value (a month has ~30
distinct dates, a handful of enum values and technicians) and are mapped back to the rows with
NumPy indexing; Python work per row happens only for the rows that have a problem.
"""
from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from dataclasses import dataclass, fields
from operator import attrgetter
from typing import Any, Callable

import numpy as np
import pandas as pd

from ..core.cells import is_blank
from ..core.finding import display
from ..formats import Column
from ..read.files import EPOCH_1900

EXCEL_ERRORS = {"#REF!", "#N/A", "#DIV/0!", "#VALUE!", "#NAME?", "#NUM!", "#NULL!", "#GETTING_DATA",
                "#SPILL!", "#CALC!"}
_INVISIBLE = re.compile(r"[\u200b-\u200f\u2060-\u2064\ufeff]")
_WS = re.compile(r"[\s\u3000]+")


@dataclass(frozen=True)
class Parsed:
    """The outcome for one distinct value: normalised value, finding code (or None), params."""
    value: Any
    code: str | None = None
    params: tuple = ()


MISSING = Parsed(None, "missing")


def clean(text: str) -> str:
    """NFKC (full-width → half-width), invisible characters removed, outer white space stripped.

    Most cells are already normalised: the quick checks keep the common case cheap.
    """
    if not unicodedata.is_normalized("NFKC", text):
        text = unicodedata.normalize("NFKC", text)
    if _INVISIBLE.search(text):
        text = _INVISIBLE.sub("", text)
    return text.strip()


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _whole(value: float) -> bool:
    return float(value).is_integer()


# --- text --------------------------------------------------------------------------------------

# How Excel shows (and exports to CSV) a long number in a General cell: 3.60426E+17, 1.23457E+11.
_SCIENTIFIC = re.compile(r"^[+-]?\d\.\d+E\+\d{2}$", re.I)


def parse_text(value: Any, col: Column, ctx: "CellContext") -> Parsed:
    if value is True or value is False:      # a logical cell reads as Excel and WPS show it
        return Parsed(display(value))
    if isinstance(value, str):
        text = clean(value)
        if _SCIENTIFIC.match(text):      # a long code already turned into scientific notation
            return Parsed(None, "CE010")
        return Parsed(text)
    if _is_number(value):
        if not _whole(value):
            return Parsed(None, "CE011")
        if abs(value) >= 1e15:
            return Parsed(None, "CE010")
        return Parsed(str(int(value)))
    if isinstance(value, dt.datetime):
        return Parsed(value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" "))
    if isinstance(value, dt.date):
        return Parsed(value.isoformat())
    return Parsed(str(value))


def parse_code(value: Any, col: Column, ctx: "CellContext") -> Parsed:
    """Checklist codes: a number cell reads back as its shortest text (1.1, 10.2)."""
    if _is_number(value):
        return Parsed(str(int(value)) if _whole(value) else repr(float(value)))
    return parse_text(value, col, ctx)


# --- dates -------------------------------------------------------------------------------------

_ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_YMD = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?$")
_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_MD = re.compile(r"^(\d{1,2})\s*月\s*(\d{1,2})\s*日?$")
_AMBIGUOUS = re.compile(r"^(\d{1,2})\s*[-/.]\s*(\d{1,2})(?:\s*[-/.]\s*(\d{4}|\d{2}))?$")
_ISO_TIME = re.compile(r"^(\d{4})-(\d{2})-(\d{2})[ T]00:00(?::00)?$")


def _make_date(y: int, m: int, d: int) -> dt.date | None:
    try:
        return dt.date(y, m, d)
    except ValueError:
        return None


def parse_date(value: Any, col: Column, ctx: "CellContext") -> Parsed:
    if isinstance(value, dt.datetime):
        return Parsed(value.date())
    if isinstance(value, dt.date):
        return Parsed(value)
    if _is_number(value):
        if 1 <= value < 2958466 and _whole(value):
            day = ctx.epoch + dt.timedelta(days=int(value))
            return Parsed(day, "CE021", (("normalised", day.isoformat()),))
        return Parsed(None, "CE020")
    if not isinstance(value, str):
        return Parsed(None, "CE020")
    text = clean(value)
    m = _ISO.match(text)
    if m:
        day = _make_date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        if day is None:
            return Parsed(None, "CE023")
        if ctx.is_csv and text == value.strip():
            return Parsed(day)
        return Parsed(day, "CE021", (("normalised", day.isoformat()),))
    m = _YMD.match(text) or _COMPACT.match(text) or _ISO_TIME.match(text)
    if m:
        day = _make_date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        if day is None:
            return Parsed(None, "CE023")
        return Parsed(day, "CE021", (("normalised", day.isoformat()),))
    m = _MD.match(text)
    if m:
        year = ctx.year
        day = _make_date(year, int(m.group(1)), int(m.group(2))) if year else None
        if day is None:
            return Parsed(None, "CE023" if year else "CE020")
        return Parsed(day, "CE021", (("normalised", day.isoformat()),))
    m = _AMBIGUOUS.match(text)
    if m:
        return _ambiguous(m, ctx.year)
    return Parsed(None, "CE020")


def _ambiguous(m: re.Match, year: int | None) -> Parsed:
    """`11/02`: both readings (month/day and day/month) that are dates, never one "correct" example —
    CE022's message offers them to choose from; none a date → CE023."""
    a, b = int(m.group(1)), int(m.group(2))
    if m.group(3):
        year = int(m.group(3)) + (2000 if len(m.group(3)) == 2 else 0)
    readings = []
    for month, day in ((a, b), (b, a)):
        probe = _make_date(year or 2000, month, day)       # 2000 is a leap year: 02-29 stays possible
        if probe is not None:
            shown = probe.isoformat() if year else f"{month:02d}-{day:02d}"
            if shown not in readings:
                readings.append(shown)
    if not readings:
        return Parsed(None, "CE023")
    return Parsed(None, "CE022", (("readings", {"zh": " 或 ".join(readings), "en": " or ".join(readings)}),))


# --- numbers -----------------------------------------------------------------------------------

_INT_TEXT = re.compile(r"^[+-]?\d+(?:\.0+)?$")
_DEC_TEXT = re.compile(r"^[+-]?\d+\.\d+$")
_UNITS = re.compile(r"^([+-]?\d+)\s*(?:个|件|只|套|次|人|名|台|根|条|片|盒|支|副|pcs|PCS|场)$")


def parse_int(value: Any, col: Column, ctx: "CellContext") -> Parsed:
    if _is_number(value):
        if not _whole(value):
            return Parsed(None, "CE032")
        return _check_min(int(value), col)
    if not isinstance(value, str):
        return Parsed(None, "CE030")
    text = clean(value)
    if _INT_TEXT.match(text):
        number = int(float(text))
        if ctx.is_csv and text == value.strip():
            return _check_min(number, col)
        parsed = _check_min(number, col)
        return parsed if parsed.code else Parsed(number, "CE031", (("normalised", number),))
    if _DEC_TEXT.match(text):
        return Parsed(None, "CE032")
    m = _UNITS.match(text)
    if m:
        number = int(m.group(1))
        parsed = _check_min(number, col)
        return parsed if parsed.code else Parsed(number, "CE031", (("normalised", number),))
    return Parsed(None, "CE030")


_INT_LIMIT = 10**15        # beyond 15 digits a spreadsheet number is no longer exact


def _check_min(number: int, col: Column) -> Parsed:
    if abs(number) >= _INT_LIMIT:
        return Parsed(None, "CE030")
    if col.min is not None and number < col.min:
        return Parsed(None, "CE033", (("min", col.min),))
    return Parsed(number)


_MONEY = re.compile(r"^(?:[¥￥]|RMB|CNY)?\s*([+-]?[\d,]+(?:\.\d+)?)\s*(?:元|块)?$")


def parse_money(value: Any, col: Column, ctx: "CellContext") -> Parsed:
    if _is_number(value):
        return Parsed(None, "CE042") if value < 0 else Parsed(float(value))
    if not isinstance(value, str):
        return Parsed(None, "CE040")
    text = clean(value)
    if re.match(r"^[+-]?\d+(?:\.\d+)?$", text):
        amount = float(text)
        if amount < 0:
            return Parsed(None, "CE042")
        if ctx.is_csv and text == value.strip():
            return Parsed(amount)
        return Parsed(amount, "CE041", (("normalised", _money_text(amount)),))
    m = _MONEY.match(text)
    if m and re.match(r"^[+-]?(\d{1,3}(,\d{3})*|\d+)(\.\d+)?$", m.group(1)):
        amount = float(m.group(1).replace(",", ""))
        if amount < 0:
            return Parsed(None, "CE042")
        return Parsed(amount, "CE041", (("normalised", _money_text(amount)),))
    return Parsed(None, "CE040")


def _money_text(amount: float) -> str:
    return f"{amount:.2f}".rstrip("0").rstrip(".")


# --- enums -------------------------------------------------------------------------------------

def parse_enum(value: Any, col: Column, ctx: "CellContext") -> Parsed:
    if _is_number(value):
        text = str(int(value)) if _whole(value) else str(value)
    elif isinstance(value, str):
        text = _WS.sub("", clean(value))
    else:
        text = str(value)
    if text in col.values:
        return Parsed(text)
    aliases = ctx.aliases(col)
    target = aliases.get(text) or aliases.get(text.upper())
    if target:
        return Parsed(target, "CE051", (("normalised", target),))
    return Parsed(None, "CE050", (("allowed", tuple(col.values)),))


# --- phones ------------------------------------------------------------------------------------

_MOBILE = re.compile(r"^1[3-9]\d{9}$")
_LANDLINE = re.compile(r"^0\d{2,3}-?\d{7,8}$")


def _digits_from_number(value: Any) -> str | None:
    if not _whole(value) or value < 0:
        return None
    return str(int(value))


def _strip_phone(text: str) -> str:
    text = re.sub(r"[\s\u3000]+", "", text)
    text = re.sub(r"^(\+86|0086)-?", "", text)
    return text


def parse_mobile(value: Any, col: Column, ctx: "CellContext") -> Parsed:
    if _is_number(value):
        digits = _digits_from_number(value)
        if digits and _MOBILE.match(digits):
            return Parsed(digits)
        return Parsed(None, "CE060")
    if not isinstance(value, str):
        return Parsed(None, "CE060")
    text = clean(value)
    if _MOBILE.match(text):
        return Parsed(text)
    stripped = _strip_phone(text).replace("-", "")
    if _MOBILE.match(stripped):
        return Parsed(stripped, "CE061", (("normalised", stripped),))
    return Parsed(None, "CE060")


def parse_phone(value: Any, col: Column, ctx: "CellContext") -> Parsed:
    if _is_number(value):
        digits = _digits_from_number(value)
        if digits and _MOBILE.match(digits):
            return Parsed(digits)
        if digits and re.match(r"^[1-9]\d{8,10}$", digits) and _LANDLINE.match("0" + digits):
            return Parsed(None, "CE064")
        return Parsed(None, "CE062")
    if not isinstance(value, str):
        return Parsed(None, "CE062")
    text = clean(value)
    if _MOBILE.match(text) or _LANDLINE.match(text):
        return Parsed(text)
    stripped = _strip_phone(text)
    stripped = re.sub(r"^\((0\d{2,3})\)", r"\1-", stripped)
    if _MOBILE.match(stripped.replace("-", "")):
        digits = stripped.replace("-", "")
        return Parsed(digits, "CE063", (("normalised", digits),))
    if _LANDLINE.match(stripped):
        return Parsed(stripped, "CE063", (("normalised", stripped),))
    return Parsed(None, "CE062")


# --- ID card (GB 11643) ------------------------------------------------------------------------

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"


def id_check_digit(first17: str) -> str:
    return _CHECK[sum(int(c) * w for c, w in zip(first17, _WEIGHTS)) % 11]


def parse_id_card(value: Any, col: Column, ctx: "CellContext") -> Parsed:
    if _is_number(value):
        if abs(value) >= 1e15 or not _whole(value):
            return Parsed(None, "CE073") if abs(value) >= 1e15 else Parsed(None, "CE070")
        text = str(int(value))
    elif isinstance(value, str):
        text = _WS.sub("", clean(value)).upper()
        if _SCIENTIFIC.match(text):
            return Parsed(None, "CE073")
    else:
        return Parsed(None, "CE070")
    if re.match(r"^\d{15}$", text):
        return Parsed(text, "CE074")
    if not re.match(r"^\d{17}[\dX]$", text):
        return Parsed(None, "CE070")
    if _make_date(int(text[6:10]), int(text[10:12]), int(text[12:14])) is None or int(text[6:10]) < 1900:
        return Parsed(None, "CE072")
    expected = id_check_digit(text[:17])
    if text[17] != expected:
        return Parsed(None, "CE071", (("expected", text[:17] + expected),))
    return Parsed(text)


PARSERS: dict[str, Callable[[Any, Column, "CellContext"], Parsed]] = {
    "text": parse_text, "code": parse_code, "date": parse_date, "int": parse_int,
    "money": parse_money, "enum": parse_enum, "mobile": parse_mobile, "phone": parse_phone,
    "id_card": parse_id_card,
}


@dataclass
class CellContext:
    is_csv: bool
    year: int | None
    epoch: dt.date = EPOCH_1900         # day 0 of the workbook's serial dates (1904-01-01 in the 1904 system)

    def __post_init__(self) -> None:
        self._aliases: dict[str, dict[str, str]] = {}

    def aliases(self, col: Column) -> dict[str, str]:
        if col.key not in self._aliases:
            table = {}
            for alias, target in col.value_aliases.items():
                key = _WS.sub("", clean(str(alias)))
                table[key] = target
                table[key.upper()] = target
            self._aliases[col.key] = table
        return self._aliases[col.key]


_D = "[0-9]"
_NUMBERS = {        # the digit types: one pattern over the joined column
    "mobile": rf"1[3-9]{_D}{{9}}",
    "phone": rf"(?:1[3-9]{_D}{{9}}|0{_D}{{2,3}}-?{_D}{{7,8}})",
}
_NUMBER_COLUMN = {k: re.compile(rf"{v}(?:\x00{v})*") for k, v in _NUMBERS.items()}
_TEXTUAL = ("text", "code")   # the text types: printable, no empty item, no space at either end
_ONE_PASS = frozenset(_TEXTUAL) | frozenset(_NUMBERS)
_SCI_ANY = re.compile(r"(?:^|\x00)[+-]?\d\.\d+E\+\d{2}(?:\x00|$)", re.I)


def _all_standard_strings(values: list[Any], col: Column) -> bool:
    """True when every cell of the column is a text cell already in the standard form.

    One C-level pass over the joined column replaces a Python call per value: the common case of a
    clean column of 50,000 order numbers, names, addresses or phone numbers. `join` refuses any
    non-text cell (a number, a date, an empty cell read as None), so such a column goes the
    per-value way. Text must be printable (no invisible, control or odd space character) with no
    empty item and no space at either end; phones and mobiles match their pattern; then NFKC,
    Excel error texts and E+ notation. It must accept only what the per-value parser would keep
    unchanged without a finding (tests/test_properties.py holds it to that).
    """
    if col.type not in _ONE_PASS or not values:
        return False
    try:
        joined = "\x00".join(values)
    except TypeError:
        return False
    if joined.count("\x00") != len(values) - 1:     # a NUL inside a cell: not one item per cell
        return False
    if col.type in _TEXTUAL:
        # printable: no invisible, control or odd space character anywhere, so an item can only
        # start or end in an ASCII space; an empty item shows as a separator at an end or doubled
        if (not joined or not joined.replace("\x00", "").isprintable()
                or joined.startswith((" ", "\x00")) or joined.endswith((" ", "\x00"))
                or "\x00\x00" in joined or " \x00" in joined or "\x00 " in joined):
            return False
    elif _NUMBER_COLUMN[col.type].fullmatch(joined) is None:
        return False
    if not unicodedata.is_normalized("NFKC", joined):
        return False
    if col.type in _TEXTUAL and ("E+" in joined or "e+" in joined) and _SCI_ANY.search(joined):
        return False
    return "#" not in joined or not EXCEL_ERRORS.intersection(values)


@dataclass
class ColumnResult:
    """A parsed column: normalised values and blank mask per row, and the cells with a finding.

    `table`/`codes` (when the column went value by value): the normalised value of each distinct
    cell value and each row's index into it (-1: blank), so that `values == table[codes]`.
    """
    values: np.ndarray                      # object array, None where blank or unusable
    missing: np.ndarray                     # bool per row: the cell is blank
    problems: list[tuple[int, Parsed]]      # (row position, outcome) for every cell with a finding
    table: np.ndarray | None = None
    codes: np.ndarray | None = None
    dates: np.ndarray | None = None         # `datetimes()` when already converted

    def datetimes(self) -> np.ndarray:
        """The values as datetime64 (NaT where None) — a date column's normalised form — converted
        once per distinct value, not once per row."""
        if self.dates is not None:
            return self.dates
        if self.codes is None:
            return pd.to_datetime(pd.Series(self.values, dtype=object), errors="coerce").to_numpy()
        return pd.to_datetime(pd.Series(self.table, dtype=object), errors="coerce").to_numpy()[self.codes]

    def present(self) -> np.ndarray:
        """A bool per row: the normalised value is not None/NaN (`values`' notna), from the
        distinct values when the column went value by value."""
        if self.codes is None:       # the one-pass column: standard text, None only where blank
            return ~self.missing
        return (~pd.isna(self.table))[self.codes]

    def part(self, start: int, stop: int) -> "ColumnResult":
        """Rows start…stop-1 of the column as a column of their own (positions in `problems` from 0):
        one dataset's share of a column parsed over several datasets at once (`parse_columns`)."""
        problems = [(p - start, o) for p, o in self.problems if start <= p < stop]
        codes = None if self.codes is None else self.codes[start:stop]
        dates = None if self.dates is None else self.dates[start:stop].copy()
        return ColumnResult(self.values[start:stop].copy(), self.missing[start:stop].copy(), problems, self.table,
                            codes, dates)


def _fast_column(cells: np.ndarray, col: Column) -> ColumnResult | None:
    """The column (an object array) as it is when every non-blank cell is standard text (see
    _all_standard_strings).

    Blank cells (None, NaN, the empty text) are set aside first when there are any: an optional
    column such as 故障描述 or 关联工单号 is then checked in one pass too.
    """
    if _all_standard_strings(cells.tolist(), col):
        return ColumnResult(cells.copy(), np.zeros(len(cells), dtype=bool), [])
    values = cells.copy()
    blank = pd.isna(values) | (values == "")
    if blank.any() and not blank.all() and _all_standard_strings(values[~blank].tolist(), col):
        values[blank] = None
        return ColumnResult(values, blank, [])
    return None


def parse_column(series: pd.Series | np.ndarray, col: Column, ctx: CellContext) -> ColumnResult:
    """Parse a column once per distinct value and map the outcomes back to the rows.

    `series`: the raw cells (a Series or an object array). Each outcome depends on the cell value,
    the column and `ctx` only, so the column of several datasets parsed at once and cut back with
    `ColumnResult.part` gives each dataset what parsing its own column gives (`parse_columns`).
    """
    parser = PARSERS[col.type]
    cells = np.asarray(series, dtype=object)
    if col.type in _ONE_PASS:
        fast = _fast_column(cells, col)
        if fast is not None:
            return fast
    codes, uniques = _factorize(cells)
    outcomes: list[Parsed] = []
    for u in uniques:
        if is_blank(u):
            outcomes.append(MISSING)
        elif isinstance(u, str) and u.strip() in EXCEL_ERRORS:
            outcomes.append(Parsed(None, "CE004"))
        elif isinstance(u, float) and not math.isfinite(u):     # <v>1e999</v>: no spreadsheet value
            outcomes.append(Parsed(None, PARSE_FAIL.get(col.type, "CE020")))
        else:
            try:
                outcomes.append(parser(u, col, ctx))
            except (ValueError, OverflowError, TypeError):
                outcomes.append(Parsed(None, PARSE_FAIL.get(col.type, "CE020")))
    outcomes.append(MISSING)          # index -1: NaN / None
    values = np.array([o.value for o in outcomes], dtype=object)
    # per distinct value, then per row by the codes (-1, NaN / None, picks the MISSING at the end)
    blank = np.array([o is MISSING for o in outcomes])
    bad = np.array([bool(o.code) and o is not MISSING for o in outcomes])
    problems = []
    if bad.any():
        for p in np.flatnonzero(bad[codes]).tolist():
            problems.append((p, outcomes[codes[p]]))
    return ColumnResult(values[codes], blank[codes], problems, values, codes)


def _factorize(values: np.ndarray) -> tuple[np.ndarray, list[Any]]:
    """(code per cell, the distinct values), NaN/None coded -1 — with a logical cell (TRUE/FALSE)
    never merged with the number 1/0 it equals in Python: they are different cells to the type
    rules (an int column accepts 1 and refuses TRUE)."""
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    uniques = list(uniques)
    if any(isinstance(u, (int, float)) for u in uniques):      # bool is an int: look closer
        types = set(map(type, values))        # a C-level pass: most numeric columns hold no logical cell
        if bool in types and len(types) > 1:
            logical = np.fromiter((v.__class__ is bool for v in values), dtype=bool, count=len(values))
            others, other_uniques = pd.factorize(values[~logical], use_na_sentinel=True)
            bools, bool_uniques = pd.factorize(values[logical])
            codes = np.empty(len(values), dtype=np.intp)
            codes[~logical] = others
            codes[logical] = bools + len(other_uniques)
            uniques = [*other_uniques, *bool_uniques]
    return codes, uniques


#: A cell context's fields as a tuple (what `parse_columns` groups by): every field, so that one
#: added to CellContext can never merge two contexts that differ.
_context_key = attrgetter(*(f.name for f in fields(CellContext)))


def parse_columns(parts: list[tuple[pd.Series | np.ndarray, Column, CellContext]]) -> list[ColumnResult]:
    """`parse_column` of each part, the parts that share a column and a cell context parsed as one
    column (pandas' fixed cost paid once for them): the batch's cities of one chunk."""
    groups: dict[tuple, list[int]] = {}
    for i, (_, col, ctx) in enumerate(parts):
        groups.setdefault((id(col), _context_key(ctx)), []).append(i)
    out: list[ColumnResult | None] = [None] * len(parts)
    for members in groups.values():
        _, col, ctx = parts[members[0]]
        if len(members) == 1:
            out[members[0]] = parse_column(parts[members[0]][0], col, ctx)
            continue
        arrays = [np.asarray(parts[i][0], dtype=object) for i in members]
        whole = parse_column(np.concatenate(arrays), col, ctx)
        if col.type == "date":
            whole.dates = whole.datetimes()      # converted once for the group, cut with the rest
        start = 0
        for i, a in zip(members, arrays):
            out[i] = whole.part(start, start + len(a))
            start += len(a)
    return out  # type: ignore[return-value]


PARSE_FAIL = {"text": "CE011", "code": "CE011", "date": "CE020", "int": "CE030", "money": "CE040",
              "enum": "CE050", "mobile": "CE060", "phone": "CE062", "id_card": "CE070"}
