"""String settings (authmw/settings.py): parsing, dotted names, rule files."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from authmw import ConfigurationError
from authmw.settings import (
    asbool,
    asint,
    aslist,
    auth_from_settings,
    load_providers,
    load_rules,
    resolve,
)

SECRET = "q" * 32 + "-settings-secret"
OLD = "o" * 32 + "-older-secret"


@pytest.mark.parametrize("value", ["true", "Yes", " on ", "1", True])
def test_asbool_true(value: Any) -> None:
    assert asbool(value) is True


@pytest.mark.parametrize("value", ["false", "NO", "off", "0", "", False])
def test_asbool_false(value: Any) -> None:
    assert asbool(value) is False


def test_asbool_rejects_anything_else() -> None:
    with pytest.raises(ConfigurationError, match="boolean"):
        asbool("maybe")


def test_aslist_and_asint() -> None:
    assert aslist("a b\n  c\n") == ["a", "b", "c"]
    assert aslist(["x", 1]) == ["x", "1"]
    assert aslist(None) == []
    assert aslist(3) == ["3"]
    assert asint(" 42 ") == 42
    for bad in ("4.2", "x", True):
        with pytest.raises(ConfigurationError, match="integer"):
            asint(bad, "n")


def test_resolve() -> None:
    assert resolve("authmw.settings:asbool") is asbool
    assert resolve("authmw.settings.asbool") is asbool
    with pytest.raises(ConfigurationError, match="cannot import"):
        resolve("authmw.nope:thing")


def test_load_providers_calls_factories_and_checks_types() -> None:
    (provider,) = load_providers("examples.common:credentials_provider")
    assert provider.id == "credentials"
    with pytest.raises(ConfigurationError, match="not a provider"):
        load_providers("examples.common:RULES")


def test_auth_from_settings_full(tmp_path: Path) -> None:
    built = auth_from_settings(
        {
            "authmw.secret": f"{SECRET}\n{OLD}",
            "authmw.url": "https://app.example/",
            "authmw.trust_host": "false",
            "authmw.debug": "yes",
            "authmw.base_path": "/auth",
            "authmw.cookie_prefix": "myapp",
            "authmw.providers": "examples.common:credentials_provider",
            "authmw.callbacks.jwt": "examples.common:jwt_callback",
            "authmw.pages.sign_in": "/login",
            "authmw.session.max_age": "3600",
            "authmw.session.update_age": "60",
            "authmw.template_dirs": f"{tmp_path}\n{tmp_path}",
            "authmw.rules": json.dumps({"rules": [{"path": "/x/**", "signed_in": True}]}),
            "authmw.default": "signed_in",
            "other.setting": "ignored",
        },
        prefix="authmw.",
    )
    auth = built.auth
    assert auth.secrets == (SECRET, OLD)  # the first listed signs
    assert auth.url == "https://app.example"
    assert auth.debug is True and auth.trust_host is False
    assert auth.base_path == "/auth"
    assert list(auth.providers) == ["credentials"]
    assert auth.pages.sign_in == "/login"
    assert auth.session_options.max_age == 3600 and auth.session_options.update_age == 60
    assert built.rules == [{"path": "/x/**", "signed_in": True}]
    assert built.default == "signed_in"
    assert SECRET not in repr(auth)


def test_without_a_secret_setting_the_environment_gives_it(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("AUTHMW_SECRET", "AUTH_SECRET", "NEXTAUTH_SECRET"):
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(ConfigurationError, match="secret is required"):
        auth_from_settings({"url": "http://localhost"})
    monkeypatch.setenv("AUTHMW_SECRET", SECRET)
    built = auth_from_settings({"url": "http://localhost"})
    assert built.auth.url == "http://localhost"


def test_overrides_win() -> None:
    built = auth_from_settings({"secret": SECRET}, url="http://localhost")
    assert built.auth.url == "http://localhost" and built.rules == [] and built.default == "public"


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"colour": "red"}, "unknown authmw setting"),
        ({"themes.x": "y"}, "unknown authmw setting"),
        ({"pages.": "/x"}, "unknown authmw setting"),
        ({"trust_host": "perhaps"}, "boolean"),
        ({"session.max_age": "long"}, "integer"),
        ({"default": "private"}, "default must be"),
        ({"rules": "[not json"}, "invalid JSON"),
        ({"rules": "/no/such/rules.json"}, "cannot read"),
        ({"rules": '{"rules": [], "extra": 1}'}, "unknown keys"),
        ({"rules": "[1, 2]"}, "list of rule tables"),
        ({"adapter": "nowhere.at.all:x"}, "cannot import"),
    ],
)
def test_bad_settings_raise_configuration_error(settings: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigurationError, match=message):
        auth_from_settings({"secret": SECRET, "url": "http://localhost", **settings})


def test_invalid_rule_is_refused_at_load_time() -> None:
    with pytest.raises(ConfigurationError):
        load_rules('[{"signed_in": true}]')  # no path


def test_rule_files(tmp_path: Path) -> None:
    (tmp_path / "rules.json").write_text(json.dumps([{"path": "/a/**", "signed_in": True}]))
    (tmp_path / "rules.toml").write_text(
        'default = "signed_in"\n[[rules]]\npath = "/public/**"\npublic = true\n'
    )
    assert load_rules("rules.json", here=tmp_path).rules == [{"path": "/a/**", "signed_in": True}]
    toml = load_rules(tmp_path / "rules.toml")
    assert toml.rules == [{"path": "/public/**", "public": True}]
    assert toml.default == "signed_in"
    (tmp_path / "bad.toml").write_text("rules = [")
    with pytest.raises(ConfigurationError, match=r"cannot parse bad\.toml"):
        load_rules(tmp_path / "bad.toml")


def test_S_A5_rate_limits_from_settings() -> None:
    from authmw import RateLimits

    base = {"authmw.secret": SECRET, "authmw.url": "http://localhost"}
    built = auth_from_settings(
        {
            **base,
            "authmw.rate_limits.credentials_per_account": " 10/15 minutes ",
            "authmw.rate_limits.email_per_client": "off",
            "authmw.rate_limits.trusted_proxies": "1",
        },
        prefix="authmw.",
    )
    assert built.auth.rate_limits == RateLimits(
        credentials_per_account="10/15 minutes", email_per_client=None, trusted_proxies=1
    )
    off = auth_from_settings({**base, "authmw.rate_limits": "off"}, prefix="authmw.")
    assert off.auth.rate_limits == RateLimits(None, None, None, None)
    assert off.auth.throttle.items == {}
    on = auth_from_settings({**base, "authmw.rate_limits": "on"}, prefix="authmw.")
    assert on.auth.rate_limits == RateLimits()
    assert auth_from_settings(base, prefix="authmw.").auth.rate_limits == RateLimits()


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"rate_limits": "sometimes"}, "boolean"),
        ({"rate_limits": "off", "rate_limits.email_per_client": "5/hour"}, "rate_limits = off"),
        ({"rate_limits.email_per_cliant": "5/hour"}, "email_per_cliant"),
        ({"rate_limits.email_per_client": "lots"}, "rate_limits.email_per_client"),
        ({"rate_limits.email_per_client": "0/hour"}, "allows nothing"),
        ({"rate_limits.trusted_proxies": "two"}, "integer"),
        ({"rate_limits.trusted_proxies": "11"}, "trusted_proxies"),
    ],
)
def test_S_A5_bad_rate_limit_settings_fail_at_start_up(
    settings: dict[str, str], message: str
) -> None:
    with pytest.raises(ConfigurationError, match=message):
        auth_from_settings({"secret": SECRET, "url": "http://localhost", **settings})
