"""Cookie header parsing and ``Set-Cookie`` formatting, on the hot path and without SimpleCookie.

Values are percent-encoded like the ``cookie`` npm package NextAuth uses (``encodeURIComponent``
on write, ``decodeURIComponent`` on read when it succeeds), so a CSRF cookie reads
``token|hash`` whether NextAuth or authmw wrote it.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from email.utils import format_datetime
from typing import Literal
from urllib.parse import quote, unquote

SameSite = Literal["Lax", "Strict", "None"]

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")  # RFC 9110 token: a valid cookie name
_URI_SAFE = re.compile(r"[A-Za-z0-9\-_.!~*'()]*")  # left alone by encodeURIComponent
_BAD_ESCAPE = re.compile(r"%(?![0-9A-Fa-f]{2})")
_ATTRIBUTE_UNSAFE = re.compile(r"[^!-~]|[;,]")


def _decode_value(value: str) -> str:
    """``decodeURIComponent``, or the raw value when that would throw."""
    if _BAD_ESCAPE.search(value):
        return value
    try:
        return unquote(value, errors="strict")
    except UnicodeDecodeError:
        return value


def parse_cookie_header(header: str) -> dict[str, str]:
    """Parse a ``Cookie`` header into ``{name: value}``; never raises, linear time.

    Names and values are stripped, one pair of surrounding double quotes is removed, and
    ``%XX`` escapes are decoded. A name sent twice with different values is dropped
    altogether, so callers see no cookie rather than an attacker-chosen one (B-C10).
    """
    cookies: dict[str, str] = {}
    dropped: set[str] = set()
    for part in header.split(";"):
        name, eq, value = part.partition("=")
        name = name.strip()
        if not eq or not name or name in dropped:
            continue
        value = value.strip()
        if len(value) > 1 and value[0] == '"' == value[-1]:
            value = value[1:-1]
        if "%" in value:
            value = _decode_value(value)
        if name not in cookies:
            cookies[name] = value
        elif cookies[name] != value:
            del cookies[name]
            dropped.add(name)
    return cookies


def _check_attribute(label: str, value: str) -> None:
    if _ATTRIBUTE_UNSAFE.search(value):
        raise ValueError(f"invalid cookie {label} {value!r}")


def format_set_cookie(
    name: str,
    value: str,
    *,
    max_age: int | None,
    path: str = "/",
    domain: str | None = None,
    secure: bool,
    http_only: bool = True,
    same_site: SameSite = "Lax",
    expires: datetime | None = None,
) -> str:
    """A ``Set-Cookie`` header value; *value* is percent-encoded like ``encodeURIComponent``.

    :param max_age: seconds to keep the cookie; ``None`` for a browser-session cookie.
    :param expires: an absolute expiry as well (a naive datetime is taken as UTC).
    :raises ValueError: a bad name or attribute, ``SameSite=None`` without *secure*, or a
        ``__Secure-``/``__Host-`` name whose attributes browsers would refuse.
    """
    if not _TOKEN.fullmatch(name):
        raise ValueError(f"invalid cookie name {name!r}")
    if same_site not in ("Lax", "Strict", "None"):
        raise ValueError(f"invalid SameSite {same_site!r}")
    _check_attribute("path", path)
    if domain is not None:
        _check_attribute("domain", domain)
    if (same_site == "None" or name.startswith(("__Secure-", "__Host-"))) and not secure:
        raise ValueError(f"cookie {name!r} requires secure=True")
    if name.startswith("__Host-") and (domain is not None or path != "/"):
        raise ValueError(f"cookie {name!r} requires path='/' and no domain")
    if not _URI_SAFE.fullmatch(value):
        value = quote(value, safe="!'()*")
    parts = [f"{name}={value}"]
    if max_age is not None:
        parts.append(f"Max-Age={int(max_age)}")
    if expires is not None:
        when = expires.replace(tzinfo=UTC) if expires.tzinfo is None else expires
        parts.append(f"Expires={format_datetime(when.astimezone(UTC), usegmt=True)}")
    if domain is not None:
        parts.append(f"Domain={domain}")
    parts.append(f"Path={path}")
    if secure:
        parts.append("Secure")
    if http_only:
        parts.append("HttpOnly")
    parts.append(f"SameSite={same_site}")
    return "; ".join(parts)


def delete_cookie(
    name: str,
    *,
    secure: bool,
    path: str = "/",
    domain: str | None = None,
    same_site: SameSite = "Lax",
) -> str:
    """A ``Set-Cookie`` value expiring *name* (``Max-Age=0`` and a 1970 ``Expires``).

    Pass the attributes the cookie was set with; browsers only replace an exact match.
    """
    return format_set_cookie(
        name,
        "",
        max_age=0,
        path=path,
        domain=domain,
        secure=secure,
        same_site=same_site,
        expires=_EPOCH,
    )
