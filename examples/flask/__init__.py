"""The demo's routes as a Flask app, protected with ``login_required``."""
