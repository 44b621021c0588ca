"""The one sanitizer for every redirect target (``callbackUrl``, its cookie, sign-out, callbacks).

A target is accepted only as a path on the app's own origin: a relative path starting with a
single ``/``, or an absolute ``http(s)`` URL whose scheme, host and port equal the base URL's.
Everything else becomes the base URL. ``urllib.parse`` is not a validator (CVE-2023-24329,
CVE-2024-11168), so the authority is matched with a strict ASCII pattern and the path is checked
both as given and percent-decoded once, since browsers and servers may decode it before use.
The result is rebuilt from the base origin and percent-encoded, so it is always safe for a
``Location`` header.
"""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import quote, unquote

__all__ = ["MAX_LENGTH", "default_redirect", "origin_of", "sanitize_redirect"]

#: Longest accepted input and produced output; longer targets fall back to the base URL.
MAX_LENGTH = 2048

_MAX_AUTHORITY = 300  # a DNS name has at most 253 characters
_DEFAULT_PORTS = {"http": "80", "https": "443"}
# host (DNS name or IPv4 or bracketed IPv6 literal) and optional port; no userinfo, no escapes
_AUTHORITY = re.compile(
    r"(?P<host>[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?|\[[0-9A-Fa-f:.]+\])(?::(?P<port>[0-9]*))?"
)
_SCHEME = re.compile(r"(?i)(https?)://")
_ASCII_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
# Unicode categories never allowed anywhere: controls, format (bidi, zero-width), surrogates,
# private use, unassigned, and separators other than the ASCII space.
_BAD_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp", "Zs"})
_LONE_PERCENT = re.compile(r"%(?![0-9A-Fa-f]{2})")
_PATH_SAFE = "/:@!$&'()*+,;=%~"
_QUERY_SAFE = _PATH_SAFE + "?"
_LOCATION_SAFE = re.compile(r"[\x21-\x7e]+")


def origin_of(url: str) -> str:
    """``scheme://host[:port]`` of an http(s) *url*, lower-cased, default port dropped.

    Returns ``""`` when *url* is not an http(s) URL with a plain host (userinfo, escapes,
    non-ASCII hosts, bad ports): callers comparing origins then fail closed.
    """
    if not isinstance(url, str):
        return ""
    match = _SCHEME.match(url)
    if match is None:
        return ""
    scheme = match.group(1).lower()
    # WHATWG parsers end a special URL's authority at "\" too
    authority = re.split(r"[/?#\\]", url[match.end() :], maxsplit=1)[0]
    return _origin(scheme, authority)


def _origin(scheme: str, authority: str) -> str:
    parts = _AUTHORITY.fullmatch(authority) if len(authority) <= _MAX_AUTHORITY else None
    if parts is None:
        return ""
    host = parts.group("host").lower()
    port = parts.group("port")
    if port:
        if len(port) > 5 or not 0 < int(port) <= 65535:
            return ""
        port = str(int(port))
    if not port or port == _DEFAULT_PORTS[scheme]:
        return f"{scheme}://{host}"
    return f"{scheme}://{host}:{port}"


def sanitize_redirect(url: object, base_url: str) -> str:
    """Return *url* as an absolute URL on *base_url*'s origin, or *base_url* itself.

    :param url: untrusted target: a relative path (``/dashboard?x=1``) or an absolute URL.
    :param base_url: the app's public URL (``https://app.example``, optionally with a path).
    Never raises; the result never contains whitespace or control characters.
    """
    try:
        result = _sanitize(url, base_url)
    except Exception:  # hostile input must never break a request; fall back to the base
        return base_url
    return base_url if result is None else result


def default_redirect(*, url: str, base_url: str, **_: object) -> str:
    """NextAuth's default ``redirect`` callback: same-origin targets only, else *base_url*."""
    return sanitize_redirect(url, base_url)


def _sanitize(url: object, base_url: str) -> str | None:
    if not isinstance(url, str) or not url or len(url) > MAX_LENGTH or _has_forbidden_chars(url):
        return None
    if url == base_url:  # keeps the fallback stable when a stored result is re-sanitized
        return base_url
    base_origin = origin_of(base_url)
    if not base_origin:
        return None
    if url.startswith("/"):
        rest = url
    else:
        match = _SCHEME.match(url)
        if match is None:  # javascript:, data:, https:evil, relative "x", leading blanks...
            return None
        tail = url[match.end() :]
        authority = re.split(r"[/?#]", tail, maxsplit=1)[0]
        if _origin(match.group(1).lower(), authority) != base_origin:
            return None
        rest = tail[len(authority) :]
        if not rest.startswith("/"):
            rest = "/" + rest
    path_and_rest = _clean_path(rest)
    if path_and_rest is None:
        return None
    result = base_origin + path_and_rest
    if len(result) > MAX_LENGTH or not _LOCATION_SAFE.fullmatch(result):
        return None
    return result


def _has_forbidden_chars(url: str) -> bool:
    if _ASCII_CONTROL.search(url):
        return True
    if url.isascii():
        return False
    return any(not ch.isascii() and unicodedata.category(ch) in _BAD_CATEGORIES for ch in url)


def _clean_path(rest: str) -> str | None:
    """Validate a path (with query and fragment) starting with "/"; normalized and encoded."""
    path, fragment_sep, fragment = rest.partition("#")
    path, query_sep, query = path.partition("?")
    decoded = unquote(path, errors="replace")
    for form in (path, decoded, unicodedata.normalize("NFKC", decoded)):
        if not _is_local_path(form):
            return None
    clean = _quote(_remove_dot_segments(path), _PATH_SAFE)
    if query_sep:
        clean += "?" + _quote(query, _QUERY_SAFE)
    if fragment_sep:
        clean += "#" + _quote(fragment, _QUERY_SAFE)
    return clean


def _is_local_path(path: str) -> bool:
    """A path that stays on this origin, as written and after dot-segment removal (no "//",
    no "\\"): "//../x" is a protocol-relative URL, even though its dots would cancel out."""
    if not path.startswith("/") or path.startswith("//") or "\\" in path:
        return False
    if _ASCII_CONTROL.search(path):
        return False
    return not _remove_dot_segments(path).startswith("//")


def _remove_dot_segments(path: str) -> str:
    """RFC 3986 section 5.2.4 for an absolute path."""
    segments = path.split("/")[1:]
    out: list[str] = []
    for segment in segments:
        if segment == "..":
            if out:
                out.pop()
        elif segment != ".":
            out.append(segment)
    if segments and segments[-1] in (".", ".."):
        out.append("")
    return "/" + "/".join(out)


def _quote(text: str, safe: str) -> str:
    return _LONE_PERCENT.sub("%25", quote(text, safe=safe))
