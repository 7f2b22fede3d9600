"""The marker every workbook the tool writes carries: a custom document property.

realworld.md "What a file is": the tool's own outputs (annotated copies, score sheets, summaries,
KPI and trend workbooks) are recognised when met among the inputs. The marker is the custom
property `aftersales-cli` (docProps/custom.xml) whose value names the kind of output
(`annotated`, `scorecard`, `summary` …). Writers add it with `mark(workbook, kind)`; the reader
finds it with `read_marker(custom_xml)` without opening the workbook a second time.
"""
from __future__ import annotations

import re

PROPERTY = "aftersales-cli"
_VALUE = re.compile(
    rb"""name\s*=\s*["']aftersales-cli["'][^>]*>\s*<(?:[\w.-]+:)?lpwstr>([^<]*)</""")


def mark(workbook, kind: str) -> None:
    """Add the marker to an openpyxl Workbook before it is saved (`kind`: what the output is)."""
    from openpyxl.packaging.custom import StringProperty

    props = workbook.custom_doc_props
    for prop in list(props):
        if prop.name == PROPERTY:
            props.props.remove(prop)
    props.append(StringProperty(name=PROPERTY, value=kind))


def read_marker(custom_xml: bytes | None) -> str | None:
    """The kind of tool output a package's docProps/custom.xml names, or None when unmarked."""
    if not custom_xml or PROPERTY.encode() not in custom_xml:
        return None
    m = _VALUE.search(custom_xml)
    return m.group(1).decode("utf-8", "replace") if m else "output"
