"""GitHub (OAuth 2): ``/user``, plus ``/user/emails`` when the public e-mail is hidden."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ...errors import AuthError
from ..endpoints import Endpoints
from ..oauth2 import OAuth2Provider

if TYPE_CHECKING:
    from ...flow import FlowRequest
    from ..checks import FlowData


def github_profile(claims: dict[str, Any], tokens: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": str(claims.get("id", "")),
        "name": claims.get("name") or claims.get("login"),
        "email": claims.get("email"),
        "image": claims.get("avatar_url"),
    }


class GitHub(OAuth2Provider):
    """Sign in with GitHub (or GitHub Enterprise through *base_url* / *api_url*)."""

    def __init__(
        self,
        *,
        client_id: str,
        client_secret: str,
        id: str = "github",
        name: str = "GitHub",
        base_url: str = "https://github.com",
        api_url: str = "https://api.github.com",
        **options: Any,
    ) -> None:
        self.api_url = api_url.rstrip("/")
        options.setdefault("authorization", f"{base_url}/login/oauth/authorize")
        options.setdefault("token", f"{base_url}/login/oauth/access_token")
        options.setdefault("userinfo", f"{self.api_url}/user")
        options.setdefault("scope", "read:user user:email")
        options.setdefault("profile", github_profile)
        super().__init__(
            id=id, name=name, client_id=client_id, client_secret=client_secret, **options
        )

    def get_profile(
        self, ctx: FlowRequest, endpoints: Endpoints, tokens: dict[str, Any], flow: FlowData
    ) -> dict[str, Any]:
        claims = super().get_profile(ctx, endpoints, tokens, flow)
        if not claims.get("email"):
            claims["email"] = self.primary_email(tokens["access_token"])
        return claims

    def primary_email(self, access_token: str) -> str | None:
        """The primary verified address from ``/user/emails`` (``None`` if there is none)."""
        from ..http import ProviderHTTPError

        try:
            emails = self.http.get_json_list(
                f"{self.api_url}/user/emails", headers={"Authorization": f"Bearer {access_token}"}
            )
        except ProviderHTTPError:
            raise AuthError("OAuthCallback", detail="GitHub /user/emails failed") from None
        for entry in emails:
            if isinstance(entry, dict) and entry.get("primary") and entry.get("verified"):
                email = entry.get("email")
                return email if isinstance(email, str) else None
        return None
