"""kpi validates a month's repair report and roster only with the datasets their rules and checks
read (pipeline.validated_datasets, `Family.closed`): the findings on them must be the ones a full
validation gives (kpi.md: the previous report "validated as `validate` would validate it"), and
every named check must read no dataset it does not declare (checks.CHECK_DATASETS).
"""
from __future__ import annotations

import pytest

from aftersales_cli import pipeline
from aftersales_cli.period import Period
from aftersales_cli.run import build_run
from aftersales_cli.sample import generate
from aftersales_cli.validate.checks import CHECK_DATASETS, CHECKS
from aftersales_cli.validate.context import Context


@pytest.fixture(scope="module")
def month(tmp_path_factory):
    """One sample city with 5 % defects in every dataset (RR003/RR004/RR005 among them)."""
    root = tmp_path_factory.mktemp("kpi-closed")
    generate(root, cities=1, orders=300, period="2026-11", seed=3, defects=0.05, city_names=["杭州市"])
    return root / "杭州市" / "2026-11"


def test_the_report_and_roster_findings_are_those_of_a_full_validation(month):
    run = build_run(None, None, (), "zh")
    period = Period.parse("2026-11")
    open_family = pipeline.Family(pipeline.KPI_FAMILY.datasets, pipeline.KPI_FAMILY.needs)
    full = pipeline.validate_path(month, period, family=open_family, run=run)
    closed = pipeline.validate_path(month, period, family=pipeline.KPI_FAMILY, run=run)
    assert set(closed.checked) < set(full.checked)          # fewer datasets were validated …
    codes = {f.code for f in full.findings}
    assert {"RR003", "RR004", "RR005"} <= codes              # … among them the cross checks' others
    assert [f.to_dict("zh") for f in closed.findings] == [f.to_dict("zh") for f in full.findings]


def test_the_kpi_family_reads_the_roster_and_the_parts_master():
    """repair_report.yaml refers to roster.tech_id (RR003, RR004) and parts_master.part_code (RR005)."""
    run = build_run(None, None, (), "zh")
    assert pipeline.validated_datasets(("repair_report", "roster"), run.formats) == \
        {"repair_report", "roster", "parts_master"}


class _Seen(dict):
    """The datasets a check asks for."""
    def __init__(self, data):
        super().__init__(data)
        self.asked: set[str] = set()

    def get(self, key, default=None):
        self.asked.add(key)
        return super().get(key, default)

    def __getitem__(self, key):
        self.asked.add(key)
        return super().__getitem__(key)


def test_every_named_check_reads_only_the_datasets_it_declares(month):
    run = build_run(None, None, (), "zh")
    result = pipeline.validate_path(month, Period.parse("2026-11"), run=run)
    ran = set()
    for name, checked in result.checked.items():
        for check in checked.ds.fmt.checks:
            seen = _Seen(result.checked)
            ctx = Context(period=result.period, params=result.params, checklist_codes=run.checklist_codes,
                          checked=seen, formats=run.formats)
            CHECKS[check](checked, ctx)
            assert seen.asked <= {name, *CHECK_DATASETS[check]}, check
            ran.add(check)
    assert ran == set(CHECKS)            # the sample's formats use every named check


@pytest.mark.parametrize("family", ["report", "ledger", "roster"])
@pytest.mark.parametrize("given", ["folder", "file"])
def test_a_validate_command_checks_only_what_its_findings_read(month, family, given):
    """validate-report, validate-ledger and validate-roster validate their family's datasets and
    those these read (`Family.closed`): the findings they report are those of validating every
    dataset, on the month folder and on the family's own file alike (the sample writes each
    dataset to its own workbook; the report file is 维修日报表.xlsx, the ledger 配件台账.xlsx,
    the roster 技师档案.xlsx)."""
    run = build_run(None, None, (), "zh")
    period = Period.parse("2026-11")
    closed = pipeline.FAMILIES[family]
    assert closed.closed
    opened = pipeline.Family(closed.datasets, closed.needs)
    path = month / {"report": "维修日报表.xlsx", "ledger": "配件台账.xlsx", "roster": "技师档案.xlsx"}[family] \
        if given == "file" else month
    full = pipeline.validate_path(path, period, family=opened, run=run)
    fewer = pipeline.validate_path(path, period, family=closed, run=run)
    assert set(fewer.checked) < set(full.checked)
    assert fewer.findings, "the 5 % defects give each family findings to compare"
    assert [f.to_dict("zh") for f in fewer.findings] == [f.to_dict("zh") for f in full.findings]
    assert fewer.summary == full.summary
