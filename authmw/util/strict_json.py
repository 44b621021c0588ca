"""The one strict JSON reading: no duplicate keys, no ``NaN``/``Infinity``, objects only."""

from __future__ import annotations

import json
from typing import Any

__all__ = ["DECODER", "no_duplicate_keys", "parse_object"]


def no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """``object_pairs_hook`` refusing an object that names a key twice."""
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise ValueError("duplicate JSON key")
        result[key] = value
    return result


def _no_constants(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


#: A decoder with both checks; ``DECODER.decode(text)`` raises ``ValueError`` on bad input.
DECODER = json.JSONDecoder(object_pairs_hook=no_duplicate_keys, parse_constant=_no_constants)


def parse_object(data: bytes | str) -> dict[str, Any] | None:
    """*data* as a JSON object, or ``None`` (not UTF-8, not JSON, not an object, a duplicate
    key, a ``NaN``/``Infinity`` constant, or nested too deep to parse)."""
    try:
        text = data.decode("utf-8") if isinstance(data, bytes) else data
        value = DECODER.decode(text)
    except (ValueError, UnicodeDecodeError, RecursionError):  # B-J1: deep nesting
        return None
    return value if isinstance(value, dict) else None
