"""Signing in to the client portal (issue #17.4) and its look (#17.5), in the real browser (Debian's chromium) against
the portal on loopback, with the sign-in links e-mailed through PayApp's mail service to a real SMTP server
(aiosmtpd) on loopback: the e-mailed link signs in once, the organization's recent invoices, paying as in part 1,
saved methods per portal user, contacts who see invoices only (also when they type a payment page's address), the
branding; and over plain HTTP: the rate limits on asking for a link, whose answers never tell whether an e-mail
address is known."""

from __future__ import annotations

import contextlib
import email
import email.policy
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select, update

from payapp.models import (
    AuditEvent,
    Company,
    Contact,
    Invoice,
    PortalContactAccess,
    PortalMethodOwner,
    PortalSignInToken,
    SavedPaymentMethod,
)
from payapp.models.db import Database
from payapp.portal.security import mask_tokens
from payapp.services.auth import CurrentUser
from payapp.services.memory_keyring import MemoryKeyring
from payapp.services.secrets import SecretStore
from payapp.services.settings import SettingsService
from tests.conftest import ADMIN, TEST_ALLOWED_BACKENDS
from tests.portal.conftest import Site, forms_of, make_site, shot
from tests.portal.test_portal_browser import assert_no_card_data, continue_to_review, fill_card
from tests.servers import free_port

pytestmark = pytest.mark.slow

ACCENT = "#0f766e"
FOOTER = "Thank you for your business. Northwind IT Services, since 1998."
_LINK = re.compile(r"https?://[^\s/]+/signin/[A-Za-z0-9_-]{43}")


@dataclass
class Mailbox:
    """What the SMTP server on loopback accepted: (recipients, parsed message)."""
    port: int
    messages: list[tuple[list[str], email.message.EmailMessage]] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.messages.append((list(envelope.rcpt_tos), message))  # type: ignore[arg-type]
        return "250 OK"

    def to(self, address: str) -> list[email.message.EmailMessage]:
        return [m for rcpt, m in self.messages if address in rcpt]

    def wait_for(self, address: str, count: int = 1, timeout: float = 15.0) -> list[email.message.EmailMessage]:
        deadline = time.monotonic() + timeout
        while len(self.to(address)) < count and time.monotonic() < deadline:
            time.sleep(0.05)
        found = self.to(address)
        assert len(found) >= count, f"{len(found)} of {count} e-mails to {address} arrived"
        return found

    def link(self, address: str, index: int = -1) -> str:
        body = self.wait_for(address, index + 1 if index >= 0 else 1)[index].get_body(("plain",))
        assert body is not None
        match = _LINK.search(body.get_content())
        assert match, "no sign-in link in the e-mail"
        return match.group(0)


@pytest.fixture
def mailbox() -> Iterator[Mailbox]:
    box = Mailbox(free_port())
    controller = Controller(box, hostname="127.0.0.1", port=box.port)
    controller.start()
    try:
        yield box
    finally:
        controller.stop()


@dataclass(frozen=True)
class People:
    ada: int        # Acme's primary contact: may pay by default
    carol: int      # allowed to pay by the merchant
    bob: int        # invoices only (the default for a contact who is not primary)
    gina: int       # Globex's primary contact


def _seed_people(site: Site, mailbox: Mailbox, mode: str) -> People:
    async def seed(db: Database) -> People:
        async with db.transaction() as s:
            acme = (await s.scalars(select(Company).where(Company.name == "Acme Inc"))).one()
            globex = (await s.scalars(select(Company).where(Company.name == "Globex Corp"))).one()
            people = [Contact(company_id=acme.id, first_name="Ada", last_name="Lovelace", email="ada@acme.test",
                              is_primary=True),
                      Contact(company_id=acme.id, first_name="Carol", last_name="Shaw", email="Carol@Acme.test"),
                      Contact(company_id=acme.id, first_name="Bob", last_name="Builder", email="bob@acme.test"),
                      Contact(company_id=globex.id, first_name="Gina", last_name="Globex", email="gina@globex.test",
                              is_primary=True)]
            s.add_all(people)
            await s.flush()
            s.add(PortalContactAccess(contact_id=people[1].id, may_pay=True, changed_by_name="Test Admin"))
            # INV-1003 was paid already: the list shows it as paid
            await s.execute(update(Invoice).where(Invoice.invoice_number == "INV-1003")
                            .values(balance_minor=0, paid_minor=Invoice.total_minor, status="paid"))
        settings = SettingsService(db, SecretStore(MemoryKeyring(), allow=TEST_ALLOWED_BACKENDS), CurrentUser(ADMIN))
        await settings.set_many({
            "portal.access_mode": mode, "portal.accent_colour": ACCENT, "portal.footer_text": FOOTER,
            "portal.support_email": "help@northwind.example",
            "mail.smtp_host": "127.0.0.1", "mail.smtp_port": mailbox.port, "mail.tls_mode": "none",
            "mail.sender": "portal@northwind.example"})
        return People(*(p.id for p in people))
    return site.query(seed)


@contextlib.contextmanager
def signin_site(db_url: str, tmp_path: Path, mailbox: Mailbox, *, mode: str = "both",
                limits: dict[str, Any] | None = None) -> Iterator[tuple[Site, People]]:
    with make_site(db_url, tmp_path, limits=limits) as site:
        yield site, _seed_people(site, mailbox, mode)


def sign_in(site: Site, mailbox: Mailbox, page: Any, address: str) -> str:
    """Ask for a link in the browser, open the e-mailed link and press Sign in; returns the link."""
    before = len(mailbox.to(address.lower()))
    page.goto(site.url + "/signin")
    page.fill("#email", address)
    page.click("#signin-submit")
    page.wait_for_selector("#message")
    link = mailbox.link(address.lower(), before)
    page.goto(link)
    page.click("#signin-confirm")
    page.wait_for_selector("#invoices-title")
    return link


def saved_offered(page: Any) -> Any:
    return page.locator("input[name=method][value^=saved-]")


# ------------------------------------------------------------------------------------------------ the browser

def test_sign_in_by_emailed_link_pay_and_saved_methods_per_portal_user(sqlite_url: str, tmp_path: Path,
                                                                         mailbox: Mailbox, new_page: Any) -> None:
    with signin_site(sqlite_url, tmp_path, mailbox) as (site, people):
        page = new_page()
        page.goto(site.url + "/")
        page.wait_for_selector("#signin-form")                 # sign-in offered: the home page is the form
        # the branding: the accent from Admin (a style sheet: the CSP allows no inline style), footer, support
        assert page.text_content("#merchant-name") == "Northwind IT Services"
        assert page.eval_on_selector("#signin-submit", "b => getComputedStyle(b).backgroundColor") == \
            "rgb(15, 118, 110)"
        assert page.text_content("#footer-text") == FOOTER
        assert page.text_content("#support-email") == "help@northwind.example"
        shot(page, "signin-01-form")

        page.fill("#email", "ada@acme.test")
        page.click("#signin-submit")
        page.wait_for_selector("#message")
        assert page.text_content("#message h1") == "Check your e-mail"
        mailbox.wait_for("ada@acme.test")
        mailbox.messages.clear()
        link = sign_in(site, mailbox, page, "ada@acme.test")
        [mail] = mailbox.to("ada@acme.test")
        assert mail["Subject"] == "Your sign-in link for Northwind IT Services"
        assert "Acme Inc" in mail.get_body(("plain",)).get_content()
        assert page.url.endswith("/account")
        assert page.text_content("#invoices-title") == "Recent invoices for Acme Inc"
        assert page.text_content("#signed-in-as") == "Ada Lovelace · Acme Inc"
        assert page.text_content("#invoice-INV-1001 .status") == "Open"
        assert page.text_content("#invoice-INV-1003 .status") == "Paid"
        assert page.locator("#pay-INV-1003").count() == 0
        assert page.locator("#invoice-INV-2001").count() == 0        # another organization's invoice
        shot(page, "signin-02-recent-invoices")

        # the e-mailed link works once: in another browser, and in this one, it is refused
        again = new_page()
        again.goto(link)
        assert again.text_content("#message h1") == "This sign-in link is not valid"
        assert again.locator("#signin-confirm").count() == 0

        # pay INV-1001 exactly as from a payment link, saving the card: it is Ada's
        page.click("#pay-INV-1001")
        page.wait_for_selector("#pay-form")
        assert page.text_content("#invoice-number") == "INV-1001"
        assert saved_offered(page).count() == 0
        fill_card(page)
        page.check("#save_method")
        continue_to_review(page)
        page.click("#pay-button")
        page.wait_for_selector("#result-banner")
        assert page.text_content("#result-banner") == "Payment has been processed"
        [payment] = site.payments("INV-1001")
        assert payment.contact_id == people.ada and payment.status == "approved"

        async def owners(db: Database) -> list[tuple[int, int, bool]]:
            async with db.sessions() as s:
                return [(m, c, a) for m, c, a in (await s.execute(
                    select(PortalMethodOwner.saved_method_id, PortalMethodOwner.contact_id,
                           SavedPaymentMethod.is_active)
                    .join(SavedPaymentMethod, SavedPaymentMethod.id == PortalMethodOwner.saved_method_id))).all()]
        [(method_id, owner, active)] = site.query(owners)
        assert owner == people.ada and active

        # Carol (same organization, may pay) is not offered Ada's card; nor is a payment link's visitor
        carol = new_page()
        sign_in(site, mailbox, carol, "carol@acme.test")          # her address as typed differs in case
        carol.click("#pay-INV-1002")
        carol.wait_for_selector("#pay-form")
        assert saved_offered(carol).count() == 0
        visitor = new_page()
        visitor.goto(site.link("INV-1002"))
        visitor.wait_for_selector("#pay-form")
        assert saved_offered(visitor).count() == 0

        # Ada's next invoice offers her card, chosen (the one used last is the default)
        page.goto(site.url + "/account")
        page.click("#pay-INV-1002")
        page.wait_for_selector("#pay-form")
        assert saved_offered(page).count() == 1 and saved_offered(page).first.is_checked()
        assert "Visa •••• 1111" in page.text_content("label.method")
        shot(page, "signin-03-own-saved-card")

        # Ada manages her saved methods: delete it (the gateway's vault first)
        page.click("#nav-methods")
        page.wait_for_selector(f"#method-{method_id}")
        assert "Visa •••• 1111" in page.text_content(f"#method-{method_id}")
        carol.goto(site.url + "/account/methods")
        assert carol.locator(f"#method-{method_id}").count() == 0 and carol.locator("#no-methods").count() == 1
        page.click(f"#delete-{method_id}")
        page.wait_for_selector("#notice-banner")
        assert page.locator(f"#method-{method_id}").count() == 0
        assert not site.query(owners)[0][2]

        page.click("#sign-out")
        page.wait_for_selector("#signin-form")
        page.goto(site.url + "/account")
        page.wait_for_selector("#signin-form")                     # signed out: back to the form
        assert_no_card_data(site)


def test_a_contact_without_permission_sees_invoices_only(sqlite_url: str, tmp_path: Path, mailbox: Mailbox,
                                                          new_page: Any) -> None:
    with signin_site(sqlite_url, tmp_path, mailbox) as (site, _people):
        page = new_page("de-DE")
        sign_in(site, mailbox, page, "bob@acme.test")
        assert page.text_content("#invoices-title") == "Letzte Rechnungen für Acme Inc"
        assert page.locator("#invoices-only").count() == 1
        assert page.locator("a[id^=pay-]").count() == 0
        assert page.text_content("#invoice-INV-1001 .status") == "Offen"
        shot(page, "signin-04-invoices-only-de")
        # typing the payment page's address does not open the payment window
        invoice_id = site.invoices["INV-1001"]
        answer = page.goto(f"{site.url}/account/invoices/{invoice_id}/pay")
        assert answer is not None and answer.status == 403
        assert page.text_content("#message h1") == "Sie können hier keine Rechnungen bezahlen"
        assert page.locator("#pay-form").count() == 0
        # nor does a payment link of his organization's invoice while he is signed in
        answer = page.goto(site.link("INV-1001"))
        assert answer is not None and answer.status == 403 and page.locator("#pay-form").count() == 0
        assert site.payments("INV-1001") == []


def test_sign_in_only_links_need_a_signed_in_payer(sqlite_url: str, tmp_path: Path, mailbox: Mailbox,
                                                   new_page: Any) -> None:
    with signin_site(sqlite_url, tmp_path, mailbox, mode="signin") as (site, _people):
        page = new_page()
        answer = page.goto(site.link("INV-1001"))
        assert answer is not None and answer.status == 403
        assert page.text_content("#message h1") == "Sign in to pay"
        page.click("#signin-link")
        page.wait_for_selector("#signin-form")
        sign_in(site, mailbox, page, "gina@globex.test")
        page.click("#pay-INV-2001")
        page.wait_for_selector("#pay-form")
        # an invoice of another organization cannot be reached through the account's pay address
        answer = page.goto(f"{site.url}/account/invoices/{site.invoices['INV-1001']}/pay")
        assert answer is not None and answer.status == 404 and page.locator("#pay-form").count() == 0


# ------------------------------------------------------------------------------------------------ plain HTTP

def _csrf_client(site: Site) -> tuple[httpx.Client, str]:
    client = httpx.Client(base_url=site.url, timeout=15)
    page = client.get("/signin")
    assert page.status_code == 200
    return client, forms_of(page.text)["signin-form"]["fields"]["csrf"]


def test_asking_for_a_link_is_rate_limited_and_never_tells_whether_an_address_is_known(
        db_url: str, tmp_path: Path, mailbox: Mailbox) -> None:
    limits = {"signin_email_limit": 2, "signin_address_limit": 8}
    with signin_site(db_url, tmp_path, mailbox, limits=limits) as (site, _people):
        client, csrf = _csrf_client(site)
        with contextlib.closing(client):
            def ask(address: str) -> tuple[int, str]:
                answer = client.post("/signin", data={"csrf": csrf, "email": address})
                # the answer names the address typed; apart from that it must be the same for every address
                return answer.status_code, answer.text.replace(address, "<address>")

            answers = [ask(a) for a in ("ada@acme.test", "nobody@acme.test", "ada@acme.test", "nobody@acme.test",
                                        "ada@acme.test", "nobody@acme.test")]   # the third of each: over its limit
            assert {status for status, _text in answers} == {200}
            assert len({text for _status, text in answers}) == 1
            assert "we have sent a sign-in link" in answers[0][1]
            assert len(mailbox.wait_for("ada@acme.test", 2)) == 2               # the e-mail's limit: 2 a window
            time.sleep(0.3)
            assert len(mailbox.to("ada@acme.test")) == 2 and mailbox.to("nobody@acme.test") == []

            # the address's limit (8 a window): 429 for a known and an unknown address alike
            assert ask("carol@acme.test")[0] == 200 and ask("someone@else.test")[0] == 200
            over = [ask(a) for a in ("carol@acme.test", "someone@else.test")]
            assert [status for status, _t in over] == [429, 429]
            assert over[0][1] == over[1][1]

            bad = client.post("/signin", data={"csrf": "x" * 64, "email": "ada@acme.test"})
            assert bad.status_code in (403, 429)                  # a forged form sends nothing


def test_sign_in_tokens_are_single_use_expire_and_are_stored_hashed(db_url: str, tmp_path: Path,
                                                                     mailbox: Mailbox) -> None:
    with signin_site(db_url, tmp_path, mailbox) as (site, people):
        client, csrf = _csrf_client(site)
        with contextlib.closing(client):
            assert client.post("/signin", data={"csrf": csrf, "email": "ada@acme.test"}).status_code == 200
            link = mailbox.link("ada@acme.test")
            token = link.rsplit("/", 1)[1]

            async def stored(db: Database) -> list[str]:
                async with db.sessions() as s:
                    return list((await s.scalars(select(PortalSignInToken.token_hash))).all())
            hashes = site.query(stored)
            assert len(hashes) == 1 and token not in hashes[0]

            path = "/signin/" + token
            opened = client.get(path)
            assert opened.status_code == 200 and opened.headers["cache-control"] == "no-store"
            assert mask_tokens(f"GET {path} HTTP/1.1") == "GET /signin/<hidden> HTTP/1.1"     # access logs
            first = client.post(path, data={"csrf": csrf})
            assert first.status_code == 303 and first.headers["location"] == "/account"
            cookie = first.headers["set-cookie"]
            assert "payapp_portal_user=" in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie
            assert token not in cookie
            assert client.get("/account").status_code == 200

            async def signed_in(db: Database) -> list[str]:
                async with db.sessions() as s:
                    return list((await s.scalars(select(AuditEvent.entity_id)
                                                 .where(AuditEvent.action == "portal.signed_in"))).all())
            assert site.query(signed_in) == [str(people.ada)]
            assert client.get("/account").headers["cache-control"] == "no-store"
            again = client.post(path, data={"csrf": csrf})
            assert again.status_code == 404 and "This sign-in link is not valid" in again.text

            # a second link, expired (15 minutes): refused with the same answer
            assert client.post("/signin", data={"csrf": csrf, "email": "ada@acme.test"}).status_code == 200
            late = mailbox.link("ada@acme.test", 1).rsplit("/", 1)[1]

            async def expire(db: Database) -> None:
                import datetime as dt

                async with db.transaction() as s:
                    await s.execute(update(PortalSignInToken).where(PortalSignInToken.used_at.is_(None))
                                    .values(expires_at=dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)))
            site.query(expire)
            stale = client.post("/signin/" + late, data={"csrf": csrf})
            assert stale.status_code == 404 and stale.text == again.text


def test_with_links_only_there_is_no_sign_in(sqlite_url: str, tmp_path: Path, mailbox: Mailbox) -> None:
    with signin_site(sqlite_url, tmp_path, mailbox, mode="links") as (site, _people), \
            httpx.Client(base_url=site.url, timeout=15) as client:
        assert client.get("/signin").status_code == 404
        assert client.get("/account").status_code == 404
        assert client.get("/").status_code == 404
        assert client.get(site.link("INV-1001").removeprefix(site.url)).status_code == 200
