"""The example's URLs: the same routes as the plain WSGI demo."""

from __future__ import annotations

from django.urls import path

from . import views

urlpatterns = [
    path("", views.home),
    path("dashboard", views.dashboard),
    path("admin", views.admin),
    path("api/me", views.me),
]
