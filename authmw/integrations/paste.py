"""PasteDeploy: the ``egg:authmw#auth`` filter, for adding authmw to an ``.ini`` pipeline.

::

    [pipeline:main]
    pipeline = auth myapp

    [filter:auth]
    use = egg:authmw#auth
    secret = <output of `authmw secret`>
    url = https://app.example
    providers = myapp.auth:providers
    callbacks.session = myapp.auth:session_callback
    rules = %(here)s/rules.toml

The keys are those of :mod:`authmw.settings` (no prefix); relative rule-file paths are read
from the ini file's folder. Errors in the settings stop the server at start-up.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from .._types import WSGIApplication
from ..settings import auth_from_settings


def filter_factory(
    global_conf: Mapping[str, Any], **local_conf: Any
) -> Callable[[WSGIApplication], WSGIApplication]:
    """Build the filter from the ``[filter:...]`` section.

    :param global_conf: PasteDeploy's defaults (``here`` is used for relative paths).
    :param local_conf: the section's settings.
    :raises ConfigurationError: for unknown or unreadable settings.
    """
    built = auth_from_settings(local_conf, here=global_conf.get("here"))

    def auth_filter(app: WSGIApplication) -> WSGIApplication:
        return built.auth.wrap(app, rules=built.rules, default=built.default)

    return auth_filter


__all__ = ["filter_factory"]
