"""The mark every workbook `aftersales sample` writes carries, so a later `sample --force` removes
only its own files (cli.md "sample and template check every file…").

The mark is a custom document property (docProps/custom.xml, 文件 → 属性 → 自定义 in Excel). It is
not the "tool output" mark of reports the tool writes: sample data is input data, read and scored
like a city's own files.
"""
from __future__ import annotations

import zipfile
from pathlib import Path

MARK = "aftersales-sample"      # the property's name; its value is the tool's version
_CUSTOM = "docProps/custom.xml"
_MAX_BYTES = 1 << 16            # a custom-properties part is a few hundred bytes


def mark(wb) -> None:
    """Add the sample mark to an openpyxl workbook before it is saved."""
    from openpyxl.packaging.custom import StringProperty

    from .. import __version__
    wb.custom_doc_props.append(StringProperty(name=MARK, value=__version__))


def is_sample_output(path: Path) -> bool:
    """True when `path` is a workbook an earlier `sample` wrote; False for anything else, unreadable
    files included (they are left alone)."""
    try:
        with zipfile.ZipFile(path) as z:
            info = z.getinfo(_CUSTOM)
            if info.file_size > _MAX_BYTES:
                return False
            data = z.read(info)
    except (OSError, KeyError, zipfile.BadZipFile, ValueError, NotImplementedError):
        return False
    from defusedxml import ElementTree
    try:
        root = ElementTree.fromstring(data)
    except Exception:  # noqa: BLE001 - a broken part is simply not our mark
        return False
    return any(p.get("name") == MARK for p in root)
