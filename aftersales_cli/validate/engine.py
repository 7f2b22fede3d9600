"""The validation engine: cell types, then declarative rules, then named checks.

`validate_submission` is pure: it takes what `read/` found and returns a ValidationResult; it never
prints, exits or writes.
"""
from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..formats import DATASETS
from ..i18n import both
from ..period import Period
from ..read.discover import Dataset, Submission
from . import cells
from .checks import CHECKS
from .context import Checked, Context
from ..core.finding import Finding, summarize
from .rules import RULES, rule_fields


@dataclass
class ValidationResult:
    submission: Submission
    period: Period
    period_source: str                   # option | folder | rows | other | today
    checked: dict[str, Checked]
    findings: list[Finding]
    params: dict[str, Any] = field(default_factory=dict)
    formats: Any = None                  # the run's formats (dataset titles in reports)

    @property
    def summary(self) -> dict[str, int]:
        return summarize(self.findings)

    @property
    def located(self) -> dict[str, Dataset]:
        """The datasets found in the submission, in DATASETS order: those `checked` holds, and
        those a validate command of one family found but did not validate (pipeline's
        `Family.closed`: their findings are not reported), which it lists all the same."""
        return {name: self.submission.datasets[name] for name in DATASETS if name in self.submission.datasets}

    def to_dict(self, lang: str | None = None) -> dict[str, Any]:
        return {
            "path": self.submission.path,
            "period": self.period.label,
            "datasets": {name: {"file": ds.file, "sheet": ds.sheet, "header_row": ds.header_row,
                                "rows": ds.rows} for name, ds in self.located.items()},
            "findings": [f.to_dict(lang) for f in self.findings],
            "summary": self.summary,
        }


@dataclass
class Request:
    """One submission to validate, with what `validate_submission` takes."""
    sub: Submission
    period: Period | None = None
    period_source: str = "option"
    params: dict[str, Any] | None = None
    checklist_codes: tuple[str, ...] = ()
    formats: Any = None


def validate_submission(sub: Submission, period: Period | None = None, period_source: str = "option",
                        params: dict[str, Any] | None = None, checklist_codes: tuple[str, ...] = (),
                        formats=None) -> ValidationResult:
    """Cell types, then each dataset's rules, then its named checks (formats.md, quality.md).

    `params` (the rules' `param:` values), `checklist_codes` (none: rule checklist_code is skipped)
    and `formats` come from the run context (`run.Run`, as `pipeline.validate_path` passes them);
    params and formats left out are those of the shipped rubric and formats (`run.default_run`).
    """
    return validate_submissions([Request(sub, period, period_source, params, checklist_codes, formats)])[0]


def validate_submissions(requests: list[Request]) -> list[ValidationResult]:
    """`validate_submission` of each request, the cell types of all of them checked together
    (`check_cells_many`: a batch worker's chunk of cities pays pandas' fixed cost per column once).
    Each result is the one its submission gives alone (tests/test_chunks.py)."""
    contexts = []
    for req in requests:
        params, formats, period, how = req.params, req.formats, req.period, req.period_source
        if params is None or formats is None:
            from ..run import default_run
            run = default_run()
            params = run.params if params is None else params
            formats = run.formats if formats is None else formats
        if period is None:
            period, how = infer_period(req.sub)
        contexts.append((Context(period=period, params=dict(params), checklist_codes=tuple(req.checklist_codes),
                                 checked={}, formats=formats), how))
    pairs = [(req.sub.datasets[name], ctx) for req, (ctx, _) in zip(requests, contexts)
             for name in DATASETS if name in req.sub.datasets]
    for (ds, ctx), checked in zip(pairs, check_cells_many(pairs)):
        ctx.checked[ds.name] = checked
    return [_rules(req.sub, ctx, how) for req, (ctx, how) in zip(requests, contexts)]


def _rules(sub: Submission, ctx: Context, period_source: str) -> ValidationResult:
    """Each dataset's declarative rules, then its named checks, on the cell-checked datasets."""
    for name in DATASETS:
        c = ctx.checked.get(name)
        if c is None:
            continue
        for r in c.ds.fmt.rules:
            if all(c.has(k) for k in rule_fields(r)):   # a missing column is RD011, not a crash
                RULES[r.rule](c, r, ctx)
        for check_name in c.ds.fmt.checks:
            CHECKS[check_name](c, ctx)
    findings = sorted([*sub.findings, *ctx.findings], key=Finding.sort_key)
    return ValidationResult(submission=sub, period=ctx.period, period_source=period_source,
                            checked=ctx.checked, findings=findings, params=ctx.params, formats=ctx.formats)


def check_cells_many(pairs: list[tuple[Dataset, Context]]) -> list[Checked]:
    """Type-check and normalise every cell of each (dataset, context) — its period from the
    context —; raise CE findings; required / required_if. Every column of every dataset is parsed
    by one `cells.parse_columns` call (the columns that share a format column and a cell context
    as one)."""
    raws = [_raw_columns(ds) for ds, _ in pairs]
    jobs = []
    for (ds, ctx), raw in zip(pairs, raws):
        cctx = cells.CellContext(is_csv=ds.is_csv, year=ctx.period.year, epoch=ds.epoch)
        jobs.extend((values, ds.fmt.column(key), cctx) for key, values in raw.items())
    parsed = iter(cells.parse_columns(jobs))
    return [_checked(ds, ctx, {key: (values, next(parsed)) for key, values in raw.items()})
            for (ds, ctx), raw in zip(pairs, raws)]


def _raw_columns(ds: Dataset) -> dict[str, np.ndarray]:
    """The raw cells of each format column the dataset has (format order): views into one object
    array of the frame (`DataFrame.to_numpy`, no copy for the reader's one-block frame) instead of
    a Series and an array per column."""
    block = ds.raw.to_numpy(dtype=object)
    where = {key: i for i, key in enumerate(ds.raw.columns)}
    return {col.key: block[:, where[col.key]] for col in ds.fmt.columns if col.key in where}


def _checked(ds: Dataset, ctx: Context, columns: dict[str, tuple[np.ndarray, cells.ColumnResult]]) -> Checked:
    """The dataset's findings and normalised values from its columns (raw cells, parsed); required /
    required_if."""
    values: dict[str, np.ndarray] = {}
    present: dict[str, np.ndarray] = {}
    outcome_codes: dict[str, np.ndarray] = {}
    rows = ds.raw.index.to_numpy()
    checked = Checked(ds=ds, arrays=values, index=ds.raw.index)
    for key, (raw, parsed) in columns.items():
        col = ds.fmt.column(key)
        outcome_codes[key] = parsed.missing.copy()
        for p, o in parsed.problems:
            ctx.emit(checked, o.code, int(rows[p]), key, raw[p], **dict(o.params))
        if col.type == "date":
            values[key] = parsed.datetimes()
        else:
            values[key] = parsed.values
            present[key] = checked.once(("present", key), parsed.present)   # kept for the rules
    # cells the reader could not give: uncached formulas and Excel errors
    for (row, key), (kind, text) in ds.bad_cells.items():
        code = "CE003" if kind == "formula" else "CE004"
        ctx.emit(checked, code, row, key, text, expected=_type_name(ds, key))
        if key in values:
            if not values[key].flags.writeable:
                values[key] = values[key].copy()
            at = ds.raw.index.get_loc(row)
            values[key][at] = np.datetime64("NaT") if ds.fmt.column(key).type == "date" else None
            if key in present:
                present[key][at] = False
            outcome_codes[key][at] = False
    # required, then required_if (which reads the normalised condition column)
    for col in ds.fmt.columns:
        if col.key not in outcome_codes:
            continue
        missing = outcome_codes[col.key]
        if col.required:
            for p in np.nonzero(missing)[0]:
                ctx.emit(checked, "CE001", int(rows[p]), col.key, None)
        elif col.required_if is not None:
            cond = col.required_if
            if cond.present:
                need = checked.present(cond.field)
                shown = ""
            else:
                need = checked.isin(cond.field, cond.in_ or [])
                shown = tuple(cond.in_ or [])
            for p in np.nonzero(missing & need)[0]:
                ctx.emit(checked, "CE002", int(rows[p]), col.key, None,
                         cond_header=ds.fmt.column(cond.field).header,
                         cond_value=shown or _present_text())
    return checked


def _present_text() -> dict[str, str]:
    return both("cell.filled_in")


def _type_name(ds: Dataset, key: str) -> dict[str, str]:
    """What the cell should have held: its column type in words (messages.yaml cell.expected.*)."""
    kind = ds.fmt.column(key).type
    return both(f"cell.expected.{kind}" if kind in ("date", "int", "money") else "cell.expected.other")


def infer_period(sub: Submission) -> tuple[Period, str]:
    """The month most repair-report rows fall in; else the other datasets' dates; else today."""
    order = [("repair_report", "service_date", "rows")] + [
        (name, col.key, "other") for name in DATASETS if name != "repair_report" and name in sub.datasets
        for col in sub.datasets[name].fmt.columns if col.type == "date"][:1]
    for name, key, how in order:
        ds = sub.datasets.get(name)
        if ds is None or key not in ds.raw.columns:
            continue
        col = ds.fmt.column(key)
        normalised = cells.parse_column(ds.raw[key], col, cells.CellContext(ds.is_csv, None, ds.epoch)).values
        months = Counter((d.year, d.month) for d in normalised if isinstance(d, dt.date))
        if months:
            (year, month), _ = max(months.items(), key=lambda kv: (kv[1], kv[0]))
            return Period(year, month), how
    today = dt.date.today()
    return Period(today.year, today.month), "today"
