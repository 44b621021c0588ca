"""The demo's routes as a Django project: ``wsgi.py`` wraps the app, views read the session."""
