"""Outputs get the mode of anything the user creates (umask), also a folder written as a whole
(issue 15b): `fix` writes its copy in a temporary folder and renames it into place, and a
temporary folder is made private (0700) — on a shared Linux folder colleagues could not open the
fixed copy although every file in it was readable."""
from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from citykit import cli

NINGBO = Path(__file__).resolve().parents[1] / "sample_data" / "宁波市" / "2026-11"


@pytest.mark.skipif(os.name == "nt", reason="POSIX permission bits")
def test_fix_output_folder_has_the_umask_mode(tmp_path):
    assert NINGBO.is_dir()
    old = os.umask(0o022)
    try:
        out = tmp_path / "fixed"
        run = cli("fix", str(NINGBO), "-o", str(out))
    finally:
        os.umask(old)
    assert run.code == 1, run.stderr                       # errors remain in the sample: exit 1, files written
    assert stat.S_IMODE(out.stat().st_mode) == 0o755
    assert {stat.S_IMODE(f.stat().st_mode) for f in out.iterdir()} == {0o644}
