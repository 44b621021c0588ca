"""Fixtures for the OAuth flow tests: the local identity providers of tests/providers/idp.py."""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest


def load_idp() -> ModuleType:
    name = "authmw_tests_idp"
    if name not in sys.modules:
        path = Path(__file__).parent.parent / "providers" / "idp.py"
        spec = importlib.util.spec_from_file_location(name, path)
        assert spec and spec.loader
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


idp = load_idp()


@pytest.fixture
def op() -> Iterator[Any]:
    """A fresh test OpenID provider served on 127.0.0.1."""
    server = idp.TestOP()
    with idp.serve(server) as base:
        server.base = server.issuer = base
        yield server


@pytest.fixture
def oauth1_server() -> Iterator[Any]:
    server = idp.OAuth1Server()
    with idp.serve(server) as base:
        server.base = base
        yield server
