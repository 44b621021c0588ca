"""Compile the rule list once into a segment trie; per request, normalize the path and walk it.

Matching cost depends on the path's depth and the number of ``**`` patterns sharing its prefix,
not on the number of rules: every step is a dict lookup. The walk keeps the set of trie nodes
the path so far can be in (a tiny NFA: ``*`` consumes one segment, ``**`` loops on itself and can
also be skipped), and at the end picks the lowest rule index whose methods fit, so the first
matching rule still wins.

Pure values only: no environ, no WebOb (the middleware does the WSGI part).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

from .model import parse_pattern

if TYPE_CHECKING:
    from .model import Rule

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def _normalize(path: str, *, resolve_dots: bool, strip_params: bool = True) -> str | None:
    if not path.isprintable() and _CONTROL.search(path):
        return None
    if (
        path.startswith("/")
        and "//" not in path
        and "/." not in path
        and ";" not in path
        and (len(path) == 1 or not path.endswith("/"))
    ):
        return path  # already canonical: the common case costs four substring tests
    out: list[str] = []
    for segment in path.split("/"):
        if strip_params and ";" in segment:
            segment, _, _ = segment.partition(";")
            if segment in (".", ".."):
                return None  # "..;x" is ".." to some servers and a name to others
        if not segment or (resolve_dots and segment == "."):
            continue
        if resolve_dots and segment == "..":
            if not out:
                return None
            out.pop()
            continue
        out.append(segment)
    return "/" + "/".join(out)


def normalize_path(path: str) -> str | None:
    """The path rules are matched against, or ``None`` when the request must be refused (400).

    Collapses ``//``, resolves ``.`` and ``..``, drops a trailing slash and strips ``;params``
    from each segment (``/admin;x=1`` is ``/admin``). ``None`` for control characters (NUL
    included), ``..`` above the root, and ``.;x``/``..;x`` segments. *path* is the decoded
    ``SCRIPT_NAME + PATH_INFO`` as text; it never contains the query string.
    """
    return _normalize(path, resolve_dots=True)


def path_readings(path: str) -> list[str | None]:
    """Every way a server or proxy behind us might read *path*, normalized (first: ours).

    Besides :func:`normalize_path`: with dot segments kept as names (routers that never resolve
    them), with ``;params`` kept as part of the name while dots are resolved (RFC 3986 dot
    removal and ``posixpath.normpath``: in ``/admin/;x/..`` the ``..`` removes ``;x``, not
    ``admin``), and cut at the first decoded ``?`` and, separately, at the first decoded ``#``
    (a proxy that re-parses the path as a URL cuts at whichever comes first; code that drops
    only a "fragment" keeps ``?`` as a name, so in ``/?/../api#`` the ``..`` removes ``?``).
    A request whose readings land on different rules is ambiguous and must be refused (B-P9).
    """
    variants = [path]
    for mark in ("?", "#"):
        cut = path.find(mark)
        if cut >= 0:
            variants.append(path[:cut])
    readings: list[str | None] = []
    for variant in variants:
        readings.append(_normalize(variant, resolve_dots=True))
        if "/." in variant or variant.startswith("."):
            readings.append(_normalize(variant, resolve_dots=False))
            if ";" in variant:
                readings.append(_normalize(variant, resolve_dots=True, strip_params=False))
    return readings


class _Node:
    __slots__ = ("children", "closure", "ends", "globstar", "loops", "star")

    def __init__(self, *, loops: bool = False) -> None:
        self.children: dict[str, _Node] = {}
        self.star: _Node | None = None
        self.globstar: _Node | None = None
        self.loops = loops  # a "**" node: stays active on any further segment
        self.ends: list[tuple[int, frozenset[str] | None]] = []  # rules ending here, by index
        self.closure: tuple[_Node, ...] = ()  # this node plus the "**" reachable for free

    def finish(self) -> None:
        self.ends.sort(key=lambda end: end[0])
        for child in (*self.children.values(), self.star, self.globstar):
            if child is not None:
                child.finish()
        self.closure = (self, *(self.globstar.closure if self.globstar else ()))


class RuleMatcher:
    """Finds the first rule (in list order) whose pattern and methods fit a request.

    :param rules: the rules, in priority order; compiled once here.
    """

    def __init__(self, rules: Sequence[Rule]) -> None:
        self.rules = tuple(rules)
        self._root = _Node()
        for index, item in enumerate(self.rules):
            node = self._root
            for segment in parse_pattern(item.pattern):
                if segment == "**":
                    node.globstar = node.globstar or _Node(loops=True)
                    node = node.globstar
                elif segment == "*":
                    node.star = node.star or _Node()
                    node = node.star
                else:
                    node = node.children.setdefault(segment, _Node())
            methods = item.methods
            if methods is not None and "GET" in methods:
                methods = methods | {"HEAD"}  # HEAD is GET without the body
            node.ends.append((index, methods))
        self._root.finish()

    def match(self, path: str, method: str) -> Rule | None:
        """The first rule for *path* (normalized here) and *method*; ``None`` when none fits.

        A path :func:`normalize_path` refuses matches nothing: request handlers must refuse
        such paths before asking (as :class:`~authmw.rules.RulesMiddleware` does).
        """
        normalized = normalize_path(path)
        return None if normalized is None else self.match_normalized(normalized, method)

    def match_normalized(self, path: str, method: str) -> Rule | None:
        """Like :meth:`match` for a path that already went through :func:`normalize_path`."""
        index = self._lookup(path[1:].split("/") if len(path) > 1 else (), method.upper())
        return None if index is None else self.rules[index]

    def _lookup(self, segments: Sequence[str], method: str) -> int | None:
        states: Sequence[_Node] = self._root.closure
        for segment in segments:
            following: list[_Node] = []
            for node in states:
                if node.loops and node not in following:
                    following.append(node)
                for target in (node.children.get(segment), node.star):
                    if target is not None:
                        for reached in target.closure:
                            if reached not in following:
                                following.append(reached)
            if not following:
                return None
            states = following
        best: int | None = None
        for node in states:
            for index, methods in node.ends:
                if best is not None and index >= best:
                    break
                if methods is None or method in methods:
                    best = index
                    break
        return best
