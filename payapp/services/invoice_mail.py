"""E-mailing payment links (Invoice History › E-mail payment link…) and receipts (Payment Search › E-mail
receipt…, and the portal after a payment), with the templates of payapp/services/mail_templates.py.

Each e-mail is checked before anything happens: the template is rendered with the invoice's values and a stand-in
for the portal address first, so a missing or unknown placeholder stops it before a link is made or a byte is
sent. Then a new payment link is issued (PaymentLinkService.issue: a link's address cannot be shown again once it
was handed out, so every e-mail carries a link of its own; the earlier ones keep working until they expire), the
message is rendered with it and sent. Each send is audited, a failure too (with the server's reason); an e-mail
the server did not accept is never recorded as sent."""

from __future__ import annotations

import asyncio
import html
import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from payapp.domain.errors import NotFound, PayAppError, ValidationError
from payapp.domain.messages import msg
from payapp.domain.money import format_money
from payapp.domain.payment_state import InvoiceStatus
from payapp.domain.redaction import redact
from payapp.domain.roles import Permission
from payapp.models import AuditEvent, Company, Contact, Invoice
from payapp.models.db import Database
from payapp.services import audit
from payapp.services.auth import CurrentUser
from payapp.services.mail import MailError, MailService, OutgoingMail, check_address
from payapp.services.mail_templates import (
    KINDS,
    LANGUAGES,
    URL_PLACEHOLDERS,
    RenderedMail,
    Template,
    TemplateError,
    TemplateProblem,
    check_template,
    language_of,
    render,
    setting_key,
    template_from_settings,
)
from payapp.services.payment_links import PaymentLinkService
from payapp.services.receipts import ReceiptService, babel_locale, format_receipt_day
from payapp.services.settings import SettingsService

log = logging.getLogger(__name__)

SENT = "mail.payment_link_sent"
FAILED = "mail.payment_link_failed"
RECEIPT_SENT = "mail.receipt_sent"
RECEIPT_FAILED = "mail.receipt_failed"
#: what the preview shows where the link goes (each e-mail gets a new one when it is sent)
LINK_STAND_IN = "…"
_URL = re.compile(r"https?://[^\s<>\"]+")


@dataclass(frozen=True)
class Recipient:
    contact_id: int
    name: str
    email: str


@dataclass(frozen=True)
class MailTarget:
    """One invoice to e-mail: its number, company, and the company's contacts that have an address."""
    invoice_id: int
    invoice_number: str
    company_name: str
    recipients: tuple[Recipient, ...]

    @property
    def default_recipient(self) -> str:
        return self.recipients[0].email if self.recipients else ""


@dataclass(frozen=True)
class MailPreview:
    invoice_id: int
    to: str
    subject: str
    text: str
    problems: tuple[TemplateProblem, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.problems


def text_to_html(text: str) -> str:
    """The plain text as simple HTML: escaped, its web addresses as links, its lines kept."""
    out: list[str] = []
    last = 0
    for match in _URL.finditer(text):
        out.append(html.escape(text[last:match.start()]))
        url = html.escape(match.group(0), quote=True)
        out.append(f'<a href="{url}">{url}</a>')
        last = match.end()
    out.append(html.escape(text[last:]))
    body = "".join(out).replace("\n", "<br>\n")
    return f'<!DOCTYPE html>\n<html><body style="font-family: sans-serif; line-height: 1.4">{body}</body></html>\n'


def _contact_name(contact: Contact) -> str:
    return " ".join(x for x in (contact.first_name.strip(), contact.last_name.strip()) if x)


class InvoiceMailService:
    def __init__(self, db: Database, settings: SettingsService, mail: MailService, links: PaymentLinkService,
                 receipts: ReceiptService, current: CurrentUser) -> None:
        self._db = db
        self._settings = settings
        self._mail = mail
        self._links = links
        self._receipts = receipts
        self._current = current
        self._background: set[asyncio.Task[Any]] = set()

    # -- templates (Admin) ----------------------------------------------------------------------------
    async def templates(self) -> dict[tuple[str, str], Template]:
        """Every template as it will be used (an admin's edit, else the default), by (kind, language)."""
        values = await self._settings.get_all()
        return {(kind, language): template_from_settings(values, kind, language)
                for kind in KINDS for language in LANGUAGES}

    async def save_template(self, kind: str, language: str, template: Template) -> None:
        """Save an edited template (admin only, audited); unknown placeholders and empty parts are refused."""
        self._current.require(Permission.ADMINISTER)
        if kind not in KINDS or language not in LANGUAGES:
            raise ValidationError(msg("mail_template.unknown_kind"), field="kind")
        check_template(kind, template)
        from payapp.services.mail_templates import DEFAULTS

        default = DEFAULTS[(kind, language)]
        # what equals the default is stored as "": a later, better default then reaches this company too
        await self._settings.set_many({
            setting_key(kind, language, "subject"): "" if template.subject == default.subject else template.subject,
            setting_key(kind, language, "text"): "" if template.text == default.text else template.text,
        }, audit_action="mail.template_changed")

    async def reset_template(self, kind: str, language: str) -> None:
        self._current.require(Permission.ADMINISTER)
        await self._settings.set_many({setting_key(kind, language, "subject"): "",
                                       setting_key(kind, language, "text"): ""},
                                      audit_action="mail.template_changed")

    # -- who gets the e-mail --------------------------------------------------------------------------
    async def targets(self, invoice_ids: Iterable[int]) -> list[MailTarget]:
        """The invoices (in the order given; unknown ids left out) with their company's contacts that have an
        e-mail address, active ones first."""
        self._current.require(Permission.VIEW)
        ids = list(dict.fromkeys(invoice_ids))
        async with self._db.sessions() as s:
            invoices = {inv.id: inv for inv in (await s.scalars(select(Invoice).where(Invoice.id.in_(ids)))).all()}
            company_ids = {inv.company_id for inv in invoices.values()}
            contacts = (await s.scalars(select(Contact).where(Contact.company_id.in_(company_ids), Contact.email != "")
                                        .order_by(Contact.is_active.desc(), Contact.id))).all()
        by_company: dict[int, list[Recipient]] = {}
        for contact in contacts:
            email = contact.email.strip()
            try:
                check_address(email, field="to")
            except ValidationError:
                continue                      # an address the PSA holds that is not one: not offered
            by_company.setdefault(contact.company_id, []).append(Recipient(contact.id, _contact_name(contact), email))
        return [MailTarget(i, invoices[i].invoice_number, invoices[i].company_name,
                           tuple(by_company.get(invoices[i].company_id, ()))) for i in ids if i in invoices]

    # -- the values of one invoice --------------------------------------------------------------------
    async def _values(self, invoice_id: int, language: str, to: str, url: str) -> dict[str, str]:
        settings = await self._settings.get_all()
        async with self._db.sessions() as s:
            inv = await s.get(Invoice, invoice_id)
            if inv is None:
                raise NotFound(msg("invoice.gone"))
            contact = (await s.scalars(select(Contact).where(Contact.company_id == inv.company_id,
                                                             Contact.email == to.strip())
                                       .order_by(Contact.is_active.desc(), Contact.id).limit(1))).first()
            company = await s.get(Company, inv.company_id)
        locale = babel_locale(language)
        company_name = (company.name if company is not None else "") or inv.company_name
        return {
            "Invoice.number": inv.invoice_number,
            "Invoice.date": format_receipt_day(inv.invoice_date, language),
            "Invoice.due_date": format_receipt_day(inv.due_date, language),
            "Invoice.total": format_money(inv.total_minor, inv.currency, locale),
            "Invoice.amount_due": format_money(max(inv.balance_minor, 0), inv.currency, locale),
            "CreditNote.number": inv.invoice_number,
            "CreditNote.amount": format_money(abs(inv.total_minor), inv.currency, locale),
            "Company.name": company_name,
            "Contact.name": _contact_name(contact) if contact is not None else "",
            "Contact.first_name": contact.first_name.strip() if contact is not None else "",
            "Merchant.name": str(settings.get("merchant.name") or "").strip(),
            "Merchant.email": str(settings.get("merchant.email") or "").strip(),
            "Merchant.phone": str(settings.get("merchant.phone") or "").strip(),
            **dict.fromkeys(URL_PLACEHOLDERS, url),
        }

    async def _stand_in_url(self, invoice_id: int) -> str:
        """The portal address a link of this invoice will have, ending in "…"; "" when no link can be made (no
        portal address, or nothing to pay), so the placeholder shows as missing before sending."""
        public_url = str(await self._settings.get("portal.public_url") or "").strip().rstrip("/")
        async with self._db.sessions() as s:
            inv = await s.get(Invoice, invoice_id)
        if not public_url or inv is None or inv.is_voided or inv.status == InvoiceStatus.VOIDED \
                or inv.balance_minor <= 0:
            return ""
        return f"{public_url}/pay/{LINK_STAND_IN}"

    async def preview(self, invoice_id: int, kind: str, language: str, to: str,
                      template: Template | None = None) -> MailPreview:
        """The e-mail as it would go to `to`, with the invoice's real values (the link as a stand-in), or the
        problems that stop it. `template`: one being edited (Admin), instead of the saved one."""
        self._current.require(Permission.VIEW)
        language = language_of(language)
        if template is None:
            template = (await self.templates())[(kind, language)]
        values = await self._values(invoice_id, language, to, await self._stand_in_url(invoice_id))
        try:
            rendered = render(kind, template, values)
        except TemplateError as exc:
            return MailPreview(invoice_id, to, template.subject, template.text, exc.problems)
        return MailPreview(invoice_id, to, rendered.subject, rendered.text)

    async def sample_target(self) -> MailTarget | None:
        """A real invoice to preview templates with (Admin): the newest open one whose company has a contact with
        an e-mail address; None when there is none."""
        self._current.require(Permission.VIEW)
        async with self._db.sessions() as s:
            with_mail = select(Contact.company_id).where(Contact.email != "").distinct()
            invoice_id = await s.scalar(select(Invoice.id).where(
                Invoice.balance_minor > 0, Invoice.is_voided.is_(False), Invoice.company_id.in_(with_mail))
                .order_by(Invoice.invoice_date.desc(), Invoice.id.desc()).limit(1))
        if invoice_id is None:
            return None
        targets = await self.targets([invoice_id])
        return targets[0] if targets else None

    # -- sending a payment link -----------------------------------------------------------------------
    async def send_payment_link(self, invoice_id: int, kind: str, language: str, to: str) -> RenderedMail:
        """Check, make a link, send, audit. Raises TemplateError (nothing done), ValidationError / ConflictError
        (no link could be made; nothing sent) or MailError (the server did not take it; audited as failed)."""
        actor = self._current.require(Permission.TAKE_PAYMENT)
        language = language_of(language)
        to = check_address(to, field="to")
        template = (await self.templates())[(kind, language)]
        # first with the stand-in: a problem stops the e-mail before a link exists
        render(kind, template, await self._values(invoice_id, language, to, await self._stand_in_url(invoice_id)))
        issued = await self._links.issue(invoice_id)
        rendered = render(kind, template, await self._values(invoice_id, language, to, issued.url))
        details = {"invoice_number": issued.invoice_number, "template": kind, "language": language, "recipient": to}
        try:
            await self._mail.send(OutgoingMail(to=to, subject=rendered.subject, text=rendered.text,
                                               html=text_to_html(rendered.text)))
        except MailError as exc:
            async with self._db.transaction() as s:
                audit.record(s, actor, FAILED, entity_type="invoice", entity_id=invoice_id, reason=exc.reason,
                             **details)
            raise
        async with self._db.transaction() as s:
            audit.record(s, actor, SENT, entity_type="invoice", entity_id=invoice_id,
                         expires_at=issued.expires_at.isoformat(), **details)
        return rendered

    # -- receipts -------------------------------------------------------------------------------------
    async def receipt_recipient(self, payment_id: int) -> str:
        """Where a payment's receipt goes by default: the contact who paid; else the address its invoice's payment
        link was last e-mailed to; else the first contact of the company with an address ("" if none)."""
        receipt = await self._receipts.receipt(payment_id)
        if receipt.contact_email.strip():
            return receipt.contact_email.strip()
        async with self._db.sessions() as s:
            rows = (await s.scalars(select(AuditEvent.details).where(
                AuditEvent.action == SENT, AuditEvent.entity_type == "invoice",
                AuditEvent.entity_id == str(receipt.invoice_id)).order_by(AuditEvent.id.desc()).limit(1))).all()
        import json

        for details in rows:
            try:
                recipient = json.loads(details).get("recipient", "")
            except (ValueError, AttributeError):
                continue
            if isinstance(recipient, str) and recipient:
                return recipient
        targets = await self.targets([receipt.invoice_id])
        return targets[0].default_recipient if targets else ""

    async def send_receipt(self, payment_id: int, to: str, language: str) -> None:
        """The receipt of a payment as a PDF attachment to `to`, audited. Raises MailError / ValidationError."""
        actor = self._current.require(Permission.VIEW)
        language = language_of(language)
        to = check_address(to, field="to")
        receipt = await self._receipts.receipt(payment_id)
        if receipt.status not in ("approved", "settled", "partially_refunded", "refunded"):
            raise ValidationError(msg("receipt.payment_not_taken"))
        pdf = await self._receipts.pdf(receipt, language)
        amount = format_money(receipt.amount_minor, receipt.currency, babel_locale(language))
        merchant = receipt.merchant_name or "PayApp"
        if language == "de":
            subject = f"Zahlungsbeleg: {amount} für Rechnung {receipt.invoice_number}"
            text = (f"Guten Tag,\n\nvielen Dank für Ihre Zahlung von {amount} für die Rechnung "
                    f"{receipt.invoice_number}. Den Beleg finden Sie im Anhang.\n\n{merchant}\n")
        else:
            subject = f"Receipt: {amount} for invoice {receipt.invoice_number}"
            text = (f"Hello,\n\nthank you for your payment of {amount} for invoice {receipt.invoice_number}. "
                    f"The receipt is attached.\n\n{merchant}\n")
        name = f"receipt-{receipt.invoice_number}-{receipt.payment_id}.pdf"
        details = {"invoice_number": receipt.invoice_number, "language": language, "recipient": to}
        try:
            await self._mail.send(OutgoingMail(to=to, subject=subject, text=text,
                                               attachments=((name, "application/pdf", pdf),)))
        except MailError as exc:
            async with self._db.transaction() as s:
                audit.record(s, actor, RECEIPT_FAILED, entity_type="payment", entity_id=payment_id,
                             reason=exc.reason, **details)
            raise
        async with self._db.transaction() as s:
            audit.record(s, actor, RECEIPT_SENT, entity_type="payment", entity_id=payment_id, **details)

    async def receipt_after_portal_payment(self, payment_id: int, language: str) -> bool:
        """The portal, after a payment went through: e-mail its receipt to the payer when e-mail is set up.
        Never raises: the payment stands whatever happens here; a failure is logged (its reason redacted, no
        address, no secret). Returns whether it was sent."""
        try:
            if not await self._mail.is_configured():
                return False
            to = await self.receipt_recipient(payment_id)
            if not to:
                log.info("payment %s: no e-mail address to send its receipt to", payment_id)
                return False
            await self.send_receipt(payment_id, to, language)
        except asyncio.CancelledError:
            raise
        except PayAppError as exc:
            log.warning("payment %s: its receipt could not be e-mailed: %s", payment_id,
                        redact(getattr(exc, "reason", "") or exc.user_message))
            return False
        except Exception:
            log.exception("payment %s: e-mailing its receipt failed", payment_id)
            return False
        return True

    def receipt_after_portal_payment_soon(self, payment_id: int, language: str) -> asyncio.Task[bool]:
        """`receipt_after_portal_payment` as a task, so the payer's page does not wait for the mail server."""
        task = asyncio.create_task(self.receipt_after_portal_payment(payment_id, language))
        self._background.add(task)
        task.add_done_callback(self._background.discard)
        return task

    async def wait_background(self) -> None:
        """Let receipts still on their way finish (the portal's shutdown; tests)."""
        if self._background:
            await asyncio.gather(*list(self._background), return_exceptions=True)
