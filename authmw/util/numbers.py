"""The one reading of a JSON number (token times, expiries)."""

from __future__ import annotations

import math

__all__ = ["finite_number"]


def finite_number(value: object) -> float | None:
    """A JSON number as a finite float; ``None`` for anything else (bools, strings, ``inf``)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    try:
        number = float(value)
    except OverflowError:
        return None
    return number if math.isfinite(number) else None  # JSON's 1e400 parses as inf
