"""MailService (payapp/services/mail.py) against a real SMTP server on loopback (aiosmtpd, tests/smtp_server.py):
plain, STARTTLS and TLS with a self-signed certificate the client is told to trust, a sign-in, a server that refuses
the recipient (550) and one that drops the connection; the server's reason reaches the MailError, the password
never reaches a log."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from payapp.domain.errors import PermissionDenied, ValidationError
from payapp.models.db import Database
from payapp.services.auth import CurrentUser
from payapp.services.mail import MAIL_PASSWORD, MailError, MailService, OutgoingMail, build_message
from payapp.services.secrets import Secret, SecretStore
from payapp.services.settings import SettingsService
from tests.conftest import ADMIN, VIEWER
from tests.smtp_server import SelfSignedCert, make_self_signed_cert, smtp_server

PASSWORD = "Sm7p-pa55word-never-logged"


@pytest.fixture
def cert(tmp_path: Path) -> SelfSignedCert:
    return make_self_signed_cert(tmp_path / "tls")


def _mail(database: Database, secret_store: SecretStore, *, ca_file: Path | None = None,
          current: CurrentUser | None = None) -> MailService:
    settings = SettingsService(database, secret_store, CurrentUser(ADMIN))
    return MailService(settings, secret_store, current or CurrentUser(ADMIN),
                       ca_file=str(ca_file) if ca_file else None, timeout=10)


async def _set_up(mail: MailService, port: int, tls_mode: str = "none", user: str = "",
                  password: str = "") -> None:
    await mail.save_settings("127.0.0.1", port, tls_mode, user, "billing@merchant.example",
                             Secret(password) if password else None)


async def test_plain_smtp_delivers_text_html_and_attachment(database: Database, secret_store: SecretStore) -> None:
    mail = _mail(database, secret_store)
    with smtp_server() as server:
        await _set_up(mail, server.port)
        await mail.send(OutgoingMail(to="ap@client.example", subject="Invoice 1001\nBcc: evil@example.com",
                                     text="Pay here: https://pay.example.com/pay/abc", html="<p>Pay here</p>",
                                     attachments=(("receipt.pdf", "application/pdf", b"%PDF-1.4 test"),)))
    [message] = server.messages
    assert server.envelopes == [("billing@merchant.example", ("ap@client.example",))]
    assert message["To"] == "ap@client.example"
    assert message["Subject"] == "Invoice 1001 Bcc: evil@example.com"       # one line: no header injected
    assert message["Bcc"] is None
    body = message.get_body(("plain",))
    assert body is not None and "https://pay.example.com/pay/abc" in body.get_content()
    html = message.get_body(("html",))
    assert html is not None and "<p>Pay here</p>" in html.get_content()
    [attachment] = list(message.iter_attachments())
    assert attachment.get_filename() == "receipt.pdf" and attachment.get_content() == b"%PDF-1.4 test"
    assert server.over_tls == [False]


async def test_starttls_with_a_trusted_ca_file_and_a_sign_in(database: Database, secret_store: SecretStore,
                                                             cert: SelfSignedCert,
                                                             caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    mail = _mail(database, secret_store, ca_file=cert.cert_file)
    with smtp_server(starttls=cert, login=("billing", PASSWORD)) as server:
        await _set_up(mail, server.port, "starttls", "billing", PASSWORD)
        await mail.send_test("ap@client.example")
    assert server.over_tls == [True]
    assert server.logins == [("billing", PASSWORD)]
    assert "test e-mail" in str(server.messages[0]["Subject"])
    assert PASSWORD not in caplog.text


async def test_implicit_tls(database: Database, secret_store: SecretStore, cert: SelfSignedCert) -> None:
    mail = _mail(database, secret_store, ca_file=cert.cert_file)
    with smtp_server(implicit_tls=cert) as server:
        await _set_up(mail, server.port, "tls")
        await mail.send(OutgoingMail(to="ap@client.example", subject="Hello", text="Hello"))
    assert server.over_tls == [True]


@pytest.mark.logs_warnings("aiosmtpd logs the handshake the client broke off")
async def test_an_untrusted_certificate_is_refused_and_nothing_sent(database: Database, secret_store: SecretStore,
                                                                    cert: SelfSignedCert) -> None:
    mail = _mail(database, secret_store)                   # the system's CAs: the self-signed one is unknown
    with smtp_server(starttls=cert) as server:
        await _set_up(mail, server.port, "starttls")
        with pytest.raises(MailError) as caught:
            await mail.send(OutgoingMail(to="ap@client.example", subject="Hello", text="Hello"))
    assert "certificate" in caught.value.user_message
    assert server.messages == []


async def test_a_wrong_password_is_the_servers_reason_without_the_password(
        database: Database, secret_store: SecretStore, cert: SelfSignedCert,
        caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    mail = _mail(database, secret_store, ca_file=cert.cert_file)
    with smtp_server(starttls=cert, login=("billing", "the-right-one")) as server:
        await _set_up(mail, server.port, "starttls", "billing", PASSWORD)
        with pytest.raises(MailError) as caught:
            await mail.send_test("ap@client.example")
    assert caught.value.code == 535
    assert "535" in caught.value.user_message and "user name or password" in caught.value.user_message
    assert PASSWORD not in caught.value.user_message and PASSWORD not in caplog.text
    assert server.messages == []


async def test_a_refused_recipient_carries_the_servers_550(database: Database, secret_store: SecretStore) -> None:
    mail = _mail(database, secret_store)
    with smtp_server(refuse=("nobody@client.example",)) as server:
        await _set_up(mail, server.port)
        with pytest.raises(MailError) as caught:
            await mail.send(OutgoingMail(to="nobody@client.example", subject="Hello", text="Hello"))
    assert caught.value.code == 550
    assert "550 5.1.1" in caught.value.reason and "no such user" in caught.value.user_message
    assert server.messages == []


async def test_a_dropped_connection_is_a_failure(database: Database, secret_store: SecretStore) -> None:
    mail = _mail(database, secret_store)
    with smtp_server(drop_on_data=True) as server:
        await _set_up(mail, server.port)
        with pytest.raises(MailError) as caught:
            await mail.send(OutgoingMail(to="ap@client.example", subject="Hello", text="Hello"))
    assert "closed the connection" in caught.value.user_message
    assert server.messages == []


async def test_nobody_listening_is_a_failure(database: Database, secret_store: SecretStore) -> None:
    from tests.servers import free_port

    mail = _mail(database, secret_store)
    await _set_up(mail, free_port())
    with pytest.raises(MailError) as caught:
        await mail.send(OutgoingMail(to="ap@client.example", subject="Hello", text="Hello"))
    assert "cannot be reached" in caught.value.user_message


async def test_not_set_up_is_said_before_any_connection(database: Database, secret_store: SecretStore) -> None:
    mail = _mail(database, secret_store)
    with pytest.raises(MailError, match="not set up"):
        await mail.send(OutgoingMail(to="ap@client.example", subject="Hello", text="Hello"))
    assert not await mail.is_configured()


async def test_the_password_is_in_the_secret_store_and_only_its_fingerprint_in_the_database(
        database: Database, secret_store: SecretStore) -> None:
    from sqlalchemy import select

    from payapp.models import AuditEvent, Setting

    mail = _mail(database, secret_store)
    await _set_up(mail, 2525, "starttls", "billing", PASSWORD)
    state = await mail.current_settings()
    assert state.password_saved and not state.password_elsewhere
    stored = secret_store.get(MAIL_PASSWORD)
    assert stored is not None and stored.reveal() == PASSWORD
    async with database.sessions() as s:
        rows = (await s.execute(select(Setting.value))).scalars().all()
        audit = (await s.execute(select(AuditEvent.details))).scalars().all()
    assert all(PASSWORD not in value for value in [*rows, *audit])
    # saving again without a password keeps it; clearing removes it
    await mail.save_settings("127.0.0.1", 2525, "starttls", "billing", "billing@merchant.example")
    assert secret_store.get(MAIL_PASSWORD) is not None
    cleared = await mail.save_settings("127.0.0.1", 2525, "starttls", "", "billing@merchant.example",
                                       clear_password=True)
    assert not cleared.password_saved and secret_store.get(MAIL_PASSWORD) is None


@pytest.mark.parametrize(("field", "values"), [
    ("mail.smtp_host", ("", 587, "starttls", "", "a@b.example")),
    ("mail.smtp_host", ("smtp example.com", 587, "starttls", "", "a@b.example")),
    ("mail.smtp_port", ("smtp.example.com", 0, "starttls", "", "a@b.example")),
    ("mail.tls_mode", ("smtp.example.com", 587, "ssl3", "", "a@b.example")),
    ("mail.sender", ("smtp.example.com", 587, "starttls", "", "not an address")),
    ("mail.sender", ("smtp.example.com", 587, "starttls", "", "a@b.example\r\nBcc: x@y.example")),
])
async def test_typed_set_up_is_checked(database: Database, secret_store: SecretStore, field: str,
                                       values: tuple[str, int, str, str, str]) -> None:
    mail = _mail(database, secret_store)
    with pytest.raises(ValidationError) as caught:
        await mail.save_settings(*values)
    assert caught.value.field == field


async def test_only_an_admin_sets_up_or_tests_mail(database: Database, secret_store: SecretStore) -> None:
    mail = _mail(database, secret_store, current=CurrentUser(VIEWER))
    with pytest.raises(PermissionDenied):
        await mail.save_settings("smtp.example.com", 587, "starttls", "", "a@b.example")
    with pytest.raises(PermissionDenied):
        await mail.send_test("a@b.example")


def test_a_recipient_that_is_not_one_address_is_refused() -> None:
    for to in ("", "a@b.example, c@d.example", "a@b.example\r\nBcc: x@y.example", "nobody"):
        with pytest.raises(ValidationError):
            build_message(OutgoingMail(to=to, subject="s", text="t"), "billing@merchant.example")


@pytest.mark.logs_warnings("the failed sign-in is logged on purpose, as the portal logs a receipt that failed")
async def test_no_password_is_ever_logged(database: Database, secret_store: SecretStore, cert: SelfSignedCert,
                                          caplog: pytest.LogCaptureFixture) -> None:
    """Every logger at DEBUG (smtplib's own included) through a good and a refused sign-in: the password is in
    no log record, no error text and no stored row; the error is logged the way the portal logs it."""
    from sqlalchemy import select

    from payapp.models import AuditEvent, Setting

    caplog.set_level(logging.DEBUG)
    log = logging.getLogger("tests.mail")
    mail = _mail(database, secret_store, ca_file=cert.cert_file)
    with smtp_server(starttls=cert, login=("billing", PASSWORD)) as server:
        await _set_up(mail, server.port, "starttls", "billing", PASSWORD)
        await mail.send_test("ap@client.example")
        await mail.save_settings("127.0.0.1", server.port, "starttls", "billing", "billing@merchant.example",
                                 Secret(PASSWORD + "-old"))
        with pytest.raises(MailError) as caught:
            await mail.send_test("ap@client.example")
        log.warning("sending failed: %s", caught.value.user_message, exc_info=caught.value)
    # the server saw both (smtplib tries AUTH PLAIN, then LOGIN, with a refused one)
    assert set(server.logins) == {("billing", PASSWORD), ("billing", PASSWORD + "-old")}
    error = caught.value
    for text in (caplog.text, str(error), repr(error), error.detail, error.reason,
                 *(r.getMessage() for r in caplog.records)):
        assert PASSWORD not in text
    async with database.sessions() as s:
        stored = [*(await s.execute(select(Setting.value))).scalars().all(),
                  *(await s.execute(select(AuditEvent.details))).scalars().all()]
    assert all(PASSWORD not in value for value in stored)
