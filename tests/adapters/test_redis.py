"""RedisAdapter specifics: key layout, TTLs, index clean-up, outages and recovery."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
import redis

from authmw.adapters import Account, AdapterUnavailable, NewUser, VerificationToken
from authmw.adapters.redis import RedisAdapter


@pytest.fixture
def adapter(redis_url: str) -> Iterator[RedisAdapter]:
    made = RedisAdapter(redis_url, prefix=f"authmw-test:{uuid.uuid4().hex}:")
    yield made
    keys = list(made.client.scan_iter(match=f"{made.prefix}*"))
    if keys:
        made.client.delete(*keys)
    made.close()


def keys(adapter: RedisAdapter) -> set[str]:
    return {str(key) for key in adapter.client.scan_iter(match=f"{adapter.prefix}*")}


def in_an_hour() -> datetime:
    return datetime.now(UTC).replace(microsecond=0) + timedelta(hours=1)


def test_delete_user_removes_every_key(adapter: RedisAdapter) -> None:
    user = adapter.create_user(NewUser(name="A", email="a@x.test"))
    adapter.link_account(Account(user.id, "oauth", "github", "1", access_token="t"))
    adapter.link_account(Account(user.id, "oidc", "google", "2"))
    adapter.create_session("hash-1", user.id, in_an_hour())
    assert len(keys(adapter)) == 7
    adapter.delete_user(user.id)
    assert keys(adapter) == set()


def test_unlink_and_sign_out_clean_their_indexes(adapter: RedisAdapter) -> None:
    user = adapter.create_user(NewUser())
    adapter.link_account(Account(user.id, "oauth", "github", "1"))
    adapter.create_session("hash-1", user.id, in_an_hour())
    adapter.unlink_account("github", "1")
    adapter.delete_session("hash-1")
    assert keys(adapter) == {f"{adapter.prefix}user:{user.id}"}


def test_sessions_and_tokens_expire_at_their_expiry(adapter: RedisAdapter) -> None:
    user = adapter.create_user(NewUser())
    expires = in_an_hour()
    adapter.create_session("hash-1", user.id, expires)
    adapter.create_verification_token(VerificationToken("a@x.test", "t", expires))
    expected_ms = expires.timestamp() * 1000
    for key in adapter.client.scan_iter(match=f"{adapter.prefix}*"):
        if ":session:" in key or ":vt:" in key:
            assert adapter.client.pexpiretime(key) == expected_ms
    adapter.update_session("hash-1", expires + timedelta(days=1))
    assert adapter.client.pexpiretime(f"{adapter.prefix}session:hash-1") == expected_ms + 86_400_000


def test_two_part_keys_do_not_collide(adapter: RedisAdapter) -> None:
    first, second = adapter.create_user(NewUser()), adapter.create_user(NewUser())
    adapter.link_account(Account(first.id, "oauth", "a:b", "c"))
    adapter.link_account(Account(second.id, "oauth", "a", "b:c"))
    assert adapter.get_user_by_account("a:b", "c") == first
    assert adapter.get_user_by_account("a", "b:c") == second
    adapter.create_verification_token(VerificationToken("x:y", "z", in_an_hour()))
    assert adapter.use_verification_token("x", "y:z") is None


def test_client_without_decoded_responses(redis_url: str) -> None:
    client = redis.Redis.from_url(redis_url)
    adapter = RedisAdapter(client, prefix=f"authmw-test:{uuid.uuid4().hex}:")
    try:
        user = adapter.create_user(NewUser(email="a@x.test"))
        adapter.link_account(Account(user.id, "oauth", "github", "1", expires_at=5))
        adapter.create_session("hash-1", user.id, in_an_hour())
        assert adapter.get_user_by_account("github", "1") == user
        assert adapter.get_session_and_user("hash-1") is not None
        adapter.create_verification_token(VerificationToken("a@x.test", "t", in_an_hour()))
        assert adapter.use_verification_token("a@x.test", "t") is not None
        adapter.delete_user(user.id)
        assert list(client.scan_iter(match=f"{adapter.prefix}*")) == []
    finally:
        adapter.close()
        client.close()


def test_R_7_redis_down_is_unavailable_quickly() -> None:
    adapter = RedisAdapter("redis://127.0.0.1:1/0", timeout=1)
    started = time.monotonic()
    with pytest.raises(AdapterUnavailable):
        adapter.get_user("x")
    assert time.monotonic() - started < 3
    adapter.close()


def test_R_7_redis_recovers_after_its_connection_is_killed(
    adapter: RedisAdapter, redis_url: str
) -> None:
    user = adapter.create_user(NewUser(email="a@x.test"))
    own_id = adapter.client.client_id()
    with redis.Redis.from_url(redis_url) as admin:
        assert admin.client_kill_filter(_id=own_id) == 1
    assert adapter.get_user(user.id) == user


def test_R_14_verification_tokens_vanish_at_their_expiry(adapter: RedisAdapter) -> None:
    soon = datetime.now(UTC) + timedelta(milliseconds=300)
    adapter.create_verification_token(VerificationToken("a@x.test", "t", soon))
    (key,) = [key for key in keys(adapter) if ":vt:" in key]
    assert abs(adapter.client.pexpiretime(key) - soon.timestamp() * 1000) <= 1
    time.sleep(0.5)
    assert adapter.client.exists(key) == 0  # Redis removed it: nothing to purge
