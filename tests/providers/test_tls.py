"""TLS stays on (P-C2) and endpoints are https outside development mode (P-F2).

The HTTPS identity provider is the test OP served with a certificate from a local ``trustme``
CA: untrusted by default, trusted through the provider's ``ca_bundle`` option.
"""

from __future__ import annotations

import logging
import ssl
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
import trustme
import werkzeug.serving

from authmw import ConfigurationError
from authmw.providers import OAuth2Provider
from authmw.providers.oidc import OIDCProvider
from tests.providers import idp


@pytest.fixture
def https_op(tmp_path: Path) -> Iterator[tuple[idp.TestOP, str]]:
    """The test OP on ``https://127.0.0.1:<port>`` and the path of its CA bundle."""
    ca = trustme.CA()
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ca.issue_cert("127.0.0.1").configure_cert(context)
    bundle = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(bundle))
    server = idp.TestOP()
    httpd = werkzeug.serving.make_server("127.0.0.1", 0, server, threaded=True, ssl_context=context)
    server.base = server.issuer = f"https://127.0.0.1:{httpd.server_port}"
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield server, str(bundle)
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(2)


def oidc(op: idp.TestOP, **options: Any) -> OIDCProvider:
    return OIDCProvider(
        id="oidc", name="OP", issuer=op.issuer, client_id=idp.CLIENT_ID,
        client_secret=idp.CLIENT_SECRET, timeout=2, **options,
    )  # fmt: skip


def assert_no_traceback(caplog: pytest.LogCaptureFixture) -> None:
    assert all(record.exc_info is None for record in caplog.records)


def test_P_C2_an_untrusted_certificate_is_refused_by_default(
    https_op: tuple[idp.TestOP, str], caplog: pytest.LogCaptureFixture
) -> None:
    op, _bundle = https_op
    response = idp.start(idp.make_app([oidc(op)]), "oidc")
    assert idp.error_of(response) == "OAuthSignin"
    assert "TLS verification failed calling 127.0.0.1" in caplog.text
    assert op.requests_to("/.well-known/openid-configuration") == []  # no request got through
    assert_no_traceback(caplog)


def test_P_C2_an_untrusted_token_endpoint_fails_the_callback(
    https_op: tuple[idp.TestOP, str], caplog: pytest.LogCaptureFixture
) -> None:
    """Static endpoints: the authorization redirect needs no call, the token request fails."""
    op, bundle = https_op
    provider = OAuth2Provider(
        id="plain", name="Plain", client_id=idp.CLIENT_ID, client_secret=idp.CLIENT_SECRET,
        authorization=f"{op.base}/authorize", token=f"{op.base}/token",
        userinfo=f"{op.base}/userinfo", timeout=2,
    )  # fmt: skip
    app = idp.make_app([provider])
    location = idp.start(app, "plain").headers["Location"]
    consent = requests.get(location, allow_redirects=False, timeout=5, verify=bundle)
    response = app.get(idp.callback_path(consent.headers["Location"]))
    assert idp.error_of(response) == "OAuthCallback"
    assert "TLS verification failed" in caplog.text
    assert_no_traceback(caplog)


def test_P_C2_a_ca_bundle_option_trusts_the_local_ca(https_op: tuple[idp.TestOP, str]) -> None:
    op, bundle = https_op
    app = idp.make_app([oidc(op, ca_bundle=bundle, userinfo_request=True)])
    location = idp.start(app, "oidc").headers["Location"]
    consent = requests.get(location, allow_redirects=False, timeout=5, verify=bundle)
    response = app.get(idp.callback_path(consent.headers["Location"]))
    assert response.status_int == 302 and idp.error_of(response) is None
    assert idp.session_of(app)["user"]["email"] == "ada@example.com"
    assert op.jwks_fetches == 1 and len(op.requests_to("/userinfo")) == 1


def test_P_C2_requests_environment_variables_are_not_read(
    https_op: tuple[idp.TestOP, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """``REQUESTS_CA_BUNDLE`` does not quietly change whom authmw trusts: ``ca_bundle`` does."""
    op, bundle = https_op
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", bundle)
    monkeypatch.setenv("CURL_CA_BUNDLE", bundle)
    assert idp.error_of(idp.start(idp.make_app([oidc(op)]), "oidc")) == "OAuthSignin"


@pytest.mark.parametrize(
    ("bundle", "message"), [(False, "cannot be turned off"), ("/nowhere/ca.pem", "not a file")]
)
def test_P_C2_verification_cannot_be_turned_off(bundle: Any, message: str) -> None:
    with pytest.raises(ConfigurationError, match=message):
        OIDCProvider(
            id="o", name="O", issuer="https://idp.example", client_id="c", client_secret="s",
            ca_bundle=bundle,
        )  # fmt: skip


# -- P-F2: https endpoints; plain http on loopback only in development mode -------------------


def test_P_F2_a_discovered_http_endpoint_is_refused(
    https_op: tuple[idp.TestOP, str], caplog: pytest.LogCaptureFixture
) -> None:
    op, bundle = https_op
    op.discovery_extra["token_endpoint"] = "http://127.0.0.1:1/token"
    caplog.set_level(logging.ERROR, "authmw.providers.oidc")
    response = idp.start(idp.make_app([oidc(op, ca_bundle=bundle)]), "oidc")
    assert idp.error_of(response) == "OAuthSignin"
    assert "token_endpoint is plain http" in caplog.text
    assert_no_traceback(caplog)


def test_P_F2_non_loopback_http_is_refused_even_in_development_mode(
    op: idp.TestOP, caplog: pytest.LogCaptureFixture
) -> None:
    op.discovery_extra["token_endpoint"] = "http://idp.example/token"
    response = idp.start(idp.make_app([oidc(op, allow_loopback_http=True)]), "oidc")
    assert idp.error_of(response) == "OAuthSignin"
    assert "token_endpoint must be an https URL" in caplog.text


def test_P_F2_configured_http_endpoints_need_development_mode() -> None:
    with pytest.raises(ConfigurationError, match="issuer is plain http"):
        OIDCProvider(
            id="o", name="O", issuer="http://127.0.0.1:9", client_id="c", client_secret="s"
        )
    with pytest.raises(ConfigurationError, match="token is plain http"):
        OAuth2Provider(
            id="p", name="P", client_id="c", client_secret="s",
            authorization="https://idp.example/a", token="http://localhost:9/token",
        )  # fmt: skip
    with pytest.raises(ConfigurationError, match="https URL"):
        OAuth2Provider(
            id="p", name="P", client_id="c", client_secret="s", allow_loopback_http=True,
            authorization="https://idp.example/a", token="http://idp.example/token",
        )  # fmt: skip
    provider = OAuth2Provider(
        id="p", name="P", client_id="c", client_secret="s", allow_loopback_http=True,
        authorization="http://[::1]:9/a", token="http://localhost:9/token",
    )  # fmt: skip
    assert provider.endpoints().token == "http://localhost:9/token"


def test_P_F2_presets_from_the_environment_take_development_mode(op: idp.TestOP) -> None:
    from authmw.providers.presets import from_environment

    env = {"AUTHMW_OIDC_ID": "c", "AUTHMW_OIDC_SECRET": "s", "AUTHMW_OIDC_ISSUER": op.issuer}
    with pytest.raises(ConfigurationError, match="allow_loopback_http"):
        from_environment(env)
    (provider,) = from_environment({**env, "AUTHMW_OIDC_ALLOW_LOOPBACK_HTTP": "1"})
    assert isinstance(provider, OIDCProvider) and provider.allow_loopback_http
