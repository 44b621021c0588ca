"""``python -m examples.pyramid``: serve the Pyramid example with waitress on $HOST:$PORT."""

from __future__ import annotations

from ..common import serve_example
from .app import create_app

if __name__ == "__main__":
    serve_example(create_app, "authmw + Pyramid")
