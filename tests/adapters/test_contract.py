"""One contract every adapter meets, run on a SQLite file, PostgreSQL and Redis."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
import time_machine

from authmw.adapters import (
    Account,
    Adapter,
    AdapterError,
    AdapterSession,
    AdapterUnavailable,
    DuplicateError,
    NewUser,
    NotFoundError,
    User,
    VerificationToken,
)

from .conftest import Backend

THREADS = 20
SECRET = "ya29.SECRET-access-token"


def soon(**delta: float) -> datetime:
    return datetime.now(UTC).replace(microsecond=0) + timedelta(**(delta or {"hours": 1}))


def new_user(adapter: Adapter, email: str | None = None) -> User:
    return adapter.create_user(NewUser(name="Ada", email=email or f"{uuid.uuid4().hex}@x.test"))


def account(user_id: str, provider_account_id: str = "12345", **extra: Any) -> Account:
    return Account(user_id, "oauth", "github", provider_account_id, **extra)


def race(count: int, func: Callable[[], Any]) -> list[Any]:
    """Run *func* in *count* threads released together; each result or raised error."""
    barrier = threading.Barrier(count, timeout=10)

    def one() -> Any:
        barrier.wait()
        try:
            return func()
        except AdapterError as error:
            return error

    with ThreadPoolExecutor(count) as pool:
        return [f.result(timeout=30) for f in [pool.submit(one) for _ in range(count)]]


def test_adapter_satisfies_protocol(adapter: Adapter) -> None:
    assert isinstance(adapter, Adapter)


# Users


def test_create_and_get_user(adapter: Adapter) -> None:
    verified = datetime(2024, 5, 1, 12, 30, 15, 123456, tzinfo=timezone(timedelta(hours=2)))
    user = adapter.create_user(
        NewUser(name="Ada", email="ada@x.test", email_verified=verified, image="https://i/a.png")
    )
    assert len(user.id) == 32 and int(user.id, 16) >= 0
    assert user == User(user.id, "Ada", "ada@x.test", verified, "https://i/a.png")
    assert user.email_verified is not None and user.email_verified.tzinfo == UTC
    assert adapter.get_user(user.id) == user
    assert adapter.get_user_by_email("ada@x.test") == user
    stored = adapter.get_user(user.id)
    assert stored is not None and stored.email_verified is not None
    assert stored.email_verified.utcoffset() == timedelta(0)


def test_missing_users_are_none(adapter: Adapter) -> None:
    assert adapter.get_user(uuid.uuid4().hex) is None
    assert adapter.get_user_by_email("nobody@x.test") is None
    assert adapter.get_user_by_account("github", "nobody") is None


def test_users_without_email_do_not_collide(adapter: Adapter) -> None:
    first = adapter.create_user(NewUser(name="A"))
    second = adapter.create_user(NewUser())
    assert first.id != second.id
    assert adapter.get_user(second.id) == User(second.id)


def test_R_2_duplicate_email_raises_duplicate_error(adapter: Adapter) -> None:
    new_user(adapter, "same@x.test")
    with pytest.raises(DuplicateError):
        new_user(adapter, "same@x.test")


def test_a_given_id_is_kept_and_cannot_be_taken_twice(adapter: Adapter) -> None:
    kept = adapter.create_user(NewUser(email="kept@example.com", id="app-42"))
    assert kept.id == "app-42" and adapter.get_user("app-42") == kept
    with pytest.raises(DuplicateError):
        adapter.create_user(NewUser(email="other@example.com", id="app-42"))
    with pytest.raises(DuplicateError):
        adapter.create_user(NewUser(id="app-42"))
    assert adapter.get_user_by_email("other@example.com") is None


def test_update_user(adapter: Adapter) -> None:
    user = adapter.create_user(NewUser(name="Ada", email="old@x.test", image="img"))
    verified = soon()
    updated = adapter.update_user(
        user.id, name="Ada L.", email="new@x.test", email_verified=verified, image=None
    )
    assert updated == User(user.id, "Ada L.", "new@x.test", verified, None)
    assert adapter.get_user(user.id) == updated
    assert adapter.get_user_by_email("new@x.test") == updated
    assert adapter.get_user_by_email("old@x.test") is None
    assert adapter.update_user(user.id) == updated
    new_user(adapter, "old@x.test")  # the old address is free again


def test_update_user_errors(adapter: Adapter) -> None:
    user = new_user(adapter)
    other = new_user(adapter)
    with pytest.raises(DuplicateError):
        adapter.update_user(user.id, email=other.email)
    assert adapter.get_user(user.id) == user
    with pytest.raises(NotFoundError):
        adapter.update_user(uuid.uuid4().hex, name="x")
    with pytest.raises(NotFoundError):
        adapter.update_user(uuid.uuid4().hex)
    with pytest.raises(TypeError):
        adapter.update_user(user.id, id="hijack")


def test_naive_datetimes_are_refused(adapter: Adapter) -> None:
    user = new_user(adapter)
    naive = datetime(2030, 1, 1)
    with pytest.raises(ValueError, match="naive"):
        adapter.create_session("tok", user.id, naive)
    with pytest.raises(ValueError, match="naive"):
        adapter.create_verification_token(VerificationToken("a@x.test", "t", naive))
    with pytest.raises(ValueError, match="naive"):
        adapter.create_user(NewUser(email_verified=naive))


# Accounts


def test_link_account_and_find_user(adapter: Adapter) -> None:
    user = new_user(adapter)
    linked = account(
        user.id, access_token=SECRET, refresh_token="r", expires_at=1_900_000_000, scope="a b"
    )
    assert adapter.link_account(linked) == linked
    assert adapter.get_user_by_account("github", "12345") == user
    assert adapter.get_user_by_account("gitlab", "12345") is None
    with pytest.raises(DuplicateError):
        adapter.link_account(account(new_user(adapter).id))
    with pytest.raises(NotFoundError):
        adapter.link_account(account(uuid.uuid4().hex, "999"))


def test_unlink_account(adapter: Adapter) -> None:
    user = new_user(adapter)
    adapter.link_account(account(user.id))
    adapter.link_account(account(user.id, "other"))
    adapter.unlink_account("github", "12345")
    assert adapter.get_user_by_account("github", "12345") is None
    assert adapter.get_user_by_account("github", "other") == user
    adapter.unlink_account("github", "12345")  # absent: no-op
    adapter.link_account(account(new_user(adapter).id))  # the id is free again


def test_A_PS1_account_ids_and_emails_are_case_sensitive(adapter: Adapter) -> None:
    upper, lower = new_user(adapter, "Ada@X.test"), new_user(adapter, "ada@x.test")
    adapter.link_account(account(upper.id, "AbC"))
    adapter.link_account(account(lower.id, "abc"))
    adapter.link_account(Account(lower.id, "oauth", "GitHub", "AbC"))
    assert adapter.get_user_by_account("github", "AbC") == upper
    assert adapter.get_user_by_account("github", "abc") == lower
    assert adapter.get_user_by_account("github", "ABC") is None
    assert adapter.get_user_by_account("GitHub", "AbC") == lower
    assert adapter.get_user_by_email("Ada@X.test") == upper
    assert adapter.get_user_by_email("ADA@x.test") is None


# Sessions


def test_session_lifecycle(adapter: Adapter) -> None:
    user = new_user(adapter)
    expires = soon()
    session = adapter.create_session("hash-1", user.id, expires)
    assert session == AdapterSession("hash-1", user.id, expires)
    assert adapter.get_session_and_user("hash-1") == (session, user)
    later = soon(days=30)
    assert adapter.update_session("hash-1", later) == AdapterSession("hash-1", user.id, later)
    found = adapter.get_session_and_user("hash-1")
    assert found is not None and found[0].expires == later and found[0].expires.tzinfo == UTC
    adapter.delete_session("hash-1")
    assert adapter.get_session_and_user("hash-1") is None
    adapter.delete_session("hash-1")  # absent: no-op
    assert adapter.get_session_and_user("HASH-1") is None


def test_session_errors(adapter: Adapter) -> None:
    with pytest.raises(NotFoundError):
        adapter.create_session("hash-x", uuid.uuid4().hex, soon())
    assert adapter.update_session("hash-x", soon()) is None
    assert adapter.get_session_and_user("hash-x") is None


def test_R_5_renewal_never_resurrects_a_deleted_session(adapter: Adapter) -> None:
    user = new_user(adapter)
    adapter.create_session("hash-1", user.id, soon())
    adapter.delete_session("hash-1")
    assert adapter.update_session("hash-1", soon(days=30)) is None
    assert adapter.get_session_and_user("hash-1") is None


def test_expired_session_is_absent_and_deleted(adapter: Adapter) -> None:
    user = new_user(adapter)
    adapter.create_session("hash-1", user.id, soon(minutes=1))
    adapter.create_session("hash-2", user.id, soon(minutes=1))
    with time_machine.travel(soon(minutes=1), tick=False):  # exactly at expiry
        assert adapter.get_session_and_user("hash-1") is None
    # Back in the present the row would be valid, so None proves it was deleted.
    assert adapter.get_session_and_user("hash-1") is None
    assert adapter.get_session_and_user("hash-2") is not None


# Deleting users


def test_delete_user_cascades(adapter: Adapter) -> None:
    user = new_user(adapter, "gone@x.test")
    keep = new_user(adapter)
    adapter.link_account(account(user.id))
    adapter.create_session("hash-1", user.id, soon())
    adapter.create_session("hash-keep", keep.id, soon())
    adapter.delete_user(user.id)
    assert adapter.get_user(user.id) is None
    assert adapter.get_user_by_email("gone@x.test") is None
    assert adapter.get_user_by_account("github", "12345") is None
    assert adapter.get_session_and_user("hash-1") is None
    assert adapter.get_session_and_user("hash-keep") is not None
    again = new_user(adapter, "gone@x.test")
    adapter.link_account(account(again.id))
    adapter.create_session("hash-1", again.id, soon())
    assert adapter.get_session_and_user("hash-1") is not None
    adapter.delete_user(uuid.uuid4().hex)  # absent: no-op


# Verification tokens


def test_verification_token_is_used_once(adapter: Adapter) -> None:
    token = VerificationToken("a@x.test", "hashed-token", soon())
    assert adapter.create_verification_token(token) == token
    with pytest.raises(DuplicateError):
        adapter.create_verification_token(token)
    used = adapter.use_verification_token("a@x.test", "hashed-token")
    assert used == token and used.expires.tzinfo == UTC
    assert adapter.use_verification_token("a@x.test", "hashed-token") is None


def test_A_NA7_token_lookup_needs_identifier_and_token(adapter: Adapter) -> None:
    adapter.create_verification_token(VerificationToken("a@x.test", "right", soon()))
    adapter.create_verification_token(VerificationToken("b@x.test", "other", soon()))
    assert adapter.use_verification_token("a@x.test", "wrong") is None
    assert adapter.use_verification_token("a@x.test", "other") is None
    assert adapter.use_verification_token("b@x.test", "right") is None
    assert adapter.use_verification_token("A@x.test", "right") is None
    assert adapter.use_verification_token("a@x.test", "RIGHT") is None
    assert adapter.use_verification_token("a@x.test", "right") is not None
    assert adapter.use_verification_token("b@x.test", "other") is not None


def test_expired_verification_token_is_none_and_removed(adapter: Adapter) -> None:
    adapter.create_verification_token(VerificationToken("a@x.test", "t", soon(minutes=1)))
    with time_machine.travel(soon(minutes=1), tick=False):
        assert adapter.use_verification_token("a@x.test", "t") is None
    assert adapter.use_verification_token("a@x.test", "t") is None
    adapter.create_verification_token(VerificationToken("a@x.test", "t", soon()))  # key free


def test_already_expired_token_is_never_usable(adapter: Adapter) -> None:
    past = soon(minutes=-5)
    adapter.create_verification_token(VerificationToken("a@x.test", "old", past))
    assert adapter.use_verification_token("a@x.test", "old") is None


# Concurrency


@pytest.mark.parametrize("iteration", range(5))
def test_B_E6_R_3_concurrent_token_use_has_one_winner(adapter: Adapter, iteration: int) -> None:
    token = VerificationToken("a@x.test", f"race-{iteration}", soon())
    adapter.create_verification_token(token)
    results = race(THREADS, lambda: adapter.use_verification_token("a@x.test", token.token))
    assert [r for r in results if isinstance(r, Exception)] == []
    assert [r for r in results if r is not None] == [token]


def test_R_2_concurrent_creation_of_one_email_makes_one_user(adapter: Adapter) -> None:
    results = race(THREADS, lambda: adapter.create_user(NewUser(email="race@x.test")))
    users = [r for r in results if isinstance(r, User)]
    assert len(users) == 1
    assert all(isinstance(r, DuplicateError) for r in results if not isinstance(r, User))
    assert adapter.get_user_by_email("race@x.test") == users[0]


def test_R_2_concurrent_linking_of_one_account_links_once(adapter: Adapter) -> None:
    users = [new_user(adapter) for _ in range(THREADS)]
    pending = iter(users)
    lock = threading.Lock()

    def link() -> Account:
        with lock:
            user = next(pending)
        return adapter.link_account(account(user.id))

    results = race(THREADS, link)
    linked = [r for r in results if isinstance(r, Account)]
    assert len(linked) == 1
    assert all(isinstance(r, DuplicateError) for r in results if not isinstance(r, Account))
    found = adapter.get_user_by_account("github", "12345")
    assert found is not None and found.id == linked[0].user_id


# Hostile input

HOSTILE = ["a\x00b", "\udcff", "x" * 100_000, "' OR 1=1 --", "*", "a:b:c"]


@pytest.mark.parametrize("value", HOSTILE)
def test_hostile_lookups_are_absent_never_errors(adapter: Adapter, value: str) -> None:
    new_user(adapter)
    assert adapter.get_user(value) is None
    assert adapter.get_user_by_email(value) is None
    assert adapter.get_user_by_account(value, value) is None
    assert adapter.get_session_and_user(value) is None
    assert adapter.update_session(value, soon()) is None
    assert adapter.use_verification_token(value, value) is None
    adapter.delete_session(value)
    adapter.unlink_account(value, value)
    adapter.delete_user(value)


@pytest.mark.parametrize("value", ["a\x00b", "\udcff"])
def test_unstorable_values_are_refused_on_write(adapter: Adapter, value: str) -> None:
    user = new_user(adapter)
    with pytest.raises(ValueError):
        adapter.create_user(NewUser(email=value))
    with pytest.raises(ValueError):
        adapter.update_user(user.id, name=value)
    with pytest.raises(ValueError):
        adapter.link_account(account(user.id, value))
    with pytest.raises(ValueError):
        adapter.create_session(value, user.id, soon())
    with pytest.raises(ValueError):
        adapter.create_verification_token(VerificationToken(value, "t", soon()))


# Failure


def test_R_7_database_down_raises_unavailable_quickly(backend: Backend) -> None:
    down = backend.down()
    calls: list[Callable[[], Any]] = [
        lambda: down.get_user("x"),
        lambda: down.create_user(NewUser(email="a@x.test")),
        lambda: down.get_session_and_user("hash-1"),
        lambda: down.use_verification_token("a@x.test", SECRET),
    ]
    for call in calls:
        started = time.monotonic()
        with pytest.raises(AdapterUnavailable) as caught:
            call()
        assert time.monotonic() - started < 3
        assert SECRET not in str(caught.value)
        assert caught.value.__cause__ is None and caught.value.__suppress_context__


def test_error_messages_hold_no_secrets(adapter: Adapter) -> None:
    token = VerificationToken("a@x.test", SECRET, soon())
    adapter.create_verification_token(token)
    with pytest.raises(DuplicateError) as caught:
        adapter.create_verification_token(token)
    assert SECRET not in str(caught.value) and SECRET not in repr(caught.value)
    user = new_user(adapter)
    adapter.create_session(SECRET, user.id, soon())
    with pytest.raises(DuplicateError) as caught:
        adapter.create_session(SECRET, user.id, soon())
    assert SECRET not in str(caught.value)


def test_A_DA4_records_redact_secrets_in_repr() -> None:
    secrets = [SECRET, "refresh-SECRET", "id-token-SECRET", "state-SECRET"]
    full = Account(
        "u1",
        "oidc",
        "google",
        "42",
        access_token=secrets[0],
        refresh_token=secrets[1],
        id_token=secrets[2],
        session_state=secrets[3],
        scope="openid email",
    )
    records: list[object] = [
        full,
        AdapterSession(SECRET, "u1", soon()),
        VerificationToken("a@x.test", SECRET, soon()),
    ]
    for record in records:
        for text in (repr(record), str(record), f"{record}", repr([record])):
            assert not any(secret in text for secret in secrets), text
            assert "<redacted>" in text
    assert "provider='google'" in repr(full) and "scope='openid email'" in repr(full)
    assert "expires_at=None" in repr(full) and "token_type=None" in repr(full)


def test_S_S4_delete_sessions_of_user_ends_only_that_users_sessions(adapter: Adapter) -> None:
    user, other = new_user(adapter), new_user(adapter)
    adapter.create_session("hash-1", user.id, soon())
    adapter.create_session("hash-2", user.id, soon(days=3))
    adapter.create_session("hash-3", other.id, soon())
    adapter.delete_sessions_of_user(user.id)  # type: ignore[attr-defined]
    assert adapter.get_session_and_user("hash-1") is None
    assert adapter.get_session_and_user("hash-2") is None
    assert adapter.get_session_and_user("hash-3") is not None
    adapter.delete_sessions_of_user(user.id)  # type: ignore[attr-defined]  # none left: no-op
    adapter.delete_sessions_of_user("nobody\x00")  # type: ignore[attr-defined]  # hostile: no-op
    assert adapter.update_session("hash-2", soon(days=30)) is None  # never resurrected
