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
from .read.discover import Submission, locate, norm
from .read.files import find_workbooks, open_workbook
from .validate.engine import ValidationResult, validate_submission


@dataclass(frozen=True)
class Family:
    """What a validate command is about: its datasets, the one it needs, and helpers for cross checks."""
    datasets: tuple[str, ...]
    needs: str | None = None
    context: tuple[str, ...] = ()


FAMILIES = {
    "all": Family(DATASETS),
    "report": Family(("repair_report",), "repair_report", ("roster", "parts_master")),
    "ledger": Family(("parts_ledger", "parts_master", "stocktake", "parts_plan"), "parts_ledger",
                     ("roster", "repair_report")),
    "roster": Family(("roster",), "roster"),
}


def validate_path(path: Path, period: Period | None = None, family: Family = FAMILIES["all"],
                  extra: dict[str, Path] | None = None, params: dict[str, Any] | None = None,
                  checklist_codes: tuple[str, ...] | None = None) -> ValidationResult:
    """Read the submission at `path` and validate the family's datasets.

    `extra` gives files for context datasets (--roster, --parts); otherwise context datasets are
    looked for beside `path` when it is a file (a broken neighbour is ignored, it is not checked).
    """
    formats = load_formats()
    folder, period, how = resolve(Path(path), period)
    files = find_workbooks(folder)
    sheets = [s for f in files for s in open_workbook(f)]
    sub = locate(str(folder), [str(f) for f in files], sheets, formats, family.datasets, period)
    if family.needs and family.needs not in sub.datasets:
        missing = next((f for f in sub.findings if f.code in ("RD002", "RD011") and f.dataset == family.needs), None)
        if missing is None:
            fmt = formats[family.needs]
            raise AftersalesError("err.dataset_not_found", folder, title=fmt.title.to_dict(),
                                  names=list(fmt.sheet_names))
    _add_context(sub, family, folder, files, extra or {}, formats)
    if checklist_codes is None:
        from .rubric.loader import default_checklist_codes
        checklist_codes = default_checklist_codes()
    result = validate_submission(sub, period=period, period_source=how, params=params,
                                 checklist_codes=checklist_codes)
    keep = set(family.datasets)
    result.findings = [f for f in result.findings if f.dataset in keep or f.dataset == ""]
    return result


def _add_context(sub: Submission, family: Family, folder: Path, files: list[Path],
                 extra: dict[str, Path], formats) -> None:
    wanted = [d for d in family.context if d not in sub.datasets]
    if not wanted:
        return
    for name, given in extra.items():
        if name in wanted:
            sheets = [s for f in find_workbooks(Path(given)) for s in open_workbook(f)]
            found = locate(str(given), [], sheets, formats, (name,))
            if name not in found.datasets:
                fmt = formats[name]
                raise AftersalesError("err.dataset_not_found", given, title=fmt.title.to_dict(),
                                      names=list(fmt.sheet_names))
            sub.datasets[name] = found.datasets[name]
            sub.files.append(str(given))
    wanted = [d for d in wanted if d not in sub.datasets]
    if not wanted or not folder.is_file():
        return
    # neighbours named like a wanted dataset first; stop opening files once all are found
    names = {norm(n) for d in wanted for n in formats[d].sheet_names}
    candidates = sorted((f for f in folder.parent.iterdir()
                         if f != folder and f.is_file() and not f.name.startswith(("~$", "."))),
                        key=lambda f: (norm(f.stem) not in names, f.name))
    neighbours = []
    for f in candidates:
        try:
            neighbours.extend(find_workbooks(f) and open_workbook(f))
        except AftersalesError:
            continue
        found = locate(str(folder.parent), [], neighbours, formats, tuple(wanted))
        for name in wanted:
            if name in found.datasets and name not in sub.datasets:
                sub.datasets[name] = found.datasets[name]
                sub.files.append(found.datasets[name].file)
        if all(name in sub.datasets for name in wanted):
            return


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

