"""The city totals `batch` reports (kpi.md Outputs) come from `pipeline.kpi_totals`, which skips
what only `aftersales kpi` shows (technicians, faults, call list, rows set aside). Its figures are
checked here against the constructed city (tests/kpi_city.py), every one of them — not only the
three rates `batch` writes — with the numbers worked out by hand in tests/test_kpi.py
(`test_city_totals`), so a figure chosen differently on the batch path fails here.
"""
from __future__ import annotations

from fractions import Fraction

import kpi_city

from aftersales_cli import pipeline
from aftersales_cli.kpi import load_params
from aftersales_cli.period import Period
from aftersales_cli.run import build_run


def totals_of(month_folder):
    run = build_run(None, None, (), "zh")
    _, result = pipeline.score_path(month_folder, Period.parse("2026-11"), run=run)
    return pipeline.kpi_totals(result, month_folder, load_params(formats=run.formats), run)


def test_batch_totals_are_the_constructed_city_totals(tmp_path):
    t = totals_of(kpi_city.build(tmp_path / "root") / "2026-11")
    # test_kpi.test_city_totals: 15 orders, 12 completed, 已取消 R13 and R16 out of the denominator
    assert (t.orders, t.completed, t.cancelled) == (15, 12, 2)
    assert t.completion_rate == Fraction(12, 13)
    # 11 completed with a readable 完工日期: days 3, 4, 1 and eight 0s; only R2 (4 > 3) late
    assert t.on_time_rate == Fraction(10, 11)
    assert (t.mean_days, t.median_days) == (Fraction(8, 11), Fraction(0))
    # 11 of the 12 completed rated; 非常满意 1 + 满意 8; one 不满意
    assert t.satisfaction_rate == Fraction(9, 11)
    assert (t.dissatisfied, t.follow_up_rate) == (1, Fraction(11, 12))
    # five repeats over 12 completed; 计件 per 服务类型 with the counted orders that are repeats
    # charged to the same technician (test_city_totals: 维修 10 of which 1; 安装 2; 保养 P3 from October)
    assert (t.repeats, t.repeat_rate) == (5, Fraction(5, 12))
    counts = {kind: (p.count, p.repeats) for kind, p in t.piece.items()}
    assert counts == {"安装": (2, 0), "维修": (10, 1), "保养": (1, 0), "其他": (0, 0)}
    assert t.piece_total == 530


def test_batch_totals_without_the_previous_month(tmp_path):
    """Without October (test_kpi.test_without_the_previous_month): R5 and R7 lose their originals
    (P5, P1), P3 (保养) is no longer paid and R-P4 (安装, 完工 11-05) now is: 530 − 30 + 50."""
    t = totals_of(kpi_city.build(tmp_path / "root", previous=False) / "2026-11")
    assert (t.orders, t.completed, t.completion_rate) == (15, 12, Fraction(12, 13))
    assert (t.repeats, t.repeat_rate) == (3, Fraction(3, 12))
    assert (t.piece["保养"].count, t.piece_total) == (0, 550)
