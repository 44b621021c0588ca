"""Pyramid: ``config.include("authmw.pyramid")`` reads the ``authmw.*`` settings.

``main`` is a PasteDeploy app factory (see ``development.ini``: ``pserve development.ini``);
``create_app`` passes the same settings in code, as the ini file would.
"""

from __future__ import annotations

from typing import Any

from pyramid.config import Configurator

from ..common import secret_from_env

#: What development.ini sets, minus the secret and the URL.
SETTINGS = {
    "authmw.providers": "examples.common:credentials_provider",
    "authmw.callbacks.jwt": "examples.common:jwt_callback",
    "authmw.callbacks.session": "examples.common:session_callback",
    "authmw.api_prefixes": "/api/",
}


def main(global_config: dict[str, Any] | None = None, **settings: Any):  # type: ignore[no-untyped-def]
    """The Pyramid app; authmw wraps it through its execution policy."""
    with Configurator(settings=settings, root_factory=".views.Root") as config:
        config.include("authmw.pyramid")
        config.add_route("home", "/")
        config.add_route("dashboard", "/dashboard")
        config.add_route("admin", "/admin")
        config.add_route("me", "/api/me")
        config.scan(".views")
    return config.make_wsgi_app()


def create_app(*, secret: str | None = None, url: str = "http://127.0.0.1:8000", **options: Any):  # type: ignore[no-untyped-def]
    """The example app with the settings above (``options`` are extra ``authmw.*`` settings)."""
    settings = {
        **SETTINGS,
        "authmw.secret": secret or secret_from_env(),
        "authmw.url": url,
        **{f"authmw.{key}": value for key, value in options.items()},
    }
    return main({}, **settings)
