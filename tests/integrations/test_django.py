"""Django: ``AuthSessionMiddleware`` exposes ``request.auth_session``; ``auth_required`` guards."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import webtest
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import path

from authmw.integrations.django import auth_required


def whoami(request: HttpRequest) -> JsonResponse:
    session = request.auth_session  # type: ignore[attr-defined]
    token = request.auth_token  # type: ignore[attr-defined]
    return JsonResponse({"email": session.user["email"] if session else None, "sub": bool(token)})


@auth_required
def private(request: HttpRequest) -> HttpResponse:
    return HttpResponse("private")


@auth_required(role="admin")
def admin(request: HttpRequest, section: str) -> HttpResponse:
    return HttpResponse(f"admin {section}")


@auth_required(api=True)
def data(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"ok": True})


class URLS:
    """A URLconf without a module: Django accepts any object with ``urlpatterns``."""

    urlpatterns = [
        path("", whoami),
        path("private", private),
        path("admin/<str:section>", admin),
        path("api/data", data),
    ]


@pytest.fixture
def django_app() -> Iterator[Any]:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "examples.django.settings")
    import django
    from django.core.wsgi import get_wsgi_application
    from django.test.utils import override_settings

    django.setup(set_prefix=False)
    with override_settings(
        ROOT_URLCONF=URLS,
        MIDDLEWARE=["authmw.integrations.django.AuthSessionMiddleware"],
        ALLOWED_HOSTS=["localhost"],
        DEBUG=False,
    ):
        yield get_wsgi_application()


@pytest.fixture
def client(django_app: Any, make_auth: Callable[..., Any]) -> webtest.TestApp:
    return webtest.TestApp(make_auth().wrap(django_app))


def test_middleware_exposes_session_and_token(client: webtest.TestApp, sign_in: Any) -> None:
    assert client.get("/").json == {"email": None, "sub": False}
    sign_in(client)
    assert client.get("/").json == {"email": "alice@example.com", "sub": True}


def test_auth_required(client: webtest.TestApp, sign_in: Any) -> None:
    location = client.get("/private", status=302).headers["Location"]
    assert location == "/api/auth/signin?callbackUrl=%2Fprivate"
    assert client.get("/api/data", status=401).json["error"] == "SessionRequired"
    sign_in(client)
    assert client.get("/private").text == "private"
    client.get("/admin/users", status=403)
    client.reset()
    sign_in(client, "admin@example.com")
    assert client.get("/admin/users").text == "admin users"


def test_A_NA15_unwrapped_project_fails_closed(django_app: Any) -> None:
    client = webtest.TestApp(django_app)
    client.get("/private", status=500, expect_errors=True)
    client.get("/admin/users", status=500, expect_errors=True)
