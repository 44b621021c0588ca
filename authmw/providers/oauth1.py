"""OAuth 1.0a providers (RFC 5849), signed with ``requests-oauthlib``.

``begin`` gets a request token and keeps its secret in the encrypted state cookie, bound to
the provider and the flow (P-H1); the callback's ``oauth_token`` must equal the stored one and
is usable once (P-H2); ``oauth_verifier`` is required (P-H3).
"""

from __future__ import annotations

import hmac
import logging
from typing import TYPE_CHECKING, Any, ClassVar
from urllib.parse import parse_qsl

from requests_oauthlib import OAuth1

from ..errors import AuthError, ConfigurationError
from ..util.urls import append_query
from .base import Provider, ProviderSetup, ProviderType, SignInResult
from .checks import FlowChecks
from .http import DEFAULT_TIMEOUT, HttpClient, ProviderHTTPError, check_endpoint
from .profile import ProfileMapper, map_profile, mapper_arity

if TYPE_CHECKING:
    from webob import Response

    from ..flow import FlowRequest

log = logging.getLogger("authmw.providers.oauth1")

_MAX_PARAM = 1024


class OAuth1Provider(Provider):
    """A generic OAuth 1.0a provider.

    :param client_id: / :param client_secret: the consumer key and secret.
    :param request_token_url: / :param authorization_url: / :param access_token_url: the
        three OAuth 1.0a endpoints.
    :param profile_url: a JSON endpoint describing the user, called signed with the access
        token (``None``: the access-token response's fields are the profile).
    :param profile: ``profile(claims, tokens) -> {"id", "name", "email", "image"}``.
    :param timeout: / :param ca_bundle: / :param allow_loopback_http: as for
        :class:`~authmw.providers.oauth2.OAuth2Provider`.
    """

    type: ClassVar[ProviderType] = "oauth"

    def __init__(
        self,
        *,
        id: str,
        name: str,
        client_id: str,
        client_secret: str,
        request_token_url: str,
        authorization_url: str,
        access_token_url: str,
        profile_url: str | None = None,
        profile: ProfileMapper | None = None,
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
        if not client_id or not client_secret:
            raise ConfigurationError(f"provider {id!r} needs client_id and client_secret")
        self.client_id = client_id
        self._client_secret = client_secret
        self.allow_loopback_http = allow_loopback_http
        dev = allow_loopback_http
        self.request_token_url = check_endpoint(
            request_token_url, "request_token_url", allow_loopback_http=dev
        )
        self.authorization_url = check_endpoint(
            authorization_url, "authorization_url", allow_loopback_http=dev
        )
        self.access_token_url = check_endpoint(
            access_token_url, "access_token_url", allow_loopback_http=dev
        )
        self.profile_url = (
            check_endpoint(profile_url, "profile_url", allow_loopback_http=dev)
            if profile_url
            else None
        )
        self.profile_mapper = profile
        self._profile_arity = mapper_arity(profile)
        self.http = HttpClient(timeout=timeout, verify=True if ca_bundle is None else ca_bundle)
        # OAuth 1 has no state parameter: the request token plays its part (P-H2).
        self.flow = FlowChecks(self.id, frozenset())

    def setup(self, auth: ProviderSetup) -> None:
        """Keep the finished-flow markers where every worker sees them (P-B5, P-H2)."""
        self.flow.use_state(auth.shared_state)

    def _form(self, url: str, auth: OAuth1) -> dict[str, str]:
        try:
            status, _ctype, body = self.http.request("POST", url, auth=auth)
        except ProviderHTTPError as exc:
            raise AuthError("OAuthCallback", detail=exc.reason) from None
        try:
            pairs = parse_qsl(body.decode("ascii"), strict_parsing=True)
        except (UnicodeDecodeError, ValueError):
            pairs = []
        if not 200 <= status < 300 or not pairs:
            raise AuthError("OAuthCallback", detail=f"OAuth 1 endpoint answered {status}")
        return dict(pairs)

    def begin(self, ctx: FlowRequest) -> Response:
        """Get a request token, remember its secret, redirect to the authorization URL."""
        auth = OAuth1(
            self.client_id,
            client_secret=self._client_secret,
            callback_uri=ctx.auth_url("callback", self.id),
        )
        try:
            answer = self._form(self.request_token_url, auth)
        except AuthError as exc:
            raise AuthError("OAuthSignin", detail=exc.detail) from None
        token = answer.get("oauth_token")
        secret = answer.get("oauth_token_secret")
        if not token or not secret or answer.get("oauth_callback_confirmed") != "true":
            raise AuthError("OAuthSignin", detail="unusable request-token response")
        self.flow.start(ctx, data={"t": token, "ts": secret})
        return ctx.redirect(append_query(self.authorization_url, {"oauth_token": token}))

    def finish(self, ctx: FlowRequest) -> SignInResult:
        """Check the request token, trade it for an access token and fetch the profile."""
        if ctx.request.method != "GET":
            raise AuthError("OAuthCallback", detail="OAuth 1 callbacks are GET")
        params = ctx.query
        flow = self.flow.finish(ctx, state=None)
        if "denied" in params:
            raise AuthError("AccessDenied", detail="the user denied access")
        stored, secret = flow.data.get("t"), flow.data.get("ts")
        token, verifier = params.get("oauth_token"), params.get("oauth_verifier")
        if not isinstance(stored, str) or not isinstance(secret, str):
            raise AuthError("OAuthCallback", detail="no request token in the flow")
        if not token or not hmac.compare_digest(token.encode(), stored.encode()):
            raise AuthError("OAuthCallback", detail="oauth_token mismatch")
        if not verifier or len(verifier) > _MAX_PARAM or not verifier.isprintable():
            raise AuthError("OAuthCallback", detail="oauth_verifier missing or malformed")
        auth = OAuth1(
            self.client_id,
            client_secret=self._client_secret,
            resource_owner_key=stored,
            resource_owner_secret=secret,
            verifier=verifier,
        )
        tokens: dict[str, Any] = dict(self._form(self.access_token_url, auth))
        access, access_secret = tokens.get("oauth_token"), tokens.get("oauth_token_secret")
        if not access or not access_secret:
            raise AuthError("OAuthCallback", detail="access-token response without a token")
        claims = self.fetch_profile(access, access_secret) if self.profile_url else dict(tokens)
        claims.pop("oauth_token_secret", None)
        user = map_profile(self.profile_mapper, self._profile_arity, claims, tokens)
        account = {
            "provider": self.id,
            "type": self.type,
            "providerAccountId": user["id"],
            "oauth_token": access,
            "oauth_token_secret": access_secret,
        }
        return SignInResult(user=user, account=account, profile=claims)

    def fetch_profile(self, token: str, secret: str) -> dict[str, Any]:
        """GET the profile URL signed with the access token."""
        assert self.profile_url is not None
        auth = OAuth1(
            self.client_id,
            client_secret=self._client_secret,
            resource_owner_key=token,
            resource_owner_secret=secret,
        )
        try:
            return self.http.json("GET", self.profile_url, auth=auth)
        except ProviderHTTPError as exc:
            raise AuthError(
                "OAuthCallback", detail=f"profile request failed: {exc.reason}"
            ) from None
