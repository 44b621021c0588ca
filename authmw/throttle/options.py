"""``Auth(rate_limits=...)``: which throttles apply, in `limits`' notation, checked once.

Each limit is a string such as ``"10/15 minutes"`` or ``"5 per hour"`` (parsed by
:func:`limits.parse_many`), or ``None`` to turn that one limit off; ``rate_limits=False``
turns them all off.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from limits import RateLimitItem, parse_many

from ..errors import ConfigurationError
from ..options import coerce_options

__all__ = ["LIMIT_NAMES", "RateLimits", "coerce_rate_limits", "parse_limit"]

#: The throttles, in the order of :class:`RateLimits`' fields (an ``events.throttled`` gets
#: one of these names as ``limit``).
LIMIT_NAMES = (
    "credentials_per_account",
    "credentials_per_client",
    "email_per_address",
    "email_per_client",
)


def parse_limit(value: str, name: str) -> RateLimitItem:
    """One limit such as ``"10/15 minutes"``.

    :raises ConfigurationError: not exactly one limit, an amount below 1 or a zero period.
    """
    try:
        items = list(parse_many(value))
    except ValueError:
        items = []
    if len(items) != 1:
        raise ConfigurationError(
            f"rate_limits.{name}: {value!r} is not one limit such as '10/15 minutes'"
        )
    item = items[0]
    # limits reads a period of "0 minutes" as one minute; a zero is a typo, not a wish.
    period = value.replace(" per ", "/").partition("/")[2].strip()
    if item.amount < 1 or period.startswith("0"):
        raise ConfigurationError(f"rate_limits.{name}: {value!r} allows nothing; use None")
    return item


@dataclass(frozen=True)
class RateLimits:
    """The throttles, all on by default.

    :param credentials_per_account: credentials sign-ins per account (the normalised
        identifier field); a success clears that account's count.
    :param credentials_per_client: failed credentials sign-ins per client address.
    :param email_per_address: sign-in e-mails per (normalised) address.
    :param email_per_client: sign-in e-mails requested per client address.
    :param trusted_proxies: how many proxies in front of the app append to
        ``X-Forwarded-For``; ``0`` (the default) uses ``REMOTE_ADDR`` only.
    """

    credentials_per_account: str | None = "10/15 minutes"
    credentials_per_client: str | None = "100/15 minutes"
    email_per_address: str | None = "5/hour"
    email_per_client: str | None = "50/hour"
    trusted_proxies: int = 0

    def __post_init__(self) -> None:
        for name in LIMIT_NAMES:
            value = getattr(self, name)
            if value is not None and not isinstance(value, str):
                raise ConfigurationError(f"rate_limits.{name} must be a string or None")
            if value is not None:
                parse_limit(value, name)
        proxies = self.trusted_proxies
        if isinstance(proxies, bool) or not isinstance(proxies, int) or not 0 <= proxies <= 10:
            raise ConfigurationError("rate_limits.trusted_proxies must be a count from 0 to 10")

    def items(self) -> dict[str, RateLimitItem]:
        """The limits that are on, parsed: ``{name: RateLimitItem}``."""
        return {
            name: parse_limit(value, name)
            for name in LIMIT_NAMES
            if (value := getattr(self, name)) is not None
        }


def coerce_rate_limits(value: RateLimits | Mapping[str, Any] | bool | None) -> RateLimits:
    """*value* as :class:`RateLimits`: ``None``/``True`` the defaults, ``False`` all off."""
    if value is False:
        return RateLimits(None, None, None, None)
    if value is None or value is True:
        return RateLimits()
    limits: RateLimits = coerce_options(value, RateLimits, "rate_limits")
    return limits
