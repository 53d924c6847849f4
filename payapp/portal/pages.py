"""What the portal's page handlers share: the page of one request (language, session, CSRF token, merchant,
signed-in contact) and the host the signed-in pages (account_pages.py) render through. Kept apart from app.py so
the signed-in pages need not import the app that mounts them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from payapp.domain.errors import PayAppError
from payapp.domain.messages import Message, render

if TYPE_CHECKING:
    from payapp.portal.accounts import PortalUser
    from payapp.portal.security import PortalConfig
    from payapp.portal.store import InvoiceData, PortalStore
    from payapp.services.context import Services


@dataclass
class Page:
    """What every page of one request knows: language, session, CSRF token, merchant."""
    language: str
    locale: str
    session_id: str
    new_session: bool
    csrf: str
    https: bool
    merchant: dict[str, str]
    _: Callable[..., str]
    chosen_language: str = ""       # ?lang= on this request: remembered in a cookie
    switchable: bool = True         # a GET page, which ?lang= can show again in the other language
    keep_query: str = ""            # the page's other query parameters, for the language switch's links
    settings: Mapping[str, Any] = field(default_factory=dict)      # read once per request
    user: PortalUser | None = None  # the signed-in contact (payapp/portal/accounts.py), if any


class PortalHost(Protocol):
    """What the signed-in pages use of the portal (payapp.portal.app.Portal)."""
    services: Services
    config: PortalConfig
    store: PortalStore

    def _page(self, request: Request, values: Mapping[str, Any]) -> Page: ...

    def _render(self, page: Page, template: str, status: int = 200, **values: Any) -> HTMLResponse: ...

    def _date(self, page: Page, value: dt.date | None) -> str: ...

    def not_allowed_to_pay(self, page: Page) -> HTMLResponse: ...

    def _too_many(self, page: Page) -> HTMLResponse: ...


class HostedPortalHost(PortalHost, Protocol):
    """What the hosted-step pages (hosted.py: PayPal, PayEngine's payment page) use of the portal as well."""

    async def _guard(self, request: Request, *, post: bool = False, detail: bool = False,
                     claim: bool = False) -> tuple[Page, Any, Response | None]: ...

    def _closed(self, page: Page, closed: str) -> HTMLResponse: ...

    def _link_not_valid(self, page: Page) -> HTMLResponse: ...

    def _money(self, page: Page, minor: int, currency: str) -> str: ...

    def _invoice_view(self, page: Page, row: InvoiceData) -> dict[str, Any]: ...

    async def _pay_form(self, page: Page, link: Any, token: str, data: InvoiceData | None = None, *,
                        error: str = "", values: dict[str, str] | None = None, status: int = 200) -> HTMLResponse: ...


#: how a saved method is named on the portal's pages
def method_label(page: Page, method: str, brand: str, last_four: str, expiry: str, account_type: str) -> str:
    if method == "echeck":
        kind = page._("Savings") if account_type == "savings" else page._("Checking")
        return f"eCheck · {kind} •••• {last_four}"
    exp = f" · {page._('expires')} {expiry[:2]}/{expiry[2:]}" if len(expiry) == 4 and expiry.isdigit() else ""
    return f"{(brand or 'Card').title() if brand.islower() else brand or 'Card'} •••• {last_four}{exp}"


#: Messages a client may read as they are (what was typed is wrong): the rest speak to the merchant's staff ("enable
#: it in Admin") and are put in the portal's own words below.
CLIENT_MESSAGES = ("amount.", "card.", "bank.", "address.", "ach.", "sepa.")


def message_text(page: Page, message: Message) -> str:
    """A message of the engine (payapp/domain/messages.py) in the visitor's language, from the one catalogue."""
    return render(message, page.language)


def error_text(page: Page, exc: PayAppError) -> str:
    """A ValidationError the portal raised with its own words (already in the visitor's language via page._), or
    one of the engine's carrying a Message: in the visitor's language."""
    return message_text(page, exc.message) if exc.message is not None else exc.user_message


#: the engine's messages a client can meet, by id, put in the portal's own words (the staff's wording names Admin,
#: keys and workstations): another payment in progress, an amount above what is due, online payment unavailable,
#: a saved method gone
_IN_PROGRESS = frozenset({"payment.more_than_balance_held", "refund.still_confirming"})
_OVER_BALANCE = frozenset({"payment.more_than_balance"})
_UNAVAILABLE = frozenset({"payment.type_not_enabled", "payment.type_not_in_portal", "payment_result.key_refused"})
_UNAVAILABLE_AREAS = ("processing.", "gateways.", "key.", "secrets.")
_METHOD_GONE_AREAS = ("payment.saved_method", "saved_method.")


def engine_message(page: Page, message: str | Message) -> str:
    """The engine's words for the visitor: a Message a client may read (CLIENT_MESSAGES) in the visitor's language,
    one of the others a client can meet in the portal's own words (by its id), any other in general words on a
    German page (the staff's English on an English one); a gateway's own text as it is on an English page."""
    if isinstance(message, Message):
        found = message.id
        if found.startswith(CLIENT_MESSAGES):
            return message_text(page, message)
        if found in _IN_PROGRESS:
            return page._("Another payment on this invoice is being processed right now. Open the invoice again in "
                          "a minute to see what is left to pay.")
        if found in _OVER_BALANCE:
            return page._("The amount is more than the amount due.")
        if found in _UNAVAILABLE or found.startswith(_UNAVAILABLE_AREAS):
            return page._("Online payment is not available for this invoice at the moment. Contact {merchant}.",
                          merchant=page.merchant["name"])
        if found.startswith(_METHOD_GONE_AREAS):
            return page._("This saved payment method is no longer available. Choose another one.")
        message = message.english()
    if page.language == "de":
        return page._("The card or bank details could not be checked. Check them and try again.")
    return message
