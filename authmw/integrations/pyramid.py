"""Pyramid: ``config.include("authmw.pyramid")`` and the app is protected.

The include reads ``authmw.*`` settings (see :mod:`authmw.settings`; rules as JSON or a file)::

    [app:main]
    use = egg:myapp
    authmw.secret = <output of `authmw secret`>
    authmw.url = https://app.example
    authmw.providers = myapp.auth:providers
    authmw.callbacks.session = myapp.auth:session_callback
    authmw.rules = %(here)s/rules.toml
    authmw.api_prefixes = /api/

and then:

- **wraps the app.** The stack (session -> auth endpoints -> rules) is installed as Pyramid's
  *execution policy* (``config.set_execution_policy``), Pyramid's documented hook around the
  whole request. ``config.make_wsgi_app()`` therefore returns a protected app with nothing else to
  call, and ``pserve``/``pshell``/``get_app`` see the same. Pyramid keeps one execution policy; if
  you need another (``pyramid_retry``), set ``authmw.wrap = false`` and wrap the router yourself
  with :func:`wrap` instead.
- adds ``request.auth_session`` (the session or ``None``, reified) and ``request.auth_token``.
- sets a Pyramid 2 security policy (:class:`AuthSecurityPolicy`) built on the session:
  ``request.identity`` is the session user, ``request.authenticated_userid`` its id (or the
  token's ``sub``), and ``permits`` runs Pyramid's ``ACLHelper`` with the principals
  ``system.Everyone``, ``system.Authenticated``, ``user:<id>``, ``role:<role>`` per role and
  ``group:<name>`` per entry of the user's ``groups``, so
  ``@view_config(permission="admin")`` works with ``(Allow, "role:admin", "admin")`` in an ACL.
  Turn it off with ``authmw.security_policy = false``.
- adds a forbidden view: anonymous users are redirected to sign-in with ``callbackUrl`` (JSON 401
  under ``authmw.api_prefixes`` or for JSON clients), signed-in users get 403.
  Turn it off with ``authmw.forbidden_view = false``.

Configure in code instead of settings with the ``config.set_auth(auth, rules=...)`` directive.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal

from pyramid.authorization import ACLHelper, Authenticated, Everyone
from pyramid.config import Configurator
from pyramid.response import Response
from pyramid.router import default_execution_policy

from ..errors import ConfigurationError
from ..session.middleware import SESSION_KEY, TOKEN_KEY
from ..settings import asbool, aslist, auth_from_settings
from ._access import deny, groups_of, is_signed_in, roles_of, user_id, wants_json

if TYPE_CHECKING:
    from pyramid.request import Request

    from .._types import StartResponse, WSGIApplication, WSGIEnvironment
    from ..config import Auth
    from ..rules.model import Rule

PREFIX = "authmw."
REGISTRY_KEY = "authmw"
ROUTER_KEY = "authmw.pyramid.router"
#: Settings read by this module only (the rest configure :class:`~authmw.Auth`).
OWN_SETTINGS = ("wrap", "security_policy", "forbidden_view", "api_prefixes")


def auth_session(request: Request) -> Any:
    """``request.auth_session``: the session or ``None``."""
    return request.environ.get(SESSION_KEY)


def auth_token(request: Request) -> Any:
    """``request.auth_token``: the decoded session token (jwt strategy) or ``None``."""
    return request.environ.get(TOKEN_KEY)


def principals_for(session: Any, token: Any = None) -> list[str]:
    """``system.Everyone``; for a session also ``system.Authenticated``, ``user:<id>``,
    ``role:<role>`` per role (``user.role``/``user.roles``) and ``group:<name>`` per group."""
    principals = [Everyone]
    if is_signed_in(session):
        principals.append(Authenticated)
        uid = user_id(session, token)
        if uid is not None:
            principals.append(f"user:{uid}")
        principals.extend(f"role:{role}" for role in sorted(roles_of(session)))
        principals.extend(f"group:{group}" for group in sorted(groups_of(session)))
    return principals


class AuthSecurityPolicy:
    """A Pyramid 2 security policy reading the authmw session.

    ``remember`` and ``forget`` return no headers: signing in and out happens at the auth
    endpoints (``/api/auth/callback/...``, ``POST /api/auth/signout``).
    """

    def __init__(self) -> None:
        self.helper = ACLHelper()

    def identity(self, request: Request) -> dict[str, Any] | None:
        session = request.environ.get(SESSION_KEY)
        return dict(session["user"]) if is_signed_in(session) else None

    def authenticated_userid(self, request: Request) -> str | None:
        session = request.environ.get(SESSION_KEY)
        token = request.environ.get(TOKEN_KEY)
        return user_id(session, token) if is_signed_in(session) else None

    def permits(self, request: Request, context: Any, permission: str) -> Any:
        environ = request.environ
        principals = principals_for(environ.get(SESSION_KEY), environ.get(TOKEN_KEY))
        return self.helper.permits(context, principals, permission)

    def remember(self, request: Request, userid: Any, **kw: Any) -> list[tuple[str, str]]:
        return []

    def forget(self, request: Request, **kw: Any) -> list[tuple[str, str]]:
        return []


class ForbiddenView:
    """Sign-in redirect (or 401 JSON) for anonymous users, 403 for signed-in ones."""

    def __init__(self, api_prefixes: Sequence[str] = ()) -> None:
        self.api_prefixes = tuple(api_prefixes)

    def __call__(self, exc: Any, request: Request) -> Response:
        environ = request.environ
        path = environ.get("PATH_INFO", "")
        api = wants_json(environ) or any(path.startswith(p) for p in self.api_prefixes)
        denial = deny(environ, signed_in=is_signed_in(environ.get(SESSION_KEY)), api=api)
        return Response(body=denial.body, status=denial.status_line, headerlist=denial.headers)


def _router_app(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
    """The innermost app of the stack: Pyramid's own request handling."""
    router = environ.pop(ROUTER_KEY)
    response = default_execution_policy(environ, router)
    return response(environ, start_response)  # type: ignore[no-any-return]


class AuthExecutionPolicy:
    """Runs every request through the authmw stack, with Pyramid at its centre."""

    def __init__(
        self,
        auth: Auth,
        rules: Iterable[Rule | Mapping[str, Any]] = (),
        default: Literal["public", "signed_in"] = "public",
    ) -> None:
        self.stack = auth.wrap(_router_app, rules=rules, default=default)

    def __call__(self, environ: WSGIEnvironment, router: Any) -> WSGIApplication:
        environ[ROUTER_KEY] = router
        return self.stack


def set_auth(
    config: Configurator,
    auth: Auth,
    rules: Iterable[Rule | Mapping[str, Any]] = (),
    default: Literal["public", "signed_in"] = "public",
    *,
    wrap: bool = True,
) -> None:
    """The ``config.set_auth(auth, rules=..., default=..., wrap=True)`` directive.

    :param wrap: install the stack as the execution policy; ``False`` when you call
        :func:`wrap` on the router yourself.
    """
    rules = list(rules)
    config.registry[REGISTRY_KEY] = {"auth": auth, "rules": rules, "default": default}
    config.registry[REGISTRY_KEY + ".wrapped"] = wrap
    if wrap:
        config.set_execution_policy(AuthExecutionPolicy(auth, rules, default))


def wrap(
    app: Any,
    auth: Auth | None = None,
    rules: Iterable[Rule | Mapping[str, Any]] | None = None,
    default: Literal["public", "signed_in"] | None = None,
) -> WSGIApplication:
    """Wrap a Pyramid router (or a configurator's app) in the stack, for ``authmw.wrap = false``.

    Missing arguments come from what ``includeme``/``set_auth`` registered.

    :raises ConfigurationError: when no :class:`~authmw.Auth` is known, or the app is already
        wrapped by the execution policy.
    """
    if isinstance(app, Configurator):
        app = app.make_wsgi_app()
    registry = getattr(app, "registry", None)
    found: dict[str, Any] = registry.get(REGISTRY_KEY, {}) if registry is not None else {}
    if registry is not None and registry.get(REGISTRY_KEY + ".wrapped"):
        raise ConfigurationError("already wrapped by includeme: set authmw.wrap = false")
    auth = auth or found.get("auth")
    if auth is None:
        raise ConfigurationError("no Auth: pass auth=... or set authmw.* settings")
    rules = found.get("rules", ()) if rules is None else rules
    default = default or found.get("default", "public")
    return auth.wrap(app, rules=rules, default=default)


def includeme(config: Configurator) -> None:
    """Set up authmw from the ``authmw.*`` settings; see the module docstring."""
    settings: Mapping[str, Any] = config.get_settings() or {}
    own = {name: settings.get(PREFIX + name) for name in OWN_SETTINGS}
    config.add_directive("set_auth", set_auth)
    config.add_request_method(auth_session, "auth_session", reify=True)
    config.add_request_method(auth_token, "auth_token", reify=True)
    if asbool(own["security_policy"] if own["security_policy"] is not None else True):
        config.set_security_policy(AuthSecurityPolicy())
    if asbool(own["forbidden_view"] if own["forbidden_view"] is not None else True):
        config.add_forbidden_view(ForbiddenView(aslist(own["api_prefixes"])))
    auth_settings = {
        key: value
        for key, value in settings.items()
        if key.startswith(PREFIX) and key[len(PREFIX) :] not in OWN_SETTINGS
    }
    if auth_settings:
        built = auth_from_settings(auth_settings, prefix=PREFIX, here=settings.get("here"))
        do_wrap = asbool(own["wrap"] if own["wrap"] is not None else True)
        set_auth(config, built.auth, built.rules, built.default, wrap=do_wrap)
    registry = config.registry

    def check_configured() -> None:
        if REGISTRY_KEY not in registry:
            raise ConfigurationError(
                "authmw.pyramid is included but not configured: set authmw.* settings "
                "or call config.set_auth(auth)"
            )

    config.action(None, check_configured)


__all__ = [
    "AuthExecutionPolicy",
    "AuthSecurityPolicy",
    "ForbiddenView",
    "includeme",
    "principals_for",
    "set_auth",
    "wrap",
]
