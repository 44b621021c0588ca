"""Email provider: passwordless sign-in with a one-time link (NextAuth's "magic link").

``POST {base}/signin/email`` (CSRF already checked) normalises the address, stores a token as
``sha256_hex(token + secret)`` only (S-A3) and sends the link
``{base}/callback/email?callbackUrl=...&token=...&email=...``; the browser goes to
``verify-request`` whether or not the address has an account (S-A6). ``GET
{base}/callback/email`` from the browser that asked for the link consumes the token atomically
through the adapter; from any other browser, and on ``HEAD``, it only shows a confirmation page
naming the address, whose button ``POST``s back with a CSRF token (S-S9, A-PS5). A wrong,
expired, reused or malformed token is ``Verification``. Email sign-in proves possession of the
mailbox and nothing more: it is single-factor (S-A8).
"""

from __future__ import annotations

import hashlib
import logging
import re
import secrets
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import TYPE_CHECKING, Any, ClassVar
from urllib.parse import urlsplit

import idna

from ..adapters.base import VerificationToken
from ..callbacks import keyword_caller
from ..errors import AuthError, ConfigurationError
from ..mail import Sender, VerificationRequest, sender_from_env
from ..session.database import guarded
from .base import Confirmation, Provider, ProviderType, SignInResult
from .email_browser import RequestingBrowser

if TYPE_CHECKING:
    from webob import Response

    from ..adapters.base import User
    from ..flow import FlowRequest
    from ..throttle import Throttle
    from .base import ProviderSetup, UserFinder

log = logging.getLogger("authmw.email")

DAY = 24 * 60 * 60
MAX_INPUT = 1024
# RFC 5322 dot-atom text; quoted strings, comments and non-ASCII local parts are refused.
_LOCAL = re.compile(r"[a-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*")
_LABEL = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?")
_TOKEN = re.compile(r"[A-Za-z0-9_-]{32,128}")


def normalize_email(value: object) -> str | None:
    """The canonical form of one sign-in address, or ``None`` if it is not one.

    NFKC first (so ``＠`` and ``﹫`` become ``@`` and are counted, A-NA13), then trimmed and
    lower-cased. Exactly one ``@``; the local part is a dot-atom of at most 64 bytes (no quotes,
    A-NA11); the domain has a dot and LDH labels, and internationalised domains are stored
    IDNA-encoded (``bücher.example`` -> ``xn--bcher-kva.example``); at most 254 bytes in all.
    Lists, display names, brackets, whitespace and control characters are refused (A-NA4,
    A-NA5). ``email.utils.parseaddr`` is never used: it mis-parses such input (A-PY1).
    """
    if not isinstance(value, str) or len(value) > MAX_INPUT:
        return None
    text = unicodedata.normalize("NFKC", value).strip().lower()
    if text.count("@") != 1:
        return None
    local, domain = text.split("@")
    if len(local) > 64 or not _LOCAL.fullmatch(local):
        return None
    ascii_domain = _domain(domain)
    if ascii_domain is None:
        return None
    address = f"{local}@{ascii_domain}"
    return address if len(address) <= 254 else None


def _domain(domain: str) -> str | None:
    if not domain or len(domain) > 253:
        return None
    if not domain.isascii():
        try:
            domain = idna.encode(domain, uts46=False).decode("ascii")
        except (idna.IDNAError, UnicodeError, ValueError):
            return None
    labels = domain.split(".")
    if len(labels) < 2 or not all(_LABEL.fullmatch(label) for label in labels):
        return None
    if labels[-1].isdigit():  # 127.0.0.1 is not a mail domain
        return None
    return domain


def hash_verification_token(token: str, secret: str) -> str:
    """What the adapter stores for *token*: NextAuth's ``sha256_hex(token + secret)``."""
    return hashlib.sha256((token + secret).encode("utf-8")).hexdigest()


class EmailProvider(Provider):
    """Sign in with a link sent by email. Needs an adapter (it stores the tokens and users).

    :param sender: an object with ``send(request: VerificationRequest)``, e.g.
        :class:`~authmw.mail.SMTPSender` or :class:`~authmw.mail.ConsoleSender`.
    :param send_verification_request: instead of *sender*, a callable taking any of the
        keywords ``identifier``, ``url``, ``expires``, ``token``, ``provider``, ``request``.
    :param max_age: seconds a link stays valid (24 hours, NextAuth's default; ASVS asks for
        10 minutes or less — set ``max_age=600`` for that).
    :param normalize_identifier: replaces :func:`normalize_email`; returns ``None`` to refuse.
    Without *sender* or *send_verification_request*, ``AUTHMW_SMTP_URL`` is used.
    :raises ConfigurationError: no way to send, or a non-positive *max_age*.
    """

    type: ClassVar[ProviderType] = "email"
    callback_methods: ClassVar[frozenset[str]] = frozenset({"GET", "HEAD", "POST"})
    callback_needs_csrf: ClassVar[bool] = True  # the confirmation page's POST
    create_account_error: ClassVar[str] = "EmailCreateAccount"

    def __init__(
        self,
        *,
        sender: Sender | None = None,
        send_verification_request: Callable[..., Any] | None = None,
        max_age: int = DAY,
        normalize_identifier: Callable[[str], str | None] | None = None,
        id: str = "email",
        name: str = "Email",
        style: dict[str, str] | None = None,
    ) -> None:
        super().__init__(id=id, name=name, style=style)
        if isinstance(max_age, bool) or not isinstance(max_age, int) or max_age <= 0:
            raise ConfigurationError(f"provider {id!r}: max_age must be positive seconds")
        if sender is not None and not callable(getattr(sender, "send", None)):
            raise ConfigurationError(f"provider {id!r}: sender needs a send(request) method")
        self.max_age = max_age
        self.normalize = normalize_identifier or normalize_email
        self._custom = (
            keyword_caller(send_verification_request, f"provider {id!r} send_verification_request")
            if send_verification_request is not None
            else None
        )
        if self._custom is None and sender is None:
            sender = sender_from_env()
            if sender is None:
                raise ConfigurationError(
                    f"provider {id!r} needs sender=..., send_verification_request=... "
                    "or AUTHMW_SMTP_URL"
                )
        self.sender = sender
        self._secrets: Sequence[str] = ()
        self._adapter: Any = None
        self._callbacks: Any = None
        self._verify_request_page: str | None = None
        self._throttle: Throttle | None = None

    def setup(self, auth: ProviderSetup) -> None:
        if auth.adapter is None:
            raise ConfigurationError(f"provider {self.id!r} needs an adapter to store tokens")
        self._secrets = auth.secrets
        self._adapter = auth.adapter
        self._callbacks = auth.callbacks
        self._verify_request_page = auth.pages.verify_request
        self._throttle = auth.throttle
        self._browser = RequestingBrowser(auth.secrets, self.max_age)

    def find_user(
        self, users: UserFinder, ctx: FlowRequest, result: SignInResult, account: Mapping[str, Any]
    ) -> tuple[User, bool] | None:
        """The user with this (now verified) address, created if new."""
        return users.by_email(ctx, result)

    # -- POST /signin/email ---------------------------------------------------------------

    def begin(self, ctx: FlowRequest) -> Response:
        """Check the address, store a token, send the link, then go to ``verify-request``."""
        identifier = self.normalize(ctx.param("email") or "")
        if identifier is None:
            raise AuthError("EmailSignin", detail="invalid email address")
        if self._throttle is not None:  # S-A5: before the lookup, so the answer is the same
            self._throttle.before_email(ctx.environ, self.id, identifier)
        adapter = self._adapter
        # Looked up for every address, known or not, so the answer takes the same path (S-A6).
        existing = guarded(lambda: adapter.get_user_by_email(identifier))
        user = {"id": existing.id if existing else identifier, "email": identifier}
        refused = self._check_sign_in(ctx, user, identifier)
        if refused is not None:
            return refused

        token = secrets.token_urlsafe(32)
        hashed = hash_verification_token(token, self._secrets[0])
        expires = datetime.now(UTC) + timedelta(seconds=self.max_age)
        guarded(
            lambda: adapter.create_verification_token(
                VerificationToken(identifier, hashed, expires)
            )
        )
        given = ctx.param("callbackUrl")
        callback_url = ctx.sanitize(given) if given else ctx.stored_callback_url()
        url = ctx.auth_url(
            "callback", self.id, callbackUrl=callback_url, token=token, email=identifier
        )
        request = VerificationRequest(
            identifier=identifier,
            url=url,
            expires=expires,
            host=urlsplit(ctx.base_url).netloc,
            provider_id=self.id,
        )
        try:
            self._deliver(ctx, request, token)
        except Exception as exc:
            # Never log the link or the exception text (it may quote the message).
            log.error("sending the sign-in email failed (%s)", type(exc).__name__)
            self._discard(ctx, identifier, hashed)
            raise AuthError("EmailSignin", detail="sending failed") from None
        self._browser.mark(ctx, token)
        verify = ctx.page_url(
            self._verify_request_page, "verify-request", provider=self.id, type="email"
        )
        return ctx.redirect(verify)

    def _check_sign_in(
        self, ctx: FlowRequest, user: dict[str, Any], identifier: str
    ) -> Response | None:
        """NextAuth asks ``sign_in`` before sending, so apps can refuse addresses early."""
        elsewhere = self._callbacks.sign_in_verdict(
            self.id,
            user=user,
            account={"provider": self.id, "type": "email", "providerAccountId": identifier},
            profile=None,
            email={"verification_request": True},
            credentials=None,
        )
        return ctx.redirect(ctx.sanitize(elsewhere)) if elsewhere is not None else None

    def _deliver(self, ctx: FlowRequest, request: VerificationRequest, token: str) -> None:
        if self._custom is not None:
            self._custom(
                identifier=request.identifier,
                url=request.url,
                expires=request.expires,
                token=token,
                provider=self,
                request=ctx.request,
            )
        elif self.sender is not None:
            self.sender.send(request)

    def _discard(self, ctx: FlowRequest, identifier: str, hashed: str) -> None:
        """Remove the unsent token so nothing usable is left behind."""
        try:
            self._adapter.use_verification_token(identifier, hashed)
        except Exception as exc:
            log.error("could not delete the unsent token (%s)", type(exc).__name__)

    # -- {base}/callback/email ------------------------------------------------------------

    def confirmation(self, ctx: FlowRequest) -> Confirmation | None:
        """Finish a ``GET`` from the browser that asked for the link (and a ``POST``, CSRF
        checked); otherwise ask first, so a scanner's or a forged link's ``GET`` uses nothing."""
        token, identifier = self._link(ctx)
        method = ctx.request.method
        if method == "POST" or (method == "GET" and self._browser.asked_for(ctx, token)):
            return None
        fields = {"token": token, "email": identifier, "callbackUrl": ctx.stored_callback_url()}
        if given := ctx.query.get("callbackUrl"):
            fields["callbackUrl"] = ctx.sanitize(given)
        return Confirmation(address=identifier, fields=fields)

    def _link(self, ctx: FlowRequest) -> tuple[str, str]:
        """The link's token and normalised address; malformed ones are ``Verification``."""
        token = ctx.param("token")
        email = ctx.param("email")
        if not token or not _TOKEN.fullmatch(token) or not email:
            raise AuthError("Verification", detail="missing or malformed token or email")
        identifier = self.normalize(email)
        if identifier is None:
            raise AuthError("Verification", detail="malformed email")
        return token, identifier

    def finish(self, ctx: FlowRequest) -> SignInResult:
        """Consume the token once; any problem is ``Verification`` (B-E1..B-E4, B-E8)."""
        token, identifier = self._link(ctx)
        adapter = self._adapter
        used = None
        for secret in self._secrets:  # rotation: links sent before a new secret still work
            hashed = hash_verification_token(token, secret)
            used = guarded(partial(adapter.use_verification_token, identifier, hashed))
            if used is not None:
                break
        if used is None or used.expires <= datetime.now(UTC):
            raise AuthError("Verification", detail="unknown, used or expired token")
        return SignInResult(
            user={"id": identifier, "email": identifier, "name": None, "image": None},
            account={"provider": self.id, "type": "email", "providerAccountId": identifier},
            email={"verification_request": False},
            extra_cookies=self._browser.forget(ctx),
        )
