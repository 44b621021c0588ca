"""``python -m examples.pyramid``: serve the Pyramid example with waitress on $HOST:$PORT."""

from __future__ import annotations

from waitress import serve

from ..common import server_address
from .app import create_app


def main() -> None:
    host, port, url = server_address()
    app = create_app(url=url)
    print(
        f"authmw + Pyramid on {url}\n"
        "  sign in as alice@example.com / alice-password or admin@example.com / admin-password"
    )
    serve(app, host=host, port=port)


if __name__ == "__main__":
    main()
