"""Outbound calls cannot tie up the workers (R-6, P-F3): a deadline per call, capped bodies,
one fetch for many callers, and no retry storm against a failing identity provider.

Each test runs against :class:`~tests.providers.slow_server.SlowServer`, a real socket server
on 127.0.0.1 that waits, drips or streams on purpose.
"""

from __future__ import annotations

import json
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import webtest

from authmw import Auth
from authmw.providers.http import HttpClient, ProviderHTTPError
from authmw.providers.jwks import KeyCache
from authmw.providers.oidc import OIDCProvider
from tests.providers import idp
from tests.providers.slow_server import SlowServer, timed

SLACK = 0.5
JWKS = json.dumps({"keys": [idp._KEYS[0].as_dict(private=False)]}).encode()


def test_R_6_a_dripped_body_is_cut_at_the_deadline() -> None:
    """One byte per 100 ms passes every per-read timeout; the call still ends at 1 s."""
    with SlowServer(b"{" + b" " * 100 + b"}", drip=0.1) as server:
        error, took = timed(lambda: HttpClient(timeout=1).get_json(server.base + "/token"))
    assert isinstance(error, ProviderHTTPError) and "took longer than 1 s" in error.reason
    assert 0.9 < took < 1 + SLACK


def test_R_6_slow_headers_end_at_the_deadline() -> None:
    with SlowServer(delay=5) as server:
        error, took = timed(lambda: HttpClient(timeout=1).get_json(server.base + "/token"))
    assert isinstance(error, ProviderHTTPError) and "timeout" in error.reason
    assert took < 1 + SLACK


def test_R_6_a_tuple_timeout_makes_a_deadline_of_its_sum() -> None:
    client = HttpClient(timeout=(0.5, 1))
    assert client.deadline == 1.5
    with SlowServer(b"{" + b" " * 100 + b"}", drip=0.1) as server:
        error, took = timed(lambda: client.get_json(server.base + "/jwks"))
    assert isinstance(error, ProviderHTTPError) and took < 1.5 + SLACK


def test_R_6_P_C4_an_endless_body_is_refused_while_it_streams() -> None:
    """No Content-Length and no end: the cap is counted while reading, not after."""
    client = HttpClient(timeout=5, max_body=100_000)
    with SlowServer(endless=True) as server:
        error, took = timed(lambda: client.get_json(server.base + "/userinfo"))
    assert isinstance(error, ProviderHTTPError) and error.reason == "response too large"
    assert took < 1


def test_R_6_R_13_P_F3_twenty_concurrent_key_lookups_cost_one_fetch() -> None:
    cache = KeyCache(HttpClient(timeout=2), cooldown=60)
    with SlowServer(JWKS, delay=0.5) as server, ThreadPoolExecutor(20) as pool:
        start = time.monotonic()
        found = list(pool.map(lambda _: cache.candidates(server.base, "k1", "RS256"), range(20)))
        took = time.monotonic() - start
        assert server.hits == 1
    assert all([k.kid for k in keys] == ["k1"] for keys in found)
    assert took < 2 + SLACK


def test_R_6_R_13_callers_waiting_for_a_stalled_fetch_give_up_at_the_deadline() -> None:
    cache = KeyCache(HttpClient(timeout=1), cooldown=60)
    with SlowServer(JWKS, delay=5) as server, ThreadPoolExecutor(10) as pool:
        start = time.monotonic()
        found = list(pool.map(lambda _: cache.candidates(server.base, "k1", "RS256"), range(10)))
        took = time.monotonic() - start
        assert server.hits == 1
    assert found == [[]] * 10 and took < 1 + SLACK


def test_R_6_R_13_P_F3_an_empty_key_set_is_not_fetched_again_on_every_callback() -> None:
    cache = KeyCache(HttpClient(timeout=1), cooldown=60)
    with SlowServer(b'{"keys": []}') as server:
        for _ in range(10):
            assert cache.candidates(server.base, "k1", "RS256") == []
        assert server.hits == 1


def test_R_6_R_13_P_F3_a_failing_key_set_keeps_the_cached_keys_and_is_not_hammered() -> None:
    cache = KeyCache(HttpClient(timeout=1), ttl=0.01, cooldown=60)
    with SlowServer(JWKS) as server:
        assert [k.kid for k in cache.candidates(server.base, "k1", "RS256")] == ["k1"]
        server.status = 503
        time.sleep(0.02)  # past the TTL: the next lookup refetches, and that fails
        for _ in range(10):
            assert [k.kid for k in cache.candidates(server.base, "k1", "RS256")] == ["k1"]
        assert cache.candidates(server.base, "rotated", "RS256") == []
        assert server.hits == 2


# -- through the sign-in endpoint -------------------------------------------------------------


def discovery_document(base: str) -> bytes:
    return json.dumps(
        {"issuer": base, "authorization_endpoint": f"{base}/authorize",
         "token_endpoint": f"{base}/token", "jwks_uri": f"{base}/jwks"}
    ).encode()  # fmt: skip


def browsers(server: SlowServer, count: int, **options: Any) -> list[webtest.TestApp]:
    """*count* browsers (own cookies) on one authmw app whose OIDC issuer is *server*."""
    provider = OIDCProvider(
        id="oidc", name="OP", issuer=server.base, client_id="c", client_secret="s",
        allow_loopback_http=True, **options,
    )  # fmt: skip
    wsgi = Auth(secret=idp.SECRET, url="http://localhost", providers=[provider]).wrap(idp.echo_app)
    return [webtest.TestApp(wsgi) for _ in range(count)]


def test_R_6_R_13_twenty_concurrent_sign_ins_cost_one_discovery_fetch() -> None:
    with SlowServer(delay=0.5) as server, ThreadPoolExecutor(20) as pool:
        server.body = discovery_document(server.base)
        apps = browsers(server, 20, timeout=2)
        start = time.monotonic()
        answers = list(pool.map(lambda app: idp.start(app, "oidc"), apps))
        took = time.monotonic() - start
        assert server.hits == 1
    assert all(a.headers["Location"].startswith(f"{server.base}/authorize?") for a in answers)
    assert took < 2 + SLACK


def test_R_6_R_13_P_F3_a_failing_discovery_is_not_retried_on_every_sign_in() -> None:
    with SlowServer(status=500) as server:
        (app,) = browsers(server, 1, timeout=1, discovery_cooldown=60)
        for _ in range(10):
            response, took = timed(lambda: idp.start(app, "oidc"))
            assert idp.error_of(response) == "OAuthSignin" and took < 1 + SLACK
        assert server.hits == 1


def test_R_6_R_13_a_discovery_that_comes_back_is_used_after_the_cooldown() -> None:
    with SlowServer(status=500) as server:
        (app,) = browsers(server, 1, timeout=1, discovery_cooldown=0.2)
        assert idp.error_of(idp.start(app, "oidc")) == "OAuthSignin"
        server.status, server.body = 200, discovery_document(server.base)
        time.sleep(0.25)
        assert idp.start(app, "oidc").headers["Location"].startswith(server.base)
        assert server.hits == 2
