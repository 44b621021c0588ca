"""Outgoing HTTP for providers: a deadline per call, capped bodies, TLS verification, no
redirects.

Every call to an identity provider (discovery, JWKS, token, userinfo, OAuth 1 endpoints) goes
through :class:`HttpClient`. Failures of any kind become :class:`ProviderHTTPError`, which the
providers turn into ``OAuthCallback`` / ``OAuthSignin``; nothing here raises anything else.
"""

from __future__ import annotations

import ipaddress
import json
import logging
import os
import time
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

import requests
import urllib3.exceptions

from ..errors import ConfigurationError
from ..util.numbers import finite_number
from ..util.strict_json import parse_object

log = logging.getLogger("authmw.providers.http")

#: Largest response body read from a provider.
MAX_BODY = 1024 * 1024
DEFAULT_TIMEOUT = (5.0, 10.0)
_CHUNK = 64 * 1024
_LOOPBACK_NAMES = frozenset({"localhost", "localhost.localdomain"})


class ProviderHTTPError(Exception):
    """A provider request failed: network, status, size, or an unusable body.

    :param reason: short text for the log; never holds tokens or secrets.
    :param status: the HTTP status when there was a response.
    :param error: the provider's ``error`` value from a JSON body, if any.
    """

    def __init__(self, reason: str, *, status: int | None = None, error: str | None = None):
        super().__init__(reason)
        self.reason = reason
        self.status = status
        self.error = error


def is_loopback(host: str | None) -> bool:
    """True for ``localhost`` and loopback IP literals."""
    if not host:
        return False
    if host.lower() in _LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_endpoint(url: object, what: str, allow_loopback_http: bool = False) -> str:
    """Validate an endpoint URL: https; plain http only on a loopback host and only with
    *allow_loopback_http* (the provider option of the same name, for development) (P-F2).

    :raises ConfigurationError: anything else.
    """
    if not isinstance(url, str):
        raise ConfigurationError(f"{what} must be a URL string")
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError:
        raise ConfigurationError(f"{what} is not a valid URL") from None
    secure = parts.scheme == "https" and bool(host)
    local = parts.scheme == "http" and is_loopback(host)
    if local and not allow_loopback_http:
        raise ConfigurationError(
            f"{what} is plain http: use https, or allow_loopback_http=True for development"
        )
    if not (secure or local):
        raise ConfigurationError(f"{what} must be an https URL (http only on loopback hosts)")
    if parts.fragment or parts.username or parts.password:
        raise ConfigurationError(f"{what} must not have a fragment or user info")
    return url


def check_seconds(value: object, what: str, *, zero: bool = False) -> float:
    """A duration option, checked when the provider is built (never at its first callback).

    :raises ConfigurationError: not a finite number of seconds, or not positive (``zero``
        allows 0).
    """
    number = finite_number(value)
    if number is None or number < 0 or (number == 0 and not zero):
        wanted = "zero or more" if zero else "positive"
        raise ConfigurationError(f"{what} must be {wanted} seconds, got {value!r}")
    return number


class HttpClient:
    """A ``requests`` session with the limits providers need.

    :param timeout: the deadline of a whole call in seconds (connecting, the headers and the
        body); or ``(connect, read)``, whose sum is the deadline. A body dripped slowly is cut
        off at the deadline, not after each read (R-6).
    :param verify: ``True`` (the system's CAs) or a CA bundle path; never ``False`` (P-C2).
        ``REQUESTS_CA_BUNDLE`` and the other ``requests`` environment variables are not read.
    :param max_body: largest body read, in bytes; counted while reading.
    """

    def __init__(
        self,
        *,
        timeout: float | tuple[float, float] = DEFAULT_TIMEOUT,
        verify: bool | str = True,
        max_body: int = MAX_BODY,
        user_agent: str = "authmw",
    ) -> None:
        if verify is not True and not isinstance(verify, str):
            raise ConfigurationError("TLS verification cannot be turned off; pass a CA bundle")
        if isinstance(verify, str) and not os.path.exists(verify):
            raise ConfigurationError(f"ca_bundle {verify!r} is not a file or directory")
        parts = timeout if isinstance(timeout, tuple) else (timeout,)
        if len(parts) not in (1, 2):
            raise ConfigurationError("timeout must be seconds, or (connect, read) seconds")
        for part in parts:
            check_seconds(part, "timeout")
        self.timeout = timeout
        #: seconds a whole call may take
        self.deadline = float(sum(parts)) if len(parts) == 2 else float(parts[0])
        self.verify = verify
        self.max_body = max_body
        self.session = requests.Session()
        self.session.trust_env = False  # no .netrc credentials or proxy surprises
        self.session.headers["User-Agent"] = user_agent

    def __repr__(self) -> str:
        return f"<HttpClient timeout={self.timeout!r}>"

    def request(self, method: str, url: str, **kwargs: Any) -> tuple[int, str, bytes]:
        """Send a request; return ``(status, content type, body)``.

        :raises ProviderHTTPError: network or TLS failure, the deadline passed, or a body over
            the cap.
        """
        deadline = time.monotonic() + self.deadline
        kwargs.setdefault("timeout", self._socket_timeouts())
        kwargs.setdefault("allow_redirects", False)
        try:
            with self.session.request(
                method, url, verify=self.verify, stream=True, **kwargs
            ) as response:
                length = response.headers.get("Content-Length")
                if length and length.isdigit() and int(length) > self.max_body:
                    raise ProviderHTTPError("response too large", status=response.status_code)
                body = self._read_body(response, deadline, url)
                ctype = response.headers.get("Content-Type", "")
                return response.status_code, ctype, body
        except (requests.Timeout, urllib3.exceptions.TimeoutError):
            raise ProviderHTTPError(f"timeout calling {_host(url)}") from None
        except requests.exceptions.SSLError:
            raise ProviderHTTPError(f"TLS verification failed calling {_host(url)}") from None
        except requests.RequestException as exc:
            raise ProviderHTTPError(f"{type(exc).__name__} calling {_host(url)}") from None
        except (urllib3.exceptions.HTTPError, OSError) as exc:  # while reading the body
            raise ProviderHTTPError(f"{type(exc).__name__} calling {_host(url)}") from None

    def _socket_timeouts(self) -> tuple[float, float]:
        """``(connect, read)`` for ``requests``, neither longer than the deadline."""
        if isinstance(self.timeout, tuple):
            return min(self.timeout[0], self.deadline), min(self.timeout[1], self.deadline)
        return self.deadline, self.deadline

    def _read_body(self, response: requests.Response, deadline: float, url: str) -> bytes:
        """The body, read one socket read at a time, each bounded by the time left."""
        raw = response.raw
        sock = getattr(getattr(raw, "connection", None), "sock", None)
        body = bytearray()
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise ProviderHTTPError(f"{_host(url)} took longer than {self.deadline:g} s")
            if sock is not None:
                sock.settimeout(left)
            chunk = raw.read1(_CHUNK, decode_content=True)
            if not chunk:
                return bytes(body)
            body += chunk
            if len(body) > self.max_body:
                raise ProviderHTTPError("response too large", status=response.status_code)

    def json(self, method: str, url: str, **kwargs: Any) -> dict[str, Any]:
        """A request whose answer must be a 2xx JSON object without an ``error`` member.

        :raises ProviderHTTPError: any other status, body or shape.
        """
        headers = {"Accept": "application/json", **dict(kwargs.pop("headers", None) or {})}
        status, _ctype, body = self.request(method, url, headers=headers, **kwargs)
        data = parse_json_object(body)
        error = data.get("error") if isinstance(data, dict) else None
        if not 200 <= status < 300 or data is None or error is not None:
            raise ProviderHTTPError(
                f"{_host(url)} answered {status}",
                status=status,
                error=error if isinstance(error, str) else None,
            )
        return data

    def get_json(self, url: str, *, headers: Mapping[str, str] | None = None) -> dict[str, Any]:
        return self.json("GET", url, headers=headers)

    def get_json_list(self, url: str, *, headers: Mapping[str, str] | None = None) -> list[Any]:
        """A GET whose answer must be a JSON array (e.g. GitHub's ``/user/emails``)."""
        hdrs = {"Accept": "application/json", **dict(headers or {})}
        status, _ctype, body = self.request("GET", url, headers=hdrs)
        try:
            data = json.loads(body)
        except ValueError:
            data = None
        if not 200 <= status < 300 or not isinstance(data, list):
            raise ProviderHTTPError(f"{_host(url)} answered {status}", status=status)
        return data


def parse_json_object(body: bytes) -> dict[str, Any] | None:
    """*body* as a JSON object, or ``None`` (not JSON, not an object, duplicate keys)."""
    return parse_object(body)


def _host(url: str) -> str:
    """The host of *url*, for log lines (never the query, which may hold secrets)."""
    try:
        return urlsplit(url).netloc or "?"
    except ValueError:
        return "?"
