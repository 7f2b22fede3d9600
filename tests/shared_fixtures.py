"""Where the shared fixtures written by other programs are: ../shared/fixtures beside the repository.

`shared_fixture(...)` gives a path in it. A missing fixture skips the test on a developer's
machine, and fails it under CI=true: there a skipped fixture would hide a broken reader.
"""
from __future__ import annotations

import os
from pathlib import Path

import pytest

FIXTURES = Path(__file__).resolve().parents[2] / "shared" / "fixtures"


def shared_fixture(*parts: str) -> Path:
    path = FIXTURES.joinpath(*parts)
    if not path.exists():
        message = f"shared fixture not found: {path} (expected shared/ beside the repository)"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message)
        pytest.skip(message)
    return path
