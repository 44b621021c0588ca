"""The plain-WSGI demo app behind the full authmw stack."""
