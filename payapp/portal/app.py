"""The portal's pages over the services (built by payapp.app.build_portal for the client-portal actor).

Flow for one payment link (`/pay/{token}`):
1. GET  /pay/{token}          the invoice and the Make a Payment form (saved methods, new card, new eCheck, amount).
   The browser's Collect.js (from the gateway, fields in the gateway's iframes) turns card or bank data into a
   single-use payment token before the form is sent; PayApp's server never sees a card or account number.
2. POST /pay/{token}/review   checks the form and shows the review step (and, for an eCheck, the ACH debit
   authorization with its checkbox), with a fresh idempotency key in the confirm form.
3. POST /pay/{token}/confirm  claims that key in the database (a second submit of the same form waits for the
   first and shows its outcome), takes the payment through PaymentService, and redirects to
4. GET  /pay/{token}/payment/{id}   the outcome ("Payment has been processed", pending settlement, declined), and
5. GET  /pay/{token}/receipt/{id}   the receipt (PDF from services.receipts when present; a printable page else).

An unknown, malformed, expired or revoked token gets one identical answer (`_link_not_valid`)."""

from __future__ import annotations

import asyncio
import base64
import binascii
import contextlib
import datetime as dt
import logging
import random
import secrets
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine, Mapping, Sequence
from functools import lru_cache
from typing import Any
from urllib.parse import urlencode

from babel.dates import format_date, format_datetime
from jinja2 import Environment, PackageLoader, select_autoescape
from starlette.applications import Starlette
from starlette.background import BackgroundTask
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from payapp.domain import ach
from payapp.domain.colour import parse_hex_colour
from payapp.domain.errors import PayAppError, ValidationError
from payapp.domain.gateways import gateway_spec
from payapp.domain.messages import msg, stored_text, to_stored
from payapp.domain.money import babel_locale, format_amount_input, format_money, parse_amount
from payapp.portal import i18n
from payapp.portal.account_pages import AccountPages
from payapp.portal.accounts import PortalUser, methods_for
from payapp.portal.accounts import prune as prune_accounts
from payapp.portal.hosted import hosted_options, hosted_routes, hosted_types
from payapp.portal.pages import Page, engine_message, error_text, method_label
from payapp.portal.security import (
    LANGUAGE_COOKIE,
    SESSION_COOKIE,
    USER_COOKIE,
    PortalConfig,
    SecurityHeaders,
    client_address,
    csrf_ok,
    csrf_token,
    is_https,
    new_session_id,
    origin_of,
    session_cookie_args,
    valid_session_id,
)
from payapp.portal.state import RateLimiter, Submissions
from payapp.portal.store import Guarded, InvoiceData, PortalStore, paying_user
from payapp.services.context import Services
from payapp.services.portal_access import links_allowed, signin_allowed
from payapp.services.settings import PUBLIC_KEY

log = logging.getLogger(__name__)

def _environment(language: str) -> Environment:
    # auto_reload off: the templates are package files that never change under a running portal, and checking
    # their modification times cost a dozen stat() calls a page
    env = Environment(loader=PackageLoader("payapp.portal", "templates"),
                      autoescape=select_autoescape(default=True, default_for_string=True),
                      trim_blocks=True, lstrip_blocks=True, auto_reload=False,
                      extensions=[i18n.FoldTranslations])
    env.extend(portal_language=language)
    return env


#: the templates of each language, their fixed texts translated when compiled (i18n.FoldTranslations)
_TEMPLATES = {language: _environment(language) for language in i18n.LANGUAGES}
_KEY_LENGTH = 43
#: about one request in this many also deletes rate-limit counters of past windows and old confirm forms
PRUNE_EVERY = 1000
_chance = random.Random()
#: seconds a process keeps the gateway's origin for the CSP of answers that are not pages (static files)
ORIGIN_TTL_S = 5.0

#: what a payment's status is called on the portal
STATUS_LABELS = {"approved": "Approved", "settled": "Settled", "declined": "Declined", "error": "Failed",
                 "unknown": "Being confirmed", "pending": "Being confirmed", "voided": "Failed",
                 "returned": "Failed", "refunded": "Settled"}


def receipt_hook(services: Services) -> Any | None:
    """The receipts service (payapp/services/receipts.py, `Services.receipts`: the PDF the desktop saves too);
    None where a build has none, and then the portal serves its own printable receipt page (as it does for
    `?format=html`)."""
    return getattr(services, "receipts", None)


# Each page shows the merchant's logo, accent colour and a few dates: worked out once per value, not per page (the
# logo's check decodes tens of kilobytes; Babel's date patterns are slow).
@lru_cache(maxsize=4)
def _shown_logo(logo: str) -> str:
    """The stored logo (base64 PNG) when it decodes, else "" (none shown)."""
    if logo:
        try:
            base64.b64decode(logo, validate=True)
        except (binascii.Error, ValueError):
            return ""
    return logo


@lru_cache(maxsize=16)
def _accent(value: object) -> str:
    try:
        return parse_hex_colour(value)[1:]
    except ValidationError:
        return ""                 # none chosen (or not a colour): the style sheet's own


@lru_cache(maxsize=4096)
def _medium_date(value: dt.date, locale: str) -> str:
    return str(format_date(value, format="medium", locale=babel_locale(locale)))


class Portal:
    def __init__(self, services: Services, config: PortalConfig) -> None:
        self.services = services
        self.config = config
        self.limiter = RateLimiter(services.db)
        self.store = PortalStore(services.db)
        self.submissions = Submissions(self.store)
        self._origin: tuple[float, str] | None = None
        self.account: AccountPages | None = None      # the signed-in pages (create_portal_app)

    def close(self) -> None:
        self.store.close()

    # ------------------------------------------------------------------------------ plumbing

    def gateway_browser_url(self, values: Mapping[str, Any]) -> str:
        if self.config.gateway_browser_url:
            return self.config.gateway_browser_url.rstrip("/")
        return str(values.get("gateway.base_url") or "").rstrip("/")

    async def gateway_origin(self) -> str:
        """For answers that are not pages (static files, errors): the pages tell the middleware themselves. Kept
        for ORIGIN_TTL_S seconds in this process (only the CSP header of a static file depends on it)."""
        loop = asyncio.get_running_loop()
        if self._origin is None or loop.time() - self._origin[0] > ORIGIN_TTL_S:
            self._origin = (loop.time(), origin_of(self.gateway_browser_url(await self.store.settings())))
        return self._origin[1]

    def _merchant(self, values: Mapping[str, Any]) -> dict[str, str]:
        logo = _shown_logo(str(values.get("merchant.logo_png") or ""))
        name = str(values.get("merchant.name") or "") or str(values.get("quickbooks.company_name") or "")
        accent = _accent(values.get("portal.accent_colour"))
        # the support address and phone of Admin › Client Portal, else the company's (Admin › Company details)
        return {"name": name or self.services.db.company_name,
                "address": str(values.get("merchant.address") or ""),
                "email": str(values.get("portal.support_email") or values.get("merchant.email") or ""),
                "phone": str(values.get("portal.support_phone") or values.get("merchant.phone") or ""),
                "footer": str(values.get("portal.footer_text") or ""),
                "accent": accent, "logo": logo}

    def _page(self, request: Request, values: Mapping[str, Any]) -> Page:
        chosen = request.query_params.get("lang", "") if request.method == "GET" else ""
        chosen = chosen if chosen in i18n.LANGUAGES else ""
        language = i18n.pick_language(request.headers.get("accept-language", ""),
                                      chosen or request.cookies.get(LANGUAGE_COOKIE, ""))
        sid = request.cookies.get(SESSION_COOKIE, "")
        new = not valid_session_id(sid)
        if new:
            sid = new_session_id()
        # the security headers' CSP names the gateway's origin: from this same read (SecurityHeaders)
        request.scope.setdefault("state", {})["gateway_origin"] = origin_of(self.gateway_browser_url(values))
        return Page(language, i18n.LOCALES[language], sid, new, csrf_token(self.config.session_secret, sid),
                     is_https(request, self.config), self._merchant(values), i18n.translator(language),
                     chosen, request.method == "GET",
                     urlencode([(k, v) for k, v in request.query_params.multi_items() if k != "lang"]), values)

    def _render(self, page: Page, template: str, status: int = 200, **values: Any) -> HTMLResponse:
        html = _TEMPLATES[page.language].get_template(template).render(
            _=page._, lang=page.language, merchant=page.merchant, csrf=page.csrf, switchable=page.switchable,
            keep_query=page.keep_query + "&" if page.keep_query else "", user=page.user,
            **values)
        response = HTMLResponse(html, status_code=status)
        if page.new_session:
            response.set_cookie(SESSION_COOKIE, page.session_id, **session_cookie_args(page.https))
        if page.chosen_language:
            response.set_cookie(LANGUAGE_COOKIE, page.chosen_language, max_age=365 * 86400,
                                **session_cookie_args(page.https))
        return response

    async def _checked(self, request: Request, token: str | None, *, open_link: bool = False,
                       detail: bool = False, claim: str = "") -> Guarded:
        """The request's one round trip (PortalStore.guard): settings, rate limits, the link and its invoice."""
        cfg = self.config
        address = client_address(request, cfg)
        buckets = [("addr", address, cfg.address_limit)]
        if token is not None:
            buckets.append(("token", token, cfg.token_limit))
        result = await self.store.guard(buckets, cfg.rate_window_s, token, open_link=open_link, detail=detail,
                                        claim=claim, session=request.cookies.get(USER_COOKIE, ""))
        # now and then, whichever process it is: old counters go (a plain random number: the secrets module's
        # is a system call, a tenth of a millisecond a page on a virtual machine, and nothing here is secret)
        if _chance.randrange(PRUNE_EVERY) == 0:
            try:
                await self.limiter.prune(cfg.rate_window_s)
                now = self.store.now()
                await self.store.run(lambda conn: prune_accounts(conn, now))
            except Exception:
                log.exception("could not prune the portal's rate-limit counters")
        return result

    def _too_many(self, page: Page) -> HTMLResponse:
        response = self._render(page, "message.html", 429, title=page._("Too many requests"),
                                text=page._("Wait a minute, then try again."))
        response.headers["Retry-After"] = str(self.config.rate_window_s)
        return response

    def _link_not_valid(self, page: Page) -> HTMLResponse:
        """The one answer for a token that is malformed, unknown, expired or revoked (no enumeration)."""
        return self._render(page, "message.html", 404, title=page._("This link is not valid"),
                            text=page._("The payment link is unknown, has expired or was withdrawn. Ask the "
                                        "sender for a new link."))

    def _closed(self, page: Page, closed: str) -> HTMLResponse:
        if closed == "voided":
            return self._render(page, "message.html", 200, title=page._("This invoice was voided"),
                                text=page._("There is nothing to pay on it. Contact the sender if you have "
                                            "questions."))
        return self._render(page, "message.html", 200, title=page._("This invoice has been paid"),
                            text=page._("Thank you. There is nothing left to pay on this invoice."))

    async def _guard(self, request: Request, *, post: bool = False, detail: bool = False,
                     claim: bool = False) -> tuple[Page, Any, Response | None]:
        """Common start of every /pay/ request: rate limits, portal switched on, CSRF (POST), the link (and its
        invoice: `found` is (link, token, form, invoice, claimed)); `claim`: the confirm form's idempotency key
        is claimed in the same round trip. The answers keep that order of precedence."""
        token = str(request.path_params.get("token", ""))
        form = None
        csrf_good = True
        if post:
            form = await request.form()
            sid = request.cookies.get(SESSION_COOKIE, "")
            csrf_good = valid_session_id(sid) and csrf_ok(self.config.session_secret, sid, str(form.get("csrf", "")))
        submitted = form.get("idempotency_key") if claim and form is not None else None
        key = submitted[:200] if isinstance(submitted, str) else ""
        checked = await self._checked(request, token, open_link=csrf_good, detail=detail,
                                      claim=key if len(key) == _KEY_LENGTH else "")
        page = self._page(request, checked.settings)
        if not checked.allowed:
            return page, None, self._too_many(page)
        if not page.settings.get("portal.enabled"):
            return page, None, self._render(page, "message.html", 503, title=page._(
                "The client portal is not available"), text=page._(
                "Online payment is switched off at the moment. Contact the sender of the link."))
        if not csrf_good:
            return page, None, self._render(page, "message.html", 403, title=page._("This form has expired"),
                                            text=page._("Open the payment link again and repeat the last "
                                                        "step. Nothing was charged."))
        if checked.link is None or checked.invoice is None:
            return page, None, self._link_not_valid(page)
        page.user = user = checked.user
        own_organization = user is not None and user.company_id == checked.invoice.company_id
        if user is not None and own_organization and not user.may_pay:
            return page, None, self.not_allowed_to_pay(page)
        if not links_allowed(page.settings.get("portal.access_mode")) and paying_user(
                user, checked.invoice.company_id) is None:
            # sign-in only: a link works for a signed-in contact of the invoice's organization who may pay
            return page, None, self._render(page, "message.html", 403, title=page._("Sign in to pay"), text=page._(
                "Sign in with your e-mail address to see and pay your invoices."), signin_link=True)
        return page, (checked.link, token, form, checked.invoice, checked.claimed), None

    def not_allowed_to_pay(self, page: Page) -> HTMLResponse:
        """A signed-in contact who sees invoices only, at a payment page (also typed into the address bar)."""
        return self._render(page, "message.html", 403, title=page._("You cannot pay invoices here"), text=page._(
            "You can see your organization's invoices, but paying them online is not switched on for you. Ask "
            "{merchant} if you should be able to pay.", merchant=page.merchant["name"]), account_link=True)

    # ------------------------------------------------------------------------------ the invoice page

    async def _methods(self, page: Page, company_id: int, types: dict[str, bool]) -> list[Any]:
        """The saved methods this visitor may use: a signed-in payer's own, a link visitor's those nobody owns."""
        payer = paying_user(page.user, company_id)
        today = self.store.now().astimezone().date()
        methods = await self.store.run(lambda conn: methods_for(conn, company_id, payer.contact_id if payer else None,
                                                                today))
        return [m for m in methods if types.get(m.method)]

    @staticmethod
    def _types(page: Page) -> dict[str, bool]:
        """The types paid in the gateway's fields on this page (Collect.js); those paid on the gateway's own page
        are the hosted buttons (payapp/portal/hosted.py)."""
        values = page.settings
        hosted = hosted_types(values)
        spec = gateway_spec(str(values.get("gateway.name") or ""))
        offered = spec.types_for("portal", str(values.get("currency") or "")) if spec else frozenset()
        return {t: bool(values.get(f"payment_types.portal.{t}")) and t in offered and t not in hosted
                for t in ("card", "echeck")}

    def _money(self, page: Page, minor: int, currency: str) -> str:
        return format_money(minor, currency, page.locale)

    def _date(self, page: Page, value: dt.date | None) -> str:
        return _medium_date(value, page.locale) if value else ""

    def _invoice_view(self, page: Page, row: InvoiceData) -> dict[str, Any]:
        """The invoice for a page (its lines and tax where they were read: the invoice page)."""
        tax = row.tax_minor if row.lines is not None else 0
        return {"number": row.number, "date": self._date(page, row.invoice_date),
                "due": self._date(page, row.due_date), "currency": row.currency, "id": row.id,
                "total": self._money(page, row.total_minor, row.currency),
                "paid": self._money(page, row.paid_minor, row.currency),
                "paid_minor": row.paid_minor, "balance_minor": row.balance_minor,
                "balance": self._money(page, row.balance_minor, row.currency),
                "balance_input": format_amount_input(row.balance_minor, row.currency, page.locale),
                "company_id": row.company_id, "company_name": row.company_name,
                "tax": self._money(page, tax, row.currency) if tax else "",
                "lines": [{"description": description, "quantity": _quantity(quantity, page.locale),
                           "unit_price": self._money(page, unit_price, row.currency),
                           "amount": self._money(page, amount, row.currency)}
                          for description, quantity, unit_price, amount in row.lines or ()],
                "data": row}

    async def pay_page(self, request: Request) -> Response:
        page, found, answer = await self._guard(request, detail=True)
        if answer is not None:
            return answer
        link, token, _form, data, _claimed = found
        if link.closed:
            return self._closed(page, link.closed)
        return await self._pay_form(page, link, token, data)

    async def _pay_form(self, page: Page, link: Any, token: str, data: InvoiceData | None = None, *,
                        error: str = "", values: dict[str, str] | None = None, status: int = 200) -> HTMLResponse:
        if data is None or data.lines is None:          # a form sent back: the invoice as it is now
            data = await self.store.invoice(link.invoice_id, detail=True, user=page.user)
            if data is None:
                return self._link_not_valid(page)
        invoice = self._invoice_view(page, data)
        types = self._types(page)
        methods = [m for m in data.methods if types.get(m.method)]
        address = data.address
        public_key = self.services.secrets.get(PUBLIC_KEY)
        gateway = self.gateway_browser_url(page.settings)
        values = dict(values or {})
        if not values.get("method"):
            values["method"] = (f"saved-{methods[0].id}" if methods else
                                "new-card" if types["card"] else "new-echeck" if types["echeck"] else "")
        defaults = {"address1": address.get("address1", ""), "city": address.get("city", ""),
                    "state": address.get("state", ""), "zip": address.get("postal_code", ""),
                    "country": address.get("country") or "US", "amount_mode": "full",
                    "amount": invoice["balance_input"], "holder_type": "business", "account_type": "checking",
                    "company": invoice["company_name"]}
        for key, value in defaults.items():
            values.setdefault(key, value)
        hosted = hosted_options(page)
        can_pay = (bool(public_key) and (types["card"] or types["echeck"] or bool(methods))) or bool(hosted)
        return self._render(
            page, "pay.html", status, token=token, invoice=invoice, methods=[
                {"id": m.id, "method": m.method, "label": method_label(page, m.method, m.brand, m.last_four,
                                                                         m.expiry, m.account_type)}
                for m in methods], types=types, error=error, v=values, can_pay=can_pay, hosted=hosted,
            collect_url=f"{gateway}/token/Collect.js", tokenization_key=public_key.reveal() if public_key else "")

    # ------------------------------------------------------------------------------ review

    async def review(self, request: Request) -> Response:
        page, found, answer = await self._guard(request, post=True)
        if answer is not None:
            return answer
        link, token, form, data, _claimed = found
        if link.closed:
            return self._closed(page, link.closed)
        values = {k: str(v)[:200] for k, v in form.items() if k != "csrf" and isinstance(v, str)}
        invoice = self._invoice_view(page, data)
        try:
            choice = await self._read_choice(page, invoice, values)
        except ValidationError as exc:
            # the payment token is single-use: a form sent back asks for the card or bank data again
            values.pop("payment_token", None)
            return await self._pay_form(page, link, token, error=error_text(page, exc), values=values, status=400)
        return self._review_page(page, token, invoice, choice, values)

    def _review_page(self, page: Page, token: str, invoice: dict[str, Any], choice: dict[str, Any],
                     values: dict[str, str], *, duplicate: bool = False, error: str = "") -> HTMLResponse:
        hidden = {k: v for k, v in values.items() if k not in ("idempotency_key", "agree", "confirm_duplicate")}
        return self._render(page, "review.html", 400 if error else 200, token=token, invoice=invoice, c=choice,
                            hidden=hidden, idempotency_key=secrets.token_urlsafe(32), duplicate=duplicate,
                            error=error)

    async def _read_choice(self, page: Page, invoice: dict[str, Any], v: dict[str, str]) -> dict[str, Any]:
        """The payment the form describes, checked (amount, method, names); raises ValidationError with words
        for the visitor."""
        _ = page._
        currency = invoice["currency"]
        if v.get("amount_mode", "full") == "partial":
            try:
                amount = parse_amount(v.get("amount", ""), currency, page.locale).minor
            except ValidationError:
                raise ValidationError(_("Enter an amount above zero."), field="amount") from None
        else:
            amount = invoice["balance_minor"]
        if amount <= 0:
            raise ValidationError(_("Enter an amount above zero."), field="amount")
        if amount > invoice["balance_minor"]:
            raise ValidationError(_("The amount is more than the amount due."), field="amount")
        types = self._types(page)
        method = v.get("method", "")
        choice: dict[str, Any] = {"amount_minor": amount, "amount": self._money(page, amount, currency),
                                  "save": v.get("save_method") == "on", "method": method}
        if method.startswith("saved-") and method[6:].isdigit():
            saved = {m.id: m for m in await self._methods(page, invoice["company_id"], types)}.get(int(method[6:]))
            if saved is None:
                raise ValidationError(_("This saved payment method is no longer available. Choose another one."),
                                      field="method")
            choice.update(kind=saved.method, saved_id=saved.id, save=False,
                          label=method_label(page, saved.method, saved.brand, saved.last_four, saved.expiry,
                                              saved.account_type),
                          holder_type=saved.holder_type or "business", holder_name=saved.holder_name,
                          account_type=saved.account_type, last_four=saved.last_four)
        elif method in ("new-card", "new-echeck") and types[method[4:]]:
            kind = method[4:]
            if not v.get("payment_token", "").strip() or len(v["payment_token"]) > 200:
                raise ValidationError(_("Enter the card or bank details."), field="payment")
            last_four = "".join(ch for ch in v.get("last_four", "") if ch.isdigit())[-4:]
            choice.update(kind=kind, last_four=last_four)
            if kind == "card":
                if not v.get("first_name", "").strip() or not v.get("last_name", "").strip():
                    raise ValidationError(_("Enter the first and last name."), field="name")
                choice["label"] = method_label(page, "card", v.get("brand", ""), last_four,
                                                v.get("expiry", ""), "")
            else:
                if v.get("holder_type") not in ("personal", "business"):
                    raise ValidationError(msg("ach.holder_type"), field="holder_type")
                account_type = "savings" if v.get("account_type") == "savings" else "checking"
                choice.update(holder_type=v["holder_type"], account_type=account_type,
                              holder_name=v.get("holder_name", "").strip(),
                              label=method_label(page, "echeck", "", last_four, "", account_type))
        else:
            raise ValidationError(_("Choose how to pay."), field="method")
        if choice["kind"] == "echeck":
            choice["authorization"] = ach.authorization_text(
                holder_type=choice["holder_type"], name=choice.get("holder_name", ""),
                company=v.get("company", "") or invoice["company_name"], merchant=page.merchant["name"],
                account_type=choice["account_type"], last_four=choice.get("last_four", ""),
                amount=format_money(amount, currency), invoice=invoice["number"], date=dt.date.today(), online=True)
        return choice

    # ------------------------------------------------------------------------------ confirm (the charge)

    async def confirm(self, request: Request) -> Response:
        page, found, answer = await self._guard(request, post=True, claim=True)
        if answer is not None:
            return answer
        link, token, form, data, claimed = found
        values = {k: str(v)[:200] for k, v in form.items() if k != "csrf" and isinstance(v, str)}
        key = values.get("idempotency_key", "")
        if len(key) != _KEY_LENGTH:
            return self._render(page, "message.html", 403, title=page._("This form has expired"),
                                text=page._("Open the payment link again and repeat the last step. Nothing was "
                                            "charged."))
        if not claimed:              # claimed by _guard (or, for a closed link, looked up): a second submit
            return await self._after_earlier_submit(page, link, token, key)
        if link.closed:
            return self._closed(page, link.closed)
        invoice = self._invoice_view(page, data)
        try:
            choice = await self._read_choice(page, invoice, values)
            if choice["kind"] == "echeck" and values.get("agree") != "on":
                raise ValidationError(page._("Agree to the ACH debit authorization to pay by eCheck."),
                                      field="agree")
        except ValidationError as exc:
            await self.submissions.release(key)
            if exc.field == "agree":
                return self._review_page(page, token, invoice, choice, values, error=error_text(page, exc))
            values.pop("payment_token", None)
            return await self._pay_form(page, link, token, error=error_text(page, exc), values=values, status=400)
        from payapp.services.payments import DuplicateWarning

        try:
            result = await self.services.payments.take_payment(
                self._request(link.invoice_id, choice, values, paying_user(page.user, data.company_id)),
                confirm_duplicate=values.get("confirm_duplicate") == "1")
        except DuplicateWarning:
            await self.submissions.release(key)     # nothing was sent: the same token can still be charged
            values["confirm_duplicate"] = "1"
            return self._review_page(page, token, invoice, choice, values, duplicate=True)
        except PayAppError as exc:
            message = engine_message(page, exc.message or exc.user_message)
            await self.submissions.finish(key, state="failed", message=message)
            values.pop("payment_token", None)
            return await self._pay_form(page, link, token, error=message, values=values, status=400)
        except Exception:
            log.exception("portal payment failed")
            message = page._("We are still confirming this payment with the bank. Do not pay again; look at this "
                             "page again in a few minutes or contact {merchant}.", merchant=page.merchant["name"])
            await self.submissions.finish(key, state="failed", message=message)
            return self._render(page, "message.html", 500, title=page._("Make a Payment"), text=message)
        language = page.language

        async def afterwards() -> None:
            # After the answer is sent: the form's outcome (a second submit waits for it, polling, and meanwhile
            # says "being processed"), and the receipt to the payer when e-mail is set up (never delays or fails
            # the payment)
            try:
                await self.submissions.finish(key, state="done", payment_id=result.payment_id,
                                              outcome=result.status, message=to_stored(result.message, limit=500))
            except Exception:
                log.exception("could not record a confirm form's outcome (a second submit will wait for it)")
            if result.status in ("approved", "settled"):
                self.services.invoice_mail.receipt_after_portal_payment_soon(result.payment_id, language)

        return RedirectResponse(f"/pay/{token}/payment/{result.payment_id}", status_code=303,
                                background=BackgroundTask(afterwards))

    def _request(self, invoice_id: int, choice: dict[str, Any], v: dict[str, str], payer: PortalUser | None) -> Any:
        from payapp.services import payments as engine

        method: Any
        if "saved_id" in choice:
            method = engine.SavedMethodRef(choice["saved_id"], authorization_text=choice.get("authorization", ""))
        else:
            tokenized = getattr(engine, "TokenizedPayment")  # noqa: B009  (payment-engine branch: portal-engine)
            common = {"address1": v.get("address1", ""), "city": v.get("city", ""), "state": v.get("state", ""),
                      "zip": v.get("zip", ""), "country": (v.get("country", "") or "US")[:2].upper(),
                      "brand": v.get("brand", "")[:40], "last_four": choice.get("last_four", "")}
            if choice["kind"] == "card":
                method = tokenized(token=v["payment_token"], kind="card", first_name=v.get("first_name", ""),
                                   last_name=v.get("last_name", ""),
                                   expiry_mmyy="".join(ch for ch in v.get("expiry", "") if ch.isdigit())[:4],
                                   **common)
            else:
                first, _sp, last = choice.get("holder_name", "").partition(" ")
                method = tokenized(token=v["payment_token"], kind="echeck", first_name=first, last_name=last,
                                   company=v.get("company", "") if choice["holder_type"] == "business" else "",
                                   holder_type=choice["holder_type"], account_type=choice["account_type"],
                                   holder_name=choice.get("holder_name", ""),
                                   authorization_text=choice.get("authorization", ""), **common)
        # a signed-in payer: the payment names them, and a method saved now is theirs alone
        who = payer.contact_id if payer is not None else None
        return engine.PaymentRequest(invoice_id=invoice_id, amount_minor=choice["amount_minor"], method=method,
                                     save_method=bool(choice.get("save")), source="client_portal",
                                     contact_id=who, portal_user_id=who)

    async def _after_earlier_submit(self, page: Page, link: Any, token: str, key: str) -> Response:
        """A second submit of a confirm form (double click, reload, back and submit): never a second charge."""
        sub = await self.submissions.wait(key, link.link_id, self.config.submission_wait_s)
        if sub is not None and sub.payment_id is not None:
            return RedirectResponse(f"/pay/{token}/payment/{sub.payment_id}", status_code=303)
        if sub is not None and sub.state == "failed":
            # a failed form's words as the page wrote them, or the engine's result kept as data: in this page's
            # language
            return await self._pay_form(page, link, token, error=stored_text(sub.message, page.language), status=400)
        return self._render(page, "message.html", 202, title=page._("Make a Payment"),
                            text=page._("This payment is being processed. Do not pay again."))

    # ------------------------------------------------------------------------------ outcome and receipt

    async def _payment(self, invoice_id: int, payment_id: int) -> Any | None:
        return next((p for p in await self.services.payments.payments_for_invoice(invoice_id)
                     if p.id == payment_id), None)

    async def payment_page(self, request: Request) -> Response:
        page, found, answer = await self._guard(request)
        if answer is not None:
            return answer
        link, token, _form, data, _claimed = found
        payment = await self._payment(link.invoice_id, int(request.path_params["payment_id"]))
        if payment is None:
            return self._link_not_valid(page)
        invoice = self._invoice_view(page, data)
        merchant = page.merchant["name"]
        banner, kind = _outcome(page, payment.status, payment.method, merchant)
        return self._render(page, "result.html", token=token, invoice=invoice, banner=banner, kind=kind,
                            p=self._payment_view(page, payment), can_pay_more=not link.closed and
                            invoice["balance_minor"] > 0)

    def _payment_view(self, page: Page, p: Any) -> dict[str, str]:
        from payapp.services.invoices import method_display

        status = STATUS_LABELS.get(p.status, p.status)
        if p.status == "approved" and p.method == "echeck":
            status = "Pending settlement"
        return {"id": str(p.id), "amount": self._money(page, p.amount_minor, p.currency),
                "method": method_display(p.method, p.brand, p.last_four), "status": page._(status),
                "transaction": p.transaction_id, "date": format_datetime(
                    p.decided_at or p.created_at, format="medium", locale=babel_locale(page.locale)),
                "ok": "1" if p.status in ("approved", "settled") else ""}

    async def receipt(self, request: Request) -> Response:
        page, found, answer = await self._guard(request)
        if answer is not None:
            return answer
        link, token, _form, data, _claimed = found
        payment = await self._payment(link.invoice_id, int(request.path_params["payment_id"]))
        if payment is None or payment.status not in ("approved", "settled"):
            return self._link_not_valid(page)
        receipts = receipt_hook(self.services)
        if receipts is not None and request.query_params.get("format") != "html":
            receipt = await receipts.receipt(payment.id)
            pdf = await receipts.pdf(receipt, page.language)
            return Response(pdf, media_type="application/pdf", headers={
                "Content-Disposition": f'attachment; filename="receipt-{receipt.invoice_number}-{payment.id}.pdf"'})
        invoice = self._invoice_view(page, data)
        authorization = await self._authorization_text(payment.id)
        return self._render(page, "receipt.html", token=token, invoice=invoice,
                            p=self._payment_view(page, payment), authorization=authorization)

    async def _authorization_text(self, payment_id: int) -> str:
        from sqlalchemy import select

        from payapp.models import AchAuthorization

        async with self.services.db.sessions() as s:
            text = (await s.execute(select(AchAuthorization.wording_text)
                                    .where(AchAuthorization.payment_id == payment_id))).scalar_one_or_none()
        return str(text or "")

    # ------------------------------------------------------------------------------ small pages

    async def home(self, request: Request) -> Response:
        checked = await self._checked(request, None)
        page = self._page(request, checked.settings)
        if not checked.allowed:
            return self._too_many(page)
        if page.settings.get("portal.enabled") and signin_allowed(page.settings.get("portal.access_mode")):
            return RedirectResponse("/account" if checked.user is not None else "/signin", status_code=303)
        return self._render(page, "message.html", 404, title=page._("Page not found"),
                            text=page._("The payment link is unknown, has expired or was withdrawn. Ask the sender "
                                        "for a new link."))

    async def brand_css(self, request: Request) -> Response:
        """The accent colour as the style sheet's custom property (the CSP allows no inline style). The colour is
        in the address (base.html), so the answer never changes for one address and needs no database."""
        try:
            accent = parse_hex_colour(request.query_params.get("accent", ""))
        except ValidationError:
            return Response(status_code=404)
        return Response(f":root {{ --accent: {accent}; }}\n", media_type="text/css",
                        headers={"Cache-Control": "public, max-age=31536000, immutable"})

    async def health(self, request: Request) -> Response:
        return Response("ok", media_type="text/plain")

    async def favicon(self, request: Request) -> Response:
        return Response(status_code=204)


def _quantity(text: str, locale: str) -> str:
    from decimal import Decimal, InvalidOperation

    from babel.numbers import format_decimal

    try:
        return str(format_decimal(Decimal(text), locale=babel_locale(locale)))
    except (InvalidOperation, ValueError):
        return text


def _outcome(page: Page, status: str, method: str, merchant: str) -> tuple[str, str]:
    _ = page._
    if status in ("approved", "settled"):
        if method == "echeck" and status == "approved":
            return (_("Payment has been processed") + ". " + _(
                "Your eCheck payment was accepted. It is pending settlement: the bank takes a few business days."),
                "ok")
        return _("Payment has been processed"), "ok"
    if status == "declined":
        return _("The payment was declined. The card was declined, or the card or bank details were wrong or "
                 "incomplete. Check them and try again, or contact {merchant}.", merchant=merchant), "error"
    if status in ("unknown", "pending"):
        return _("We are still confirming this payment with the bank. Do not pay again; look at this page again in "
                 "a few minutes or contact {merchant}.", merchant=merchant), "warn"
    return _("The payment could not be completed. Nothing was charged. Try again later or contact {merchant}.",
             merchant=merchant), "error"


def create_portal_app(services: Services, config: PortalConfig, *,
                      on_close: Callable[[], Awaitable[None]] | None = None,
                      background: Sequence[Callable[[], Coroutine[Any, Any, None]]] = ()) -> SecurityHeaders:
    """The portal as an ASGI app (served by uvicorn: `payapp portal`, tests/portal). `on_close` runs at the
    server's shut-down (lifespan), in the loop that used the database and the HTTP client; each of `background`
    runs as a task from the server's start to its shut-down (the composition root's periodic payment checks)."""
    portal = Portal(services, config)
    account = AccountPages(portal)
    portal.account = account
    static = StaticFiles(packages=[("payapp.portal", "static")])
    routes = [
        Route("/", portal.home),
        Route("/healthz", portal.health),
        Route("/brand.css", portal.brand_css),
        Route("/favicon.ico", portal.favicon),
        Route("/pay/{token}", portal.pay_page, methods=["GET"]),
        Route("/pay/{token}/review", portal.review, methods=["POST"]),
        Route("/pay/{token}/confirm", portal.confirm, methods=["POST"]),
        Route("/pay/{token}/payment/{payment_id:int}", portal.payment_page, methods=["GET"]),
        Route("/pay/{token}/receipt/{payment_id:int}", portal.receipt, methods=["GET"]),
        *hosted_routes(portal),
        Route("/signin", account.signin_page, methods=["GET"]),
        Route("/signin", account.request_link, methods=["POST"]),
        Route("/signin/{token}", account.signin_link_page, methods=["GET"]),
        Route("/signin/{token}", account.use_link, methods=["POST"]),
        Route("/signout", account.sign_out, methods=["POST"]),
        Route("/account", account.account, methods=["GET"]),
        Route("/account/invoices/{invoice_id:int}/pay", account.pay, methods=["GET"]),
        Route("/account/methods", account.methods, methods=["GET"]),
        Route("/account/methods/{method_id:int}/delete", account.delete_method, methods=["POST"]),
        Mount("/static", static, name="static"),
    ]
    @contextlib.asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        tasks = [asyncio.create_task(job(), name=f"portal background {i}") for i, job in enumerate(background)]
        try:
            yield
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            await account.wait_sent()
            portal.close()
            if on_close is not None:
                await on_close()

    async def server_error(request: Request, exc: Exception) -> Response:
        log.error("portal request failed: %s", type(exc).__name__)
        language = i18n.pick_language(request.headers.get("accept-language", ""),
                                      request.cookies.get(LANGUAGE_COOKIE, ""))
        html = _TEMPLATES[language].get_template("error.html").render(_=i18n.translator(language), lang=language,
                                                            merchant={"name": ""}, switchable=False, keep_query="")
        return HTMLResponse(html, status_code=500)

    app = Starlette(routes=routes, lifespan=lifespan, exception_handlers={500: server_error})
    app.state.portal = portal
    origin: Callable[[], Awaitable[str]] = portal.gateway_origin
    # outermost, around Starlette's own error handling too: the 500 page carries the same headers
    return SecurityHeaders(app, config=config, gateway_origin=origin)
