"""Built-in HTML pages (sign in, sign out, error, verify request, forbidden) and their texts."""

from __future__ import annotations

from .messages import ERROR_PAGE_MESSAGES as ERROR_PAGE_MESSAGES
from .messages import SIGNIN_ERROR_MESSAGES as SIGNIN_ERROR_MESSAGES
from .messages import error_page_status as error_page_status
from .messages import signin_error_message as signin_error_message
from .render import PageRenderer as PageRenderer
from .render import Theme as Theme

__all__ = [
    "ERROR_PAGE_MESSAGES",
    "SIGNIN_ERROR_MESSAGES",
    "PageRenderer",
    "Theme",
    "error_page_status",
    "signin_error_message",
]
