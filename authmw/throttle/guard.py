"""Throttle: the rate limits the credentials and e-mail sign-ins ask before doing any work.

Why `limits`: it is maintained, typed, and its fixed-window strategy and ``"10/15 minutes"``
notation are exactly what is needed; the only missing piece is a storage that keeps counters in
authmw's shared state (:class:`~authmw.throttle.storage.SharedStateStorage`), so every worker
sharing the adapter's database shares the counts. Its moving-window strategies need list
operations that :class:`~authmw.state.SharedState` does not offer, and are not needed here.

Keys hold a SHA-256 of the normalised identifier or client address, never the value itself.
The client address is ``REMOTE_ADDR`` (A-DA11, B-H4); ``X-Forwarded-For`` is read only when
``trusted_proxies`` says how many proxies append to it (its *n*-th entry from the right).

A store that fails while a limit is asked refuses the attempt (fail closed, a logged 503): an
outage must not open a window for password guessing or mail bombing, and the adapter that
would store the session or the e-mail token is then down anyway. A failure while recording a
refused password or clearing a count after a success is only logged.
"""

from __future__ import annotations

import hashlib
import logging
import math
import time
import unicodedata
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from limits import RateLimitItem
from limits.strategies import FixedWindowRateLimiter

from .._types import WSGIEnvironment
from ..errors import AuthError, RateLimitedError
from ..state import SharedState
from .options import RateLimits
from .storage import SharedStateStorage

__all__ = ["Throttle", "client_address", "normalize_account"]

log = logging.getLogger("authmw.throttle")


def normalize_account(value: str) -> str:
    """The form an account identifier is counted under: NFKC, trimmed, case-folded (A-DA6)."""
    return unicodedata.normalize("NFKC", value).strip().casefold()


def client_address(environ: WSGIEnvironment, trusted_proxies: int = 0) -> str:
    """``REMOTE_ADDR``, or the address the *trusted_proxies*-th proxy from the right saw."""
    if trusted_proxies:
        forwarded = str(environ.get("HTTP_X_FORWARDED_FOR") or "")
        hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
        if len(hops) >= trusted_proxies:
            return hops[-trusted_proxies]
    return str(environ.get("REMOTE_ADDR") or "unknown")


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8", "surrogatepass")).hexdigest()


class Throttle:
    """Asks and records the limits of :class:`~authmw.throttle.options.RateLimits`.

    :param limits: the configured limits.
    :param state: where the counters live (``Auth.shared_state``).
    :param on_throttled: called with ``limit``, ``provider``, ``identifier``,
        ``client_address`` and ``retry_after`` when an attempt is refused.
    """

    def __init__(
        self, limits: RateLimits, state: SharedState, *, on_throttled: Callable[..., None]
    ) -> None:
        self.items: dict[str, RateLimitItem] = limits.items()
        self.trusted_proxies = limits.trusted_proxies
        self._limiter = FixedWindowRateLimiter(SharedStateStorage(state))
        self._on_throttled = on_throttled

    def client(self, environ: WSGIEnvironment) -> str:
        """This request's client address, as the limits count it."""
        return client_address(environ, self.trusted_proxies)

    # -- credentials ------------------------------------------------------------------------

    def before_credentials(self, environ: WSGIEnvironment, provider_id: str, account: str) -> None:
        """Count this attempt for *account*; refuse it when the account or the client is over.

        :raises RateLimitedError: throttled (``authorize`` must not be called).
        :raises AuthError: the store is down (503).
        """
        client = self.client(environ)
        who = {"provider": provider_id, "identifier": account, "client_address": client}
        with self._store("credentials sign-in"):
            self._refuse_if_spent("credentials_per_client", (_digest(client),), who)
            self._hit("credentials_per_account", (provider_id, _digest(account)), who)

    def credentials_failed(self, environ: WSGIEnvironment) -> None:
        """Count a refused password against the client address."""
        item = self.items.get("credentials_per_client")
        if item is None:
            return
        try:
            self._limiter.hit(item, "credentials_per_client", _digest(self.client(environ)))
        except Exception as exc:
            log.error("could not count a failed sign-in (%s)", type(exc).__name__)

    def credentials_succeeded(self, provider_id: str, account: str) -> None:
        """Clear *account*'s count (and nothing else: A-DA7)."""
        item = self.items.get("credentials_per_account")
        if item is None:
            return
        try:
            self._limiter.clear(item, "credentials_per_account", provider_id, _digest(account))
        except Exception as exc:
            log.error("could not clear a sign-in count (%s)", type(exc).__name__)

    # -- e-mail -----------------------------------------------------------------------------

    def before_email(self, environ: WSGIEnvironment, provider_id: str, address: str) -> None:
        """Count a sign-in e-mail for *address* and the client; refuse when either is over.

        :raises RateLimitedError: throttled (nothing is stored or sent).
        :raises AuthError: the store is down (503).
        """
        client = self.client(environ)
        who = {"provider": provider_id, "identifier": address, "client_address": client}
        with self._store("sign-in e-mail"):
            self._hit("email_per_client", (_digest(client),), who)
            self._hit("email_per_address", (_digest(address),), who)

    # -- the mechanics ----------------------------------------------------------------------

    def _refuse_if_spent(self, name: str, ids: tuple[str, ...], who: dict[str, Any]) -> None:
        item = self.items.get(name)
        if item is not None and not self._limiter.test(item, name, *ids):
            self._refuse(name, item, ids, who)

    def _hit(self, name: str, ids: tuple[str, ...], who: dict[str, Any]) -> None:
        item = self.items.get(name)
        if item is not None and not self._limiter.hit(item, name, *ids):
            self._refuse(name, item, ids, who)

    def _refuse(
        self, name: str, item: RateLimitItem, ids: tuple[str, ...], who: dict[str, Any]
    ) -> None:
        reset = self._limiter.get_window_stats(item, name, *ids).reset_time
        retry_after = max(1, math.ceil(reset - time.time()))
        log.warning("%s throttled for provider %s (%s)", name, who["provider"], item)
        self._on_throttled(limit=name, retry_after=retry_after, **who)
        raise RateLimitedError(retry_after, detail=f"{name} exceeded")

    @contextmanager
    def _store(self, what: str) -> Iterator[None]:
        try:
            yield
        except AuthError:
            raise
        except Exception as exc:
            # store errors hold no secrets (keys are hashes) and may name the fix (MissingTables)
            cause = f"{type(exc).__name__}: {exc}"[:300]
            log.error("rate-limit store unavailable (%s): %s refused", cause, what)
            raise AuthError(
                "Configuration", status=503, detail="rate-limit store unavailable"
            ) from None
