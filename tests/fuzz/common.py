"""What the fuzz modules share: the example budget and strategies for hostile text."""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from hypothesis import settings
from hypothesis import strategies as st

DATA = Path(__file__).resolve().parents[1] / "data"
#: oauth2-proxy's open-redirect payloads (tests/data/README.md), one per line.
OPEN_REDIRECTS = (DATA / "openredirects.txt").read_text("utf-8").split("\n")[:559]


def budget(fraction: float, **options: Any) -> settings:
    """The loaded profile's ``max_examples`` times *fraction* (at least 10), plus *options*."""
    return settings(max_examples=max(10, int(settings().max_examples * fraction)), **options)


#: Characters that break parsers: separators, quotes, escapes, controls, look-alikes.
NASTY_CHARS = (
    *"/\\.;:=,@?#%&+\"' \t\r\n\x00\x01\x0b\x0c\x1f\x7f",
    "\x85",  # NEL
    "\xa0",  # no-break space
    "\u2028",  # line separator
    "\u200b",  # zero-width space
    "\u202e",  # right-to-left override
    "\ufeff",  # byte order mark
    "\u3002",  # ideographic full stop (a "dot" to IDNA)
    "\uff0e",  # fullwidth full stop
    "\uff61",  # halfwidth ideographic full stop
    "\uff0f",  # fullwidth solidus
    "\uff3c",  # fullwidth reverse solidus
    "\uff20",  # fullwidth commercial at
    "\u0430",  # Cyrillic a
    "\u00e9",
    "\U0001f98a",
    "\ud800",  # lone surrogate (what surrogateescape makes of undecodable bytes)
)

ESCAPES = (
    "%",
    "%%",
    "%2",
    "%zz",
    "%00",
    "%09",
    "%0a",
    "%0d",
    "%20",
    "%22",
    "%23",
    "%25",
    "%2e",
    "%2E",
    "%2f",
    "%2F",
    "%3b",
    "%3d",
    "%3f",
    "%40",
    "%5c",
    "%5C",
    "%c0%af",
    "%e5%98%8a",
    "%ef%bc%8f",
    "%ff%fe",
    "%2561",
    "%252e",
)


def pieces(words: Sequence[str]) -> st.SearchStrategy[str]:
    """One fragment: a word of the caller's, a nasty character, an escape or some text."""
    return st.one_of(
        st.sampled_from(list(words)),
        st.sampled_from(NASTY_CHARS),
        st.sampled_from(ESCAPES),
        st.text(max_size=4),
    )


def hostile(words: Sequence[str], *, max_pieces: int = 12) -> st.SearchStrategy[str]:
    """Strings glued from :func:`pieces`: structure-aware noise for parsers of *words*."""
    return st.lists(pieces(words), max_size=max_pieces).map("".join)


@contextmanager
def captured_logs(name: str = "authmw") -> Iterator[list[logging.LogRecord]]:
    """The records logged under *name* inside the block (no pytest fixture: works in @given)."""
    records: list[logging.LogRecord] = []

    class _Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(record)

    logger = logging.getLogger(name)
    handler = _Keep(logging.DEBUG)
    previous = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    try:
        yield records
    finally:
        logger.removeHandler(handler)
        logger.setLevel(previous)
