"""The demo's providers from the environment: ``AUTHMW_SIGN_OUT_OF_PROVIDER`` turns on signing
out of every OpenID Connect provider configured there (RP-initiated logout)."""

from __future__ import annotations

from typing import Any

import pytest
import webtest

from authmw import ConfigurationError
from authmw.providers.presets import from_environment
from examples.common import preset_options
from examples.demo.app import create_app
from tests.providers import idp
from tests.support import csrf_token

SECRET = "demo-test-secret-" + "x" * 32
ENV = {
    "AUTHMW_OIDC_ID": "client",
    "AUTHMW_OIDC_SECRET": "secret",
    "AUTHMW_OIDC_ISSUER": "https://login.example",
    "AUTHMW_GITHUB_ID": "client",
    "AUTHMW_GITHUB_SECRET": "secret",
}


@pytest.mark.parametrize("value", ["1", "true", " Yes "])
def test_the_switch_turns_on_sign_out_of_provider_for_openid_connect_presets(value: str) -> None:
    options = preset_options({"AUTHMW_SIGN_OUT_OF_PROVIDER": value})
    assert options["oidc"] == options["microsoft_entra_id"] == {"sign_out_of_provider": True}
    assert "github" not in options  # OAuth 2 only: it has no end_session_endpoint
    providers: dict[str, Any] = {p.id: p for p in from_environment(ENV, **options)}
    assert providers["oidc"].sign_out_of_provider is True
    assert not hasattr(providers["github"], "sign_out_of_provider")


@pytest.mark.parametrize("value", [None, "", "0", "false", "off"])
def test_without_the_switch_sign_out_stays_local(value: str | None) -> None:
    env = {} if value is None else {"AUTHMW_SIGN_OUT_OF_PROVIDER": value}
    assert preset_options(env) == {}
    providers: dict[str, Any] = {p.id: p for p in from_environment(ENV, **preset_options(env))}
    assert providers["oidc"].sign_out_of_provider is False


def test_a_bad_value_is_a_configuration_error() -> None:
    with pytest.raises(ConfigurationError, match="AUTHMW_SIGN_OUT_OF_PROVIDER must be 1 or 0"):
        preset_options({"AUTHMW_SIGN_OUT_OF_PROVIDER": "maybe"})


def test_S_S4_the_demo_signs_out_of_its_provider_too(
    logout_op: Any, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    logout_op.post_logout_redirect_uris = ["http://localhost/api/auth/signout-callback/oidc"]
    monkeypatch.setenv("AUTHMW_OIDC_ID", idp.CLIENT_ID)
    monkeypatch.setenv("AUTHMW_OIDC_SECRET", idp.CLIENT_SECRET)
    monkeypatch.setenv("AUTHMW_OIDC_ISSUER", logout_op.issuer)
    monkeypatch.setenv("AUTHMW_OIDC_ALLOW_LOOPBACK_HTTP", "1")  # the local IdP is plain http
    monkeypatch.setenv("AUTHMW_SIGN_OUT_OF_PROVIDER", "1")
    app = webtest.TestApp(create_app(secret=SECRET, url="http://localhost"))
    assert "sign-out also signs out of: oidc" in capsys.readouterr().err
    assert idp.sign_in(app, "oidc").headers["Location"] == "http://localhost"
    form = {"csrfToken": csrf_token(app), "callbackUrl": "/dashboard"}
    response = app.post("/api/auth/signout", form)
    assert app.get("/api/auth/session").json == {}
    back = idp.consent(response.headers["Location"])  # the OP's end-session page redirects
    assert logout_op.ended == ["user-123"]
    landed = app.get(idp.callback_path(back))
    assert landed.headers["Location"] == "http://localhost/dashboard"
