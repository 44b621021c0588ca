"""Moved to :mod:`authmw.accounts.linking`; this name is kept so old imports still work."""

from .accounts.linking import AccountLinking as AccountLinking

#: The old name of :class:`AccountLinking`.
Users = AccountLinking
