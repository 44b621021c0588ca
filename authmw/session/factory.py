"""Choosing and building the session strategy named by the options."""

from __future__ import annotations

from typing import Any

from ..options import SessionOptions
from ..state import SharedState
from .database import DatabaseStrategy
from .revocation import Revocations
from .strategy import JWTStrategy, SessionShaper, SessionStrategy, TokenRefresher


def make_strategy(
    options: SessionOptions,
    *,
    callbacks: SessionShaper,
    adapter: Any = None,
    refresher: TokenRefresher | None = None,
    state: SharedState | None = None,
) -> SessionStrategy:
    """The strategy named by ``options.strategy`` (``database`` needs *adapter*); with *state*,
    sessions are revocable, the absolute lifetime is kept there, and so is what signing out of
    a provider needs."""
    revocations = (
        Revocations(state, max_age=options.max_age, absolute_max_age=options.absolute_max_age)
        if state is not None
        else None
    )
    if options.strategy == "database":
        return DatabaseStrategy(
            adapter=adapter,
            callbacks=callbacks,
            max_age=options.max_age,
            update_age=options.update_age,
            state=state,
            revocations=revocations,
            absolute_max_age=options.absolute_max_age,
        )
    return JWTStrategy(
        callbacks=callbacks,
        max_age=options.max_age,
        update_age=options.update_age,
        refresher=refresher,
        revocations=revocations,
        absolute_max_age=options.absolute_max_age,
    )
