"""Client authentication options are checked when the provider is built (P-C1)."""

from __future__ import annotations

from typing import Any

import pytest
from joserfc.jwk import ECKey, OKPKey, RSAKey

from authmw.errors import ConfigurationError
from authmw.providers.client_auth import ClientAuth
from authmw.providers.oidc import OIDCProvider
from authmw.providers.presets import MicrosoftEntraID

RSA = RSAKey.generate_key(2048, parameters={"kid": "r"})
EC = ECKey.generate_key("P-256", parameters={"kid": "e"})
PEM = RSA.as_pem(private=True).decode()


def oidc(**options: Any) -> OIDCProvider:
    return OIDCProvider(
        id="idp", name="IdP", issuer="https://idp.example", client_id="c", **options
    )


@pytest.mark.parametrize(
    "options",
    [
        pytest.param({"token_endpoint_auth_method": "tls_client_auth"}, id="unknown_method"),
        pytest.param({"token_endpoint_auth_method": "private_key_jwt"}, id="no_key"),
        pytest.param({"client_secret": "s", "client_private_key": PEM}, id="key_without_method"),
        pytest.param({"token_endpoint_auth_method": "client_secret_jwt"}, id="jwt_no_secret"),
        pytest.param(
            {
                "client_secret": "s",
                "client": {
                    "token_endpoint_auth_method": "client_secret_jwt",
                    "token_endpoint_auth_signing_alg": "RS256",
                },
            },
            id="secret_jwt_with_rs256",
        ),
        pytest.param(
            {
                "token_endpoint_auth_method": "private_key_jwt",
                "client_private_key": PEM,
                "token_endpoint_auth_signing_alg": "ES256",
            },
            id="rsa_key_es256",
        ),
        pytest.param(
            {
                "token_endpoint_auth_method": "private_key_jwt",
                "client_private_key": EC.as_dict(private=True),
                "token_endpoint_auth_signing_alg": "RS256",
            },
            id="ec_key_rs256",
        ),
        pytest.param(
            {
                "token_endpoint_auth_method": "private_key_jwt",
                "client_private_key": RSA.as_dict(private=False),
            },
            id="public_key_only",
        ),
        pytest.param(
            {
                "token_endpoint_auth_method": "private_key_jwt",
                "client_private_key": OKPKey.generate_key("Ed25519").as_dict(private=True),
            },
            id="okp_key",
        ),
        pytest.param(
            {"token_endpoint_auth_method": "private_key_jwt", "client_private_key": "not a key"},
            id="garbage_pem",
        ),
        pytest.param(
            {
                "token_endpoint_auth_method": "private_key_jwt",
                "client_private_key": PEM,
                "client_assertion_audience": "anything",
            },
            id="unknown_audience",
        ),
        pytest.param({"client_secret": "s", "client": {"jwks": {}}}, id="unknown_client_option"),
        pytest.param(
            {"client_secret": "s", "token_endpoint_auth_signing_alg": "HS256"},
            id="alg_for_basic",
        ),
    ],
)
def test_P_C1_client_auth_configuration_errors(options: dict[str, Any]) -> None:
    with pytest.raises(ConfigurationError, match="provider 'idp'") as caught:
        oidc(**options)
    assert "BEGIN" not in str(caught.value)


def test_P_C1_key_forms_and_default_algorithms() -> None:
    pem = ClientAuth("private_key_jwt", "c", "", private_key=PEM, key_id="k1")
    assert pem.alg == "RS256"
    jwks = ClientAuth("private_key_jwt", "c", "", private_key={"keys": [EC.as_dict(private=True)]})
    assert jwks.alg == "ES256"
    p384 = ECKey.generate_key("P-384").as_pem(private=True)
    assert ClientAuth("private_key_jwt", "c", "", private_key=p384).alg == "ES384"
    assert ClientAuth("client_secret_jwt", "c", "s").alg == "HS256"


def test_P_C1_entra_id_with_private_key_jwt_needs_no_secret() -> None:
    entra = MicrosoftEntraID(
        tenant="00000000-0000-0000-0000-000000000000",
        client_id="app-id",
        token_endpoint_auth_method="private_key_jwt",
        client_private_key=PEM,
        client_key_id="certificate-thumbprint",
    )
    assert entra.auth_method == "private_key_jwt" and entra.client_secret == ""
    with pytest.raises(ConfigurationError, match="needs a client_secret"):
        MicrosoftEntraID(tenant="00000000-0000-0000-0000-000000000000", client_id="app-id")


def test_P_C1_the_key_errors_say_what_is_missing() -> None:
    with pytest.raises(ConfigurationError, match="private_key_jwt needs a client_private_key"):
        oidc(token_endpoint_auth_method="private_key_jwt")
    with pytest.raises(ConfigurationError, match="only with private_key_jwt, not client_secret_"):
        oidc(client_secret="s", client_private_key=PEM)
