"""The access decision as pure functions (authmw/rules/decide.py)."""

from __future__ import annotations

from typing import Any

import pytest

from authmw.rules.decide import is_signed_in, refusal, roles_of

ALICE = {"user": {"id": "1", "role": "user"}}
ADMIN = {"user": {"id": "2", "roles": ["admin", "staff"]}}


@pytest.mark.parametrize(
    ("user", "roles"),
    [
        ({"role": "admin"}, {"admin"}),
        ({"roles": ["a", "b"]}, {"a", "b"}),
        ({"role": "a", "roles": ("b",)}, {"a", "b"}),
        ({"role": "", "roles": ["", 3, None, "ops"]}, {"ops"}),  # empty and non-strings ignored
        ({"roles": "admin"}, set()),  # a string is not a list of roles
        ("admin", set()),  # not a mapping
        (None, set()),
    ],
)
def test_roles_of(user: Any, roles: set[str]) -> None:
    assert roles_of(user) == roles


@pytest.mark.parametrize(
    ("session", "signed_in"),
    [(ALICE, True), (None, False), ({}, False), ({"user": "x"}, False), ("session", False)],
)
def test_is_signed_in_fails_closed(session: Any, signed_in: bool) -> None:
    assert is_signed_in(session) is signed_in


def test_refusal() -> None:
    assert refusal(None, unavailable=False) == "anonymous"
    assert refusal(None, unavailable=True) == "unavailable"
    assert refusal({"user": None}, unavailable=True) == "unavailable"
    assert refusal(ALICE, unavailable=False) is None
    assert refusal(ALICE, unavailable=False, roles=frozenset({"admin"})) == "forbidden"
    assert refusal(ADMIN, unavailable=False, roles=frozenset({"staff", "ops"})) is None
    assert refusal(ALICE, unavailable=False, roles=frozenset()) is None
