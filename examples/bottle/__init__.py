"""The demo's routes as a Bottle app, with ``AuthPlugin`` and ``auth_required``."""
