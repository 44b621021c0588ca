"""Slack ("Sign in with Slack", OpenID Connect)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from ._issuer import IssuerPreset


def slack_profile(claims: dict[str, Any], tokens: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": claims.get("https://slack.com/user_id") or claims.get("sub"),
        "name": claims.get("name"),
        "email": claims.get("email"),
        "image": claims.get("picture"),
    }


class Slack(IssuerPreset):
    """Sign in with Slack."""

    default_id = "slack"
    default_name = "Slack"
    default_issuer = "https://slack.com"
    default_options: ClassVar[Mapping[str, Any]] = {
        "profile": slack_profile,
        "token_endpoint_auth_method": "client_secret_post",
    }
