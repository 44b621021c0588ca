"""OpenID Connect providers: discovery, the JWKS, and a validated ID token on every sign-in."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any, ClassVar

from ..errors import AuthError, ConfigurationError, IdentityChangedError
from ..session.revocation import IDP_CLAIM
from .base import ProviderType
from .checks import FlowData
from .discovery import WELL_KNOWN as WELL_KNOWN
from .discovery import Discovery
from .end_session import EndSession
from .endpoints import Endpoints
from .http import check_endpoint, check_seconds
from .idtoken import IdTokenError, IdTokenPolicy, validate_id_token
from .jwks import KeyCache
from .logout_token import BackchannelLogout, LogoutRequest, idp_session
from .oauth2 import OAuth2Provider

if TYPE_CHECKING:
    from ..flow import FlowRequest

log = logging.getLogger("authmw.providers.oidc")

#: ``AuthError.detail`` of a refresh whose new ID token names another user.
IDENTITY_CHANGED = IdentityChangedError().detail
_SUPPORTED_ALGS = frozenset(
    {"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA",
     "HS256", "HS384", "HS512"}
)  # fmt: skip


#: Claims the signed id_token decides, whatever the (unsigned) userinfo answer says.
_SIGNED_IDENTITY = ("sub", "email", "email_verified")


class OIDCProvider(OAuth2Provider):
    """An OpenID Connect provider, configured from its ``issuer`` by discovery.

    Takes every :class:`~authmw.providers.oauth2.OAuth2Provider` option (explicit endpoints
    override discovered ones) plus:

    :param issuer: the issuer identifier, compared byte for byte with discovery and tokens.
    :param id_token_signed_response_algs: accepted ``alg`` values (``RS256``); ``HS*`` is
        verified with the client secret; ``none`` is never accepted.
    :param userinfo_request: also call the userinfo endpoint (its ``sub`` must match).
    :param leeway: clock skew allowed when checking ``exp``/``iat`` (seconds).
    :param discovery_ttl: / :param jwks_ttl: cache lifetimes; :param jwks_cooldown: minimum
        seconds between JWKS refetches forced by an unknown ``kid`` or after a failed one;
        :param discovery_cooldown: seconds before a failed discovery is tried again.
    :param sign_out_of_provider: signing out also signs out of the provider (RP-initiated
        logout): the browser visits its ``end_session_endpoint`` and comes back to
        ``{base}/signout-callback/<id>``, which must be registered at the provider as a
        post-logout redirect URI. The session keeps the ID token for it.
    :param end_session_endpoint: the provider's sign-out URL when discovery does not name it.
    :param backchannel_logout: accept the provider's logout tokens at
        ``POST {base}/backchannel-logout/<id>`` (its ``backchannel_logout_uri``): sessions
        keep which provider subject and session (``sid``) they were signed in with.

    With ``allow_loopback_http=True`` the issuer and the discovered endpoints may be plain
    http on a loopback host (development only); without it, a document naming an http
    endpoint makes sign-in fail with ``OAuthSignin`` and a log line naming the endpoint.
    """

    type: ClassVar[ProviderType] = "oidc"

    def __init__(
        self,
        *,
        issuer: str,
        scope: str = "openid email profile",
        checks: Iterable[str] = ("pkce", "state", "nonce"),
        id_token_signed_response_algs: Iterable[str] = ("RS256",),
        userinfo_request: bool = False,
        leeway: int = 60,
        max_iat_age: int = 3600,
        discovery_ttl: float = 3600,
        jwks_ttl: float = 3600,
        jwks_cooldown: float = 60,
        discovery_cooldown: float = 10,
        jwks_uri: str | None = None,
        sign_out_of_provider: bool = False,
        end_session_endpoint: str | None = None,
        backchannel_logout: bool = False,
        allow_loopback_http: bool = False,
        **options: Any,
    ) -> None:
        self.issuer_url = check_endpoint(issuer, "issuer", allow_loopback_http=allow_loopback_http)
        if "openid" not in scope.split():
            raise ConfigurationError("an OpenID Connect provider's scope must include 'openid'")
        algs = tuple(id_token_signed_response_algs)
        if not algs or any(a not in _SUPPORTED_ALGS for a in algs):
            raise ConfigurationError(f"unsupported id_token algorithms: {algs!r}")
        self.algorithms = algs
        self.userinfo_request = userinfo_request
        self.leeway = int(check_seconds(leeway, "leeway", zero=True))
        self.max_iat_age = int(check_seconds(max_iat_age, "max_iat_age"))
        for value, what in ((discovery_ttl, "discovery_ttl"), (jwks_ttl, "jwks_ttl")):
            check_seconds(value, what)
        check_seconds(jwks_cooldown, "jwks_cooldown", zero=True)
        check_seconds(discovery_cooldown, "discovery_cooldown", zero=True)
        self._jwks_uri = (
            check_endpoint(jwks_uri, "jwks_uri", allow_loopback_http=allow_loopback_http)
            if jwks_uri
            else None
        )
        if not isinstance(sign_out_of_provider, bool):
            raise ConfigurationError("sign_out_of_provider must be True or False")
        self.sign_out_of_provider = sign_out_of_provider
        if not isinstance(backchannel_logout, bool):
            raise ConfigurationError("backchannel_logout must be True or False")
        self.backchannel_logout = backchannel_logout
        self._end_session_url = (
            check_endpoint(
                end_session_endpoint,
                "end_session_endpoint",
                allow_loopback_http=allow_loopback_http,
            )
            if end_session_endpoint
            else None
        )
        super().__init__(
            issuer=issuer,
            scope=scope,
            checks=checks,
            allow_loopback_http=allow_loopback_http,
            **options,
        )
        if any(a.startswith("HS") for a in algs) and not self.client_secret:
            raise ConfigurationError("HS* id_token algorithms need a client secret")
        self.discovery = Discovery(self, ttl=discovery_ttl, cooldown=discovery_cooldown)
        self.keys = KeyCache(self.http, ttl=jwks_ttl, cooldown=jwks_cooldown)
        self.end_session = EndSession(self.id, self.client_id)
        self.backchannel = BackchannelLogout(self.id)
        self._warned_no_end_session = False

    def setup(self, auth: Any) -> None:
        super().setup(auth)
        self.backchannel.use_state(auth.shared_state)
        if self.sign_out_of_provider and self._end_session_url is None:
            # warns once when the provider has none; discovery down now: checked at sign-out
            with contextlib.suppress(AuthError):
                self.end_session_url()

    def end_session_url(self) -> str | None:
        """The provider's ``end_session_endpoint`` (configured, else discovered), or ``None``.

        :raises AuthError: ``Configuration`` when discovery fails.
        """
        url = self._end_session_url or self.discovery.document().get("end_session_endpoint")
        if url is None and not self._warned_no_end_session:
            self._warned_no_end_session = True
            log.warning(
                "provider %s: sign_out_of_provider is on but the provider has no "
                "end_session_endpoint; sign-out ends the local session only",
                self.id,
            )
        return url if isinstance(url, str) else None

    def session_claims(self, account: dict[str, Any] | None) -> dict[str, Any]:
        """With ``sign_out_of_provider`` on: the provider id and the ID token (the
        ``id_token_hint`` of sign-out) too; with ``backchannel_logout``: :data:`IDP_CLAIM`."""
        claims = super().session_claims(account)
        if self.sign_out_of_provider and account and isinstance(account.get("id_token"), str):
            claims.update(provider=self.id, id_token=account["id_token"])
        if self.backchannel_logout and account:
            idp = idp_session(self.id, account.get("id_token"))
            if idp is not None:
                claims[IDP_CLAIM] = idp
        return claims

    def logout_request(self, logout_token: object) -> LogoutRequest:
        """Whose sessions a back-channel *logout_token* ends.

        :raises LogoutTokenError: invalid or replayed (the message is for logs).
        :raises AuthError: discovery failed. :raises AdapterUnavailable: the store is down.
        """
        jwks_uri = self._jwks_uri or self.discovery.document()["jwks_uri"]
        return self.backchannel.accept(
            logout_token, self.policy(), lambda kid, alg: self.keys.candidates(jwks_uri, kid, alg)
        )

    def sign_out_url(self, ctx: FlowRequest, id_token: str, callback_url: str) -> str | None:
        if not self.sign_out_of_provider:
            return None
        try:
            endpoint = self.end_session_url()
        except AuthError:
            log.warning("provider %s: discovery failed; signed out locally only", self.id)
            return None
        if endpoint is None:
            return None
        return self.end_session.start(ctx, endpoint, id_token, callback_url)

    def finish_sign_out(self, ctx: FlowRequest) -> str:
        return self.end_session.finish(ctx)

    def _validate_static_endpoints(self) -> None:
        """Endpoints come from discovery; explicit ones are optional overrides."""

    def endpoints(self) -> Endpoints:
        doc = self.discovery.document()
        return Endpoints(
            authorization=self._authorization_url or doc["authorization_endpoint"],
            token=self._token_url or doc["token_endpoint"],
            userinfo=self._userinfo_url or doc.get("userinfo_endpoint"),
            issuer=self.issuer_url,
            iss_parameter=doc.get("authorization_response_iss_parameter_supported") is True,
        )

    def policy(self) -> IdTokenPolicy:
        doc = self.discovery.document()
        advertised = doc.get("id_token_signing_alg_values_supported")
        algs = self.algorithms
        if isinstance(advertised, list):
            algs = tuple(a for a in algs if a in advertised) or algs
        return IdTokenPolicy(
            issuer=self.issuer_url,
            client_id=self.client_id,
            algorithms=algs,
            client_secret=self.client_secret or None,
            leeway=self.leeway,
            max_iat_age=self.max_iat_age,
        )

    def validate(
        self, id_token: object, *, nonce: str | None, access_token: str | None
    ) -> dict[str, Any]:
        """The claims of *id_token*; :raises AuthError: ``OAuthCallback`` when invalid."""
        jwks_uri = self._jwks_uri or self.discovery.document()["jwks_uri"]
        max_age = self.authorization_params.get("max_age")
        try:
            return validate_id_token(
                id_token,
                self.policy(),
                lambda kid, alg: self.keys.candidates(jwks_uri, kid, alg),
                nonce=nonce,
                access_token=access_token,
                max_age=int(max_age) if max_age is not None else None,
            )
        except IdTokenError as exc:
            log.warning("id_token from %s rejected: %s", self.id, exc)
            raise AuthError("OAuthCallback", detail="invalid id_token") from None

    def get_profile(
        self, ctx: FlowRequest, endpoints: Endpoints, tokens: dict[str, Any], flow: FlowData
    ) -> dict[str, Any]:
        """ID-token claims (validated first, P-C6), merged with userinfo when requested."""
        if "id_token" not in tokens:
            raise AuthError("OAuthCallback", detail="no id_token in the token response")
        claims = self.validate(
            tokens["id_token"], nonce=flow.nonce, access_token=tokens["access_token"]
        )
        if not self.userinfo_request:
            return claims
        if endpoints.userinfo is None:
            raise AuthError("OAuthCallback", detail="no userinfo endpoint")
        info = self.fetch_userinfo(endpoints.userinfo, tokens["access_token"])
        if info.get("sub") != claims["sub"]:  # P-E1
            raise AuthError("OAuthCallback", detail="userinfo sub differs from the id_token")
        # userinfo adds claims; it never replaces what the signed id_token says of who it is
        signed = {key: claims[key] for key in _SIGNED_IDENTITY if key in claims}
        return {**claims, **info, **signed}

    def refresh_tokens(self, refresh_token: str, claims: Mapping[str, Any]) -> dict[str, Any]:
        """Refresh; a new ID token must be valid and keep the same ``sub`` (P-C8)."""
        tokens = super().refresh_tokens(refresh_token, claims)
        if "id_token" in tokens:
            fresh = self.validate(
                tokens["id_token"], nonce=None, access_token=tokens["access_token"]
            )
            known = claims.get("provider_account_id")
            if known is not None and fresh["sub"] != known:
                raise IdentityChangedError()
        return tokens
