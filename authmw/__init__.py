"""authmw: NextAuth.js for any Python WSGI application.

Wrap your app::

    from authmw import Auth, CredentialsProvider

    auth = Auth(secret=..., url="https://app.example", providers=[...])
    app = auth.wrap(app, rules=[{"path": "/dashboard/**", "signed_in": True}])

and read ``environ['auth.session']`` in any handler.
"""

from __future__ import annotations

from .callbacks import Callbacks as Callbacks
from .callbacks import Events as Events
from .config import Auth as Auth
from .dispatch.router import AuthDispatcher as AuthDispatcher
from .errors import AuthError as AuthError
from .errors import ConfigurationError as ConfigurationError
from .handlers.base import Handler as Handler
from .options import Pages as Pages
from .options import SessionOptions as SessionOptions
from .pages.render import Theme as Theme
from .providers.base import Provider as Provider
from .providers.base import SignInResult as SignInResult
from .providers.credentials import CredentialsProvider as CredentialsProvider
from .rules.middleware import RulesMiddleware as RulesMiddleware
from .rules.model import Rule as Rule
from .rules.model import rule as rule
from .session.current import get_session as get_session
from .session.current import get_token as get_token
from .session.middleware import SessionMiddleware as SessionMiddleware
from .session.model import Session as Session
from .stack import rules_middleware as rules_middleware
from .throttle import RateLimits as RateLimits

__version__ = "0.1.0"

__all__ = [
    "Auth",
    "AuthDispatcher",
    "AuthError",
    "Callbacks",
    "ConfigurationError",
    "CredentialsProvider",
    "Events",
    "Handler",
    "Pages",
    "Provider",
    "RateLimits",
    "Rule",
    "RulesMiddleware",
    "Session",
    "SessionMiddleware",
    "SessionOptions",
    "SignInResult",
    "Theme",
    "get_session",
    "get_token",
    "rule",
    "rules_middleware",
]
