"""Imported once by the batch's fork server, so that every worker forked from it starts warm."""
from . import pipeline  # noqa: F401  (pandas, calamine, the readers, validators and metrics)
from .formats import load_formats
from .i18n import catalogue
from .rubric.loader import load_rubric

load_formats()
catalogue()
try:
    load_rubric()
except Exception:  # noqa: BLE001 - a broken default rubric is reported by the batch itself
    pass
