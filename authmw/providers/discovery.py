"""OpenID Connect discovery: the issuer's metadata, validated, cached and fetched once for
all concurrent callers (R-6, P-F3)."""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping
from typing import Any, Protocol

from ..errors import AuthError, ConfigurationError
from .http import HttpClient, ProviderHTTPError, check_endpoint
from .single_flight import SingleFlight

log = logging.getLogger("authmw.providers.oidc")

WELL_KNOWN = "/.well-known/openid-configuration"
_REQUIRED = frozenset({"authorization_endpoint", "token_endpoint", "jwks_uri"})
_OPTIONAL = ("userinfo_endpoint", "end_session_endpoint")


class AdvertisedMethods(Protocol):
    def check_advertised(self, provider_id: str, metadata: Mapping[str, Any]) -> None: ...


class DiscoveringProvider(Protocol):
    """What discovery reads of its OpenID Connect provider."""

    id: str
    issuer_url: str
    http: HttpClient
    allow_loopback_http: bool

    @property
    def client_auth(self) -> AdvertisedMethods: ...


class Discovery:
    """The issuer's metadata, fetched from ``/.well-known/openid-configuration`` and cached.

    Concurrent callers share one fetch, made outside the lock (R-6).

    :param ttl: seconds the document is kept; a failed refetch keeps serving the old one.
    :param cooldown: seconds after a failed fetch during which callers get the cached
        document, or the failure, at once instead of another fetch.
    """

    def __init__(self, provider: DiscoveringProvider, *, ttl: float = 3600, cooldown: float = 10):
        self.provider = provider
        self.ttl = ttl
        self.cooldown = cooldown
        self._doc: dict[str, Any] | None = None
        self._fetched = float("-inf")
        self._failed = float("-inf")
        self._flight = SingleFlight(wait=provider.http.deadline)

    def document(self) -> dict[str, Any]:
        """The validated metadata. :raises AuthError: ``Configuration`` when unusable."""
        self._flight.run(self._refresh, self._due)
        doc = self._doc
        if doc is None:
            raise AuthError("Configuration", detail="discovery failed")
        return doc

    def _due(self) -> bool:
        """Under the flight's lock: stale, and no failed fetch within the cooldown."""
        now = time.monotonic()
        return now - self._fetched >= self.ttl and now - self._failed >= self.cooldown

    def _refresh(self) -> None:
        try:
            doc = self._fetch()
            self.provider.client_auth.check_advertised(self.provider.id, doc)
        except (ProviderHTTPError, ConfigurationError) as exc:
            self._failed = time.monotonic()
            log.error(
                "discovery for %s failed: %s; next attempt in %g s",
                self.provider.id, exc, self.cooldown,
            )  # fmt: skip
            return
        self._doc, self._fetched = doc, time.monotonic()

    def fetch(self) -> dict[str, Any]:
        """Fetch and validate the document now, past the cache (``authmw check``).

        :raises ProviderHTTPError: the issuer did not answer usably.
        :raises ConfigurationError: the document is not acceptable.
        """
        return self._fetch()

    def _fetch(self) -> dict[str, Any]:
        issuer = self.provider.issuer_url
        doc = self.provider.http.get_json(issuer.rstrip("/") + WELL_KNOWN)
        if doc.get("issuer") != issuer:  # P-F1: exact match
            raise ConfigurationError("discovery issuer does not match the configured issuer")
        loopback_http = self.provider.allow_loopback_http
        for key in ("authorization_endpoint", "token_endpoint", "jwks_uri", *_OPTIONAL):
            if key in _REQUIRED or doc.get(key) is not None:
                check_endpoint(doc.get(key), key, allow_loopback_http=loopback_http)
        return doc
