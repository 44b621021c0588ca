"""OAuth 2.0 authorization-code providers (RFC 6749 + PKCE, RFC 9700 recommendations).

The flow: ``begin`` stores state / PKCE verifier in encrypted cookies and redirects to the
authorization endpoint; ``finish`` checks them, exchanges the code, fetches the profile and maps
it to a user. Every failure is an :class:`~authmw.errors.AuthError`, never a 5xx.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any, ClassVar, Literal

from ..errors import AuthError, ConfigurationError
from ..log import redact
from ..util.urls import append_query
from .authorization_response import authorization_code, check_iss_parameter, text_param
from .base import Provider, ProviderSetup, ProviderType, SignInResult
from .checks import FlowChecks, FlowData, coerce_checks
from .client_auth import AssertionAudience, KeySource, client_auth_for
from .client_auth import AuthMethod as AuthMethod
from .endpoints import Endpoints as Endpoints
from .endpoints import account_from_tokens, checked_token_response, extra_authorization_params
from .endpoints import split_endpoint as _split_endpoint
from .http import DEFAULT_TIMEOUT, HttpClient, ProviderHTTPError, check_endpoint
from .profile import ProfileMapper, map_profile, mapper_arity

if TYPE_CHECKING:
    from webob import Response

    from ..flow import FlowRequest

log = logging.getLogger("authmw.providers")


class OAuth2Provider(Provider):
    """A generic OAuth 2.0 provider.

    :param client_id: / :param client_secret: the client's credentials.
    :param authorization: the authorization endpoint URL, or ``{"url", "params"}``.
    :param token: the token endpoint URL.
    :param userinfo: the profile endpoint URL, or ``{"url", "params"}``.
    :param scope: space-separated scopes sent as configured (P-A6).
    :param checks: ``"pkce"``, ``"state"`` (both by default).
    :param token_endpoint_auth_method: ``client_secret_basic`` (default),
        ``client_secret_post``, ``client_secret_jwt``, ``private_key_jwt`` or ``none``.
    :param client: NextAuth's form of the same: ``{"token_endpoint_auth_method": ...,
        "token_endpoint_auth_signing_alg": ...}``.
    :param client_private_key: ``private_key_jwt``: a PEM string or a private JWK (with
        ``kid``); :param client_key_id: the ``kid`` sent with a PEM key.
    :param token_endpoint_auth_signing_alg: the client assertion's ``alg``.
    :param client_assertion_audience: ``"token_endpoint"`` (default) or ``"issuer"``.
    :param profile: ``profile(claims, tokens) -> {"id", "name", "email", "image"}``.
    :param refresh: keep the tokens in the session and refresh the access token before it
        expires (see :mod:`authmw.providers.refresh`).
    :param response_mode: ``None`` (query) or ``"form_post"`` (callback by POST).
    :param issuer: the provider's issuer identifier, compared with an RFC 9207 ``iss``.
    :param timeout: the deadline of each call to the provider (:class:`.http.HttpClient`).
    :param ca_bundle: a CA bundle path to trust instead of the system store (P-C2).
    :param allow_loopback_http: development only: plain http endpoints on loopback (P-F2).
    :raises ConfigurationError: any invalid option, e.g. ``response_type`` other than ``code``.
    """

    type: ClassVar[ProviderType] = "oauth"
    callback_methods: ClassVar[frozenset[str]] = frozenset({"GET", "POST"})

    def __init__(
        self,
        *,
        id: str,
        name: str,
        client_id: str,
        client_secret: str | None = None,
        authorization: str | Mapping[str, Any] | None = None,
        token: str | None = None,
        userinfo: str | Mapping[str, Any] | None = None,
        scope: str = "",
        authorization_params: Mapping[str, str] | None = None,
        checks: Iterable[str] = ("pkce", "state"),
        token_endpoint_auth_method: AuthMethod = "client_secret_basic",  # noqa: S107
        client: Mapping[str, Any] | None = None,
        client_private_key: KeySource | None = None,
        client_key_id: str | None = None,
        token_endpoint_auth_signing_alg: str | None = None,
        client_assertion_audience: AssertionAudience = "token_endpoint",
        profile: ProfileMapper | None = None,
        refresh: bool = False,
        response_type: str = "code",
        response_mode: Literal["query", "form_post"] | None = None,
        issuer: str | None = None,
        timeout: float | tuple[float, float] = DEFAULT_TIMEOUT,
        ca_bundle: str | None = None,
        allow_loopback_http: bool = False,
        style: dict[str, str] | None = None,
        allow_dangerous_email_account_linking: bool = False,
    ) -> None:
        super().__init__(
            id=id,
            name=name,
            style=style,
            allow_dangerous_email_account_linking=allow_dangerous_email_account_linking,
        )
        if response_type != "code":
            raise ConfigurationError(f"provider {id!r}: only response_type='code' is allowed")
        if not isinstance(client_id, str) or not client_id:
            raise ConfigurationError(f"provider {id!r} needs a client_id")
        if response_mode not in (None, "query", "form_post"):
            raise ConfigurationError(f"provider {id!r}: response_mode must be query or form_post")
        self.client_id = client_id
        self._client_secret = client_secret or ""
        self.client_auth = client_auth_for(
            id,
            client_id,
            self._client_secret,
            method=token_endpoint_auth_method,
            client=client,
            private_key=client_private_key,
            key_id=client_key_id,
            signing_alg=token_endpoint_auth_signing_alg,
            audience=client_assertion_audience,
        )
        self.allow_loopback_http = dev = allow_loopback_http
        self._authorization_url, auth_params = _split_endpoint(authorization, "authorization", dev)
        self._userinfo_url, self.userinfo_params = _split_endpoint(userinfo, "userinfo", dev)
        self._token_url = check_endpoint(token, "token", dev) if token is not None else None
        self.authorization_params = extra_authorization_params(
            id, auth_params, authorization_params or {}
        )
        self.scope = scope
        self.response_mode = response_mode
        self.issuer = issuer
        self.refresh = self.refreshes_tokens = bool(refresh)
        self.checks = coerce_checks(checks, oidc=self.type == "oidc")
        self.flow = FlowChecks(self.id, self.checks, cross_site_post=response_mode == "form_post")
        self.profile_mapper = profile
        self._profile_arity = mapper_arity(profile)
        self.http = HttpClient(timeout=timeout, verify=True if ca_bundle is None else ca_bundle)
        self._validate_static_endpoints()

    def _validate_static_endpoints(self) -> None:
        if self._authorization_url is None or self._token_url is None:
            raise ConfigurationError(f"provider {self.id!r} needs authorization and token URLs")

    def setup(self, auth: ProviderSetup) -> None:
        """Keep the finished-flow markers where every worker sees them (P-B5)."""
        self.flow.use_state(auth.shared_state)

    # -- configuration ------------------------------------------------------------------

    def endpoints(self) -> Endpoints:
        """The provider's endpoints (OIDC: from discovery, which may raise ``AuthError``)."""
        assert self._authorization_url is not None and self._token_url is not None
        return Endpoints(
            authorization=self._authorization_url,
            token=self._token_url,
            userinfo=self._userinfo_url,
            issuer=self.issuer,
        )

    def session_claims(self, account: dict[str, Any] | None) -> dict[str, Any]:
        """With ``refresh`` on: the tokens the refresher needs, kept in the encrypted token."""
        if not self.refresh or not account:
            return {}
        claims = {"provider": self.id, "provider_account_id": account.get("providerAccountId")}
        for key in ("access_token", "expires_at", "refresh_token"):
            if account.get(key) is not None:
                claims[key] = account[key]
        return claims

    # -- the flow -------------------------------------------------------------------------

    def authorization_query(self, ctx: FlowRequest, flow_start: Any) -> dict[str, str]:
        """The authorization request parameters (subclasses add their own)."""
        query: dict[str, str] = {
            "response_type": "code",
            "client_id": self.client_id,
            "redirect_uri": ctx.auth_url("callback", self.id),
        }
        if self.scope:
            query["scope"] = self.scope
        if self.response_mode == "form_post":
            query["response_mode"] = "form_post"
        query.update(self.authorization_params)
        if flow_start.state:
            query["state"] = flow_start.state
        if flow_start.code_challenge:
            query["code_challenge"] = flow_start.code_challenge
            query["code_challenge_method"] = "S256"
        if flow_start.nonce:
            query["nonce"] = flow_start.nonce
        return query

    def begin(self, ctx: FlowRequest) -> Response:
        """Queue the flow cookies and redirect to the authorization endpoint."""
        endpoints = self.endpoints_or(ctx, "OAuthSignin")
        flow_start = self.flow.start(ctx)
        query = self.authorization_query(ctx, flow_start)
        url = append_query(endpoints.authorization, query, keep_empty=True)
        log.debug("%s: to the authorization endpoint %s", self.id, redact(url))
        return ctx.redirect(url)

    def endpoints_or(self, ctx: FlowRequest, code: str) -> Endpoints:
        try:
            return self.endpoints()
        except AuthError as exc:
            raise AuthError(code, detail=exc.detail) from None

    def finish(self, ctx: FlowRequest) -> SignInResult:
        """Check the callback, exchange the code and map the profile."""
        if ctx.request.method == "POST" and self.response_mode != "form_post":
            raise AuthError("OAuthCallback", detail="callback by POST without form_post")
        params = ctx.body if ctx.request.method == "POST" else ctx.query
        flow = self.flow.finish(ctx, state=text_param(params, "state"))
        endpoints = self.endpoints_or(ctx, "OAuthCallback")
        check_iss_parameter(endpoints, text_param(params, "iss"))
        code = authorization_code(self.id, params)
        tokens = self.exchange_code(ctx, endpoints, code, flow)
        claims = self.get_profile(ctx, endpoints, tokens, flow)
        user = map_profile(self.profile_mapper, self._profile_arity, claims, tokens)
        return SignInResult(user=user, account=self.make_account(user, tokens), profile=claims)

    def exchange_code(
        self, ctx: FlowRequest, endpoints: Endpoints, code: str, flow: FlowData
    ) -> dict[str, Any]:
        """POST the code (with the PKCE verifier) to the token endpoint."""
        data = {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": ctx.auth_url("callback", self.id),
        }
        if flow.code_verifier:
            data["code_verifier"] = flow.code_verifier
        return self.token_request(endpoints, data)

    def token_request(self, endpoints: Endpoints, data: dict[str, str]) -> dict[str, Any]:
        """Authenticate the client, POST *data* and validate the token response (P-C3, P-C4).

        :raises AuthError: ``OAuthCallback`` for any failure.
        """
        auth, body = self.client_auth.request_parts(
            data, token_url=endpoints.token, issuer=endpoints.issuer, secret=self.client_secret
        )
        try:
            tokens = self.http.json("POST", endpoints.token, data=body, auth=auth)
        except ProviderHTTPError as exc:
            log.warning("token request for %s failed: %s (%s)", self.id, exc.reason, exc.error)
            raise AuthError("OAuthCallback", detail="token request failed") from None
        return checked_token_response(tokens)

    @property
    def auth_method(self) -> str:
        """The token endpoint client authentication method."""
        return self.client_auth.method

    @property
    def client_secret(self) -> str:
        return self._client_secret

    def get_profile(
        self, ctx: FlowRequest, endpoints: Endpoints, tokens: dict[str, Any], flow: FlowData
    ) -> dict[str, Any]:
        """The user's claims: the userinfo endpoint's answer (override to add calls)."""
        if endpoints.userinfo is None:
            raise AuthError("OAuthCallback", detail="no userinfo endpoint configured")
        return self.fetch_userinfo(endpoints.userinfo, tokens["access_token"])

    def fetch_userinfo(self, url: str, access_token: str) -> dict[str, Any]:
        """GET *url* with ``Authorization: Bearer`` (never a query parameter, P-E5)."""
        return self.api_get(append_query(url, self.userinfo_params, keep_empty=True), access_token)

    def api_get(self, url: str, access_token: str) -> dict[str, Any]:
        try:
            return self.http.get_json(url, headers={"Authorization": f"Bearer {access_token}"})
        except ProviderHTTPError as exc:
            log.warning("profile request for %s failed: %s", self.id, exc.reason)
            raise AuthError("OAuthCallback", detail="profile request failed") from None

    def make_account(self, user: dict[str, Any], tokens: Mapping[str, Any]) -> dict[str, Any]:
        """The NextAuth ``Account`` for this sign-in (tokens included)."""
        return account_from_tokens(self.id, self.type, user["id"], tokens)

    # -- refresh --------------------------------------------------------------------------

    def refresh_tokens(self, refresh_token: str, claims: Mapping[str, Any]) -> dict[str, Any]:
        """Trade *refresh_token* for new tokens; raises ``AuthError`` on failure."""
        endpoints = self.endpoints()
        return self.token_request(
            endpoints, {"grant_type": "refresh_token", "refresh_token": refresh_token}
        )
