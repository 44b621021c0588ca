"""A database without authmw's tables: every answer names the fix, never a misleading code."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import webtest

from authmw.adapters import MissingTables, NewUser
from authmw.adapters.sql import SQLAdapter
from tests.support import sign_in

FIX = "create_tables=True"


@pytest.fixture(params=["sqlite", "postgresql"])
def bare_adapter(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[SQLAdapter]:
    if request.param == "sqlite":
        adapter = SQLAdapter(tmp_path / "bare.db")
    else:
        url = request.getfixturevalue("postgres_url")
        adapter = SQLAdapter(url, table_prefix=f"t{uuid.uuid4().hex[:10]}_")
    yield adapter
    adapter.close()


@pytest.fixture
def postgres_url() -> str:
    import os

    url = os.environ.get("AUTHMW_TEST_POSTGRES_URL")
    if not url:
        pytest.skip("set AUTHMW_TEST_POSTGRES_URL to run the PostgreSQL cases")
    return url


def test_adapter_calls_raise_missing_tables_naming_the_fix(bare_adapter: SQLAdapter) -> None:
    with pytest.raises(MissingTables, match=FIX):
        bare_adapter.create_user(NewUser(email="a@example.com"))
    assert (
        "authmw_users" in " ".join(bare_adapter.missing_tables()) or bare_adapter.missing_tables()
    )


def test_password_sign_in_says_configuration_and_logs_the_fix(
    bare_adapter: SQLAdapter,
    make_app: Callable[..., webtest.TestApp],
    caplog: pytest.LogCaptureFixture,
) -> None:
    app = make_app(adapter=bare_adapter, session={"strategy": "database"})
    with caplog.at_level(logging.WARNING, logger="authmw"):
        response = sign_in(app)
    location = urlsplit(response.headers["Location"])
    assert parse_qs(location.query)["error"] == ["Configuration"]
    assert "OAuthCreateAccount" not in response.headers["Location"]
    assert any(FIX in record.getMessage() for record in caplog.records)
