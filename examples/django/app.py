"""Django: ``get_wsgi_application()`` wrapped in the authmw stack with the demo's rules."""

from __future__ import annotations

import os
from typing import Any

from ..common import RULES, make_auth


def create_app(*, secret: str | None = None, url: str = "http://127.0.0.1:8000", **options: Any):  # type: ignore[no-untyped-def]
    """The Django project as a WSGI app, wrapped in the full authmw stack."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "examples.django.settings")
    from django.core.wsgi import get_wsgi_application

    auth = make_auth(secret=secret, url=url, **options)
    return auth.wrap(get_wsgi_application(), rules=RULES)
