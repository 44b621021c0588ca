"""The ``authmw`` command (authmw/cli.py)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

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
