"""What callers hand the payment engine and what it hands back: the payment methods (typed, tokenized in the browser,
saved, or on the gateway's own page), the request, the results of a payment and of a void or refund, a settlement
check's report and the payments an invoice lists. Frozen dataclasses; the numbers they carry never show in a repr."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from payapp.domain import ach, sepa
from payapp.domain.errors import PayAppError
from payapp.domain.messages import Message
from payapp.domain.money import minor_digits
from payapp.domain.payment_state import PaymentStatus
from payapp.domain.validation import clean_typed_text

S = PaymentStatus
#: The gateway declines every sale below 1.00 of the currency (docs/protocols.md §1), so the engine refuses such
#: an amount itself, before any row is written or anything is sent.
GATEWAY_MINIMUM_MAJOR = 1


def gateway_minimum_minor(currency: str) -> int:
    """The smallest amount the gateway takes, in minor units of `currency` (1.00 USD = 100)."""
    scale: int = 10 ** minor_digits(currency)       # int ** int is typed Any (a negative power is a float)
    return GATEWAY_MINIMUM_MAJOR * scale


#: bank debits: accepted first, settled days later, and returnable by the debtor's bank
BANK_DEBITS = ("echeck", "sepa")
#: payments the payer's side can take back after PayApp recorded them: bank debits (returns) and PayPal (a reversal
#: after a dispute or chargeback, or a pending eCheck through PayPal that PayPal denies)
RETURNABLE = (*BANK_DEBITS, "paypal")
METHOD_LABELS = {"card": "Credit card", "echeck": "eCheck", "sepa": "SEPA direct debit", "paypal": "PayPal"}


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
    message: Message            # for a banner, with what to do next (the UI renders it in its language)
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

    def __init__(self, user_message: str | Message, *, previous_payment_id: int, previous_at: dt.datetime) -> None:
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
    message: Message

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
