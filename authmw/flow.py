"""What a provider and the sign-in completion see of an auth endpoint request.

:class:`FlowRequest` is a Protocol, so the services (providers, account linking, sign-in
completion) depend on this small description and not on the WSGI shell that implements it
(:class:`authmw.dispatch.context.RequestContext`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from webob import Request, Response

    from ._types import WSGIEnvironment
    from .session.model import Session
    from .session.scheme_keys import SchemeKeys
    from .session.strategy import LoadedSession


class FlowRequest(Protocol):
    """One request to an auth endpoint, as the sign-in flows use it."""

    environ: WSGIEnvironment
    request: Request
    #: The app's public base URL for this request (``scheme://host[/mount]``).
    base_url: str
    #: Cookie names and keys for this request's URL scheme.
    realm: SchemeKeys
    cookies: dict[str, str]
    #: ``Set-Cookie`` values added to the response.
    set_cookies: list[str]

    @property
    def session(self) -> Session | None: ...

    @property
    def token(self) -> dict[str, Any] | None: ...

    @property
    def loaded_session(self) -> LoadedSession | None: ...

    @property
    def query(self) -> dict[str, str]: ...

    @property
    def body(self) -> dict[str, Any]: ...

    def form(self) -> Mapping[str, Any]: ...

    def param(self, name: str) -> str | None: ...

    def auth_url(self, action: str, provider_id: str | None = None, **query: str) -> str: ...

    def page_url(self, page: str | None, action: str, **query: str) -> str: ...

    def sign_in_page_url(self, **query: str) -> str: ...

    def sanitize(self, url: object) -> str: ...

    def callback_url(self) -> str: ...

    def stored_callback_url(self) -> str: ...

    def set_session_cookies(self, headers: list[str]) -> None: ...

    def rotate_csrf_token(self) -> None: ...

    def redirect(self, url: str, *, status: int = 200) -> Response: ...
