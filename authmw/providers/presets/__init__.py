"""Ready-made providers, and :func:`from_environment` to enable them from variables.

Each preset takes ``client_id`` / ``client_secret`` (and ``issuer`` where the provider is
yours to host) plus any :class:`~authmw.providers.oauth2.OAuth2Provider` option, so endpoints
can be overridden (e.g. to point a preset at a test server).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from ...env import first_set, preset_variables
from ...errors import ConfigurationError
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

log = logging.getLogger("authmw.providers")

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
    return preset_variables(preset_id, "")[0]


def from_environment(
    environ: Mapping[str, str] | None = None, **options: Mapping[str, Any]
) -> list[Provider]:
    """The presets whose ``AUTHMW_<ID>_ID`` and ``AUTHMW_<ID>_SECRET`` are set.

    Auth.js v5's names (``AUTH_<ID>_ID``, ``AUTH_<ID>_SECRET``, ``AUTH_<ID>_ISSUER``) are read
    when ours are not set. ``..._ISSUER`` sets the issuer (required for Auth0, Cognito,
    Keycloak, Okta, Microsoft Entra ID and the generic ``oidc``; optional for GitLab).
    ``AUTHMW_<ID>_ALLOW_LOOPBACK_HTTP=1`` sets ``allow_loopback_http=True`` (a local
    development identity provider on plain http, P-F2). A preset
    with only one of id and secret is left off with a warning naming the missing variable.
    Extra keyword arguments are per-preset options, e.g.
    ``from_environment(github={"refresh": True})``.

    :raises ConfigurationError: a preset with id and secret but a bad or missing issuer.
    """
    providers: list[Provider] = []
    for preset_id, (cls, needs_issuer) in PRESETS.items():
        client_id = first_set(preset_variables(preset_id, "ID"), environ)
        client_secret = first_set(preset_variables(preset_id, "SECRET"), environ)
        if client_id is None and client_secret is None:
            continue
        if client_id is None or client_secret is None:
            missing = preset_variables(preset_id, "SECRET" if client_secret is None else "ID")[0]
            log.warning("%s is not set: the %s provider is off", missing, preset_id)
            continue
        kwargs: dict[str, Any] = {"client_id": client_id[1], "client_secret": client_secret[1]}
        issuer = first_set(preset_variables(preset_id, "ISSUER"), environ)
        if issuer:
            kwargs["issuer"] = issuer[1]
        elif needs_issuer:
            name = preset_variables(preset_id, "ISSUER")[0]
            raise ConfigurationError(f"{name} is required with {client_id[0]}")
        if _truthy(first_set(preset_variables(preset_id, "ALLOW_LOOPBACK_HTTP"), environ)):
            kwargs["allow_loopback_http"] = True
        kwargs.update(options.get(preset_id.replace("-", "_"), {}))
        providers.append(cls(**kwargs))
    return providers


def _truthy(found: tuple[str, str] | None) -> bool:
    return found is not None and found[1].strip().lower() in ("1", "true", "yes", "on")


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
