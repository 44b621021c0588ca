"""Exceptions: configuration problems raised at construction, and NextAuth error codes.

``ConfigurationError`` is raised while building :class:`authmw.Auth` (never per request).
``AuthError`` carries a NextAuth error code; the dispatcher turns it into a redirect to the
sign-in page (``page="signin"``) or the error page (``page="error"``), or a JSON error body.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from difflib import get_close_matches
from typing import Literal

#: Codes shown on the sign-in page (``/signin?error=CODE``).
SIGNIN_ERROR_CODES = frozenset(
    {
        "OAuthSignin",
        "OAuthCallback",
        "OAuthCreateAccount",
        "EmailCreateAccount",
        "Callback",
        "OAuthAccountNotLinked",
        "EmailSignin",
        "CredentialsSignin",
        "SessionRequired",
        "TooManyRequests",
        "Default",
    }
)
#: Codes shown on the error page (``/error?error=CODE``).
ERROR_PAGE_CODES = frozenset({"Configuration", "AccessDenied", "Verification", "Default"})

ErrorPage = Literal["signin", "error"]


class ConfigurationError(ValueError):
    """A missing or malformed option, found when the configuration is built."""


class AuthError(Exception):
    """A failed auth action with the NextAuth error code to show the user.

    :param code: one of :data:`SIGNIN_ERROR_CODES` or :data:`ERROR_PAGE_CODES`.
    :param page: where the browser is sent; defaults by code.
    :param status: HTTP status for JSON answers.
    :param detail: a message for the log only (never shown, never holds secrets).
    """

    def __init__(
        self,
        code: str,
        *,
        page: ErrorPage | None = None,
        status: int | None = None,
        detail: str = "",
    ) -> None:
        if code not in SIGNIN_ERROR_CODES and code not in ERROR_PAGE_CODES:
            code = "Default"
        self.code = code
        self.page: ErrorPage = page or ("error" if code in ERROR_PAGE_CODES else "signin")
        self.status = status or _DEFAULT_STATUS.get(code, 400)
        self.detail = detail
        super().__init__(f"{code}: {detail}" if detail else code)


class IdentityChangedError(AuthError):
    """Refreshed tokens name another user than the session's: they must not be used (P-C8)."""

    def __init__(self, detail: str = "refreshed id_token has another sub") -> None:
        super().__init__("OAuthCallback", detail=detail)


class RateLimitedError(AuthError):
    """A sign-in attempt refused by a rate limit (``TooManyRequests``, 429).

    :param retry_after: whole seconds until the limit's window ends (``Retry-After``).
    """

    def __init__(self, retry_after: int, *, detail: str = "rate limited") -> None:
        super().__init__("TooManyRequests", status=429, detail=detail)
        self.retry_after = max(1, int(retry_after))


_DEFAULT_STATUS = {
    "Configuration": 500,
    "AccessDenied": 403,
    "Verification": 403,
    "CredentialsSignin": 401,
    "SessionRequired": 401,
}


def missing_extra(error: ModuleNotFoundError, extra: str) -> ModuleNotFoundError:
    """*error* again, naming the extra that installs the missing package."""
    return ModuleNotFoundError(
        f"{error.name} is not installed: pip install 'authmw[{extra}]'", name=error.name
    )


def unknown_names_message(where: str, unknown: Iterable[str], known: Iterable[str]) -> str:
    """ "*where*: unknown option(s) ...", with a "did you mean" for each near miss.

    NextAuth's camelCase spellings map to ours (``maxAge`` -> ``max_age``), and close
    misspellings to the nearest known name.
    """
    known = sorted(known)
    hints = []
    for name in sorted(unknown):
        snake = re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", name).lower()
        guess = snake if snake in known else next(iter(get_close_matches(snake, known, 1)), None)
        hints.append(f"{name!r} (did you mean {guess!r}?)" if guess else repr(name))
    return f"{where}: unknown option(s) {', '.join(hints)}; known: {', '.join(known)}"
