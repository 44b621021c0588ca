"""Discord (OAuth 2)."""

from __future__ import annotations

from typing import Any

from ..oauth2 import OAuth2Provider

CDN = "https://cdn.discordapp.com"


def discord_profile(claims: dict[str, Any], tokens: dict[str, Any]) -> dict[str, Any]:
    ident = str(claims.get("id", ""))
    avatar = claims.get("avatar")
    if isinstance(avatar, str) and avatar:
        ext = "gif" if avatar.startswith("a_") else "png"
        image = f"{CDN}/avatars/{ident}/{avatar}.{ext}"
    else:
        index = (int(ident) >> 22) % 6 if ident.isdigit() else 0
        image = f"{CDN}/embed/avatars/{index}.png"
    return {
        "id": ident,
        "name": claims.get("global_name") or claims.get("username"),
        "email": claims.get("email"),
        "image": image,
    }


class Discord(OAuth2Provider):
    """Sign in with Discord."""

    def __init__(
        self,
        *,
        client_id: str,
        client_secret: str,
        id: str = "discord",
        name: str = "Discord",
        **options: Any,
    ) -> None:
        options.setdefault("authorization", "https://discord.com/api/oauth2/authorize")
        options.setdefault("token", "https://discord.com/api/oauth2/token")
        options.setdefault("userinfo", "https://discord.com/api/users/@me")
        options.setdefault("scope", "identify email")
        options.setdefault("profile", discord_profile)
        super().__init__(
            id=id, name=name, client_id=client_id, client_secret=client_secret, **options
        )
