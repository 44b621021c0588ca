"""Database adapters: NextAuth's adapter model (users, accounts, sessions, e-mail tokens).

:class:`Adapter` is the protocol; :class:`~authmw.adapters.sql.SQLAdapter` (SQLite, PostgreSQL)
and :class:`~authmw.adapters.redis.RedisAdapter` implement it. They are imported on first use, so
``sqlalchemy`` and ``redis`` stay optional (``authmw[sql]``, ``authmw[postgres]``,
``authmw[redis]``).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from .base import Account as Account
from .base import Adapter as Adapter
from .base import AdapterError as AdapterError
from .base import AdapterSession as AdapterSession
from .base import AdapterUnavailable as AdapterUnavailable
from .base import DuplicateError as DuplicateError
from .base import MissingTables as MissingTables
from .base import NewUser as NewUser
from .base import NotFoundError as NotFoundError
from .base import User as User
from .base import VerificationToken as VerificationToken

if TYPE_CHECKING:
    from .redis import RedisAdapter as RedisAdapter
    from .sql import SQLAdapter as SQLAdapter

__all__ = [
    "Account",
    "Adapter",
    "AdapterError",
    "AdapterSession",
    "AdapterUnavailable",
    "DuplicateError",
    "MissingTables",
    "NewUser",
    "NotFoundError",
    "RedisAdapter",
    "SQLAdapter",
    "User",
    "VerificationToken",
    "from_url",
]

#: URL schemes served by :class:`~authmw.adapters.redis.RedisAdapter`.
REDIS_SCHEMES = ("redis://", "rediss://", "unix://")


def from_url(
    url: str | Path, *, create_tables: bool = False, timeout: float = 5.0
) -> SQLAdapter | RedisAdapter:
    """The adapter for a database URL: Redis for ``redis://``, ``rediss://`` and ``unix://``;
    SQL for anything else (``sqlite:///auth.db``, a SQLite file path, ``postgresql://...``).

    :param create_tables: SQL only: create the tables now if they are missing.
    """
    if isinstance(url, str) and url.strip().startswith(REDIS_SCHEMES):
        from .redis import RedisAdapter

        return RedisAdapter(url.strip(), timeout=timeout)
    from .sql import SQLAdapter

    return SQLAdapter(url, create_tables=create_tables, timeout=timeout)


def __getattr__(name: str) -> Any:
    if name == "SQLAdapter":
        from .sql import SQLAdapter

        return SQLAdapter
    if name == "RedisAdapter":
        from .redis import RedisAdapter

        return RedisAdapter
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
