"""``config.include("authmw.pyramid")``: a short name for :mod:`authmw.integrations.pyramid`."""

from __future__ import annotations

from .integrations.pyramid import AuthExecutionPolicy as AuthExecutionPolicy
from .integrations.pyramid import AuthSecurityPolicy as AuthSecurityPolicy
from .integrations.pyramid import ForbiddenView as ForbiddenView
from .integrations.pyramid import includeme as includeme
from .integrations.pyramid import principals_for as principals_for
from .integrations.pyramid import set_auth as set_auth
from .integrations.pyramid import wrap as wrap

__all__ = [
    "AuthExecutionPolicy",
    "AuthSecurityPolicy",
    "ForbiddenView",
    "includeme",
    "principals_for",
    "set_auth",
    "wrap",
]
