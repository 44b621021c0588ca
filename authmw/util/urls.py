"""URL building shared by every layer: query appending, the base URL, the sign-in URL.

Pure functions of values, so the auth endpoints, the rules and the framework decorators build
the same URLs for the same request.
"""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import urlencode

from .._types import WSGIEnvironment

__all__ = ["append_query", "base_url", "mounted", "sign_in_path", "sign_in_redirect"]


def append_query(url: str, params: Mapping[str, str | None], *, keep_empty: bool = False) -> str:
    """*url* with *params* added to any query it has (``None`` values left out, and empty
    ones too unless *keep_empty*).

    The existing query is kept byte for byte; a fragment stays at the end.
    """
    kept = {k: v for k, v in params.items() if v is not None and (keep_empty or v != "")}
    if not kept:
        return url
    url, hash_mark, fragment = url.partition("#")
    separator = "&" if "?" in url else "?"
    if url.endswith(("?", "&")):
        separator = ""
    return f"{url}{separator}{urlencode(kept)}{hash_mark}{fragment}"


def base_url(configured: str | None, environ: WSGIEnvironment) -> str:
    """The app's public base URL (``scheme://host[/mount]``): *configured*, or from the request.

    Only called without a configured URL when ``trust_host`` is on.
    """
    if configured is not None:
        return configured
    scheme = environ.get("wsgi.url_scheme", "http")
    host = environ.get("HTTP_HOST") or environ.get("SERVER_NAME", "localhost")
    return f"{scheme}://{host}{environ.get('SCRIPT_NAME', '')}".rstrip("/")


def sign_in_path(custom_page: str | None, base_path: str) -> str:
    """The sign-in page: ``pages.sign_in`` when set, else ``{base_path}/signin``."""
    return custom_page or f"{base_path}/signin"


def mounted(target: str, environ: WSGIEnvironment) -> str:
    """A relative *target* under the app's mount point (``SCRIPT_NAME``); absolute unchanged."""
    if target.startswith("/"):
        return str(environ.get("SCRIPT_NAME", "")).rstrip("/") + target
    return target


def sign_in_redirect(target: str, environ: WSGIEnvironment, callback_url: str) -> str:
    """Where an anonymous browser goes: *target* under the mount point, with ``callbackUrl``."""
    return append_query(mounted(target, environ), {"callbackUrl": callback_url})
