"""Outgoing HTTP: endpoint rules, body caps, timeouts, TLS verification."""

from __future__ import annotations

from typing import Any

import pytest

from authmw import ConfigurationError
from authmw.providers.http import HttpClient, ProviderHTTPError, check_endpoint, is_loopback


@pytest.mark.parametrize(
    "url",
    ["https://idp.example/x", "http://127.0.0.1:8080/x", "http://localhost/x", "http://[::1]/"],
)
def test_P_F2_allowed_endpoints(url: str) -> None:
    assert check_endpoint(url, "token", allow_loopback_http=True) == url


@pytest.mark.parametrize(
    "url", ["http://idp.example/x", "ftp://x/", "https://", "https://u:p@x/", "http://[::1", 5]
)
def test_P_F2_refused_endpoints(url: Any) -> None:
    with pytest.raises(ConfigurationError):
        check_endpoint(url, "token", allow_loopback_http=True)


@pytest.mark.parametrize("url", ["http://127.0.0.1:8080/x", "http://localhost/x", "http://[::1]/"])
def test_P_F2_loopback_http_only_in_development_mode(url: str) -> None:
    with pytest.raises(ConfigurationError, match="allow_loopback_http=True for development"):
        check_endpoint(url, "token")
    assert check_endpoint("https://127.0.0.1/x", "token") == "https://127.0.0.1/x"


def test_is_loopback() -> None:
    assert is_loopback("127.0.0.2") and not is_loopback("10.0.0.1") and not is_loopback(None)


def test_P_C2_tls_verification_cannot_be_disabled() -> None:
    with pytest.raises(ConfigurationError):
        HttpClient(verify=False)


def test_P_C4_body_cap_and_errors(op: Any) -> None:
    client = HttpClient(timeout=2, max_body=100)
    op.token_body = b"{" + b" " * 200 + b"}"
    with pytest.raises(ProviderHTTPError):
        client.json("POST", f"{op.base}/token")
    op.token_body = b'{"error":"invalid_grant"}'
    with pytest.raises(ProviderHTTPError) as info:
        client.json("POST", f"{op.base}/token")
    assert info.value.error == "invalid_grant"
    op.token_body = b'{"a":1,"a":2}'
    with pytest.raises(ProviderHTTPError):
        client.json("POST", f"{op.base}/token")


def test_P_C4_timeout(op: Any) -> None:
    op.token_delay = 0.5
    with pytest.raises(ProviderHTTPError):
        HttpClient(timeout=0.1).json("POST", f"{op.base}/token")


def test_connection_refused() -> None:
    with pytest.raises(ProviderHTTPError):
        HttpClient(timeout=0.5).get_json("http://127.0.0.1:9/x")


@pytest.mark.parametrize("timeout", [0, -1, "5", None, True, float("inf"), (1, 2, 3), (1, 0)])
def test_bad_timeouts_are_refused_when_the_provider_is_built(timeout: object) -> None:
    from authmw.providers.presets import GitHub

    with pytest.raises(ConfigurationError, match="timeout"):
        GitHub(client_id="id", client_secret="secret", timeout=timeout)


@pytest.mark.parametrize(
    ("option", "value"),
    [("leeway", -1), ("max_iat_age", 0), ("jwks_ttl", "1h"), ("discovery_ttl", -5),
     ("jwks_cooldown", None)],
)  # fmt: skip
def test_bad_oidc_durations_are_refused_when_the_provider_is_built(
    option: str, value: object
) -> None:
    from authmw.providers.oidc import OIDCProvider

    with pytest.raises(ConfigurationError, match=option):
        OIDCProvider(
            id="corp", name="Corp", issuer="https://login.example", client_id="c",
            client_secret="s", **{option: value},
        )  # fmt: skip
