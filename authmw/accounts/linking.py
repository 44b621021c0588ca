"""Users and linked accounts: who a sign-in is, when an adapter stores users (NextAuth's rules).

OAuth / OIDC sign-in:

1. a known provider account -> its user (``OAuthAccountNotLinked`` if someone else is signed
   in);
2. a signed-in user -> the new account is linked to them;
3. an unknown account whose e-mail belongs to a stored user -> ``OAuthAccountNotLinked``,
   unless the provider sets ``allow_dangerous_email_account_linking`` *and* the provider says
   the e-mail is verified (P-E2, P-E3);
4. else a new user is created and the account linked (events ``create_user``,
   ``link_account``; the sign-in is a sign-up).

E-mail sign-in finds the user by address (or creates one) and sets ``email_verified``.
Credentials sign-in with JWT sessions uses the user from ``authorize`` as is, as NextAuth does.
With database sessions the session row needs a stored user, so the ``authorize`` result is
treated as an account of the credentials provider keyed by its ``id``: it is linked to a new
stored user on first sign-in and found again afterwards; never linked to whoever is signed in.

Concurrent first sign-ins of one identity make exactly one user (R-2): a ``DuplicateError`` on
create or link is answered by reading what the other request stored.
"""

from __future__ import annotations

import dataclasses
import logging
import time
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from ..adapters.base import Account, AdapterError, DuplicateError, NewUser, User
from ..errors import AuthError
from ..providers.email import normalize_email
from ..session.database import guarded, user_dict

if TYPE_CHECKING:
    from ..adapters.base import Adapter
    from ..callbacks import Events
    from ..flow import FlowRequest
    from ..providers.base import Provider, SignInResult

log = logging.getLogger("authmw.users")

#: How long a request waits for a concurrent first sign-in of the same identity to finish.
_RETRIES = 20
_RETRY_DELAY = 0.05
_TOKEN_FIELDS = ("refresh_token", "access_token", "token_type", "scope", "id_token")


def _not_linked(detail: str) -> AuthError:
    return AuthError("OAuthAccountNotLinked", detail=detail)


class AccountLinking:
    """Resolves the user of a sign-in through the adapter; set on ``auth.users``.

    :param database_sessions: whether sessions are database rows (then credentials sign-ins
        need a stored user too).
    """

    def __init__(self, *, adapter: Adapter, events: Events, database_sessions: bool) -> None:
        self.adapter = adapter
        self.events = events
        self.database_sessions = database_sessions

    def resolve(
        self,
        ctx: FlowRequest,
        provider: Provider,
        result: SignInResult,
        account: Mapping[str, Any],
    ) -> tuple[dict[str, Any], bool]:
        """The user to sign in (the stored record over the provider's fields) and whether it
        was created now.

        :raises AuthError: ``OAuthAccountNotLinked``; ``Configuration`` (503) when the
            database is down; ``OAuthCreateAccount`` / ``EmailCreateAccount`` on other
            database errors.
        """
        try:
            found = guarded(lambda: provider.find_user(self, ctx, result, account))
        except AdapterError as exc:
            if isinstance(exc, AuthError):
                raise
            log.error("storing the user failed (%s)", type(exc).__name__)
            raise AuthError(provider.create_account_error, detail="adapter error") from None
        if found is None:
            return result.user, False
        user, is_new = found
        return {**result.user, **user_dict(user)}, is_new

    # -- what providers ask for (providers.base.UserFinder) ---------------------------------

    def by_account(
        self, ctx: FlowRequest, provider: Provider, result: SignInResult, account: Mapping[str, Any]
    ) -> tuple[User, bool]:
        """OAuth / OIDC: the user of the provider account (linked to whoever is signed in)."""
        return self._account(ctx, provider, result, account, link_current=True)

    def by_email(self, ctx: FlowRequest, result: SignInResult) -> tuple[User, bool]:
        """E-mail: the user with the verified address (created if new)."""
        return self._email(ctx, result)

    def by_authorized_user(
        self, ctx: FlowRequest, provider: Provider, result: SignInResult, account: Mapping[str, Any]
    ) -> tuple[User, bool] | None:
        """Credentials: ``authorize``'s user as is (JWT sessions), or a stored user keeping its
        id and reached by its address (database sessions need a stored user)."""
        if not self.database_sessions:
            return None
        return self._account(ctx, provider, result, account, vouched=True)

    # -- OAuth, OIDC and credentials ------------------------------------------------------

    def _account(
        self,
        ctx: FlowRequest,
        provider: Provider,
        result: SignInResult,
        account: Mapping[str, Any],
        *,
        link_current: bool = False,
        vouched: bool = False,
    ) -> tuple[User, bool]:
        """*vouched*: the app vouches for the user (credentials): keep its id, and reach an
        existing user by its address."""
        adapter = self.adapter
        record = _account_record(provider, result, account)
        key = (record.provider, record.provider_account_id)
        current = self._current_user(ctx) if link_current else None
        raced = False
        for attempt in range(_RETRIES):
            known: User | None = adapter.get_user_by_account(*key)
            if known is not None:
                if current is not None and current.id != known.id:
                    raise _not_linked("account belongs to another user")
                return known, False
            if current is not None:
                return self._link(current, record, result, created=False), False
            email = normalize_email(result.user.get("email"))
            owner: User | None = adapter.get_user_by_email(email) if email else None
            if owner is not None:
                if vouched or _may_link_by_email(provider, result):
                    return self._link(owner, record, result, created=False), False
                if not raced or attempt == _RETRIES - 1:
                    raise _not_linked("e-mail belongs to a user without this account")
                time.sleep(_RETRY_DELAY)  # the other request is about to link the account
                continue
            name, image = result.user.get("name"), result.user.get("image")
            new = NewUser(
                name=name if isinstance(name, str) else None,
                email=email,
                image=image if isinstance(image, str) else None,
                # credentials: the id authorize returned, the same as with jwt sessions
                id=str(result.user["id"]) if vouched else None,
            )
            try:
                user: User = adapter.create_user(new)
            except DuplicateError:
                raced = True
                continue
            self.events.emit("create_user", user=user_dict(user))
            linked = self._link(user, record, result, created=True)
            return linked, linked.id == user.id
        raise _not_linked("concurrent sign-in did not settle")

    def _link(self, user: User, record: Account, result: SignInResult, *, created: bool) -> User:
        account = dataclasses.replace(record, user_id=user.id)
        try:
            self.adapter.link_account(account)
        except DuplicateError:
            # Another request linked this account first: its user wins, ours goes.
            if created:
                self.adapter.delete_user(user.id)
            winner: User | None = self.adapter.get_user_by_account(
                record.provider, record.provider_account_id
            )
            if winner is None or (not created and winner.id != user.id):
                raise _not_linked("account was linked concurrently") from None
            return winner
        self.events.emit(
            "link_account", user=user_dict(user), account=account, profile=result.profile
        )
        return user

    # -- e-mail ---------------------------------------------------------------------------

    def _email(self, ctx: FlowRequest, result: SignInResult) -> tuple[User, bool]:
        adapter = self.adapter
        email = str(result.user["email"])
        current = self._current_user(ctx)
        for _ in range(2):
            owner: User | None = adapter.get_user_by_email(email)
            verified = datetime.now(UTC)
            if owner is not None:
                if current is not None and current.id != owner.id:
                    raise _not_linked("e-mail belongs to another user")
                updated: User = adapter.update_user(owner.id, email_verified=verified)
                self.events.emit("update_user", user=user_dict(updated))
                return updated, False
            try:
                user: User = adapter.create_user(NewUser(email=email, email_verified=verified))
            except DuplicateError:
                continue  # a concurrent sign-in created it: update that one
            self.events.emit("create_user", user=user_dict(user))
            return user, True
        raise AuthError("EmailCreateAccount", detail="could not store the user")

    # -- the signed-in user ---------------------------------------------------------------

    def _current_user(self, ctx: FlowRequest) -> User | None:
        """The stored user of the request's session, if any (read once, by the middleware)."""
        loaded = ctx.loaded_session
        if loaded is None or ctx.session is None:
            return None
        if isinstance(loaded.user, dict):  # database sessions load the user with the session
            return User(**loaded.user)
        sub = loaded.user_id
        if sub is None:
            return None
        stored: User | None = self.adapter.get_user(sub)
        return stored


def _account_record(
    provider: Provider, result: SignInResult, account: Mapping[str, Any]
) -> Account:
    """The adapter :class:`Account` (without its user) for a sign-in's account dict."""
    provider_account_id = account.get("providerAccountId")
    if provider_account_id in (None, ""):
        provider_account_id = result.user.get("id")
    tokens = {k: account[k] for k in _TOKEN_FIELDS if isinstance(account.get(k), str)}
    expires_at = account.get("expires_at")
    return Account(
        user_id="",
        type=str(account.get("type") or provider.type),
        provider=str(account.get("provider") or provider.id),
        provider_account_id=str(provider_account_id),
        expires_at=expires_at if isinstance(expires_at, int) else None,
        session_state=account.get("session_state")
        if isinstance(account.get("session_state"), str)
        else None,
        **tokens,
    )


def _may_link_by_email(provider: Provider, result: SignInResult) -> bool:
    """NextAuth's ``allowDangerousEmailAccountLinking``, and only for verified e-mail (P-E3).

    (A credentials sign-in reaches the user with its address without asking: ``authorize``
    vouches for it, and an account first made by an email link keeps its id.)
    """
    if getattr(provider, "allow_dangerous_email_account_linking", False) is not True:
        return False
    for source in (result.user, result.profile or {}):
        value = source.get("email_verified")
        if value is True or isinstance(value, datetime):
            return True
        if isinstance(value, str) and value.lower() == "true":
            return True
    return False
