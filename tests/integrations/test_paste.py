"""PasteDeploy: ``egg:authmw#auth`` loads from an ini file and wraps the app."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import webtest
from paste.deploy import loadfilter

from authmw import ConfigurationError, get_session
from tests.support import sign_in

INI = """\
[filter:auth]
use = egg:authmw#auth
secret = {secret}
url = http://localhost
providers = examples.common:credentials_provider
callbacks.jwt = examples.common:jwt_callback
callbacks.session = examples.common:session_callback
rules = %(here)s/rules.toml
"""
RULES = """\
[[rules]]
path = "/admin/**"
roles = ["admin"]

[[rules]]
path = "/api/**"
signed_in = true
api = true
"""
SECRET = "i" * 32 + "-paste-secret"


def inner(environ: dict[str, Any], start_response: Any) -> list[bytes]:
    session = get_session(environ)
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [(session.user["email"] if session else "anonymous").encode()]


def load(tmp_path: Path, ini: str = INI) -> webtest.TestApp:
    (tmp_path / "rules.toml").write_text(RULES)
    (tmp_path / "app.ini").write_text(ini.format(secret=SECRET))
    auth_filter = loadfilter(f"config:{tmp_path / 'app.ini'}", name="auth")
    return webtest.TestApp(auth_filter(inner))


def test_filter_from_ini_protects_the_app(tmp_path: Path) -> None:
    client = load(tmp_path)
    assert client.get("/").text == "anonymous"
    client.get("/admin", status=302)
    assert client.get("/api/me", status=401).content_type == "application/json"
    sign_in(client, "alice@example.com", "alice-password", status=302)
    assert client.get("/").text == "alice@example.com"
    assert client.get("/api/me").text == "alice@example.com"
    client.get("/admin", status=403)


def test_bad_filter_settings_fail_at_load_time(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="unknown authmw setting"):
        load(tmp_path, INI + "colour = blue\n")


def test_S_A5_rate_limits_from_the_ini_file(tmp_path: Path) -> None:
    client = load(tmp_path, INI + "rate_limits.credentials_per_account = 2/15 minutes\n")
    for _ in range(2):
        wrong = sign_in(client, "alice@example.com", "wrong", status=302)
        assert "error=CredentialsSignin" in wrong.location
    right = sign_in(client, "alice@example.com", "alice-password", status=302)
    assert "error=TooManyRequests" in right.location
