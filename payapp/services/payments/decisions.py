"""What the gateway decided about a sale, in the engine's own terms (`_Decision`), read from its answer or from a
look-up by order id, and the words a person is told about a payment once a decision is recorded."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from payapp.connectors.gateways.port import GatewayAnswer, GatewayTransaction
from payapp.domain.money import format_money
from payapp.domain.payment_state import PaymentStatus
from payapp.models import Payment
from payapp.services.payments.values import BANK_DEBITS, PaymentResult

S = PaymentStatus


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


def _decision(r: GatewayAnswer) -> _Decision:
    return _Decision(r.outcome, r.transaction_id, r.auth_code, r.response_code, r.message or (
        RATE_LIMITED_TEXT if r.rate_limited else ""), r.avs, r.cvv, r.vault_id, rate_limited=r.rate_limited)


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


def _message(p: Payment | _PaymentFacts, d: _Decision) -> str:
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


def _result(p: Payment | _PaymentFacts, d: _Decision) -> PaymentResult:
    return PaymentResult(p.status, p.id, p.transaction_id, _message(p, d), p.order_id, p.amount_minor,
                         p.currency, d.avs[:2], d.cvv[:2], p.method)
