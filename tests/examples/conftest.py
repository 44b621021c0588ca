"""Make the repository root importable (``examples`` is not an installed package)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = str(Path(__file__).resolve().parents[2])
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)


@pytest.fixture(autouse=True)
def _demo_database_in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Example apps keep their users in a file of the test's own, never in the checkout."""
    monkeypatch.setenv("AUTHMW_DATABASE_URL", str(tmp_path / "demo.sqlite3"))
