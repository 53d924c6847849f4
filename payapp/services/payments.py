"""Taking, resolving, voiding and refunding payments: the engine that never charges twice.

The rules (docs/architecture.md, "A payment, end to end" and "Payments: the state machine"):

1. Before any call to the gateway, the payment row is committed as `pending` with a unique order id
   (the idempotency key), inside a transaction that locks the invoice row (SQLite: BEGIN IMMEDIATE;
   PostgreSQL: SELECT ... FOR UPDATE). The amount is checked against the invoice balance *minus every
   undecided (pending/unknown) payment of that invoice*, so two workstations paying at once cannot
   overpay.
2. The gateway call carries that order id and is never repeated. Any answer whose outcome cannot be
   known (timeout, dropped connection, HTTP error, unreadable body, response codes 420/421) makes the
   payment `unknown`, and it is resolved only by looking the order id up at the gateway: a few quick tries
   inside `take_payment`, then `reconcile_undecided` (at start-up and periodically) with backoff
   (`next_check_at`). Answers that say nothing was processed are decided at once: a rate limit (301 or
   HTTP 429: "try again shortly"), and a "Duplicate transaction" rejection (the gateway's check of the same
   card or account and amount within its window) once a look-up shows the gateway has nothing under our
   order id. A payment the user confirmed as a deliberate duplicate is sent with `dup_seconds=0`.
   Charges that save a card, and charges of a saved card, carry the stored-credential fields.
3. "No match" rule, on one clock (issue #12.1): each pending row carries a send deadline written from the
   database's clock (PostgreSQL: the server's `clock_timestamp()`; SQLite: its one computer's) plus the
   send window. A workstation never sends after that deadline: a send more than a moment after the insert
   re-checks it on the database first. A look-up that finds no transaction for the order id leaves the
   payment undecided until the deadline is past by `UNMATCHED_GRACE` (a request that reached the gateway
   shows up in its look-ups within seconds); after that, no match means the request never reached the
   gateway: the payment becomes `error` and nothing was charged. A request that certainly never left
   this computer (connection refused / connect timeout) is `error` at once. A failed look-up
   (gateway down, `<error_response>`) is never "no match". Should the gateway approve a payment PayApp
   closed as `error` all the same (a workstation held between its check and its send), the approval is
   recorded, never dropped: approved, `approved_late`, an alert for a person, the invoice balance following;
   reconciliation looks such recently closed payments up again. Voids and refunds follow the same rules.
4. Every decision is recorded in one transaction with everything that follows from it: the invoice's
   paid/balance/status, the saved method, the audit entry and the outbox jobs for accounting and the
   PSA. Recording is idempotent: a payment already decided (by another workstation's reconcile) is
   left as it is.
5. Voids and refunds follow the same pattern, each with its own `Refund` row and order id.

Taking a payment is two short transactions around the gateway call, each one hop to a worker thread (SQLite)
or one run on the async connection (PostgreSQL), written in SQL Core rather than the ORM: the first reads the
settings (is processing active?), locks the invoice and commits the pending row; the second records the
outcome with everything that follows from it. The keyring is not read per payment: the settings service
keeps this workstation's key in memory while its fingerprint is the one the database names.

Outbox job kinds written here (payloads are JSON):
`accounting.push_payment` {"payment_id"}, `psa.mark_invoice_paid` {"invoice_id", "paid_date"},
`accounting.void_payment` {"payment_id"}, `accounting.refund_payment` {"payment_id", "refund_id",
"amount_minor"}, `accounting.reverse_returned_payment` {"payment_id"}. An invoice re-opened by a void,
refund or return does not queue anything for the PSA (Autotask cannot un-pay an invoice through its
API); the invoice view shows it as open again.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import logging
import re
import secrets
import time
import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal, InvalidOperation
from typing import Any, TypeVar, cast

from sqlalchemy import Connection, CursorResult, Engine, Insert, bindparam, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from payapp.connectors.gateways.port import (
    AchAccount,
    Billing,
    BrowserToken,
    Capability,
    CardDetails,
    GatewayAnswer,
    GatewayTransaction,
    HostedPaymentGateway,
    HostedStep,
    LookupFailed,
    PaymentGateway,
    SepaAccount,
    StoredCredential,
)
from payapp.domain import ach, sepa, validation
from payapp.domain.card_checks import cvv_mismatch
from payapp.domain.errors import ConflictError, NotFound, PayAppError, PermissionDenied, ValidationError
from payapp.domain.gateways import GatewaySpec
from payapp.domain.money import Money, decimal_to_minor, format_money, minor_digits
from payapp.domain.outbox_jobs import JobKind
from payapp.domain.payment_state import (
    UNDECIDED,
    InvoiceStatus,
    PaymentStatus,
    after_reversal,
    invoice_status,
    transition,
)
from payapp.domain.roles import Permission, Role
from payapp.domain.validation import clean_typed_text
from payapp.models import (
    AchAuthorization,
    AuditEvent,
    Contact,
    Invoice,
    OutboxJob,
    Payment,
    PortalMethodOwner,
    Refund,
    SavedPaymentMethod,
    SepaMandate,
)
from payapp.models.db import Database, make_sync_engine
from payapp.services import audit
from payapp.services.auth import SYSTEM, Actor, CurrentUser
from payapp.services.gateways import GatewayProvider
from payapp.services.saved_methods import SavedMethodService, SavedMethodView
from payapp.services.settings import (
    REFUSE_CVV_KEY,
    LocalKey,
    SettingsService,
    current_gateway,
    evaluate_processing,
    primary_fingerprint,
    read_settings,
)

S = PaymentStatus
_LOG = logging.getLogger(__name__)

# Defaults of the timings the composition root passes in (payapp.config.Tuning, PAYAPP_* variables).
UNMATCHED_GRACE = dt.timedelta(minutes=5)
SEND_WINDOW = dt.timedelta(seconds=60)
QUICK_LOOKUP_DELAYS: tuple[float, ...] = (0.2, 0.6, 1.5)
#: A send this soon after the pending row was written (by this process's monotonic and wall clocks, the larger)
#: goes without asking the database again; later ones re-check the deadline on the database's clock first.
FAST_SEND = 1.0
#: How far back a reconciliation looks for payments it closed as `error` that the gateway may still approve.
LATE_APPROVAL_WATCH = dt.timedelta(hours=24)
LATE_APPROVAL_WATCH_PERIODIC = dt.timedelta(hours=1)
APPROVED_LATE_ALERT = ("The gateway approved this payment after PayApp had marked it failed. Check whether the "
                       "customer paid again, and refund one of the payments if so.")
RECHECK_BACKOFF = (dt.timedelta(minutes=1), dt.timedelta(minutes=2), dt.timedelta(minutes=5),
                   dt.timedelta(minutes=15), dt.timedelta(hours=1))
DUPLICATE_WINDOW = dt.timedelta(hours=24)
DUPLICATE_STATUSES = (S.APPROVED, S.SETTLED, S.PENDING, S.UNKNOWN, S.PARTIALLY_REFUNDED)
RETURN_WATCH = dt.timedelta(days=60)        # how long after settlement an eCheck is watched for returns
REFUND_UNDECIDED = ("pending", "unknown")
#: The gateway declines every sale below 1.00 of the currency (docs/protocols.md §1), so the engine refuses such
#: an amount itself, before any row is written or anything is sent.
GATEWAY_MINIMUM_MAJOR = 1


def gateway_minimum_minor(currency: str) -> int:
    """The smallest amount the gateway takes, in minor units of `currency` (1.00 USD = 100)."""
    scale: int = 10 ** minor_digits(currency)       # int ** int is typed Any (a negative power is a float)
    return GATEWAY_MINIMUM_MAJOR * scale

Checkpoint = Callable[[str], Awaitable[None]]


# ---------------------------------------------------------------------------------- inputs / outputs

def _clean_text_fields(obj: object, names: tuple[str, ...]) -> None:
    """Names and addresses as typed, without NUL, control characters or lone surrogates (stored, and sent to the
    gateway). Card and account numbers are not cleaned: validation refuses them as typed."""
    for name in names:
        object.__setattr__(obj, name, clean_typed_text(getattr(obj, name)))


def _masked(value: str) -> str:
    return f"…{value[-4:]}" if len(value) >= 4 else "…"


@dataclass(frozen=True)
class NewCard:
    number: str = field(repr=False)
    expiry_mmyy: str = field(repr=False)
    cvv: str = field(repr=False)
    first_name: str = ""
    last_name: str = ""
    address1: str = ""
    city: str = ""
    state: str = ""
    zip: str = ""
    country: str = "US"

    def __post_init__(self) -> None:
        _clean_text_fields(self, ("first_name", "last_name", "address1", "city", "state", "zip", "country"))

    def __repr__(self) -> str:
        return f"NewCard(number='{_masked(self.number)}', name={self.first_name!r} {self.last_name!r})"

    __str__ = __repr__


@dataclass(frozen=True)
class NewBankAccount:
    holder_type: str                     # personal | business
    account_type: str                    # checking | savings
    name: str
    routing_number: str = field(repr=False)
    account_number: str = field(repr=False)
    company: str = ""
    address1: str = ""
    city: str = ""
    state: str = ""
    zip: str = ""
    country: str = "US"
    #: the ACH debit authorization wording the customer was shown and agreed to (payapp.domain.ach); required,
    #: kept with the payment with its version
    authorization_text: str = ""
    wording_version: str = ach.WORDING_VERSION

    def __post_init__(self) -> None:
        _clean_text_fields(self, ("name", "company", "address1", "city", "state", "zip", "country"))

    def __repr__(self) -> str:
        return (f"NewBankAccount(name={self.name!r}, account='{_masked(self.account_number)}', "
                f"type={self.account_type!r})")

    __str__ = __repr__


@dataclass(frozen=True)
class NewSepaAccount:
    """An IBAN to debit by SEPA direct debit (euro only), typed in the back office with the debtor's agreement."""

    holder: str
    iban: str = field(repr=False)
    bic: str = ""
    address1: str = ""
    city: str = ""
    zip: str = ""
    country: str = ""
    #: the SEPA mandate wording the debtor was shown and agreed to (payapp.domain.sepa.mandate_text); required, kept
    #: with the payment with its version, the mandate reference and date
    mandate_text: str = ""
    mandate_reference: str = ""          # "" = PayApp makes one (unique per payment)
    wording_version: str = sepa.WORDING_VERSION

    def __post_init__(self) -> None:
        _clean_text_fields(self, ("holder", "address1", "city", "zip", "country"))

    def __repr__(self) -> str:
        return f"NewSepaAccount(holder={self.holder!r}, iban='{_masked(str(self.iban))}')"

    __str__ = __repr__


@dataclass(frozen=True)
class SavedMethodRef:
    saved_method_id: int
    #: a saved eCheck account: the ACH debit authorization for this debit (as NewBankAccount's)
    authorization_text: str = ""
    wording_version: str = ach.WORDING_VERSION


#: A payment token as the gateway's Collect.js makes them: letters, digits, "-" and "_" (NMI's look like
#: "3455zJms-7qA2K2-VdVrSu-Rv7WpvPuG7s8").
_TOKEN_SHAPE = re.compile(r"[A-Za-z0-9_-]{8,128}")
_COLLECT_BRANDS = {"visa": "Visa", "mastercard": "Mastercard", "amex": "Amex", "discover": "Discover",
                   "diners": "Diners", "jcb": "JCB"}
_EXPIRY_SHAPE = re.compile(r"(0[1-9]|1[0-2])[0-9]{2}")


def _last_four(masked: str) -> str:
    """The last four digits of a masked number as Collect.js reports it ("411111******1111", "****3815")."""
    digits = "".join(ch for ch in str(masked) if ch.isascii() and ch.isdigit())
    return digits[-4:]


@dataclass(frozen=True)
class TokenizedPayment:
    """Card or bank data tokenized in the browser by the gateway's Collect.js (the client portal): PayApp's server
    never sees the numbers, only the single-use `payment_token` and what Collect.js's callback reported, masked."""

    token: str = field(repr=False)       # single-use payment_token; never logged or stored
    kind: str                            # card | echeck
    first_name: str = ""
    last_name: str = ""
    company: str = ""
    address1: str = ""
    city: str = ""
    state: str = ""
    zip: str = ""
    country: str = "US"
    email: str = ""
    # what Collect.js's callback reported (masked): card brand/last four/expiry; check name/account last four
    brand: str = ""
    last_four: str = ""
    expiry_mmyy: str = ""
    holder_type: str = ""                # eCheck: personal | business
    account_type: str = ""               # eCheck: checking | savings
    holder_name: str = ""                # eCheck: the name on the account
    #: eCheck: the ACH debit authorization wording the customer agreed to (SEC code WEB: authorised on the web)
    authorization_text: str = ""
    wording_version: str = ach.WORDING_VERSION

    def __post_init__(self) -> None:
        _clean_text_fields(self, ("first_name", "last_name", "company", "address1", "city", "state", "zip",
                                  "country", "email", "brand", "holder_name"))

    def __repr__(self) -> str:
        return f"TokenizedPayment(kind={self.kind!r}, last_four={_last_four(self.last_four)!r}, token='***')"

    __str__ = __repr__


@dataclass(frozen=True)
class HostedMethod:
    """The payer pays on the gateway's own page (PayPal Express Checkout, PayEngine's hosted card page): PayApp sees
    no card or account details. `kind` is the payment type ("paypal", "card"); `product` the gateway's name of it;
    `urls(order_id)` gives the (success, failure, cancel) addresses the gateway sends the payer back to, each naming
    the payment's order id."""

    kind: str
    urls: Callable[[str], tuple[str, str, str]] = field(repr=False)
    product: str = ""


PaymentMethod = NewCard | NewBankAccount | NewSepaAccount | SavedMethodRef | TokenizedPayment | HostedMethod

#: where a payment was taken: staff in the desktop app, or the client on the client portal
SOURCES = ("back_office", "client_portal")


@dataclass(frozen=True)
class PaymentRequest:
    invoice_id: int
    amount_minor: int
    method: PaymentMethod
    save_method: bool = False
    contact_id: int | None = None       # the contact who paid (the portal: the link's contact)
    source: str = "back_office"         # back_office | client_portal (its own payment types apply)
    #: the client portal's signed-in contact: a method saved now is theirs alone, and a saved method another
    #: portal user saved is refused (None: a payment link's visitor, who may use only methods nobody owns)
    portal_user_id: int | None = None


@dataclass(frozen=True)
class PaymentResult:
    status: str                 # PaymentStatus value: approved | declined | error | unknown (pending never)
    payment_id: int
    transaction_id: str
    message: str                # plain words for a banner, with what to do next
    order_id: str
    amount_minor: int
    currency: str
    avs_result: str = ""        # the gateway's AVS and CVV result codes (payapp.domain.card_checks: in words)
    cvv_result: str = ""
    method: str = ""            # card | echeck | sepa | paypal
    #: a hosted step started (status pending): send the payer here; they come back to `finish_hosted_payment`
    redirect_url: str = field(default="", repr=False)

    @property
    def approved(self) -> bool:
        return self.status == S.APPROVED

    @property
    def pending_settlement(self) -> bool:
        """An approved eCheck or SEPA debit: accepted, but not money in the bank until it settles (the bank can
        return it)."""
        return self.status == S.APPROVED and self.method in BANK_DEBITS


class DuplicateWarning(PayAppError):
    """The same amount was paid (or is being paid) on this invoice in the last 24 hours. Ask the user;
    call again with `confirm_duplicate=True` to go ahead."""

    def __init__(self, user_message: str, *, previous_payment_id: int, previous_at: dt.datetime) -> None:
        super().__init__(user_message)
        self.previous_payment_id = previous_payment_id
        self.previous_at = previous_at


@dataclass(frozen=True)
class RefundResult:
    status: str                 # approved | declined | error | unknown
    refund_id: int
    payment_id: int
    kind: str                   # void | refund
    amount_minor: int
    currency: str
    payment_status: str
    message: str

    @property
    def approved(self) -> bool:
        return self.status == "approved"


@dataclass(frozen=True)
class SettlementReport:
    checked: int = 0
    settled: int = 0
    returned: int = 0


@dataclass(frozen=True)
class PaymentView:
    id: int
    order_id: str
    invoice_id: int
    status: str
    amount_minor: int
    refunded_minor: int
    currency: str
    method: str
    brand: str
    last_four: str
    transaction_id: str
    response_text: str
    created_at: dt.datetime
    created_by_name: str
    decided_at: dt.datetime | None
    settled_at: dt.datetime | None
    accounting_sync_state: str


@dataclass(frozen=True)
class _Decision:
    outcome: str                # approved | declined | error | unknown
    transaction_id: str = ""
    auth_code: str = ""
    response_code: str = ""
    message: str = ""
    avs: str = ""
    cvv: str = ""
    vault_id: str = ""
    rate_limited: bool = False  # the gateway refused it unprocessed (301 / HTTP 429): try again shortly
    duplicate: bool = False     # the gateway's duplicate check refused it, and it has no such order: not charged


RATE_LIMITED_TEXT = "Rate limit exceeded"
#: bank debits: accepted first, settled days later, and returnable by the debtor's bank
BANK_DEBITS = ("echeck", "sepa")
#: payments the payer's side can take back after PayApp recorded them: bank debits (returns) and PayPal (a reversal
#: after a dispute or chargeback, or a pending eCheck through PayPal that PayPal denies)
RETURNABLE = (*BANK_DEBITS, "paypal")
METHOD_LABELS = {"card": "Credit card", "echeck": "eCheck", "sepa": "SEPA direct debit", "paypal": "PayPal"}
#: how long a payer may stay on the gateway's own page (PayPal's checkout token lives three hours): the pending row's
#: send deadline until the payer comes back; then the usual send window applies to the call that takes the money
HOSTED_WINDOW = dt.timedelta(hours=3)
#: How far back a lost refund's action may be dated before its Refund row was written (clocks differ).
REFUND_CLOCK_SLACK = dt.timedelta(minutes=2)


@dataclass(frozen=True)
class _Prepared:
    kind: str                   # card | echeck | sepa | saved
    payment: CardDetails | AchAccount | SepaAccount | BrowserToken | None
    billing: Billing | None
    brand: str = ""
    last_four: str = ""
    expiry: str = ""
    account_type: str = ""
    holder_type: str = ""
    holder_name: str = ""


def _new_id(result: CursorResult[Any]) -> int:
    """The id an INSERT gave its row (SQLAlchemy types `inserted_primary_key` as optional: other statements have
    none)."""
    key = result.inserted_primary_key
    if key is None:
        raise RuntimeError("the INSERT returned no primary key")
    new_id: int = key[0]
    return new_id


def _audit(s: Session | AsyncSession, actor: Actor, action: str, **kw: Any) -> None:
    # audit.record only adds a row to the session, so a synchronous Session serves as well
    audit.record(cast(AsyncSession, s), actor, action, **kw)


def _decision(r: GatewayAnswer) -> _Decision:
    return _Decision(r.outcome, r.transaction_id, r.auth_code, r.response_code, r.message or (
        RATE_LIMITED_TEXT if r.rate_limited else ""), r.avs, r.cvv, r.vault_id, rate_limited=r.rate_limited)


def _to_minor(amount: str, currency: str) -> int | None:
    try:
        return decimal_to_minor(Decimal(amount), currency)
    except (InvalidOperation, ValueError):
        return None


def _sale_decision(txs: Sequence[GatewayTransaction]) -> _Decision | None:
    """What a look-up by our order id says about a sale, or None for "nothing decided there"."""
    for t in txs:
        sale = t.action("sale")
        if sale is not None:
            return _Decision("approved", t.transaction_id, t.auth_code, sale.code or "100",
                             sale.text or "SUCCESS", vault_id=t.vault_id)
    for t in txs:
        failed = t.failed_action("sale")
        if failed is not None or t.state == "failed":
            text = failed.text if failed else "Declined"
            code = failed.code if failed else ""
            return _Decision("declined", t.transaction_id, "", code, text)
    return None


class _GatewaySet:
    """The adapters one run needs, by gateway name, each built once: a payment is looked up, voided and refunded
    through the gateway that took it (`payments.gateway`), whichever gateway is chosen now."""

    def __init__(self, provider: GatewayProvider, *known: PaymentGateway) -> None:
        self._provider = provider
        self._built: dict[str, PaymentGateway] = {g.name: g for g in known}

    async def get(self, name: str) -> PaymentGateway:
        gw = self._built.get(name)
        if gw is None:
            gw = self._built[name] = await self._provider.for_gateway(name)
        return gw


T = TypeVar("T")

# Tables and statements of the two hot transactions, built once (SQL Core: no identity map, no flush).
_PAYMENTS = Payment.__table__
_INVOICES = Invoice.__table__
_METHODS = SavedPaymentMethod.__table__
_AUDIT_EVENTS = AuditEvent.__table__
_OUTBOX = OutboxJob.__table__
_P, _I, _M = _PAYMENTS.c, _INVOICES.c, _METHODS.c

_CONTACT_COMPANY = select(Contact.__table__.c.company_id).where(Contact.__table__.c.id == bindparam("contact_id"))
_LOCK_INVOICE = (select(_I.id, _I.company_id, _I.company_name, _I.invoice_number, _I.currency, _I.balance_minor,
                        _I.status, _I.is_voided)
                 .where(_I.id == bindparam("invoice_id")).with_for_update())
_SAVED_METHOD = (select(_M.id, _M.company_id, _M.is_active, _M.method, _M.vault_id, _M.brand, _M.last_four,
                        _M.expiry, _M.account_type, _M.initial_transaction_id, _M.account_holder_type,
                        _M.holder_name, _M.gateway)
                 .where(_M.id == bindparam("method_id")))
_METHOD_OWNER = (select(PortalMethodOwner.__table__.c.contact_id)
                 .where(PortalMethodOwner.__table__.c.saved_method_id == bindparam("method_id")))
_INSERT_METHOD_OWNER = insert(PortalMethodOwner.__table__)
# One read of an invoice's undecided and recent payments serves the balance and the duplicate checks.
_RECENT_PAYMENTS = (select(_P.id, _P.status, _P.amount_minor, _P.created_at, _P.created_by_name)
                    .where(_P.invoice_id == bindparam("invoice_id"),
                           _P.status.in_(sorted(UNDECIDED)) | (_P.created_at >= bindparam("since")))
                    .order_by(_P.created_at.desc()))
# The payment and its invoice, both locked (PostgreSQL: FOR UPDATE of both rows), in one round trip.
_LOCK_PAYMENT_AND_INVOICE = (
    select(_P.id, _P.order_id, _P.invoice_id, _P.status, _P.amount_minor, _P.currency, _P.method, _P.last_four,
           _P.transaction_id, _P.response_text, _P.saved_method_id, _P.reconcile_attempts, _P.approved_late,
           _I.total_minor, _I.paid_minor, _I.balance_minor, _I.is_voided)
    .select_from(_PAYMENTS.join(_INVOICES, _I.id == _P.invoice_id))
    .where(_P.id == bindparam("payment_id")).with_for_update())
_LOCK_SAVED_METHOD = (select(_M.id, _M.company_id, _M.method, _M.last_four, _M.is_active, _M.last_used_at)
                      .where(_M.id == bindparam("method_id")).with_for_update())
# UPDATEs whose SET clause is the parameters given at execution; the row is named by `row_id`.
_UPDATE_PAYMENT = update(_PAYMENTS).where(_P.id == bindparam("row_id"))
_UPDATE_INVOICE = update(_INVOICES).where(_I.id == bindparam("row_id"))
_UPDATE_METHOD = update(_METHODS).where(_M.id == bindparam("row_id"))
_INSERT_PAYMENT = insert(_PAYMENTS)
_INSERT_METHOD = insert(_METHODS)
_INSERT_ACH_AUTH = insert(AchAuthorization.__table__)
_INSERT_SEPA_MANDATE = insert(SepaMandate.__table__)
_INSERT_AUDIT_EVENT = insert(_AUDIT_EVENTS)
_INSERT_OUTBOX_JOB = insert(_OUTBOX)


def _insert_rows(conn: Connection, statement: Insert, rows: list[dict[str, Any]]) -> None:
    """Insert `rows` (all with the same keys): one plain execute for one row, executemany for more."""
    if len(rows) == 1:
        conn.execute(statement, rows[0])
    elif rows:
        conn.execute(statement, rows)


class _StaleKey(Exception):
    """The cached gateway key does not match the database's fingerprint (or is another gateway's): read the
    keyring for `gateway` and try again."""

    def __init__(self, gateway: GatewaySpec) -> None:
        super().__init__(gateway.name)
        self.gateway = gateway


@dataclass(frozen=True)
class _Opened:
    payment_id: int
    order_id: str
    currency: str
    invoice_number: str
    gateway: PaymentGateway
    save_as: str | None
    vault_id: str
    started_mono: float          # time.monotonic()/time.time() taken before the row was written
    started_wall: float
    refuse_cvv_mismatch: bool = False
    kind: str = ""                       # card | echeck
    initial_transaction_id: str = ""     # saved cards: the charge that saved them
    sec_code: str = ""                   # eChecks: the ACH authorization's SEC code
    sepa_mandate: SepaAccount | None = None  # SEPA: the account with the mandate reference and date to send


@dataclass
class _PaymentFacts:
    """What a payment's message and result need (a Core row, updated as the decision is recorded)."""
    id: int
    order_id: str
    status: str
    amount_minor: int
    currency: str
    method: str
    transaction_id: str
    response_text: str
    approved_late: bool = False


class _UnitOfWork:
    """Runs a synchronous function with a Connection inside one locking transaction.

    SQLite: in a worker thread on a pysqlite engine whose transactions BEGIN IMMEDIATE, so the whole
    check-then-write is one hop off the event loop instead of one per statement (aiosqlite). PostgreSQL:
    on the app's async engine through `AsyncConnection.run_sync`; rows are locked with SELECT ... FOR UPDATE."""

    def __init__(self, db: Database) -> None:
        self._db = db
        self._engine: Engine | None = make_sync_engine(db.url, immediate=True) if db.is_sqlite else None

    async def run(self, fn: Callable[[Connection], T]) -> T:
        engine = self._engine
        if engine is not None:

            def work() -> T:
                with engine.begin() as conn:
                    return fn(conn)

            return await asyncio.to_thread(work)
        async with self._db.locking_engine.begin() as conn:
            return await conn.run_sync(fn)

    def close(self) -> None:
        if self._engine is not None:
            self._engine.dispose()


class PaymentService:
    def __init__(self, db: Database, gateways: GatewayProvider, settings: SettingsService, current: CurrentUser, *,
                 clock: Callable[[], dt.datetime] | None = None, checkpoint: Checkpoint | None = None,
                 lookup_delays: Sequence[float] = QUICK_LOOKUP_DELAYS, send_window: dt.timedelta = SEND_WINDOW,
                 unmatched_grace: dt.timedelta = UNMATCHED_GRACE,
                 recheck_backoff: Sequence[dt.timedelta] = RECHECK_BACKOFF) -> None:
        self._db = db
        self._gateways = gateways
        self._settings = settings
        self._current = current
        self._clock = clock or (lambda: dt.datetime.now(dt.UTC))
        self._checkpoint = checkpoint
        self._lookup_delays = tuple(lookup_delays)
        self._send_window = send_window
        self._grace = unmatched_grace
        self._backoff = tuple(recheck_backoff) or RECHECK_BACKOFF
        self._uow = _UnitOfWork(db)

    def close(self) -> None:
        """Release the SQLite worker connections (the async engine is the Database's)."""
        self._uow.close()

    def _now(self) -> dt.datetime:
        return self._clock()

    def _db_now(self, conn: Connection) -> dt.datetime:
        """The one clock that send deadlines are written and judged by: the database server's on PostgreSQL
        (every workstation asks the same server); on SQLite, whose file lives with one computer, that
        computer's clock."""
        if self._db.is_sqlite:
            return self._now()
        value = conn.execute(select(func.clock_timestamp())).scalar_one()
        return cast(dt.datetime, value).astimezone(dt.UTC)

    async def _db_now_async(self) -> dt.datetime:
        if self._db.is_sqlite:
            return self._now()
        async with self._db.sessions() as s:
            value = await s.scalar(select(func.clock_timestamp()))
        return cast(dt.datetime, value).astimezone(dt.UTC)

    async def _point(self, name: str) -> None:
        if self._checkpoint is not None:
            await self._checkpoint(name)

    # ------------------------------------------------------------------------------ take a payment

    def _prepare(self, method: PaymentMethod, *, portal: bool = False) -> _Prepared:
        if isinstance(method, NewCard):
            number = validation.check_card_number(method.number)
            brand = validation.card_brand(number)
            expiry = validation.check_expiry(method.expiry_mmyy, today=self._now().date())
            cvv = validation.check_cvv(method.cvv, brand)
            billing = Billing(first_name=method.first_name, last_name=method.last_name, address1=method.address1,
                              city=method.city, state=method.state, zip=method.zip, country=method.country)
            return _Prepared("card", CardDetails(number, expiry.mmyy(), cvv), billing, brand, number[-4:],
                             expiry.mmyy(), holder_name=f"{method.first_name} {method.last_name}".strip())
        if isinstance(method, NewBankAccount):
            routing = validation.check_routing_number(method.routing_number)
            account = validation.check_account_number(method.account_number)
            if method.holder_type not in ("personal", "business"):
                raise ValidationError("Choose personal or business.", field="holder_type")
            if method.account_type not in ("checking", "savings"):
                raise ValidationError("Choose checking or savings.", field="account_type")
            if not method.name.strip():
                raise ValidationError("Enter the name on the account.", field="name")
            billing = Billing(company=method.company, address1=method.address1, city=method.city,
                              state=method.state, zip=method.zip, country=method.country)
            return _Prepared("echeck", AchAccount(method.name.strip(), routing, account, method.holder_type,
                                                  method.account_type), billing, "eCheck", account[-4:],
                             account_type=method.account_type, holder_type=method.holder_type,
                             holder_name=method.name.strip())
        if isinstance(method, NewSepaAccount):
            iban = sepa.check_iban(method.iban)
            bic = sepa.check_bic(method.bic)
            if not method.holder.strip():
                raise ValidationError("Enter the name of the account holder.", field="holder")
            if method.mandate_reference:
                sepa.check_reference(method.mandate_reference)
            billing = Billing(address1=method.address1, city=method.city, zip=method.zip,
                              country=method.country or iban[:2])
            return _Prepared("sepa", SepaAccount(method.holder.strip(), iban, bic), billing, "SEPA", iban[-4:],
                             holder_name=method.holder.strip())
        if isinstance(method, TokenizedPayment):
            return self._prepare_token(method, portal)
        if isinstance(method, HostedMethod):
            if method.kind not in METHOD_LABELS:
                raise ValidationError("Choose a payment method.", field="method")
            return _Prepared(method.kind, None, None, brand=METHOD_LABELS[method.kind][:20])
        return _Prepared("saved", None, None)

    @staticmethod
    def _prepare_token(method: TokenizedPayment, portal: bool) -> _Prepared:
        token = method.token if isinstance(method.token, str) else ""
        if not _TOKEN_SHAPE.fullmatch(token):
            # the browser's token is missing or mangled: the form must tokenize the details again
            raise ValidationError("The payment details could not be read. Enter them again.", field="payment_token")
        last_four = _last_four(method.last_four)
        billing = Billing(first_name=method.first_name, last_name=method.last_name, company=method.company,
                          address1=method.address1, city=method.city, state=method.state, zip=method.zip,
                          country=method.country, email=method.email)
        if method.kind == "card":
            expiry = method.expiry_mmyy if _EXPIRY_SHAPE.fullmatch(method.expiry_mmyy or "") else ""
            brand = (method.brand or "").strip()
            # Collect.js's card.type ("visa", "amex", ...) as the rest of PayApp names brands (domain.validation)
            brand = "" if brand.lower() == "unknown" else _COLLECT_BRANDS.get(brand.lower(), brand.capitalize())[:20]
            return _Prepared("card", BrowserToken(token, "card"), billing, brand, last_four, expiry,
                             holder_name=f"{method.first_name} {method.last_name}".strip())
        if method.kind == "echeck":
            if method.holder_type not in ("personal", "business"):
                raise ValidationError("Choose personal or business.", field="holder_type")
            if method.account_type not in ("checking", "savings"):
                raise ValidationError("Choose checking or savings.", field="account_type")
            name = (method.holder_name or f"{method.first_name} {method.last_name}").strip()
            if not name:
                raise ValidationError("Enter the name on the account.", field="name")
            # the client authorised the debit on the portal (WEB; a business account CCD); staff enter what the
            # customer authorised (PPD/CCD)
            sec = ach.sec_code(method.holder_type, online=portal)
            return _Prepared("echeck", BrowserToken(token, "echeck", method.holder_type, method.account_type, sec),
                             billing, "eCheck", last_four, account_type=method.account_type,
                             holder_type=method.holder_type, holder_name=name)
        raise ValidationError("Choose a card or a bank account.", field="method")

    async def take_payment(self, request: PaymentRequest, *, confirm_duplicate: bool = False) -> PaymentResult:
        actor = self._current.require(Permission.TAKE_PAYMENT)
        if request.source not in SOURCES:
            raise ValidationError("Unknown payment source.", field="source")
        portal = request.source == "client_portal"
        if actor.role == Role.PORTAL and not portal:
            raise PermissionDenied("The client portal takes client portal payments only.")
        if portal and not isinstance(request.method, TokenizedPayment | SavedMethodRef | HostedMethod):
            # card and bank numbers never reach PayApp's server from the portal: the gateway's Collect.js takes them
            raise ValidationError("The client portal takes tokenized or saved payment methods only.",
                                  field="method")
        if isinstance(request.method, HostedMethod):
            await self._close_unfinished_hosted(request.invoice_id)
        # Card/account checks need no database; their verdict is given in its usual place below (after
        # "is processing active?"), so the answer to a bad request does not depend on where it was found.
        prepared: _Prepared | None = None
        invalid: ValidationError | None = None
        try:
            prepared = self._prepare(request.method, portal=portal)
        except ValidationError as exc:
            invalid = exc
        local_keys = self._settings.local_key
        cached = local_keys.peek()
        key = cached if cached is not None else await local_keys.read()
        now = self._now()

        def open_payment(conn: Connection, key: LocalKey, key_is_fresh: bool) -> _Opened:
            # Settings are read here, under the lock, once per payment: processing status, currency,
            # payment types and the gateway address all come from this one read.
            values = read_settings(conn)
            spec = current_gateway(values)
            if spec is not None and (key.name != spec.primary.name or set(key.extras) != set(spec.server_extras)):
                raise _StaleKey(spec)            # another gateway's key is cached: read this one's
            status = evaluate_processing(values, key.fingerprint)
            if not status.active:
                stored = primary_fingerprint(values, spec)
                if spec is not None and stored and stored != key.fingerprint and not key_is_fresh:
                    raise _StaleKey(spec)
                raise PayAppError(status.reason)
            if not isinstance(request.amount_minor, int) or request.amount_minor <= 0:
                raise ValidationError("Enter an amount above zero.", field="amount")
            minimum = gateway_minimum_minor(status.currency)
            if request.amount_minor < minimum:
                raise ValidationError(f"The gateway takes payments of {format_money(minimum, status.currency)} "
                                      "or more.", field="amount")
            if invalid is not None:
                raise invalid
            assert prepared is not None
            gateway = self._gateways.build(values, key)
            inv = conn.execute(_LOCK_INVOICE, {"invoice_id": request.invoice_id}).first()
            if inv is None:
                raise NotFound("This invoice no longer exists.")
            if inv.is_voided or inv.status == InvoiceStatus.VOIDED:
                raise ConflictError("This invoice was voided; it cannot be paid.")
            if inv.currency != status.currency:
                raise ValidationError(f"This invoice is in {inv.currency}, but payments are taken in "
                                      f"{status.currency}.", field="amount")
            if request.contact_id is not None:
                contact_company = conn.execute(_CONTACT_COMPANY, {"contact_id": request.contact_id}).scalar()
                if contact_company != inv.company_id:
                    raise ValidationError("This contact does not belong to the invoice's company.", field="contact")
            saved = None
            kind, vault_id, initial_transaction_id = prepared.kind, "", ""
            if isinstance(request.method, SavedMethodRef):
                saved = conn.execute(_SAVED_METHOD, {"method_id": request.method.saved_method_id}).first()
                if saved is None or not saved.is_active:
                    raise NotFound("This saved payment method was deleted. Choose another one.")
                if saved.company_id != inv.company_id:
                    raise ValidationError("This saved payment method belongs to another company.", field="method")
                if saved.gateway != gateway.name:
                    # its token lives in another gateway's vault: the chosen gateway cannot charge it
                    raise ValidationError("This saved payment method is kept by another gateway than the one "
                                          "payments now go through. Enter the card or account again.",
                                          field="method")
                if portal:
                    owner = conn.execute(_METHOD_OWNER, {"method_id": saved.id}).scalar()
                    if owner is not None and owner != request.portal_user_id:
                        raise ValidationError("This saved payment method belongs to another company.",
                                              field="method")
                kind, vault_id = saved.method, saved.vault_id
                initial_transaction_id = saved.initial_transaction_id or ""
            label = METHOD_LABELS.get(kind, kind)
            if portal:
                # the payment types Admin enables for the client portal (payment_types.portal.*)
                if kind not in status.portal:
                    raise PayAppError(f"{label} payments are not available in the client portal.")
            elif kind not in status.back_office:
                raise PayAppError(f"{label} payments are not enabled. An admin can enable them in Admin.")
            consent = clean_typed_text(getattr(request.method, "authorization_text", "") or "").strip()
            if kind == "echeck" and not consent:
                raise ValidationError("The customer must agree to the ACH debit authorization before an eCheck "
                                      "is taken.", field="authorization")
            if kind == "sepa":
                consent = clean_typed_text(getattr(request.method, "mandate_text", "") or "").strip()
                if not consent:
                    raise ValidationError("The account holder must agree to the SEPA direct debit mandate before "
                                          "the debit is taken.", field="mandate")
            recent = conn.execute(_RECENT_PAYMENTS, {"invoice_id": inv.id, "since": now - DUPLICATE_WINDOW}).all()
            reserved = sum(r.amount_minor for r in recent if r.status in UNDECIDED)
            available = inv.balance_minor - reserved
            if request.amount_minor > available:
                money = format_money(max(available, 0), inv.currency)
                extra = " (a payment still being confirmed is held against it)" if reserved else ""
                raise ValidationError(f"The amount is more than the open balance of {money}{extra}.",
                                      field="amount")
            if not confirm_duplicate:
                dup = next((r for r in recent if r.amount_minor == request.amount_minor
                            and r.status in DUPLICATE_STATUSES and r.created_at >= now - DUPLICATE_WINDOW), None)
                if dup is not None:
                    # a client on the portal is not told which member of staff took the other payment
                    who = f" by {dup.created_by_name}" if dup.created_by_name and not portal else ""
                    raise DuplicateWarning(
                        f"{format_money(request.amount_minor, inv.currency)} was already paid on invoice "
                        f"{inv.invoice_number}{who} at {dup.created_at:%Y-%m-%d %H:%M} UTC. "
                        "Pay again only if the customer really means to pay twice.",
                        previous_payment_id=dup.id, previous_at=dup.created_at)
            save_as: str | None = None
            saved_method_id = saved.id if saved is not None else None
            if request.save_method and saved is None:
                # The vault id is ours, so a crash between the gateway's answer and our record still
                # knows which vault entry to activate. Inactive (invisible) until the charge is approved.
                save_as = f"pa{secrets.token_hex(10)}"
                saved_method_id = _new_id(conn.execute(_INSERT_METHOD, {
                    "company_id": inv.company_id, "contact_id": request.contact_id, "gateway": gateway.name,
                    "vault_id": save_as, "method": kind, "brand": prepared.brand, "last_four": prepared.last_four,
                    "expiry": prepared.expiry, "account_type": prepared.account_type,
                    "account_holder_type": prepared.holder_type, "holder_name": prepared.holder_name[:200],
                    "is_active": False, "created_at": now}))
                if portal and request.portal_user_id is not None:
                    conn.execute(_INSERT_METHOD_OWNER, {"saved_method_id": saved_method_id,
                                                        "contact_id": request.portal_user_id})
            order_id = f"pa{inv.id}-{uuid.uuid4().hex[:24]}"
            shown = saved if saved is not None else prepared
            started_mono, started_wall = time.monotonic(), time.time()
            hosted = isinstance(request.method, HostedMethod)
            deadline = self._db_now(conn) + (HOSTED_WINDOW if hosted else self._send_window)
            payment_id = _new_id(conn.execute(_INSERT_PAYMENT, {
                "order_id": order_id, "invoice_id": inv.id, "company_id": inv.company_id,
                "company_name": inv.company_name, "invoice_number": inv.invoice_number, "gateway": gateway.name,
                "amount_minor": request.amount_minor, "currency": inv.currency, "method": kind,
                "brand": shown.brand, "last_four": shown.last_four, "expiry": shown.expiry,
                "account_type": shown.account_type, "saved_method_id": saved_method_id,
                "contact_id": request.contact_id, "source": request.source, "status": S.PENDING.value,
                "created_by": actor.user_id,
                "created_by_name": (actor.display_name or actor.username)[:100], "created_at": now,
                "send_deadline": deadline,
            }))
            sec = ""
            if kind == "echeck":
                holder_type = saved.account_holder_type if saved is not None else prepared.holder_type
                who = (saved.holder_name if saved is not None else prepared.holder_name) or inv.company_name
                # the client authorised the debit on the portal: WEB (a business account: CCD); staff took it with
                # the customer: PPD/CCD
                sec = ach.sec_code(holder_type or "business", online=portal)
                conn.execute(_INSERT_ACH_AUTH, {
                    "payment_id": payment_id, "sec_code": sec,
                    "authorized_by": who[:200], "authorized_at": now,
                    "wording_version": (getattr(request.method, "wording_version", "") or ach.WORDING_VERSION)[:40],
                    "wording_text": consent, "wording_hash": ach.wording_hash(consent),
                    "recorded_by_name": (actor.display_name or actor.username)[:100],
                    "retain_until": ach.retain_until(now)})
            mandate: SepaAccount | None = None
            if kind == "sepa" and isinstance(prepared.payment, SepaAccount):
                # unique per payment (the creditor's reference of this one-off mandate)
                reference = (getattr(request.method, "mandate_reference", "")
                             or f"PA{payment_id}-{uuid.uuid4().hex[:16].upper()}")
                mandate = replace(prepared.payment, mandate_reference=reference, mandate_date=now.date(),
                                  mandate_text=consent)
                conn.execute(_INSERT_SEPA_MANDATE, {
                    "payment_id": payment_id, "mandate_reference": reference, "mandate_date": now.date(),
                    "authorized_by": prepared.holder_name[:200], "authorized_at": now,
                    "iban_country": mandate.iban[:2], "iban_last_four": mandate.iban[-4:],
                    "wording_version": (getattr(request.method, "wording_version", "") or sepa.WORDING_VERSION)[:40],
                    "wording_text": consent, "wording_hash": sepa.wording_hash(consent),
                    "recorded_by_name": (actor.display_name or actor.username)[:100],
                    "retain_until": sepa.retain_until(now)})
            return _Opened(payment_id, order_id, inv.currency, inv.invoice_number, gateway, save_as, vault_id,
                           started_mono, started_wall, bool(values.get(REFUSE_CVV_KEY)), kind,
                           initial_transaction_id, sec, mandate)

        try:
            opened = await self._uow.run(lambda conn: open_payment(conn, key, cached is None))
        except _StaleKey as stale:
            # keys saved or replaced since the cache was filled, or another gateway chosen: ask the keyring (off the
            # loop), once
            key = await local_keys.read(stale.gateway.primary.name, stale.gateway.server_extras)
            opened = await self._uow.run(lambda conn: open_payment(conn, key, True))
        assert prepared is not None
        gateway, payment_id, order_id = opened.gateway, opened.payment_id, opened.order_id
        await self._point("pending_committed")
        # Never send a pending payment past its deadline: another workstation's reconciliation may already have
        # closed it as "never reached the gateway" (issue #12.1).
        elapsed = max(time.monotonic() - opened.started_mono, time.time() - opened.started_wall)
        if elapsed >= min(FAST_SEND, self._send_window.total_seconds() / 2) and not await self._claim_send(payment_id):
            result = await self._record(payment_id, _Decision(
                "error", message="PayApp was held up too long before sending this payment (the computer was "
                                 "busy, paused or asleep), so it was not sent and nothing was charged. Take it "
                                 "again if the customer still wants to pay."), actor)
            await self._point("decision_recorded")
            return result
        await self._point("send_checked")

        amount = Money(request.amount_minor, opened.currency)
        if isinstance(request.method, HostedMethod):
            return await self._start_hosted(opened, request.method, amount, actor)
        # A payment the user confirmed as a deliberate second one of the same amount must not be refused by the
        # gateway's own duplicate check (same card or account and amount within its window).
        if prepared.kind == "saved":
            # card on file, the customer paying now: `used` with the charge that saved it
            stored = StoredCredential("used", "customer", opened.initial_transaction_id) \
                if opened.kind == "card" and opened.initial_transaction_id else None
            response = await gateway.charge_saved(order_id=order_id, amount=amount, vault_id=opened.vault_id,
                                                  allow_duplicate=confirm_duplicate, stored_credential=stored,
                                                  sec_code=opened.sec_code if portal else "")
        else:
            assert prepared.payment is not None
            stored = StoredCredential("stored", "customer") if opened.save_as is not None and \
                prepared.kind == "card" else None
            response = await gateway.charge(order_id=order_id, amount=amount,
                                            payment=opened.sepa_mandate or prepared.payment, billing=prepared.billing,
                                            save_as=opened.save_as,
                                            description=f"Invoice {opened.invoice_number}"[:255],
                                            allow_duplicate=confirm_duplicate, stored_credential=stored)
        await self._point("gateway_answered")

        if response.outcome == "unknown" and not response.sent:
            result = await self._record(payment_id, _Decision(
                "error", message="The gateway could not be reached; nothing was charged."), actor)
        elif response.duplicate:
            result = await self._record(payment_id, await self._duplicate_decision(gateway, order_id, response),
                                        actor)
        else:
            result = await self._record(payment_id, _decision(response), actor)
            for delay in self._lookup_delays if result.status == S.UNKNOWN else ():
                await asyncio.sleep(delay)
                resolved = await self._resolve_payment(_GatewaySet(self._gateways, gateway), payment_id, actor,
                                                       final=False)
                if resolved is not None and resolved.status != S.UNKNOWN:
                    result = resolved
                    break
        await self._point("decision_recorded")
        if (result.approved and opened.refuse_cvv_mismatch and (prepared.kind == "card" or (
                prepared.kind == "saved" and response.cvv)) and cvv_mismatch(response.cvv)):
            result = await self._refuse_cvv_mismatch(result, actor)
        return result

    # ------------------------------------------------------------------------------ hosted steps

    async def _start_hosted(self, opened: _Opened, method: HostedMethod, amount: Money,
                            actor: Actor) -> PaymentResult:
        """The pending row is committed: ask the gateway for its page. Without a redirect the payer never reaches
        the page, so nothing can be charged under this order id: the payment is closed as `error` at once."""
        gateway = opened.gateway
        if Capability.HOSTED_STEP not in gateway.capabilities or not isinstance(gateway, HostedPaymentGateway):
            return await self._record(opened.payment_id, _Decision(
                "error", message=f"{gateway.spec.label} has no payment page of its own."), actor)
        success, failure, cancel = method.urls(opened.order_id)
        step = await gateway.start_hosted(order_id=opened.order_id, amount=amount, product=method.product or
                                          method.kind, success_url=success, failure_url=failure, cancel_url=cancel,
                                          description=f"Invoice {opened.invoice_number}")
        await self._point("hosted_started")
        if isinstance(step, HostedStep):
            async with self._db.sessions() as s:
                p = await s.get(Payment, opened.payment_id)
            assert p is not None
            return replace(self._result(p, _Decision("pending")), redirect_url=step.redirect_url)
        why = step.message or "the gateway did not open its payment page"
        return await self._record(opened.payment_id, _Decision(
            "error", message=f"The payment page could not be opened ({why}); nothing was charged."), actor)

    async def _close_unfinished_hosted(self, invoice_id: int) -> None:
        """A payer who left the gateway's page without coming back (the browser's Back button, a closed tab) would
        hold the amount for the whole hosted window. A new hosted attempt on the invoice closes such attempts first:
        each as if cancelled (no return can take the money after that; what the gateway holds still decides). One
        that a return is completing right now (already sent) is left to its look-ups."""
        async with self._db.sessions() as s:
            rows = (await s.execute(select(Payment.order_id, Payment.created_at, Payment.send_deadline).where(
                Payment.invoice_id == invoice_id, Payment.status.in_(sorted(UNDECIDED)),
                Payment.sent_at.is_(None), Payment.source == "client_portal"))).all()
        for r in rows:
            # only hosted attempts have a deadline this far out (any other payment's is the send window)
            if r.send_deadline is not None and r.send_deadline - r.created_at > 2 * self._send_window:
                await self.cancel_hosted_payment(r.order_id)

    async def _payment_by_order(self, order_id: str) -> Payment:
        async with self._db.sessions() as s:
            p = (await s.scalars(select(Payment).where(Payment.order_id == order_id))).first()
        if p is None:
            raise NotFound("This payment no longer exists.")
        return p

    async def _claim_hosted(self, payment_id: int, *, closing: bool) -> bool:
        """The payer came back (`closing` False: about to take the money) or cancelled (`closing` True). True while
        the payment is undecided, not yet sent and inside its hosted window (database clock); the deadline then
        becomes the usual send window (taking the money) or now (cancelled: nothing will be sent any more), so the
        no-match rule judges it from here on."""

        def work(conn: Connection) -> bool:
            row = conn.execute(select(_P.status, _P.send_deadline, _P.sent_at).where(_P.id == payment_id)
                               .with_for_update()).first()
            if row is None or row.status not in UNDECIDED or row.sent_at is not None:
                return False
            now = self._db_now(conn)
            if row.send_deadline is not None and now > row.send_deadline:
                return False
            changes: dict[str, Any] = {"send_deadline": now} if closing else {
                "sent_at": now, "send_deadline": now + self._send_window}
            conn.execute(_UPDATE_PAYMENT, {"row_id": payment_id, **changes})
            return True

        return await self._uow.run(work)

    async def finish_hosted_payment(self, order_id: str, returned: dict[str, str]) -> PaymentResult:
        """The payer came back from the gateway's page to our success address. The gateway completes (PayPal:
        DoExpressCheckoutPayment) or reports the payment; an unknown outcome is resolved by look-up, never by
        sending again. Idempotent: a second return (a reload) shows what was recorded."""
        actor = self._current.require(Permission.TAKE_PAYMENT)
        p = await self._payment_by_order(order_id)
        gateways = _GatewaySet(self._gateways)
        if p.status not in UNDECIDED:
            return self._result(p, _Decision(p.status, message=p.response_text))
        if not await self._claim_hosted(p.id, closing=False):
            # already sent by an earlier return, or past the window: only a look-up may decide it
            resolved = await self._resolve_payment(gateways, p.id, actor, final=False)
            return resolved if resolved is not None else self._result(p, _Decision(p.status))
        gateway = await gateways.get(p.gateway)
        if not isinstance(gateway, HostedPaymentGateway):
            return await self._record(p.id, _Decision("error", message="The gateway has no payment page."), actor)
        answer = await gateway.finish_hosted(order_id=order_id, amount=Money(p.amount_minor, p.currency),
                                             returned=dict(returned))
        await self._point("gateway_answered")
        if answer.outcome == "unknown" and not answer.sent:
            result = await self._record(p.id, _Decision(
                "error", message="The gateway could not be reached; nothing was charged."), actor)
        else:
            result = await self._record(p.id, _decision(answer), actor)
            for delay in self._lookup_delays if result.status == S.UNKNOWN else ():
                await asyncio.sleep(delay)
                resolved = await self._resolve_payment(gateways, p.id, actor, final=False)
                if resolved is not None and resolved.status != S.UNKNOWN:
                    result = resolved
                    break
        await self._point("decision_recorded")
        return result

    async def cancel_hosted_payment(self, order_id: str) -> PaymentResult:
        """The payer cancelled on the gateway's page. Nothing is sent after this; what the gateway holds under the
        order id decides (nothing: closed, nothing charged)."""
        actor = self._current.require(Permission.TAKE_PAYMENT)
        p = await self._payment_by_order(order_id)
        if p.status not in UNDECIDED:
            return self._result(p, _Decision(p.status, message=p.response_text))
        closed = await self._claim_hosted(p.id, closing=True)
        try:
            gateway = await _GatewaySet(self._gateways).get(p.gateway)
            found = _sale_decision(await gateway.find_order(order_id))
        except LookupFailed:
            return await self._record(p.id, _Decision("unknown", message="The gateway could not be asked."), actor)
        if found is not None and found.outcome == "approved":
            return await self._record(p.id, found, actor)
        if not closed:
            # a return is taking the money right now (or the window is over): the look-ups decide it
            return self._result(p, _Decision(p.status))
        return await self._record(p.id, _Decision(
            "error", message="The payer cancelled on the payment page; nothing was charged."), actor)

    @staticmethod
    async def _duplicate_decision(gateway: PaymentGateway, order_id: str, response: GatewayAnswer) -> _Decision:
        """The gateway's duplicate check refused the sale. If the gateway knows nothing under our order id, an
        earlier payment of the same card/account and amount made it refuse this one: nothing was charged, and
        the user is told so now. A failed look-up leaves it unknown (resolved later by order id)."""
        try:
            txs = await gateway.find_order(order_id)
        except LookupFailed:
            return _Decision("unknown", message=response.message)
        found = _sale_decision(txs)
        if found is not None:
            return found
        if txs:
            return _Decision("unknown", message=response.message)
        return _Decision("error", response.transaction_id, "", response.response_code, response.message,
                         duplicate=True)

    async def _refuse_cvv_mismatch(self, result: PaymentResult, actor: Actor) -> PaymentResult:
        """Admin › Payment Processing refuses card payments whose CVV does not match: void the approved charge
        at once, so nothing stays charged, and say why."""
        amount = format_money(result.amount_minor, result.currency)
        void: RefundResult | None
        try:
            void = await self._void_or_refund(actor, {"kind": "void", "amount_minor": None}, result.payment_id,
                                              None, "The card's security code (CVV) did not match.",
                                              reopen_invoice=True)
        except PayAppError as exc:
            void = None
            why = exc.user_message
        else:
            why = void.message
        if void is not None and void.approved:
            return replace(result, status=S.VOIDED.value, message=(
                f"The card's security code (CVV) did not match, so PayApp voided the payment of {amount} at "
                "once: nothing was charged. Ask the customer to check the code, or use another card."))
        text = (f"The card's security code (CVV) did not match, but PayApp could not void the payment of {amount} "
                f"at once ({why}). It is still charged: void it in Payment Search.")
        try:
            async with self._db.transaction(lock=True) as s:
                p = await s.get(Payment, result.payment_id, with_for_update=True)
                if p is not None:
                    p.attention = text[:300]
        except Exception:  # the banner still says it
            _LOG.exception("could not flag payment %s", result.payment_id)
        return replace(result, message=text)

    async def _claim_send(self, payment_id: int) -> bool:
        """Right before a late send: True (and `sent_at` written) while the payment is still pending and its
        deadline, on the database's clock, has not passed."""

        def work(conn: Connection) -> bool:
            row = conn.execute(select(_P.status, _P.send_deadline).where(_P.id == payment_id)
                               .with_for_update()).first()
            if row is None or row.status != S.PENDING:
                return False
            now = self._db_now(conn)
            if row.send_deadline is not None and now > row.send_deadline:
                return False
            conn.execute(_UPDATE_PAYMENT, {"row_id": payment_id, "sent_at": now})
            return True

        return await self._uow.run(work)

    # ------------------------------------------------------------------------------ record decisions

    def _message(self, p: Payment | _PaymentFacts, d: _Decision) -> str:
        amount = format_money(p.amount_minor, p.currency)
        if getattr(p, "approved_late", False) and p.status == S.APPROVED:
            return (f"Payment of {amount} approved (transaction {p.transaction_id}), after PayApp had marked it "
                    "failed. Check whether the customer paid again, and refund one of the payments if so.")
        if p.status == S.APPROVED and p.method == "sepa":
            return (f"SEPA direct debit of {amount} accepted (transaction {p.transaction_id}) and pending "
                    "settlement: the money arrives in a few business days, and the debtor's bank can still return "
                    "it.")
        if p.status == S.APPROVED and p.method == "echeck":
            # not money in the bank yet: the bank can still return it until (and after) it settles
            return (f"eCheck payment of {amount} accepted (transaction {p.transaction_id}) and pending "
                    "settlement: the money arrives in a few business days, and the bank can still return it.")
        if p.status == S.APPROVED or p.status in (S.SETTLED, S.PARTIALLY_REFUNDED, S.REFUNDED, S.VOIDED):
            return f"Payment of {amount} approved (transaction {p.transaction_id})."
        if p.status == S.DECLINED:
            if p.method in BANK_DEBITS:
                return (f"The bank account payment of {amount} was declined ({d.message or p.response_text}). "
                        "Check the routing and account numbers, or use another payment method.")
            return (f"The card was declined ({d.message or p.response_text}). Ask the customer for another "
                    "card, or to call their bank, then try again.")
        if p.status == S.ERROR:
            if d.rate_limited:
                return ("The gateway is receiving too many requests right now, so nothing was charged. Wait a "
                        "minute, then try again.")
            if d.duplicate:
                return (f"The gateway refused this payment as a duplicate: the same card or account was charged "
                        f"{amount} a short time ago. Nothing was charged now. Check the customer's recent "
                        "payments; to charge the same amount again, wait about 20 minutes and try again.")
            if d.message.startswith("PayApp was held up"):
                return d.message
            if "authentication failed" in (d.message or "").lower():
                return ("The gateway refused PayApp's key, so nothing was charged. An admin must check the "
                        "gateway keys in Admin.")
            return (f"The gateway did not take the payment ({d.message or p.response_text}). Nothing was "
                    "charged. Check the details and try again.")
        return (f"The gateway has not confirmed the payment of {amount} yet. Do not take it again: PayApp keeps "
                f"checking by its order id ({p.order_id}) and will update it, and the invoice holds the amount "
                "until then.")

    def _result(self, p: Payment | _PaymentFacts, d: _Decision) -> PaymentResult:
        return PaymentResult(p.status, p.id, p.transaction_id, self._message(p, d), p.order_id, p.amount_minor,
                             p.currency, d.avs[:2], d.cvv[:2], p.method)

    async def _record(self, payment_id: int, d: _Decision, actor: Actor) -> PaymentResult:
        """Record what is known about a payment, idempotently, with all its consequences."""
        now = self._now()

        def work(conn: Connection) -> PaymentResult:
            row = conn.execute(_LOCK_PAYMENT_AND_INVOICE, {"payment_id": payment_id}).first()
            if row is None:
                raise NotFound("This payment no longer exists.")
            p = _PaymentFacts(row.id, row.order_id, row.status, row.amount_minor, row.currency, row.method,
                              row.transaction_id, row.response_text, row.approved_late)
            # An approval for a payment PayApp had closed as `error` is never dropped (issue #12.1): the money
            # was taken, so the payment is approved, with an alert for a person.
            late = p.status == S.ERROR and d.outcome == "approved"
            if p.status not in UNDECIDED and not late:
                return self._result(p, _Decision(p.status, message=p.response_text))
            audits: list[dict[str, Any]] = []
            changes: dict[str, Any]
            if d.outcome == "unknown":
                first = p.status == S.PENDING
                attempts = row.reconcile_attempts + 1
                step = self._backoff[min(attempts - 1, len(self._backoff) - 1)]
                changes = {"reconcile_attempts": attempts, "next_check_at": now + step}
                if first:
                    p.status = changes["status"] = transition(S(p.status), S.UNKNOWN).value
                    audits.append(audit.entry(actor, "payment.unknown", entity_type="payment", entity_id=p.id,
                                              order_id=p.order_id, amount_minor=p.amount_minor,
                                              reason=d.message[:200]))
                    if d.message:
                        p.response_text = changes["response_text"] = d.message[:300]
                conn.execute(_UPDATE_PAYMENT, {"row_id": p.id, **changes})
                _insert_rows(conn, _INSERT_AUDIT_EVENT, audits)
                return self._result(p, d)
            p.transaction_id = d.transaction_id[:64]
            p.response_text = d.message[:300]
            changes = {"transaction_id": p.transaction_id, "auth_code": d.auth_code[:20],
                       "response_code": d.response_code[:10], "response_text": p.response_text,
                       "avs_result": d.avs[:2], "cvv_result": d.cvv[:2], "decided_at": now, "next_check_at": None}
            details = {"order_id": p.order_id, "amount_minor": p.amount_minor, "currency": p.currency,
                       "invoice_id": row.invoice_id, "transaction_id": p.transaction_id,
                       "response_code": changes["response_code"], "method": p.method, "last_four": row.last_four}
            jobs: list[dict[str, Any]] = []
            if d.outcome == "approved":
                p.status = changes["status"] = transition(S(p.status), S.APPROVED).value
                changes["applied_minor"] = p.amount_minor
                changes.update(self._apply_approval(conn, row, d, actor, now, details, audits, jobs))
                if late:
                    p.approved_late = changes["approved_late"] = True
                    changes["attention"] = APPROVED_LATE_ALERT
                    audits.append(audit.entry(actor, "payment.approved_after_failure", entity_type="payment",
                                              entity_id=p.id, message=APPROVED_LATE_ALERT, **details))
                    _LOG.warning("payment %s: approved by the gateway after it was marked failed", p.id)
            else:
                new = S.DECLINED if d.outcome == "declined" else S.ERROR
                p.status = changes["status"] = transition(S(p.status), new).value
                audits.append(audit.entry(actor, f"payment.{new.value}", entity_type="payment", entity_id=p.id,
                                          message=p.response_text, **details))
            conn.execute(_UPDATE_PAYMENT, {"row_id": p.id, **changes})
            _insert_rows(conn, _INSERT_AUDIT_EVENT, audits)
            _insert_rows(conn, _INSERT_OUTBOX_JOB, jobs)
            return self._result(p, d)

        return await self._uow.run(work)

    def _apply_approval(self, conn: Connection, row: Any, d: _Decision, actor: Actor, now: dt.datetime,
                        details: dict[str, object], audits: list[dict[str, Any]],
                        jobs: list[dict[str, Any]]) -> dict[str, Any]:
        """The consequences of an approval (invoice, saved method, audit, outbox), written or queued into
        `audits`/`jobs` for the caller to insert. Returns further changes to the payment row."""
        paid = row.paid_minor + row.amount_minor
        balance = row.balance_minor - row.amount_minor
        invoice_changes: dict[str, Any] = {"paid_minor": paid, "balance_minor": balance,
                                           "status": invoice_status(row.total_minor, paid, row.is_voided).value}
        fully_paid = balance <= 0
        if fully_paid:
            invoice_changes["paid_date"] = now.date()
        conn.execute(_UPDATE_INVOICE, {"row_id": row.invoice_id, **invoice_changes})
        if row.saved_method_id is not None:
            sm = conn.execute(_LOCK_SAVED_METHOD, {"method_id": row.saved_method_id}).first()
            if sm is not None:
                method_changes: dict[str, Any] = {"last_used_at": now}
                if not sm.is_active and sm.last_used_at is None:      # saved with this charge
                    method_changes["is_active"] = True
                    if sm.method == "card":
                        method_changes["initial_transaction_id"] = d.transaction_id[:64]
                    if d.vault_id:
                        method_changes["vault_id"] = d.vault_id[:64]
                    audits.append(audit.entry(actor, "payment_method.saved", entity_type="saved_payment_method",
                                              entity_id=sm.id, company_id=sm.company_id, method=sm.method,
                                              last_four=sm.last_four))
                conn.execute(_UPDATE_METHOD, {"row_id": sm.id, **method_changes})
        audits.append(audit.entry(actor, "payment.approved", entity_type="payment", entity_id=row.id, **details))
        changes: dict[str, Any] = {"accounting_sync_state": "pending"}
        jobs.append(self._job_row(JobKind.PUSH_PAYMENT, {"payment_id": row.id}, payment_id=row.id,
                                  invoice_id=row.invoice_id))
        if fully_paid:
            changes["psa_sync_state"] = "pending"
            jobs.append(self._job_row(JobKind.MARK_PAID, {"invoice_id": row.invoice_id,
                                                                "paid_date": now.date().isoformat()},
                                      payment_id=row.id, invoice_id=row.invoice_id))
        return changes

    @staticmethod
    def _job_row(kind: str, payload: dict[str, object], *, payment_id: int | None = None,
                 invoice_id: int | None = None, refund_id: int | None = None) -> dict[str, Any]:
        """The column values of an outbox job (`_job` for Core inserts)."""
        return {"kind": kind, "payload": json.dumps(payload, sort_keys=True), "payment_id": payment_id,
                "invoice_id": invoice_id, "refund_id": refund_id, "request_id": uuid.uuid4().hex[:32]}

    @staticmethod
    def _job(s: Session | AsyncSession, kind: str, payload: dict[str, object], *, payment_id: int | None = None,
             invoice_id: int | None = None, refund_id: int | None = None) -> None:
        s.add(OutboxJob(**PaymentService._job_row(kind, payload, payment_id=payment_id, invoice_id=invoice_id,
                                                  refund_id=refund_id)))

    # ------------------------------------------------------------------------------ resolve undecided

    async def _resolve_payment(self, gateways: _GatewaySet, payment_id: int, actor: Actor, *,
                               final: bool, late: bool = False) -> PaymentResult | None:
        """Look a payment's order id up and record what the gateway knows. `final` applies the
        no-match rule (module docstring, rule 3). None when the look-up itself failed."""
        async with self._db.sessions() as s:
            p = await s.get(Payment, payment_id)
        if p is None:
            return None
        if p.status not in UNDECIDED and not (late and p.status == S.ERROR):
            return self._result(p, _Decision(p.status))
        try:
            gateway = await gateways.get(p.gateway)
            txs = await gateway.find_order(p.order_id)
        except LookupFailed:
            if final:
                await self._record(payment_id, _Decision("unknown", message="The gateway could not be asked."),
                                   actor)
            return None
        decision = _sale_decision(txs)
        if p.status == S.ERROR:          # a closed payment: only a late approval changes it
            if decision is not None and decision.outcome == "approved":
                return await self._record(payment_id, decision, actor)
            return self._result(p, _Decision(p.status))
        if decision is not None:
            return await self._record(payment_id, decision, actor)
        # "No match" means "never reached the gateway" only once the payment's send deadline (on the database's
        # clock, the same one its writer used) is past by the grace: no workstation sends after its deadline.
        deadline = p.send_deadline or p.created_at + self._send_window
        if not txs and final and await self._db_now_async() - deadline >= self._grace:
            return await self._record(payment_id, _Decision(
                "error", message="The gateway has no transaction for this payment; nothing was charged."), actor)
        if final or p.status == S.PENDING:
            return await self._record(payment_id, _Decision("unknown"), actor)
        return self._result(p, _Decision(p.status))

    async def reconcile_undecided(self, *, only_due: bool = False) -> int:
        """Resolve every pending/unknown payment, void and refund by looking it up at the gateway.
        Run at start-up (all) and periodically (`only_due=True`: those whose next check is due).
        Returns how many got decided. Never charges anything."""
        actor = self._current.actor or SYSTEM
        now = self._now()
        async with self._db.sessions() as s:
            q = select(Payment.id).where(Payment.status.in_(list(UNDECIDED)))
            rq = select(Refund.id).where(Refund.status.in_(REFUND_UNDECIDED))
            if only_due:
                q = q.where((Payment.next_check_at.is_(None)) | (Payment.next_check_at <= now))
            payment_ids = list((await s.scalars(q.order_by(Payment.id))).all())
            refund_ids = list((await s.scalars(rq.order_by(Refund.id))).all())
            # payments PayApp itself closed as `error` (no gateway answer): the one request may still have been
            # approved (a held workstation, a crash after sending); look them up for a while
            watch = LATE_APPROVAL_WATCH_PERIODIC if only_due else LATE_APPROVAL_WATCH
            closed_ids = list((await s.scalars(
                select(Payment.id).where(Payment.status == S.ERROR, Payment.response_code == "",
                                         Payment.transaction_id == "", Payment.decided_at >= now - watch)
                .order_by(Payment.id))).all())
            closed_refunds = list((await s.scalars(
                select(Refund.id).where(Refund.status == "error", Refund.response_code == "",
                                        Refund.decided_at >= now - watch).order_by(Refund.id))).all())
        if not payment_ids and not refund_ids and not closed_ids and not closed_refunds:
            return 0
        gateway = _GatewaySet(self._gateways)
        decided = 0
        # Each payment and refund on its own: one that cannot be resolved is flagged for a person and logged,
        # and the others are still checked.
        for pid in payment_ids:
            try:
                r = await self._resolve_payment(gateway, pid, actor, final=True)
            except Exception as exc:  # one row must never stop the others
                await self._needs_attention(pid, "payment", pid, exc)
                continue
            if r is not None and r.status not in UNDECIDED:
                decided += 1
        for pid in closed_ids:
            try:
                r = await self._resolve_payment(gateway, pid, actor, final=True, late=True)
            except Exception as exc:  # one row must never stop the others
                await self._needs_attention(pid, "payment", pid, exc)
                continue
            if r is not None and r.status == S.APPROVED:
                decided += 1
        for rid in closed_refunds:
            try:
                rr = await self._resolve_refund(gateway, rid, actor, final=True, late=True)
            except Exception as exc:  # one row must never stop the others
                await self._needs_attention(await self._refund_payment_id(rid), "refund", rid, exc)
                continue
            if rr is not None and rr.status == "approved":
                decided += 1
        for rid in refund_ids:
            try:
                rr = await self._resolve_refund(gateway, rid, actor, final=True)
            except Exception as exc:
                await self._needs_attention(await self._refund_payment_id(rid), "refund", rid, exc)
                continue
            if rr is not None and rr.status not in REFUND_UNDECIDED:
                decided += 1
        return decided

    async def _refund_payment_id(self, refund_id: int) -> int | None:
        async with self._db.sessions() as s:
            return cast(int | None, await s.scalar(select(Refund.payment_id).where(Refund.id == refund_id)))

    async def _needs_attention(self, payment_id: int | None, what: str, row_id: int, exc: Exception) -> None:
        """Flag a payment whose check failed so Payment Search shows it "needs attention"; log why (the
        message of PayApp's own errors, only the type of any other: no secret can reach the log)."""
        reason = exc.user_message if isinstance(exc, PayAppError) else type(exc).__name__
        _LOG.error("reconciliation of %s %s failed, flagged for a person: %s", what, row_id, reason)
        if payment_id is None:
            return
        text = (f"PayApp could not finish checking this payment with the gateway ({reason}). Check it in the "
                "gateway's portal." if what == "payment" else
                f"PayApp could not finish checking a refund of this payment with the gateway ({reason}). Check it "
                "in the gateway's portal.")[:300]
        try:
            async with self._db.transaction(lock=True) as s:
                p = await s.get(Payment, payment_id, with_for_update=True)
                if p is not None and p.attention != text:
                    p.attention = text
                    _audit(s, SYSTEM, "payment.needs_attention", entity_type="payment", entity_id=p.id,
                           message=text, **({"refund_id": row_id} if what == "refund" else {}))
        except Exception:  # the flag is best effort; the log line above stays
            _LOG.exception("could not flag payment %s", payment_id)

    # ------------------------------------------------------------------------------ void / refund

    async def void_or_refund(self, payment_id: int, amount_minor: int | None = None,
                             reason: str = "", *, reopen_invoice: bool = False) -> RefundResult:
        """Void an unsettled payment (in full only), or refund a settled one fully or partly
        (up to what has not been refunded yet). The gateway decides which applies.

        A refund keeps the invoice paid by default: the money goes back to the customer and QuickBooks gets a
        refund receipt; Autotask keeps its paid date. `reopen_invoice=True` (a refund of the whole payment only)
        re-opens it instead, as a returned eCheck does: the invoice balance goes back up, QuickBooks' payment is
        voided (its invoice is open again there too), and Autotask, whose API cannot clear a paid date, is left
        as it is. A void always re-opens the invoice (the charge never happened)."""
        actor = self._current.require(Permission.MANAGE_PAYMENT)
        reason = clean_typed_text(reason)              # typed: stored, so no NUL and no lone surrogate
        attempt: dict[str, Any] = {"kind": "", "amount_minor": amount_minor}
        try:
            return await self._void_or_refund(actor, attempt, payment_id, amount_minor, reason,
                                              reopen_invoice=bool(reopen_invoice))
        except PayAppError as exc:
            # a refused attempt is audited with why (one that reached the gateway is audited where it is
            # recorded, whatever its outcome)
            await self._audit_refused(actor, payment_id, attempt, reason, exc)
            raise

    async def _audit_refused(self, actor: Actor, payment_id: int, attempt: dict[str, Any], reason: str,
                             exc: PayAppError) -> None:
        kind = attempt["kind"] or "refund"
        try:
            async with self._db.transaction() as s:
                _audit(s, actor, f"payment.{kind}_failed", entity_type="payment", entity_id=payment_id,
                       amount_minor=attempt["amount_minor"], reason=reason[:300], message=exc.user_message[:300],
                       sent=False)
        except Exception:  # the user still gets the refusal; the log keeps the gap
            _LOG.exception("could not audit a refused %s of payment %s", kind, payment_id)

    async def _void_or_refund(self, actor: Actor, attempt: dict[str, Any], payment_id: int,
                              amount_minor: int | None, reason: str, *, reopen_invoice: bool) -> RefundResult:
        async with self._db.sessions() as s:
            p0 = await s.get(Payment, payment_id)
        if p0 is None:
            raise NotFound("This payment no longer exists.")
        # through the gateway that took it, whichever is chosen now
        gateway = await self._gateways.for_gateway(p0.gateway)
        attempt["kind"] = "void" if p0.status == S.APPROVED else "refund"
        if p0.status not in (S.APPROVED, S.SETTLED, S.PARTIALLY_REFUNDED):
            raise ConflictError(f"A payment that is {p0.status.replace('_', ' ')} cannot be voided or refunded.")
        try:
            txs = await gateway.find_transactions(p0.transaction_id)
        except LookupFailed as exc:
            raise PayAppError(f"The gateway could not be asked about this payment ({exc.message}). "
                              "Nothing was changed; try again.") from None
        tx = next((t for t in txs if t.transaction_id == p0.transaction_id), None)
        condition = tx.state if tx else ""
        if condition == "pending_settlement":
            kind = attempt["kind"] = "void"
        elif condition == "settled":
            kind = attempt["kind"] = "refund"
        else:
            shown = condition.replace("_", " ") if condition else "not found"
            raise ConflictError(f"The gateway shows this payment as '{shown}', so it cannot "
                                "be voided or refunded from PayApp. Check it in the gateway's portal.")
        now = self._now()
        async with self._db.transaction(lock=True) as s:
            p = await s.get(Payment, payment_id, with_for_update=True)
            assert p is not None
            if p.status not in (S.APPROVED, S.SETTLED, S.PARTIALLY_REFUNDED):
                raise ConflictError(f"A payment that is {p.status.replace('_', ' ')} cannot be voided or refunded.")
            open_refunds = int(await s.scalar(
                select(func.coalesce(func.sum(Refund.amount_minor), 0))
                .where(Refund.payment_id == p.id, Refund.status.in_(REFUND_UNDECIDED))) or 0)
            if open_refunds:
                raise ConflictError("A void or refund of this payment is still being confirmed. Wait for it.")
            remaining = p.amount_minor - p.refunded_minor
            amount = remaining if amount_minor is None else amount_minor
            if kind == "void" and amount != remaining:
                raise ValidationError("Until the payment settles (usually the next business day) it can only be "
                                      "voided in full. Void it, or refund part of it after it settles.",
                                      field="amount")
            if amount <= 0 or amount > remaining:
                raise ValidationError(f"You can refund at most {format_money(remaining, p.currency)}.",
                                      field="amount")
            if kind == "refund" and reopen_invoice and (p.refunded_minor or amount != p.amount_minor):
                raise ValidationError("Only a refund of the whole payment can re-open the invoice. Refund part of "
                                      "it with the invoice kept paid, or refund all of it.", field="amount")
            if kind == "refund" and p.status == S.APPROVED:
                p.status = transition(S.APPROVED, S.SETTLED)
                settle = tx.action("settle") if tx else None
                p.settled_at = (settle.at if settle else None) or now
            started_mono, started_wall = time.monotonic(), time.time()
            db_now = now if self._db.is_sqlite else cast(dt.datetime, await s.scalar(
                select(func.clock_timestamp()))).astimezone(dt.UTC)
            refund = Refund(payment_id=p.id, order_id=f"rf{p.id}-{uuid.uuid4().hex[:24]}", kind=kind,
                            amount_minor=amount, currency=p.currency, status="pending", reason=reason[:300],
                            created_by=actor.user_id, created_at=now, send_deadline=db_now + self._send_window,
                            reopen_invoice=kind == "void" or reopen_invoice)
            s.add(refund)
            await s.flush()
            refund_id = refund.id
            transaction_id, currency, method = p.transaction_id, p.currency, p.method
        await self._point("refund_pending_committed")
        # as for payments: never sent past its deadline (another workstation may have closed it meanwhile)
        elapsed = max(time.monotonic() - started_mono, time.time() - started_wall)
        if (elapsed >= min(FAST_SEND, self._send_window.total_seconds() / 2)
                and not await self._claim_refund_send(refund_id)):
            return await self._record_refund(refund_id, _Decision("error", message=(
                "PayApp was held up too long before sending this void or refund, so it was not sent and nothing "
                "was changed. Try again.")), actor)
        await self._point("refund_send_checked")
        if kind == "void":
            response = await gateway.void(transaction_id, method=method)
        else:
            part = None if amount == remaining else Money(amount, currency)
            response = await gateway.refund(transaction_id, amount=part, method=method)
        if response.outcome == "unknown" and not response.sent:
            return await self._record_refund(refund_id, _Decision(
                "error", message="The gateway could not be reached; nothing was changed."), actor)
        result = await self._record_refund(refund_id, _decision(response), actor)
        if response.rate_limited and result.status == "error":
            return replace(result, message="The gateway is receiving too many requests right now, so nothing "
                                           "was changed. Wait a minute, then try again.")
        for delay in self._lookup_delays if result.status == "unknown" else ():
            await asyncio.sleep(delay)
            resolved = await self._resolve_refund(_GatewaySet(self._gateways, gateway), refund_id, actor,
                                                  final=False)
            if resolved is not None and resolved.status != "unknown":
                return resolved
        return result

    async def _claim_refund_send(self, refund_id: int) -> bool:
        """True while the void/refund is still pending and its deadline (database clock) has not passed."""
        async with self._db.transaction(lock=True) as s:
            r = await s.get(Refund, refund_id, with_for_update=True)
            if r is None or r.status != "pending":
                return False
            if r.send_deadline is None:
                return True
            now = self._now() if self._db.is_sqlite else cast(dt.datetime, await s.scalar(
                select(func.clock_timestamp()))).astimezone(dt.UTC)
            return now <= r.send_deadline

    def _refund_result(self, r: Refund, p: Payment, message: str = "") -> RefundResult:
        amount = format_money(r.amount_minor, r.currency)
        what = "Void" if r.kind == "void" else "Refund"
        if not message:
            message = {
                "approved": f"{what} of {amount} done.",
                "declined": f"The gateway declined the {what.lower()} ({r.response_text}).",
                "error": f"The gateway did not do the {what.lower()} ({r.response_text}). Nothing was changed.",
            }.get(r.status, f"The gateway has not confirmed the {what.lower()} of {amount} yet. Do not repeat it: "
                            "PayApp keeps checking and will update it.")
        return RefundResult(r.status, r.id, p.id, r.kind, r.amount_minor, r.currency, p.status, message)

    async def _record_refund(self, refund_id: int, d: _Decision, actor: Actor) -> RefundResult:
        now = self._now()
        async with self._db.transaction(lock=True) as s:
            r = await s.get(Refund, refund_id, with_for_update=True)
            assert r is not None
            p = await s.get(Payment, r.payment_id, with_for_update=True)
            assert p is not None
            # the gateway completed a void/refund PayApp had closed as `error` without a gateway answer: recorded
            late = r.status == "error" and not r.response_code and d.outcome == "approved"
            if r.status not in REFUND_UNDECIDED and not late:
                return self._refund_result(r, p)
            if late:
                p.attention = ("The gateway completed this void after PayApp had marked it failed. Check the "
                               "payment's refunds." if r.kind == "void" else
                               "The gateway completed this refund after PayApp had marked it failed. Check the "
                               "payment's refunds.")
                _LOG.warning("refund %s of payment %s: completed after it was marked failed", r.id, p.id)
            if d.outcome == "unknown":
                if r.status == "pending":
                    r.status = "unknown"
                    r.response_text = d.message[:300]
                    _audit(s, actor, f"payment.{r.kind}_unknown", entity_type="payment", entity_id=p.id,
                                 refund_id=r.id, order_id=r.order_id, amount_minor=r.amount_minor)
                return self._refund_result(r, p)
            r.transaction_id = d.transaction_id[:64]
            r.response_code = d.response_code[:10]
            r.response_text = d.message[:300]
            r.decided_at = now
            details = {"refund_id": r.id, "order_id": r.order_id, "amount_minor": r.amount_minor,
                       "currency": r.currency, "reason": r.reason, "transaction_id": r.transaction_id}
            if d.outcome != "approved":
                r.status = "declined" if d.outcome == "declined" else "error"
                _audit(s, actor, f"payment.{r.kind}_failed", entity_type="payment", entity_id=p.id,
                             message=r.response_text, **details)
                return self._refund_result(r, p)
            r.status = "approved"
            inv = await s.get(Invoice, p.invoice_id, with_for_update=True)
            assert inv is not None
            if p.status == S.RETURNED:
                # The bank returned the eCheck and the gateway also completed this void/refund: the money is
                # already off the invoice and out of the books, so nothing moves again; a person must recover
                # what went back twice.
                p.status = after_reversal(S(p.status), r.kind, p.refunded_minor + r.amount_minor, p.amount_minor)
                if r.kind == "refund":
                    p.refunded_minor += r.amount_minor
                    p.refunded_at = now
                else:
                    p.voided_at = now
                money = format_money(r.amount_minor, r.currency)
                p.attention = (f"The bank returned this eCheck and the void of {money} was also completed: the "
                               "customer may have been paid back twice." if r.kind == "void" else
                               f"The bank returned this eCheck and the refund of {money} was also completed: the "
                               "customer may have been paid back twice.")[:300]
                _audit(s, actor, "payment.voided" if r.kind == "void" else "payment.refunded", entity_type="payment",
                       entity_id=p.id, after_return=True, **details)
                _LOG.warning("payment %s: %s of refund %s completed after the bank returned it", p.id, r.kind, r.id)
                return self._refund_result(r, p)
            if r.kind == "void":
                p.status = after_reversal(S(p.status), "void", p.refunded_minor, p.amount_minor)
                p.voided_at = now
                back = p.applied_minor
                p.applied_minor = 0
                self._job(s, JobKind.VOID_PAYMENT, {"payment_id": p.id}, payment_id=p.id,
                          invoice_id=inv.id, refund_id=r.id)
                _audit(s, actor, "payment.voided", entity_type="payment", entity_id=p.id, **details)
            elif r.reopen_invoice:
                # the customer still owes the invoice: as a returned eCheck, the payment is reversed in the books
                p.refunded_minor += r.amount_minor
                p.refunded_at = now
                p.status = after_reversal(S(p.status), "refund", p.refunded_minor, p.amount_minor)
                back = min(r.amount_minor, p.applied_minor)
                p.applied_minor -= back
                self._job(s, JobKind.VOID_PAYMENT, {"payment_id": p.id}, payment_id=p.id,
                          invoice_id=inv.id, refund_id=r.id)
                _audit(s, actor, "payment.refunded", entity_type="payment", entity_id=p.id, invoice_reopened=True,
                       **details)
            else:
                # the invoice stays paid: the money goes back as a refund, the books get a refund receipt
                p.refunded_minor += r.amount_minor
                p.refunded_at = now
                p.status = after_reversal(S(p.status), "refund", p.refunded_minor, p.amount_minor)
                back = 0
                self._job(s, JobKind.REFUND_PAYMENT, {"payment_id": p.id, "refund_id": r.id,
                                                           "amount_minor": r.amount_minor},
                          payment_id=p.id, invoice_id=inv.id, refund_id=r.id)
                _audit(s, actor, "payment.refunded", entity_type="payment", entity_id=p.id, invoice_reopened=False,
                       **details)
            if back:
                self._reopen(inv, back)
            return self._refund_result(r, p)

    async def _refund_action_unclaimed(self, tx: GatewayTransaction, r: Refund) -> bool:
        since = r.created_at - REFUND_CLOCK_SLACK
        actions = [a for a in tx.actions
                   if a.kind == "refund" and a.succeeded and _to_minor(a.amount, r.currency) == r.amount_minor
                   and a.at is not None and a.at >= since]
        if not actions:
            return False
        async with self._db.sessions() as s:
            claimed = int(await s.scalar(
                select(func.count()).select_from(Refund).where(
                    Refund.payment_id == r.payment_id, Refund.id != r.id, Refund.kind == "refund",
                    Refund.status == "approved", Refund.amount_minor == r.amount_minor,
                    Refund.created_at >= since)) or 0)
        return len(actions) > claimed

    @staticmethod
    def _reopen(inv: Invoice, amount: int) -> None:
        inv.paid_minor -= amount
        inv.balance_minor += amount
        inv.status = invoice_status(inv.total_minor, inv.paid_minor, inv.is_voided)
        if inv.status != InvoiceStatus.PAID:
            inv.paid_date = None

    async def _resolve_refund(self, gateways: _GatewaySet, refund_id: int, actor: Actor, *,
                              final: bool, late: bool = False) -> RefundResult | None:
        async with self._db.sessions() as s:
            r = await s.get(Refund, refund_id)
            p = await s.get(Payment, r.payment_id) if r is not None else None
        if r is None or p is None:
            return None
        if r.status not in REFUND_UNDECIDED and not (late and r.status == "error"):
            return self._refund_result(r, p)
        try:
            gateway = await gateways.get(p.gateway)
            if r.kind == "void":
                txs = await gateway.find_transactions(p.transaction_id)
                tx = next((t for t in txs if t.transaction_id == p.transaction_id), None)
                void = tx.action("void") if tx else None
                decision = _Decision("approved", p.transaction_id, message="Transaction Void Successful") \
                    if void is not None else None
                matched = tx is not None and (tx.state != "pending_settlement" or void is not None)
            else:
                # A refund is an action of the original transaction (no order id is kept on a refund): find one
                # of this amount dated after this attempt began that no other refund of this payment claims.
                txs = await gateway.find_transactions(p.transaction_id)
                tx = next((t for t in txs if t.transaction_id == p.transaction_id), None)
                decision = None
                if tx is not None and await self._refund_action_unclaimed(tx, r):
                    decision = _Decision("approved", "", message="SUCCESS")
                matched = tx is not None
        except LookupFailed:
            if final:
                return await self._record_refund(refund_id, _Decision("unknown"), actor)
            return None
        if r.status == "error":             # a closed void/refund: only a completion found at the gateway changes it
            if decision is not None:
                return await self._record_refund(refund_id, decision, actor)
            return self._refund_result(r, p)
        if decision is not None:
            return await self._record_refund(refund_id, decision, actor)
        deadline = r.send_deadline or r.created_at + self._send_window
        if final and (await self._db_now_async() - deadline >= self._grace or (r.kind == "void" and matched)):
            text = "The gateway shows no such " + r.kind + "; nothing was changed."
            return await self._record_refund(refund_id, _Decision("error", message=text), actor)
        return await self._record_refund(refund_id, _Decision("unknown"), actor)

    # ------------------------------------------------------------------------------ settlement / returns

    async def check_settlements(self) -> SettlementReport:
        """Ask the gateway about approved payments (settled yet?) and recently settled eChecks
        (returned by the bank?), and record what changed."""
        actor = self._current.actor or SYSTEM
        now = self._now()
        async with self._db.sessions() as s:
            rows = (await s.execute(
                select(Payment.id, Payment.transaction_id, Payment.gateway).where(
                    Payment.transaction_id != "",
                    (Payment.status == S.APPROVED)
                    | ((Payment.method.in_(RETURNABLE)) & Payment.status.in_([S.SETTLED, S.PARTIALLY_REFUNDED])
                       & (Payment.settled_at >= now - RETURN_WATCH))
                    # a fully refunded bank debit the bank may still return: the customer would be paid back twice
                    | ((Payment.method.in_(RETURNABLE)) & (Payment.status == S.REFUNDED)
                       & Payment.returned_at.is_(None) & (Payment.settled_at >= now - RETURN_WATCH))))).all()
        if not rows:
            return SettlementReport()
        by_txn = {r.transaction_id: r.id for r in rows}
        by_gateway: dict[str, list[str]] = {}
        for r in rows:                          # each payment is asked of the gateway that took it
            by_gateway.setdefault(r.gateway, []).append(r.transaction_id)
        found: dict[str, GatewayTransaction] = {}
        failure: Exception | None = None
        gateways = _GatewaySet(self._gateways)
        for name, ids in by_gateway.items():
            try:
                gateway = await gateways.get(name)
            except PayAppError as exc:           # that gateway's keys are not here: its payments wait
                failure = exc
                _LOG.warning("settlement check: %s cannot be asked (%s)", name, exc.user_message)
                continue
            for i in range(0, len(ids), 100):
                try:
                    for t in await gateway.find_transactions(*ids[i:i + 100]):
                        found[t.transaction_id] = t
                except LookupFailed as exc:        # this batch waits for the next run; the others go on
                    failure = exc
                    _LOG.warning("settlement check: the gateway could not be asked (%s)", exc.message)
        if failure is not None and not found:
            raise failure
        settled = returned = 0
        for txn_id, t in found.items():
            payment_id = by_txn.get(txn_id)
            if payment_id is None:
                continue
            try:
                s_, r_ = await self._apply_settlement(payment_id, t, actor, now)
            except Exception as exc:  # one payment must never stop the others
                await self._needs_attention(payment_id, "payment", payment_id, exc)
                continue
            settled += s_
            returned += r_
        return SettlementReport(checked=len(rows), settled=settled, returned=returned)

    async def _apply_settlement(self, payment_id: int, t: GatewayTransaction, actor: Actor,
                                now: dt.datetime) -> tuple[int, int]:
        settle = t.action("settle")
        # a return before or after settlement (NMI: `return` / `late_return`; SEPA: the debtor's bank's return)
        ret = t.action("return")
        if settle is None and t.state != "settled" and ret is None:
            return 0, 0
        async with self._db.transaction(lock=True) as s:
            p = await s.get(Payment, payment_id, with_for_update=True)
            if p is None:
                return 0, 0
            settled = returned = 0
            if p.status == S.APPROVED:
                p.status = transition(S.APPROVED, S.SETTLED)
                p.settled_at = (settle.at if settle else None) or now
                settled = 1
                _audit(s, actor, "payment.settled", entity_type="payment", entity_id=p.id,
                             transaction_id=p.transaction_id)
            if ret is not None and p.method in RETURNABLE and p.status in (S.SETTLED, S.PARTIALLY_REFUNDED):
                p.status = transition(S(p.status), S.RETURNED)
                p.returned_at = ret.at or now
                inv = await s.get(Invoice, p.invoice_id, with_for_update=True)
                assert inv is not None
                back = p.applied_minor
                p.applied_minor = 0
                self._reopen(inv, back)
                self._job(s, JobKind.REVERSE_RETURNED, {"payment_id": p.id}, payment_id=p.id,
                          invoice_id=inv.id)
                _audit(s, actor, "payment.returned", entity_type="payment", entity_id=p.id,
                             transaction_id=p.transaction_id, amount_minor=back, reason=ret.text[:200])
                if p.refunded_minor:
                    p.attention = self._paid_back_twice(p.refunded_minor, p.currency)
                returned = 1
            elif ret is not None and p.method in RETURNABLE and p.status == S.REFUNDED and p.returned_at is None:
                # refunded in full, then returned by the bank: the customer got the money back twice; a person must
                # recover it. A refund that kept the invoice paid left the payment applied: that comes off the
                # invoice now, as for any return (the books keep the refund receipt, the payment is reversed).
                p.returned_at = ret.at or now
                p.attention = self._paid_back_twice(p.refunded_minor, p.currency)
                back = p.applied_minor
                if back:
                    inv = await s.get(Invoice, p.invoice_id, with_for_update=True)
                    assert inv is not None
                    p.applied_minor = 0
                    self._reopen(inv, back)
                    self._job(s, JobKind.REVERSE_RETURNED, {"payment_id": p.id}, payment_id=p.id,
                              invoice_id=inv.id)
                _audit(s, actor, "payment.returned", entity_type="payment", entity_id=p.id,
                       transaction_id=p.transaction_id, amount_minor=back, reason=ret.text[:200],
                       after_refund=True)
                _LOG.warning("payment %s: returned by the bank after a full refund", p.id)
                returned = 1
            return settled, returned

    @staticmethod
    def _paid_back_twice(refunded_minor: int, currency: str) -> str:
        return (f"The bank returned this eCheck after {format_money(refunded_minor, currency)} of it was refunded: "
                "the customer may have been paid back twice.")[:300]

    # ------------------------------------------------------------------------------ saved methods, views

    async def saved_methods(self, company_id: int) -> list[SavedMethodView]:
        """The company's saved methods (services/saved_methods.py keeps them: list, rename, expiry, delete)."""
        return await SavedMethodService(self._db, self._gateways, self._current, clock=self._clock).list(company_id)

    async def delete_saved_method(self, saved_method_id: int) -> None:
        await SavedMethodService(self._db, self._gateways, self._current, clock=self._clock).delete(saved_method_id)

    async def payments_for_invoice(self, invoice_id: int) -> list[PaymentView]:
        self._current.require(Permission.VIEW)
        async with self._db.sessions() as s:
            rows = (await s.scalars(select(Payment).where(Payment.invoice_id == invoice_id)
                                    .order_by(Payment.created_at.desc(), Payment.id.desc()))).all()
        return [PaymentView(p.id, p.order_id, p.invoice_id, p.status, p.amount_minor, p.refunded_minor, p.currency,
                            p.method, p.brand, p.last_four, p.transaction_id, p.response_text, p.created_at,
                            p.created_by_name, p.decided_at, p.settled_at, p.accounting_sync_state)
                for p in rows]
