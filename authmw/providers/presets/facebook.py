"""Facebook (OAuth 2, Graph API)."""

from __future__ import annotations

from typing import Any

from ..oauth2 import OAuth2Provider

GRAPH = "https://graph.facebook.com"


def facebook_profile(claims: dict[str, Any], tokens: dict[str, Any]) -> dict[str, Any]:
    picture = claims.get("picture")
    data = picture.get("data") if isinstance(picture, dict) else None
    return {
        "id": claims.get("id"),
        "name": claims.get("name"),
        "email": claims.get("email"),
        "image": data.get("url") if isinstance(data, dict) else None,
    }


class Facebook(OAuth2Provider):
    """Sign in with Facebook."""

    def __init__(
        self,
        *,
        client_id: str,
        client_secret: str,
        id: str = "facebook",
        name: str = "Facebook",
        **options: Any,
    ) -> None:
        options.setdefault("authorization", "https://www.facebook.com/v19.0/dialog/oauth")
        options.setdefault("token", f"{GRAPH}/oauth/access_token")
        options.setdefault(
            "userinfo", {"url": f"{GRAPH}/me", "params": {"fields": "id,name,email,picture"}}
        )
        options.setdefault("scope", "email")
        options.setdefault("token_endpoint_auth_method", "client_secret_post")
        options.setdefault("profile", facebook_profile)
        super().__init__(
            id=id, name=name, client_id=client_id, client_secret=client_secret, **options
        )
