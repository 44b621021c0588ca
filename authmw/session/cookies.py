"""Moved to :mod:`authmw.cookies.codec`; this name is kept so old imports still work."""

from ..cookies.codec import SameSite as SameSite
from ..cookies.codec import delete_cookie as delete_cookie
from ..cookies.codec import format_set_cookie as format_set_cookie
from ..cookies.codec import parse_cookie_header as parse_cookie_header
