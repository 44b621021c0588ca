"""Flow cookies: state, PKCE verifier and nonce, kept encrypted in the browser for 15 minutes.

Every cookie of one flow records the provider id and a random flow id, so values minted for
another provider or another flow are rejected (P-B4, S-C9). The state cookie also records who
was signed in when the flow started (P-B12), and any extra data a provider needs (the OAuth 1
request-token secret). A finished flow id is kept as a marker in the shared state (the SQL or
Redis adapter's database when configured, else this process) until the cookies expire, so a
replayed callback fails even if the browser kept the cookies, on every worker (P-B5).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from ..adapters.base import AdapterUnavailable
from ..errors import AuthError, ConfigurationError
from ..state import MemoryState, SharedState

if TYPE_CHECKING:
    from ..cookies.names import CookieSpec
    from ..flow import FlowRequest

MAX_AGE = 15 * 60
KNOWN_CHECKS = frozenset({"state", "pkce", "nonce"})
_SPEC_FOR = {"state": "state", "pkce": "pkce_code_verifier", "nonce": "nonce"}


def random_token(nbytes: int = 32) -> str:
    """A URL-safe random string from *nbytes* random octets (256 bits by default)."""
    return secrets.token_urlsafe(nbytes)


def pkce_challenge(verifier: str) -> str:
    """The S256 code challenge of *verifier* (RFC 7636 §4.2)."""
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def coerce_checks(checks: Iterable[str], *, oidc: bool) -> frozenset[str]:
    """Validate a provider's ``checks``: known names, and state or PKCE always on (A-PS2)."""
    if isinstance(checks, str):
        checks = (checks,)
    result = frozenset(checks)
    unknown = result - KNOWN_CHECKS
    if unknown:
        raise ConfigurationError(f"unknown checks: {', '.join(sorted(unknown))}")
    if not result & {"state", "pkce"}:
        raise ConfigurationError("a provider needs the 'state' or 'pkce' check")
    if "nonce" in result and not oidc:
        raise ConfigurationError("the 'nonce' check is for OpenID Connect providers")
    return result


@dataclass(frozen=True)
class FlowStart:
    """Values for the authorization request of a new flow."""

    flow: str
    state: str | None = None
    code_verifier: str | None = None
    code_challenge: str | None = None
    nonce: str | None = None


@dataclass(frozen=True)
class FlowData:
    """What the callback learnt from the flow cookies."""

    flow: str
    data: dict[str, Any] = field(default_factory=dict)
    code_verifier: str | None = None
    nonce: str | None = None


def session_binding(ctx: FlowRequest) -> str | None:
    """Who is signed in: the token's ``sub``, or a hash of a database session cookie."""
    token = ctx.token
    sub = token.get("sub") if token else None
    if isinstance(sub, str):
        return "sub:" + sub
    if ctx.session is not None:
        raw = ctx.cookies.get(ctx.realm.cookies.session_token.name, "")
        return "db:" + hashlib.sha256(raw.encode()).hexdigest()
    return None


class FlowChecks:
    """Writes and verifies the flow cookies of one provider.

    :param provider_id: bound into every cookie.
    :param checks: ``state``, ``pkce``, ``nonce``.
    :param cross_site_post: the callback arrives by cross-site POST (``form_post``), so the
        cookies need ``SameSite=None`` over https (P-B13).
    """

    def __init__(
        self, provider_id: str, checks: frozenset[str], *, cross_site_post: bool = False
    ) -> None:
        self.provider_id = provider_id
        self.checks = checks
        self.cross_site_post = cross_site_post
        self.markers: SharedState = MemoryState()

    def use_state(self, markers: SharedState) -> None:
        """Keep the finished-flow markers in *markers* (``Auth.shared_state``)."""
        self.markers = markers

    def _claim(self, flow: str) -> bool:
        """Mark *flow* finished; ``False`` when it already was (exactly one caller wins)."""
        expires = datetime.now(UTC) + timedelta(seconds=MAX_AGE + 60)
        try:
            return self.markers.add_marker(f"oauth-flow:{self.provider_id}:{flow}", expires)
        except AdapterUnavailable:
            raise AuthError(
                "Configuration", status=503, detail="replay markers unavailable"
            ) from None

    def _spec(self, ctx: FlowRequest, check: str) -> CookieSpec:
        spec: CookieSpec = getattr(ctx.realm.cookies, _SPEC_FOR[check])
        if self.cross_site_post and spec.secure:
            spec = replace(spec, same_site="None")
        return spec

    def _write(self, ctx: FlowRequest, check: str, claims: dict[str, Any]) -> None:
        spec = self._spec(ctx, check)
        codec = ctx.realm.check_codecs[getattr(ctx.realm.cookies, _SPEC_FOR[check]).name]
        value = codec.encode({"p": self.provider_id, **claims}, max_age=MAX_AGE)
        ctx.set_cookies.append(spec.set(value, max_age=MAX_AGE))

    def _read(self, ctx: FlowRequest, check: str) -> dict[str, Any] | None:
        name = getattr(ctx.realm.cookies, _SPEC_FOR[check]).name
        raw = ctx.cookies.get(name)
        if not raw:
            return None
        claims = ctx.realm.check_codecs[name].decode(raw)
        if claims is None or claims.get("p") != self.provider_id:
            return None
        return claims

    def start(self, ctx: FlowRequest, *, data: dict[str, Any] | None = None) -> FlowStart:
        """Create the values of a new flow and queue its cookies.

        :param data: extra values kept (encrypted) in the state cookie.
        """
        flow = random_token(16)
        state = random_token() if "state" in self.checks else None
        verifier = random_token() if "pkce" in self.checks else None
        nonce = random_token() if "nonce" in self.checks else None
        self._write(
            ctx,
            "state",
            {"f": flow, "s": state, "who": session_binding(ctx), "d": dict(data or {})},
        )
        if verifier is not None:
            self._write(ctx, "pkce", {"f": flow, "v": verifier})
        if nonce is not None:
            self._write(ctx, "nonce", {"f": flow, "n": nonce})
        return FlowStart(
            flow=flow,
            state=state,
            code_verifier=verifier,
            code_challenge=pkce_challenge(verifier) if verifier else None,
            nonce=nonce,
        )

    def clear(self, ctx: FlowRequest) -> None:
        """Queue deletion of every flow cookie (on success and on failure alike)."""
        for check in ("state", *sorted(self.checks - {"state"})):
            ctx.set_cookies.append(self._spec(ctx, check).delete())

    def finish(self, ctx: FlowRequest, *, state: str | None) -> FlowData:
        """Verify the flow cookies against the callback's *state*, and clear them.

        :raises AuthError: ``OAuthCallback`` for any missing, foreign or mismatched value.
        """
        self.clear(ctx)
        stored = self._read(ctx, "state")
        if stored is None or not isinstance(stored.get("f"), str):
            raise _fail("state cookie missing or invalid")
        flow: str = stored["f"]
        if "state" in self.checks:
            expected = stored.get("s")
            if not isinstance(expected, str) or not isinstance(state, str):
                raise _fail("state missing")
            if not hmac.compare_digest(expected.encode(), state.encode("utf-8", "replace")):
                raise _fail("state mismatch")
        who = session_binding(ctx)
        if stored.get("who") != who:
            raise _fail("flow started by another session")
        verifier = nonce = None
        if "pkce" in self.checks:
            pkce = self._read(ctx, "pkce")
            if pkce is None or pkce.get("f") != flow or not isinstance(pkce.get("v"), str):
                raise _fail("PKCE cookie missing or from another flow")
            verifier = pkce["v"]
        if "nonce" in self.checks:
            held = self._read(ctx, "nonce")
            if held is None or held.get("f") != flow or not isinstance(held.get("n"), str):
                raise _fail("nonce cookie missing or from another flow")
            nonce = held["n"]
        if not self._claim(flow):
            raise _fail("flow already used")
        data = stored.get("d")
        return FlowData(
            flow=flow,
            data=data if isinstance(data, dict) else {},
            code_verifier=verifier,
            nonce=nonce,
        )


def _fail(detail: str) -> AuthError:
    return AuthError("OAuthCallback", detail=detail)
