"""Reading: find the workbooks, open them safely, find each dataset and its header row.

The names below are loaded on first use (`core.lazy`), so that importing a light sub-module such
as `read.marker` (the batch's main process writing 汇总.xlsx) does not import pandas with `discover`.
"""
from ..core.lazy import exports

_HOME = {"Dataset": "discover", "Submission": "discover", "read_submission": "discover",
         "Limits": "files", "RawSheet": "files", "find_workbooks": "files", "open_workbook": "files"}
__all__ = sorted(_HOME)
__getattr__ = exports(__name__, _HOME)
