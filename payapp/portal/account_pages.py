"""The portal's signed-in pages (issue #17.4), when Admin › Client Portal lets clients sign in
(`portal.access_mode` "signin" or "both"; with "links" these addresses answer as unknown pages).

    GET  /signin                         the e-mail form
    POST /signin                         "send me a link": the same answer whether the address is known or not
    GET  /signin/{token}                 the e-mailed link: a "Sign in" button (a mail scanner's GET uses nothing up)
    POST /signin/{token}                 uses the one-time token up, starts the session, on to /account
    GET  /account                        "Recent invoices for <organization>", open and paid
    GET  /account/invoices/{id}/pay      a contact who may pay: a payment link minted for them, then part 1's pages
    GET  /account/methods                their saved payment methods;  POST /account/methods/{id}/delete
    POST /signout

Rate limits (the portal's database counters): every request counts for the client's address as any page does;
"send me a link" counts per address and per e-mail address too. Over the e-mail's limit the answer is the usual
one and no e-mail goes out, so no answer tells whether an address is known; the e-mail itself is sent after the
answer, so neither does the time the answer takes."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

from sqlalchemy import Connection
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from payapp.domain.errors import PayAppError
from payapp.domain.money import format_money
from payapp.portal import accounts
from payapp.portal.pages import Page, PortalHost, method_label
from payapp.portal.security import (
    SESSION_COOKIE,
    USER_COOKIE,
    client_address,
    csrf_ok,
    session_cookie_args,
    valid_session_id,
)
from payapp.portal.store import bucket_key, count_hits
from payapp.services import audit
from payapp.services.mail import OutgoingMail
from payapp.services.portal_access import signin_allowed
from payapp.services.settings import read_settings

log = logging.getLogger(__name__)
T = TypeVar("T")


class MailSender(Protocol):
    """What the portal needs of the mail service (payapp/services/mail.py, `Services.mail`)."""

    async def send(self, mail: OutgoingMail) -> None: ...


def mail_hook(services: Any) -> MailSender | None:
    """The mail service when the build has one (None: sign-in links cannot be sent, and the form says the same
    as always; the log says why)."""
    return getattr(services, "mail", None)


def outgoing_mail(to: str, subject: str, text: str) -> OutgoingMail:
    return OutgoingMail(to=to, subject=subject, text=text)


@dataclass
class _Round:
    """What one account request read in its one transaction."""
    settings: dict[str, Any]
    allowed: bool
    user: accounts.PortalUser | None = None
    result: Any = None


class AccountPages:
    def __init__(self, portal: PortalHost) -> None:
        self.portal = portal
        self.mailer: MailSender | None = mail_hook(portal.services)
        self._sending: set[asyncio.Task[None]] = set()

    # ------------------------------------------------------------------------------ plumbing

    async def _round(self, request: Request, work: Callable[[Connection, accounts.PortalUser | None], Any] | None,
                     *, extra: tuple[tuple[str, str, int], ...] = ()) -> _Round:
        """Settings, the address's rate limit (and `extra` buckets), the signed-in user and `work`, in one
        transaction on the store's thread. `work` runs only when the request may go on."""
        cfg = self.portal.config
        keys = [(bucket_key("addr", client_address(request, cfg)), cfg.address_limit)]
        keys += [(bucket_key(kind, value), limit) for kind, value, limit in extra]
        session = request.cookies.get(USER_COOKIE, "")
        now = self.portal.store.now()

        def job(conn: Connection) -> _Round:
            found = _Round(read_settings(conn), count_hits(conn, keys, cfg.rate_window_s, now))
            if found.allowed and found.settings.get("portal.enabled") and signin_allowed(
                    found.settings.get("portal.access_mode")):
                found.user = accounts.session_user(conn, session, now) if session else None
                if work is not None:
                    found.result = work(conn, found.user)
            return found
        return await self.portal.store.run(job)

    def _closed_answer(self, page: Page, found: _Round) -> Response | None:
        """Too many requests, the portal off, or sign-in not offered (then these pages do not exist)."""
        portal = self.portal
        if not found.allowed:
            return portal._too_many(page)
        if not page.settings.get("portal.enabled"):
            return portal._render(page, "message.html", 503, title=page._("The client portal is not available"),
                                  text=page._("Online payment is switched off at the moment. Contact the sender "
                                              "of the link."))
        if not signin_allowed(page.settings.get("portal.access_mode")):
            return portal._render(page, "message.html", 404, title=page._("Page not found"), text=page._(
                "The payment link is unknown, has expired or was withdrawn. Ask the sender for a new link."))
        return None

    def _page(self, request: Request, found: _Round) -> Page:
        page = self.portal._page(request, found.settings)
        page.user = found.user
        return page

    async def _form(self, request: Request) -> tuple[dict[str, str], bool]:
        form = await request.form()
        sid = request.cookies.get(SESSION_COOKIE, "")
        good = valid_session_id(sid) and csrf_ok(self.portal.config.session_secret, sid, str(form.get("csrf", "")))
        return {k: str(v)[:300] for k, v in form.items() if isinstance(v, str)}, good

    def _expired_form(self, page: Page) -> Response:
        return self.portal._render(page, "message.html", 403, title=page._("This form has expired"),
                                   text=page._("Open the page again and repeat the last step."))

    @staticmethod
    def _to_signin() -> Response:
        return RedirectResponse("/signin", status_code=303)

    # ------------------------------------------------------------------------------ asking for a link

    async def signin_page(self, request: Request) -> Response:
        found = await self._round(request, None)
        page = self._page(request, found)
        closed = self._closed_answer(page, found)
        if closed is not None:
            return closed
        if found.user is not None:
            return RedirectResponse("/account", status_code=303)
        return self.portal._render(page, "signin.html", email="", error="")

    async def request_link(self, request: Request) -> Response:
        values, csrf_good = await self._form(request)
        email = accounts.normalized_email(values.get("email", ""))
        cfg = self.portal.config
        address = client_address(request, cfg)
        now = self.portal.store.now()
        mail_key = [(bucket_key("signin-mail", email), cfg.signin_email_limit)]

        def work(conn: Connection, _user: accounts.PortalUser | None) -> list[accounts.SignInLink] | None:
            if not csrf_good or not email:
                return None
            # over the e-mail address's limit: the same answer, no e-mail (known or not, nothing differs)
            if not count_hits(conn, mail_key, cfg.rate_window_s, now):
                return []
            return accounts.issue_signin_links(conn, email, now)

        found = await self._round(request, work, extra=(("signin-addr", address, cfg.signin_address_limit),))
        page = self._page(request, found)
        closed = self._closed_answer(page, found)
        if closed is not None:
            return closed
        if not csrf_good:
            return self._expired_form(page)
        if not email:
            return self.portal._render(page, "signin.html", 400, email=values.get("email", "")[:200],
                                       error=page._("Enter your e-mail address, like name@example.com."))
        links: list[accounts.SignInLink] = found.result or []
        if links:
            base = str(found.settings.get("portal.public_url") or "").rstrip("/") or str(request.base_url).rstrip("/")
            task = asyncio.get_running_loop().create_task(self._send_links(page, email, links, base))
            self._sending.add(task)
            task.add_done_callback(self._sending.discard)
        return self.portal._render(page, "message.html", 200, title=page._("Check your e-mail"), text=page._(
            "If {email} is the address of one of our contacts, we have sent a sign-in link to it. The link works "
            "once, for 15 minutes.", email=email))

    async def _send_links(self, page: Page, email: str, links: list[accounts.SignInLink], base: str) -> None:
        """After the answer went out (its timing says nothing about the address). Failures are logged without the
        address or the link."""
        _ = page._
        merchant = page.merchant["name"]
        if self.mailer is None:
            log.error("a portal sign-in link could not be sent: no mail service is set up")
            return
        for link in links:
            text = _("Hello {name},\n\nopen this link to sign in to the client portal of {merchant} for "
                     "{organization}:\n\n{url}\n\nThe link works once, for 15 minutes. If you did not ask for it, "
                     "you can ignore this e-mail.", name=link.first_name or email, merchant=merchant,
                     organization=link.company_name, url=f"{base}/signin/{link.token}")
            try:
                await self.mailer.send(outgoing_mail(email, _("Your sign-in link for {merchant}", merchant=merchant),
                                                     text))
            except (PayAppError, OSError) as exc:
                log.error("a portal sign-in link could not be sent: %s", type(exc).__name__)
            except Exception:
                log.exception("a portal sign-in link could not be sent")

    async def wait_sent(self) -> None:
        """Tests and shut-down: the sign-in e-mails on their way."""
        if self._sending:
            await asyncio.gather(*list(self._sending), return_exceptions=True)

    # ------------------------------------------------------------------------------ the e-mailed link

    def _link_not_valid(self, page: Page) -> Response:
        return self.portal._render(page, "message.html", 404, title=page._("This sign-in link is not valid"),
                                   text=page._("The link was used already, has expired or is unknown. Ask for a new "
                                               "one."), signin_link=True)

    async def signin_link_page(self, request: Request) -> Response:
        token = str(request.path_params.get("token", ""))
        cfg = self.portal.config
        now = self.portal.store.now()
        found = await self._round(request, lambda conn, _u: accounts.signin_token_usable(conn, token, now),
                                  extra=(("signin-token", token, cfg.token_limit),))
        page = self._page(request, found)
        closed = self._closed_answer(page, found)
        if closed is not None:
            return closed
        if not found.result:
            return self._link_not_valid(page)
        return self.portal._render(page, "signin_confirm.html", token=token)

    async def use_link(self, request: Request) -> Response:
        token = str(request.path_params.get("token", ""))
        _values, csrf_good = await self._form(request)
        cfg = self.portal.config
        now = self.portal.store.now()

        def work(conn: Connection, _user: accounts.PortalUser | None) -> tuple[str, int] | None:
            return accounts.use_signin_token(conn, token, now) if csrf_good else None

        found = await self._round(request, work, extra=(("signin-token", token, cfg.token_limit),))
        page = self._page(request, found)
        closed = self._closed_answer(page, found)
        if closed is not None:
            return closed
        if not csrf_good:
            return self._expired_form(page)
        if found.result is None:
            return self._link_not_valid(page)
        session, contact_id = found.result
        await self._audit_sign_in(contact_id)
        response = RedirectResponse("/account", status_code=303)
        response.set_cookie(USER_COOKIE, session, **session_cookie_args(page.https))
        return response

    async def _audit_sign_in(self, contact_id: int) -> None:
        """Who signed in, in the audit log (by the client portal's actor, naming the contact)."""
        services = self.portal.services
        try:
            async with services.db.transaction() as s:
                audit.record(s, services.current_user.actor, "portal.signed_in", entity_type="contact",
                             entity_id=contact_id)
        except Exception:
            log.exception("a portal sign-in could not be audited")

    async def sign_out(self, request: Request) -> Response:
        _values, csrf_good = await self._form(request)
        session = request.cookies.get(USER_COOKIE, "")

        def work(conn: Connection, _user: accounts.PortalUser | None) -> None:
            if csrf_good:
                accounts.end_session(conn, session)

        found = await self._round(request, work)
        page = self._page(request, found)
        closed = self._closed_answer(page, found)
        if closed is not None:
            return closed
        if not csrf_good:
            return self._expired_form(page)
        response = self._to_signin()
        response.delete_cookie(USER_COOKIE, **session_cookie_args(page.https))
        return response

    # ------------------------------------------------------------------------------ signed in

    async def account(self, request: Request) -> Response:
        found = await self._round(request, lambda conn, user: accounts.recent_invoices(conn, user.company_id)
                                  if user is not None else None)
        page = self._page(request, found)
        closed = self._closed_answer(page, found)
        if closed is not None:
            return closed
        user = found.user
        if user is None:
            return self._to_signin()
        invoices = [{"id": inv.id, "number": inv.number, "date": self.portal._date(page, inv.invoice_date),
                     "due": self.portal._date(page, inv.due_date), "paid": inv.paid,
                     "total": format_money(inv.total_minor, inv.currency, page.locale),
                     "balance": format_money(max(inv.balance_minor, 0), inv.currency, page.locale)}
                    for inv in found.result or []]
        return self.portal._render(page, "account.html", invoices=invoices, may_pay=user.may_pay)

    async def pay(self, request: Request) -> Response:
        invoice_id = int(request.path_params["invoice_id"])
        now = self.portal.store.now()
        found = await self._round(request, lambda conn, user: accounts.mint_pay_link(conn, user, invoice_id, now)
                                  if user is not None else None)
        page = self._page(request, found)
        closed = self._closed_answer(page, found)
        if closed is not None:
            return closed
        if found.user is None:
            return self._to_signin()
        if not found.user.may_pay:
            return self.portal.not_allowed_to_pay(page)
        if found.result is None:
            return self.portal._render(page, "message.html", 404, title=page._("This invoice cannot be paid here"),
                                       text=page._("It is paid, voided or not one of your organization's "
                                                   "invoices."), account_link=True)
        return RedirectResponse(f"/pay/{found.result}", status_code=303)

    async def methods(self, request: Request) -> Response:
        today = self.portal.store.now().astimezone().date()
        found = await self._round(request, lambda conn, user: accounts.methods_for(
            conn, user.company_id, user.contact_id, today) if user is not None else None)
        page = self._page(request, found)
        closed = self._closed_answer(page, found)
        if closed is not None:
            return closed
        if found.user is None:
            return self._to_signin()
        methods = [{"id": m.id, "default": m.is_default,
                    "label": method_label(page, m.method, m.brand, m.last_four, m.expiry, m.account_type)}
                   for m in found.result or []]
        notice = page._("The payment method was deleted.") if request.query_params.get("deleted") == "1" else ""
        return self.portal._render(page, "methods.html", methods=methods, notice=notice, error="")

    async def delete_method(self, request: Request) -> Response:
        method_id = int(request.path_params["method_id"])
        _values, csrf_good = await self._form(request)
        found = await self._round(request, None)
        page = self._page(request, found)
        closed = self._closed_answer(page, found)
        if closed is not None:
            return closed
        if not csrf_good:
            return self._expired_form(page)
        if found.user is None:
            return self._to_signin()
        try:
            await self.portal.services.saved_methods.delete_for_portal_user(method_id, found.user.contact_id)
        except PayAppError:
            log.info("a portal user's saved method could not be deleted")
            return self.portal._render(page, "methods.html", 400, methods=[], notice="", error=page._(
                "The payment method could not be deleted. Try again later or contact {merchant}.",
                merchant=page.merchant["name"]))
        return RedirectResponse("/account/methods?deleted=1", status_code=303)
