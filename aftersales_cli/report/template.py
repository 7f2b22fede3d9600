"""The blank standard workbooks (`aftersales template`), generated from the format YAML only.

Each template holds the dataset's sheet under its canonical name with the canonical headers
(required ones marked `*`, which the reader strips), a frozen header row, the YAML column widths,
cell formats on the first `DATA_ROWS` data rows (text `@` on identifiers so Excel keeps leading
zeros and 18-digit ID numbers), a drop-down list for every enum and an input check for dates and
numbers, and a `填写说明` sheet describing every column. The words for types, requirements and rule
kinds live in the message catalogue; a column, alias, value or rule added to a YAML file shows here
without a code change (a rule kind without words of its own is still listed by name).
"""
from __future__ import annotations

import unicodedata
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable, Sequence

from .. import i18n
from ..errors import AftersalesError
from .atomic import write_atomic
from .cellsafe import set_text
from .names import file_name

if TYPE_CHECKING:  # pragma: no cover
    from openpyxl import Workbook

    from ..formats import Column, DatasetFormat, Formats
    from ..run import Run

#: Data rows (below the header) that get cell formats and input checks.
DATA_ROWS = 1000
#: Excel's limit for an inline list (`"a,b,c"`) in a data validation, and for its messages.
LIST_LIMIT = 255
MESSAGE_LIMIT = 255
TITLE_LIMIT = 32

NUMBER_FORMATS = {"date": "yyyy-mm-dd", "int": "0", "money": "#,##0.00", "text": "@", "enum": "@",
                  "mobile": "@", "phone": "@", "id_card": "@", "code": "@"}
REQUIRED_FILL = "FF1F4E78"     # dark blue, white bold text
OPTIONAL_FILL = "FFDDEBF7"     # light blue, dark bold text
CONDITIONAL_FILL = "FFFCE4D6"  # light orange: required under a condition
NOTES_COLUMNS = (("header", 14), ("key", 16), ("type", 10), ("required", 8), ("rule", 70), ("aliases", 24))


# --- which datasets ----------------------------------------------------------------------------

def resolve_datasets(names: Sequence[str] | None, formats: "Formats | None" = None) -> list[str]:
    """Dataset keys for `names` (a key, the canonical sheet name or an alias); all when empty."""
    from ..formats import DATASETS, load_formats

    formats = formats or load_formats()
    if not names:
        return list(DATASETS)
    index: dict[str, str] = {}
    for key in DATASETS:
        for n in (key, *formats[key].sheet_names):
            index.setdefault(_norm(n), key)
    chosen: list[str] = []
    for name in names:
        key = index.get(_norm(name))
        if key is None:
            raise AftersalesError("err.unknown_dataset", value=name, allowed="、".join(DATASETS))
        if key not in chosen:
            chosen.append(key)
    return chosen


def _norm(text: Any) -> str:
    return "".join(unicodedata.normalize("NFKC", str(text)).split()).strip("*").casefold()


# --- writing -----------------------------------------------------------------------------------

def write_templates(names: Sequence[str] | None, out_dir: Path, lang: str, force: bool = False,
                    run: "Run | None" = None) -> list[Path]:
    """Write `out_dir/<canonical sheet name>.xlsx` for each dataset of the run's formats; return
    the paths written.

    An existing file is never overwritten unless `force` (it may be a filled-in workbook).
    """
    from ..run import default_run

    run = run or default_run()
    formats = run.formats
    keys = resolve_datasets(names, formats)
    out_dir = Path(out_dir)
    taken: set[str] = set()
    targets = [(key, out_dir / f"{file_name(formats[key].sheet, taken)}.xlsx") for key in keys]
    if out_dir.exists() and not out_dir.is_dir():
        raise AftersalesError("err.output_unwritable", out_dir, detail=i18n.both("os.not_folder"))
    if not force:
        for _key, path in targets:
            if path.exists():
                raise AftersalesError("err.output_exists", path)
    written = []
    for key, path in targets:
        wb = template_workbook(formats[key], lang, run)
        written.append(write_atomic(path, wb.save))
    return written


def template_workbook(fmt: "DatasetFormat", lang: str, run: "Run | None" = None) -> "Workbook":
    """The blank workbook for one dataset: the data sheet, then the notes sheet (the run's
    formats and rubric; None: the shipped ones)."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.utils import get_column_letter

    from ..run import default_run

    run = run or default_run()
    wb = Workbook()
    ws = wb.active
    ws.title = fmt.sheet
    thin = Side(style="thin", color="FF9BB7D4")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    centre = Alignment(horizontal="center", vertical="center", wrap_text=True)
    styles = {
        "yes": (PatternFill("solid", start_color=REQUIRED_FILL, end_color=REQUIRED_FILL), Font(bold=True, color="FFFFFFFF")),
        "cond": (PatternFill("solid", start_color=CONDITIONAL_FILL, end_color=CONDITIONAL_FILL), Font(bold=True)),
        "no": (PatternFill("solid", start_color=OPTIONAL_FILL, end_color=OPTIONAL_FILL), Font(bold=True)),
    }
    lists = _Lists(wb, lang)
    for j, col in enumerate(fmt.columns, start=1):
        letter = get_column_letter(j)
        cell = ws.cell(row=1, column=j)
        set_text(cell, ("*" if col.required else "") + col.header)
        fill, font = styles[required_kind(col)]
        cell.fill, cell.font, cell.alignment, cell.border = fill, font, centre, border
        ws.column_dimensions[letter].width = col.width
        number_format = NUMBER_FORMATS.get(col.type, "General")
        for r in range(2, DATA_ROWS + 2):
            ws.cell(row=r, column=j).number_format = number_format
        dv = data_validation(col, lang, lists)
        if dv is not None:
            dv.add(f"{letter}2:{letter}{DATA_ROWS + 1}")
            ws.add_data_validation(dv)
    ws.row_dimensions[1].height = 22
    ws.freeze_panes = "A2"
    notes_sheet(wb, fmt, lang, run)
    lists.finish()
    wb.active = 0
    return wb


def required_kind(col: "Column") -> str:
    if col.required:
        return "yes"
    return "cond" if col.required_if is not None else "no"


class _Lists:
    """A hidden sheet holding enum values too long for an inline list (Excel's 255 characters)."""

    def __init__(self, wb: "Workbook", lang: str) -> None:
        self.wb, self.lang, self.ws, self.columns = wb, lang, None, 0

    def range_for(self, values: list[str]) -> str:
        from openpyxl.utils import get_column_letter

        if self.ws is None:
            self.ws = self.wb.create_sheet(i18n.text("template.lists_sheet", self.lang))
        self.columns += 1
        for i, value in enumerate(values, start=1):
            set_text(self.ws.cell(row=i, column=self.columns), value)
        letter = get_column_letter(self.columns)
        title = "'" + self.ws.title.replace("'", "''") + "'"
        return f"{title}!${letter}$1:${letter}${max(len(values), 1)}"

    def finish(self) -> None:
        """Hide the lists sheet and put it last (after the notes)."""
        if self.ws is not None:
            self.ws.sheet_state = "hidden"
            self.wb.move_sheet(self.ws, len(self.wb.sheetnames) - 1 - self.wb.sheetnames.index(self.ws.title))


def list_formula(values: list[str], lists: _Lists) -> str:
    """`"a,b,c"` when Excel can hold it inline, else a range on the hidden lists sheet."""
    inline = ",".join(values)
    if len(inline) <= LIST_LIMIT and not any("," in v or '"' in v for v in values):
        return f'"{inline}"'
    return lists.range_for(values)


def data_validation(col: "Column", lang: str, lists: _Lists):
    """The Excel input check for a column: a drop-down for an enum; dates and numbers checked."""
    from openpyxl.worksheet.datavalidation import DataValidation

    def make(error_key: str, style: str, **kw: Any) -> DataValidation:
        return DataValidation(allow_blank=True, showErrorMessage=True, errorStyle=style,
                              errorTitle=_cut(i18n.text("template.dv.title", lang), TITLE_LIMIT),
                              error=_cut(i18n.text(error_key, lang, values=_join(col.values, lang),
                                                   min=col.min), MESSAGE_LIMIT), **kw)

    if col.type == "enum":
        return make("template.dv.list", "stop", type="list", formula1=list_formula(list(col.values), lists))
    if col.type == "int":
        if col.min is not None:
            return make("template.dv.whole_min", "warning", type="whole", operator="greaterThanOrEqual",
                        formula1=str(col.min))
        return make("template.dv.whole", "warning", type="whole", operator="between",
                    formula1="-999999999", formula2="999999999")
    if col.type == "money":
        return make("template.dv.money", "warning", type="decimal", operator="greaterThanOrEqual", formula1="0")
    if col.type == "date":
        return make("template.dv.date", "warning", type="date", operator="greaterThanOrEqual",
                    formula1="DATE(2000,1,1)")
    return None


# --- the notes sheet ---------------------------------------------------------------------------

def notes_sheet(wb: "Workbook", fmt: "DatasetFormat", lang: str, run: "Run") -> None:
    """`填写说明`: the sheet's names, then one row per column, then the whole-sheet checks."""
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    ws = wb.create_sheet(i18n.text("template.notes_sheet", lang))
    wrap = Alignment(wrap_text=True, vertical="top")
    width = len(NOTES_COLUMNS)
    title = ws.cell(row=1, column=1)
    set_text(title, i18n.text("template.notes_title", lang, title=fmt.title.get(lang), sheet=fmt.sheet))
    title.font = Font(bold=True, size=14)
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
    lines = [i18n.text("template.notes_sheet_names", lang, sheet=fmt.sheet,
                       aliases=_join(fmt.aliases, lang) or i18n.text("template.notes_none", lang)),
             i18n.text("template.notes_marker", lang)]
    row = 1
    for line in lines:
        row += 1
        cell = ws.cell(row=row, column=1)
        set_text(cell, line)
        cell.alignment = wrap
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=width)
        ws.row_dimensions[row].height = 32
    row += 2
    head_fill = PatternFill("solid", start_color=OPTIONAL_FILL, end_color=OPTIONAL_FILL)
    for j, (key, w) in enumerate(NOTES_COLUMNS, start=1):
        cell = ws.cell(row=row, column=j)
        set_text(cell, i18n.text(f"template.col.{key}", lang))
        cell.font, cell.fill = Font(bold=True), head_fill
        ws.column_dimensions[get_column_letter(j)].width = w
    ws.freeze_panes = ws.cell(row=row + 1, column=1).coordinate
    for col in fmt.columns:
        row += 1
        values = (col.header, col.key, type_name(col.type, lang),
                  i18n.text(f"template.required.{required_kind(col)}", lang),
                  column_rule_text(fmt, col, lang, run), _join(col.aliases, lang))
        for j, value in enumerate(values, start=1):
            cell = ws.cell(row=row, column=j)
            set_text(cell, value)
            cell.alignment = wrap
    checks = [check_text(name, lang) for name in fmt.checks]
    if checks:
        row += 2
        cell = ws.cell(row=row, column=1)
        set_text(cell, i18n.text("template.notes_checks", lang))
        cell.font = Font(bold=True)
        for text in checks:
            row += 1
            cell = ws.cell(row=row, column=1)
            set_text(cell, f"• {text}")
            cell.alignment = wrap
            ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=width)
            ws.row_dimensions[row].height = 30


def type_name(column_type: str, lang: str) -> str:
    return _text_or(f"template.type.{column_type}", lang, column_type)


def column_rule_text(fmt: "DatasetFormat", col: "Column", lang: str, run: "Run | None" = None) -> str:
    """The column's rule in words: type hint, condition, minimum, values, aliases, dataset rules."""
    from ..run import default_run

    run = run or default_run()
    parts = [_text_or(f"template.hint.{col.type}", lang, "")]
    cond = col.required_if
    if cond is not None:
        field = _header(fmt, cond.field)
        if cond.present:
            parts.append(i18n.text("template.rule.required_if_present", lang, field=field))
        else:
            parts.append(i18n.text("template.rule.required_if_in", lang, field=field,
                                   values=_join([f"「{v}」" for v in cond.in_ or []], lang, "或" if lang != "en" else " or ")))
    if col.min is not None:
        parts.append(i18n.text("template.rule.min", lang, min=col.min))
    if col.values:
        parts.append(i18n.text("template.rule.allowed", lang, values=_join(col.values, lang)))
    if col.value_aliases:
        pairs = [f"{alias}→{target}" for alias, target in col.value_aliases.items()]
        parts.append(i18n.text("template.rule.value_aliases", lang, pairs=_join(pairs, lang)))
    for rule in fmt.rules:
        if col.key in (rule.field, rule.option("at")):
            parts.append(rule_text(fmt, rule, lang, run))
    if col.note is not None:
        parts.append(col.note.get(lang))
    end = "." if lang == "en" else "。"
    sep = ". " if lang == "en" else "；"
    return sep.join(p.rstrip("。.；; ") for p in parts if p) + (end if any(parts) else "")


def rule_text(fmt: "DatasetFormat", rule, lang: str, run: "Run") -> str:
    """One declarative rule in words. Every parameter is offered to the catalogue text: a field key
    of this dataset becomes its header, `ref`/`ref_field` name the other dataset and its column,
    `param` the rubric parameter's value (the run's), `checklist_code` the rubric's codes."""
    formats = run.formats
    keys = {c.key for c in fmt.columns}
    extras = rule.options()
    params: dict[str, Any] = {"rule": rule.rule, "code": rule.code, "field": _header(fmt, rule.field)}
    ref_fmt = None
    if isinstance(extras.get("ref"), str):
        ds, _, ref_key = extras["ref"].partition(".")
        if ds in formats.datasets:
            ref_fmt = formats[ds]
            params["ref_title"] = ref_fmt.title.get(lang)
            params["ref_header"] = _header(ref_fmt, ref_key)
    for name, value in extras.items():
        if name == "ref":
            continue
        if name in ("key", "lang"):  # the names i18n.text() takes itself
            name = f"{name}_field"
        if name == "ref_field" and ref_fmt is not None:
            params[name] = _header(ref_fmt, value)
        elif isinstance(value, str) and value in keys:
            params[name] = _header(fmt, value)
        else:
            params.setdefault(name, value)
    if fmt.count_window is not None:
        params.update(fmt.count_window.to_dict())
    if fmt.period_window is not None:
        params.update({f"period_{k}": v for k, v in fmt.period_window.to_dict().items()})
    if isinstance(extras.get("param"), str):
        params["days"] = run.params[extras["param"]]
    if rule.rule == "checklist_code":
        params["codes"] = _join(run.checklist_codes, lang)
    key = f"template.rule.{rule.rule}"
    flags = [name for name, value in extras.items() if value is True and _has(f"{key}.{name}")]
    if flags:
        key = f"{key}.{flags[0]}"
    if not _has(key):
        key = "template.rule.other"
    return i18n.text(key, lang, **params)


def check_text(name: str, lang: str) -> str:
    key = f"template.check.{name}"
    return i18n.text(key, lang) if _has(key) else i18n.text("template.check.other", lang, name=name)


def _header(fmt: "DatasetFormat", key: str) -> str:
    try:
        return fmt.column(key).header
    except KeyError:
        return key


def _has(key: str) -> bool:
    return key in i18n.catalogue()["ui"]


def _text_or(key: str, lang: str, default: str) -> str:
    return i18n.text(key, lang) if _has(key) else default


def _join(items: Iterable[Any], lang: str, sep: str | None = None) -> str:
    return (sep if sep is not None else (", " if lang == "en" else "、")).join(str(i) for i in items)


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[:limit - 1] + "…"
