"""A minimal Django settings module: no database, no Django sessions or auth; authmw does that."""

from __future__ import annotations

import os
import secrets
from urllib.parse import urlsplit

DEBUG = False
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY") or secrets.token_urlsafe(50)
ROOT_URLCONF = "examples.django.urls"
INSTALLED_APPS: list[str] = []
DATABASES: dict[str, dict[str, str]] = {}
MIDDLEWARE = ["authmw.integrations.django.AuthSessionMiddleware"]
USE_TZ = True

_public = urlsplit(os.environ.get("AUTHMW_URL", "")).hostname
ALLOWED_HOSTS = [
    "localhost",
    "127.0.0.1",
    "[::1]",
    *filter(None, [os.environ.get("HOST"), _public]),
]
