"""Wiring of the one-way pipeline for a path: read → validate (the scorer adds metrics → rubric).

Commands build one run context (`run.build_run`) and call these; they hold no I/O other than
reading the inputs (and the cities.yaml beside the city folders).
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .core.collector import one_unit
from .errors import AftersalesError
from .formats import DATASETS
from .paths import city_folder, city_name, resolve
from .period import Period
from .read.discover import Submission, locate
from .read.files import find_workbooks, open_workbook, open_workbooks, unread_files
from .run import Run, default_run
from .validate.engine import Request, ValidationResult, validate_submission, validate_submissions


@dataclass(frozen=True)
class Family:
    """What a validate command is about: its datasets and the one it needs (exit 2 when not found).

    Every other dataset that can be found is context for the cross checks (cli.md)."""
    datasets: tuple[str, ...]
    needs: str | None = None
    # validate only the family's datasets and those they read (`validated_datasets`), when the
    # period is known: the findings kept are the same, the other datasets are not checked for nothing
    closed: bool = False


FAMILIES = {
    "all": Family(DATASETS),
    "report": Family(("repair_report",), "repair_report", closed=True),
    "ledger": Family(("parts_ledger", "parts_master", "stocktake", "parts_plan"), "parts_ledger", closed=True),
    "roster": Family(("roster",), "roster", closed=True),
}


@one_unit
def validate_path(path: Path, period: Period | None = None, family: Family = FAMILIES["all"],
                  extra: dict[str, Path] | None = None, run: Run | None = None,
                  params: dict[str, Any] | None = None) -> ValidationResult:
    """Read the submission at `path` and validate the family's datasets with the run's formats,
    the city's parameters (`city_params`, unless `params` are given) and the rubric's checklist.

    A folder: every dataset in it is read; the family's are reported, the others are context. A
    file: its own datasets come from it and the rest of the family and every context dataset from
    the other workbooks of its folder (a broken neighbour is skipped), so the result for the
    family's datasets equals the folder's. `validate` (family "all") given a file reports the
    file's own datasets (and RD001 for those found nowhere). `extra` gives files for context datasets (--roster, --parts), taking
    precedence. Raises AftersalesError("err.dataset_not_found") when the family's `needs` is not
    found, or a file holds none of the family's datasets.
    """
    run = run or default_run()
    reading = _read(path, period, family, extra, run, params)
    return _reported(reading, validate_submissions([reading.request(run)])[0])


@dataclass
class _Reading:
    """A month read and located, before validation (what `_reported` needs afterwards)."""
    folder: Path
    period: Period | None
    how: str
    params: dict[str, Any]
    sub: Submission
    keep: set[str]
    family: Family

    def request(self, run: Run) -> Request:
        return Request(_to_validate(self.sub, self.family, self.period, run.formats), self.period, self.how,
                       self.params, run.checklist_codes, run.formats)


def _read(path: Path, period: Period | None, family: Family, extra: dict[str, Path] | None, run: Run,
          params: dict[str, Any] | None) -> _Reading:
    formats = run.formats
    folder, period, how = resolve(Path(path), period)
    if params is None:
        params = city_params(run, folder)
    if folder.is_file():
        sub, keep = _file_submission(folder, family, run, period)
    else:
        files = find_workbooks(folder)
        sheets = []
        for read in open_workbooks(files, run.limits, run.read_threads):
            if isinstance(read, Exception):     # the first file, in name order, that cannot be read
                raise read
            sheets.extend(read)
        sub, keep = locate(str(folder), [str(f) for f in files], sheets, formats, None, period),\
            set(family.datasets)
    if family.needs and family.needs not in sub.datasets:
        _not_found(sub, family.needs, folder, formats)
    for name, given in (extra or {}).items():
        sub.datasets[name] = _given(name, Path(given), run)
        sub.files.append(str(given))
    return _Reading(folder, period, how, params, sub, keep, family)


def _reported(reading: _Reading, result: ValidationResult) -> ValidationResult:
    """The result with the findings the command reports: the family's datasets and the files' own."""
    sub = reading.sub
    own = {s.file for s in sub.sheets} | {str(p) for p in unread_files(reading.folder)}   # RD014 names those
    wanted = set(reading.family.datasets)     # a family dataset found nowhere is said (RD001), for a file too
    result.findings = [f for f in result.findings if f.dataset in reading.keep
                       or (f.dataset == "" and f.file in own) or (f.code == "RD001" and f.dataset in wanted)]
    result.submission = sub             # every dataset found, also those a closed family did not validate
    return result


def validated_datasets(names, formats) -> set[str]:
    """The datasets whose validation gives every finding on `names`: themselves, the datasets
    their rules refer to (`ref:`) and those their named checks read (checks.CHECK_DATASETS). The
    checks of a dataset read the others' values, which come from the cell checks alone."""
    from .validate.checks import CHECK_DATASETS

    out = set(names)
    for name in names:
        fmt = formats[name]
        out.update(r.option("ref").partition(".")[0] for r in fmt.rules if r.option("ref"))
        for check in fmt.checks:
            out.update(CHECK_DATASETS[check])
    return out


def _to_validate(sub: Submission, family: Family, period: Period | None, formats) -> Submission:
    """The submission to validate for the family: a closed family's (`Family.closed`) with only
    its `validated_datasets` when the period is known (every file, sheet and reading finding
    kept), any other as it is."""
    if not (family.closed and period is not None):
        return sub
    from dataclasses import replace

    names = validated_datasets(family.datasets, formats)
    return replace(sub, datasets={k: v for k, v in sub.datasets.items() if k in names})


def city_params(run: Run, folder: Path, city: str | None = None) -> dict[str, Any]:
    """The parameters of the city whose folder (or month folder, or file) is `folder`: the rubric's
    defaults, its entry in the cities.yaml of the folder above the city folder, then --params."""
    city = city or city_name(folder)
    return run.city_params(city, run.cities(city_folder(folder).parent))


def _file_submission(file: Path, family: Family, run: Run, period: Period | None) -> tuple[Submission, set[str]]:
    """(the submission for a file and its folder, the datasets to report)."""
    formats = run.formats
    files = find_workbooks(file) + _neighbours(file)      # read at once (Run.read_threads)
    reads = open_workbooks(files, run.limits, run.read_threads)
    if isinstance(reads[0], Exception):
        raise reads[0]
    own = reads[0]
    mine = locate(str(file), [str(file)], own, formats, family.datasets, period)
    claimed = set(mine.datasets) | {f.dataset for f in mine.findings if f.dataset and f.code != "RD001"}
    if not claimed and family.needs:
        _raise_not_found(family.needs, file, formats)
    keep = claimed if family.needs is None else set(family.datasets)
    sheets, names = list(own), [str(file)]
    for f, theirs in zip(files[1:], reads[1:]):
        if isinstance(theirs, AftersalesError):     # a broken neighbour is skipped
            continue
        if isinstance(theirs, Exception):           # a fault, raised as reading one by one raised it
            raise theirs
        sheets.extend(theirs)
        names.append(str(f))
    sub = locate(str(file), [str(file)], sheets, formats, None, period, first=str(file))
    # the copy --annotate writes: the file, and the neighbours that hold a reported dataset
    used = {sub.datasets[d].file for d in keep if d in sub.datasets}
    sub.sheets = [s for s in sheets if s.file == str(file) or s.file in used]
    sub.files = [f for f in names if f == str(file) or f in used]
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


def _given(name: str, given: Path, run: Run):
    formats = run.formats
    sheets = [s for f in find_workbooks(given) for s in open_workbook(f, run.limits)]
    found = locate(str(given), [], sheets, formats, (name,))
    if name not in found.datasets:
        _raise_not_found(name, given, formats)
    return found.datasets[name]


def score_path(path: Path, period: Period | None = None, city: str | None = None, run: Run | None = None,
               params: dict[str, Any] | None = None):
    """Validate a city's month and apply the run's rubric: (Scorecard, ValidationResult).

    Parameters: the rubric's defaults, then the city's entry in the cities.yaml of the folder
    above the city folder (so `score` equals `batch` and `validate`), then --params; `params`
    (a batch job's, from the cities.yaml it already read) replaces them. Raises what reading the
    month raises (AftersalesError for a file that cannot be read, a month with no data).
    """
    outcome = score_paths([(path, period, city, params)], run)[0]
    if isinstance(outcome, BaseException):
        raise outcome
    return outcome


@one_unit
def score_paths(items: list[tuple[Path, Period | None, str | None, dict[str, Any] | None]],
                run: Run | None = None) -> list:
    """`score_path` of each (path, period, city, params), the months' cell types checked together
    (`validate_submissions`: a batch worker's chunk of cities). Each item gives (Scorecard,
    ValidationResult), or the exception that item raised — one item never fails another; the
    results equal those of `score_path` item by item (tests/test_chunks.py)."""
    from .metrics import compute_facts
    from .rubric.engine import score

    run = run or default_run()
    outcomes: list[Any] = [None] * len(items)
    readings: dict[int, tuple[_Reading, str, str]] = {}
    for i, (path, period, city, params) in enumerate(items):
        try:
            folder, period, how = resolve(Path(path), period)
            city = city or city_name(folder)
            if params is None:
                params = city_params(run, folder, city)
            readings[i] = (_read(folder, period, FAMILIES["all"], None, run, params), city, how)
        except Exception as exc:  # noqa: BLE001 - handed back to the caller, item by item
            outcomes[i] = exc
    order = list(readings)
    try:
        results = validate_submissions([readings[i][0].request(run) for i in order])
    except Exception:  # noqa: BLE001 - one month's failure must not fail the others: again one by one
        results = []
        for i in order:
            try:
                results.append(validate_submissions([readings[i][0].request(run)])[0])
            except Exception as exc:  # noqa: BLE001
                results.append(exc)
    for i, result in zip(order, results):
        if isinstance(result, BaseException):
            outcomes[i] = result
            continue
        reading, city, how = readings[i]
        try:
            result = _reported(reading, result)
            if how != "option":
                result.period_source = how if how != "rows" else result.period_source
            facts = compute_facts(result, reading.params, run.formats)
            card = score(run.rubric, facts, city, result.period.label, result.summary, run.lang, run.formats,
                         result.findings)
            outcomes[i] = (card, result)
        except Exception as exc:  # noqa: BLE001
            outcomes[i] = exc
    return outcomes


KPI_FAMILY = Family(("repair_report", "roster"), "repair_report", closed=True)


@one_unit
def kpi_path(path: Path, period: Period | None = None, city: str | None = None,
             rates: Path | None = None, pairs: list[str] | None = None, run: Run | None = None):
    """The manager's month (kpi.md): (kpi.compute.Kpi, ValidationResult of the report).

    PATH, period and city resolve as for `score_path`; the parameters are checked against the
    run's formats. The previous month's report: see `previous_report`. A missing report, or one
    with no rows, is AftersalesError. `Kpi.inputs` lists every file read from both months (an
    output may be none of them).
    """
    from .cities import CITIES_FILE
    from .kpi import load_params

    run = run or default_run()
    folder, period, how = resolve(Path(path), period)
    city = city or city_name(folder)
    params = load_params(rates, pairs, city_folder(folder).parent / CITIES_FILE, city, run.formats)
    result = validate_path(folder, period, family=KPI_FAMILY, run=run)
    if how != "option":
        result.period_source = how if how != "rows" else result.period_source
    return kpi_of(result, folder, params, run, city), result


def kpi_of(result: ValidationResult, folder: Path, params, run: Run, city: str,
           city_values: dict[str, Any] | None = None):
    """kpi.md's figures from an already validated month (the same result `score` has: no second
    read of the month). `folder` is where the month was read (month folder, city folder or file);
    `city_values` the rubric parameters the previous month is validated with (None: the city's).

    Raises AftersalesError for a report with no rows, or a 服务类型 without a rate / on-time limit.
    """
    from .kpi import compute, roster_names

    report, previous, notes, inputs = kpi_reports(result, folder, params, run, city_values)
    kpi = compute(report, previous, roster_names(result.checked.get("roster")), params, result.period, city)
    kpi.notes, kpi.inputs = notes, inputs
    return kpi


def kpi_totals(result: ValidationResult, folder: Path, params, run: Run, city_values: dict[str, Any] | None = None):
    """`kpi_of(...).city_totals` (kpi.compute.Figures) without what only the `kpi` command shows
    (the `batch` columns, kpi.md Outputs): the same reports, the same rows, the same figures.
    Raises as `kpi_of`."""
    from .kpi.compute import city_totals

    report, previous, _, _ = kpi_reports(result, folder, params, run, city_values, rows=False)
    return city_totals(report, previous, params, result.period)


def kpi_reports(result: ValidationResult, folder: Path, params, run: Run,
                city_values: dict[str, Any] | None = None, rows: bool = True):
    """What kpi.md's figures are computed from: (the report's kpi.rows.ReportRows, the previous
    report's or None, notes about the previous month, every file read from both months), the
    parameters checked against the 服务类型 present; without `rows` the ReportRows hold their
    columns only (`kpi_totals`). Raises as `kpi_of`."""
    from .kpi import check_values, report_rows

    checked = result.checked.get("repair_report")
    if checked is None:
        _raise_not_found("repair_report", Path(folder), run.formats)
    if checked.ds.rows == 0:
        raise AftersalesError("err.kpi_no_rows", checked.ds.file, sheet=checked.ds.sheet)
    report = report_rows(checked, result.findings, 1, params.keep_codes, result.period.label, rows)
    previous, notes = None, []
    before = result.period.previous()
    inputs = list(result.submission.files)
    sibling = previous_folder(Path(folder), before)
    if sibling is not None:
        try:
            inputs += find_workbooks(sibling)     # read (or tried) too, even when it turns out unreadable
        except AftersalesError:
            pass
    try:
        prev = previous_report(result, sibling, run, city_values)
        if prev is None:
            notes.append({"key": "kpi.note.no_previous", "period": before.label})
        elif prev.checked["repair_report"].ds.rows == 0:     # a header only: said, like a missing one
            notes.append({"key": "kpi.note.previous_empty", "period": before.label})
        else:
            previous = report_rows(prev.checked["repair_report"], prev.findings, 0, params.keep_codes,
                                   before.label, rows)
    except AftersalesError as exc:
        notes.append({"key": "kpi.note.previous_unreadable", "period": before.label,
                      "detail": {"zh": exc.message("zh"), "en": exc.message("en")}})
    present = {"service_type": {v for rr in (report, previous) if rr for v in rr.table.cols["service_type"].tolist()
                                if v is not None}}
    check_values(params, present, checked.ds.file)
    return report, previous, notes, inputs


def previous_report(result: ValidationResult, sibling: Path | None, run: Run,
                    city_values: dict[str, Any] | None = None) -> ValidationResult | None:
    """The month before the result's period, validated as `validate` would (kpi.md Definitions):
    the city's sibling `YYYY-MM` folder `sibling` when there is one (`previous_folder`); else the
    sheet naming that month among the sheets the report was read from (realworld.md, one sheet
    per month); else None.

    Raises AftersalesError when the sibling folder holds no readable repair report.
    """
    before = result.period.previous()
    if sibling is not None:
        return validate_path(sibling, before, family=KPI_FAMILY, run=run, params=city_values)
    return _previous_sheet(result, before, run, city_values if city_values is not None else result.params)


def previous_folder(folder: Path, before: Period) -> Path | None:
    """The city's `YYYY-MM` folder of the month `before`, if it exists (what the previous month's
    figures read besides the month itself)."""
    sibling = city_folder(Path(folder)) / before.label
    return sibling if sibling.is_dir() else None


def _previous_sheet(result: ValidationResult, before: Period, run: Run,
                    values: dict[str, Any]) -> ValidationResult | None:
    """The month `before` from the sheets already read: located for that month as the reader
    locates any month (read/discover.py `_pick_months`) and validated for it; None when no repair
    report sheet names that month."""
    from .read.discover import month_of

    def names_before(name: str) -> bool:
        found = month_of(name)
        return found is not None and found[2] == before.month and found[1] in (None, before.year)

    sub = result.submission
    if not any(names_before(s.name) for s in sub.sheets):
        return None
    prev = locate(sub.path, list(sub.files), list(sub.sheets), run.formats, None, before)
    ds = prev.datasets.get("repair_report")
    if ds is None or not names_before(ds.sheet):
        return None
    return validate_submission(_to_validate(prev, KPI_FAMILY, before, run.formats), period=before,
                               period_source="option", params=values, checklist_codes=run.checklist_codes,
                               formats=run.formats)
