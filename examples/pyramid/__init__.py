"""The demo's routes as a Pyramid app configured from ``authmw.*`` settings and permissions."""
