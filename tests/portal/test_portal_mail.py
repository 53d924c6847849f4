"""Payment links and receipts by e-mail (payapp/services/invoice_mail.py) against a real SMTP server on loopback
(aiosmtpd) and the portal served by uvicorn: the link in the received message opens the right invoice over HTTP;
a refused recipient and a dropped connection are failures, audited, and nothing is recorded as sent; after a
portal payment the payer receives the receipt PDF."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from payapp.domain.errors import ValidationError
from payapp.models import AuditEvent, Contact, Invoice
from payapp.models.db import Database
from payapp.services.auth import CurrentUser
from payapp.services.invoice_mail import FAILED, RECEIPT_FAILED, RECEIPT_SENT, SENT, InvoiceMailService
from payapp.services.mail import MailError, MailService
from payapp.services.mail_templates import Template, TemplateError
from payapp.services.memory_keyring import MemoryKeyring
from payapp.services.payment_links import PaymentLinkService
from payapp.services.receipts import ReceiptService
from payapp.services.secrets import SecretStore
from payapp.services.settings import SettingsService
from tests.conftest import ADMIN, TEST_ALLOWED_BACKENDS, VIEWER
from tests.portal.conftest import Site, card_token, forms_of, run
from tests.smtp_server import SmtpServer, smtp_server

LINK = re.compile(r"https?://\S+/pay/[A-Za-z0-9_-]{43}")


class Mailer:
    """InvoiceMailService over the site's database, in its own loop per call (the portal tests are synchronous)."""

    def __init__(self, site: Site, actor: Any = ADMIN) -> None:
        self.site = site
        self.actor = actor

    def __call__(self, work: Any) -> Any:
        async def go() -> Any:
            db = Database(self.site.db_url)
            try:
                current = CurrentUser(self.actor)
                secrets = SecretStore(MemoryKeyring(), allow=TEST_ALLOWED_BACKENDS)
                settings = SettingsService(db, secrets, current)
                mail = MailService(settings, secrets, current, timeout=10)
                service = InvoiceMailService(db, settings, mail, PaymentLinkService(db, settings, current),
                                             ReceiptService(db, settings, current), current)
                return await work(service, db, settings)
            finally:
                await db.dispose()
        return run(go)


def audit(site: Site, *actions: str) -> list[tuple[str, dict[str, Any]]]:
    async def read(db: Database) -> list[tuple[str, dict[str, Any]]]:
        async with db.sessions() as s:
            rows = (await s.execute(select(AuditEvent.action, AuditEvent.details)
                                    .where(AuditEvent.action.in_(actions)).order_by(AuditEvent.id))).all()
        return [(a, json.loads(d)) for a, d in rows]
    return site.query(read)


def set_up(site: Site, server: SmtpServer) -> None:
    async def work(service: Any, db: Database, settings: SettingsService) -> None:
        await settings.set_many({"mail.smtp_host": server.host, "mail.smtp_port": server.port,
                                 "mail.tls_mode": "none", "mail.sender": "billing@northwind.example"})
        async with db.transaction() as s:
            acme = (await s.get(Invoice, site.invoices["INV-1001"]))
            assert acme is not None
            s.add_all([Contact(company_id=acme.company_id, first_name="Ada", last_name="Lovelace",
                               email="ada@acme.example"),
                       Contact(company_id=acme.company_id, first_name="No", last_name="Body",
                               email="nobody@acme.example")])
    Mailer(site)(work)


@pytest.fixture(autouse=True)
def _collected_here_first() -> None:
    """The receipt's PDF is made on a worker thread, which allocates enough to start a garbage collection there;
    a Qt widget an earlier UI test left in a reference cycle (in a run that mixes the folders) would then be
    destroyed off the GUI thread ("Timers cannot be stopped from another thread"). Collected here first."""
    import gc

    gc.collect()


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    with smtp_server(refuse=("nobody@acme.example",)) as server:
        yield server


def test_the_e_mailed_link_opens_the_right_invoice(site: Site, smtp: SmtpServer) -> None:
    set_up(site, smtp)
    mailer = Mailer(site)
    targets = mailer(lambda service, db, settings: service.targets([site.invoices["INV-1002"]]))
    assert [r.email for r in targets[0].recipients] == ["ada@acme.example", "nobody@acme.example"]
    preview = mailer(lambda service, db, settings: service.preview(site.invoices["INV-1002"], "invoice", "en",
                                                                    "ada@acme.example"))
    assert preview.ok and "Dear Ada Lovelace" in preview.text and "$80.00" in preview.text
    assert "/pay/…" in preview.text                              # no link is made for a preview
    mailer(lambda service, db, settings: service.send_payment_link(site.invoices["INV-1002"], "invoice", "de",
                                                                   "ada@acme.example"))
    [message] = smtp.messages
    assert message["To"] == "ada@acme.example" and str(message["Subject"]).startswith("Rechnung INV-1002")
    text = message.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert "80,00\xa0$" in text and "01.12.2026" in text and "[" not in text
    [url] = LINK.findall(text)
    html = message.get_body(("html",)).get_content()  # type: ignore[union-attr]
    assert f'href="{url}"' in html
    with httpx.Client(timeout=20.0, follow_redirects=True) as c:
        page = c.get(url)
    assert page.status_code == 200
    assert "INV-1002" in page.text and "INV-1001" not in page.text
    [(_action, details)] = audit(site, SENT, FAILED)
    assert details["recipient"] == "ada@acme.example" and details["invoice_number"] == "INV-1002"
    assert url.rsplit("/", 1)[1] not in json.dumps(details)   # the link's token is never in the audit log


def test_a_refused_recipient_is_a_failure_and_nothing_is_marked_sent(site: Site, smtp: SmtpServer) -> None:
    set_up(site, smtp)
    with pytest.raises(MailError) as caught:
        Mailer(site)(lambda service, db, settings: service.send_payment_link(
            site.invoices["INV-1001"], "reminder", "en", "nobody@acme.example"))
    assert "550 5.1.1" in caught.value.user_message
    assert smtp.messages == []
    [(action, details)] = audit(site, SENT, FAILED)
    assert action == FAILED and "550" in details["reason"]


def test_a_dropped_connection_is_a_failure_and_nothing_is_marked_sent(site: Site) -> None:
    with smtp_server(drop_on_data=True) as server:
        set_up(site, server)
        with pytest.raises(MailError, match="closed the connection"):
            Mailer(site)(lambda service, db, settings: service.send_payment_link(
                site.invoices["INV-1001"], "invoice", "en", "ada@acme.example"))
        assert server.messages == []
    assert [a for a, _d in audit(site, SENT, FAILED)] == [FAILED]


def test_a_template_problem_stops_the_e_mail_before_a_link_is_made(site: Site, smtp: SmtpServer) -> None:
    set_up(site, smtp)

    async def work(service: Any, db: Database, settings: SettingsService) -> Any:
        await settings.set_many({"mail.template.invoice.en.text": "Pay [Invoice.customerportal_url] by "
                                                                  "[Invoice.due_date] [Invoice.numbr]"})
        preview = await service.preview(site.invoices["INV-1001"], "invoice", "en", "ada@acme.example")
        with pytest.raises(TemplateError) as caught:
            await service.send_payment_link(site.invoices["INV-1001"], "invoice", "en", "ada@acme.example")
        links = await PaymentLinkService(db, settings, CurrentUser(ADMIN)).state(site.invoices["INV-1001"])
        return preview, caught.value, links

    preview, error, links = Mailer(site)(work)
    assert [(p.placeholder, p.problem) for p in preview.problems] == [("Invoice.numbr", "unknown")]
    assert error.unknown == ("Invoice.numbr",)
    assert links.active == 0 and smtp.messages == []


def test_saving_a_template_is_checked_and_for_admins_only(site: Site) -> None:
    async def save(service: Any, db: Database, settings: SettingsService) -> Any:
        await service.save_template("reminder", "de", Template("Erinnerung [Invoice.number]",
                                                               "Bitte zahlen: [Reminder.customerportal_url]"))
        with pytest.raises(ValidationError):
            await service.save_template("invoice", "en", Template("s", "[Reminder.customerportal_url]"))
        return (await service.templates())[("reminder", "de")]

    assert Mailer(site)(save).subject == "Erinnerung [Invoice.number]"
    from payapp.domain.errors import PermissionDenied

    with pytest.raises(PermissionDenied):
        Mailer(site, VIEWER)(lambda service, db, settings: service.save_template(
            "invoice", "en", Template("s", "t")))


def test_after_a_portal_payment_the_payer_gets_the_receipt(site: Site, smtp: SmtpServer) -> None:
    set_up(site, smtp)
    Mailer(site)(lambda service, db, settings: service.send_payment_link(site.invoices["INV-1001"], "invoice",
                                                                         "en", "ada@acme.example"))
    [url] = LINK.findall(smtp.messages[0].get_body(("plain",)).get_content())  # type: ignore[union-attr]
    with httpx.Client(timeout=20.0, follow_redirects=True) as c:
        form = forms_of(c.get(url).text)["pay-form"]
        review = c.post(site.url + form["action"], data={
            **form["fields"], "method": "new-card", "payment_token": card_token(site.sandbox), "brand": "visa",
            "last_four": "1111", "expiry": "1230", "first_name": "Ada", "last_name": "Lovelace"})
        confirm = forms_of(review.text)["confirm-form"]
        done = c.post(site.url + confirm["action"], data=confirm["fields"])
    assert done.status_code == 200 and "Payment has been processed" in done.text
    deadline = time.monotonic() + 15
    while len(smtp.messages) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    receipt = smtp.messages[1]
    assert receipt["To"] == "ada@acme.example" and "INV-1001" in str(receipt["Subject"])
    [pdf] = list(receipt.iter_attachments())
    assert pdf.get_content_type() == "application/pdf" and pdf.get_content().startswith(b"%PDF")
    # audited once the mail server has taken it (the receipt goes in the background, after the payer's page)
    while not audit(site, RECEIPT_SENT) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert [a for a, _d in audit(site, RECEIPT_SENT)] == [RECEIPT_SENT]


@pytest.mark.logs_warnings("the receipt's failure is logged on purpose")
def test_a_receipt_that_cannot_be_sent_leaves_the_payment_standing(site: Site) -> None:
    with smtp_server(drop_on_data=True) as server:
        set_up(site, server)
        url = site.link("INV-1003")
        with httpx.Client(timeout=20.0, follow_redirects=True) as c:
            form = forms_of(c.get(url).text)["pay-form"]
            review = c.post(site.url + form["action"], data={
                **form["fields"], "method": "new-card", "payment_token": card_token(site.sandbox),
                "brand": "visa", "last_four": "1111", "expiry": "1230", "first_name": "Ada",
                "last_name": "Lovelace"})
            confirm = forms_of(review.text)["confirm-form"]
            done = c.post(site.url + confirm["action"], data=confirm["fields"])
        assert done.status_code == 200 and "Payment has been processed" in done.text
        deadline = time.monotonic() + 15          # the portal tries in the background
        while not audit(site, RECEIPT_FAILED) and time.monotonic() < deadline:
            time.sleep(0.05)
    assert [p.status for p in site.payments("INV-1003")] == ["approved"]
    assert audit(site, RECEIPT_SENT) == [] and len(audit(site, RECEIPT_FAILED)) == 1
