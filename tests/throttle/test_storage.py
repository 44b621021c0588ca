"""The `limits` storage over SharedState: limits' own fixed-window strategy on top of it."""

from __future__ import annotations

import time

import pytest
from limits import parse
from limits.strategies import FixedWindowRateLimiter

from authmw.errors import ConfigurationError
from authmw.state import MemoryState
from authmw.throttle import RateLimits, coerce_rate_limits
from authmw.throttle.storage import SharedStateStorage


def test_S_A5_fixed_window_over_shared_state() -> None:
    state = MemoryState()
    limiter = FixedWindowRateLimiter(SharedStateStorage(state))
    item = parse("2/minute")
    assert limiter.hit(item, "k") and limiter.hit(item, "k")
    assert not limiter.hit(item, "k") and not limiter.test(item, "k")
    assert limiter.hit(item, "other")  # keys are independent
    stats = limiter.get_window_stats(item, "k")
    assert stats.remaining == 0 and 0 < stats.reset_time - time.time() <= 60
    limiter.clear(item, "k")
    assert limiter.test(item, "k")
    assert all(key.startswith("throttle:") for key in state._entries)


def test_S_A5_defaults_and_switching_off() -> None:
    assert set(coerce_rate_limits(None).items()) == {
        "credentials_per_account",
        "credentials_per_client",
        "email_per_address",
        "email_per_client",
    }
    assert coerce_rate_limits(False).items() == {}
    partial = coerce_rate_limits({"email_per_client": None, "email_per_address": "3 per hour"})
    assert partial.items()["email_per_address"].amount == 3
    assert "email_per_client" not in partial.items()
    assert isinstance(coerce_rate_limits(RateLimits()), RateLimits)
    with pytest.raises(ConfigurationError, match="did you mean"):
        coerce_rate_limits({"emails_per_address": "1/hour"})
