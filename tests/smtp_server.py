"""A real SMTP server on loopback (aiosmtpd in its own thread) for the e-mail tests, and a self-signed certificate
for its STARTTLS and TLS modes (made here with `cryptography`; the client is told to trust exactly that file).

`SmtpServer.messages` holds what the server accepted (parsed e-mail messages, in order). Modes:
refuse="addr" answers RCPT TO for that address with 550; drop_on_data=True closes the connection after the
message body arrived, before any reply (the client cannot know whether it was taken)."""

from __future__ import annotations

import asyncio
import datetime as dt
import email
import email.policy
import ipaddress
import ssl
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from tests.servers import free_port


@dataclass
class SelfSignedCert:
    cert_file: Path
    key_file: Path

    def server_context(self) -> ssl.SSLContext:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(self.cert_file, self.key_file)
        return context


def make_self_signed_cert(folder: Path) -> SelfSignedCert:
    """A certificate for localhost and 127.0.0.1 that is its own CA (valid for a day)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "PayApp test mail server")])
    now = dt.datetime.now(dt.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(minutes=5)).not_valid_after(now + dt.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost"),
                                                        x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                           critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    folder.mkdir(parents=True, exist_ok=True)
    cert_file, key_file = folder / "smtp-cert.pem", folder / "smtp-key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return SelfSignedCert(cert_file, key_file)


@dataclass
class _Handler:
    refuse: frozenset[str] = frozenset()
    drop_on_data: bool = False
    delay_s: float = 0.0
    messages: list[EmailMessage] = field(default_factory=list)
    envelopes: list[tuple[str, tuple[str, ...]]] = field(default_factory=list)
    sessions_tls: list[bool] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str,
                          rcpt_options: list[str]) -> str:
        if address.lower() in self.refuse:
            return "550 5.1.1 <" + address + ">: no such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.delay_s:
            await asyncio.sleep(self.delay_s)       # a slow server: time for a test to press Cancel
        if self.drop_on_data:
            server.transport.abort()        # the connection goes away before the server says 250
            return "451 never seen"
        message = email.message_from_bytes(envelope.original_content or envelope.content,
                                           policy=email.policy.default)
        with self.lock:
            self.messages.append(message)  # type: ignore[arg-type]
            self.envelopes.append((envelope.mail_from, tuple(envelope.rcpt_tos)))
            self.sessions_tls.append(server.transport.get_extra_info("ssl_object") is not None)
        return "250 2.0.0 Message accepted for delivery"


@dataclass
class SmtpServer:
    host: str
    port: int
    handler: _Handler
    logins: list[tuple[str, str]]

    @property
    def messages(self) -> list[EmailMessage]:
        return self.handler.messages

    @property
    def envelopes(self) -> list[tuple[str, tuple[str, ...]]]:
        return self.handler.envelopes

    @property
    def over_tls(self) -> list[bool]:
        return self.handler.sessions_tls


@contextmanager
def smtp_server(*, starttls: SelfSignedCert | None = None, implicit_tls: SelfSignedCert | None = None,
                refuse: tuple[str, ...] = (), drop_on_data: bool = False, delay_s: float = 0.0,
                login: tuple[str, str] | None = None) -> Iterator[SmtpServer]:
    """An aiosmtpd server on 127.0.0.1 (a free port) until the block ends. `starttls`: offers and requires
    STARTTLS with that certificate; `implicit_tls`: TLS from the first byte (port-465 style); `login`: the only
    user name and password AUTH accepts (over TLS only)."""
    handler = _Handler(refuse=frozenset(a.lower() for a in refuse), drop_on_data=drop_on_data, delay_s=delay_s)
    logins: list[tuple[str, str]] = []

    def authenticator(server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any) -> AuthResult:
        if not isinstance(auth_data, LoginPassword) or login is None:
            return AuthResult(success=False, handled=False)
        user, password = auth_data.login.decode(), auth_data.password.decode()
        logins.append((user, password))
        return AuthResult(success=(user, password) == login, handled=False)

    params: dict[str, Any] = {}
    if starttls is not None:
        params.update(tls_context=starttls.server_context(), require_starttls=True)
    if login is not None:
        params.update(authenticator=authenticator, auth_required=True, auth_require_tls=True)
    port = free_port()
    # its own plain selector loop: asyncio.new_event_loop() under qasync's policy (the UI tests) would make a Qt
    # event loop, which must not run in another thread
    controller = Controller(handler, hostname="127.0.0.1", port=port, loop=asyncio.SelectorEventLoop(),
                            ssl_context=implicit_tls.server_context() if implicit_tls is not None else None,
                            server_hostname="mail.payapp.test", **params)
    controller.start()
    try:
        yield SmtpServer("127.0.0.1", port, handler, logins)
    finally:
        controller.stop()
