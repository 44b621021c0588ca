"""Ready-made providers, and :func:`from_environment` to enable them from variables.

Each preset takes ``client_id`` / ``client_secret`` (and ``issuer`` where the provider is
yours to host) plus any :class:`~authmw.providers.oauth2.OAuth2Provider` option, so endpoints
can be overridden (e.g. to point a preset at a test server).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from ..base import Provider
from .apple import Apple
from .auth0 import Auth0
from .cognito import Cognito
from .discord import Discord
from .facebook import Facebook
from .github import GitHub
from .gitlab import GitLab
from .google import Google
from .keycloak import Keycloak
from .linkedin import LinkedIn
from .microsoft_entra_id import MicrosoftEntraID
from .oidc import OIDC
from .okta import Okta
from .slack import Slack
from .twitter import Twitter, TwitterLegacy

#: preset id -> (class, whether an issuer is required)
PRESETS: dict[str, tuple[type[Provider], bool]] = {
    "apple": (Apple, False),
    "auth0": (Auth0, True),
    "cognito": (Cognito, True),
    "discord": (Discord, False),
    "facebook": (Facebook, False),
    "github": (GitHub, False),
    "gitlab": (GitLab, False),
    "google": (Google, False),
    "keycloak": (Keycloak, True),
    "linkedin": (LinkedIn, False),
    "microsoft-entra-id": (MicrosoftEntraID, True),
    "oidc": (OIDC, True),
    "okta": (Okta, True),
    "slack": (Slack, False),
    "twitter": (Twitter, False),
    "twitter-legacy": (TwitterLegacy, False),
}


def env_prefix(preset_id: str) -> str:
    """``AUTHMW_<ID>_`` for a preset id (dashes become underscores)."""
    return "AUTHMW_" + preset_id.upper().replace("-", "_") + "_"


def from_environment(
    environ: Mapping[str, str] | None = None, **options: Mapping[str, Any]
) -> list[Provider]:
    """The presets whose ``AUTHMW_<ID>_ID`` and ``AUTHMW_<ID>_SECRET`` are set.

    ``AUTHMW_<ID>_ISSUER`` sets the issuer (required for Auth0, Cognito, Keycloak, Okta,
    Microsoft Entra ID and the generic ``oidc``; optional for GitLab). Extra keyword arguments
    are per-preset options, e.g. ``from_environment(github={"refresh": True})``.

    :raises ConfigurationError: a preset with id and secret but a bad or missing issuer.
    """
    env = os.environ if environ is None else environ
    providers: list[Provider] = []
    for preset_id, (cls, needs_issuer) in PRESETS.items():
        prefix = env_prefix(preset_id)
        client_id = env.get(prefix + "ID", "").strip()
        client_secret = env.get(prefix + "SECRET", "").strip()
        if not client_id or not client_secret:
            continue
        kwargs: dict[str, Any] = {"client_id": client_id, "client_secret": client_secret}
        issuer = env.get(prefix + "ISSUER", "").strip()
        if issuer:
            kwargs["issuer"] = issuer
        elif needs_issuer:
            from ...errors import ConfigurationError

            raise ConfigurationError(f"{prefix}ISSUER is required with {prefix}ID")
        kwargs.update(options.get(preset_id.replace("-", "_"), {}))
        providers.append(cls(**kwargs))
    return providers


__all__ = [
    "OIDC",
    "PRESETS",
    "Apple",
    "Auth0",
    "Cognito",
    "Discord",
    "Facebook",
    "GitHub",
    "GitLab",
    "Google",
    "Keycloak",
    "LinkedIn",
    "MicrosoftEntraID",
    "Okta",
    "Slack",
    "Twitter",
    "TwitterLegacy",
    "env_prefix",
    "from_environment",
]
