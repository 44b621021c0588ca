"""Twitter / X: OAuth 2 with PKCE (``Twitter``) and the legacy OAuth 1.0a API."""

from __future__ import annotations

from typing import Any

from ..oauth1 import OAuth1Provider
from ..oauth2 import OAuth2Provider

API = "https://api.x.com"


def twitter_profile(claims: dict[str, Any], tokens: dict[str, Any]) -> dict[str, Any]:
    data = claims.get("data")
    data = data if isinstance(data, dict) else {}
    return {
        "id": data.get("id"),
        "name": data.get("name") or data.get("username"),
        "email": data.get("email"),
        "image": data.get("profile_image_url"),
    }


def twitter_legacy_profile(claims: dict[str, Any], tokens: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": claims.get("id_str"),
        "name": claims.get("name") or claims.get("screen_name"),
        "email": claims.get("email"),
        "image": claims.get("profile_image_url_https"),
    }


class Twitter(OAuth2Provider):
    """Sign in with X (OAuth 2.0 with PKCE)."""

    def __init__(
        self,
        *,
        client_id: str,
        client_secret: str,
        id: str = "twitter",
        name: str = "Twitter",
        **options: Any,
    ) -> None:
        options.setdefault("authorization", "https://x.com/i/oauth2/authorize")
        options.setdefault("token", f"{API}/2/oauth2/token")
        options.setdefault(
            "userinfo",
            {"url": f"{API}/2/users/me", "params": {"user.fields": "profile_image_url"}},
        )
        options.setdefault("scope", "users.read tweet.read offline.access")
        options.setdefault("profile", twitter_profile)
        super().__init__(
            id=id, name=name, client_id=client_id, client_secret=client_secret, **options
        )


class TwitterLegacy(OAuth1Provider):
    """Sign in with X through the OAuth 1.0a API."""

    def __init__(
        self,
        *,
        client_id: str,
        client_secret: str,
        id: str = "twitter-legacy",
        name: str = "Twitter",
        api_url: str = API,
        **options: Any,
    ) -> None:
        options.setdefault("request_token_url", f"{api_url}/oauth/request_token")
        options.setdefault("authorization_url", f"{api_url}/oauth/authenticate")
        options.setdefault("access_token_url", f"{api_url}/oauth/access_token")
        options.setdefault(
            "profile_url", f"{api_url}/1.1/account/verify_credentials.json?include_email=true"
        )
        options.setdefault("profile", twitter_legacy_profile)
        super().__init__(
            id=id, name=name, client_id=client_id, client_secret=client_secret, **options
        )
