"""The ``authmw`` command (authmw/cli.py)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from authmw import Auth
from authmw.cli import main

RULES = [
    {"path": "/dashboard/**", "signed_in": True},
    {"path": "/admin/**", "roles": ["admin"]},
    {"path": "/api/me", "signed_in": True, "api": True},
    {"path": "/public/**", "public": True},
]


@pytest.fixture
def config(tmp_path: Path) -> Path:
    path = tmp_path / "rules.json"
    path.write_text(json.dumps(RULES))
    return path


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, list[str], str]:
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out.splitlines(), err


def test_secret_is_random_and_accepted_by_auth(capsys: pytest.CaptureFixture[str]) -> None:
    _, first, _ = run(capsys, "secret")
    _, second, _ = run(capsys, "secret")
    assert first != second and len(first[0]) >= 43
    Auth(secret=first[0], url="http://localhost")


def test_secret_env_form_and_size(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(capsys, "secret", "--env", "--bytes", "48")
    assert (
        status == 0
        and out[0].startswith('AUTHMW_SECRET="')
        and len(out[0]) == len('AUTHMW_SECRET=""') + 64
    )
    status, _, err = run(capsys, "secret", "--bytes", "8")
    assert status == 2 and "at least 32" in err


def test_rules_role_rule(capsys: pytest.CaptureFixture[str], config: Path) -> None:
    status, out, _ = run(capsys, "rules", str(config), "/admin/users", "--role", "admin")
    assert status == 0
    assert out[0] == "GET /admin/users"
    assert out[1] == '  rule #2 matches: {"path": "/admin/**", "roles": ["admin"]}'
    assert "anonymous:" in out[2] and "302" in out[2]
    assert "callbackUrl=%2Fadmin%2Fusers" in out[2]
    assert "signed in:" in out[3] and "403" in out[3]
    assert out[4].split() == ["role", "admin:", "allow"]


def test_rules_api_rule(capsys: pytest.CaptureFixture[str], config: Path) -> None:
    _, out, _ = run(capsys, "rules", str(config), "/api/me", "--method", "post")
    assert out[0] == "POST /api/me"
    assert "401" in out[2] and "JSON" in out[2]
    assert out[3].endswith("allow")


def test_rules_no_match_and_default(capsys: pytest.CaptureFixture[str], config: Path) -> None:
    _, out, _ = run(capsys, "rules", str(config), "/about")
    assert "no rule matches: default 'public'" in out[1]
    assert out[2].endswith("allow")
    _, out, _ = run(capsys, "rules", str(config), "about", "--default", "signed_in")
    assert out[0] == "GET /about"
    assert "default 'signed_in'" in out[1] and "302" in out[2] and out[3].endswith("allow")


def test_rules_auth_endpoints_are_never_protected(
    capsys: pytest.CaptureFixture[str], config: Path
) -> None:
    _, out, _ = run(capsys, "rules", str(config), "/api/auth/signin", "--default", "signed_in")
    assert "auth endpoint" in out[1] and out[2].endswith("allow")


def test_A_OP5_query_string_does_not_select_the_rule(
    capsys: pytest.CaptureFixture[str], config: Path
) -> None:
    _, out, _ = run(capsys, "rules", str(config), "/admin?x=/public/a")
    assert "rule #2" in out[1] and "302" in out[2]


def test_rules_toml_table_with_default(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "rules.toml"
    path.write_text('default = "signed_in"\n[[rules]]\npath = "/public/**"\npublic = true\n')
    _, out, _ = run(capsys, "rules", str(path), "/public/x")
    assert "rule #1" in out[1] and out[2].endswith("allow")
    _, out, _ = run(capsys, "rules", str(path), "/private")
    assert "default 'signed_in'" in out[1] and "302" in out[2]


def test_rules_bad_config_exits_2(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    status, _, err = run(capsys, "rules", str(tmp_path / "missing.json"), "/")
    assert status == 2 and err.startswith("error: rules: cannot read")


def test_console_script_entry_point() -> None:
    script = Path(sys.executable).parent / "authmw"
    command = [str(script)] if script.exists() else [sys.executable, "-m", "authmw.cli"]
    result = subprocess.run(
        [*command, "secret"],
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    )
    assert len(result.stdout.strip()) >= 43


# -- authmw --version, bare authmw, secret --env-file -------------------------------------


def test_version_and_bare_command(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["--version"])
    assert exited.value.code == 0
    assert capsys.readouterr().out.startswith("authmw 0.")
    status, out, _ = run(capsys)
    assert status == 0
    assert out[0].startswith("usage: authmw") and any("check" in line for line in out)


def test_secret_env_file_writes_then_updates(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    env = tmp_path / ".env"
    status, out, _ = run(capsys, "secret", "--env-file", str(env))
    assert status == 0 and out == [f"AUTHMW_SECRET written in {env}"]
    assert env.stat().st_mode & 0o777 == 0o600, "a new secrets file is private"
    first = env.read_text()
    assert first.startswith('AUTHMW_SECRET="') and first.count("\n") == 1
    Auth(secret=first.split('"')[1], url="http://localhost")

    env.write_text(f"# app settings\nDATABASE_URL=sqlite:///x.db\nexport {first}OTHER=1\n")
    status, out, _ = run(capsys, "secret", "--env-file", str(env))
    assert out == [f"AUTHMW_SECRET replaced in {env}"]
    lines = env.read_text().splitlines()
    assert lines[:2] == ["# app settings", "DATABASE_URL=sqlite:///x.db"]
    assert "OTHER=1" in lines
    assert [line for line in lines if "AUTHMW_SECRET" in line] != [first.strip()]
    assert sum("AUTHMW_SECRET" in line for line in lines) == 1


# -- authmw check --------------------------------------------------------------------------


@pytest.fixture
def app_env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    for name in ("AUTHMW_DATABASE_URL", "AUTHMW_URL", "AUTHMW_TRUST_HOST"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AUTHMW_SECRET", "check-test-secret-" + "x" * 32)
    monkeypatch.setenv("AUTHMW_URL", "https://app.example")
    return monkeypatch


def test_check_reports_every_part_and_passes(
    app_env: pytest.MonkeyPatch, op: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from authmw.adapters.sql import SQLAdapter

    database = tmp_path / "auth.db"
    SQLAdapter(database, create_tables=True).close()
    app_env.setenv("AUTHMW_DATABASE_URL", f"sqlite:///{database}")
    app_env.setenv("AUTHMW_OIDC_ID", "client")
    app_env.setenv("AUTHMW_OIDC_SECRET", "secret")
    app_env.setenv("AUTHMW_OIDC_ISSUER", op.issuer)
    app_env.setenv("AUTHMW_OIDC_ALLOW_LOOPBACK_HTTP", "1")
    rules = tmp_path / "rules.json"
    rules.write_text(json.dumps(RULES))
    status, out, _ = run(capsys, "check", "--rules", str(rules))
    assert status == 0, out
    assert out[0].startswith("ok   secret: set")
    assert out[1] == "ok   url: https://app.example/api/auth"
    assert f"ok   provider oidc: discovery reachable, issuer {op.issuer}" in out
    assert any(line.startswith("ok   store: SQLAdapter(") for line in out)
    assert out[-1] == "ok   rules: 4 rule(s) compile"


def test_check_fails_on_missing_tables_dead_discovery_and_bad_rules(
    app_env: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    app_env.setenv("AUTHMW_DATABASE_URL", str(tmp_path / "empty.db"))
    app_env.setenv("AUTHMW_OIDC_ID", "client")
    app_env.setenv("AUTHMW_OIDC_SECRET", "secret")
    app_env.setenv("AUTHMW_OIDC_ISSUER", "http://127.0.0.1:1")
    app_env.setenv("AUTHMW_OIDC_ALLOW_LOOPBACK_HTTP", "1")
    rules = tmp_path / "rules.json"
    rules.write_text(json.dumps([{"path": "/a/{id}", "signed_in": True}]))
    status, out, _ = run(capsys, "check", "--rules", str(rules))
    assert status == 1
    text = "\n".join(out)
    assert "FAIL provider oidc: discovery unreachable" in text
    assert "FAIL store: SQLAdapter(" in text and "create_tables=True" in text
    assert "authmw_users" in text
    assert "FAIL rules: " in text and "use '*' for one segment" in text


def test_check_store_down_is_named_without_password(
    app_env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    app_env.setenv("AUTHMW_DATABASE_URL", "postgresql://app:hunter2@127.0.0.1:1/db")
    status, out, _ = run(capsys, "check")
    assert status == 1
    store = next(line for line in out if "store" in line)
    assert store.startswith("FAIL store:") and "does not answer" in store
    assert "hunter2" not in "\n".join(out)


def test_R_7_check_store_down_while_the_app_is_built_is_one_fail_line(
    app_env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The demo's factory creates its tables, so a store that is down fails it, not the check."""
    app_env.syspath_prepend(str(Path(__file__).resolve().parents[1]))
    app_env.setenv("AUTHMW_DATABASE_URL", "postgresql://app:hunter2@127.0.0.1:1/db")
    status, out, err = run(capsys, "check", "--app", "examples.demo.app:create_app")
    assert status == 1 and len(out) == 1, out
    assert out[0].startswith("FAIL store: failed while the app was built: database unavailable")
    assert "hunter2" not in "\n".join(out) + err and "Traceback" not in err


def test_check_configuration_error_is_one_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("AUTHMW_SECRET", raising=False)
    monkeypatch.delenv("AUTH_SECRET", raising=False)
    monkeypatch.delenv("NEXTAUTH_SECRET", raising=False)
    status, out, _ = run(capsys, "check")
    assert status == 1
    assert len(out) == 1 and out[0].startswith("FAIL configuration: ")


def test_check_reads_a_pyramid_ini(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    ini = tmp_path / "app.ini"
    ini.write_text(
        "[app:main]\nuse = egg:nothing\n"
        f"authmw.secret = {'ini-secret-' + 'y' * 32}\n"
        "authmw.url = http://127.0.0.1:6543\n"
        "authmw.providers = examples.common:credentials_provider\n"
        'authmw.rules = [{"path": "/admin/**", "roles": ["admin"]}]\n'
    )
    status, out, _ = run(capsys, "check", "--ini", str(ini))
    assert status == 0, out
    assert "ok   url: http://127.0.0.1:6543/api/auth" in out
    assert "ok   provider credentials: credentials, configured" in out
    assert out[-1] == "ok   rules: 1 rule(s) compile"


def test_check_app_option_takes_an_auth_or_a_factory(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.syspath_prepend(str(Path(__file__).resolve().parents[1]))
    status, out, _ = run(capsys, "check", "--app", "examples.common:credentials_provider")
    assert status == 1 and "is not an Auth" in out[0]


@pytest.mark.parametrize(
    "content",
    [
        b"no section header\n",
        b"[app:main]\nauthmw.url = %(missing)s\n",
        b"[app:main\n",
        b"\xff\xfe",
    ],
)
def test_check_with_an_unreadable_ini_is_one_fail_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: bytes
) -> None:
    ini = tmp_path / "bad.ini"
    ini.write_bytes(content)
    status, out, err = run(capsys, "check", "--ini", str(ini))
    assert status == 1 and len(out) == 1
    assert out[0].startswith("FAIL configuration: ") and "Traceback" not in err


def test_secret_env_file_that_cannot_be_written_is_a_clear_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status, _, err = run(capsys, "secret", "--env-file", str(tmp_path))  # a folder
    assert status == 2 and err.startswith(f"error: cannot update {tmp_path}")
    binary = tmp_path / ".env"
    binary.write_bytes(b"\xff\xfe\x00")
    status, _, err = run(capsys, "secret", "--env-file", str(binary))
    assert status == 2 and "cannot update" in err
    assert binary.read_bytes() == b"\xff\xfe\x00", "nothing lost"
