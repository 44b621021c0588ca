"""How the client authenticates at the token endpoint (RFC 6749 §2.3, RFC 7523, OIDC Core §9).

``client_secret_basic`` (the default) and ``client_secret_post`` send the secret;
``client_secret_jwt`` and ``private_key_jwt`` send a short-lived signed assertion instead
(``client_assertion``), keyed with the client secret (HS*) or signed with the client's private
key (RS*, PS*, ES*), as enterprise IdPs (Entra ID, Okta, Keycloak) ask for; ``none`` is a
public client. The assertion is made anew for every token request, code exchange and refresh
alike.
"""

from __future__ import annotations

import logging
import secrets
import time
from collections.abc import Mapping
from typing import Any, Literal, get_args
from urllib.parse import quote_plus

from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import ECKey, OctKey, RSAKey, import_key
from requests.auth import HTTPBasicAuth

from ..errors import ConfigurationError

log = logging.getLogger("authmw.providers")

AuthMethod = Literal[
    "client_secret_basic", "client_secret_post", "client_secret_jwt", "private_key_jwt", "none"
]
AUTH_METHODS: tuple[str, ...] = get_args(AuthMethod)
AssertionAudience = Literal["token_endpoint", "issuer"]
ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
#: Seconds an assertion is valid: long enough for one request, too short to be worth stealing.
ASSERTION_LIFETIME = 60

HMAC_ALGS = ("HS256", "HS384", "HS512")
_RSA_ALGS = ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512")
_EC_ALG = {"P-256": "ES256", "P-384": "ES384", "P-521": "ES512"}

PrivateKey = RSAKey | ECKey
_CERTIFICATE_HEADERS = ("x5t", "x5t#S256")
KeySource = str | bytes | Mapping[str, Any]


def load_private_key(value: KeySource, key_id: str | None = None) -> PrivateKey:
    """A private RSA or EC key from a PEM string or a JWK dict (``{"keys": [jwk]}`` too).

    :raises ConfigurationError: not a private key of those types.
    """
    if isinstance(value, Mapping) and isinstance(value.get("keys"), list):
        if len(value["keys"]) != 1:
            raise ConfigurationError("client_private_key: give a JWK set of exactly one key")
        value = value["keys"][0]
    parameters: Any = {"kid": key_id} if key_id else None
    key: Any = None
    if isinstance(value, Mapping):
        try:
            key = import_key(dict(value), parameters=parameters)
        except (JoseError, ValueError, TypeError, KeyError):
            key = None
    elif isinstance(value, str | bytes):
        for key_type in ("RSA", "EC"):
            try:
                key = import_key(value, key_type, parameters)
                break
            except (JoseError, ValueError, TypeError):
                continue
    if not isinstance(key, RSAKey | ECKey) or not key.is_private:
        raise ConfigurationError("client_private_key must be a private RSA or EC key")
    return key


def algorithm_for(key: PrivateKey, wanted: str | None) -> str:
    """The assertion ``alg`` for *key*: *wanted* when the key can make it, else the key's own.

    :raises ConfigurationError: *wanted* does not fit the key type.
    """
    if isinstance(key, RSAKey):
        allowed: tuple[str, ...] = _RSA_ALGS
    else:
        allowed = (_EC_ALG[key.curve_name],) if key.curve_name in _EC_ALG else ()
    alg = wanted or key.alg or (allowed[0] if allowed else None)
    if alg not in allowed:
        raise ConfigurationError(f"algorithm {alg!r} does not fit a {key.key_type} key")
    return alg


class ClientAuth:
    """Authenticates one client at its token endpoint; validated when the provider is built.

    :param method: one of :data:`AUTH_METHODS`.
    :param private_key: ``private_key_jwt`` only: PEM, or a JWK dict with its ``kid`` (and
        ``x5t`` / ``x5t#S256``, sent in the header, when the IdP knows a certificate).
    :param key_id: the ``kid`` of a PEM key (a JWK carries its own).
    :param signing_alg: the assertion ``alg`` (default: ``HS256``, or the key's own).
    :param audience: the assertion's ``aud``: the token endpoint URL (OIDC Core §9, what
        Entra ID and Okta check) or the issuer identifier.
    :raises ConfigurationError: an unknown method, a missing secret or key, an ``alg`` that
        does not fit the key.
    """

    def __init__(
        self,
        method: str,
        client_id: str,
        client_secret: str,
        *,
        private_key: KeySource | None = None,
        key_id: str | None = None,
        signing_alg: str | None = None,
        audience: AssertionAudience = "token_endpoint",
    ) -> None:
        if method not in AUTH_METHODS:
            raise ConfigurationError(f"unknown token_endpoint_auth_method {method!r}")
        if audience not in ("token_endpoint", "issuer"):
            raise ConfigurationError("client_assertion_audience: token_endpoint or issuer")
        if method not in ("none", "private_key_jwt") and not client_secret:
            raise ConfigurationError(f"{method} needs a client_secret")
        if method == "private_key_jwt" and private_key is None:
            raise ConfigurationError("private_key_jwt needs a client_private_key (PEM or JWK)")
        if private_key is not None and method != "private_key_jwt":
            raise ConfigurationError(
                f"client_private_key is used only with private_key_jwt, not {method}"
            )
        self.method = method
        self.client_id = client_id
        self.audience = audience
        self._secret = client_secret
        self._key: PrivateKey | OctKey | None = None
        self.alg: str | None = None
        if method == "private_key_jwt" and private_key is not None:
            key = load_private_key(private_key, key_id)
            self._key, self.alg = key, algorithm_for(key, signing_alg)
        elif method == "client_secret_jwt":
            if (signing_alg or "HS256") not in HMAC_ALGS:
                raise ConfigurationError("client_secret_jwt signs with HS256, HS384 or HS512")
            self.alg = signing_alg or "HS256"
        elif signing_alg is not None:
            raise ConfigurationError(f"{method} takes no token_endpoint_auth_signing_alg")

    def request_parts(
        self, data: Mapping[str, str], *, token_url: str, issuer: str | None, secret: str
    ) -> tuple[HTTPBasicAuth | None, dict[str, str]]:
        """The HTTP auth and form body of a token request carrying *data*.

        :param secret: the client secret now (Apple's is a JWT remade as it expires).
        """
        body = dict(data)
        if self.method == "client_secret_basic":
            # RFC 6749 §2.3.1: form-urlencode both parts before Basic encoding.
            return HTTPBasicAuth(quote_plus(self.client_id), quote_plus(secret)), body
        body["client_id"] = self.client_id
        if self.method == "client_secret_post":
            body["client_secret"] = secret
        elif self.method in ("client_secret_jwt", "private_key_jwt"):
            audience = issuer if self.audience == "issuer" and issuer else token_url
            body["client_assertion_type"] = ASSERTION_TYPE
            body["client_assertion"] = self.assertion(audience, secret)
        return None, body

    def assertion(self, audience: str, secret: str) -> str:
        """A fresh signed client assertion for *audience* (RFC 7523 §3)."""
        now = int(time.time())
        claims = {
            "iss": self.client_id,
            "sub": self.client_id,
            "aud": audience,
            "jti": secrets.token_urlsafe(32),
            "iat": now,
            "exp": now + ASSERTION_LIFETIME,
        }
        assert self.alg is not None
        key = self._key if self._key is not None else OctKey.import_key(secret.encode())
        header = {"alg": self.alg, "typ": "JWT"}
        if key.kid:
            header["kid"] = key.kid
        for name in _CERTIFICATE_HEADERS:  # Entra ID finds the certificate by its thumbprint
            value = key.get(name)
            if isinstance(value, str):
                header[name] = value
        return jwt.encode(header, claims, key, algorithms=[self.alg])

    def check_advertised(self, provider_id: str, metadata: Mapping[str, Any]) -> None:
        """Warn when discovery lists the methods (or assertion algs) and ours is not there.

        The IdP has the last word: its answer to the token request decides, this only says
        early why it is likely to fail.
        """
        methods = metadata.get("token_endpoint_auth_methods_supported")
        if isinstance(methods, list) and self.method not in methods:
            log.warning(
                "provider %s: the IdP does not list token_endpoint_auth_method %s (it lists %s)",
                provider_id, self.method, ", ".join(str(m) for m in methods),
            )  # fmt: skip
        algs = metadata.get("token_endpoint_auth_signing_alg_values_supported")
        if self.alg is not None and isinstance(algs, list) and self.alg not in algs:
            log.warning(
                "provider %s: the IdP does not list %s for client assertions", provider_id, self.alg
            )


_CLIENT_KEYS = frozenset({"token_endpoint_auth_method", "token_endpoint_auth_signing_alg"})


def client_auth_for(
    provider_id: str,
    client_id: str,
    client_secret: str,
    *,
    method: str,
    client: Mapping[str, Any] | None = None,
    private_key: KeySource | None = None,
    key_id: str | None = None,
    signing_alg: str | None = None,
    audience: AssertionAudience = "token_endpoint",
) -> ClientAuth:
    """A provider's :class:`ClientAuth` from its options; *client* is NextAuth's
    ``client: {token_endpoint_auth_method, token_endpoint_auth_signing_alg}`` and wins.

    :raises ConfigurationError: an invalid combination, naming the provider.
    """
    client = dict(client or {})
    unknown = set(client) - _CLIENT_KEYS
    if unknown:
        raise ConfigurationError(
            f"provider {provider_id!r}: unknown client option(s) {', '.join(sorted(unknown))}"
        )
    try:
        return ClientAuth(
            client.get("token_endpoint_auth_method", method),
            client_id,
            client_secret,
            private_key=private_key,
            key_id=key_id,
            signing_alg=client.get("token_endpoint_auth_signing_alg", signing_alg),
            audience=audience,
        )
    except ConfigurationError as exc:
        raise ConfigurationError(f"provider {provider_id!r}: {exc}") from None
