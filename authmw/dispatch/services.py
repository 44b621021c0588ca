"""The services the auth endpoints use, handed over once by :class:`~authmw.Auth`.

The dispatcher and every :class:`~authmw.dispatch.context.RequestContext` read these values;
nothing calls back into ``Auth`` per request.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .._types import WSGIEnvironment

if TYPE_CHECKING:
    import logging

    from ..accounts.completion import SignInCompletion
    from ..accounts.linking import AccountLinking
    from ..callbacks import Callbacks, Events
    from ..options import Pages
    from ..pages.render import PageRenderer
    from ..providers.base import Provider
    from ..security.csrf import CsrfTokens
    from ..security.signing import SignedValues
    from ..session.scheme_keys import SchemeKeys
    from ..session.strategy import SessionStrategy


@dataclass(frozen=True)
class EndpointServices:
    """Settings and collaborators of the auth endpoints (``ctx.auth`` in a handler)."""

    base_path: str
    url: str | None
    pages: Pages
    providers: Mapping[str, Provider]
    csrf: CsrfTokens
    callback_url_signer: SignedValues
    callbacks: Callbacks
    events: Events
    renderer: PageRenderer
    strategy: SessionStrategy
    scheme_keys: Callable[[WSGIEnvironment], SchemeKeys]
    completion: SignInCompletion
    adapter: Any = None
    users: AccountLinking | None = None
    logger: logging.Logger | None = None

    def realm(self, environ: WSGIEnvironment) -> SchemeKeys:
        """Cookie names and keys for this request (``Auth.realm``'s answer)."""
        return self.scheme_keys(environ)
