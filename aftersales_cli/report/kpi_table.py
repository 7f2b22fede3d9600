"""`aftersales kpi` in the terminal: the city's headline figures, then one row per technician."""
from __future__ import annotations

from rich.console import Group
from rich.table import Table
from rich.text import Text

from .. import i18n
from ..kpi.compute import Kpi, display_days, display_ratio, display_yuan

#: (ui key under kpi.fig., how to show it) for the headline table
HEADLINE = ("orders", "completed", "completion_rate", "on_time_rate", "mean_days", "median_days",
            "satisfaction_rate", "dissatisfied", "follow_up_rate", "repeats", "repeat_rate",
            "repeat_rate_after_install", "piece_total", "set_aside")
TECH_COLUMNS = ("tech_id", "name", "orders", "completed", "completion_rate", "on_time_rate",
                "satisfaction_rate", "repeats", "piece_total")


def headline(kpi: Kpi) -> list[tuple[str, str]]:
    """(ui key, shown value) of the city's headline figures, in HEADLINE order."""
    t = kpi.city_totals
    values = {
        "orders": str(t.orders), "completed": str(t.completed),
        "completion_rate": display_ratio(t.completion_rate), "on_time_rate": display_ratio(t.on_time_rate),
        "mean_days": display_days(t.mean_days), "median_days": display_days(t.median_days),
        "satisfaction_rate": display_ratio(t.satisfaction_rate), "dissatisfied": str(t.dissatisfied),
        "follow_up_rate": display_ratio(t.follow_up_rate), "repeats": str(t.repeats),
        "repeat_rate": display_ratio(t.repeat_rate),
        "repeat_rate_after_install": display_ratio(kpi.repeat_rate_after_install),
        "piece_total": display_yuan(t.piece_total), "set_aside": str(len(kpi.set_aside)),
    }
    return [(f"kpi.fig.{k}", values[k]) for k in HEADLINE]


def technician_cells(kpi: Kpi) -> list[list[str]]:
    """One list of shown values per technician, in TECH_COLUMNS order."""
    return [[tech, who.get("name") or "", str(f.orders), str(f.completed), display_ratio(f.completion_rate),
             display_ratio(f.on_time_rate), display_ratio(f.satisfaction_rate), str(f.repeats),
             display_yuan(f.piece_total)] for tech, who, f in kpi.technicians]


def render(kpi: Kpi, lang: str) -> Group:
    title = Text(i18n.text("kpi.title", lang, city=kpi.city, period=kpi.period.label), style="bold")
    head = Table(show_header=False)
    head.add_column(style="bold")
    head.add_column(justify="right")
    for key, value in headline(kpi):
        head.add_row(Text(i18n.text(key, lang)), Text(value))
    techs = Table(title=Text(i18n.text("kpi.sheet.technicians", lang)), title_justify="left")
    for key in TECH_COLUMNS:
        techs.add_column(i18n.text(f"kpi.fig.{key}", lang),
                         justify="left" if key in ("tech_id", "name") else "right")
    for cells in technician_cells(kpi):
        techs.add_row(*(Text(c) for c in cells))
    notes = [Text(i18n.text(n["key"], lang, **{k: v for k, v in n.items() if k != "key"}), style="dim")
             for n in kpi.notes]
    return Group(title, head, techs, *notes)
