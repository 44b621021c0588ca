"""The adapter contract: NextAuth's data model and the operations a database must offer.

An adapter stores users, the provider accounts linked to them, database sessions and e-mail
verification tokens. The records are frozen dataclasses in NextAuth's shape (snake_case);
datetimes are timezone-aware UTC in and out, and expiry is always decided by the application's
clock (the ``expires`` values it passes in), never the database server's.

Values are stored as given: callers hash secrets before they reach an adapter. The database
session strategy passes ``sha256(cookie token)`` as ``session_token``, and the e-mail provider
passes ``sha256(token + secret)`` as the verification ``token``; e-mail addresses arrive already
normalised. Comparisons are exact and case-sensitive (A-PS1).

Errors::

    AdapterError            anything the adapter cannot do; messages never hold secrets
     +-- AdapterUnavailable the database is down, locked or timed out (answer 503)
     +-- DuplicateError     a unique value (e-mail, account, token) already exists
     +-- NotFoundError      the user to update or link to does not exist
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol, runtime_checkable

__all__ = [
    "Account",
    "Adapter",
    "AdapterError",
    "AdapterSession",
    "AdapterUnavailable",
    "DuplicateError",
    "NewUser",
    "NotFoundError",
    "User",
    "VerificationToken",
    "utc",
]

REDACTED = "<redacted>"

#: Fields :meth:`Adapter.update_user` accepts.
USER_FIELDS = frozenset({"name", "email", "email_verified", "image"})


class AdapterError(Exception):
    """The adapter could not complete an operation."""


class AdapterUnavailable(AdapterError):
    """The database cannot be reached, is locked or timed out; callers should answer 503."""


def driver_cause(error: BaseException) -> str:
    """The first line of a driver's message ("connection refused"), for logs: bounded in
    length, with any ``user:password@`` of a URL in it masked."""
    first = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    return re.sub(r"://[^@/\s]+@", "://***@", first)[:200]


class MissingTables(AdapterUnavailable):
    """The database answers but lacks authmw's tables: a set-up step was skipped."""

    def __init__(self) -> None:
        super().__init__(
            "authmw's tables are missing: create them with SQLAdapter(..., create_tables=True) "
            "or adapter.create_all()"
        )


class DuplicateError(AdapterError):
    """A record with the same unique key (e-mail, provider account, token) already exists."""


class NotFoundError(AdapterError):
    """The user an operation refers to does not exist."""


def utc(value: datetime) -> datetime:
    """Return *value* in UTC; naive datetimes are refused because their zone is unknown.

    :raises ValueError: if *value* has no timezone.
    """
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError("naive datetime; pass a timezone-aware (UTC) datetime")
    return value.astimezone(UTC)


def _redacted_repr(obj: Any, secret: frozenset[str]) -> str:
    parts = []
    for f in dataclasses.fields(obj):
        value = getattr(obj, f.name)
        shown = REDACTED if f.name in secret and value is not None else repr(value)
        parts.append(f"{f.name}={shown}")
    return f"{type(obj).__name__}({', '.join(parts)})"


@dataclass(frozen=True, slots=True)
class NewUser:
    """The fields of a user that does not exist yet.

    *id* is the id to keep (a credentials sign-in keeps the one ``authorize`` returned); without
    it the adapter assigns a random one. An id already taken is a :class:`DuplicateError`.
    """

    name: str | None = None
    email: str | None = None
    email_verified: datetime | None = None
    image: str | None = None
    id: str | None = None


@dataclass(frozen=True, slots=True)
class User:
    """A stored user (NextAuth ``AdapterUser``)."""

    id: str
    name: str | None = None
    email: str | None = None
    email_verified: datetime | None = None
    image: str | None = None


@dataclass(frozen=True, slots=True, repr=False)
class Account:
    """A provider account linked to a user; its tokens never appear in ``repr`` (A-DA4)."""

    user_id: str
    type: str
    provider: str
    provider_account_id: str
    refresh_token: str | None = None
    access_token: str | None = None
    expires_at: int | None = None
    token_type: str | None = None
    scope: str | None = None
    id_token: str | None = None
    session_state: str | None = None

    def __repr__(self) -> str:
        return _redacted_repr(
            self, frozenset({"refresh_token", "access_token", "id_token", "session_state"})
        )


@dataclass(frozen=True, slots=True, repr=False)
class AdapterSession:
    """A database session; ``session_token`` is the caller's hash of the cookie token."""

    session_token: str
    user_id: str
    expires: datetime

    def __repr__(self) -> str:
        return _redacted_repr(self, frozenset({"session_token"}))


@dataclass(frozen=True, slots=True, repr=False)
class VerificationToken:
    """An e-mail sign-in token (already hashed by the caller) for ``identifier``."""

    identifier: str
    token: str
    expires: datetime

    def __repr__(self) -> str:
        return _redacted_repr(self, frozenset({"token"}))


@runtime_checkable
class Adapter(Protocol):
    """NextAuth's adapter methods. Every method may raise :class:`AdapterUnavailable`."""

    def create_user(self, user: NewUser) -> User:
        """Store a new user with a fresh id. :raises DuplicateError: e-mail taken."""
        ...

    def get_user(self, id: str) -> User | None:
        """The user with *id*, or ``None``."""
        ...

    def get_user_by_email(self, email: str) -> User | None:
        """The user with exactly this e-mail, or ``None``."""
        ...

    def get_user_by_account(self, provider: str, provider_account_id: str) -> User | None:
        """The user linked to this provider account, or ``None``."""
        ...

    def update_user(self, id: str, **changes: Any) -> User:
        """Change ``name``, ``email``, ``email_verified`` or ``image``; return the new record.

        :raises NotFoundError: no such user.
        :raises DuplicateError: the new e-mail belongs to another user.
        :raises TypeError: an unknown field was given.
        """
        ...

    def delete_user(self, id: str) -> None:
        """Delete the user with its accounts and sessions; no-op when absent."""
        ...

    def link_account(self, account: Account) -> Account:
        """Link a provider account. :raises DuplicateError: already linked;
        :raises NotFoundError: no such user."""
        ...

    def unlink_account(self, provider: str, provider_account_id: str) -> None:
        """Remove a linked account; no-op when absent."""
        ...

    def create_session(self, session_token: str, user_id: str, expires: datetime) -> AdapterSession:
        """Store a session. :raises NotFoundError: no such user;
        :raises DuplicateError: the token exists."""
        ...

    def get_session_and_user(self, session_token: str) -> tuple[AdapterSession, User] | None:
        """The live session and its user; an expired session is deleted and ``None`` returned."""
        ...

    def update_session(self, session_token: str, expires: datetime) -> AdapterSession | None:
        """Move a session's expiry; ``None`` (and nothing written) if it no longer exists."""
        ...

    def delete_session(self, session_token: str) -> None:
        """Delete a session; no-op when absent."""
        ...

    # Optional (``auth.revoke_user`` with database sessions needs it):
    # ``delete_sessions_of_user(user_id: str) -> None`` deletes every session of a user.

    def create_verification_token(self, token: VerificationToken) -> VerificationToken:
        """Store an e-mail token. :raises DuplicateError: same identifier and token exist."""
        ...

    def use_verification_token(self, identifier: str, token: str) -> VerificationToken | None:
        """Atomically fetch and delete the token matching *both* values (A-NA7).

        Exactly one of many concurrent callers gets it (B-E6); expired tokens give ``None``.
        """
        ...

    def close(self) -> None:
        """Release connections the adapter opened itself."""
        ...


def now() -> datetime:
    """The application clock (UTC); expiry is always judged by it."""
    return datetime.now(UTC)
