"""Moved to :mod:`authmw.cookies.names`; this name is kept so old imports still work."""

from ..cookies.names import COOKIE_SUFFIXES as COOKIE_SUFFIXES
from ..cookies.names import CookieSet as CookieSet
from ..cookies.names import CookieSpec as CookieSpec
from ..cookies.names import SameSite as SameSite
from ..cookies.names import build_cookie_set as build_cookie_set
