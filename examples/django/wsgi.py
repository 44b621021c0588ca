"""``application`` for any WSGI server, e.g. ``gunicorn examples.django.wsgi``.

The whole of it, in a project of your own::

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mysite.settings")
    application = auth.wrap(get_wsgi_application(), rules=RULES)
"""

from __future__ import annotations

from ..common import server_address
from .app import create_app

application = create_app(url=server_address()[2])
