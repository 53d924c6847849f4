"""The gateway port: the one interface the payment engine talks to, whatever the gateway's wire protocol.

An adapter (NMI/BNG in `nmi_adapter.py`, Concardis PayEngine in `payengine.py`, ...) translates between these
gateway-neutral types and its protocol. The engine (`payapp.services.payments`) keeps the state machine, the
pending-before-charge rule, reconciliation by our order id and the outbox: one implementation for every adapter.
docs/gateways.md describes how to write an adapter.

Rules every adapter keeps:

- Only an answer that says "approved" is an approval. An answer whose outcome cannot be known (no answer after the
  request went out, HTTP 5xx, a body that is not the gateway's answer) is `outcome="unknown"`: never raised, never
  resent. `sent=False` only when the request certainly never left this computer.
- A look-up by our order id (`find_order`) or by the gateway's transaction reference (`find_transactions`) that
  cannot be answered raises `LookupFailed`; "no match" is an empty list, never an exception.
- A transaction reference (`GatewayAnswer.transaction_id`, `GatewayTransaction.transaction_id`) is opaque to the
  engine: whatever the adapter needs to find the transaction again (PayEngine: order and transaction id together).
- Card and account numbers, IBANs, CVVs, tokens and keys go into the request only: never kept, logged or put into
  an exception message. The payment-detail types below show nothing secret in their repr.
- Every parser of a gateway answer is total: any input gives a value (or `LookupFailed` for look-ups).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import ClassVar, Literal, Protocol, runtime_checkable

from payapp.domain.gateways import GatewaySpec
from payapp.domain.messages import Message, msg
from payapp.domain.money import Money

Outcome = Literal["approved", "declined", "error", "unknown"]


class Capability(StrEnum):
    """What a gateway can do. The engine and Admin ask an adapter's `capabilities` before offering something."""

    CARD_DIRECT = "card_direct"            # card numbers typed in the back office, sent server to server
    BANK_DEBIT_ACH = "bank_debit_ach"      # US eCheck (ACH): routing and account number
    BANK_DEBIT_SEPA = "bank_debit_sepa"    # SEPA direct debit: IBAN and a mandate
    BROWSER_TOKEN = "browser_token"        # a one-time token made by the gateway's script in the browser
    VAULT = "vault"                        # saved payment methods (NMI customer vault, PayEngine instruments)
    HOSTED_STEP = "hosted_step"            # a redirect to the gateway's own payment page
    VOID = "void"                          # cancel before settlement
    REFUND = "refund"                      # full refund after settlement
    PARTIAL_REFUND = "partial_refund"
    CAPTURE = "capture"                    # capture an authorisation
    LOOKUP_BY_ORDER = "lookup_by_order"    # find a transaction by our order id (resolves unknown outcomes)
    SETTLEMENT_REPORT = "settlement_report"  # settlement and returns readable from `find_transactions`


# ------------------------------------------------------------------------------------------ answers

@dataclass(frozen=True)
class GatewayAnswer:
    """The gateway's answer to one charge, void, refund or vault request."""

    outcome: Outcome
    #: what the gateway said, as it sent it (a str), or PayApp's words when it said nothing itself, could not be
    #: reached or sent what PayApp cannot read (a Message)
    message: str | Message = ""
    transaction_id: str = ""         # opaque reference for later void/refund/look-up
    auth_code: str = ""
    order_id: str = ""
    response_code: str = ""
    vault_id: str = ""               # a saved method's token, when the request saved one
    avs: str = ""
    cvv: str = ""
    sent: bool = True                # False only when the request certainly never reached the gateway
    rate_limited: bool = False       # refused unprocessed for too many requests: try again shortly
    duplicate: bool = False          # refused unprocessed by the gateway's own duplicate check
    auth_failed: bool = False        # the gateway refused PayApp's credentials

    @property
    def approved(self) -> bool:
        return self.outcome == "approved"


ActionKind = Literal["sale", "auth", "capture", "void", "refund", "settle", "return", "other"]
TxState = Literal["pending", "pending_settlement", "settled", "failed", "voided", "other"]


@dataclass(frozen=True)
class TxAction:
    """One thing that happened to a transaction at the gateway."""

    kind: ActionKind
    succeeded: bool
    amount: str = ""                 # dot-decimal as the gateway reports it ("12.50"); "" when not given
    at: dt.datetime | None = None    # UTC
    code: str = ""
    text: str = ""


@dataclass(frozen=True)
class GatewayTransaction:
    """A transaction as a look-up finds it. `state`: `pending` (not decided: SEPA waiting for the bank, a hosted step
    not finished), `pending_settlement` (approved, can still be voided), `settled` (refund it instead), `failed`
    (declined), `voided`, `other`."""

    transaction_id: str
    order_id: str
    state: TxState
    method: str = ""                 # card | echeck | sepa | ""
    currency: str = ""
    auth_code: str = ""
    vault_id: str = ""
    actions: tuple[TxAction, ...] = ()

    def action(self, kind: ActionKind) -> TxAction | None:
        """The first succeeded action of that kind."""
        return next((a for a in self.actions if a.kind == kind and a.succeeded), None)

    def failed_action(self, kind: ActionKind) -> TxAction | None:
        return next((a for a in self.actions if a.kind == kind and not a.succeeded), None)


class LookupFailed(Exception):
    """A look-up could not be answered (gateway down, credentials refused, unreadable answer). Never "no match":
    the caller must not conclude that nothing was charged."""

    def __init__(self, message: str | Message, *, auth_failed: bool = False) -> None:
        super().__init__(str(message))
        self.message = message
        self.auth_failed = auth_failed


# ------------------------------------------------------------------------------------------ request data

@dataclass(frozen=True)
class Billing:
    first_name: str = ""
    last_name: str = ""
    company: str = ""
    address1: str = ""
    city: str = ""
    state: str = ""
    zip: str = ""
    country: str = ""
    email: str = ""
    phone: str = ""


@dataclass(frozen=True)
class CardDetails:
    """A card typed in the back office; repr shows nothing secret."""

    number: str = field(repr=False)
    expiry_mmyy: str = field(repr=False)
    cvv: str = field(repr=False, default="")


@dataclass(frozen=True)
class AchAccount:
    """A US bank account for an eCheck (ACH) debit; repr shows nothing secret."""

    name: str
    routing_number: str = field(repr=False)
    account_number: str = field(repr=False)
    holder_type: str = "business"       # personal | business
    account_type: str = "checking"      # checking | savings
    sec_code: str = ""                  # PPD | CCD | WEB; "" = from holder_type


@dataclass(frozen=True)
class SepaAccount:
    """An IBAN to debit under a SEPA direct debit mandate; repr shows nothing secret."""

    holder: str
    iban: str = field(repr=False)
    bic: str = ""
    mandate_reference: str = ""
    mandate_date: dt.date | None = None
    mandate_text: str = field(repr=False, default="")


@dataclass(frozen=True)
class BrowserToken:
    """A one-time token the gateway's script made in the browser from card or bank fields."""

    token: str = field(repr=False)
    kind: Literal["card", "echeck"] = "card"
    holder_type: str = ""
    account_type: str = ""
    sec_code: str = "WEB"


PaymentDetails = CardDetails | AchAccount | SepaAccount | BrowserToken


@dataclass(frozen=True)
class StoredCredential:
    """Card on file: `stored` on the charge that saves a card, `used` on later charges of it (with the transaction
    reference of that first charge)."""

    indicator: Literal["stored", "used"]
    initiated_by: Literal["customer", "merchant"] = "customer"
    initial_transaction_id: str = ""


@dataclass(frozen=True)
class HostedStep:
    """Where to send the payer for the gateway's own page, and the reference to look the payment up by."""

    redirect_url: str
    transaction_id: str = ""


# ------------------------------------------------------------------------------------------ the port

@runtime_checkable
class PaymentGateway(Protocol):
    """One gateway account, as the engine sees it. Every method is async and answers with the types above."""

    #: the table row (domain.gateways) this adapter speaks for: name, label, credential fields, currencies, types
    spec: ClassVar[GatewaySpec]
    capabilities: ClassVar[frozenset[Capability]]

    @property
    def name(self) -> str: ...

    @property
    def base_url(self) -> str: ...

    async def charge(self, *, order_id: str, amount: Money, payment: PaymentDetails, billing: Billing | None = None,
                     save_as: str | None = None, description: str = "", allow_duplicate: bool = False,
                     stored_credential: StoredCredential | None = None) -> GatewayAnswer:
        """Take `amount` now, carrying our `order_id`. `save_as` also saves the method in the vault (under that id
        where the gateway lets PayApp choose it; the answer's `vault_id` says the gateway's own)."""
        ...

    async def charge_saved(self, *, order_id: str, amount: Money, vault_id: str, allow_duplicate: bool = False,
                           stored_credential: StoredCredential | None = None, sec_code: str = "") -> GatewayAnswer:
        ...

    async def void(self, transaction_id: str, *, method: str) -> GatewayAnswer:
        """Cancel an approved, unsettled transaction in full. `method`: card | echeck | sepa."""
        ...

    async def refund(self, transaction_id: str, *, amount: Money | None, method: str) -> GatewayAnswer:
        """Refund a settled transaction: in full (`amount` None) or part of it."""
        ...

    async def find_order(self, order_id: str) -> list[GatewayTransaction]:
        """Everything the gateway has under our order id. Raises LookupFailed."""
        ...

    async def find_transactions(self, *transaction_ids: str) -> list[GatewayTransaction]:
        """The transactions by reference, with their settlement, void, refund and return actions (the settlement
        report the engine reads). Raises LookupFailed."""
        ...

    async def vault_update_expiry(self, vault_id: str, expiry_mmyy: str) -> GatewayAnswer: ...

    async def vault_delete(self, vault_id: str) -> GatewayAnswer: ...

    async def test_keys(self) -> tuple[bool, Message]:
        """A harmless call with the credentials. Charges nothing. (ok, what to tell the admin)."""
        ...


@runtime_checkable
class HostedPaymentGateway(PaymentGateway, Protocol):
    """A gateway with its own payment page (Capability.HOSTED_STEP): the payer is sent there and comes back to one
    of our addresses. The pending payment row is written before `start_hosted` (pending-before-charge holds here
    too); `finish_hosted` then completes or reads the outcome; whatever stays unknown is resolved by `find_order`,
    as for any unknown outcome."""

    async def start_hosted(self, *, order_id: str, amount: Money, product: str, success_url: str, failure_url: str,
                           cancel_url: str, description: str = "") -> HostedStep | GatewayAnswer: ...

    async def finish_hosted(self, *, order_id: str, amount: Money, returned: Mapping[str, str]) -> GatewayAnswer:
        """The payer came back to our success address; `returned` holds the query parameters the gateway added
        (PayPal: `token` and `PayerID`). A gateway that needs a second call to take the money makes it here (PayPal:
        DoExpressCheckoutPayment, with INVNUM = `order_id`); one that does not reads the outcome (PayEngine: the
        order by merchantOrderId). Never raises for the gateway's answers: `unknown` when it cannot tell."""
        ...


def not_supported(what: Message, gateway_label: str, order_id: str = "") -> GatewayAnswer:
    """The answer for a request an adapter cannot make at all (`what`: a gateway_what.* message): nothing was sent,
    so nothing was charged."""
    return GatewayAnswer("error", message=msg("gateway_answer.does_not_take", gateway=gateway_label, what=what),
                         order_id=order_id, sent=False)


def gateway_words(message: str | Message) -> str:
    """The gateway's own text of an answer ("" when the words are PayApp's): what a check for one of its codes or
    phrases ("duplicate transaction") reads."""
    return message if isinstance(message, str) else ""
