"""The shared end of every sign-in: callbacks, the user record, the new session, the redirect."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from ..callbacks import mapping_from
from ..log import redact

if TYPE_CHECKING:
    from webob import Response

    from ..callbacks import Callbacks, Events
    from ..flow import FlowRequest
    from ..providers.base import Provider, SignInResult
    from ..session.strategy import SessionStrategy
    from .linking import AccountLinking

log = logging.getLogger("authmw.signin")

#: (token claim, user field) of the default token.
_DEFAULT_CLAIMS = (("name", "name"), ("email", "email"), ("picture", "image"))


class SignInCompletion:
    """Runs ``sign_in`` and ``jwt`` callbacks, issues a new session and redirects.

    :param linking: resolves the stored user when an adapter keeps users (else ``None``).
    :param new_user_page: ``pages.new_user``, where a first sign-in goes.
    """

    def __init__(
        self,
        *,
        callbacks: Callbacks,
        events: Events,
        strategy: SessionStrategy,
        linking: AccountLinking | None = None,
        new_user_page: str | None = None,
    ) -> None:
        self.callbacks = callbacks
        self.events = events
        self.strategy = strategy
        self.linking = linking
        self.new_user_page = new_user_page

    def complete(self, ctx: FlowRequest, provider: Provider, result: SignInResult) -> Response:
        """:raises AuthError: ``AccessDenied`` when the ``sign_in`` callback refuses."""
        elsewhere, is_new_user = self.start_session(ctx, provider, result)
        if elsewhere is not None:
            return ctx.redirect(ctx.sanitize(elsewhere))
        url = ctx.callback_url()
        if is_new_user and self.new_user_page:
            url = ctx.page_url(self.new_user_page, "signin", callbackUrl=url)
        log.debug("sign-in with %s: session issued, going to %s", provider.id, redact(url))
        return ctx.redirect(url)

    def start_session(
        self, ctx: FlowRequest, provider: Provider, result: SignInResult
    ) -> tuple[str | None, bool]:
        """Everything of a sign-in but the redirect: the ``sign_in`` verdict, the stored user,
        the token through the ``jwt`` callback, the session cookies queued on *ctx*, the event.

        :returns: ``(url, False)`` when the ``sign_in`` callback sends the user elsewhere (no
            session then), else ``(None, is_new_user)``.
        :raises AuthError: ``AccessDenied`` when the ``sign_in`` callback refuses.
        """
        user = result.user
        account = result.account or {
            "provider": provider.id,
            "type": provider.type,
            "providerAccountId": str(user["id"]),
        }
        elsewhere = self.callbacks.sign_in_verdict(
            provider.id,
            user=user,
            account=account,
            profile=result.profile,
            email=result.email,
            credentials=result.credentials,
        )
        if elsewhere is not None:
            return elsewhere, False

        is_new_user = False
        if self.linking is not None:
            user, is_new_user = self.linking.resolve(ctx, provider, result, account)
        log.debug("sign-in with %s: user resolved (new user: %s)", provider.id, is_new_user)
        token = self._token(user, account, provider, result, is_new_user)
        ctx.set_cookies.extend(result.extra_cookies)
        ctx.set_session_cookies(self.strategy.issue(token, user, ctx.realm, ctx.cookies))
        ctx.rotate_csrf_token()
        self.events.emit(
            "sign_in", user=user, account=account, profile=result.profile, is_new_user=is_new_user
        )
        log.info("signed in with provider %s", provider.id)
        return None, is_new_user

    def _token(
        self,
        user: Mapping[str, Any],
        account: Mapping[str, Any],
        provider: Provider,
        result: SignInResult,
        is_new_user: bool,
    ) -> dict[str, Any]:
        # NextAuth's default token {name, email, picture: user.image, sub}: a field the user
        # does not have is left out (JSON drops undefined), so the session shows no such key.
        token: dict[str, Any] = {
            claim: user[field] for claim, field in _DEFAULT_CLAIMS if field in user
        }
        token["sub"] = str(user["id"])
        token.update(provider.session_claims(result.account))
        answer = mapping_from(
            lambda: self.callbacks.jwt(
                token=token,
                user=user,
                account=account,
                profile=result.profile,
                trigger="signUp" if is_new_user else "signIn",
                is_new_user=is_new_user,
                session=None,
            ),
            code="Configuration",
            what="callbacks.jwt at sign-in",
        )
        return dict(answer)
