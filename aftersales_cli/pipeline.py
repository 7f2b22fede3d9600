"""Wiring of the one-way pipeline for a path: read → validate (the scorer adds metrics → rubric).

Commands build one run context (`run.build_run`) and call these; they hold no I/O other than
reading the inputs (and the cities.yaml beside the city folders).
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import AftersalesError
from .formats import DATASETS
from .paths import city_folder, city_name, resolve
from .period import Period
from .read.discover import Submission, locate, norm
from .read.files import find_workbooks, open_workbook
from .run import Run, default_run
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
                  extra: dict[str, Path] | None = None, run: Run | None = None,
                  params: dict[str, Any] | None = None) -> ValidationResult:
    """Read the submission at `path` and validate the family's datasets with the run's formats,
    the city's parameters (`city_params`, unless `params` are given) and the rubric's checklist.

    `extra` gives files for context datasets (--roster, --parts); otherwise context datasets are
    looked for beside `path` when it is a file (a broken neighbour is ignored, it is not checked).
    Raises AftersalesError when the path cannot be read or the family's dataset is not found.
    """
    run = run or default_run()
    formats = run.formats
    folder, period, how = resolve(Path(path), period)
    if params is None:
        params = city_params(run, folder)
    files = find_workbooks(folder)
    sheets = [s for f in files for s in open_workbook(f, run.limits)]
    sub = locate(str(folder), [str(f) for f in files], sheets, formats, family.datasets)
    if family.needs and family.needs not in sub.datasets:
        missing = next((f for f in sub.findings if f.code in ("RD002", "RD011") and f.dataset == family.needs), None)
        if missing is None:
            fmt = formats[family.needs]
            raise AftersalesError("err.dataset_not_found", folder, title=fmt.title.to_dict(),
                                  names=list(fmt.sheet_names))
    _add_context(sub, family, folder, files, extra or {}, run)
    result = validate_submission(sub, period=period, period_source=how, params=params,
                                 checklist_codes=run.checklist_codes, formats=formats)
    keep = set(family.datasets)
    result.findings = [f for f in result.findings if f.dataset in keep or f.dataset == ""]
    return result


def city_params(run: Run, folder: Path, city: str | None = None) -> dict[str, Any]:
    """The parameters of the city whose folder (or month folder, or file) is `folder`: the rubric's
    defaults, its entry in the cities.yaml of the folder above the city folder, then --params."""
    city = city or city_name(folder)
    return run.city_params(city, run.cities(city_folder(folder).parent))


def _add_context(sub: Submission, family: Family, folder: Path, files: list[Path],
                 extra: dict[str, Path], run: Run) -> None:
    formats = run.formats
    wanted = [d for d in family.context if d not in sub.datasets]
    if not wanted:
        return
    for name, given in extra.items():
        if name in wanted:
            sheets = [s for f in find_workbooks(Path(given)) for s in open_workbook(f, run.limits)]
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
            neighbours.extend(find_workbooks(f) and open_workbook(f, run.limits))
        except AftersalesError:
            continue
        found = locate(str(folder.parent), [], neighbours, formats, tuple(wanted))
        for name in wanted:
            if name in found.datasets and name not in sub.datasets:
                sub.datasets[name] = found.datasets[name]
                sub.files.append(found.datasets[name].file)
        if all(name in sub.datasets for name in wanted):
            return


def score_path(path: Path, period: Period | None = None, city: str | None = None, run: Run | None = None,
               params: dict[str, Any] | None = None):
    """Validate a city's month and apply the run's rubric: (Scorecard, ValidationResult).

    Parameters: the rubric's defaults, then the city's entry in the cities.yaml of the folder
    above the city folder (so `score` equals `batch` and `validate`), then --params; `params`
    (a batch job's, from the cities.yaml it already read) replaces them.
    """
    from .metrics import compute_facts
    from .rubric.engine import score

    run = run or default_run()
    folder, period, how = resolve(Path(path), period)
    city = city or city_name(folder)
    if params is None:
        params = city_params(run, folder, city)
    result = validate_path(folder, period, run=run, params=params)
    if how != "option":
        result.period_source = how if how != "rows" else result.period_source
    facts = compute_facts(result, params, run.formats)
    card = score(run.rubric, facts, city, result.period.label, result.summary, run.lang, run.formats)
    return card, result


KPI_FAMILY = Family(("repair_report", "roster"), "repair_report")


def kpi_path(path: Path, period: Period | None = None, city: str | None = None,
             rates: Path | None = None, pairs: list[str] | None = None):
    """The manager's month (kpi.md): (kpi.compute.Kpi, ValidationResult of the report).

    PATH, period and city resolve as for `score_path`. The previous month's report is the city's
    sibling YYYY-MM folder; when there is none or it cannot be read, a note says so and the
    figures use the report alone. A missing report, or one with no rows, is AftersalesError.
    """
    from .cities import CITIES_FILE
    from .kpi import check_values, compute, load_params, report_rows, roster_names
    from .paths import city_folder, city_name

    folder, period, how = resolve(Path(path), period)
    city = city or city_name(folder)
    params = load_params(rates, pairs, city_folder(folder).parent / CITIES_FILE, city)
    result = validate_path(folder, period, family=KPI_FAMILY)
    if how != "option":
        result.period_source = how if how != "rows" else result.period_source
    checked = result.checked["repair_report"]
    if checked.ds.rows == 0:
        raise AftersalesError("err.kpi_no_rows", checked.ds.file, sheet=checked.ds.sheet)
    report = report_rows(checked, result.findings, 1, params.keep_codes, result.period.label)
    previous, notes = None, []
    before = result.period.previous()
    sibling = city_folder(folder) / before.label
    if not sibling.is_dir():
        notes.append({"key": "kpi.note.no_previous", "period": before.label})
    else:
        try:
            prev = validate_path(sibling, before, family=KPI_FAMILY)
            previous = report_rows(prev.checked["repair_report"], prev.findings, 0, params.keep_codes,
                                   before.label)
        except AftersalesError as exc:
            notes.append({"key": "kpi.note.previous_unreadable", "period": before.label,
                          "detail": {"zh": exc.message("zh"), "en": exc.message("en")}})
    present = {"service_type": {r.service_type for rr in (report, previous) if rr for r in rr.rows
                                if r.service_type is not None}}
    check_values(params, present, checked.ds.file)
    kpi = compute(report, previous, roster_names(result.checked.get("roster")), params, result.period, city)
    kpi.notes = notes
    return kpi, result
