"""Reading: find the workbooks, open them safely, find each dataset and its header row."""
from .discover import Dataset, Submission, read_submission
from .files import Limits, RawSheet, find_workbooks, open_workbook

__all__ = ["Dataset", "Limits", "RawSheet", "Submission", "find_workbooks", "open_workbook",
           "read_submission"]
