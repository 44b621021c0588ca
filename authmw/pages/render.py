"""Render the built-in pages (sign in, sign out, error, verify request, confirm, forbidden).

Templates are Jinja2 with autoescaping on, loaded once when the renderer is built. Your own
template folders are searched first, so a file named like a built-in page (``signin.html``,
``signout.html``, ``error.html``, ``verify_request.html``, ``confirm_sign_in.html``,
``forbidden.html``, or the shared ``base.html`` layout) replaces it; the originals stay
reachable as ``authmw/<name>`` so a custom page can ``{% extends "authmw/signin.html" %}`` and
override single blocks.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import urlsplit

from ..errors import ConfigurationError
from .compiled import PAGES as PAGES
from .compiled import compile_pages_of, compiled_builtin_pages
from .messages import (
    CSRF_EXPIRED_MESSAGE,
    ERROR_PAGE_MESSAGES,
    signin_error_message,
    too_many_requests_message,
)

__all__ = ["PAGES", "PageRenderer", "Theme"]

_HEX = r"#(?:[0-9a-fA-F]{3,4}|[0-9a-fA-F]{6}|[0-9a-fA-F]{8})"
# Only digits and separators inside the parentheses: nothing can close the declaration.
_FUNCTION = r"(?:rgba?|hsla?)\([0-9.%, /]{1,60}\)"
_NAMED = r"[a-zA-Z]{3,30}"
_COLOR = re.compile(rf"{_HEX}|{_FUNCTION}|{_NAMED}")
_UNSAFE_URL_CHARS = re.compile(r"[\x00-\x20\x7f\\\"'<>`]")
_ID_CHARS = re.compile(r"[^A-Za-z0-9_-]+")
_FIELD_TYPES = frozenset({"text", "email", "password", "number", "tel", "url"})
_OAUTH_TYPES = frozenset({"oauth", "oidc"})
_FORM_TYPES = frozenset({"email", "credentials"})
_EMAIL_FIELD = {
    "name": "email",
    "label": "Email",
    "type": "email",
    "placeholder": "email@example.com",
}


def is_css_color(value: object) -> bool:
    """``#rgb``/``#rrggbb`` (and alpha forms), ``rgb()``/``rgba()``/``hsl()``, or a name."""
    return isinstance(value, str) and _COLOR.fullmatch(value) is not None


def is_image_url(value: object) -> bool:
    """An absolute http(s) URL or a relative URL (no other scheme, no ``//host``)."""
    if not isinstance(value, str) or not value or len(value) > 2048:
        return False
    if _UNSAFE_URL_CHARS.search(value) or value.startswith("//"):
        return False
    try:
        parts = urlsplit(value)
    except ValueError:
        return False
    if parts.scheme in ("http", "https"):
        return bool(parts.netloc)
    return not parts.scheme and not parts.netloc


@dataclass(frozen=True)
class Theme:
    """Look of the built-in pages (NextAuth's ``theme`` option).

    :param color_scheme: ``"auto"`` follows the browser's ``prefers-color-scheme``.
    :param brand_color: CSS colour of primary buttons and focus rings.
    :param logo: image URL (http(s) or relative) shown above the card.
    :param button_text: CSS colour of the text on primary buttons.
    :raises ValueError: (a :class:`~authmw.errors.ConfigurationError`) on an invalid value.
    """

    color_scheme: Literal["auto", "light", "dark"] = "auto"
    brand_color: str | None = None
    logo: str | None = None
    button_text: str | None = None

    def __post_init__(self) -> None:
        if self.color_scheme not in ("auto", "light", "dark"):
            raise ConfigurationError("theme.color_scheme must be 'auto', 'light' or 'dark'")
        for name in ("brand_color", "button_text"):
            value = getattr(self, name)
            if value is not None and not is_css_color(value):
                raise ConfigurationError(f"theme.{name} must be a CSS colour (#rgb, rgb(), name)")
        if self.logo is not None and not is_image_url(self.logo):
            raise ConfigurationError("theme.logo must be an http(s) or relative URL")


class PageRenderer:
    """Renders each built-in page to an HTML string; the caller sets status and headers.

    :param theme: colours and logo; defaults to :class:`Theme()`.
    :param template_dirs: folders searched before the built-in templates.
    :raises ConfigurationError: if a template folder does not exist.
    """

    def __init__(
        self,
        theme: Theme | None = None,
        *,
        template_dirs: Sequence[str | os.PathLike[str]] = (),
    ) -> None:
        self.theme = theme or Theme()
        dirs = tuple(os.fspath(d) for d in template_dirs)
        for folder in dirs:
            if not os.path.isdir(folder):
                raise ConfigurationError(f"template folder {folder!r} does not exist")
        # Built-in templates never change while the process runs: compile them once per theme
        # (about 60 ms), however many Auth objects are built. Overrides are read each time.
        compile_pages = compiled_builtin_pages if not dirs else compile_pages_of
        self._templates = compile_pages(self.theme, dirs)

    def sign_in(
        self,
        *,
        providers: Sequence[Mapping[str, Any]],
        csrf_token: str,
        callback_url: str,
        error: str | None = None,
        email: str | None = None,
        csrf_expired: bool = False,
        retry_after: str | None = None,
    ) -> str:
        """The sign-in page: one form per provider; *error* is shown only as its message.

        :param csrf_expired: a POST was refused for its CSRF token (``?csrf=true``): say so.
        :param retry_after: seconds (the ``retryAfter`` query) for ``TooManyRequests``.
        """
        if csrf_expired:
            message: str | None = CSRF_EXPIRED_MESSAGE
        elif error == "TooManyRequests":
            message = too_many_requests_message(retry_after)
        else:
            message = signin_error_message(error) if error else None
        return self._templates["signin"].render(
            providers=_page_providers(providers),
            csrf_token=csrf_token,
            callback_url=callback_url,
            error_message=message,
            email=email if isinstance(email, str) else "",
        )

    def sign_out(
        self, *, csrf_token: str, callback_url: str, action_url: str, csrf_expired: bool = False
    ) -> str:
        """The "are you sure?" page with a POST form to *action_url*.

        :param csrf_expired: the last sign-out POST was refused (``?csrf=true``): say so.
        """
        return self._templates["signout"].render(
            csrf_token=csrf_token,
            callback_url=callback_url,
            action_url=action_url,
            error_message=CSRF_EXPIRED_MESSAGE if csrf_expired else None,
        )

    def error(self, *, code: str, sign_in_url: str, home_url: str) -> str:
        """The error page for a NextAuth error-page *code* (unknown codes read as ``Default``)."""
        known = code if isinstance(code, str) and code in ERROR_PAGE_MESSAGES else "Default"
        heading, text = ERROR_PAGE_MESSAGES[known]
        return self._templates["error"].render(
            code=known,
            heading=heading,
            text=text,
            show_sign_in=known != "Configuration",
            sign_in_url=sign_in_url,
            home_url=home_url,
        )

    def verify_request(self, *, host: str, home_url: str) -> str:
        """The "check your email" page shown after a magic link was sent."""
        return self._templates["verify_request"].render(host=host, home_url=home_url)

    def confirm_sign_in(
        self, *, address: str, action_url: str, csrf_token: str, fields: Mapping[str, str]
    ) -> str:
        """The "sign in as *address*?" page of a magic link opened in another browser: one
        button that POSTs *fields* and the CSRF token to *action_url*."""
        return self._templates["confirm_sign_in"].render(
            address=address, action_url=action_url, csrf_token=csrf_token, fields=dict(fields)
        )

    def forbidden(
        self, *, home_url: str, sign_in_url: str | None = None, user: str | None = None
    ) -> str:
        """The 403 page for a signed-in user whom a rule does not let in.

        :param home_url: the "back to home page" link.
        :param sign_in_url: the sign-in page (with a ``callbackUrl`` back here), offered to
            sign in as someone else; no such link when ``None``.
        :param user: who is signed in (name or email), shown so the refusal makes sense.
        """
        return self._templates["forbidden"].render(
            home_url=home_url,
            sign_in_url=sign_in_url,
            user=user if isinstance(user, str) and user else None,
        )


def _page_providers(providers: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Plain, validated values for the template, with a ``kind`` and separator flags."""
    shown: list[dict[str, Any]] = []
    used_ids: set[str] = set()
    for provider in providers:
        ptype = provider.get("type")
        kind = "oauth" if ptype in _OAUTH_TYPES else ptype if ptype in _FORM_TYPES else None
        if kind is None:
            continue  # a type this page has no form for
        pid = str(provider.get("id", ""))
        style = provider.get("style")
        style = style if isinstance(style, Mapping) else {}
        item: dict[str, Any] = {
            "id": pid,
            "name": str(provider.get("name", pid)),
            "kind": kind,
            "signin_url": str(provider.get("signinUrl", "")),
            "callback_url": str(provider.get("callbackUrl", "")),
            "logo": style.get("logo") if is_image_url(style.get("logo")) else None,
            "bg": style.get("bg") if is_css_color(style.get("bg")) else None,
            "text": style.get("text") if is_css_color(style.get("text")) else None,
        }
        if kind == "email":
            specs: Sequence[Any] = [_EMAIL_FIELD]
        else:
            specs = provider.get("fields") or () if kind == "credentials" else ()
        item["fields"] = [_field(f, pid, used_ids) for f in specs if isinstance(f, Mapping)]
        previous = shown[-1]["kind"] if shown else None
        # NextAuth stacks OAuth buttons and puts an "or" rule around each form.
        item["separator"] = previous is not None and (previous != "oauth" or kind != "oauth")
        shown.append(item)
    return shown


def _field(spec: Mapping[str, Any], provider_id: str, used_ids: set[str]) -> dict[str, str]:
    name = str(spec.get("name", ""))
    ftype = spec.get("type") if spec.get("type") in _FIELD_TYPES else "text"
    autocomplete = spec.get("autocomplete")
    if not isinstance(autocomplete, str) or not autocomplete:
        autocomplete = {"email": "email", "password": "current-password"}.get(str(ftype), "")
        autocomplete = autocomplete or ("username" if name == "username" else "")
    base = "input-" + _ID_CHARS.sub("-", f"{provider_id}-{name}").strip("-")
    html_id, n = base, 1
    while html_id in used_ids:
        n += 1
        html_id = f"{base}-{n}"
    used_ids.add(html_id)
    return {
        "id": html_id,
        "name": name,
        "label": str(spec.get("label") or name.replace("_", " ").capitalize()),
        "type": str(ftype),
        "placeholder": str(spec.get("placeholder") or ""),
        "autocomplete": autocomplete,
    }
