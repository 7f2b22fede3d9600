"""Wiring of the one-way pipeline for a path: read → validate (the scorer adds metrics → rubric).

Commands call these; they hold no I/O other than reading the inputs.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import AftersalesError
from .formats import DATASETS, load_formats
from .paths import resolve
from .period import Period
from .read.discover import Submission, locate
from .read.files import find_workbooks, open_workbook
from .validate.engine import ValidationResult, validate_submission


@dataclass(frozen=True)
class Family:
    """What a validate command is about: its datasets and the one it needs (exit 2 when not found).

    Every other dataset that can be found is context for the cross checks (cli.md)."""
    datasets: tuple[str, ...]
    needs: str | None = None


FAMILIES = {
    "all": Family(DATASETS),
    "report": Family(("repair_report",), "repair_report"),
    "ledger": Family(("parts_ledger", "parts_master", "stocktake", "parts_plan"), "parts_ledger"),
    "roster": Family(("roster",), "roster"),
}


def validate_path(path: Path, period: Period | None = None, family: Family = FAMILIES["all"],
                  extra: dict[str, Path] | None = None, params: dict[str, Any] | None = None,
                  checklist_codes: tuple[str, ...] | None = None) -> ValidationResult:
    """Read the submission at `path` and validate the family's datasets.

    A folder: every dataset in it is read; the family's are reported, the others are context. A
    file: its own datasets come from it and the rest of the family and every context dataset from
    the other workbooks of its folder (a broken neighbour is skipped), so the result for the
    family's datasets equals the folder's. `validate` (family "all") given a file reports the
    file's own datasets (and RD001 for those found nowhere). `extra` gives files for context datasets (--roster, --parts), taking
    precedence. Raises AftersalesError("err.dataset_not_found") when the family's `needs` is not
    found, or a file holds none of the family's datasets.
    """
    formats = load_formats()
    folder, period, how = resolve(Path(path), period)
    if folder.is_file():
        sub, keep = _file_submission(folder, family, formats)
    else:
        files = find_workbooks(folder)
        sheets = [s for f in files for s in open_workbook(f)]
        sub, keep = locate(str(folder), [str(f) for f in files], sheets, formats), set(family.datasets)
    if family.needs and family.needs not in sub.datasets:
        _not_found(sub, family.needs, folder, formats)
    for name, given in (extra or {}).items():
        sub.datasets[name] = _given(name, Path(given), formats)
        sub.files.append(str(given))
    if checklist_codes is None:
        from .rubric.loader import default_checklist_codes
        checklist_codes = default_checklist_codes()
    result = validate_submission(sub, period=period, period_source=how, params=params,
                                 checklist_codes=checklist_codes)
    own = {s.file for s in sub.sheets}
    wanted = set(family.datasets)     # a family dataset found nowhere is said (RD001), for a file too
    result.findings = [f for f in result.findings if f.dataset in keep or (f.dataset == "" and f.file in own)
                       or (f.code == "RD001" and f.dataset in wanted)]
    return result


def _file_submission(file: Path, family: Family, formats) -> tuple[Submission, set[str]]:
    """(the submission for a file and its folder, the datasets to report)."""
    own = open_workbook(find_workbooks(file)[0])
    mine = locate(str(file), [str(file)], own, formats, family.datasets)
    claimed = set(mine.datasets) | {f.dataset for f in mine.findings if f.dataset and f.code != "RD001"}
    if not claimed and family.needs:
        _raise_not_found(family.needs, file, formats)
    keep = claimed if family.needs is None else set(family.datasets)
    sheets, files = list(own), [str(file)]
    for f in _neighbours(file):
        try:
            theirs = open_workbook(f)
        except AftersalesError:
            continue
        sheets.extend(theirs)
        files.append(str(f))
    sub = locate(str(file), [str(file)], sheets, formats)
    # the copy --annotate writes: the file, and the neighbours that hold a reported dataset
    used = {sub.datasets[d].file for d in keep if d in sub.datasets}
    sub.sheets = [s for s in sheets if s.file == str(file) or s.file in used]
    sub.files = [f for f in files if f == str(file) or f in used]
    return sub, keep


def _neighbours(file: Path) -> list[Path]:
    try:
        return [f for f in find_workbooks(file.parent) if f.resolve() != file.resolve()]
    except AftersalesError:
        return []


def _not_found(sub: Submission, name: str, where: Path, formats) -> None:
    """Raise for a dataset the command needs; one that was found but unreadable keeps its finding."""
    if not any(f.code in ("RD002", "RD011") and f.dataset == name for f in sub.findings):
        _raise_not_found(name, where, formats)


def _raise_not_found(name: str, where: Path, formats) -> None:
    fmt = formats[name]
    raise AftersalesError("err.dataset_not_found", where, title=fmt.title.to_dict(), names=list(fmt.sheet_names))


def _given(name: str, given: Path, formats):
    sheets = [s for f in find_workbooks(given) for s in open_workbook(f)]
    found = locate(str(given), [], sheets, formats, (name,))
    if name not in found.datasets:
        _raise_not_found(name, given, formats)
    return found.datasets[name]


def score_path(path: Path, period: Period | None = None, city: str | None = None, rubric=None,
               overrides: dict[str, Any] | None = None, lang: str = "zh",
               city_params: dict[str, dict[str, Any]] | None = None):
    """Validate a city's month and apply the rubric: (Scorecard, ValidationResult).

    Parameters: the rubric's defaults, then the city's entry in the cities.yaml of the folder
    above the city folder (so `score` equals `batch`), then `overrides` (--params).
    """
    from .cities import CITIES_FILE, load_cities
    from .metrics import compute_facts
    from .paths import city_folder, city_name
    from .rubric.engine import score
    from .rubric.loader import load_rubric

    rubric = rubric or load_rubric()
    folder, period, how = resolve(Path(path), period)
    city = city or city_name(folder)
    if city_params is None:
        city_params = load_cities(city_folder(folder).parent / CITIES_FILE, rubric.params, rubric.param_choices)
    params = {**rubric.params, **city_params.get(city, {}), **(overrides or {})}
    result = validate_path(folder, period, params=params, checklist_codes=tuple(rubric.checklist))
    if how != "option":
        result.period_source = how if how != "rows" else result.period_source
    facts = compute_facts(result, params)
    card = score(rubric, facts, city, result.period.label, result.summary, lang)
    return card, result

