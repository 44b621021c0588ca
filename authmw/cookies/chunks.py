"""NextAuth-compatible cookie chunking for values over the ~4 KB cookie limit.

A value longer than :data:`CHUNK_SIZE` is stored as ``<name>.0``, ``<name>.1``, ... and joined
in numeric order on read. Unlike NextAuth, only ``<name>`` and ``<name>.<digits>`` belong to
the set (not every cookie starting with the name), gaps or mixed forms make it invalid, and the
chunk count is capped before anything is concatenated.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping

#: next-auth 4: 4096 bytes minus 163 for the name and attributes (Auth.js v5 uses 3936).
CHUNK_SIZE = 3933
#: Most chunks read or written; more means a hostile or broken cookie set.
MAX_CHUNKS = 8


def _chunk_index(cookie_name: str, prefix: str) -> int | None:
    """The N of ``<name>.N``; ``-1`` for non-canonical digits (``.01``); ``None`` if foreign."""
    if not cookie_name.startswith(prefix):
        return None
    suffix = cookie_name[len(prefix) :]
    if not suffix.isascii() or not suffix.isdigit():
        return None
    if suffix != "0" and suffix.startswith("0"):
        return -1
    return int(suffix) if len(suffix) <= 4 else -1


def join_chunks(
    cookies: Mapping[str, str], name: str, *, max_chunks: int = MAX_CHUNKS
) -> str | None:
    """The value of cookie *name*, joined from its chunks; ``None`` if absent or invalid.

    Invalid: an empty value, a missing chunk, a chunk name with leading zeros, both the plain
    name and chunks, or more than *max_chunks* chunks (counted before joining).
    """
    prefix = name + "."
    found: dict[int, str] = {}
    for cookie_name, value in cookies.items():
        index = _chunk_index(cookie_name, prefix)
        if index is None:
            continue
        if index < 0 or len(found) >= max_chunks:
            return None
        found[index] = value
    if not found:
        return cookies.get(name) or None
    if name in cookies or len(found) != max(found) + 1:
        return None
    values = [found[i] for i in range(len(found))]
    return "".join(values) if all(values) else None


def chunk_cookie_values(
    name: str, value: str, size: int = CHUNK_SIZE, *, max_chunks: int = MAX_CHUNKS
) -> list[tuple[str, str]]:
    """``(cookie name, value)`` pairs storing *value*: one cookie if it fits, else chunks.

    :raises ValueError: *value* would need more than *max_chunks* chunks (never truncate).
    """
    if len(value) <= size:
        return [(name, value)]
    count = -(-len(value) // size)
    if count > max_chunks:
        raise ValueError(f"cookie {name!r} would need {count} chunks (limit {max_chunks})")
    return [(f"{name}.{i}", value[i * size : (i + 1) * size]) for i in range(count)]


def stale_chunks(
    cookies: Mapping[str, str], name: str, written_names: Collection[str], *, limit: int = 32
) -> list[str]:
    """Names of *name*'s cookies on the request that were not rewritten (to expire them).

    Includes odd chunk names (``.01``) so a broken set gets cleaned; at most *limit* names, so
    a hostile request cannot make the response header list unbounded.
    """
    prefix = name + "."
    stale = [
        cookie_name
        for cookie_name in cookies
        if (cookie_name == name or _chunk_index(cookie_name, prefix) is not None)
        and cookie_name not in written_names
    ]
    stale.sort(key=lambda n: (len(n), n))
    return stale[:limit]
