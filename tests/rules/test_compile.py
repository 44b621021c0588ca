"""Path normalization and the trie matcher (authmw/rules/compile.py), without any request."""

from __future__ import annotations

import random
from collections.abc import Sequence

import pytest

from authmw.rules import Rule, RuleMatcher, normalize_path, rule
from authmw.rules.compile import path_readings
from authmw.rules.model import parse_pattern


@pytest.mark.parametrize(
    ("path", "normalized"),
    [
        ("/", "/"),
        ("", "/"),
        ("/admin", "/admin"),
        ("/admin/", "/admin"),
        ("//admin", "/admin"),
        ("/a//b///c", "/a/b/c"),
        ("/./admin", "/admin"),
        ("/x/../admin", "/admin"),
        ("/a/b/./../c/", "/a/c"),
        ("/admin;x=1", "/admin"),
        ("/admin;x=1/users;jsessionid=2", "/admin/users"),
        ("/;x/admin", "/admin"),
        ("/ADMIN", "/ADMIN"),  # case is kept: matching is case-sensitive
        ("/café", "/café"),
        ("/.well-known/x", "/.well-known/x"),
        ("/a/..", "/"),
        ("/admin#/public", "/admin#/public"),  # a decoded '#' is an ordinary character here
    ],
)
def test_normalize_path(path: str, normalized: str) -> None:
    assert normalize_path(path) == normalized
    assert normalize_path(normalized) == normalized  # idempotent


@pytest.mark.parametrize(
    "path",
    [
        "/admin\x00",
        "/\x00/admin",
        "/admin\r\nX: y",
        "/a\x7f",
        "/..",
        "/../admin",
        "/a/../../admin",
        "/admin/..;/public",
        "/admin/.;x/public",
    ],
)
def test_B_P9_normalize_path_refuses(path: str) -> None:
    assert normalize_path(path) is None


def test_path_readings_cover_dots_and_cuts() -> None:
    assert path_readings("/admin/users") == ["/admin/users"]
    assert path_readings("/x/../admin") == ["/admin", "/x/../admin"]
    assert path_readings("/admin#/public") == ["/admin#/public", "/admin"]
    assert path_readings("/a?b/../c") == ["/c", "/a?b/../c", "/a"]
    # cut at "?" and, apart, at "#": the second keeps "?" as a name that ".." removes
    assert path_readings("/?/../api#") == ["/api#", "/?/../api#", "/", "/api", "/?/../api"]
    # with ;params kept as part of the name, the ".." removes ";x", not "admin"
    assert path_readings("/admin/;x/..") == ["/", "/admin/..", "/admin"]


def matcher(*rules: Rule) -> RuleMatcher:
    return RuleMatcher(list(rules))


def test_literal_star_and_globstar() -> None:
    m = matcher(rule("/exact"), rule("/one/*"), rule("/deep/**"), rule("/mid/**/end"))
    exact, one, deep, mid = m.rules
    assert m.match("/exact", "GET") is exact
    assert m.match("/exact/more", "GET") is None
    assert m.match("/one", "GET") is None  # '*' is exactly one segment
    assert m.match("/one/x", "GET") is one
    assert m.match("/one/x/y", "GET") is None
    assert m.match("/deep", "GET") is deep  # '**' includes zero segments
    assert m.match("/deep/a/b/c", "GET") is deep
    assert m.match("/mid/end", "GET") is mid
    assert m.match("/mid/a/b/end", "GET") is mid
    assert m.match("/mid/a/b", "GET") is None
    assert m.match("/nothing", "GET") is None


def test_root_and_everything() -> None:
    root, everything = matcher(rule("/"), rule("/**")).rules
    m = matcher(root, everything)
    assert m.match("/", "GET") is root
    assert m.match("/anything/at/all", "GET") is everything
    assert matcher(everything).match("/", "GET") is everything


def test_first_match_wins_whatever_the_specificity() -> None:
    public = rule("/admin/public/**", public=True)
    admin = rule("/admin/**", roles=["admin"])
    assert matcher(public, admin).match("/admin/public/x", "GET") is public
    assert matcher(admin, public).match("/admin/public/x", "GET") is admin
    star = rule("/a/*", public=True)
    literal = rule("/a/b")
    assert matcher(star, literal).match("/a/b", "GET") is star
    assert matcher(literal, star).match("/a/b", "GET") is literal


def test_methods_filter_and_fall_through() -> None:
    writes = rule("/api/**", methods=["POST", "PUT", "DELETE"], roles=["editor"])
    reads = rule("/api/**", public=True)
    m = matcher(writes, reads)
    assert m.match("/api/x", "POST") is writes
    assert m.match("/api/x", "delete") is writes  # method case does not matter
    assert m.match("/api/x", "GET") is reads
    assert matcher(writes).match("/api/x", "GET") is None


def test_B_P9_head_is_get_and_unlisted_methods_are_covered() -> None:
    everything = rule("/admin/**")
    assert matcher(everything).match("/admin", "HEAD") is everything
    assert matcher(everything).match("/admin", "OPTIONS") is everything
    get_only = rule("/admin/**", methods=["GET"])
    assert matcher(get_only).match("/admin", "HEAD") is get_only
    assert matcher(get_only).match("/admin", "OPTIONS") is None  # listed methods are exact


def test_match_normalizes_and_case_is_pinned() -> None:
    admin = rule("/admin/**")
    m = matcher(admin)
    assert m.match("//admin/", "GET") is admin
    assert m.match("/x/../admin;p=1/users", "GET") is admin
    assert m.match("/../admin", "GET") is None  # refused paths match nothing
    # Pinned: matching is case-sensitive; '/ADMIN' needs its own rule on case-folding routers.
    assert m.match("/ADMIN", "GET") is None
    assert m.match("/Admin/x", "GET") is None


def test_trailing_slash_in_pattern_is_ignored() -> None:
    slashed = rule("/dashboard/")
    assert matcher(slashed).match("/dashboard", "GET") is slashed
    assert matcher(slashed).match("/dashboard/", "GET") is slashed


def test_duplicate_patterns_keep_list_order() -> None:
    first, second = rule("/a", methods=["GET"]), rule("/a")
    assert matcher(second, first).match("/a", "GET") is second
    assert matcher(first, second).match("/a", "GET") is first
    assert matcher(first, second).match("/a", "POST") is second


def test_ten_thousand_rules_still_find_the_right_one() -> None:
    rules = [rule(f"/section{i}/*/page{i % 7}") for i in range(10_000)]
    rules.append(rule("/**", public=True))
    m = RuleMatcher(rules)
    assert m.match("/section9999/x/page3", "GET") is rules[9999]
    assert m.match("/section9999/x/page4", "GET") is rules[-1]
    assert m.match("/section5/x/page5", "GET") is rules[5]


# --- differential test against a direct recursive matcher -------------------------------------


def reference_matches(pattern: Sequence[str], path: Sequence[str]) -> bool:
    if not pattern:
        return not path
    head, rest = pattern[0], pattern[1:]
    if head == "**":
        return any(reference_matches(rest, path[i:]) for i in range(len(path) + 1))
    if not path:
        return False
    return (head == "*" or head == path[0]) and reference_matches(rest, path[1:])


def reference(rules: Sequence[Rule], path: str, method: str) -> Rule | None:
    segments = [s for s in path.split("/") if s]
    for item in rules:
        methods = item.methods
        if methods is not None and "GET" in methods:
            methods = methods | {"HEAD"}
        if (methods is None or method in methods) and reference_matches(
            parse_pattern(item.pattern), segments
        ):
            return item
    return None


def test_trie_agrees_with_reference_on_random_rules() -> None:
    rng = random.Random(20240611)
    words = ["a", "b", "c", "*", "**"]
    for _ in range(200):
        rules = []
        for _ in range(rng.randint(1, 12)):
            segments = [rng.choice(words) for _ in range(rng.randint(0, 4))]
            methods = rng.choice([None, ["GET"], ["POST"], ["GET", "POST"]])
            rules.append(rule("/" + "/".join(segments), methods=methods))
        m = RuleMatcher(rules)
        for _ in range(30):
            path = "/" + "/".join(rng.choice("abcd") for _ in range(rng.randint(0, 5)))
            method = rng.choice(["GET", "HEAD", "POST", "OPTIONS"])
            assert m.match(path, method) is reference(rules, path, method), (rules, path, method)
