"""The one reading of Accept (authmw/util/negotiation.py)."""

from __future__ import annotations

import pytest

from authmw.util.negotiation import prefers_json


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        ("application/json", True),
        ("application/json, text/html;q=0.1", True),
        ("text/html;q=0.5, application/json", True),
        ("text/html, application/json", False),
        ("text/html, application/json;q=0.1", False),
        ("*/*", False),
        ("", False),
        (None, False),
        (b"application/json", False),
        ("application/json;q=0, text/html", False),
    ],
)
def test_prefers_json(accept: object, expected: bool) -> None:
    assert prefers_json(accept) is expected
