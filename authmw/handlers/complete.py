"""The shared end of every sign-in: callbacks, the user record, the new session, the redirect."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from ..errors import AuthError

if TYPE_CHECKING:
    from webob import Response

    from ..dispatch.context import RequestContext
    from ..providers.base import Provider, SignInResult

log = logging.getLogger("authmw.signin")

#: (token claim, user field) of the default token.
_DEFAULT_CLAIMS = (("name", "name"), ("email", "email"), ("picture", "image"))


def complete_sign_in(ctx: RequestContext, provider: Provider, result: SignInResult) -> Response:
    """Run ``sign_in`` and ``jwt`` callbacks, issue a new session and redirect.

    :raises AuthError: ``AccessDenied`` when the ``sign_in`` callback refuses.
    """
    auth = ctx.auth
    user = result.user
    account = result.account or {
        "provider": provider.id,
        "type": provider.type,
        "providerAccountId": str(user["id"]),
    }
    try:
        verdict = auth.callbacks.sign_in(
            user=user,
            account=account,
            profile=result.profile,
            email=result.email,
            credentials=result.credentials,
        )
    except Exception:
        log.exception("callbacks.sign_in raised for provider %s", provider.id)
        raise AuthError("AccessDenied", detail="sign_in callback raised") from None
    if verdict is False or verdict is None:
        raise AuthError("AccessDenied", detail="sign_in callback refused")
    if isinstance(verdict, str):
        return ctx.redirect(ctx.sanitize(verdict))

    is_new_user = False
    users = getattr(auth, "users", None)
    if users is not None:
        user, is_new_user = users.resolve(ctx, provider, result, account)

    # NextAuth's default token {name, email, picture: user.image, sub}: a field the user does
    # not have is left out (JSON drops undefined), so the session shows no such key either.
    token: dict[str, Any] = {
        claim: user[field] for claim, field in _DEFAULT_CLAIMS if field in user
    }
    token["sub"] = str(user["id"])
    token.update(provider.session_claims(result.account))
    try:
        token = auth.callbacks.jwt(
            token=token,
            user=user,
            account=account,
            profile=result.profile,
            trigger="signUp" if is_new_user else "signIn",
            is_new_user=is_new_user,
            session=None,
        )
    except Exception:
        log.exception("callbacks.jwt raised at sign-in")
        raise AuthError("Configuration", detail="jwt callback raised") from None
    if not isinstance(token, Mapping):
        raise AuthError("Configuration", detail="jwt callback must return a mapping")

    ctx.set_cookies.extend(result.extra_cookies)
    ctx.set_cookies.extend(auth.strategy.issue(dict(token), user, ctx.realm, ctx.cookies))
    auth.events.emit(
        "sign_in", user=user, account=account, profile=result.profile, is_new_user=is_new_user
    )
    log.info("signed in with provider %s", provider.id)
    url = ctx.callback_url()
    if is_new_user and auth.pages.new_user:
        url = ctx.page_url(auth.pages.new_user, "signin", callbackUrl=url)
    return ctx.redirect(url)
