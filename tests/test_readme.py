"""Every Python snippet of the README runs as written, once its placeholders are filled.

The placeholders are the reader's own objects (``users``, ``my_wsgi_app``, ``auth``, ``app``,
``environ``) and the ``...`` that stands for "your other options"; this test supplies them, runs
each block, and fails naming the block that no longer runs.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path
from types import ModuleType, SimpleNamespace
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
SECRET = "readme-test-secret-" + "x" * 32
BLOCKS = re.findall(r"```python\n(.*?)```", (ROOT / "README.md").read_text(), re.S)

#: "..." standing for the reader's own arguments, and what the test puts there
PLACEHOLDERS = [
    (re.compile(r"Auth\(\s*\.\.\.,"), f'Auth(secret="{SECRET}", url="https://app.example",'),
    (re.compile(r"rules=\[\.\.\.\]"), "rules=[]"),
    (re.compile(r'"mysite\.settings"'), '"examples.django.settings"'),
]


def _app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b"ok"]


def _namespace(monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    from authmw import Auth

    monkeypatch.setenv("AUTHMW_SECRET", SECRET)
    monkeypatch.setenv("AUTHMW_DATABASE_URL", "sqlite://")
    auth = Auth(secret=SECRET, url="https://app.example")
    environ = {"auth.session": None, "auth.token": {"sub": "1", "access_token": "at"}}
    return {
        "users": SimpleNamespace(check_password=lambda email, password: None),
        "create_account_from_form": lambda environ: {"id": "1", "email": "a@example.com"},
        "my_wsgi_app": _app,
        "app": _app,
        "auth": auth,
        "rules": [],
        "environ": environ,
        "Auth": Auth,
    }


@pytest.mark.parametrize("index", range(len(BLOCKS)), ids=lambda i: f"block{i + 1}")
def test_readme_snippet_runs(index: int, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)  # snippets create SQLite files (sqlite:///app.db) where they run
    code = BLOCKS[index]
    if "client-key.pem" in code:
        _client_keys(tmp_path)
    for pattern, filled in PLACEHOLDERS:
        code = pattern.sub(filled, code)
    if "django" in code:
        pytest.importorskip("django")
        monkeypatch.setenv("DJANGO_SETTINGS_MODULE", "examples.django.settings")
        monkeypatch.syspath_prepend(str(ROOT))
        import django

        django.setup(set_prefix=False)
    module = ModuleType(f"readme_block{index + 1}")  # decorators such as view_config want one
    module.__dict__.update(_namespace(monkeypatch))
    module.__name__ = f"readme_block{index + 1}"
    monkeypatch.setitem(sys.modules, module.__name__, module)
    source = tmp_path / f"{module.__name__}.py"  # a real file: some decorators read their line
    source.write_text(code)
    exec(compile(code, str(source), "exec"), module.__dict__)


def _client_keys(folder: Path) -> None:
    """The private keys the private_key_jwt snippet reads (a PEM and a JWK file)."""
    import json

    from joserfc.jwk import ECKey, RSAKey

    (folder / "client-key.pem").write_bytes(RSAKey.generate_key(2048).as_pem(private=True))
    jwk = ECKey.generate_key("P-256", parameters={"kid": "k1"}).as_dict(private=True)
    (folder / "client-jwk.json").write_text(json.dumps(jwk))


def test_there_are_snippets() -> None:
    assert len(BLOCKS) >= 10
