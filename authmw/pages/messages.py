"""What the built-in pages say for each NextAuth error code.

The code in a query string is looked up here and only the catalogue's text is shown: an unknown
or hostile code gets the ``Default`` text, so nothing from the request is ever reflected. To
translate the pages, override the templates (see :class:`~authmw.pages.render.PageRenderer`).
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

_TRY_ANOTHER = "Try signing in with a different account."

#: Inline messages of the sign-in page (``/signin?error=CODE``), in NextAuth v4's wording.
SIGNIN_ERROR_MESSAGES: Mapping[str, str] = MappingProxyType(
    {
        "OAuthSignin": _TRY_ANOTHER,
        "OAuthCallback": _TRY_ANOTHER,
        "OAuthCreateAccount": _TRY_ANOTHER,
        "EmailCreateAccount": _TRY_ANOTHER,
        "Callback": _TRY_ANOTHER,
        "OAuthAccountNotLinked": (
            "To confirm your identity, sign in with the same account you used originally."
        ),
        "EmailSignin": "The e-mail could not be sent.",
        "CredentialsSignin": "Sign in failed. Check the details you provided are correct.",
        "SessionRequired": "Please sign in to access this page.",
        "TooManyRequests": "Too many attempts. Try again later.",
        "Default": "Unable to sign in.",
    }
)

#: Shown where a refused POST lands (``?csrf=true`` on the sign-in and sign-out pages): the
#: form's CSRF token no longer matched its cookie, most often because the page sat open too long.
CSRF_EXPIRED_MESSAGE = "That form expired — please try again."

#: ``(heading, text)`` of the error page (``/error?error=CODE``), in NextAuth v4's wording.
ERROR_PAGE_MESSAGES: Mapping[str, tuple[str, str]] = MappingProxyType(
    {
        "Configuration": (
            "Server error",
            "There is a problem with the server configuration. "
            "Check the server logs for more information.",
        ),
        "AccessDenied": ("Access denied", "You do not have permission to sign in."),
        "Verification": (
            "Unable to sign in",
            "The sign in link is no longer valid. "
            "It may have been used already or it may have expired.",
        ),
        "Default": ("Error", "Something went wrong. Please try again."),
    }
)

_ERROR_PAGE_STATUS: Mapping[str, int] = MappingProxyType(
    {"Configuration": 500, "AccessDenied": 403, "Verification": 403}
)


def signin_error_message(code: object) -> str:
    """The sign-in page message for *code*; anything unknown (any type) gets ``Default``."""
    if isinstance(code, str) and code in SIGNIN_ERROR_MESSAGES:
        return SIGNIN_ERROR_MESSAGES[code]
    return SIGNIN_ERROR_MESSAGES["Default"]


def too_many_requests_message(retry_after: object) -> str:
    """ "Too many attempts. Try again in N minutes." for *retry_after* seconds (a query value:
    digits only, at most a day), else the catalogue's text."""
    if not isinstance(retry_after, str) or not retry_after.isdigit() or len(retry_after) > 5:
        return SIGNIN_ERROR_MESSAGES["TooManyRequests"]
    seconds = int(retry_after)
    if not 0 < seconds <= 86_400:
        return SIGNIN_ERROR_MESSAGES["TooManyRequests"]
    minutes = -(-seconds // 60)
    return f"Too many attempts. Try again in {minutes} minute{'s' if minutes > 1 else ''}."


def error_page_status(code: str) -> int:
    """HTTP status of the error page, as NextAuth: 500 / 403 / 403, else 200."""
    return _ERROR_PAGE_STATUS.get(code, 200) if isinstance(code, str) else 200
