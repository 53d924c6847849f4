"""Sending e-mail over SMTP (payment links, receipts, the portal's sign-in links): Admin › Client Portal › E-mail.

The SMTP set-up lives in the settings (mail.smtp_host, mail.smtp_port, mail.tls_mode, mail.user, mail.sender); the
password lives in the secret store under MAIL_PASSWORD (the OS keyring on a workstation; on the portal's server the
operator's secrets file, payapp/portal/file_keyring.py), the database keeping only its fingerprint, as for the
gateway keys. The standard library's smtplib does the talking, on a worker thread, so neither the desktop's event
loop nor the portal's waits on a mail server.

A failure is a MailError whose message carries the server's own reason ("550 5.1.1 no such user") in plain words.
smtplib's debug output (which would print the AUTH exchange) is never switched on, and every reason is passed
through the log redaction before it is shown or logged, so a password cannot leak through an error."""

from __future__ import annotations

import asyncio
import datetime as dt
import email.utils
import logging
import smtplib
import ssl
from collections.abc import Mapping
from dataclasses import dataclass
from email.headerregistry import Address
from email.message import EmailMessage
from typing import Any

from payapp.domain.errors import PayAppError, ValidationError
from payapp.domain.messages import Message, msg
from payapp.domain.redaction import redact
from payapp.domain.roles import Permission
from payapp.services.auth import CurrentUser
from payapp.services.secrets import Secret, SecretStore
from payapp.services.settings import SettingsService

log = logging.getLogger(__name__)

MAIL_PASSWORD = "mail.smtp_password"
PASSWORD_FINGERPRINT = "mail.smtp_password_fingerprint"
TLS_MODES = ("starttls", "tls", "none")
DEFAULT_PORTS = {"starttls": 587, "tls": 465, "none": 25}
SETTING_KEYS = ("mail.smtp_host", "mail.smtp_port", "mail.tls_mode", "mail.user", "mail.sender")
DEFAULT_TIMEOUT_S = 30.0
MAX_HEADER_LENGTH = 300


class MailError(PayAppError):
    """Sending failed. `reason` is what the mail server (or the network) said, already redacted; the message
    (user_message) says it in plain words. Never carries a password."""

    def __init__(self, user_message: str | Message, *, reason: str = "", code: int | None = None) -> None:
        super().__init__(user_message)
        self.reason = reason
        self.code = code


@dataclass(frozen=True)
class OutgoingMail:
    to: str
    subject: str
    text: str
    html: str | None = None
    attachments: tuple[tuple[str, str, bytes], ...] = ()   # (file name, MIME type, content)


@dataclass(frozen=True)
class MailSettings:
    """The SMTP set-up without the password (Admin shows whether one is saved by its fingerprint)."""

    host: str
    port: int
    tls_mode: str
    user: str
    sender: str
    password_fingerprint: str = ""          # in the shared database
    local_password_fingerprint: str = ""    # in this computer's secret store

    @property
    def configured(self) -> bool:
        return bool(self.host and self.sender)

    @property
    def password_saved(self) -> bool:
        return bool(self.password_fingerprint)

    @property
    def password_elsewhere(self) -> bool:
        """The database names a password this computer's secret store does not hold."""
        return bool(self.password_fingerprint) and self.password_fingerprint != self.local_password_fingerprint


def check_address(text: str, *, field: str) -> str:
    """One plain e-mail address (user@host), or ValidationError. Total: any text gives one of the two."""
    value = (text or "").strip()
    if not value:
        raise ValidationError(msg("mail.address_missing"), field=field)
    if len(value) > 254 or any(c in value for c in "\r\n<>,; \t\"") or value.count("@") != 1:
        raise ValidationError(msg("mail.address_invalid"), field=field)
    local, _, domain = value.partition("@")
    if not local or not domain or "." not in domain.strip(".") or domain.startswith(".") or ".." in domain:
        raise ValidationError(msg("mail.address_invalid"), field=field)
    return value


def check_settings(host: str, port: int, tls_mode: str, user: str, sender: str) -> MailSettings:
    """The typed set-up, cleaned, or ValidationError naming the field."""
    host = (host or "").strip()
    if not host:
        raise ValidationError(msg("mail.host_missing"), field="mail.smtp_host")
    bracketed = host.startswith("[") and host.endswith("]")         # an IPv6 literal: [::1]
    if len(host) > 253 or (any(c in host for c in " /\\@:\r\n\t") and not bracketed):
        raise ValidationError(msg("mail.host_invalid"), field="mail.smtp_host")
    if not isinstance(port, int) or not 0 < port < 65536:
        raise ValidationError(msg("mail.port_range"), field="mail.smtp_port")
    if tls_mode not in TLS_MODES:
        raise ValidationError(msg("mail.tls_choice"), field="mail.tls_mode")
    user = (user or "").strip()
    if len(user) > 200 or any(c in user for c in "\r\n"):
        raise ValidationError(msg("mail.user_invalid"), field="mail.user")
    return MailSettings(host=host, port=port, tls_mode=tls_mode, user=user,
                        sender=check_address(sender, field="mail.sender"))


def _one_line(text: str) -> str:
    """A header value on one line (a subject with a line break would start a header of its own)."""
    return " ".join((text or "").split())[:MAX_HEADER_LENGTH]


def build_message(mail: OutgoingMail, sender: str, *, sender_name: str = "",
                  now: dt.datetime | None = None) -> EmailMessage:
    """The MIME message: text, an HTML alternative when given, attachments; From is "sender_name <sender>"."""
    message = EmailMessage()
    message["From"] = display_address(sender_name, sender) if sender_name.strip() else sender
    message["To"] = check_address(mail.to, field="to")
    message["Subject"] = _one_line(mail.subject)
    message["Date"] = email.utils.format_datetime(now or dt.datetime.now(dt.UTC))
    domain = sender.rpartition("@")[2] or "payapp.invalid"
    message["Message-ID"] = email.utils.make_msgid(domain=domain)
    message.set_content(mail.text)
    if mail.html is not None:
        message.add_alternative(mail.html, subtype="html")
    for name, mime_type, content in mail.attachments:
        main, _, sub = (mime_type or "application/octet-stream").partition("/")
        message.add_attachment(content, maintype=main or "application", subtype=sub or "octet-stream",
                               filename=_one_line(name) or "attachment")
    return message


def _reason(code: int | None, text: bytes | str | None) -> str:
    raw = text.decode("utf-8", "replace") if isinstance(text, bytes) else str(text or "")
    words = " ".join(raw.split())
    return redact(f"{code} {words}".strip() if code else words)[:300]


class MailService:
    """Sends mail with the SMTP set-up from the settings; `send` and `send_test` raise MailError.

    `ca_file`: a PEM file of certificate authorities to trust instead of the system's (a company's own mail server
    with an internal CA; the tests' self-signed one)."""

    def __init__(self, settings: SettingsService, secrets: SecretStore, current: CurrentUser, *,
                 ca_file: str | None = None, timeout: float = DEFAULT_TIMEOUT_S) -> None:
        self._settings = settings
        self._secrets = secrets
        self._current = current
        self._ca_file = ca_file
        self._timeout = timeout

    # -- the set-up -----------------------------------------------------------------------------------
    @staticmethod
    def _from_values(values: Mapping[str, Any], local_fingerprint: str = "") -> MailSettings:
        return MailSettings(host=str(values["mail.smtp_host"] or ""), port=int(values["mail.smtp_port"] or 0),
                            tls_mode=str(values["mail.tls_mode"] or "starttls"), user=str(values["mail.user"] or ""),
                            sender=str(values["mail.sender"] or ""),
                            password_fingerprint=str(values[PASSWORD_FINGERPRINT] or ""),
                            local_password_fingerprint=local_fingerprint)

    async def current_settings(self) -> MailSettings:
        """The set-up as saved, with the password's fingerprints (Admin; Permission.ADMINISTER)."""
        self._current.require(Permission.ADMINISTER)
        values = await self._settings.get_all()
        local = await asyncio.to_thread(self._secrets.fingerprint_of, MAIL_PASSWORD)
        return self._from_values(values, local)

    async def is_configured(self) -> bool:
        """Host and sender are set (whoever asks: the portal decides whether to e-mail a receipt)."""
        values = await self._settings.get_all()
        return self._from_values(values).configured

    async def save_settings(self, host: str, port: int, tls_mode: str, user: str, sender: str,
                            password: Secret | None = None, *, clear_password: bool = False) -> MailSettings:
        """Check and save the set-up in one audited settings change. `password`: a new one for the secret store
        (None keeps the saved one; `clear_password` removes it). The audit log gets the fingerprint only."""
        self._current.require(Permission.ADMINISTER)
        checked = check_settings(host, port, tls_mode, user, sender)
        values: dict[str, Any] = {"mail.smtp_host": checked.host, "mail.smtp_port": checked.port,
                                  "mail.tls_mode": checked.tls_mode, "mail.user": checked.user,
                                  "mail.sender": checked.sender}
        if password is not None and password.reveal():
            if any(c in password.reveal() for c in "\r\n"):
                raise ValidationError(msg("mail.password_line_break"), field=MAIL_PASSWORD)
            # the keyring may block (D-Bus, an unlock prompt): off the event loop's thread
            values[PASSWORD_FINGERPRINT] = await asyncio.to_thread(self._secrets.set, MAIL_PASSWORD, password)
        elif clear_password:
            await asyncio.to_thread(self._secrets.delete, MAIL_PASSWORD)
            values[PASSWORD_FINGERPRINT] = ""
        await self._settings.set_many(values, audit_action="mail.settings_changed")
        return await self.current_settings()

    # -- sending --------------------------------------------------------------------------------------
    async def send(self, mail: OutgoingMail) -> None:
        """Send one message with the saved set-up. Raises MailError (nothing was accepted by the server) or
        ValidationError (a recipient that is not an address)."""
        values = await self._settings.get_all()
        settings = self._from_values(values)
        if not settings.configured:
            raise MailError(msg("mail.not_set_up"))
        password = await asyncio.to_thread(self._secrets.get, MAIL_PASSWORD) if settings.user else None
        if settings.user and settings.password_fingerprint and password is None:
            raise MailError(msg("mail.password_missing"))
        message = build_message(mail, settings.sender, sender_name=str(values.get("merchant.name") or ""))
        await asyncio.to_thread(self._deliver, settings, password, message)
        log.info("e-mail sent to a recipient at %s (subject %d characters)",
                 mail.to.rpartition("@")[2], len(mail.subject))

    async def send_test(self, to: str) -> None:
        """A short test message to `to` with the saved set-up (Admin's "Send test e-mail")."""
        self._current.require(Permission.ADMINISTER)
        values = await self._settings.get_all()
        name = str(values.get("merchant.name") or "").strip() or "PayApp"
        await self.send(OutgoingMail(
            to=check_address(to, field="to"), subject=f"{name}: test e-mail from PayApp",
            text=("This is a test e-mail from PayApp. The mail server accepted it, so payment links and "
                  "receipts can be e-mailed with this set-up.\n\n"
                  "Dies ist eine Test-E-Mail von PayApp. Der Mailserver hat sie angenommen: Zahlungslinks und "
                  "Quittungen können mit dieser Einstellung versendet werden.\n")))

    def _context(self) -> ssl.SSLContext:
        return ssl.create_default_context(cafile=self._ca_file)

    def _deliver(self, settings: MailSettings, password: Secret | None, message: EmailMessage) -> None:
        """The SMTP conversation (worker thread). Every failure becomes a MailError with the server's reason."""
        where = f"{settings.host}:{settings.port}"
        client: smtplib.SMTP | None = None
        try:
            if settings.tls_mode == "tls":
                client = smtplib.SMTP_SSL(settings.host, settings.port, timeout=self._timeout,
                                          context=self._context())
            else:
                client = smtplib.SMTP(settings.host, settings.port, timeout=self._timeout)
            client.ehlo()
            if settings.tls_mode == "starttls":
                if not client.has_extn("starttls"):
                    raise MailError(msg("mail.no_starttls", server=where), reason="STARTTLS not offered")
                client.starttls(context=self._context())
                client.ehlo()
            if settings.user:
                if not client.has_extn("auth"):
                    # many servers offer AUTH only after STARTTLS: the encryption setting is the usual cause
                    raise MailError(msg("mail.no_auth", server=where), reason="AUTH not offered")
                client.login(settings.user, password.reveal() if password is not None else "")
            refused = client.send_message(message)
            if refused:      # some recipients refused: with one recipient, never reached (smtplib raises)
                code, text = next(iter(refused.values()))
                reason = _reason(code, text)
                raise MailError(msg("mail.recipient_refused", reason=reason), reason=reason, code=code)
        except MailError:
            raise
        except smtplib.SMTPRecipientsRefused as exc:
            first: tuple[int | None, bytes] = next(iter(exc.recipients.values()), (None, b""))
            reason = _reason(*first)
            raise MailError(msg("mail.recipient_refused", reason=reason), reason=reason,
                            code=first[0]) from None
        except smtplib.SMTPAuthenticationError as exc:
            reason = _reason(exc.smtp_code, exc.smtp_error)
            raise MailError(msg("mail.login_refused", reason=reason), reason=reason,
                            code=exc.smtp_code) from None
        except smtplib.SMTPSenderRefused as exc:
            reason = _reason(exc.smtp_code, exc.smtp_error)
            raise MailError(msg("mail.sender_refused", reason=reason), reason=reason,
                            code=exc.smtp_code) from None
        except smtplib.SMTPServerDisconnected as exc:
            reason = _reason(None, str(exc)) or "connection closed"
            raise MailError(msg("mail.disconnected", server=where, reason=reason), reason=reason) from None
        except smtplib.SMTPResponseException as exc:
            reason = _reason(exc.smtp_code, exc.smtp_error)
            raise MailError(msg("mail.not_taken", reason=reason), reason=reason,
                            code=exc.smtp_code) from None
        except ssl.SSLCertVerificationError as exc:
            reason = _reason(None, exc.verify_message or str(exc))
            raise MailError(msg("mail.certificate_not_trusted", reason=reason), reason=reason) from None
        except ssl.SSLError as exc:
            reason = _reason(None, exc.reason or str(exc))
            raise MailError(msg("mail.no_encryption", server=where, reason=reason), reason=reason) from None
        except TimeoutError:
            raise MailError(msg("mail.timeout", server=where), reason="timeout") from None
        except (smtplib.SMTPException, OSError) as exc:
            reason = _reason(None, getattr(exc, "strerror", None) or str(exc) or type(exc).__name__)
            raise MailError(msg("mail.unreachable", server=where, reason=reason), reason=reason) from None
        finally:
            if client is not None:
                try:
                    client.quit()
                except (smtplib.SMTPException, OSError):
                    client.close()


def is_address(text: str) -> bool:
    """`check_address` as a yes/no."""
    try:
        check_address(text, field="to")
    except ValidationError:
        return False
    return True


def display_address(name: str, address: str) -> str:
    """ "Name <address>" for a From header (the merchant's name beside the sender address)."""
    local, _, domain = address.partition("@")
    return str(Address(display_name=_one_line(name), username=local, domain=domain))
