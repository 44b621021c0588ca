"""The shared-state contract (markers and counters), on memory, SQLite, PostgreSQL and Redis."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import time_machine

from authmw.adapters import AdapterUnavailable
from authmw.state import MemoryState, SharedState, state_for

from .conftest import BACKENDS, Backend, backend_named

THREADS = 20


@pytest.fixture(params=["memory", *BACKENDS])
def state(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[SharedState]:
    if request.param == "memory":
        yield MemoryState()
        return
    for backend in backend_named(request.param, tmp_path):
        shared, is_shared = state_for(backend.make())
        assert is_shared
        yield shared


def later(**delta: float) -> datetime:
    return datetime.now(UTC) + timedelta(**(delta or {"minutes": 5}))


def test_a_marker_is_added_once_and_then_seen(state: SharedState) -> None:
    assert not state.has_marker("revoked:a")
    assert state.add_marker("revoked:a", later())
    assert not state.add_marker("revoked:a", later())
    assert state.has_marker("revoked:a")
    assert not state.has_marker("revoked:b")


def test_an_expired_marker_is_gone_and_can_be_added_again(state: SharedState) -> None:
    assert state.add_marker("m", later(seconds=30))
    with time_machine.travel(later(seconds=31), tick=False):
        assert not state.has_marker("m")
        assert state.add_marker("m", later(minutes=5))
    assert state.has_marker("m")


def test_counters_count_within_one_window_and_restart_after_it(state: SharedState) -> None:
    end = later(minutes=15)
    assert state.count("c") == (0, None)
    count, first_end = state.increment("c", end)
    assert count == 1
    assert abs((first_end - end).total_seconds()) < 0.01
    assert state.increment("c", later(hours=9), amount=4)[0] == 5  # the window does not move
    count, window_end = state.count("c")
    assert count == 5
    assert window_end is not None and abs((window_end - end).total_seconds()) < 0.01
    with time_machine.travel(end + timedelta(seconds=1), tick=False):
        assert state.count("c") == (0, None)
        assert state.increment("c", later(hours=1))[0] == 1


def test_clear_forgets_a_key(state: SharedState) -> None:
    state.increment("c", later())
    state.add_marker("m", later())
    state.clear("c")
    state.clear("m")
    state.clear("never-there")
    assert state.count("c") == (0, None)
    assert not state.has_marker("m")


def test_concurrent_markers_have_exactly_one_winner(state: SharedState) -> None:
    with ThreadPoolExecutor(THREADS) as pool:
        wins = list(pool.map(lambda _: state.add_marker("race", later()), range(THREADS)))
    assert wins.count(True) == 1


def test_concurrent_increments_lose_no_count(state: SharedState) -> None:
    with ThreadPoolExecutor(THREADS) as pool:
        counts = list(pool.map(lambda _: state.increment("hits", later())[0], range(THREADS)))
    assert sorted(counts) == list(range(1, THREADS + 1))
    assert state.count("hits")[0] == THREADS


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(ValueError, match="naive"):
        MemoryState().add_marker("m", datetime.now())


def test_memory_state_stays_bounded() -> None:
    state = MemoryState(limit=3)
    for key in "abcd":
        state.add_marker(key, later())
    assert [state.has_marker(k) for k in "abcd"] == [False, True, True, True]


def test_without_a_store_the_state_is_in_process() -> None:
    state, shared = state_for(None)
    assert isinstance(state, MemoryState) and not shared


def test_a_store_that_is_down_raises_adapter_unavailable(backend: Backend) -> None:
    state, _ = state_for(backend.down())
    with pytest.raises(AdapterUnavailable):
        state.add_marker("m", later())
    with pytest.raises(AdapterUnavailable):
        state.count("c")


def test_any_marker_answers_for_a_list_of_keys_at_once(state: SharedState) -> None:
    assert not state.any_marker([])
    assert not state.any_marker(["a", "b"])
    state.add_marker("b", later())
    state.increment("expired", later(seconds=1))
    assert state.any_marker(["a", "b"])
    with time_machine.travel(later(seconds=2), tick=False):
        assert not state.any_marker(["a", "expired"])


def test_values_are_kept_replaced_and_expire(state: SharedState) -> None:
    assert state.get_value("v") is None
    state.put_value("v", "one", later(seconds=30))
    state.put_value("v", "two ü", later(seconds=30))
    assert state.get_value("v") == "two ü"
    with time_machine.travel(later(seconds=31), tick=False):
        assert state.get_value("v") is None
    state.clear("v")
    assert state.get_value("v") is None
