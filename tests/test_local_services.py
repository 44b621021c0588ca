"""The root conftest: default local PostgreSQL/Redis, or one line saying why their tests skip."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType, SimpleNamespace

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _root_conftest() -> ModuleType:
    spec = importlib.util.spec_from_file_location("root_conftest", ROOT / "conftest.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_absent_services_are_named_in_one_summary_line(monkeypatch: pytest.MonkeyPatch) -> None:
    module = _root_conftest()
    dead = {
        "X_TEST_PG": ("PostgreSQL", "postgresql://postgres@127.0.0.1:1/test"),
        "X_TEST_REDIS": ("Redis", "redis://127.0.0.1:1/15"),
    }
    monkeypatch.setattr(module, "LOCAL_SERVICES", dead)
    monkeypatch.delenv("X_TEST_PG", raising=False)
    monkeypatch.delenv("X_TEST_REDIS", raising=False)
    config = SimpleNamespace(stash=pytest.Stash())
    module.pytest_configure(config)
    lines: list[str] = []
    module.pytest_terminal_summary(SimpleNamespace(write_line=lines.append), config)
    assert len(lines) == 1
    assert "PostgreSQL (X_TEST_PG is unset" in lines[0]
    assert "Redis (X_TEST_REDIS is unset" in lines[0]


def test_a_set_variable_is_left_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    module = _root_conftest()
    monkeypatch.setattr(module, "LOCAL_SERVICES", {"X_TEST_PG": ("PostgreSQL", "postgresql://x")})
    monkeypatch.setenv("X_TEST_PG", "postgresql://mine@127.0.0.1:1/db")
    config = SimpleNamespace(stash=pytest.Stash())
    module.pytest_configure(config)
    lines: list[str] = []
    module.pytest_terminal_summary(SimpleNamespace(write_line=lines.append), config)
    assert lines == []
