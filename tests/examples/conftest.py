"""The example apps under test (the top conftest makes ``examples`` importable)."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def _demo_database_in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Example apps keep their users in a file of the test's own, never in the checkout."""
    monkeypatch.setenv("AUTHMW_DATABASE_URL", str(tmp_path / "demo.sqlite3"))
