"""Choosing and building the session strategy named by the options."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..options import SessionOptions
from .database import DatabaseStrategy
from .strategy import JWTStrategy, SessionShaper, SessionStrategy, TokenRefresher

if TYPE_CHECKING:
    from ..state import SharedState


def make_strategy(
    options: SessionOptions,
    *,
    callbacks: SessionShaper,
    adapter: Any = None,
    refresher: TokenRefresher | None = None,
    state: SharedState | None = None,
) -> SessionStrategy:
    """The strategy named by ``options.strategy`` (``database`` needs *adapter*; *state*
    keeps what signing out of a provider needs)."""
    if options.strategy == "database":
        return DatabaseStrategy(
            adapter=adapter,
            callbacks=callbacks,
            max_age=options.max_age,
            update_age=options.update_age,
            state=state,
        )
    return JWTStrategy(
        callbacks=callbacks,
        max_age=options.max_age,
        update_age=options.update_age,
        refresher=refresher,
    )
