"""AtMostEvery: the first call is due, then at most once per interval; None never."""

from __future__ import annotations

import pytest

from authmw.errors import ConfigurationError
from authmw.util.periodic import AtMostEvery


def test_R_14_due_at_most_once_per_interval() -> None:
    now = [100.0]
    every = AtMostEvery(600, clock=lambda: now[0])
    assert every.due() is True
    now[0] += 599
    assert every.due() is False
    now[0] += 1
    assert every.due() is True and every.due() is False


def test_zero_is_always_due_and_none_never() -> None:
    always, never = AtMostEvery(0), AtMostEvery(None)
    assert [always.due() for _ in range(3)] == [True, True, True]
    assert [never.due() for _ in range(3)] == [False, False, False]


@pytest.mark.parametrize("bad", [-1, True])
def test_a_negative_or_boolean_interval_is_a_configuration_error(bad: float) -> None:
    with pytest.raises(ConfigurationError):
        AtMostEvery(bad)
