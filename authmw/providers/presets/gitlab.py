"""GitLab (OpenID Connect), gitlab.com or a self-hosted instance."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from ._issuer import IssuerPreset


def gitlab_profile(claims: dict[str, Any], tokens: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": claims.get("sub"),
        "name": claims.get("name") or claims.get("nickname"),
        "email": claims.get("email"),
        "image": claims.get("picture"),
    }


class GitLab(IssuerPreset):
    """Sign in with GitLab; pass ``issuer="https://gitlab.example"`` for self-hosted."""

    default_id = "gitlab"
    default_name = "GitLab"
    default_issuer = "https://gitlab.com"
    default_options: ClassVar[Mapping[str, Any]] = {"profile": gitlab_profile}
