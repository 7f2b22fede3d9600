"""The manager's month (kpi.md): technician figures, piece-rate pay, repeat repairs, faults.

Pure functions: validated repair-report rows + roster + parameters → `Kpi`.
"""
from .compute import FIGURES, Kpi, compute
from .params import KpiParams, check_values, load_params
from .rows import ReportRows, Row, report_rows, roster_names

__all__ = ["FIGURES", "Kpi", "KpiParams", "ReportRows", "Row", "check_values", "compute", "load_params",
           "report_rows", "roster_names"]
