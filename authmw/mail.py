"""Senders for sign-in links: SMTP (standard library) and a console sender for development.

A sender has one method, ``send(request: VerificationRequest)``, and raises on failure (the
email provider then answers ``EmailSignin`` and deletes the unsent token). The link in a
request is a credential: it never appears in ``repr`` or in logs, except that
:class:`ConsoleSender` prints it, which is its whole purpose (development only).
"""

from __future__ import annotations

import ipaddress
import logging
import os
import smtplib
import ssl
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from html import escape
from typing import Literal, Protocol, TextIO
from urllib.parse import parse_qs, unquote, urlsplit

from .errors import ConfigurationError

__all__ = [
    "ConsoleSender",
    "SMTPSender",
    "Sender",
    "VerificationRequest",
    "build_message",
    "sender_from_env",
]

log = logging.getLogger("authmw.mail")

Security = Literal["ssl", "starttls", "opportunistic", "none"]
_SECURITY = ("ssl", "starttls", "opportunistic", "none")
DEFAULT_TIMEOUT = 10.0


@dataclass(frozen=True, repr=False)
class VerificationRequest:
    """One sign-in link to deliver.

    :param identifier: the normalised recipient address (the only envelope recipient).
    :param url: the sign-in link; it holds the token.
    :param expires: when the link stops working (UTC).
    :param host: the app's host, for the subject line.
    """

    identifier: str
    url: str
    expires: datetime
    host: str
    provider_id: str = "email"

    def __repr__(self) -> str:
        return f"VerificationRequest(identifier={self.identifier!r}, url=<hidden>)"


class Sender(Protocol):
    """Delivers sign-in links; raises on failure."""

    def send(self, request: VerificationRequest) -> None: ...


def build_message(request: VerificationRequest, *, from_address: str) -> EmailMessage:
    """The sign-in email: a text part and an HTML part, every value escaped (A-NA4)."""
    host, url = request.host, request.url
    message = EmailMessage()
    message["Subject"] = f"Sign in to {host}"
    message["From"] = from_address
    message["To"] = request.identifier
    message.set_content(
        f"Sign in to {host}\n\n{url}\n\n"
        "If you did not request this email you can safely ignore it.\n"
    )
    message.add_alternative(
        '<!doctype html><html><body style="font-family:sans-serif">'
        f"<p>Sign in to <strong>{escape(host)}</strong></p>"
        f'<p><a href="{escape(url, quote=True)}">Sign in</a></p>'
        "<p>If you did not request this email you can safely ignore it.</p>"
        "</body></html>",
        subtype="html",
    )
    return message


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class SMTPSender:
    """Send through an SMTP server with :mod:`smtplib`.

    :param host: / :param port: the server.
    :param username: / :param password: for ``AUTH``; never sent over an unencrypted
        connection to a host other than loopback.
    :param security: ``"ssl"`` (implicit TLS, port 465), ``"starttls"`` (required),
        ``"opportunistic"`` (STARTTLS when offered) or ``"none"``.
    :param from_address: the ``From`` header; default ``no-reply@<app host>``.
    :param timeout: seconds for connecting and each SMTP command.
    :param ssl_context: TLS settings (default: :func:`ssl.create_default_context`).
    """

    def __init__(
        self,
        host: str,
        port: int = 587,
        *,
        username: str | None = None,
        password: str | None = None,
        security: Security = "starttls",
        from_address: str | None = None,
        timeout: float = DEFAULT_TIMEOUT,
        ssl_context: ssl.SSLContext | None = None,
    ) -> None:
        if security not in _SECURITY:
            raise ConfigurationError(f"SMTP security must be one of {', '.join(_SECURITY)}")
        if not host:
            raise ConfigurationError("SMTP host is required")
        if username and security in ("none", "opportunistic") and not _is_loopback(host):
            raise ConfigurationError("SMTP credentials need security='ssl' or 'starttls'")
        if from_address is not None and any(c in from_address for c in "\r\n\0"):
            raise ConfigurationError("from_address must be one line")
        if timeout <= 0:
            raise ConfigurationError("SMTP timeout must be positive")
        self.host = host
        self.port = port
        self.username = username
        self._password = password
        self.security: Security = security
        self.from_address = from_address
        self.timeout = timeout
        self._ssl_context = ssl_context

    @property
    def ssl_context(self) -> ssl.SSLContext:
        """The TLS settings; the default one is made at the first TLS connection (loading the
        system CA certificates takes tens of milliseconds)."""
        if self._ssl_context is None:
            self._ssl_context = ssl.create_default_context()
        return self._ssl_context

    @classmethod
    def from_url(cls, url: str, **options: object) -> SMTPSender:
        """``smtp://user:pass@host:587`` (STARTTLS) or ``smtps://user:pass@host:465`` (TLS).

        ``smtp://`` to a loopback host uses STARTTLS only when offered. Query parameters:
        ``security=ssl|starttls|opportunistic|none`` and ``from=address``. Keyword *options*
        are passed to the constructor and win over the URL.
        """
        parts = urlsplit(url)
        if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
            raise ConfigurationError("SMTP URL must look like smtp://user:pass@host:587")
        query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        security = query.get("security")
        if security is None:
            if parts.scheme == "smtps":
                security = "ssl"
            else:
                security = "opportunistic" if _is_loopback(parts.hostname) else "starttls"
        try:
            port = parts.port or (465 if security == "ssl" else 587)
        except ValueError:
            raise ConfigurationError("SMTP URL has an invalid port") from None
        settings: dict[str, object] = {
            "port": port,
            "username": unquote(parts.username) if parts.username else None,
            "password": unquote(parts.password) if parts.password else None,
            "security": security,
            "from_address": query.get("from"),
            **options,
        }
        return cls(parts.hostname, **settings)  # type: ignore[arg-type]

    def __repr__(self) -> str:
        return f"SMTPSender(host={self.host!r}, port={self.port}, security={self.security!r})"

    def _connect(self) -> smtplib.SMTP:
        if self.security == "ssl":
            return smtplib.SMTP_SSL(
                self.host, self.port, timeout=self.timeout, context=self.ssl_context
            )
        client = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
        try:
            client.ehlo()
            offered = client.has_extn("starttls")
            if self.security == "starttls" or (self.security == "opportunistic" and offered):
                client.starttls(context=self.ssl_context)
                client.ehlo()
        except BaseException:
            client.close()
            raise
        return client

    def send(self, request: VerificationRequest) -> None:
        """Deliver *request*; the envelope recipient is exactly ``request.identifier``."""
        host = request.host.rsplit(":", 1)[0] if ":" in request.host else request.host
        sender = self.from_address or f"no-reply@{host}"
        message = build_message(request, from_address=sender)
        with self._connect() as client:
            if self.username:
                client.login(self.username, self._password or "")
            refused = client.send_message(
                message, from_addr=_envelope(sender), to_addrs=[request.identifier]
            )
        if refused:
            raise smtplib.SMTPRecipientsRefused(refused)


def _envelope(address: str) -> str:
    """The bare address of a ``From`` value like ``App <no-reply@app.example>``."""
    if address.endswith(">") and "<" in address:
        return address[address.rindex("<") + 1 : -1]
    return address


class ConsoleSender:
    """Development only: writes the sign-in link to *stream* (standard error by default)."""

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream
        log.warning("ConsoleSender prints sign-in links: use it for development only")

    def __repr__(self) -> str:
        return "ConsoleSender()"

    def send(self, request: VerificationRequest) -> None:
        stream = self.stream or sys.stderr
        stream.write(f"[authmw] sign-in link for {request.identifier}: {request.url}\n")
        stream.flush()


def sender_from_env(environ: Mapping[str, str] | None = None) -> SMTPSender | None:
    """An :class:`SMTPSender` from ``AUTHMW_SMTP_URL`` (``AUTHMW_EMAIL_FROM`` sets the sender
    address), or ``None`` when it is not set."""
    env = os.environ if environ is None else environ
    url = env.get("AUTHMW_SMTP_URL")
    if not url:
        return None
    sender = env.get("AUTHMW_EMAIL_FROM")
    return SMTPSender.from_url(url, **({"from_address": sender} if sender else {}))
