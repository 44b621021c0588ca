"""Framework integrations; each module imports its framework, so import only the one you use.

- :mod:`authmw.integrations.pyramid` (also ``authmw.pyramid``): ``config.include(...)``,
  security policy, forbidden view.
- :mod:`authmw.integrations.bottle`: ``AuthPlugin`` and ``auth_required``.
- :mod:`authmw.integrations.flask`: ``current_session`` and ``login_required``.
- :mod:`authmw.integrations.django`: ``AuthSessionMiddleware`` and ``auth_required``.
- :mod:`authmw.integrations.paste`: the PasteDeploy filter ``egg:authmw#auth``.

All of them read what the middleware put in the environ; wrapping the WSGI app with
:meth:`authmw.Auth.wrap` is what protects it.
"""
