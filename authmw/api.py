"""Moved to :mod:`authmw.session.current`; this name is kept so old imports still work."""

from .session.current import get_session as get_session
from .session.current import get_token as get_token
