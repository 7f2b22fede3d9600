"""The one resolver for the fixtures written by other programs: ../shared/fixtures beside the
repository (read-only, never copied into it). CI lays shared/ beside its clone the same way."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

FOLDER = Path(__file__).resolve().parents[2] / "shared" / "fixtures"


def fixture_dir(folder: Path = FOLDER) -> Path:
    """FOLDER when it exists. Missing: the test is skipped on a developer's machine, but under
    CI=true it fails — a CI run that lost its fixtures must not pass by skipping them."""
    if not folder.is_dir():
        why = f"shared fixtures folder not found at {folder} (expected shared/ beside the repository)"
        if os.environ.get("CI") == "true":
            pytest.fail(why)
        pytest.skip(why)
    return folder

FIXTURES = FOLDER


def shared_fixture(*parts: str) -> Path:
    """A path under the shared fixtures; missing, it skips (fails under CI=true) like `fixture_dir`."""
    path = FOLDER.joinpath(*parts)
    if not path.exists():
        message = f"shared fixture not found: {path} (expected shared/ beside the repository)"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message)
        pytest.skip(message)
    return path
