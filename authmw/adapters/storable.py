"""What a store can hold: the checks every adapter runs on input before it writes or looks up.

PostgreSQL text cannot hold NUL and no driver can encode a lone surrogate: a write with one is
refused with ``ValueError``, a lookup answers ``None`` (hostile input means "not found").
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable, Iterable
from typing import Any, TypeVar, cast

from .base import USER_FIELDS, utc

__all__ = ["check_storable", "check_user_changes", "lookup"]


def check_user_changes(changes: dict[str, Any]) -> dict[str, Any]:
    """Validate :meth:`Adapter.update_user` keyword arguments; datetimes become UTC."""
    unknown = set(changes) - USER_FIELDS
    if unknown:
        raise TypeError(f"update_user() got unknown fields: {', '.join(sorted(unknown))}")
    check_storable(*changes.values())
    verified = changes.get("email_verified")
    if verified is not None:
        changes = {**changes, "email_verified": utc(verified)}
    return changes


def _unstorable(values: Iterable[Any]) -> bool:
    for value in values:
        if isinstance(value, str):
            if "\x00" in value:  # PostgreSQL text cannot hold NUL
                return True
            try:
                value.encode()
            except UnicodeEncodeError:  # lone surrogates
                return True
    return False


F = TypeVar("F", bound=Callable[..., Any])


def lookup(method: F) -> F:
    """Answer ``None`` (and touch nothing) for arguments no store can hold, such as a NUL:
    hostile input means "not found", never an error."""

    @functools.wraps(method)
    def wrapper(self: Any, *args: Any, **kwargs: Any) -> Any:
        if _unstorable([*args, *kwargs.values()]):
            return None
        return method(self, *args, **kwargs)

    return cast(F, wrapper)


def check_storable(*values: Any) -> None:
    """Refuse to write strings (or dataclass fields) no store can hold.

    :raises ValueError: a value holds NUL or a lone surrogate.
    """
    flat: list[Any] = []
    for value in values:
        is_record = dataclasses.is_dataclass(value) and not isinstance(value, type)
        flat.extend(dataclasses.astuple(value) if is_record else (value,))
    if _unstorable(flat):
        raise ValueError("value holds characters that cannot be stored (NUL or lone surrogate)")
