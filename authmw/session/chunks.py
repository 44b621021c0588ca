"""Moved to :mod:`authmw.cookies.chunks`; this name is kept so old imports still work."""

from ..cookies.chunks import CHUNK_SIZE as CHUNK_SIZE
from ..cookies.chunks import MAX_CHUNKS as MAX_CHUNKS
from ..cookies.chunks import chunk_cookie_values as chunk_cookie_values
from ..cookies.chunks import join_chunks as join_chunks
from ..cookies.chunks import stale_chunks as stale_chunks
