"""`aftersales fix`: validate, write the standard form of every fixable finding into a complete copy
of the submission, validate the copy (fixes.md §2).
"""
from __future__ import annotations

import os
import shutil
from collections import defaultdict
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from .. import i18n
from ..core.cells import col_index
from ..core.finding import display
from ..errors import AftersalesError
from .plan import Change, plan_changes

LOG_WIDTHS = (14, 8, 12, 24, 18, 8)
REBUILT_SUFFIX = ".xlsx"


@dataclass
class FixOutcome:
    """What `fix` did: the changes, the files written (none on a dry run or with no change), the
    output folder, the validation of the original and of the fixed copy (`after`: for a dry run or
    no change, the original's findings less the fixed ones)."""
    changes: list[Change]
    written: list[Path]
    out: Path | None
    before: Any
    after: Any
    dry_run: bool = False
    notes: list[str] = field(default_factory=list)

    @property
    def remaining(self) -> dict[str, int]:
        return self.after.summary

    def to_dict(self) -> dict[str, Any]:
        """{"changes": [{file, sheet, cell, column, before, after, code}], "written": [paths],
        "remaining": {error, format, warning, info}} (fixes.md §2)."""
        return {"changes": [c.to_dict() for c in self.changes], "written": [str(p) for p in self.written],
                "remaining": self.remaining}


def default_out(path: Path) -> Path:
    """`_<name>-已修正` beside the folder PATH names (a file: beside its folder)."""
    folder = path if path.is_dir() else path.parent
    if folder.name in ("", ".", ".."):          # "." or "..": name the real folder
        folder = folder.resolve()
    return folder.parent / f"_{folder.name}-已修正"


def fix_path(path: Path, out: Path | None = None, period=None, force: bool = False, dry_run: bool = False,
             run=None) -> FixOutcome:
    """Fix the submission at `path` (a folder or one workbook) into `out` (default `default_out`).

    Raises AftersalesError: err.fix_out_inside (OUT_DIR is the submission folder or inside it),
    err.output_is_input, err.fix_out_not_empty (OUT_DIR exists with files, no --force),
    err.fix_out_not_folder, err.output_unwritable (any OS error while writing; nothing is left
    half-written), and whatever validation raises for an unreadable submission.
    """
    from ..paths import resolve
    from ..pipeline import validate_path
    from ..read.files import find_workbooks
    from ..run import default_run

    run = run or default_run()
    path = Path(path)
    source, _, _ = resolve(path, period)
    before = validate_path(path, period, run=run)
    inputs = find_workbooks(source)
    names = {str(p) for p in inputs}
    changes = [c for c in plan_changes(before) if c.file in names]
    if dry_run or not changes:
        return FixOutcome(changes, [], None, before, _less(before, changes), dry_run)
    out = Path(out) if out is not None else default_out(source)
    _check_out(out, source, inputs, force)
    written, changes = _write(out, inputs, changes, run)
    # a folder's copy is validated afresh; a single file's copy has no neighbours for the cross
    # checks, so its remaining findings are the original's less the fixed ones
    after = (validate_path(out, before.period, run=run, params=before.params) if source.is_dir()
             else _less(before, changes))
    return FixOutcome(changes, written, out, before, after)


def _less(result, changes: list[Change]):
    """The result without the findings the changes answer."""
    fixed = {(c.file, c.sheet, c.cell, c.code) for c in changes}
    return replace(result, findings=[f for f in result.findings if (f.file, f.sheet, f.cell, f.code) not in fixed])


def _check_out(out: Path, source: Path, inputs: list[Path], force: bool) -> None:
    from ..report.atomic import refuse_inputs

    folder = (source if source.is_dir() else source.parent).resolve()
    target = Path(os.path.realpath(out))
    if target == folder or folder in target.parents:
        raise AftersalesError("err.fix_out_inside", out, folder=str(folder))
    refuse_inputs(out, inputs)
    if out.exists() and not out.is_dir():
        raise AftersalesError("err.fix_out_not_folder", out)
    if out.is_dir() and any(out.iterdir()) and not force:
        raise AftersalesError("err.fix_out_not_empty", out)


def _write(out: Path, inputs: list[Path], changes: list[Change], run) -> tuple[list[Path], list[Change]]:
    """Write every input into `out`: (the paths written, the changes made — a formula cell is left out)."""
    from ..report.atomic import atomic_folder

    by_file: dict[str, list[Change]] = defaultdict(list)
    for c in changes:
        by_file[c.file].append(c)
    names = []
    with atomic_folder(out) as tmp:
        for src in inputs:
            mine = by_file.get(str(src))
            if not mine:
                shutil.copyfile(src, tmp / src.name)
                names.append(src.name)
            else:
                names.append(_write_fixed(src, tmp, mine, run))
    return [out / n for n in names], [c for src in inputs for c in by_file.get(str(src), [])]


def _write_fixed(src: Path, tmp: Path, changes: list[Change], run) -> str:
    """Write the fixed copy of `src` into `tmp`; its name there. `changes` loses the cells left alone."""
    from .rebuild import write_csv, write_rebuilt
    from .xlsx import NotPatchable, patch_package

    lang = run.lang
    edits: dict[str, dict[tuple[int, int], Any]] = defaultdict(dict)
    for c in changes:
        edits[c.sheet][(c.row, col_index(c.column))] = c.after
    suffix = src.suffix.lower()
    if suffix == ".csv":
        write_csv(src, tmp / src.name, next(iter(edits.values())))
        return src.name
    log_name = i18n.text("fix.log_sheet", lang)
    if suffix in (".xlsx", ".xlsm"):
        def rows_kept(skipped: set) -> list[list[str]]:
            kept = [c for c in changes if (c.sheet, c.row, col_index(c.column)) not in skipped]
            changes[:] = kept           # a formula cell is left alone: it is no change
            return log_rows(kept, lang)
        try:
            patch_package(src, tmp / src.name, edits, log_name, rows_kept, LOG_WIDTHS)
            return src.name
        except NotPatchable:
            (tmp / src.name).unlink(missing_ok=True)
    name = src.stem + REBUILT_SUFFIX
    write_rebuilt(src, tmp / name, edits, log_name, log_rows(changes, lang), LOG_WIDTHS, run.limits)
    return name


def log_rows(changes: list[Change], lang: str) -> list[list[str]]:
    """The 修改记录 sheet: a header row, then sheet, cell, column, before, after, code per change."""
    header = [i18n.text(f"fix.col.{k}", lang) for k in ("sheet", "cell", "column", "before", "after", "code")]
    return [header] + [[c.sheet, c.cell, c.header, display(c.before), display(c.after), c.code] for c in changes]

