"""Endpoint handlers, one class per NextAuth action, registered in one table."""

from __future__ import annotations

from .backchannel_logout import BackchannelLogoutHandler
from .base import Handler
from .callback import CallbackHandler
from .csrf import CsrfHandler
from .error import ErrorHandler
from .providers import ProvidersHandler
from .session import SessionHandler
from .signin import SignInHandler
from .signout import SignOutHandler
from .signout_callback import SignOutCallbackHandler
from .verify_request import VerifyRequestHandler


def default_handlers() -> dict[str, Handler]:
    """A fresh copy of the table ``action -> handler``; extend it through ``Auth(handlers=)``."""
    return {
        "providers": ProvidersHandler(),
        "csrf": CsrfHandler(),
        "session": SessionHandler(),
        "signin": SignInHandler(),
        "callback": CallbackHandler(),
        "signout": SignOutHandler(),
        "signout-callback": SignOutCallbackHandler(),
        "error": ErrorHandler(),
        "verify-request": VerifyRequestHandler(),
        "backchannel-logout": BackchannelLogoutHandler(),
    }


__all__ = [
    "BackchannelLogoutHandler",
    "CallbackHandler",
    "CsrfHandler",
    "ErrorHandler",
    "Handler",
    "ProvidersHandler",
    "SessionHandler",
    "SignInHandler",
    "SignOutCallbackHandler",
    "SignOutHandler",
    "VerifyRequestHandler",
    "default_handlers",
]
