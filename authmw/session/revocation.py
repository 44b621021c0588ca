"""The revocation list of JWT sessions (S-S4), kept in the shared state.

A JWT session cannot be deleted, so ending one means remembering it until no copy of it can
still be valid. Entries, all under ``revoked:`` in :class:`~authmw.state.SharedState`:

* ``jti:<jti>`` - one token (sign-out). Rolling keeps the ``jti``, so this ends every copy,
  rolled or not; the entry lives as long as any copy can (``keep`` seconds, capped by the
  absolute lifetime).
* ``user:<id>`` - every session of a user signed in up to now (``revoke_user``): its value
  is that moment, so later sign-ins are not affected.
* ``idp-sub:<provider>:<sub>`` / ``idp-sid:<provider>:<sid>`` - the sessions of an identity
  provider's user or session (back-channel logout), for tokens that carry :data:`IDP_CLAIM`.

For database sessions (deleted, not listed) it keeps their sign-in time (``signed-in:<hash>``,
for the absolute lifetime) and which rows belong to an identity provider's session
(``idp-rows:<provider>:<sid>``).

The per-request check is one :meth:`~authmw.state.SharedState.any_marker` call; only when a
user-wide entry exists is its time read. With the in-process :class:`~authmw.state.MemoryState`
the check is skipped entirely while nothing was ever revoked in this process (no other process
can write there); a shared store is always asked, since another worker may have revoked.
"""

from __future__ import annotations

import math
import time
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from ..state import MemoryState, SharedState
from ..util.numbers import finite_number
from .jwt import CLOCK_LEEWAY

__all__ = ["IDP_CLAIM", "Revocations", "signed_in_at"]

#: Token claim naming the identity-provider session a sign-in belongs to:
#: ``{"provider": id, "sub": sub, "sid": sid}`` (``sid`` may be absent).
IDP_CLAIM = "authmw_idp"
#: Most database sessions remembered per identity-provider session.
_MAX_ROWS = 20


def signed_in_at(claims: Mapping[str, Any]) -> float | None:
    """When the token's session began: ``auth_time``, else ``iat`` (tokens made by Next.js
    carry no ``auth_time``; their ``iat`` at first sight stands for it)."""
    for name in ("auth_time", "iat"):
        value = finite_number(claims.get(name))
        if value is not None:
            return value
    return None


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value and len(value) <= 512 else None


class Revocations:
    """Revoked sessions in *state*.

    :param max_age: ``session.max_age``: no copy of a session existing now stays valid longer
        (clock leeway added), so no entry is kept longer.
    :param absolute_max_age: the absolute lifetime, which may end a token's entry sooner.
    """

    def __init__(self, state: SharedState, *, max_age: int, absolute_max_age: int | None) -> None:
        self.state = state
        self._local = state if isinstance(state, MemoryState) else None
        self.max_age = max_age
        self.absolute_max_age = absolute_max_age

    def _until(self, started: float | None = None) -> datetime:
        end = time.time() + self.max_age
        if started is not None and self.absolute_max_age is not None:
            end = min(end, started + self.absolute_max_age)
        return datetime.fromtimestamp(math.ceil(end + CLOCK_LEEWAY), UTC)

    # -- the per-request check ----------------------------------------------------------

    def keys(self, claims: Mapping[str, Any]) -> tuple[list[str], list[str]]:
        """``(token keys, time-compared keys)`` that would revoke *claims*."""
        plain: list[str] = []
        timed: list[str] = []
        jti = _text(claims.get("jti"))
        if jti:
            plain.append(f"revoked:jti:{jti}")
        sub = _text(claims.get("sub"))
        if sub:
            timed.append(f"revoked:user:{sub}")
        idp = claims.get(IDP_CLAIM)
        if isinstance(idp, Mapping) and _text(idp.get("provider")):
            provider = idp["provider"]
            if _text(idp.get("sub")):
                timed.append(f"revoked:idp-sub:{provider}:{idp['sub']}")
            if _text(idp.get("sid")):
                plain.append(f"revoked:idp-sid:{provider}:{idp['sid']}")
        return plain, timed

    def is_revoked(self, claims: Mapping[str, Any]) -> bool:
        """Whether the session of *claims* was revoked: one store round trip when it was not.

        :raises AdapterUnavailable: the store is down (the caller treats it as anonymous).
        """
        if self._local is not None and not self._local.ever_written("revoked"):
            return False
        plain, timed = self.keys(claims)
        if not self.state.any_marker(plain + timed):
            return False
        if plain and self.state.any_marker(plain):  # one more round trip, not one per key
            return True
        started = signed_in_at(claims)
        for key in timed:
            moment = finite_number(_float(self.state.get_value(key)))
            if moment is not None and (started is None or started <= moment):
                return True
        return False

    # -- revoking -----------------------------------------------------------------------

    def revoke_token(self, claims: Mapping[str, Any]) -> bool:
        """Revoke the token of *claims* and every copy of it; ``False`` without a ``jti``."""
        jti = _text(claims.get("jti"))
        if jti is None:
            return False
        self.state.add_marker(f"revoked:jti:{jti}", self._until(signed_in_at(claims)))
        return True

    def revoke_user(self, user_id: str) -> None:
        """Revoke every session of *user_id* signed in until now (same second included)."""
        self._not_before(f"revoked:user:{user_id}")

    def revoke_idp_subject(self, provider_id: str, sub: str) -> None:
        """Revoke the sessions signed in until now through *provider_id* as *sub*."""
        self._not_before(f"revoked:idp-sub:{provider_id}:{sub}")

    def revoke_idp_session(self, provider_id: str, sid: str) -> None:
        """Revoke the sessions that belong to the identity provider's session *sid*."""
        self.state.add_marker(f"revoked:idp-sid:{provider_id}:{sid}", self._until())

    def _not_before(self, key: str) -> None:
        self.state.put_value(key, str(int(time.time())), self._until())

    # -- database sessions: sign-in times and identity-provider sessions ------------------

    @staticmethod
    def start_key(row: str) -> str:
        """The state key of database session *row*'s sign-in time (read with the session
        row in one round trip where the adapter offers ``load_session``)."""
        return f"signed-in:{row}"

    @staticmethod
    def start_from(value: str | None) -> float | None:
        """The sign-in time kept as *value* under :meth:`start_key`."""
        return finite_number(_float(value))

    def note_start(self, row: str, moment: float, until: datetime) -> None:
        """Note when database session *row* (its token hash) was signed in, until *until*."""
        self.state.put_value(self.start_key(row), str(int(moment)), until)

    def start_of(self, row: str) -> float | None:
        """When database session *row* was signed in, if noted."""
        return self.start_from(self.state.get_value(self.start_key(row)))

    def remember_idp_row(self, provider_id: str, sid: str, row: str, expires: datetime) -> None:
        """Note that database session *row* (its token hash) belongs to IdP session *sid*."""
        key = f"idp-rows:{provider_id}:{sid}"
        rows = [r for r in (self.state.get_value(key) or "").split() if r != row]
        self.state.put_value(key, " ".join([*rows[-(_MAX_ROWS - 1) :], row]), expires)

    def idp_rows(self, provider_id: str, sid: str) -> list[str]:
        """The database sessions (token hashes) noted for IdP session *sid*; forgets them."""
        key = f"idp-rows:{provider_id}:{sid}"
        rows = (self.state.get_value(key) or "").split()
        self.state.clear(key)
        return rows


def _float(value: str | None) -> float | None:
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None
