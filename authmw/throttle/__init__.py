"""Throttling of credentials and e-mail sign-ins (S-A5): options, storage and the guard."""

from __future__ import annotations

from .guard import Throttle as Throttle
from .guard import client_address as client_address
from .guard import normalize_account as normalize_account
from .options import LIMIT_NAMES as LIMIT_NAMES
from .options import RateLimits as RateLimits
from .options import coerce_rate_limits as coerce_rate_limits

__all__ = [
    "LIMIT_NAMES",
    "RateLimits",
    "Throttle",
    "client_address",
    "coerce_rate_limits",
    "normalize_account",
]
