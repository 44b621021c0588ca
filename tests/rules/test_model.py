"""Rule values: construction, validation, plain-data rules and coercion (authmw/rules/model.py)."""

from __future__ import annotations

from typing import Any, cast

import pytest

from authmw.rules import Rule, RuleConfigError, coerce_rules, rule, rules_from_data
from authmw.rules.model import parse_pattern


def is_admin(session: Any, request: Any) -> bool:
    return bool(session["user"].get("admin"))


def test_rule_kinds_and_normalized_fields() -> None:
    assert rule("/a").public is False and rule("/a").allow is None  # signed-in by default
    assert rule("/a", public=True).public
    assert rule("/a", allow=is_admin).allow is is_admin
    made = rule("/a", methods=["get", "Post"], roles="admin")
    assert made.methods == frozenset({"GET", "POST"})
    assert made.roles == frozenset({"admin"})
    assert rule("/a", roles=("x", "y")).roles == frozenset({"x", "y"})
    direct = Rule("/a", methods=frozenset({"delete"}))
    assert direct.methods == frozenset({"DELETE"})


def test_rule_is_frozen_and_hashable() -> None:
    made = rule("/a", roles=["admin"])
    with pytest.raises(AttributeError):
        made.pattern = "/b"  # type: ignore[misc]
    assert made == rule("/a", roles=["admin"]) and hash(made) == hash(rule("/a", roles=["admin"]))


@pytest.mark.parametrize(
    ("pattern", "segments"),
    [
        ("/", ()),
        ("/admin", ("admin",)),
        ("/admin/", ("admin",)),
        ("/a/*/c", ("a", "*", "c")),
        ("/a/**", ("a", "**")),
        ("/a/**/**/b", ("a", "**", "b")),
        ("/café/ü", ("café", "ü")),
    ],
)
def test_parse_pattern(pattern: str, segments: tuple[str, ...]) -> None:
    assert parse_pattern(pattern) == segments


@pytest.mark.parametrize(
    "pattern",
    [
        "admin",
        "",
        "/a//b",
        "/a/./b",
        "/a/../b",
        "/admin*",
        "/files/*.txt",
        "/a/***",
        "/admin;x=1",
        "/a?b",
        "/a#b",
        "/a%20b",
        "/a b",
        "/a\x00",
        "/a\\b",
    ],
)
def test_bad_patterns_are_refused(pattern: str) -> None:
    with pytest.raises(RuleConfigError):
        rule(pattern)


@pytest.mark.parametrize(
    "options",
    [
        {"public": True, "roles": ["admin"]},
        {"public": True, "allow": is_admin},
        {"public": True, "redirect": "/login"},
        {"methods": []},
        {"methods": ["GET", "NOT A METHOD"]},
        {"methods": [1]},
        {"roles": []},
        {"roles": [""]},
        {"roles": {"admin": True}},
        {"allow": "is_admin"},
        {"redirect": "//evil.example/login"},
        {"redirect": "javascript:alert(1)"},
        {"redirect": "login"},
        {"forbidden_redirect": "/x\r\nSet-Cookie: a=b"},
        {"api": "yes"},
    ],
)
def test_bad_options_are_refused(options: dict[str, Any]) -> None:
    with pytest.raises(RuleConfigError):
        rule("/a", **options)


def test_redirect_targets_may_be_paths_or_http_urls() -> None:
    assert rule("/a", redirect="/login?next=1").redirect == "/login?next=1"
    assert rule("/a", forbidden_redirect="https://app.example/no").forbidden_redirect


def test_rules_from_data_examples_from_the_issue() -> None:
    admin, public, dashboard = rules_from_data(
        [
            {
                "path": "/admin/**",
                "methods": ["GET", "POST"],
                "roles": ["admin"],
                "redirect": "/login",
                "api": False,
            },
            {"path": "/public/**", "public": True},
            {"path": "/dashboard", "signed_in": True},
        ]
    )
    assert admin == rule("/admin/**", methods=["GET", "POST"], roles=["admin"], redirect="/login")
    assert public == rule("/public/**", public=True)
    assert dashboard == rule("/dashboard")


def test_data_may_carry_a_predicate_when_built_in_code() -> None:
    assert rules_from_data([{"path": "/a", "allow": is_admin}])[0].allow is is_admin


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ([{"path": "/a", "rol": ["admin"]}], r"rules\[0\]: unknown option.*'rol'"),
        ([{"signed_in": True}], r"rules\[0\]: 'path' is required"),
        ([{"path": "/a"}, {"path": "/b", "public": "true"}], r"rules\[1\]: 'public' must be"),
        ([{"path": "/a", "signed_in": 1}], "'signed_in' must be true or false"),
        ([{"path": "/a", "signed_in": False}], "use 'public: true'"),
        ([{"path": "/a", "public": True, "signed_in": True}], "both public and signed_in"),
        ([{"path": "/a", "public": True, "roles": ["x"]}], "public rule takes no roles"),
        ([{"path": "/a*"}], r"rules\[0\]: .*whole segments"),
        ([{"path": 5}], "must be a string starting with '/'"),
        ([{"path": "/a", "methods": "GET POST"}], "HTTP method names"),
        (["/a"], r"rules\[0\]: expected a mapping"),
        ({"path": "/a"}, "list of rule mappings"),
    ],
)
def test_rules_from_data_errors_are_clear(data: Any, message: str) -> None:
    with pytest.raises(RuleConfigError, match=message) as caught:
        rules_from_data(data)
    assert isinstance(caught.value, ValueError)


def test_coerce_rules_accepts_rules_mappings_and_pairs() -> None:
    ready = rule("/x", roles=["a"])
    coerced = coerce_rules(
        [
            ready,
            {"path": "/d", "signed_in": True},
            ("/p/**", "public"),
            ("/s", "signed_in"),
            ("/f", is_admin),
            ("/r", {"roles": ["admin"], "api": True}),
        ]
    )
    assert coerced[0] is ready
    assert coerced[1:] == [
        rule("/d"),
        rule("/p/**", public=True),
        rule("/s"),
        rule("/f", allow=is_admin),
        rule("/r", roles=["admin"], api=True),
    ]
    assert coerce_rules(iter([ready])) == [ready]


@pytest.mark.parametrize(
    "item",
    [
        "/a",
        ("/a",),
        ("/a", "private"),
        ("/a", {"path": "/b"}),
        ("/a", "public", "GET"),
        None,
    ],
)
def test_coerce_rules_refuses_other_shapes(item: Any) -> None:
    with pytest.raises(RuleConfigError, match=r"rules\[0\]"):
        coerce_rules([item])


def test_coerce_rules_refuses_a_single_mapping() -> None:
    with pytest.raises(RuleConfigError):
        coerce_rules(cast(Any, {"path": "/a"}))


@pytest.mark.parametrize("pattern", ["/a/{id}", "/a/:id", "/users/{user_id}/edit", "/:slug"])
def test_route_parameters_are_refused_with_the_glob_to_use(pattern: str) -> None:
    with pytest.raises(RuleConfigError, match=r"route parameter.*use '\*' for one segment"):
        rules_from_data([{"path": pattern, "signed_in": True}])


def test_role_is_accepted_as_roles() -> None:
    (one,) = rules_from_data([{"path": "/admin/**", "role": "admin"}])
    (many,) = rules_from_data([{"path": "/admin/**", "roles": ["admin"]}])
    assert one.roles == many.roles == frozenset({"admin"})
    with pytest.raises(RuleConfigError, match="'roles' or 'role', not both"):
        rules_from_data([{"path": "/a", "role": "x", "roles": ["y"]}])


@pytest.mark.parametrize(
    ("key", "hint"),
    [("signedIn", "signed_in"), ("forbiddenRedirect", "forbidden_redirect"), ("rolse", "roles")],
)
def test_unknown_rule_keys_get_a_did_you_mean(key: str, hint: str) -> None:
    with pytest.raises(RuleConfigError, match=f"{key!r} \\(did you mean {hint!r}\\?\\)"):
        rules_from_data([{"path": "/a", key: True}])
