"""The test OP with RP-initiated logout (OpenID Connect RP-Initiated Logout 1.0).

:class:`LogoutOP` is :class:`tests.providers.idp.TestOP` that also advertises an
``end_session_endpoint`` and serves it as a real provider does: the ``id_token_hint`` must be
an ID token it signed for this client (signature, ``iss``, ``aud``), ``client_id`` (when sent)
must be that audience, and ``post_logout_redirect_uri`` must be one registered for the client
exactly. A valid request ends the user's session at the OP (``ended``) and redirects back with
``state``; anything else is a 400 page, never a redirect.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet
from webob import Request, Response

from tests.providers.idp import CLIENT_ID, TestOP

END_SESSION_PATH = "/end_session"


@dataclass
class LogoutOP(TestOP):
    """A :class:`TestOP` with an ``end_session_endpoint``.

    :ivar post_logout_redirect_uris: registered for the client (set by the test).
    :ivar signed_in: subjects with a session at the OP (each authorization adds one).
    :ivar ended: subjects whose OP session a valid logout request ended.
    """

    post_logout_redirect_uris: list[str] = field(default_factory=list)
    signed_in: set[str] = field(default_factory=set)
    ended: list[str] = field(default_factory=list)
    advertise_end_session: bool = True

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        if environ.get("PATH_INFO") == END_SESSION_PATH:
            request = Request(environ)
            params = dict(request.params)
            self.log.append((request.method, request.path, dict(request.GET), params))
            return self.end_session(params)(environ, start_response)
        if environ.get("PATH_INFO") == "/authorize":
            self.signed_in.add(self.sub)
        return super().__call__(environ, start_response)

    def discovery(self, request: Request, form: dict[str, str]) -> Response:
        response = super().discovery(request, form)
        if self.advertise_end_session:
            document = {**response.json, "end_session_endpoint": self.base + END_SESSION_PATH}
            response = Response(json_body=document, content_type="application/json")
        return response

    def end_session(self, params: dict[str, str]) -> Response:
        hint = params.get("id_token_hint")
        claims = self._verified(hint) if hint else None
        if claims is None:
            return _refuse("invalid id_token_hint")
        if params.get("client_id", claims["aud"]) != claims["aud"]:
            return _refuse("client_id is not the hint's audience")
        target = params.get("post_logout_redirect_uri")
        if target is not None and target not in self.post_logout_redirect_uris:
            return _refuse("post_logout_redirect_uri not registered")
        self.signed_in.discard(claims["sub"])
        self.ended.append(claims["sub"])
        if target is None:
            return Response("You are signed out.", content_type="text/plain")
        response = Response(status=302)
        query = {"state": params["state"]} if "state" in params else {}
        response.location = f"{target}?{urlencode(query)}" if query else target
        return response

    def _verified(self, token: str) -> dict[str, Any] | None:
        keys = KeySet.import_key_set({"keys": [k.as_dict() for k in self.published]})
        try:
            decoded = jwt.decode(token, keys, algorithms=["RS256"])
        except (JoseError, ValueError):
            return None
        claims = decoded.claims
        if claims.get("iss") != self.issuer or claims.get("aud") != CLIENT_ID:
            return None
        return dict(claims)


def _refuse(reason: str) -> Response:
    return Response(f"Logout refused: {reason}", status=400, content_type="text/plain")
