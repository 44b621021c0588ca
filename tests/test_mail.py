"""authmw.mail: SMTP sending against a real aiosmtpd server (plain, STARTTLS, implicit TLS)."""

from __future__ import annotations

import datetime as dt
import email
import io
import smtplib
import ssl
import time
from collections.abc import Iterator
from email.message import Message
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from authmw import ConfigurationError
from authmw.mail import (
    ConsoleSender,
    SMTPSender,
    VerificationRequest,
    build_message,
    sender_from_env,
)
from tests.support import free_port

EXPIRES = dt.datetime(2030, 1, 1, tzinfo=dt.UTC)
LINK = "http://localhost/api/auth/callback/email?token=SECRET-TOKEN&email=a%40b.test"


def request(**overrides: Any) -> VerificationRequest:
    values: dict[str, Any] = {
        "identifier": "a@b.test",
        "url": LINK,
        "expires": EXPIRES,
        "host": "localhost:8000",
    }
    values.update(overrides)
    return VerificationRequest(**values)


class Inbox:
    def __init__(self) -> None:
        self.messages: list[tuple[str, list[str], Message]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = email.message_from_bytes(envelope.content)
        self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), message))
        return "250 OK"


@pytest.fixture(scope="module")
def tls(tmp_path_factory: pytest.TempPathFactory) -> tuple[ssl.SSLContext, ssl.SSLContext]:
    """A self-signed certificate for 127.0.0.1: (server context, client context trusting it)."""
    import ipaddress

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=1))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .sign(key, hashes.SHA256())
    )
    folder: Path = tmp_path_factory.mktemp("tls")
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    server = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server.load_cert_chain(cert_path, key_path)
    client = ssl.create_default_context(cafile=str(cert_path))
    return server, client


def serve(inbox: Inbox, **kwargs: Any) -> tuple[Controller, int]:
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port, **kwargs)
    controller.start()
    return controller, port


@pytest.fixture
def plain() -> Iterator[tuple[Inbox, int]]:
    inbox = Inbox()
    controller, port = serve(inbox)
    yield inbox, port
    controller.stop()


def test_plain_smtp_delivers_text_and_html_to_exactly_the_identifier(
    plain: tuple[Inbox, int],
) -> None:
    inbox, port = plain
    SMTPSender.from_url(f"smtp://127.0.0.1:{port}").send(request())
    ((mail_from, recipients, message),) = inbox.messages
    assert recipients == ["a@b.test"]  # A-NA11: the envelope is the validated address
    assert mail_from == "no-reply@localhost"
    assert message["Subject"] == "Sign in to localhost:8000"
    parts = {
        p.get_content_type(): p.get_payload(decode=True).decode()
        for p in message.walk()
        if not p.is_multipart()
    }
    assert LINK in parts["text/plain"]
    assert LINK.replace("&", "&amp;") in parts["text/html"]


def test_from_address_and_env(plain: tuple[Inbox, int], monkeypatch: pytest.MonkeyPatch) -> None:
    inbox, port = plain
    monkeypatch.setenv("AUTHMW_SMTP_URL", f"smtp://127.0.0.1:{port}")
    monkeypatch.setenv("AUTHMW_EMAIL_FROM", "App <login@app.example>")
    sender = sender_from_env()
    assert sender is not None
    sender.send(request())
    mail_from, _, message = inbox.messages[0]
    assert mail_from == "login@app.example" and message["From"] == "App <login@app.example>"
    monkeypatch.delenv("AUTHMW_SMTP_URL")
    assert sender_from_env() is None


def test_starttls_with_login(tls: tuple[ssl.SSLContext, ssl.SSLContext]) -> None:
    server_ctx, client_ctx = tls
    inbox = Inbox()
    seen: list[tuple[bytes, bytes]] = []

    def authenticator(server: Any, session: Any, envelope: Any, mechanism: str, auth: Any) -> Any:
        from aiosmtpd.smtp import AuthResult

        seen.append((auth.login, auth.password))
        return AuthResult(success=True)

    controller, port = serve(
        inbox,
        tls_context=server_ctx,
        require_starttls=True,
        authenticator=authenticator,
        auth_require_tls=True,
    )
    try:
        sender = SMTPSender.from_url(
            f"smtp://us%40er:p%3Ass@127.0.0.1:{port}?security=starttls", ssl_context=client_ctx
        )
        sender.send(request())
    finally:
        controller.stop()
    assert seen == [(b"us@er", b"p:ss")]
    assert len(inbox.messages) == 1


def test_smtps_implicit_tls(tls: tuple[ssl.SSLContext, ssl.SSLContext]) -> None:
    server_ctx, client_ctx = tls
    inbox = Inbox()
    port = free_port()
    controller = Controller(
        inbox,
        hostname="127.0.0.1",
        port=port,
        ssl_context=server_ctx,
        server_hostname="127.0.0.1",
    )
    controller.start()
    try:
        SMTPSender.from_url(f"smtps://127.0.0.1:{port}", ssl_context=client_ctx).send(request())
    finally:
        controller.stop()
    assert len(inbox.messages) == 1


def test_required_starttls_refuses_a_server_without_it(plain: tuple[Inbox, int]) -> None:
    inbox, port = plain
    sender = SMTPSender("127.0.0.1", port, security="starttls")
    with pytest.raises(smtplib.SMTPNotSupportedError):
        sender.send(request())
    assert inbox.messages == []


def test_server_down_fails_fast() -> None:
    sender = SMTPSender.from_url(f"smtp://127.0.0.1:{free_port()}", timeout=2)
    started = time.monotonic()
    with pytest.raises(OSError):
        sender.send(request())
    assert time.monotonic() - started < 3


def test_refused_recipient_raises() -> None:
    class Refusing(Inbox):
        async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str,
                              options: Any) -> str:  # fmt: skip
            return "550 no such mailbox"

    inbox = Refusing()
    controller, port = serve(inbox)
    try:
        with pytest.raises(smtplib.SMTPRecipientsRefused):
            SMTPSender("127.0.0.1", port, security="none").send(request())
    finally:
        controller.stop()


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("smtp://mail.example", ("mail.example", 587, "starttls", None)),
        ("smtp://u:p@mail.example:2525", ("mail.example", 2525, "starttls", "u")),
        ("smtps://mail.example", ("mail.example", 465, "ssl", None)),
        ("smtp://127.0.0.1:1025", ("127.0.0.1", 1025, "opportunistic", None)),
        ("smtp://localhost:25?security=none", ("localhost", 25, "none", None)),
    ],
)
def test_from_url(url: str, expected: tuple[str, int, str, str | None]) -> None:
    sender = SMTPSender.from_url(url)
    assert (sender.host, sender.port, sender.security, sender.username) == expected


@pytest.mark.parametrize(
    "url",
    ["http://mail.example", "smtp://", "smtp://mail.example:99999",
     "smtp://u:p@mail.example?security=none", "smtp://mail.example?security=bogus"],
)  # fmt: skip
def test_from_url_refuses_bad_or_unsafe_settings(url: str) -> None:
    with pytest.raises(ConfigurationError):
        SMTPSender.from_url(url)


def test_password_and_link_never_in_repr() -> None:
    sender = SMTPSender.from_url("smtps://user:hunter2@mail.example")
    assert "hunter2" not in repr(sender) and "hunter2" not in str(vars(sender).get("password"))
    assert "SECRET-TOKEN" not in repr(request())


def test_A_NA4_message_escapes_every_value() -> None:
    hostile = request(host='<img src=x onerror="alert(1)">', url='http://x/?a="><script>')
    message = build_message(hostile, from_address="no-reply@app.example")
    html = next(p for p in message.walk() if p.get_content_type() == "text/html").get_content()
    assert "<script>" not in html and "<img" not in html
    assert "&lt;img" in html and "&quot;&gt;&lt;script&gt;" in html


def test_header_injection_is_impossible() -> None:
    with pytest.raises(ValueError):
        build_message(request(identifier="a@b.test\r\nBcc: x@evil.test"), from_address="a@b.c")
    with pytest.raises(ConfigurationError):
        SMTPSender("mail.example", from_address="a@b.c\r\nBcc: x@evil.test")


def test_console_sender_prints_the_link() -> None:
    out = io.StringIO()
    ConsoleSender(out).send(request())
    assert LINK in out.getvalue() and "a@b.test" in out.getvalue()
