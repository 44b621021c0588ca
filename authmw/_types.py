"""Type aliases shared across the package (WSGI types and NextAuth JSON shapes)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, TypeAlias

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment
else:  # pragma: no cover - runtime placeholders for the typeshed-only names
    StartResponse = Callable[..., Any]
    WSGIEnvironment = dict
    WSGIApplication = Callable[[WSGIEnvironment, StartResponse], Iterable[bytes]]

JSON: TypeAlias = Any
Claims: TypeAlias = dict[str, Any]

__all__ = ["JSON", "Claims", "StartResponse", "WSGIApplication", "WSGIEnvironment"]
